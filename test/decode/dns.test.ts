import { describe, expect, it } from 'vitest'
import * as dnsPacket from 'dns-packet'

import * as dns from '../../src/decode/dns.js'
import { OK, type Decoded, type LenSource } from '../../src/decode/issue.js'
import {
  MAX_DNS_EDNS_OPTIONS, MAX_DNS_POINTER_JUMPS, MAX_DNS_QUESTIONS, MAX_DNS_RECORDS_PER_SECTION,
} from '../../src/decode/limits.js'
import { mutate, seededRandom } from '../support/random.js'

// The messages below are byte for byte from the shared captures (`tshark -r <file> -x`), starting
// at the first DNS byte (after the UDP header, or after the TCP header for TCP_QUERY); offsets in
// the comments count from there. "ptr X" is a compression pointer to offset X.

// dns-udp-a-ns-aaaa-edns-cookie.pcap frame 2: a response with every section and name compression.
//   5934 id | 8500 QR AA RD, opcode 0, rcode 0 | qd 1 an 2 ns 2 ar 5
//   000c www.tcpdump.org A IN
//   0021 ptr 0c A IN ttl 60 len 4 192.139.46.66 | 0031 ptr 0c A IN ttl 60 198.199.88.104
//   0041 ptr 10 (tcpdump.org) NS IN ttl 86400 len 18 sns.cooperix.net | 005f ptr 10 NS nic.sandelman.ca
//   007d ptr 6b A 209.87.249.18 | 008d ptr 6b AAAA 2607:f0b0:f::babe:f00d
//   00a9 ptr 4d A 97.107.133.15 | 00b9 ptr 4d AAAA 2600:3c03::f03c:91ff:fe96:e8ef
//   00d5 OPT: root, type 41, udp size 4096, ttl 0 (ext rcode 0, version 0, DO 0), no options
const RESPONSE = fromHex(`
  0000  59 34 85 00 00 01 00 02 00 02 00 05 03 77 77 77
  0010  07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00
  0020  01 c0 0c 00 01 00 01 00 00 00 3c 00 04 c0 8b 2e
  0030  42 c0 0c 00 01 00 01 00 00 00 3c 00 04 c6 c7 58
  0040  68 c0 10 00 02 00 01 00 01 51 80 00 12 03 73 6e
  0050  73 08 63 6f 6f 70 65 72 69 78 03 6e 65 74 00 c0
  0060  10 00 02 00 01 00 01 51 80 00 12 03 6e 69 63 09
  0070  73 61 6e 64 65 6c 6d 61 6e 02 63 61 00 c0 6b 00
  0080  01 00 01 00 00 01 2c 00 04 d1 57 f9 12 c0 6b 00
  0090  1c 00 01 00 00 01 2c 00 10 26 07 f0 b0 00 0f 00
  00a0  00 00 00 00 00 ba be f0 0d c0 4d 00 01 00 01 00
  00b0  00 1c 20 00 04 61 6b 85 0f c0 4d 00 1c 00 01 00
  00c0  00 1c 20 00 10 26 00 3c 03 00 00 00 00 f0 3c 91
  00d0  ff fe 96 e8 ef 00 00 29 10 00 00 00 00 00 00 00
`)

// Same capture, frame 1: the query, with AD set and an EDNS COOKIE option.
//   5934 | 0120 RD AD | qd 1 ar 1 | www.tcpdump.org A IN
//   0021 OPT udp 4096 | 002b rdlength 12: option 10 (COOKIE) length 8, client cookie 42f5d00996f9 0b13
const QUERY_COOKIE = fromHex(`
  0000  59 34 01 20 00 01 00 00 00 00 00 01 03 77 77 77
  0010  07 74 63 70 64 75 6d 70 03 6f 72 67 00 00 01 00
  0020  01 00 00 29 10 00 00 00 00 00 00 0c 00 0a 00 08
  0030  42 f5 d0 09 96 f9 0b 13
`)

// dns-many-types-a-ns-ptr-mx-txt-aaaa-loc-srv-any.pcap frame 2: a TXT answer.
//   1032 | 8180 QR RD RA | google.com TXT IN | ptr 0c TXT IN ttl 270 len 16: "v=spf1 ptr ?all"
const TXT_SPF = fromHex(`
  0000  10 32 81 80 00 01 00 01 00 00 00 00 06 67 6f 6f
  0010  67 6c 65 03 63 6f 6d 00 00 10 00 01 c0 0c 00 10
  0020  00 01 00 00 01 0e 00 10 0f 76 3d 73 70 66 31 20
  0030  70 74 72 20 3f 61 6c 6c
`)

// Same capture, frame 4: six MX answers whose exchanges are compressed against the question and
// six A records whose owners point into the MX RDATA (ptr 2a = smtp4.google.com, ...).
//   f76f | 8180 | qd 1 an 6 ar 6 | google.com MX IN
//   001c ptr 0c MX IN ttl 552 len 10: 40, smtp4 + ptr 0c | ... | 00a0 ptr 2a A IN ttl 600 216.239.37.26 ...
const MX = fromHex(`
  0000  f7 6f 81 80 00 01 00 06 00 00 00 06 06 67 6f 6f
  0010  67 6c 65 03 63 6f 6d 00 00 0f 00 01 c0 0c 00 0f
  0020  00 01 00 00 02 28 00 0a 00 28 05 73 6d 74 70 34
  0030  c0 0c c0 0c 00 0f 00 01 00 00 02 28 00 0a 00 0a
  0040  05 73 6d 74 70 35 c0 0c c0 0c 00 0f 00 01 00 00
  0050  02 28 00 0a 00 0a 05 73 6d 74 70 36 c0 0c c0 0c
  0060  00 0f 00 01 00 00 02 28 00 0a 00 0a 05 73 6d 74
  0070  70 31 c0 0c c0 0c 00 0f 00 01 00 00 02 28 00 0a
  0080  00 0a 05 73 6d 74 70 32 c0 0c c0 0c 00 0f 00 01
  0090  00 00 02 28 00 0a 00 28 05 73 6d 74 70 33 c0 0c
  00a0  c0 2a 00 01 00 01 00 00 02 58 00 04 d8 ef 25 1a
  00b0  c0 40 00 01 00 01 00 00 02 58 00 04 40 e9 a7 19
  00c0  c0 56 00 01 00 01 00 00 02 58 00 04 42 66 09 19
  00d0  c0 6c 00 01 00 01 00 00 02 58 00 04 d8 ef 39 19
  00e0  c0 82 00 01 00 01 00 00 02 58 00 04 d8 ef 25 19
  00f0  c0 98 00 01 00 01 00 00 02 58 00 04 d8 ef 39 1a
`)

// Same capture, frame 8: a PTR answer.
//   9bbb | 8180 | 104.9.192.66.in-addr.arpa PTR IN | ptr 0c PTR IN ttl 86309 len 32: 66-192-9-104.gen.twtelecom.net
const PTR = fromHex(`
  0000  9b bb 81 80 00 01 00 01 00 00 00 00 03 31 30 34
  0010  01 39 03 31 39 32 02 36 36 07 69 6e 2d 61 64 64
  0020  72 04 61 72 70 61 00 00 0c 00 01 c0 0c 00 0c 00
  0030  01 00 01 51 25 00 20 0c 36 36 2d 31 39 32 2d 39
  0040  2d 31 30 34 03 67 65 6e 09 74 77 74 65 6c 65 63
  0050  6f 6d 03 6e 65 74 00
`)

// Same capture, frame 22: NXDOMAIN.
//   266d | 8583 QR AA RD RA, rcode 3 | qd 1 | www.example.notginh AAAA IN
const NXDOMAIN = fromHex(`
  0000  26 6d 85 83 00 01 00 00 00 00 00 00 03 77 77 77
  0010  07 65 78 61 6d 70 6c 65 07 6e 6f 74 67 69 6e 68
  0020  00 00 1c 00 01
`)

// vlan-8021q-dns-notify-soa.pcap frame 2 (after the 802.1Q tag): a NOTIFY (opcode 4) carrying the SOA.
//   5131 | 2400 opcode 4, AA | qd 1 an 1 | dhcp.lbnl.us SOA IN
//   001e ptr 0c SOA IN ttl 0 len 63: localhost.lbl.gov hostmaster.nsx.lbl.gov serial 81f6a032
//        refresh 3840 retry 0708 expire 0083d600 minimum 0000a8c0
const NOTIFY_SOA = fromHex(`
  0000  51 31 24 00 00 01 00 01 00 00 00 00 04 64 68 63
  0010  70 04 6c 62 6e 6c 02 75 73 00 00 06 00 01 c0 0c
  0020  00 06 00 01 00 00 00 00 00 3f 09 6c 6f 63 61 6c
  0030  68 6f 73 74 03 6c 62 6c 03 67 6f 76 00 0a 68 6f
  0040  73 74 6d 61 73 74 65 72 03 6e 73 78 03 6c 62 6c
  0050  03 67 6f 76 00 81 f6 a0 32 00 00 38 40 00 00 07
  0060  08 00 83 d6 00 00 00 a8 c0
`)

