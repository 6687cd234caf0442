import { describe, expect, it } from 'vitest'
import type { FlowRecord } from '../../src/flow/flow-record.js'
import {
  CSV_COLUMNS, csvField, endpointText, flowsCsv, flowsCsvChunks, flowsJson, flowsNdjson, flowsTable, type FlowsSummary,
} from '../../src/report/flows-format.js'

function flow(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    proto: 'tcp',
    initiator: { ip: '10.10.0.29', port: 49800 },
    responder: { ip: '20.190.151.68', port: 443 },
    vni: null,
    vlan: 100,
    firstTs: '2026-11-20T13:59:00.123000000Z',
    lastTs: '2026-11-20T13:59:01.000000000Z',
    packets: { fwd: 12, rev: 10 },
    bytes: { fwd: 1500, rev: 24000 },
    state: 'SF',
    app: 'tls',
    firstFrame: 5,
    roles: { initiator: 'dvm', responder: null },
    history: 'ShADadFf',
    payloadBytes: { fwd: 517, rev: 22000 },
    lastFrame: 40,
    initiatorInferred: false,
    icmpErrors: 0,
    file: 'border.pcapng',
    ...over,
  }
}

const CLEAR_SCREEN = '\x1b[2J'
const FORMULA = "=cmd|' /C calc'!A0"

const dns6 = flow({
  proto: 'udp', initiator: { ip: '2001:db8::29', port: 51000 }, responder: { ip: 'fd00::53', port: 53 }, vlan: null, vni: 5001,
  packets: { fwd: 1, rev: 1 }, bytes: { fwd: 80, rev: 120 }, state: 'SF', app: 'dns', firstFrame: 1, history: 'Dd',
})
const icmp6 = flow({
  proto: 'icmpv6', initiator: { ip: 'fe80::1', port: null }, responder: { ip: 'ff02::1:ff0a:1d29', port: null }, vlan: null,
  packets: { fwd: 1, rev: 0 }, bytes: { fwd: 72, rev: 0 }, state: 'OTH', app: null, firstFrame: 11, history: '',
})
const hostile = flow({
  app: `evil${CLEAR_SCREEN}\u009b31m`, file: `a,"b"\nc${CLEAR_SCREEN}.pcap`, roles: { initiator: FORMULA, responder: '+1-2' },
  history: '@SUM(A1)', firstFrame: 99,
})

function summary(top: FlowRecord[], over: Partial<FlowsSummary> = {}): FlowsSummary {
  return { count: top.length, top, ...over }
}

