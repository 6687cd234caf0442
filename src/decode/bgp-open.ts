/**
 * BGP OPEN capabilities (RFC 5492): code(1) length(1) value, repeated inside each
 * optional parameter of type 2. Decoded straight into records: an OPEN comes once
 * per session, so nothing here is on a hot path.
 */
import { u16, u32, u8 } from './bytes.js'
import type { BgpCapabilityRecord, OpenBody } from './bgp.js'
import { hex } from './format.js'
import { malformed, type DecodeIssue } from './issue.js'
import { MAX_BGP_CAPABILITIES } from './limits.js'

const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

/**
 * Decode the capabilities in `bytes[p, end)` into `o.capabilities` (and `o.as4`).
 * Returns false when the walk had to stop (an overrun or the bound), true otherwise.
 * With `cut`, an overrun is the capture's cut, not an issue.
 */
export function decodeCapabilities(
  bytes: Uint8Array, p: number, end: number, cut: boolean, o: OpenBody, issues: DecodeIssue[],
): boolean {
  while (p < end) {
    if (o.capabilities.length === MAX_BGP_CAPABILITIES) {
      issues.push(malformed('bgp', 'capabilities', o.capabilities.length + 1, `<= ${MAX_BGP_CAPABILITIES} per OPEN`, p))
      return false
    }
    if (end - p < 2) {
      if (!cut) issues.push(malformed('bgp', 'capabilityLength', end - p, '>= 2 bytes of capability header', p))
      return false
    }
    const code = u8(bytes, p)
    const length = u8(bytes, p + 1)
    const v = p + 2
    if (v + length > end) {
      if (!cut) issues.push(malformed('bgp', 'capabilityLength', length, `<= ${end - v}`, p + 1))
      return false
    }
    const c = capability(bytes, code, length, v)
    if (c.data !== undefined && expectsValue(code, length) !== null) {
      issues.push(malformed('bgp', 'capabilityLength', length, expectsValue(code, length)!, p + 1))
    }
    if (code === 65 && c.asn !== undefined && o.as4 < 0) o.as4 = c.asn
    o.capabilities.push(c)
    p = v + length
  }
  return true
}

/** The length rule a known capability broke, or null (unknown codes have none). */
function expectsValue(code: number, length: number): string | null {
  switch (code) {
    case 1: case 65: return length === 4 ? null : '4'
    case 2: case 6: case 70: case 128: return length === 0 ? null : '0'
    case 9: return length === 1 ? null : '1'
    case 5: return length % 6 === 0 ? null : 'a multiple of 6'
    case 8: case 69: return length % 4 === 0 ? null : 'a multiple of 4'
    case 64: return length >= 2 && (length - 2) % 4 === 0 ? null : '2 + a multiple of 4'
    case 71: return length % 7 === 0 ? null : 'a multiple of 7'
    case 73: return '1 + host name length + 1 + domain name length'
    default: return null
  }
}

function capability(bytes: Uint8Array, code: number, length: number, v: number): BgpCapabilityRecord {
  const c: BgpCapabilityRecord = { code, length }
  const raw = () => { c.data = hex(bytes, v, v + length); return c }
  switch (code) {
    case 1: // Multiprotocol extensions (RFC 4760 §8): AFI(2) reserved(1) SAFI(1)
      if (length !== 4) return raw()
      c.afi = u16(bytes, v)
      c.safi = u8(bytes, v + 3)
      return c
    case 2: case 6: case 70: case 128: // route refresh, extended message, enhanced route refresh, Cisco route refresh
      return length === 0 ? c : raw()
    case 5: // Extended next hop (RFC 8950): AFI(2) SAFI(2) next hop AFI(2)
      if (length % 6 !== 0) return raw()
      c.families = []
      for (let q = v; q < v + length; q += 6) c.families.push({ afi: u16(bytes, q), safi: u16(bytes, q + 2), value: u16(bytes, q + 4) })
      return c
    case 8: case 69: // Multiple labels (RFC 8277): AFI SAFI count; add-path (RFC 7911): AFI SAFI send/receive
      if (length % 4 !== 0) return raw()
      c.families = []
      for (let q = v; q < v + length; q += 4) c.families.push({ afi: u16(bytes, q), safi: u8(bytes, q + 2), value: u8(bytes, q + 3) })
      return c
    case 9: // BGP role (RFC 9234)
      if (length !== 1) return raw()
      c.role = u8(bytes, v)
      return c
    case 64: { // Graceful restart (RFC 4724 §3): flags(4 bits) time(12 bits), then AFI(2) SAFI(1) flags(1)
      if (length < 2 || (length - 2) % 4 !== 0) return raw()
      const w = u16(bytes, v)
      c.restartFlags = w >> 12
      c.restartTime = w & 0xfff
      c.families = []
      for (let q = v + 2; q < v + length; q += 4) c.families.push({ afi: u16(bytes, q), safi: u8(bytes, q + 2), value: u8(bytes, q + 3) })
      return c
    }
    case 65: // 4-octet AS (RFC 6793)
      if (length !== 4) return raw()
      c.asn = u32(bytes, v)
      return c
    case 71: // Long-lived graceful restart (RFC 9494): AFI(2) SAFI(1) flags(1) stale time(3)
      if (length % 7 !== 0) return raw()
      c.families = []
      for (let q = v; q < v + length; q += 7) {
        c.families.push({ afi: u16(bytes, q), safi: u8(bytes, q + 2), value: u8(bytes, q + 3) * 0x1000000 + ((u16(bytes, q + 4) << 8) | u8(bytes, q + 6)) })
      }
      return c
    case 73: { // FQDN (draft-walton-bgp-hostname-capability): len host len domain
      if (length < 2) return raw()
      const hostLen = u8(bytes, v)
      if (1 + hostLen + 1 > length) return raw()
      const domLen = u8(bytes, v + 1 + hostLen)
      if (2 + hostLen + domLen > length) return raw()
      c.hostname = text.decode(bytes.subarray(v + 1, v + 1 + hostLen))
      c.domain = text.decode(bytes.subarray(v + 2 + hostLen, v + 2 + hostLen + domLen))
      return c
    }
    default:
      return raw()
  }
}

/** A copy of a capability record (the header's records must not be shared with the output). */
export function capabilityRecord(c: BgpCapabilityRecord): BgpCapabilityRecord {
  const r: BgpCapabilityRecord = { ...c }
  if (c.families) r.families = c.families.map((f) => ({ ...f }))
  return r
}