// dns-tcp-a-query-response.pcap frame 4: the TCP payload, a 2-byte length (0x38 = 56) and the query.
//   0038 | 4319 | 0120 | qd 1 ar 1 | www.tcpdump.org A IN | OPT 4096, COOKIE 8f06be7d691442f0
const TCP_QUERY = fromHex(`
  0000  00 38 43 19 01 20 00 01 00 00 00 00 00 01 03 77
  0010  77 77 07 74 63 70 64 75 6d 70 03 6f 72 67 00 00
  0020  01 00 01 00 00 29 10 00 00 00 00 00 00 0c 00 0a
  0030  00 08 8f 06 be 7d 69 14 42 f0
`)

// dns-max-compression-depth-7-answers.pcap frame 1: seven A answers whose owners are chains of
// pointers: 0013 "a" | 0024 ptr 13 | 0034 ptr 24 | ... | 0074 ptr 64 (six jumps to reach "a").
const POINTER_CHAIN = fromHex(`
  0000  12 34 81 80 00 01 00 07 00 00 00 00 01 61 00 00
  0010  01 00 01 01 61 00 00 01 00 01 00 00 01 2c 00 04
  0020  7f 00 00 01 c0 13 00 01 00 01 00 00 01 2c 00 04
  0030  7f 00 00 02 c0 24 00 01 00 01 00 00 01 2c 00 04
  0040  7f 00 00 03 c0 34 00 01 00 01 00 00 01 2c 00 04
  0050  7f 00 00 04 c0 44 00 01 00 01 00 00 01 2c 00 04
  0060  7f 00 00 05 c0 54 00 01 00 01 00 00 01 2c 00 04
  0070  7f 00 00 06 c0 64 00 01 00 01 00 00 01 2c 00 04
  0080  7f 00 00 07
`)

// dns-txt-multiple-strings-cname.pcap frame 2: CNAME chain, a TXT of two character-strings (127 and 98
// bytes), five NS and five A glue records.
//   6daf | 8500 | qd 1 an 3 ns 5 ar 5 | flkr._domainkey.flickr.com TXT IN
//   002c ptr 0c CNAME ttl 900 len 7: fa14 + ptr 11 | 003f ptr 38 CNAME len 24: fa14._domainkey.yahoo + ptr 23
//   0063 ptr 4b TXT ttl 7200 len 227: 7f "k=rsa; p=MIGf..." 62 "HSrDI23P..."
const TXT_MULTI = fromHex(`
  0000  6d af 85 00 00 01 00 03 00 05 00 05 04 66 6c 6b
  0010  72 0a 5f 64 6f 6d 61 69 6e 6b 65 79 06 66 6c 69
  0020  63 6b 72 03 63 6f 6d 00 00 10 00 01 c0 0c 00 05
  0030  00 01 00 00 03 84 00 07 04 66 61 31 34 c0 11 c0
  0040  38 00 05 00 01 00 00 03 84 00 18 04 66 61 31 34
  0050  0a 5f 64 6f 6d 61 69 6e 6b 65 79 05 79 61 68 6f
  0060  6f c0 23 c0 4b 00 10 00 01 00 00 1c 20 00 e3 7f
  0070  6b 3d 72 73 61 3b 20 70 3d 4d 49 47 66 4d 41 30
  0080  47 43 53 71 47 53 49 62 33 44 51 45 42 41 51 55
  0090  41 41 34 47 4e 41 44 43 42 69 51 4b 42 67 51 44
  00a0  50 64 50 66 79 4a 4d 32 52 32 47 71 4d 79 5a 4d
  00b0  31 66 6c 54 7a 46 65 44 49 55 2b 65 37 4b 6d 69
  00c0  4b 52 77 35 79 7a 33 58 68 74 2b 63 67 45 49 69
  00d0  48 6d 6d 35 6c 49 47 42 75 57 43 63 35 72 74 69
  00e0  79 30 43 63 78 65 50 70 71 63 63 50 4b 6a 6e 62
  00f0  48 53 72 44 49 32 33 50 55 2b 48 4f 75 71 4a 36
  0100  65 72 67 45 31 49 4f 73 4c 36 4c 4f 45 67 47 36
  0110  59 54 35 33 76 4d 62 38 5a 36 55 69 42 53 73 59
  0120  50 6c 72 44 45 43 2b 38 43 55 49 6b 54 4c 4d 4c
  0130  58 4a 61 75 52 4b 35 62 4e 52 4b 56 31 41 54 47
  0140  7a 47 46 70 66 33 54 6a 5a 74 57 77 49 44 41 51
  0150  41 42 c0 50 00 02 00 01 00 02 a3 00 00 06 03 6e
  0160  73 35 c0 5b c0 50 00 02 00 01 00 02 a3 00 00 06
  0170  03 6e 73 34 c0 5b c0 50 00 02 00 01 00 02 a3 00
  0180  00 06 03 6e 73 33 c0 5b c0 50 00 02 00 01 00 02
  0190  a3 00 00 06 03 6e 73 32 c0 5b c0 50 00 02 00 01
  01a0  00 02 a3 00 00 06 03 6e 73 31 c0 5b c1 a6 00 01
  01b0  00 01 00 12 75 00 00 04 44 b4 83 10 c1 94 00 01
  01c0  00 01 00 12 75 00 00 04 44 8e ff 10 c1 82 00 01
  01d0  00 01 00 12 75 00 00 04 cb 54 dd 35 c1 70 00 01
  01e0  00 01 00 12 75 00 00 04 62 8a 0b 9d c1 5e 00 01
  01f0  00 01 00 12 75 00 00 04 77 a0 f7 7c
`)

// dns-malformed-edns-option-bad-length.pcap frame 1: OPT with RDLENGTH 1, then an A record.
//   3333 | 8180 | qd 1 ar 2 | example.com A IN
//   001d OPT udp 4096 ttl 0 rdlength 1: 00 | 0029 ptr 0c A IN ttl 60 len 4 203.0.113.7
const EDNS_BAD_OPTION = fromHex(`
  0000  33 33 81 80 00 01 00 00 00 00 00 02 07 65 78 61
  0010  6d 70 6c 65 03 63 6f 6d 00 00 01 00 01 00 00 29
  0020  10 00 00 00 00 00 00 01 00 c0 0c 00 01 00 01 00
  0030  00 00 3c 00 04 cb 00 71 07
`)

// dns-malformed-pointer-loop-invalid-names.pcap frames 1-3: crafted queries.
//   frame 1: 2222 | 0100 | qd 1 | 03 61 and the datagram ends (a label promising 3 bytes, 1 there)
//   frame 2: 2223 | 0100 | qd 1 | c0 0c: a pointer to itself | A IN
//   frame 3: 2224 | 0100 | qd 1 | 03 61 62 63 and no terminating zero
const NAME_CUT = fromHex(`
  0000  22 22 01 00 00 01 00 00 00 00 00 00 03 61
`)
const SELF_POINTER = fromHex(`
  0000  22 23 01 00 00 01 00 00 00 00 00 00 c0 0c 00 01
  0010  00 01
`)
const NAME_UNENDED = fromHex(`
  0000  22 24 01 00 00 01 00 00 00 00 00 00 03 61 62 63
`)

function decodeAt(bytes: Uint8Array, offset = 0, end = bytes.length, endSource?: LenSource) {
  const header = dns.create()
  const result = dns.decode(bytes, offset, end, header, endSource)
  return { result, header, record: dns.toRecord(header) }
}

const rr = (name: string, type: number, ttl: number, data: string, cls = 1) => ({ name, type, class: cls, ttl, data })

