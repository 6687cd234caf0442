/**
 * The reader against the real captures in ../shared/pcaps (never copied into the repo) and their
 * oracle files expected/<name>.tsv (format: ../shared/pcaps/README.md). Compared: FILE/IDB/FILEERR
 * (our own byte walk: packet count, link types, snaplens, tsresol, where a file is cut or broken)
 * and the PKT lines' frame number, caplen, len and frame.time_epoch for every packet.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CaptureError } from '../../src/capture/errors.js'
import type { Frame } from '../../src/capture/frame.js'
import { openCapture } from '../../src/capture/open.js'

const PCAPS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/pcaps')
const HAVE = existsSync(join(PCAPS, 'expected'))
const captures = HAVE ? readdirSync(PCAPS).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : []

/** pcap-nsec-invalid-fraction-sll.pcap: ns fields >= 10^9, which the contract carries into the seconds
 *  (tshark prints 1418145370.1000000000 and a negative epoch). Our values, worked out from the raw fields. */
const CARRIED: Record<string, string[]> = {
  'pcap-nsec-invalid-fraction-sll.pcap': [
    '1418145369.999999999', // fraction 999999999: valid
    '1418145371.000000000', // 1418145370 s + 1000000000 ns
    '1418145372.147483648', // 1418145370 s + 2147483648 ns
  ],
}

interface Oracle {
  file: Record<string, string>
  idb: Array<Record<string, string>>
  fileErrors: Array<{ offset: number; message: string }>
  tsharkExit: number
  /** PKT lines of kind `packet`: frame, epoch, caplen, len. */
  packets: Array<{ frame: number; epoch: string; caplen: number; len: number }>
}

function readOracle(name: string): Oracle {
  const o: Oracle = { file: {}, idb: [], fileErrors: [], tsharkExit: 0, packets: [] }
  const kv = (fields: string[]) => Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]))
  for (const line of readFileSync(join(PCAPS, 'expected', `${name}.tsv`), 'utf8').split('\n')) {
    const f = line.split('\t')
    if (f[0] === 'FILE') o.file = kv(f.slice(1))
    if (f[0] === 'IDB') o.idb.push(kv(f.slice(1)))
    if (f[0] === 'FILEERR') o.fileErrors.push({ offset: Number(f[1]), message: f.slice(2).join('\t') })
    if (f[0] === 'TSHARK' && f[1] === 'exit') o.tsharkExit = Number(f[2])
    if (f[0] === 'PKT' && f[2] === 'packet') o.packets.push({ frame: Number(f[1]), epoch: f[6]!, caplen: Number(f[7]), len: Number(f[8]) })
  }
  return o
}

const epoch = (f: Frame) => (f.hasTimestamp ? `${f.tsSec}.${String(f.tsNsec).padStart(9, '0')}` : '-')

describe.skipIf(!HAVE)(HAVE ? 'reader vs ../shared/pcaps expected/*.tsv' : `SKIPPED: no shared captures at ${PCAPS}`, () => {
  it('finds the captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(70)
  })

  for (const name of captures) {
    it(name, async () => {
      const o = readOracle(name)
      const pcapng = o.file['format'] === 'pcapng'

      // Files whose header is unusable: pcap major version != 2; a broken first pcapng SHB.
      const major = Number((o.file['version'] ?? '2').split('.')[0])
      const shbError = o.fileErrors.find((e) => e.offset === 0 && e.message.startsWith('SHB:'))
      if (!pcapng && major !== 2) {
        await expect(openCapture(join(PCAPS, name))).rejects.toMatchObject({ offset: 4, reason: `pcap: major version ${major} unsupported` })
        return
      }
      if (shbError) {
        const e = await openCapture(join(PCAPS, name)).then(() => null, (err: unknown) => err)
        expect(e).toBeInstanceOf(CaptureError)
        expect(e).toMatchObject({ offset: 0, reason: shbError.message })
        return
      }

      const reader = await openCapture(join(PCAPS, name), { chunkSize: 97 }) // small chunks: records straddle
      const frames: Frame[] = []
      for await (const batch of reader.batches()) frames.push(...batch)
      const info = reader.info

      // Packet count and size.
      expect(info.packets).toBe(Number(pcapng ? o.file['packets'] : o.file['records']))
      expect(frames.length).toBe(info.packets)
      if (!pcapng) expect(Math.max(0, ...frames.map((f) => f.caplen))).toBe(Number(o.file['max_incl']))

      // Interfaces: link type, snaplen, tsresol, section.
      if (pcapng) {
        expect(info.interfaces.length).toBe(Number(o.file['interfaces']))
        expect(info.interfaces).toEqual(o.idb.map((i) => ({
          linkType: Number(i['linktype']), snaplen: Number(i['snaplen']), section: Number(i['section']), tsresol: i['tsresol'],
        })))
        const counts = Object.fromEntries((o.file['counts'] ?? '').split(',').filter(Boolean).map((c) => c.split(':')))
        const skipped: Record<string, number> = {}
        for (const [k, ours] of [['NRB', 'NRB'], ['ISB', 'ISB'], ['DSB', 'DSB'], ['CB', 'custom'], ['DCB', 'custom']] as const) {
          if (counts[k]) skipped[ours] = (skipped[ours] ?? 0) + Number(counts[k])
        }
        expect(info.skippedBlocks).toEqual(skipped)
      } else {
        expect(info.interfaces).toEqual([{
          linkType: Number(o.file['linktype']), snaplen: Number(o.file['snaplen']), section: 0,
          tsresol: o.file['tsres'] === 'ns' ? '10^-9' : '10^-6',
        }])
      }

      // Warnings: where the oracle's walk found the file cut or broken, plus our documented
      // reserved-link-type-bits warning (tshark refuses such a file; we read it).
      const expectedOffsets = o.fileErrors.map((e) => e.offset)
      if (!pcapng && (Number(o.file['linktype_raw']) & 0x03ff0000) !== 0) expectedOffsets.unshift(20)
      expect(info.warnings.map((w) => w.offset)).toEqual(expectedOffsets)
      const cut = /^[a-z-]+@(\d+):/.exec(o.file['truncated'] ?? '')
      if (cut) expect(info.warnings.map((w) => w.offset)).toContain(Number(cut[1]))
      for (const e of o.fileErrors) {
        if (e.message.startsWith('truncated record header')) expect(info.warnings).toContainEqual({ offset: e.offset, message: e.message })
      }

      // Every packet: tshark's frame number (custom blocks count), lengths and frame.time_epoch.
      const carried = CARRIED[name]
      if (o.fileErrors.length === 0) expect(frames.map((f) => f.frameNumber)).toEqual(o.packets.map((p) => p.frame))
      frames.forEach((f, i) => {
        const p = o.packets.find((x) => x.frame === f.frameNumber)!
        expect([f.caplen, f.origlen], `frame ${f.frameNumber}`).toEqual([p.caplen, p.len])
        expect(epoch(f), `frame ${f.frameNumber}`).toBe(carried ? carried[i] : p.epoch)
      })
      if (carried) expect(frames.map(epoch)).not.toEqual(o.packets.map((p) => p.epoch))
    })
  }
})