/** RFC 4180 reader: rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let i = 0
  let quoted = false
  while (i < text.length) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue }
      if (c === '"') { quoted = false; i++; continue }
      field += c; i++; continue
    }
    if (c === '"' && field === '') { quoted = true; i++; continue }
    if (c === ',') { row.push(field); field = ''; i++; continue }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue }
    if (c === '"' || c === '\r' || c === '\n') throw new Error(`bare ${JSON.stringify(c)} at ${i}`)
    field += c; i++
  }
  if (field !== '' || row.length > 0) throw new Error('last row without CRLF')
  return rows
}

describe('flowsJson', () => {
  it('writes {count, byProto, byState, flows} with keys in FlowRecord order, whatever order the object was built in', () => {
    const f = flow()
    const shuffled = Object.fromEntries(Object.entries(f).reverse()) as unknown as FlowRecord
    const a = flowsJson(summary([f, dns6, icmp6]))
    const b = flowsJson(summary([shuffled, dns6, icmp6]))
    expect(a).toBe(b)
    const doc = JSON.parse(a) as { count: number; byProto: Record<string, number>; byState: Record<string, number>; flows: FlowRecord[] }
    expect(Object.keys(doc)).toEqual(['count', 'byProto', 'byState', 'flows'])
    expect(doc.count).toBe(3)
    expect(doc.byProto).toEqual({ icmpv6: 1, tcp: 1, udp: 1 })
    expect(Object.keys(doc.byProto)).toEqual(['icmpv6', 'tcp', 'udp'])
    expect(doc.byState).toEqual({ OTH: 1, SF: 2 })
    expect(doc.flows).toEqual([f, dns6, icmp6])
    expect(Object.keys(doc.flows[0]!)).toEqual(Object.keys(f))
    expect(doc.flows[1]!.initiator).toEqual({ ip: '2001:db8::29', port: 51000 })
    expect(doc.flows[2]!.responder.port).toBeNull()
    // One flow per line between the document's first and last lines.
    expect(a.split('\n')).toHaveLength(3 + 3)
    expect(a.endsWith(']}\n')).toBe(true)
  })

  it('takes byProto / byState / count from the summary when given (the flows may be only the top ones)', () => {
    const doc = JSON.parse(flowsJson(summary([flow()], { count: 1000, byProto: { udp: 400, tcp: 600 }, byState: { SF: 1000 } })))
    expect(doc).toMatchObject({ count: 1000, byProto: { tcp: 600, udp: 400 }, byState: { SF: 1000 } })
    expect(Object.keys(doc.byProto)).toEqual(['tcp', 'udp'])
  })

  it('caps the flows at top and writes an empty list as []', () => {
    expect(JSON.parse(flowsJson(summary([flow(), dns6, icmp6]), { top: 2 })).flows).toHaveLength(2)
    expect(flowsJson(summary([]))).toBe('{"count":0,"byProto":{},"byState":{},"flows":[]}\n')
  })

  it('keeps hostile text exact but inert: no raw ESC or 8-bit CSI in the output, same string after parsing', () => {
    const out = flowsJson(summary([hostile]))
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/)
    expect(out).toContain('\\u001b[2J')
    expect(out).toContain('\\u009b31m')
    expect(JSON.parse(out).flows[0]).toEqual(hostile)
  })
})

describe('flowsNdjson', () => {
  it('writes one canonical FlowRecord per line', () => {
    const out = flowsNdjson(summary([flow(), dns6, hostile]))
    const lines = out.split('\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(3)
    expect(lines.map((l) => JSON.parse(l))).toEqual([flow(), dns6, hostile])
    expect(out).not.toMatch(/[\u001b\u009b]/)
    expect(flowsNdjson(summary([]))).toBe('')
    expect(flowsNdjson(summary([flow(), dns6]), { top: 1 }).split('\n')).toHaveLength(2)
  })
})

describe('flowsCsv', () => {
  it('writes a header row and one flattened row per flow (RFC 4180, CRLF)', () => {
    const rows = parseCsv(flowsCsv(summary([flow(), dns6, icmp6])))
    expect(rows[0]).toEqual(CSV_COLUMNS.map(([n]) => n))
    expect(rows[0]!.slice(0, 5)).toEqual(['proto', 'initiator_ip', 'initiator_port', 'responder_ip', 'responder_port'])
    expect(rows[0]).toContain('packets_fwd')
    const at = (row: string[], name: string) => row[rows[0]!.indexOf(name)]
    expect(rows).toHaveLength(4)
    expect(at(rows[1]!, 'initiator_ip')).toBe('10.10.0.29')
    expect(at(rows[1]!, 'vlan')).toBe('100')
    expect(at(rows[1]!, 'vni')).toBe('')
    expect(at(rows[1]!, 'packets_fwd')).toBe('12')
    expect(at(rows[1]!, 'bytes_rev')).toBe('24000')
    expect(at(rows[1]!, 'role_responder')).toBe('')
    expect(at(rows[1]!, 'initiator_inferred')).toBe('false')
    expect(at(rows[2]!, 'initiator_ip')).toBe('2001:db8::29')
    expect(at(rows[2]!, 'responder_ip')).toBe('fd00::53')
    expect(at(rows[2]!, 'vni')).toBe('5001')
    expect(at(rows[3]!, 'initiator_port')).toBe('')
    expect(at(rows[3]!, 'app')).toBe('')
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length)
  })

  it('quotes commas, quotes and newlines, shows ESC as \\x1b and defuses formulas', () => {
    const text = flowsCsv(summary([hostile]))
    expect(text).not.toMatch(/[\u001b\u009b]/)
    const rows = parseCsv(text)
    const at = (name: string) => rows[1]![rows[0]!.indexOf(name)]
    expect(at('file')).toBe('a,"b"\nc\\x1b[2J.pcap')
    expect(at('app')).toBe('evil\\x1b[2J\\x9b31m')
    expect(at('role_initiator')).toBe(`'${FORMULA}`)
    expect(at('role_responder')).toBe("'+1-2")
    expect(at('history')).toBe("'@SUM(A1)")
  })

  it('csvField: every formula start, quoting, and numbers / null as they are', () => {
    expect(csvField('=1+1')).toBe("'=1+1")
    expect(csvField('-2')).toBe("'-2")
    expect(csvField('+2')).toBe("'+2")
    expect(csvField('@x')).toBe("'@x")
    expect(csvField('\tx')).toBe("'\tx")
    // CR is shown as \x0d before the formula check, so it no longer starts the cell.
    expect(csvField('\rx')).toBe('\\x0dx')
    expect(csvField('a=b')).toBe('a=b')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField("=a,b")).toBe(`"'=a,b"`)
    expect(csvField('::1')).toBe('::1')
    expect(csvField(-5)).toBe('-5')
    expect(csvField(null)).toBe('')
    expect(csvField(true)).toBe('true')
  })

  it('gives the same text in chunks as in one string', () => {
    const s = summary([flow(), dns6, hostile])
    expect(Array.from(flowsCsvChunks(s)).join('')).toBe(flowsCsv(s))
    expect(flowsCsv(summary([]))).toBe(`${CSV_COLUMNS.map(([n]) => n).join(',')}\r\n`)
  })
})

describe('flowsTable', () => {
  it('prints a totals line, one row per flow with ip:port / [v6]:port, vlan and vni', () => {
    const out = flowsTable(summary([flow(), dns6, icmp6]))
    const lines = out.split('\n')
    expect(lines[0]).toBe('3 flows (icmpv6 1, tcp 1, udp 1), 25 packets, 25,772 bytes')
    expect(out).toContain('10.10.0.29:49800')
    expect(out).toContain('20.190.151.68:443')
    expect(out).toContain('[2001:db8::29]:51000')
    expect(out).toContain('[fd00::53]:53')
    expect(out).toContain('ff02::1:ff0a:1d29')
    expect(out).toContain('vlan 100')
    expect(out).toContain('vni 5001')
    expect(out).toContain('12 / 10')
    expect(out).toContain('1,500 / 24,000')
    expect(out).toMatch(/proto.*initiator.*responder.*vlan\/vni.*packets fwd\/rev.*bytes fwd\/rev.*state.*app.*first frame/)
    expect(out).not.toContain('more flow')
    expect(out.endsWith('\n')).toBe(true)
  })

  it('caps rows at --top (default 20) and says how many more there are', () => {
    const many = Array.from({ length: 25 }, (_, i) => flow({ initiator: { ip: '10.0.0.1', port: 40000 + i }, firstFrame: i + 1 }))
    const out = flowsTable(summary(many))
    expect(out).toContain('10.0.0.1:40019')
    expect(out).not.toContain('10.0.0.1:40020')
    expect(out).toContain('... 5 more flows')
    expect(flowsTable(summary(many), { top: 3 })).toContain('... 22 more flows')
    const partial = flowsTable(summary(many.slice(0, 2), { count: 3 }))
    expect(partial).toContain('... 1 more flow\n')
    expect(partial.split('\n')[0]).toBe('3 flows (tcp 2), 44 packets, 51,000 bytes in the 2 flows listed')
    // Totals come from the summary when it has them.
    expect(flowsTable(summary(many, { count: 10_000, packets: 1_234_567, bytes: 9_876_543_210, byProto: { tcp: 10_000 } })).split('\n')[0])
      .toBe('10,000 flows (tcp 10,000), 1,234,567 packets, 9,876,543,210 bytes')
  })

  it('passes captured text through forTerminal: no ESC, CSI or newline from a flow reaches the terminal', () => {
    const out = flowsTable(summary([hostile, flow({ file: 'second.pcap' })]))
    expect(out).not.toMatch(/[\u001b\u009b]/)
    expect(out).toContain('evil\\x1b[2J\\x9b31m')
    // Two files: the frame column names the file, its newline shown as \x0a.
    expect(out).toContain('a,"b"\\x0ac\\x1b[2J.pcap:99')
    expect(out).toContain('second.pcap:5')
  })

  it('marks an inferred initiator and prints an empty capture as the totals line alone', () => {
    expect(flowsTable(summary([flow({ initiatorInferred: true })]))).toContain('10.10.0.29:49800 ?')
    expect(flowsTable(summary([]))).toBe('0 flows, 0 packets, 0 bytes\n')
  })

  it('endpointText', () => {
    expect(endpointText('192.0.2.1', 53)).toBe('192.0.2.1:53')
    expect(endpointText('2001:db8::1', 443)).toBe('[2001:db8::1]:443')
    expect(endpointText('2001:db8::1', null)).toBe('2001:db8::1')
  })
})
