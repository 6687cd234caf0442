/**
 * Zeek's TCP connection state machine, history letters and conn_state, on a few numbers per flow.
 *
 * Each endpoint (originator, responder) is in one of Zeek's TCP_ENDPOINT_* states; every packet moves
 * the sender's state (and sometimes the peer's) exactly as Zeek's TCPSessionAdapter::UpdateStateMachine
 * does (UpdateInactiveState, UpdateSYN_SentState, UpdateEstablishedState, UpdateClosedState); the
 * conn_state string is computed at the end from the two states, the payload sizes and the history,
 * exactly as base/protocols/conn/main.zeek's conn_state():
 *
 *   S0 SYN seen, no reply            S1 established, not closed     SF normal establish and close
 *   REJ attempt rejected (RST)       S2 / S3 established, only the originator / responder closed
 *   RSTO / RSTR originator / responder aborted (RST)    RSTOS0 originator SYN then RST, no SYN-ACK
 *   RSTRH responder SYN-ACK then RST, no originator SYN    SH / SHR originator / responder FIN, no handshake
 *   OTH no SYN seen, mid-stream traffic
 *
 * History (Zeek's letters, upper case from the originator): S SYN, H SYN-ACK, A pure ACK, D data,
 * F FIN, R RST, I FIN+RST, Q SYN with FIN or RST. Each letter appears at most once per direction, in the
 * order first seen (Zeek repeats S/H/F/R when the sequence number changes; we do not). UDP flows get
 * D / d for any packet of the originator / responder, as Zeek's UDP analyzer does.
 *
 * Differences from Zeek, on purpose: sizes are payload bytes counted per packet (Zeek derives them
 * from sequence numbers, so retransmissions count twice here); no SYN/SYN-ACK role reversal (Zeek's
 * FlipRoles): the initiator is chosen once, when the flow starts (tracker.ts).
 */

/** Zeek's TCP_ENDPOINT_* states. */
export const Endpoint = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const
export type Endpoint = (typeof Endpoint)[keyof typeof Endpoint]

/** TCP flag bits as on the wire. */
export const FIN = 0x01
export const SYN = 0x02
export const RST = 0x04
export const ACK = 0x10

/**
 * The TCP part of a flow. `tcp` packs both endpoints' state and previous state in 12 bits
 * (orig 0-2, orig prev 3-5, resp 6-8, resp prev 9-11); `histBits` has one bit per history letter
 * and direction; `history` is the letters in order.
 */
export interface TcpConn {
  tcp: number
  histBits: number
  history: string
}

export const origState = (c: TcpConn): Endpoint => (c.tcp & 7) as Endpoint
export const respState = (c: TcpConn): Endpoint => ((c.tcp >>> 6) & 7) as Endpoint
const prevState = (c: TcpConn, orig: boolean): Endpoint => ((c.tcp >>> (orig ? 3 : 9)) & 7) as Endpoint

function setState(c: TcpConn, orig: boolean, s: Endpoint): void {
  const shift = orig ? 0 : 6
  const cur = (c.tcp >>> shift) & 7
  if (cur === s) return
  // Zeek's SetState keeps the previous state (FIN after the peer's RST looks at it).
  c.tcp = (c.tcp & ~(0x3f << shift)) | (s << shift) | (cur << (shift + 3))
}

const LETTERS = 'SHADFRIQ'
const L_S = 0, L_H = 1, L_A = 2, L_D = 3, L_F = 4, L_R = 5, L_I = 6, L_Q = 7

/** Add a history letter once: `letter` indexes LETTERS; lower case for the responder. */
export function addHistory(c: TcpConn, orig: boolean, letter: number): void {
  const bit = 1 << (orig ? letter : letter + 8)
  if ((c.histBits & bit) !== 0) return
  c.histBits |= bit
  const ch = LETTERS[letter]!
  c.history += orig ? ch : ch.toLowerCase()
}

/** UDP: D from the originator, d from the responder (Zeek's UDP analyzer: any packet). */
export function udpHistory(c: TcpConn, orig: boolean): void {
  addHistory(c, orig, L_D)
}

/** Zeek's update_history: which letter a segment adds. */
function tcpHistory(c: TcpConn, orig: boolean, flags: number, len: number): void {
  const syn = (flags & SYN) !== 0
  const fin = (flags & FIN) !== 0
  const rst = (flags & RST) !== 0
  const bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0)
  if (bits > 1) addHistory(c, orig, fin && rst ? L_I : L_Q)
  else if (syn) addHistory(c, orig, (flags & ACK) !== 0 ? L_H : L_S)
  else if (fin) addHistory(c, orig, L_F)
  else if (rst) addHistory(c, orig, L_R)
  else if (len > 0) addHistory(c, orig, L_D)
  else if ((flags & ACK) !== 0) addHistory(c, orig, L_A)
}

