/**
 * The DNS lines of the tshark 4.0.17 oracle (../shared/pcaps/expected/<capture>.tsv; format in
 * ../shared/pcaps/README.md, "DNS"), and the map from tshark's RDATA fields to our text forms.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PCAPS_DIR } from './oracle.js'

/** One question as the oracle prints it: [name, type, class]. */
export type OracleQuestion = [string, string, string]
/** One record: [name, type, class, ttl, [[field, value], ...]]; class and ttl are null for OPT. */
export type OracleRecord = [string, string, string | null, string | null, Array<[string, string]>]

export interface DnsLine {
  frame: number
  idx: number
  /** 'dns' or 'mdns'. */
  proto: string
  /** 'udp' or 'tcp'. */
  transport: string
  /** Hex as tshark shows it: "0x5934". */
  id: string
  qr: string
  opcode: string
  /** '-' in queries (tshark decodes it only in responses; it is still in `flags`). */
  rcode: string
  /** "0x8180". */
  flags: string
  qdcount: string
  ancount: string
  nscount: string
  arcount: string
  qnames: string
  qtypes: string
  malformed: boolean
  qd: OracleQuestion[]
  an: OracleRecord[]
  ns: OracleRecord[]
  ar: OracleRecord[]
}

export function dnsLines(capture: string): DnsLine[] {
  const text = readFileSync(join(PCAPS_DIR, 'expected', `${capture}.tsv`), 'utf8')
  const out: DnsLine[] = []
  for (const line of text.split('\n')) {
    const f = line.split('\t')
    if (f[0] !== 'DNS') continue
    const c = (i: number) => f[i] ?? '-'
    out.push({
      frame: Number(c(1)), idx: Number(c(2)), proto: c(3), transport: c(4), id: c(5), qr: c(6), opcode: c(7), rcode: c(8),
      flags: c(9), qdcount: c(10), ancount: c(11), nscount: c(12), arcount: c(13), qnames: c(14), qtypes: c(15),
      malformed: c(16) === '1',
      qd: JSON.parse(c(17)) as OracleQuestion[], an: JSON.parse(c(18)) as OracleRecord[],
      ns: JSON.parse(c(19)) as OracleRecord[], ar: JSON.parse(c(20)) as OracleRecord[],
    })
  }
  return out
}

/** tshark's name text in our form: "<Root>" is "" (other "<...>" texts are tshark's problem notes, kept). */
export function oracleName(name: string): string {
  return name === '<Root>' ? '' : name
}

/** All values of one tshark field in a record's RDATA list. */
export function fieldValues(fields: Array<[string, string]>, name: string): string[] {
  return fields.filter(([k]) => k === name).map(([, v]) => v)
}

/**
 * The contract's `data` text that tshark's fields describe, for the types whose text form
 * the contract fixes; null for the others (hex for us, decoded fields for tshark). Empty
 * RDATA (tshark lists no field) is "".
 */
export function oracleData(type: number, fields: Array<[string, string]>): string | null {
  if (fields.length === 0) return ''
  const one = (k: string) => fieldValues(fields, k)[0] ?? `<no ${k}>`
  switch (type) {
    case 1: return one('a')
    case 28: return one('aaaa')
    case 5: return one('cname')
    case 2: return one('ns')
    case 12: return one('ptr.domain_name')
    case 15: return `${one('mx.preference')} ${oracleName(one('mx.mail_exchange'))}`
    case 16: return fieldValues(fields, 'txt').join('')
    case 33: return `${one('srv.priority')} ${one('srv.weight')} ${one('srv.port')} ${oracleName(one('srv.target'))}`
    default: return null
  }
}

/** tshark's SOA fields in our `soa` shape (numbers as text), or null when the record lists none. */
export function oracleSoa(fields: Array<[string, string]>): Record<string, string> | null {
  if (fieldValues(fields, 'soa.mname').length === 0) return null
  const one = (k: string) => fieldValues(fields, k)[0] ?? '-'
  return {
    mname: oracleName(one('soa.mname')), rname: oracleName(one('soa.rname')), serial: one('soa.serial_number'),
    refresh: one('soa.refresh_interval'), retry: one('soa.retry_interval'), expire: one('soa.expire_limit'), minimum: one('soa.minimum_ttl'),
  }
}

/** tshark's EDNS fields of an OPT record in our `edns` shape (as text; option data as plain hex). */
export function oracleEdns(fields: Array<[string, string]>): Record<string, unknown> {
  const one = (k: string) => fieldValues(fields, k)[0] ?? '-'
  // Each option is opt.code, opt.len, then (when tshark could read it) opt.data and decoded sub-fields.
  const options: Array<{ code: string; data: string | null }> = []
  for (const [k, v] of fields) {
    if (k === 'opt.code') options.push({ code: v, data: null })
    else if (k === 'opt.data' && options.length > 0) options[options.length - 1]!.data = v.replace(/:/g, '')
  }
  return {
    udpSize: one('rr.udp_payload_size'),
    extendedRcode: String(parseInt(one('resp.ext_rcode'), 16)),
    version: one('resp.edns0_version'),
    do: one('resp.z.do') === '1',
    options,
  }
}
