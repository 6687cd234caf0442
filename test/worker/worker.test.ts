/**
 * The worker's message loop, served in this thread over a MessageChannel (no thread, no build):
 * the same serveShard a real worker runs on its parentPort.
 */
import { once } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { createFrame, type Frame } from '../../src/capture/frame.js'
import { CountObserver, decodingAnalyzer } from '../../src/engine/shard.js'
import { packet } from '../../src/samples/packet.js'
import { BatchWriter, BufferPool } from '../../src/worker/batch.js'
import type { FromWorker, StartData, ToWorker } from '../../src/worker/protocol.js'
import { serveShard } from '../../src/worker/worker.js'

function frames(n: number): Frame[] {
  return Array.from({ length: n }, (_, i) => {
    const f = createFrame()
    f.frameNumber = i + 1
    f.bytes = packet().eth().ipv4(`10.0.0.${1 + (i % 3)}`, '10.0.1.1').udp(1000 + i, 53).payload([i]).build()
    f.caplen = f.origlen = f.bytes.length
    f.linkType = 1
    f.fileOffset = 24 + i * 100
    return f
  })
}

function batch(list: Frame[], fileIndex: number, seq: number): ArrayBuffer {
  const w = new BatchWriter(new BufferPool(64 * 1024, 0))
  for (const f of list) w.add(f, fileIndex)
  return w.take(seq)!.buffer
}

/** Serves a shard on one end of a channel; `next` is the next message (the first is always Ready). */
function serve(analyzer: string, config: unknown = {}): { port: MessagePort; send(m: ToWorker, t?: ArrayBuffer[]): void; next(): Promise<FromWorker> } {
  const { port1, port2 } = new MessageChannel()
  const start: StartData = { kind: 'hubcap-shard', shard: 1, shards: 2, analyzer, config, files: ['a.pcap', 'b.pcap'] }
  serveShard(port2, start)
  return {
    port: port1,
    send: (m, t = []) => port1.postMessage(m, t),
    next: async () => ((await once(port1, 'message')) as [FromWorker])[0],
  }
}

describe('worker.serveShard', () => {
  it('acknowledges each batch with its buffer, then posts the result once', async () => {
    const list = frames(40)
    const s = serve('count')
    expect(await s.next()).toEqual({ type: 'ready' })
    s.send({ type: 'batch', seq: 0, buffer: batch(list.slice(0, 25), 1, 0) })
    const ack = await s.next()
    expect(ack.type).toBe('ack')
    if (ack.type !== 'ack') return
    expect(ack.seq).toBe(0)
    expect(ack.buffer.byteLength).toBe(64 * 1024) // back for reuse
    s.send({ type: 'batch', seq: 1, buffer: batch(list.slice(25), 1, 1) })
    expect((await s.next()).type).toBe('ack')
    s.send({ type: 'finish', end: null })
    const done = await s.next()
    if (done.type !== 'result') throw new Error(`expected a result, got ${JSON.stringify(done)}`)
    expect(done.shard).toBe(1)
    expect(done.stats).toMatchObject({ batches: 2, frames: 40 })

    // The same analyzer in-process, told the same file index, gives the same result.
    const local = decodingAnalyzer(new CountObserver(), { applications: false })
    local.startFile?.(0, 'a.pcap')
    local.startFile?.(1, 'b.pcap')
    for (const f of list) local.push(f)
    expect(done.result).toEqual(local.finish())
  })

  it('reports the batch and frame where the analyzer threw, then stays silent', async () => {
    const s = serve('fault', { mode: 'throw', frame: 7, fileIndex: 0 })
    expect((await s.next()).type).toBe('ready')
    s.send({ type: 'batch', seq: 5, buffer: batch(frames(10), 0, 5) })
    const m = await s.next()
    expect(m).toMatchObject({ type: 'failed', shard: 1, seq: 5, frame: 7, message: 'fault injected at frame 7' })
    s.send({ type: 'finish', end: null })
    await sleep(20)
    expect(receiveMessageOnPort(s.port)).toBeUndefined()
    s.port.close()
  })

  it('fails at start for an unknown analyzer or bad config', async () => {
    const { port1, port2 } = new MessageChannel()
    const got = once(port1, 'message')
    serveShard(port2, { kind: 'hubcap-shard', shard: 0, shards: 1, analyzer: 'nope', config: {}, files: [] })
    expect((await got)[0]).toMatchObject({ type: 'failed', seq: null, frame: null, message: expect.stringMatching(/unknown analyzer "nope"/) })
    port1.close()
  })

  it('fails at finish when the result cannot be cloned', async () => {
    const s = serve('fault', { mode: 'clone' })
    expect((await s.next()).type).toBe('ready')
    s.send({ type: 'finish', end: null })
    expect(await s.next()).toMatchObject({ type: 'failed', seq: null, frame: null, message: expect.stringMatching(/could not be cloned/) })
    s.port.close()
  })
})
