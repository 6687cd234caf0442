/**
 * Zeek's TCP state machine on bare segment sequences: every conn_state, the history letters and
 * when a connection counts as closed. (test/flow/tracker.test.ts runs the same states through frames.)
 */
import { describe, expect, it } from 'vitest'
import {
  ACK, Endpoint, FIN, RST, SYN, addHistory, origState, otherConnState, respState, tcpClosed, tcpConnState, tcpSegment,
  udpHistory, type TcpConn,
} from '../../src/flow/tcp-state.js'

const PSH = 0x08
/** [fromOriginator, flags, payload bytes] */
type Seg = [boolean, number, number]

function run(segs: Seg[]): { c: TcpConn; state: string; closed: boolean } {
  const c: TcpConn = { tcp: 0, histBits: 0, history: '' }
  let o = 0
  let r = 0
  for (const [orig, flags, len] of segs) {
    tcpSegment(c, orig, flags, len)
    if (orig) o += len
    else r += len
  }
  return { c, state: tcpConnState(c, o, r), closed: tcpClosed(c) }
}

const HANDSHAKE: Seg[] = [[true, SYN, 0], [false, SYN | ACK, 0], [true, ACK, 0]]

describe('conn_state', () => {
  const cases: Array<[string, Seg[], string, boolean]> = [
    ['S0: a SYN, no reply', [[true, SYN, 0]], 'S', false],
    ['S0: SYN retransmitted', [[true, SYN, 0], [true, SYN, 0]], 'S', false],
    ['S1: established', HANDSHAKE, 'ShA', false],
    ['SF: data both ways and FIN/FIN', [...HANDSHAKE, [true, PSH | ACK, 100], [false, ACK, 0], [false, PSH | ACK, 900], [true, FIN | ACK, 0], [false, FIN | ACK, 0], [true, ACK, 0]], 'ShADadFf', true],
    ['REJ: SYN answered by RST', [[true, SYN, 0], [false, RST | ACK, 0]], 'Sr', true],
    ['RSTO: originator aborts', [...HANDSHAKE, [true, RST | ACK, 0]], 'ShAR', true],
    ['RSTR: responder aborts', [...HANDSHAKE, [true, PSH | ACK, 10], [false, RST | ACK, 0]], 'ShADr', true],
    ['S2: only the originator closed', [...HANDSHAKE, [true, FIN | ACK, 0]], 'ShAF', false],
    ['S3: only the responder closed', [...HANDSHAKE, [false, FIN | ACK, 0]], 'ShAf', false],
    ['SH: SYN then FIN, no reply', [[true, SYN, 0], [true, FIN, 0]], 'SF', true],
    ['SHR: a responder FIN, no handshake', [[false, FIN | ACK, 0]], 'f', true],
    ['RSTOS0: SYN then the originator RST', [[true, SYN, 0], [true, RST, 0]], 'SR', true],
    ['RSTRH: SYN-ACK then the responder RST, no SYN', [[false, SYN | ACK, 0], [false, RST, 0]], 'hr', true],
    ['OTH: mid-stream data', [[true, PSH | ACK, 100], [false, ACK, 0]], 'Da', false],
  ]
  for (const [name, segs, history, closed] of cases) {
    it(name, () => {
      const got = run(segs)
      expect(got.state).toBe(name.slice(0, name.indexOf(':')))
      expect(got.c.history).toBe(history)
      expect(got.closed).toBe(closed)
    })
  }

  it('REJ also when both sides reset and no payload moved', () => {
    expect(run([[true, PSH | ACK, 0], [true, RST, 0], [false, RST, 0]]).state).toBe('REJ')
  })

  it('a pure ACK after a missed SYN establishes the originator (Zeek: no partial connection)', () => {
    const { c, state } = run([[false, SYN | ACK, 0], [true, ACK, 0]])
    expect(origState(c)).toBe(Endpoint.ESTABLISHED)
    expect(respState(c)).toBe(Endpoint.ESTABLISHED)
    expect(state).toBe('S1')
  })

  it('FIN then RST from one side, FIN from the other: a normal close (SF)', () => {
    expect(run([...HANDSHAKE, [true, FIN | ACK, 0], [true, RST, 0], [false, FIN | ACK, 0]]).state).toBe('SF')
  })

  it('a RST after the FIN exchange changes nothing', () => {
    const { state } = run([...HANDSHAKE, [true, FIN | ACK, 0], [false, FIN | ACK, 0], [true, RST, 0]])
    expect(state).toBe('SF')
  })

  it('multi-flag packets: Q for SYN+FIN or SYN+RST, I for FIN+RST', () => {
    expect(run([[true, SYN | FIN, 0]]).c.history).toBe('Q')
    expect(run([[true, SYN | RST, 0]]).c.history).toBe('Q')
    expect(run([...HANDSHAKE, [false, FIN | RST | ACK, 0]]).c.history).toBe('ShAi')
  })

  it('each letter once per direction, in the order first seen', () => {
    const segs: Seg[] = [...HANDSHAKE]
    for (let i = 0; i < 5; i++) segs.push([true, PSH | ACK, 10], [false, ACK, 0], [false, PSH | ACK, 10], [true, ACK, 0])
    expect(run(segs).c.history).toBe('ShADad')
  })
})

describe('history helpers', () => {
  it('UDP: D from the originator, d from the responder, once each', () => {
    const c: TcpConn = { tcp: 0, histBits: 0, history: '' }
    udpHistory(c, true); udpHistory(c, true); udpHistory(c, false); udpHistory(c, false)
    expect(c.history).toBe('Dd')
    addHistory(c, false, 0)
    expect(c.history).toBe('Dds')
  })

  it('UDP and other protocols: S0 / SF / OTH', () => {
    expect(otherConnState(17, 0)).toBe('S0')
    expect(otherConnState(17, 3)).toBe('SF')
    expect(otherConnState(1, 3)).toBe('OTH')
    expect(otherConnState(47, 0)).toBe('OTH')
  })
})