describe('dns.decode: real messages', () => {
  it('reads a response with answers, authorities, glue and OPT, all compressed', () => {
    const { result, header, record } = decodeAt(RESPONSE)
    expect(result).toBe(OK)
    expect(header).toMatchObject({
      id: 0x5934, flags: 0x8500, qr: true, opcode: 0, aa: true, tc: false, rd: true, ra: false, z: false, ad: false, cd: false,
      rcode: 0, qdcount: 1, ancount: 2, nscount: 2, arcount: 5, messageOffset: 0, messageEnd: 224, payloadOffset: 224, payloadEnd: 224,
    })
    expect(record).toEqual({
      type: 'dns', id: 0x5934, qr: true, opcode: 0, rcode: 0, aa: true, tc: false, rd: true, ra: false,
      questions: [{ name: 'www.tcpdump.org', type: 1, class: 1 }],
      answers: [rr('www.tcpdump.org', 1, 60, '192.139.46.66'), rr('www.tcpdump.org', 1, 60, '198.199.88.104')],
      authorityCount: 2, additionalCount: 5, ad: false, cd: false, questionCount: 1, answerCount: 2,
      authorities: [rr('tcpdump.org', 2, 86400, 'sns.cooperix.net'), rr('tcpdump.org', 2, 86400, 'nic.sandelman.ca')],
      additionals: [
        rr('nic.sandelman.ca', 1, 300, '209.87.249.18'), rr('nic.sandelman.ca', 28, 300, '2607:f0b0:f::babe:f00d'),
        rr('sns.cooperix.net', 1, 7200, '97.107.133.15'), rr('sns.cooperix.net', 28, 7200, '2600:3c03::f03c:91ff:fe96:e8ef'),
        { name: '', type: 41, class: 4096, ttl: 0, data: '' },
      ],
      edns: { udpSize: 4096, extendedRcode: 0, version: 0, do: false, options: [] },
    })
    // The contract's keys first, in its order; additions after.
    expect(Object.keys(record)).toEqual([
      'type', 'id', 'qr', 'opcode', 'rcode', 'aa', 'tc', 'rd', 'ra', 'questions', 'answers', 'authorityCount', 'additionalCount',
      'ad', 'cd', 'questionCount', 'answerCount', 'authorities', 'additionals', 'edns',
    ])
    expect(Object.keys(record.answers[0]!)).toEqual(['name', 'type', 'class', 'ttl', 'data'])
    expect(dns.describe(header)).toBe('DNS response 0x5934 op 0 rcode 0 www.tcpdump.org/1 qd 1 an 2 ns 2 ar 5')
  })

  it('reads a query with AD and an EDNS COOKIE option', () => {
    const { result, header, record } = decodeAt(QUERY_COOKIE)
    expect(result).toBe(OK)
    expect(header).toMatchObject({ flags: 0x0120, qr: false, rd: true, ad: true })
    expect(record.additionals).toEqual([{ name: '', type: 41, class: 4096, ttl: 0, data: '000a000842f5d00996f90b13' }])
    expect(record.edns).toEqual({ udpSize: 4096, extendedRcode: 0, version: 0, do: false, options: [{ code: 10, data: '42f5d00996f90b13' }] })
    expect(header.edns.options[0]).toMatchObject({ code: 10, dataOffset: 0x30, dataLength: 8 })
    expect(dns.describe(header)).toBe('DNS query 0x5934 op 0 rcode 0 www.tcpdump.org/1 qd 1 an 0 ns 0 ar 1')
  })

  it('reads TXT, MX with compressed exchanges, and A glue owned by names inside MX RDATA', () => {
    expect(decodeAt(TXT_SPF).record.answers).toEqual([rr('google.com', 16, 270, 'v=spf1 ptr ?all')])
    const { result, record } = decodeAt(MX)
    expect(result).toBe(OK)
    const mx = ['40 smtp4', '10 smtp5', '10 smtp6', '10 smtp1', '10 smtp2', '40 smtp3']
    expect(record.answers).toEqual(mx.map((m) => rr('google.com', 15, 552, `${m}.google.com`)))
    const glue = ['216.239.37.26', '64.233.167.25', '66.102.9.25', '216.239.57.25', '216.239.37.25', '216.239.57.26']
    expect(record.additionals).toEqual(glue.map((a, i) => rr(`${mx[i]!.slice(3)}.google.com`, 1, 600, a)))
  })

  it('reads PTR, NXDOMAIN and a NOTIFY with its SOA', () => {
    expect(decodeAt(PTR).record).toMatchObject({
      questions: [{ name: '104.9.192.66.in-addr.arpa', type: 12, class: 1 }],
      answers: [rr('104.9.192.66.in-addr.arpa', 12, 86309, '66-192-9-104.gen.twtelecom.net')],
    })
    const nx = decodeAt(NXDOMAIN)
    expect(nx.result).toBe(OK)
    expect(nx.record).toMatchObject({ id: 0x266d, qr: true, aa: true, rd: true, ra: true, rcode: 3, answers: [], authorityCount: 0 })
    expect(nx.record.questions).toEqual([{ name: 'www.example.notginh', type: 28, class: 1 }])

    const { result, record } = decodeAt(NOTIFY_SOA)
    expect(result).toBe(OK)
    expect(record).toMatchObject({ id: 0x5131, qr: false, opcode: 4, aa: true, rd: false, questions: [{ name: 'dhcp.lbnl.us', type: 6, class: 1 }] })
    const soa = record.answers[0]!
    // The contract has no text form for SOA: `data` is hex, `soa` the fields.
    expect(soa.data).toBe(hexOf(NOTIFY_SOA, 0x2a, NOTIFY_SOA.length))
    expect(soa.soa).toEqual({
      mname: 'localhost.lbl.gov', rname: 'hostmaster.nsx.lbl.gov', serial: 2180423730, refresh: 14400, retry: 1800,
      expire: 8640000, minimum: 43200,
    })
  })

  it('reads a DNS-over-TCP message after its length prefix', () => {
    const len = dns.tcpMessageLength(TCP_QUERY, 0, TCP_QUERY.length)
    expect(len).toBe(56)
    expect(2 + len).toBe(TCP_QUERY.length)
    const { result, record } = decodeAt(TCP_QUERY, 2, 2 + len, 'reassembly')
    expect(result).toBe(OK)
    expect(record).toMatchObject({ id: 0x4319, questions: [{ name: 'www.tcpdump.org', type: 1, class: 1 }] })
    expect(record.edns?.options).toEqual([{ code: 10, data: '8f06be7d691442f0' }])
  })

  it('follows a chain of six pointers to pointers, as tshark does', () => {
    const { result, record } = decodeAt(POINTER_CHAIN)
    expect(result).toBe(OK)
    expect(record.answers).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => rr('a', 1, 300, `127.0.0.${k}`)))
  })

  it('joins the character-strings of a TXT record and follows a CNAME chain', () => {
    const { result, record } = decodeAt(TXT_MULTI)
    expect(result).toBe(OK)
    expect(record.answers.map((a) => [a.name, a.type, a.ttl])).toEqual([
      ['flkr._domainkey.flickr.com', 5, 900], ['fa14._domainkey.flickr.com', 5, 900], ['fa14._domainkey.yahoo.com', 16, 7200],
    ])
    expect(record.answers[0]!.data).toBe('fa14._domainkey.flickr.com')
    expect(record.answers[1]!.data).toBe('fa14._domainkey.yahoo.com')
    expect(record.answers[2]!.data).toBe(
      'k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDPdPfyJM2R2GqMyZM1flTzFeDIU+e7KmiKRw5yz3Xht+cgEIiHmm5lIGBuWCc5rtiy0CcxePpqccPKjn' +
      'HSrDI23PU+HOuqJ6ergE1IOsL6LOEgG6YT53vMb8Z6UiBSsYPlrDEC+8CUIkTLMLXJauRK5bNRKV1ATGzGFpf3TjZtWwIDAQAB')
    expect(record.authorities.map((a) => a.data)).toEqual(['ns5', 'ns4', 'ns3', 'ns2', 'ns1'].map((n) => `${n}.yahoo.com`))
    expect(record.additionals.map((a) => `${a.name} ${a.data}`)).toEqual([
      'ns1.yahoo.com 68.180.131.16', 'ns2.yahoo.com 68.142.255.16', 'ns3.yahoo.com 203.84.221.53', 'ns4.yahoo.com 98.138.11.157',
      'ns5.yahoo.com 119.160.247.124',
    ])
  })

  it('flags an OPT whose RDATA cannot hold an option header, and decodes the record after it', () => {
    const { result, header, record } = decodeAt(EDNS_BAD_OPTION)
    expect(result).toMatchObject({ ok: false, kind: 'malformed', layer: 'dns', field: 'optionLength', value: 1, offset: 0x28 })
    expect(header.additionals[0]!.rdataOk).toBe(false)
    expect(record.additionals).toEqual([{ name: '', type: 41, class: 4096, ttl: 0, data: '00' }, rr('example.com', 1, 60, '203.0.113.7')])
    expect(record.edns).toEqual({ udpSize: 4096, extendedRcode: 0, version: 0, do: false, options: [] })
  })

  it('reports the crafted names of dns-malformed-pointer-loop-invalid-names.pcap', () => {
    for (const bytes of [NAME_CUT, NAME_UNENDED]) {
      const { result, record } = decodeAt(bytes)
      expect(result).toMatchObject({ kind: 'malformed', field: 'qdcount', value: 1, offset: 4 })
      expect(record.questions).toEqual([])
      expect(record.questionCount).toBe(1)
    }
    const { result, record } = decodeAt(SELF_POINTER)
    expect(result).toMatchObject({ kind: 'malformed', field: 'pointer', value: 12, offset: 12 })
    expect((result as { expected: string }).expected).toContain('loops')
    expect(record).toMatchObject({ id: 0x2223, questions: [], questionCount: 1 })
  })
})

