/**
 * Question: is build B's analyzer cheaper than build A's on the same frames, when the machine is
 * shared and wall times of separate runs swing by 2x?
 *
 * Both builds are loaded into ONE process (each build dir has its own module instances), the frames
 * of the capture (or its first --size-mb) are read once into memory, and rounds alternate A, B, B, A,
 * ... so that load drifts hit both alike. Each round builds a fresh analyzer and measures the process
 * CPU time (user + system, GC threads included) of pushing every frame, finishing and merging. The
 * JSON of both results must be equal, else the bench fails (a faster wrong answer is no answer).
 *
 *   npx tsc -p tsconfig.build.json --outDir .bench-build          # B: the tree as it is
 *   (a second build of another commit into .tmp-dist-a)            # A
 *   node .bench-build/bench/ab.js --a .tmp-dist-a --b .bench-build --file CAPTURE [--size-mb 120]
 *        [--what flows|analyze|decode|route] [--rounds 10] [--policy POLICY]
 *
 * --what decode: FrameDecoder.decode only; route: Router.hash (B) against Router.decodedHash (the
 * decoder, in the same build; A is ignored) with a check that every hash agrees.
 * Build dirs must be inside the repository (node_modules and "type": "module" resolve from there).
 */
import { openSync, readSync, closeSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

interface FrameLike { bytes: Uint8Array; [k: string]: unknown }
/** A build's module, loaded by path: its exports are checked by use (the two builds may differ). */
type Mod = Record<string, any>

async function load(dir: string, path: string): Promise<Mod> {
  return import(pathToFileURL(join(resolve(dir), path)).href) as Promise<Mod>
}

/** The first `sizeMb` MB of the capture (whole records only; the reader warns about the cut one). */
function prefix(file: string, sizeMb: number | undefined): string {
  if (sizeMb === undefined) return file
  const n = Math.round(sizeMb * 1e6)
  const buf = Buffer.alloc(n)
  const fd = openSync(file, 'r')
  const got = readSync(fd, buf, 0, n, 0)
  closeSync(fd)
  const dir = mkdtempSync(join(tmpdir(), 'hubcap-ab-'))
  const out = join(dir, 'prefix.pcap')
  writeFileSync(out, buf.subarray(0, got))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  return out
}

async function readFrames(dir: string, file: string): Promise<FrameLike[]> {
  const { openCapture } = await load(dir, 'src/capture/open.js')
  const reader = await openCapture(file)
  const frames: FrameLike[] = []
  for await (const batch of reader.batches() as AsyncIterable<FrameLike[]>) for (const f of batch) frames.push({ ...f, bytes: f.bytes.slice() })
  return frames
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since)
  return (c.user + c.system) / 1000
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!

async function main(): Promise<void> {
  const a = arg('--a') ?? '.tmp-dist-a'
  const b = arg('--b') ?? '.bench-build'
  const file = arg('--file')
  if (!file) throw new Error('--file CAPTURE is required')
  const what = arg('--what') ?? 'flows'
  const rounds = Number(arg('--rounds') ?? 10)
  const sizeMb = arg('--size-mb') !== undefined ? Number(arg('--size-mb')) : undefined
  const frames = await readFrames(b, prefix(file, sizeMb))
  const bytes = frames.reduce((s, f) => s + f.bytes.length, 0)
  console.log(`${frames.length} frames, ${(bytes / 1e6).toFixed(1)} MB in memory; ${what}; ${rounds} rounds alternating`)

  if (what === 'route') {
    const { Router } = await load(b, 'src/engine/route.js')
    const fast = new Router(2)
    const slow = new Router(2)
    let bad = 0
    for (const f of frames) if (fast.hash(f) !== slow.decodedHash(f)) bad++
    if (bad > 0) throw new Error(`${bad} frames hash differently from the decoder`)
    const t = { decoder: [] as number[], headers: [] as number[] }
    for (let r = 0; r < rounds; r++) {
      let x = 0
      const r1 = new Router(2)
      let c = process.cpuUsage()
      for (const f of frames) x ^= r1.decodedHash(f)
      t.decoder.push(cpuMs(c))
      const r2 = new Router(2)
      c = process.cpuUsage()
      for (const f of frames) x ^= r2.hash(f)
      t.headers.push(cpuMs(c))
      if (x === 0.5) console.log(x)
    }
    for (const [k, v] of Object.entries(t)) console.log(`${k}: median ${median(v).toFixed(0)} ms CPU, ${(median(v) * 1e6 / frames.length).toFixed(0)} ns/frame`)
    console.log(`all ${frames.length} hashes agree; by header bytes: ${fast.counts.headers}, by the decoder: ${fast.counts.decoded}`)
    return
  }

  let config: unknown = { topN: 10, keepAll: true }
  if (what === 'analyze') {
    const { loadPolicy } = await load(b, 'src/policy/load.js')
    const policy = arg('--policy')
    if (!policy) throw new Error('--policy POLICY is required for analyze (hubcap policy init > POLICY)')
    config = { policy: loadPolicy(policy).policy, topN: 10 }
  }
  const builds: Array<[string, string]> = [['A', a], ['B', b]]
  const mods = new Map<string, Mod>()
  for (const [name, dir] of builds) mods.set(name, await load(dir, what === 'decode' ? 'src/decode/frame.js' : 'src/engine/shard.js'))
  const times: Record<string, number[]> = { A: [], B: [] }
  const results: Record<string, string> = {}
  for (let r = 0; r < rounds; r++) {
    for (const [name] of r % 2 === 0 ? builds : [...builds].reverse()) {
      const m = mods.get(name)!
      const c = process.cpuUsage()
      if (what === 'decode') {
        const d = new m.FrameDecoder()
        let layers = 0
        for (const f of frames) layers += d.decode(f).layers.length
        results[name] = String(layers)
      } else {
        const an = m.createAnalyzer(what, config)
        an.startFile?.(0, 'capture')
        for (const f of frames) an.push(f)
        results[name] = JSON.stringify(m.mergeResults(what, [an.finish()], config))
      }
      times[name]!.push(cpuMs(c))
    }
  }
  if (results.A !== results.B) throw new Error('A and B give different results')
  const ma = median(times.A!)
  const mb = median(times.B!)
  console.log(`A ${a}: median ${ma.toFixed(0)} ms CPU (${times.A!.map((x) => x.toFixed(0)).join(' ')})`)
  console.log(`B ${b}: median ${mb.toFixed(0)} ms CPU (${times.B!.map((x) => x.toFixed(0)).join(' ')})`)
  console.log(`A/B ${(ma / mb).toFixed(2)}x; results equal`)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main()
