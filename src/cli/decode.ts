/**
 * `hubcap decode <capture>`: one JSON record per packet (NDJSON), the form the
 * contract fixes and `tshark -T json` users compare with.
 */
import { openCapture } from '../capture/open.js'
import { toDecodeRecord } from '../decode/decode-record.js'
import { DEFAULT_VXLAN_PORTS } from '../decode/dispatch.js'
import { FrameDecoder } from '../decode/frame.js'
import { forTerminal } from '../report/escape.js'
import { ExitCode, UsageError } from './errors.js'
import { parseFrameRanges } from './frame-ranges.js'
import { openOutput } from './output.js'

export interface DecodeOptions {
  frames?: string
  output?: string
  /** UDP ports decoded as VXLAN besides the defaults. */
  vxlanPort?: number[]
}

export async function runDecode(file: string, opts: DecodeOptions): Promise<number> {
  let selection
  try {
    selection = opts.frames === undefined ? undefined : parseFrameRanges(opts.frames)
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const out = openOutput(opts.output)
  const reader = await openCapture(file)
  const decoder = new FrameDecoder({ vxlanPorts: [...DEFAULT_VXLAN_PORTS, ...(opts.vxlanPort ?? [])] })
  const last = selection ? selection.last() : Infinity
  let packets = 0
  let done = false
  for await (const batch of reader.batches()) {
    let text = ''
    for (const frame of batch) {
      packets++
      if (frame.frameNumber > last) { done = true; break }
      // Every frame is decoded, selected or not: IP reassembly needs the fragments before the selection.
      const decoded = decoder.decode(frame)
      if (selection && !selection.includes(frame.frameNumber)) continue
      text += JSON.stringify(toDecodeRecord(frame, decoded)) + '\n'
    }
    if (text) await out.write(text)
    if (done) break // past the last selected frame: stop reading the file
  }
  await out.close()
  for (const w of reader.info.warnings) {
    process.stderr.write(forTerminal(`hubcap: warning: ${reader.info.file}: byte ${w.offset}: ${w.message}`) + '\n')
  }
  // A damaged file from which not one packet could be read is an error, not an empty result.
  if (packets === 0 && reader.info.warnings.length > 0) {
    const w = reader.info.warnings[0]!
    process.stderr.write(forTerminal(`hubcap: ${reader.info.file}: byte ${w.offset}: no packet could be read: ${w.message}`) + '\n')
    return ExitCode.Error
  }
  return ExitCode.Ok
}