describe('dns.decode: truncation sweep', () => {
  for (const [name, bytes] of [['RESPONSE', RESPONSE], ['MX', MX], ['TXT_MULTI', TXT_MULTI], ['QUERY_COOKIE', QUERY_COOKIE]] as const) {
    it(`${name}: every shorter capture is a truncation that keeps a prefix of the records`, () => {
      const full = decodeAt(bytes).record
      const flat = (r: dns.DnsRecord) => [...r.questions, ...r.answers, ...r.authorities, ...r.additionals].map((x) => JSON.stringify(x))
      const all = flat(full)
      for (let n = 0; n < bytes.length; n++) {
        // Cut by the snap length: a truncation, never malformed.
        const cut = decodeAt(bytes, 0, n, 'capture')
        if (n < dns.HEADER_LEN) {
          expect(cut.result).toEqual({ ok: false, kind: 'truncated', layer: 'dns', part: 'header', need: 12, have: n, lenSource: 'capture', offset: 0 })
          continue
        }
        expect(cut.result).toMatchObject({ ok: false, kind: 'truncated', layer: 'dns', part: 'payload', have: n, lenSource: 'capture', offset: 0 })
        expect((cut.result as { need: number }).need).toBeGreaterThan(n)
        const got = flat(cut.record)
        // A record is kept only once it is whole.
        expect(got).toEqual(all.slice(0, got.length))
        expect(cut.header.payloadOffset).toBeLessThanOrEqual(n)
        // The same length as the whole datagram: the message lies about its contents.
        const lying = decodeAt(bytes, 0, n, 'udp.length')
        expect(lying.result).toMatchObject({ ok: false, kind: 'malformed', layer: 'dns' })
        expect(['qdcount', 'ancount', 'nscount', 'arcount', 'rdlength']).toContain((lying.result as { field: string }).field)
        expect(flat(lying.record)).toEqual(got)
      }
    })
  }

  it('matches the snap-length cut of dns-response-cut-by-snaplen-98.pcap (the same response, 56 DNS bytes)', () => {
    const { result, record } = decodeAt(RESPONSE, 0, 56, 'capture')
    // Answer 2 starts at 0x31: its pointer and 10-byte fixed part need 0x3d bytes.
    expect(result).toMatchObject({ kind: 'truncated', part: 'payload', need: 0x3d, have: 56 })
    expect(record).toMatchObject({ answerCount: 2, authorityCount: 2, additionalCount: 5 })
    expect(record.answers).toEqual([rr('www.tcpdump.org', 1, 60, '192.139.46.66')])
  })

  it('treats an ICMP quote like a capture cut, and keeps offsets absolute', () => {
    const buf = new Uint8Array(7 + RESPONSE.length)
    buf.set(RESPONSE, 7)
    const { result, record } = decodeAt(buf, 7, 7 + 40, 'quoted')
    expect(result).toMatchObject({ kind: 'truncated', part: 'payload', lenSource: 'quoted', offset: 7, have: 40 })
    expect(record.questions).toEqual([{ name: 'www.tcpdump.org', type: 1, class: 1 }])
    expect(decodeAt(buf, 7, 7 + 40).result).toMatchObject({ kind: 'malformed', field: 'ancount', offset: 7 + 6 })
  })
})

// ---- messages built with our encoder for the forbidden values ----

const A = (name: dns.NameSpec, data = '192.0.2.1'): dns.RecordFields => ({ name, type: dns.Type.A, ttl: 60, data })
const build = (f: Partial<dns.Fields>): Uint8Array => {
  const full = dns.fields({ id: 0xbeef, compress: false, ...f })
  const b = new Uint8Array(dns.encodingLength(full))
  expect(dns.encode(full, b, 0)).toBe(b.length)
  return b
}

/** Answer 1: root owner, private type 0xff00, RDATA "a" then `n` pointers each to the one before; answer 2's owner points to the last. */
function pointerChain(n: number): Uint8Array {
  const rdata = [1, 0x61, 0]
  const start = 12 + 1 + 10                       // RDATA of answer 1
  for (let k = 0; k < n; k++) {
    const target = k === 0 ? start : start + 3 + 2 * (k - 1)
    rdata.push(0xc0 | (target >> 8), target & 0xff)
  }
  const last = n === 0 ? start : start + 3 + 2 * (n - 1)
  return build({ answers: [{ name: '', type: 0xff00, data: Uint8Array.from(rdata) }, A({ labels: [], pointer: last })] })
}

interface Row {
  name: string
  bytes: () => Uint8Array
  field: string
  value?: number
  expected?: string
  offset?: number
  /** Questions, answers, authorities, additionals decoded before the issue. */
  partial: [number, number, number, number]
}

const ROWS: Row[] = [
  { name: 'pointer to itself (loop)', bytes: () => build({ questions: [{ name: { labels: [], pointer: 12 }, type: 1 }] }),
    field: 'pointer', value: 12, expected: 'loops', offset: 12, partial: [0, 0, 0, 0] },
  { name: 'pointer back to the start of its own name (loop)', bytes: () => build({ questions: [{ name: { labels: ['a'], pointer: 12 }, type: 1 }] }),
    field: 'pointer', value: 12, expected: 'loops', offset: 14, partial: [0, 0, 0, 0] },
  { name: 'two pointers pointing at each other (loop)',
    bytes: () => build({ answers: [{ name: '', type: 0xff00, data: Uint8Array.of(0xc0, 25, 0xc0, 23) }, A({ labels: [], pointer: 25 })] }),
    field: 'pointer', value: 25, expected: 'loops', offset: 23, partial: [0, 1, 0, 0] },
  { name: 'forward pointer', bytes: () => build({ questions: [{ name: { labels: [], pointer: 18 }, type: 1 }, { name: 'a', type: 1 }] }),
    field: 'pointer', value: 18, expected: 'points forward', offset: 12, partial: [0, 0, 0, 0] },
  { name: 'pointer past the end', bytes: () => build({ questions: [{ name: { labels: ['x'], pointer: 0x3fff }, type: 1 }] }),
    field: 'pointer', value: 0x3fff, expected: 'points forward', partial: [0, 0, 0, 0] },
  { name: `more than ${MAX_DNS_POINTER_JUMPS} pointer jumps`, bytes: () => pointerChain(MAX_DNS_POINTER_JUMPS),
    field: 'pointers', value: MAX_DNS_POINTER_JUMPS + 1, partial: [0, 1, 0, 0] },
  { name: 'label of 64 bytes (length byte 0x40)', bytes: () => build({ questions: [{ name: { labels: ['x'.repeat(64)] }, type: 1 }] }),
    field: 'labelLength', value: 64, offset: 12, partial: [0, 0, 0, 0] },
  { name: 'label type 0x80', bytes: () => build({ answers: [A('ok'), A({ labels: ['a', new Uint8Array(0x80)] })] }),
    field: 'labelLength', value: 0x80, offset: 12 + 18 + 2, partial: [0, 1, 0, 0] },
  { name: 'name of 257 octets', bytes: () => build({ questions: [{ name: { labels: ['a', 'b', 'c', 'd'].map((c) => c.repeat(63)) }, type: 1 }] }),
    field: 'nameLength', value: 257, partial: [0, 0, 0, 0] },
  { name: 'RDLENGTH past the end of the message', bytes: () => build({ answers: [A('a'), { ...A('b'), rdlength: 10 }] }),
    field: 'rdlength', value: 10, expected: '<= 4', partial: [0, 1, 0, 0] },
  { name: 'EDNS option longer than the OPT RDATA',
    bytes: () => build({ additionals: [dns.optRecord({ options: [{ code: 10, data: new Uint8Array(8), length: 12 }] }), A('after')] }),
    field: 'optionLength', value: 12, expected: '<= 8', partial: [0, 0, 0, 2] },
  { name: 'QDCOUNT bigger than the questions present', bytes: () => build({ questions: [{ name: 'a', type: 1 }], counts: { qd: 2 } }),
    field: 'qdcount', value: 2, offset: 4, partial: [1, 0, 0, 0] },
  { name: 'ANCOUNT bigger than the answers present', bytes: () => build({ answers: [A('a')], counts: { an: 3 } }),
    field: 'ancount', value: 3, offset: 6, partial: [0, 1, 0, 0] },
  { name: 'NSCOUNT bigger than the records present, message ending inside one',
    bytes: () => build({ authorities: [A('a')], additionals: [A('x')], counts: { ns: 2, ar: 0 } }).subarray(0, -8),
    field: 'nscount', value: 2, offset: 8, partial: [0, 0, 1, 0] },
  { name: 'A record of 5 bytes (the walk goes on)', bytes: () => build({ answers: [{ ...A('a'), data: new Uint8Array(5) }, A('b')] }),
    field: 'rdlength', value: 5, expected: '4 for A', partial: [0, 2, 0, 0] },
  { name: 'AAAA record of 4 bytes', bytes: () => build({ answers: [{ name: 'a', type: 28, data: Uint8Array.of(10, 0, 0, 1) }] }),
    field: 'rdlength', value: 4, expected: '16 for AAAA', partial: [0, 1, 0, 0] },
  { name: 'MX whose name runs past RDLENGTH', bytes: () => build({ answers: [{ name: 'a', type: 15, data: '10 mxx', rdlength: 5 }] }),
    field: 'rdlength', value: 5, partial: [0, 1, 0, 0] },
  { name: 'CNAME with a byte after its name', bytes: () => build({ answers: [{ name: 'a', type: 5, data: Uint8Array.of(1, 0x62, 0, 0xff) }] }),
    field: 'rdlength', value: 4, expected: '3 for this name RDATA', partial: [0, 1, 0, 0] },
  { name: 'SOA 4 bytes short', bytes: () => build({ answers: [{ name: 'a', type: 6, data: Uint8Array.of(0, 0, ...new Array<number>(16).fill(0)) }] }),
    field: 'rdlength', value: 18, expected: '22 for this SOA RDATA', partial: [0, 1, 0, 0] },
  { name: 'TXT character-string past RDLENGTH', bytes: () => build({ answers: [{ name: 'a', type: 16, data: Uint8Array.of(5, 0x61, 0x62) }] }),
    field: 'stringLength', value: 5, expected: '<= 2', partial: [0, 1, 0, 0] },
  { name: 'NAPTR without its third character-string',
    bytes: () => build({ answers: [{ name: 'a', type: 35, data: Uint8Array.of(0, 1, 0, 2, 1, 0x55, 0) }] }),
    field: 'rdlength', value: 7, expected: 'room for the 3 character-strings', offset: 12 + 3 + 8, partial: [0, 1, 0, 0] },
  { name: 'pointer loop inside RDATA', bytes: () => build({ answers: [{ name: 'a', type: 2, data: Uint8Array.of(0xc0, 25) }] }),
    field: 'pointer', value: 25, expected: 'loops', offset: 25, partial: [0, 1, 0, 0] },
  { name: `more than ${MAX_DNS_QUESTIONS} questions`,
    bytes: () => build({ questions: [{ name: 'a', type: 1 }, ...new Array(MAX_DNS_QUESTIONS).fill({ name: { labels: [], pointer: 12 }, type: 1 })], compress: true }),
    field: 'qdcount', value: MAX_DNS_QUESTIONS + 1, offset: 4, partial: [MAX_DNS_QUESTIONS, 0, 0, 0] },
  { name: `more than ${MAX_DNS_RECORDS_PER_SECTION} records in a section`,
    bytes: () => build({ authorities: new Array(MAX_DNS_RECORDS_PER_SECTION + 1).fill({ name: '', type: 0xff00 }) }),
    field: 'nscount', value: MAX_DNS_RECORDS_PER_SECTION + 1, offset: 8, partial: [0, 0, MAX_DNS_RECORDS_PER_SECTION, 0] },
  { name: `more than ${MAX_DNS_EDNS_OPTIONS} EDNS options`,
    bytes: () => build({ additionals: [dns.optRecord({ options: new Array(MAX_DNS_EDNS_OPTIONS + 1).fill({ code: 12, data: new Uint8Array(0) }) })] }),
    field: 'options', value: MAX_DNS_EDNS_OPTIONS + 1, partial: [0, 0, 0, 1] },
]

