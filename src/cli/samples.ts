/** `hubcap samples [--out DIR]`: rebuild the sample captures, their policies and their README from the recipes. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SAMPLES } from '../samples/catalog.js'
import { samplesReadme } from '../samples/readme.js'
import { ExitCode } from './errors.js'

function write(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, data)
}

export function runSamples(opts: { out: string }): number {
  for (const s of SAMPLES) {
    const path = join(opts.out, s.file)
    write(path, s.build())
    write(join(opts.out, s.policyFile), s.policy())
    process.stdout.write(`${path}\t${s.shows}\n`)
  }
  write(join(opts.out, 'README.md'), samplesReadme())
  return ExitCode.Ok
}