/** One TCP segment from the originator (`orig`) or the responder, `len` payload bytes. */
export function tcpSegment(c: TcpConn, orig: boolean, flags: number, len: number): void {
  tcpHistory(c, orig, flags, len)
  const syn = (flags & SYN) !== 0
  const fin = (flags & FIN) !== 0
  const rst = (flags & RST) !== 0
  const ack = (flags & ACK) !== 0
  const ep = orig ? origState(c) : respState(c)
  const peer = orig ? respState(c) : origState(c)
  switch (ep) {
    case Endpoint.INACTIVE: {
      if (syn) {
        if (orig) setState(c, true, ack ? Endpoint.SYN_ACK_SENT : Endpoint.SYN_SENT)
        else {
          if (peer === Endpoint.SYN_SENT) setState(c, true, Endpoint.ESTABLISHED)
          setState(c, false, Endpoint.ESTABLISHED)
        }
      }
      if (fin) setState(c, orig, Endpoint.CLOSED)
      if (rst) setState(c, orig, Endpoint.RESET)
      if ((orig ? origState(c) : respState(c)) === Endpoint.INACTIVE) {
        // No control flags changed it. An ACK of the SYN before the SYN-ACK does not make a partial connection.
        if (!orig && len === 0 && origState(c) === Endpoint.SYN_SENT) { /* stays inactive */ }
        // A SYN-ACK was seen but not the SYN: the originator's ACK establishes it.
        else if (ack && peer === Endpoint.ESTABLISHED) setState(c, orig, Endpoint.ESTABLISHED)
        else setState(c, orig, Endpoint.PARTIAL)
      }
      break
    }
    case Endpoint.SYN_SENT:
    case Endpoint.SYN_ACK_SENT:
      if (fin) setState(c, orig, Endpoint.CLOSED)
      if (rst) setState(c, orig, Endpoint.RESET)
      break
    case Endpoint.ESTABLISHED:
    case Endpoint.PARTIAL:
      if (syn && ep === Endpoint.PARTIAL && peer === Endpoint.INACTIVE && !ack) setState(c, orig, Endpoint.SYN_SENT)
      if (fin && !rst) {
        setState(c, orig, Endpoint.CLOSED)
        // The peer sent FIN then RST: a normal close after all.
        if (peer === Endpoint.RESET && prevState(c, !orig) === Endpoint.CLOSED) setState(c, !orig, Endpoint.CLOSED)
      }
      if (rst) setState(c, orig, Endpoint.RESET)
      break
    case Endpoint.CLOSED:
      // After a FIN exchange a RST changes nothing.
      if (rst && peer !== Endpoint.CLOSED) setState(c, orig, Endpoint.RESET)
      break
    default:
      break
  }
}

/**
 * The connection is over, as Zeek's ConnectionClosed sees it ("close complete"): an endpoint reset,
 * both closed, or one closed while the other never sent anything.
 */
export function tcpClosed(c: TcpConn): boolean {
  const o = origState(c)
  const r = respState(c)
  if (o === Endpoint.RESET || r === Endpoint.RESET) return true
  if (o === Endpoint.CLOSED) return r === Endpoint.CLOSED || r === Endpoint.INACTIVE
  return r === Endpoint.CLOSED && o === Endpoint.INACTIVE
}

const RSTOS0 = /^\^?S[^HAFGIQ]*R/

/** Zeek's conn_state for a TCP connection; `origSize`/`respSize` are payload bytes. */
export function tcpConnState(c: TcpConn, origSize: number, respSize: number): string {
  const os = origState(c)
  const rs = respState(c)
  const oInactive = os === Endpoint.INACTIVE || os === Endpoint.PARTIAL
  const rInactive = rs === Endpoint.INACTIVE || rs === Endpoint.PARTIAL
  if (rs === Endpoint.RESET) {
    if (os === Endpoint.SYN_SENT || os === Endpoint.SYN_ACK_SENT || (os === Endpoint.RESET && origSize === 0 && respSize === 0)) return 'REJ'
    return oInactive ? 'RSTRH' : 'RSTR'
  }
  if (os === Endpoint.RESET) {
    if (rInactive) return RSTOS0.test(c.history) ? 'RSTOS0' : 'OTH'
    return 'RSTO'
  }
  if (rs === Endpoint.CLOSED && os === Endpoint.CLOSED) return 'SF'
  if (os === Endpoint.CLOSED) return rInactive ? 'SH' : 'S2'
  if (rs === Endpoint.CLOSED) return oInactive ? 'SHR' : 'S3'
  if (os === Endpoint.SYN_SENT && rs === Endpoint.INACTIVE) return 'S0'
  if (os === Endpoint.ESTABLISHED && rs === Endpoint.ESTABLISHED) return 'S1'
  return 'OTH'
}

/** Zeek's conn_state for UDP (the originator always sent: it is the first sender) and other protocols. */
export function otherConnState(proto: number, respPackets: number): string {
  if (proto === 17) return respPackets > 0 ? 'SF' : 'S0'
  return 'OTH'
}