describe('dns.decode: forbidden values', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const bytes = row.bytes()
      const { result, header, record } = decodeAt(bytes)
      expect(result).toMatchObject({ ok: false, kind: 'malformed', layer: 'dns', field: row.field })
      const m = result as { value: number; expected: string; offset: number }
      if (row.value !== undefined) expect(m.value).toBe(row.value)
      if (row.expected !== undefined) expect(m.expected).toContain(row.expected)
      if (row.offset !== undefined) expect(m.offset).toBe(row.offset)
      expect(m.offset).toBeGreaterThanOrEqual(0)
      expect(m.offset).toBeLessThan(bytes.length)
      expect([header.questions.length, header.answers.length, header.authorities.length, header.additionals.length]).toEqual(row.partial)
      expect(() => JSON.stringify(record)).not.toThrow()
    })
  }

  it(`accepts exactly ${MAX_DNS_POINTER_JUMPS} jumps, and a name of exactly 255 octets`, () => {
    const chain = decodeAt(pointerChain(MAX_DNS_POINTER_JUMPS - 1))
    expect(chain.result).toBe(OK)
    expect(chain.record.answers[1]!.name).toBe('a')
    const labels = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)]
    const ok = decodeAt(build({ questions: [{ name: labels.join('.'), type: 1 }] }))
    expect(ok.result).toBe(OK)
    expect(ok.record.questions[0]!.name).toBe(labels.join('.'))
  })

  it('keeps a bad RDATA as hex and reports the first issue after decoding the rest', () => {
    const { result, record } = decodeAt(build({
      answers: [{ ...A('a'), data: Uint8Array.of(1, 2, 3, 4, 5) }, { name: 'b', type: 28, data: Uint8Array.of(1, 2) }, A('c', '10.0.0.3')],
    }))
    expect(result).toMatchObject({ field: 'rdlength', value: 5 })
    expect(record.answers.map((a) => a.data)).toEqual(['0102030405', '0102', '10.0.0.3'])
  })

  it('reads the header alone when the rest is missing, with the counts as claimed', () => {
    const { result, record } = decodeAt(build({ counts: { qd: 1, an: 2, ns: 3, ar: 4 } }))
    expect(result).toMatchObject({ field: 'qdcount', value: 1 })
    expect(record).toMatchObject({ id: 0xbeef, questionCount: 1, answerCount: 2, authorityCount: 3, additionalCount: 4, questions: [] })
  })
})

