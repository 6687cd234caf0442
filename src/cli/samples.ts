/** `hubcap samples [--out DIR]`: rebuild the sample captures from their recipes. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SAMPLES } from '../samples/catalog.js'
import { ExitCode } from './errors.js'

export function runSamples(opts: { out: string }): number {
  for (const s of SAMPLES) {
    const path = join(opts.out, s.file)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, s.build())
    process.stdout.write(`${path}\t${s.shows}\n`)
  }
  return ExitCode.Ok
}