describe('dns.decode: edge cases', () => {
  it('a header with no records', () => {
    const { result, header, record } = decodeAt(build({}))
    expect(result).toBe(OK)
    expect(record).toMatchObject({ questions: [], answers: [], authorities: [], additionals: [] })
    expect(record.edns).toBeUndefined()
    expect(dns.describe(header)).toBe('DNS query 0xbeef op 0 rcode 0 qd 0 an 0 ns 0 ar 0')
  })

  it('the root name is "" and every header bit is read', () => {
    const b = build({ questions: [{ name: '', type: 2 }], qr: true, opcode: 15, aa: true, tc: true, rd: false, ra: true, z: true, ad: true, cd: true, rcode: 15 })
    const { result, header, record } = decodeAt(b)
    expect(result).toBe(OK)
    expect(header.flags).toBe(0xffff & ~0x0100)
    expect(record).toMatchObject({ qr: true, opcode: 15, aa: true, tc: true, rd: false, ra: true, ad: true, cd: true, rcode: 15 })
    expect(header.z).toBe(true)
    expect(record.questions).toEqual([{ name: '', type: 2, class: 1 }])
    expect(dns.describe(header)).toBe('DNS response 0xbeef op 15 rcode 15 ./2 qd 1 an 0 ns 0 ar 0')
  })

  it('escapes dots, backslashes and bytes outside printable ASCII in labels (\\DDD), and encode reads them back', () => {
    const label = Uint8Array.of(0x61, 0x2e, 0x62, 0x00, 0xff, 0x20, 0x5c, 0x22, 0x7e)
    const b = build({ questions: [{ name: { labels: [label, 'com'] }, type: 1 }] })
    const text = 'a\\.b\\000\\255\\032\\\\"~.com'
    expect(decodeAt(b).record.questions[0]!.name).toBe(text)
    expect(build({ questions: [{ name: text, type: 1 }] })).toEqual(b)
    expect(dns.parseName(text)).toEqual([label, Uint8Array.from([0x63, 0x6f, 0x6d])])
  })

  it('TXT keeps printable text, escapes `\\` and other bytes as \\DDD, and joins strings with no separator', () => {
    const b = build({ answers: [{ name: 'a', type: 16, data: { strings: ['v=1 "x"', Uint8Array.of(0x5c, 0x00, 0xc3, 0xa9), ''] } }] })
    const text = 'v=1 "x"\\\\\\000\\195\\169'
    expect(decodeAt(b).record.answers[0]!.data).toBe(text)
    // Encoded back from the text it is one character-string with the same bytes.
    const again = build({ answers: [{ name: 'a', type: 16, data: text }] })
    expect(decodeAt(again).record.answers[0]!.data).toBe(text)
  })

  it('empty RDATA is "" whatever the type (UPDATE prerequisites and deletions)', () => {
    const { result, record } = decodeAt(build({
      opcode: dns.Opcode.Update,
      questions: [{ name: 'example.com', type: 6 }],
      answers: [{ name: 'www.example.com', type: 1, class: 255 }, { name: 'www.example.com', type: 15, class: 254 }],
      authorities: [{ name: 'www.example.com', type: 28, class: 255 }, { name: 'x.example.com', type: 5, ttl: 300, data: 'www.example.com' }],
    }))
    expect(result).toBe(OK)
    expect(record.opcode).toBe(5)
    expect(record.answers).toEqual([rr('www.example.com', 1, 0, '', 255), rr('www.example.com', 15, 0, '', 254)])
    expect(record.authorities).toEqual([rr('www.example.com', 28, 0, '', 255), rr('x.example.com', 5, 300, 'www.example.com')])
  })

  it('keeps the raw class (mDNS cache-flush and QU bits) and the TTL as unsigned 32 bits', () => {
    const { record } = decodeAt(build({
      questions: [{ name: '_http._tcp.local', type: 12, class: 0x8001 }],
      answers: [{ name: 'printer.local', type: 1, class: 0x8001, ttl: 0xffffffff, data: '169.254.1.2' }],
    }))
    expect(record.questions[0]!.class).toBe(0x8001)
    expect(record.answers[0]).toEqual(rr('printer.local', 1, 4294967295, '169.254.1.2', 0x8001))
  })

  it('EDNS: DO, version and extended RCODE from the first OPT of the additional section only', () => {
    const { result, header, record } = decodeAt(build({
      qr: true, rcode: 0,
      answers: [{ name: '', type: 41, class: 512, data: Uint8Array.of(0, 1, 0, 0) }],
      additionals: [
        dns.optRecord({ udpSize: 1232, extendedRcode: 1, version: 0, do: true, z: 5, options: [{ code: 15, data: Uint8Array.of(0, 22) }] }),
        dns.optRecord({ udpSize: 4096, version: 1 }),
      ],
    }))
    expect(result).toBe(OK)
    expect(record.edns).toEqual({ udpSize: 1232, extendedRcode: 1, version: 0, do: true, options: [{ code: 15, data: '0016' }] })
    expect(header.edns.z).toBe(5)
    // BADVERS = 16 = extendedRcode << 4 | rcode.
    expect((header.edns.extendedRcode << 4) | header.rcode).toBe(16)
    expect(record.answers[0]!.data).toBe('00010000')
    expect(record.additionals[1]).toEqual({ name: '', type: 41, class: 4096, ttl: 0x10000, data: '' })
  })

  it('SRV as text, SOA and NAPTR as hex with their fields, unknown types as hex', () => {
    const soa: dns.SoaFields = { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 }
    const naptr: dns.NaptrFields = { order: 100, preference: 10, flags: 'S', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.example.com' }
    const b = build({ answers: [
      { name: '_sip._tcp.example.com', type: 33, ttl: 5, data: '10 60 5060 sip.example.com' },
      { name: 'example.com', type: 6, ttl: 5, data: soa },
      { name: 'example.com', type: 35, ttl: 5, data: naptr },
      { name: 'example.com', type: 0xff00, ttl: 5, data: 'deadbeef' },
    ] })
    const { result, record } = decodeAt(b)
    expect(result).toBe(OK)
    expect(record.answers[0]!.data).toBe('10 60 5060 sip.example.com')
    expect(record.answers[1]!.soa).toEqual(soa)
    expect(record.answers[1]!.data).toMatch(/^036e7331076578616d706c6503636f6d00/)
    expect(record.answers[2]!.naptr).toEqual({ ...naptr, replacement: '_sip._udp.example.com' })
    expect(record.answers[2]!.data).toMatch(/^0064000a0153075349502b44325500/)
    expect(record.answers[3]).toEqual(rr('example.com', 0xff00, 5, 'deadbeef'))
  })

  it('ignores bytes after the last record, and never reads past `end`', () => {
    const msg = build({ questions: [{ name: 'a', type: 1 }] })
    const padded = new Uint8Array(msg.length + 6).fill(0xff)
    padded.set(msg)
    const { result, header } = decodeAt(padded)
    expect(result).toBe(OK)
    expect([header.payloadOffset, header.payloadEnd]).toEqual([msg.length, padded.length])
    // A name that would end in the byte after `end` is cut, not read.
    expect(decodeAt(padded, 0, msg.length - 5).result).toMatchObject({ kind: 'malformed', field: 'qdcount' })
  })

  it('takes an `end` past the buffer as the buffer end, and zeroes the header on a header truncation', () => {
    expect(decodeAt(RESPONSE, 0, RESPONSE.length + 100).record).toEqual(decodeAt(RESPONSE).record)
    const header = dns.create()
    dns.decode(RESPONSE, 0, RESPONSE.length, header)
    expect(dns.decode(RESPONSE, 0, 11, header)).toMatchObject({ kind: 'truncated', part: 'header', need: 12, have: 11 })
    expect(header).toMatchObject({ id: 0, flags: 0, qr: false, aa: false, rd: false, qdcount: 0, arcount: 0, questions: [], additionals: [] })
  })

  it('accepts a pointer into the header (it is before the name) and preserves case', () => {
    // Offset 4 holds QDCOUNT's high byte, 0: the root name.
    const { result, record } = decodeAt(build({ questions: [{ name: 'WwW.ExAmple.COM', type: 1 }], answers: [A({ labels: [], pointer: 4 })] }))
    expect(result).toBe(OK)
    expect(record.questions[0]!.name).toBe('WwW.ExAmple.COM')
    expect(record.answers[0]!.name).toBe('')
  })

  it('decodes a message in the middle of a buffer, with pointers counted from the message start', () => {
    const buf = new Uint8Array(300 + RESPONSE.length + 9).fill(0xc0)
    buf.set(RESPONSE, 300)
    const { result, header, record } = decodeAt(buf, 300, 300 + RESPONSE.length)
    expect(result).toBe(OK)
    expect(record).toEqual(decodeAt(RESPONSE).record)
    expect(header.questions[0]!.nameOffset).toBe(312)
    expect(dns.nameAt(header, 312)).toBe('www.tcpdump.org')
  })

  it('reuses one header: a short message after a long one shows only its own records', () => {
    const header = dns.create()
    dns.decode(MX, 0, MX.length, header)
    dns.decode(TXT_SPF, 0, TXT_SPF.length, header)
    expect(dns.toRecord(header)).toEqual(decodeAt(TXT_SPF).record)
    expect(dns.decode(MX, 0, 5, header)).toMatchObject({ kind: 'truncated', part: 'header' })
    expect([header.questions.length, header.answers.length, header.edns.present]).toEqual([0, 0, false])
  })
})

describe('dns.looksLikeDns and tcpMessageLength', () => {
  it('takes every real message, cut ones and crafted queries for DNS', () => {
    for (const b of [RESPONSE, QUERY_COOKIE, TXT_SPF, MX, PTR, NXDOMAIN, NOTIFY_SOA, POINTER_CHAIN, TXT_MULTI, EDNS_BAD_OPTION, NAME_CUT, SELF_POINTER, NAME_UNENDED]) {
      expect(dns.looksLikeDns(b, 0, b.length)).toBe(true)
    }
    expect(dns.looksLikeDns(RESPONSE, 0, 56)).toBe(true)
    expect(dns.looksLikeDns(TCP_QUERY, 2, TCP_QUERY.length)).toBe(true)
    expect(dns.looksLikeDns(build({}), 0, 12)).toBe(true)
  })

  it('rejects what is not DNS', () => {
    expect(dns.looksLikeDns(Uint8Array.of(0x58, 0x58, 0x58), 0, 3)).toBe(false)      // ipv6-hbh-routing0-udp-dns.pcap's 3-byte "DNS"
    expect(dns.looksLikeDns(RESPONSE, 0, 11)).toBe(false)
    expect(dns.looksLikeDns(RESPONSE, 0, RESPONSE.length + 1)).toBe(false)
    expect(dns.looksLikeDns(build({ opcode: 3, questions: [{ name: 'a', type: 1 }] }), 0, 19)).toBe(false)
    expect(dns.looksLikeDns(build({ opcode: 9, questions: [{ name: 'a', type: 1 }] }), 0, 19)).toBe(false)
    // Counts whose smallest records cannot fit in 65535 bytes.
    expect(dns.looksLikeDns(build({ questions: [{ name: 'a', type: 1 }], counts: { an: 6000 } }), 0, 19)).toBe(false)
    // A first name with a label type not in use, or a bad pointer in a message of several questions.
    expect(dns.looksLikeDns(build({ questions: [{ name: { labels: ['x'.repeat(70)] }, type: 1 }] }), 0, 19)).toBe(false)
    expect(dns.looksLikeDns(build({ questions: [{ name: { labels: [], pointer: 12 }, type: 1 }], counts: { qd: 2 } }), 0, 18)).toBe(false)
  })

  it('random bytes on port 53 are rarely taken for DNS', () => {
    const rnd = seededRandom(53)
    let yes = 0
    for (let i = 0; i < 20000; i++) {
      const b = Uint8Array.from({ length: 20 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))
      if (dns.looksLikeDns(b, 0, b.length)) yes++
    }
    expect(yes / 20000).toBeLessThan(0.01)
  })

  it('tcpMessageLength reads the 2-byte prefix, or -1 without it', () => {
    expect(dns.tcpMessageLength(Uint8Array.of(1, 2, 3), 0, 3)).toBe(0x0102)
    expect(dns.tcpMessageLength(Uint8Array.of(1, 2, 3), 1, 3)).toBe(0x0203)
    expect(dns.tcpMessageLength(Uint8Array.of(1, 2, 3), 2, 3)).toBe(-1)
    expect(dns.tcpMessageLength(Uint8Array.of(1, 2), 0, 2)).toBe(0x0102)
    expect(dns.tcpMessageLength(new Uint8Array(0), 0, 0)).toBe(-1)
    expect(dns.tcpMessageLength(Uint8Array.of(0xff, 0xff), 0, 2)).toBe(65535)
  })
})

describe('dns.encode', () => {
  it('rebuilds three real responses byte for byte, compression included', () => {
    const header = dns.create()
    for (const bytes of [RESPONSE, MX, TXT_MULTI]) {
      dns.decode(bytes, 0, bytes.length, header)
      const f = describedBy(header)
      expect(dns.encodingLength(f)).toBe(bytes.length)
      const out = new Uint8Array(bytes.length)
      expect(dns.encode(f, out, 0)).toBe(bytes.length)
      expect(hexOf(out, 0, out.length)).toBe(hexOf(bytes, 0, bytes.length))
    }
  })

  it('round-trips every type at a non-zero offset, compressed or not', () => {
    const f = dns.fields({
      id: 0x1234, qr: true, aa: true, ra: true, ad: true, rcode: 0,
      questions: [{ name: 'www.example.com', type: 255 }],
      answers: [
        { name: 'www.example.com', type: 5, ttl: 300, data: 'web.example.com' },
        { name: 'web.example.com', type: 1, ttl: 60, data: '198.51.100.7' },
        { name: 'web.example.com', type: 28, ttl: 60, data: '2001:db8::7' },
        { name: 'example.com', type: 15, ttl: 3600, data: '10 mail.example.com' },
        { name: 'example.com', type: 16, ttl: 3600, data: { strings: ['v=spf1 ', 'mx -all'] } },
        { name: '_ldap._tcp.example.com', type: 33, ttl: 600, data: '0 100 389 dc1.example.com' },
        { name: '7.100.51.198.in-addr.arpa', type: 12, ttl: 86400, data: 'web.example.com' },
        { name: 'example.com', type: 35, ttl: 60, data: { order: 10, preference: 20, flags: 'U', services: 'E2U+sip', regexp: '!^.*$!sip:info@example.com!', replacement: '' } },
        { name: 'example.com', type: 99, ttl: 60, data: '0474657374' },
      ],
      authorities: [
        { name: 'example.com', type: 2, ttl: 86400, data: 'ns1.example.com' },
        { name: 'example.com', type: 6, ttl: 86400, data: { mname: 'ns1.example.com', rname: 'admin.example.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } },
      ],
      additionals: [
        { name: 'ns1.example.com', type: 1, ttl: 86400, data: '198.51.100.1' },
        dns.optRecord({ udpSize: 1232, do: true, options: [{ code: 10, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }] }),
      ],
    })
    const expected: dns.DnsRecord = {
      type: 'dns', id: 0x1234, qr: true, opcode: 0, rcode: 0, aa: true, tc: false, rd: true, ra: true,
      questions: [{ name: 'www.example.com', type: 255, class: 1 }],
      answers: [
        rr('www.example.com', 5, 300, 'web.example.com'), rr('web.example.com', 1, 60, '198.51.100.7'),
        rr('web.example.com', 28, 60, '2001:db8::7'), rr('example.com', 15, 3600, '10 mail.example.com'),
        rr('example.com', 16, 3600, 'v=spf1 mx -all'), rr('_ldap._tcp.example.com', 33, 600, '0 100 389 dc1.example.com'),
        rr('7.100.51.198.in-addr.arpa', 12, 86400, 'web.example.com'),
        { ...rr('example.com', 35, 60, ''), naptr: { order: 10, preference: 20, flags: 'U', services: 'E2U+sip', regexp: '!^.*$!sip:info@example.com!', replacement: '' } },
        rr('example.com', 99, 60, '0474657374'),
      ],
      authorityCount: 2, additionalCount: 2, ad: true, cd: false, questionCount: 1, answerCount: 9,
      authorities: [
        rr('example.com', 2, 86400, 'ns1.example.com'),
        { ...rr('example.com', 6, 86400, ''), soa: { mname: 'ns1.example.com', rname: 'admin.example.com', serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5 } },
      ],
      additionals: [rr('ns1.example.com', 1, 86400, '198.51.100.1'), { name: '', type: 41, class: 1232, ttl: 0x8000, data: '000a00080102030405060708' }],
      edns: { udpSize: 1232, extendedRcode: 0, version: 0, do: true, options: [{ code: 10, data: '0102030405060708' }] },
    }
    const sizes: number[] = []
    for (const compress of [true, false]) {
      const g = { ...f, compress }
      const len = dns.encodingLength(g)
      sizes.push(len)
      const buf = new Uint8Array(7 + len + 3)
      expect(dns.encode(g, buf, 7)).toBe(7 + len)
      const { result, record } = decodeAt(buf, 7, 7 + len)
      expect(result).toBe(OK)
      // `data` of SOA and NAPTR is their hex, which depends on compression.
      record.authorities[1]!.data = ''
      record.answers[7]!.data = ''
      expect(record).toEqual(expected)
    }
    expect(sizes[0]).toBeLessThan(sizes[1]! - 60)
  })

  it('writes exact names (pointers anywhere), counts and RDLENGTH as given', () => {
    const f = dns.fields({
      questions: [{ name: { labels: ['a', Uint8Array.of(0x40)], pointer: 0x123 }, type: 1 }],
      answers: [{ name: 'x', type: 1, data: Uint8Array.of(1, 2), rdlength: 0x999 }],
      counts: { qd: 7, an: 0, ns: 65535 },
    })
    const b = new Uint8Array(dns.encodingLength(f))
    dns.encode(f, b, 0)
    expect(hexOf(b, 0, b.length)).toBe('0000' + '0100' + '0007' + '0000' + 'ffff' + '0000' + '0161' + '0140' + 'c123' + '00010001' +
      '0178' + '00' + '0001' + '0001' + '00000000' + '0999' + '0102')
  })

  it('compresses against the first occurrence of each suffix only when asked, and never SRV targets', () => {
    const f = dns.fields({
      questions: [{ name: 'a.example.com', type: 33 }],
      answers: [{ name: 'a.example.com', type: 33, data: '1 2 3 b.example.com' }, { name: 'b.example.com', type: 2, data: 'c.example.com' }],
    })
    const b = new Uint8Array(dns.encodingLength(f))
    dns.encode(f, b, 0)
    const h = hexOf(b, 0, b.length)
    expect(h).toContain('c00c0021')                           // answer owner -> the question
    expect(h).toContain('0001000200030162076578616d706c6503636f6d00')  // SRV target written in full
    expect(h).toContain('0163c00e')                           // NS RDATA c + ptr to example.com in the question
    expect(decodeAt(b).record.answers.map((a) => a.data)).toEqual(['1 2 3 b.example.com', 'c.example.com'])
    const plain = { ...f, compress: false }
    const u = new Uint8Array(dns.encodingLength(plain))
    dns.encode(plain, u, 0)
    expect(hexOf(u, 0, u.length)).not.toMatch(/^(..)*c0/)
    expect(decodeAt(u).record).toEqual(decodeAt(b).record)
  })

  it('throws for a description it cannot write', () => {
    expect(() => dns.encodingLength(dns.fields({ answers: [{ name: 'a', type: 1, data: '1.2.3' }] }))).toThrow(/IPv4/)
    expect(() => dns.encodingLength(dns.fields({ answers: [{ name: 'a', type: 28, data: '1::2::3' }] }))).toThrow(/IPv6/)
    expect(() => dns.encodingLength(dns.fields({ answers: [{ name: 'a', type: 99, data: 'xyz' }] }))).toThrow(/hex/)
  })
})

describe('dns.decode against an independent encoder (dns-packet)', () => {
  const RD_RA = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE

  it('reads what dns-packet writes: A, AAAA, CNAME, MX, TXT strings, SRV, SOA, NAPTR, OPT with options', () => {
    const packet: dnsPacket.Packet = {
      type: 'response', id: 0xabcd, flags: RD_RA | dnsPacket.AUTHENTIC_DATA,
      questions: [{ type: 'A', name: 'www.example.org' }],
      answers: [
        { type: 'CNAME', name: 'www.example.org', ttl: 30, data: 'edge.example.net' },
        { type: 'A', name: 'edge.example.net', ttl: 20, data: '203.0.113.9' },
        { type: 'AAAA', name: 'edge.example.net', ttl: 20, data: '2001:db8:0:0:1:0:0:1' },
        { type: 'MX', name: 'example.org', ttl: 300, data: { preference: 5, exchange: 'mx.example.org' } },
        { type: 'TXT', name: 'example.org', ttl: 300, data: ['v=spf1', ' include:_spf.example.net', Buffer.from(' ~all')] },
        { type: 'SRV', name: '_xmpp._tcp.example.org', ttl: 86400, data: { priority: 5, weight: 0, port: 5222, target: 'xmpp.example.org' } },
        { type: 'NAPTR', name: 'example.org', ttl: 60, data: { order: 100, preference: 50, flags: 's', services: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.example.org' } },
      ],
      authorities: [
        { type: 'SOA', name: 'example.org', ttl: 3600, data: { mname: 'ns.example.org', rname: 'hostmaster.example.org', serial: 4294967295, refresh: 10800, retry: 3600, expire: 604800, minimum: 60 } },
      ],
      additionals: [{
        type: 'OPT', name: '.', udpPayloadSize: 1400, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true,
        options: [
          { code: 10, data: Buffer.from('0102030405060708', 'hex') } as unknown as dnsPacket.PacketOpt,
          { code: 11, timeout: 300 },
          { code: 12, length: 4 },
        ],
      }],
    }
    const buf = dnsPacket.encode(packet)
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length)
    const { result, record } = decodeAt(bytes)
    expect(result).toBe(OK)
    expect(record).toMatchObject({ id: 0xabcd, qr: true, rd: true, ra: true, ad: true, aa: false, rcode: 0, questions: [{ name: 'www.example.org', type: 1, class: 1 }] })
    expect(record.answers.map((a) => [a.name, a.type, a.class, a.ttl, a.data])).toEqual([
      ['www.example.org', 5, 1, 30, 'edge.example.net'],
      ['edge.example.net', 1, 1, 20, '203.0.113.9'],
      ['edge.example.net', 28, 1, 20, '2001:db8::1:0:0:1'],
      ['example.org', 15, 1, 300, '5 mx.example.org'],
      ['example.org', 16, 1, 300, 'v=spf1 include:_spf.example.net ~all'],
      ['_xmpp._tcp.example.org', 33, 1, 86400, '5 0 5222 xmpp.example.org'],
      ['example.org', 35, 1, 60, expect.any(String)],
    ])
    expect(record.answers[6]!.naptr).toEqual({ order: 100, preference: 50, flags: 's', services: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.example.org' })
    expect(record.authorities[0]!.soa).toEqual({ mname: 'ns.example.org', rname: 'hostmaster.example.org', serial: 4294967295, refresh: 10800, retry: 3600, expire: 604800, minimum: 60 })
    expect(record.edns).toEqual({
      udpSize: 1400, extendedRcode: 0, version: 0, do: true,
      options: [{ code: 10, data: '0102030405060708' }, { code: 11, data: '012c' }, { code: 12, data: '00000000' }],
    })
    // And dns-packet reads the same message the same way.
    const theirs = dnsPacket.decode(buf)
    expect(theirs.answers?.map((a) => a.name)).toEqual(record.answers.map((a) => a.name))
  })

  it('reads an NXDOMAIN with its SOA', () => {
    const buf = dnsPacket.encode({
      type: 'response', id: 7, flags: RD_RA | 3,
      questions: [{ type: 'AAAA', name: 'nope.example.com' }],
      authorities: [{ type: 'SOA', name: 'example.com', ttl: 900, data: { mname: 'a.iana-servers.net', rname: 'noc.dns.icann.org', serial: 2024, refresh: 7200, retry: 3600, expire: 1209600, minimum: 3600 } }],
    })
    const { result, record } = decodeAt(new Uint8Array(buf.buffer, buf.byteOffset, buf.length))
    expect(result).toBe(OK)
    expect(record).toMatchObject({ id: 7, qr: true, rcode: 3, answers: [], authorityCount: 1, questions: [{ name: 'nope.example.com', type: 28, class: 1 }] })
    expect(record.authorities[0]).toMatchObject({ name: 'example.com', type: 6, ttl: 900, soa: { mname: 'a.iana-servers.net', rname: 'noc.dns.icann.org', serial: 2024 } })
  })

  it('dns-packet reads what our encoder writes, compression pointers included', () => {
    const f = dns.fields({
      id: 99, qr: true, ra: true,
      questions: [{ name: 'login.microsoftonline.com', type: 1 }],
      answers: [
        { name: 'login.microsoftonline.com', type: 5, ttl: 10, data: 'login.mso.msidentity.com' },
        { name: 'login.mso.msidentity.com', type: 1, ttl: 10, data: '20.190.151.7' },
        { name: 'login.mso.msidentity.com', type: 16, ttl: 10, data: { strings: ['a', 'bc'] } },
      ],
      additionals: [dns.optRecord({ udpSize: 4000, do: true, options: [{ code: 10, data: Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9) }] })],
    })
    const b = new Uint8Array(dns.encodingLength(f))
    dns.encode(f, b, 0)
    const p = dnsPacket.decode(Buffer.from(b))
    expect(p).toMatchObject({ id: 99, type: 'response', flag_ra: true, flag_rd: true, questions: [{ name: 'login.microsoftonline.com', type: 'A', class: 'IN' }] })
    const answers = p.answers as Array<{ name: string; type: string; data: unknown }>
    expect(answers.map((a) => [a.name, a.type])).toEqual([
      ['login.microsoftonline.com', 'CNAME'], ['login.mso.msidentity.com', 'A'], ['login.mso.msidentity.com', 'TXT'],
    ])
    expect(answers[0]!.data).toBe('login.mso.msidentity.com')
    expect(answers[1]!.data).toBe('20.190.151.7')
    expect((answers[2]!.data as Buffer[]).map((x) => x.toString())).toEqual(['a', 'bc'])
    const opt = (p.additionals as Array<{ udpPayloadSize: number; flag_do: boolean; options: Array<{ code: number; data: Buffer }> }>)[0]!
    expect([opt.udpPayloadSize, opt.flag_do, opt.options[0]!.code, opt.options[0]!.data.toString('hex')]).toEqual([4000, true, 10, '0909090909090909'])
  })
})

describe('dns.decode fuzz', () => {
  it('never throws; issues point inside the buffer; records serialise; bounds hold', () => {
    const header = dns.create()
    const seeds = [RESPONSE, QUERY_COOKIE, MX, TXT_MULTI, NOTIFY_SOA, POINTER_CHAIN, EDNS_BAD_OPTION, SELF_POINTER]
    let n = 0
    for (const seed of seeds) {
      const rnd = seededRandom(0xd45 + n++)
      let input = seed
      for (let i = 0; i < 1500; i++) {
        input = rnd() < 0.2 ? seed : mutate(input, rnd)
        const offset = Math.floor(rnd() * 3)
        const buf = new Uint8Array(offset + input.length)
        buf.set(input, offset)
        for (const src of ['udp.length', 'capture'] as const) {
          const result: Decoded = dns.decode(buf, offset, buf.length, header, src)
          if (!result.ok) {
            expect(result.layer).toBe('dns')
            expect(result.offset).toBeGreaterThanOrEqual(offset)
            expect(result.offset).toBeLessThanOrEqual(buf.length)
          }
          expect(header.questions.length).toBeLessThanOrEqual(MAX_DNS_QUESTIONS)
          expect(header.payloadOffset).toBeLessThanOrEqual(buf.length)
          expect(() => JSON.stringify(dns.toRecord(header))).not.toThrow()
          expect(typeof dns.describe(header)).toBe('string')
        }
        dns.looksLikeDns(buf, offset, buf.length)
      }
    }
  })

  it('pointer soup: random messages made of pointers and short labels stay bounded', () => {
    const rnd = seededRandom(0xc0c0)
    const header = dns.create()
    for (let i = 0; i < 3000; i++) {
      const len = 12 + Math.floor(rnd() * 300)
      const b = new Uint8Array(len)
      for (let k = 12; k < len; k++) {
        const r = rnd()
        b[k] = r < 0.4 ? 0xc0 | Math.floor(rnd() * 2) : r < 0.6 ? Math.floor(rnd() * 256) : r < 0.8 ? Math.floor(rnd() * 4) : 0
      }
      b[5] = 1 + Math.floor(rnd() * 8)                 // QDCOUNT
      b[7] = Math.floor(rnd() * 8)                     // ANCOUNT
      const result = dns.decode(b, 0, len, header)
      const r = dns.toRecord(header)
      for (const q of r.questions) expect(q.name.length).toBeLessThanOrEqual(4 * 255)
      if (!result.ok) expect(result.offset).toBeLessThan(len)
    }
  })
})

// ---- helpers (inline so each test file stands alone) ----

/** Bytes from a hexdump: whitespace-separated byte pairs; a leading "0000 " offset column is skipped. */
function fromHex(dump: string): Uint8Array {
  const out: number[] = []
  for (const line of dump.trim().split('\n')) {
    for (const b of line.trim().replace(/^[0-9a-f]{4}\s{2}/, '').split(/\s+/)) if (b) out.push(parseInt(b, 16))
  }
  return Uint8Array.from(out)
}

function hexOf(b: Uint8Array, from: number, to: number): string {
  return Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, '0')).join('')
}

/** The description that rebuilds a decoded message: text names (compressed by encode), RDATA by type. */
function describedBy(h: dns.Header): dns.Fields {
  const rdata = (r: dns.ResourceRecord): dns.RDataFields => {
    if (r.rdLength === 0) return new Uint8Array(0)
    if (r.type === dns.Type.OPT) {
      return { options: h.edns.options.map((o) => ({ code: o.code, data: h.bytes.slice(o.dataOffset, o.dataOffset + o.dataLength) })) }
    }
    if (r.type === dns.Type.TXT) {
      const strings: Uint8Array[] = []
      for (let p = r.rdOffset; p < r.rdOffset + r.rdLength; p += 1 + h.bytes[p]!) strings.push(h.bytes.slice(p + 1, p + 1 + h.bytes[p]!))
      return { strings }
    }
    return dns.rdataText(h, r)
  }
  const rec = (r: dns.ResourceRecord): dns.RecordFields =>
    ({ name: dns.nameAt(h, r.nameOffset), type: r.type, class: r.class, ttl: r.ttl, data: rdata(r) })
  return dns.fields({
    id: h.id, qr: h.qr, opcode: h.opcode, aa: h.aa, tc: h.tc, rd: h.rd, ra: h.ra, z: h.z, ad: h.ad, cd: h.cd, rcode: h.rcode,
    questions: h.questions.map((q) => ({ name: dns.nameAt(h, q.nameOffset), type: q.type, class: q.class })),
    answers: h.answers.map(rec), authorities: h.authorities.map(rec), additionals: h.additionals.map(rec),
  })
}
