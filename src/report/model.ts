/**
 * The report of `hubcap analyze`: the one model every renderer prints (table, json, md, html).
 * Keys and their order are the contract's (../shared/contract/README.md, "Report"); fields past
 * the contract are additions. `schema/report.schema.json` describes it and a test validates every
 * report the tests produce against it. Nothing in it varies between runs of the same input except
 * `generatedAt`, which is present only when asked for (--stamp), so golden files need no masking.
 */
import type { FlowRecord } from '../flow/flow-record.js'
import type { Finding, RuleResult, SuppressedFinding, Verdict } from '../policy/evaluate.js'
import type { Severity } from '../policy/model.js'

export const REPORT_SCHEMA = 'hubcap.report/1'

export interface ReportCapture {
  file: string
  format: 'pcap' | 'pcapng'
  compressed: boolean
  linkTypes: number[]
  packets: number
  bytes: number
  firstTs: string | null
  lastTs: string | null
  warnings: Array<{ offset: number; message: string }>
}

export interface ReportDecode {
  packets: number
  bytes: number
  layers: Record<string, number>
  malformed: Record<string, number>
  undecoded: number
}

export interface ReportFlows {
  count: number
  top: FlowRecord[]
  // ---- additions ----
  byProto: Record<string, number>
  byState: Record<string, number>
  /** Flows pushed out of a full flow table early (their records were still counted). */
  evicted: number
}

/** One client of a resolver or NTP server within one phase: who asked, in what role, and when. */
export interface ClientActivity {
  client: string
  /** The client's policy role ('dvm', 'infra-vip', 'expected-vip', ...; as flow records name them); null without one. */
  role: string | null
  /** DNS queries or NTP requests from this client to the server in the phase. */
  count: number
  firstTs: string | null
  lastTs: string | null
}

export interface ResolverSummary {
  server: string
  /** Phase of the queries: 'during' (before completeAt), 'grace', 'after', or 'all' without a phase. */
  phase: string
  clients: string[]
  queries: number
  answered: number
  unanswered: number
  rcodes: Record<string, number>
  /** null when the frame had no timestamp (pcapng simple packet block), as everywhere in the report. */
  firstTs: string | null
  lastTs: string | null
  // ---- additions ----
  /** Per client, in `clients` order: the sources over time that the HTML report draws (DVM vs VIP). */
  byClient?: ClientActivity[]
}

export interface ReportDns {
  queries: number
  answered: number
  unanswered: number
  resolvers: ResolverSummary[]
  /** name -> addresses from answers, first seen first (at most MAX_REPORT_BINDINGS). */
  bindings: Array<{ name: string; addresses: string[]; firstTs: string | null; frame: number; file: string }>
  bindingsTotal: number
}

export interface NtpServerSummary {
  server: string
  phase: string
  clients: string[]
  requests: number
  replies: number
  modes: number[]
  strata: number[]
  firstTs: string | null
  lastTs: string | null
  // ---- additions ----
  /** Per client, in `clients` order (as ResolverSummary.byClient). */
  byClient?: ClientActivity[]
}

export interface ReportNtp {
  exchanges: number
  servers: NtpServerSummary[]
}

export interface BgpSessionSummary {
  a: string
  b: string
  asns: number[]
  established: boolean
  opens: number
  updates: number
  keepalives: number
  notifications: Array<{ from: string; code: number; subcode: number; text: string | null; ts: string | null; frame: number }>
  reset: boolean
  firstTs: string | null
  lastTs: string | null
  file: string
}

export interface RouteHistoryEntry {
  prefix: string
  peer: string
  nextHop: string | null
  asPath: number[]
  announcedTs: string | null
  announcedFrame: number | null
  withdrawnTs: string | null
  withdrawnFrame: number | null
  file: string
}

export interface ReportBgp {
  sessions: BgpSessionSummary[]
  routes: RouteHistoryEntry[]
  /** Expected VIPs (policy) and whether each was announced, withdrawn, or missing at the end of the capture. */
  vips: Array<{ vip: string; state: 'announced' | 'withdrawn' | 'missing' | 'covered'; prefix: string | null }>
}

export interface ReportVxlan {
  vnis: number[]
  pairs: Array<{ kind: string; outerSrc: string; outerDst: string; vni: number | null; packets: number; fragmented: number; firstTs: string | null; file: string; frame: number }>
}

export interface ReportEndpoint {
  name: string
  purpose: string
  required: boolean
  ports: number[]
  state: string
  addresses: string[]
}

export interface ReportPhase {
  deploymentComplete: string | null
  source: 'policy' | 'detected' | 'none'
  evidence: string[]
  // ---- additions ----
  graceSeconds: number
}

export interface Report {
  schema: typeof REPORT_SCHEMA
  tool: { name: 'hubcap'; version: string }
  generatedAt?: string
  policy: { file: string; name: string | null; sha256: string } | null
  captures: ReportCapture[]
  decode: ReportDecode
  flows: ReportFlows
  dns: ReportDns
  ntp: ReportNtp
  bgp: ReportBgp
  vxlan: ReportVxlan
  endpoints: { cloud: string | null; items: ReportEndpoint[] }
  phase: ReportPhase
  rules: RuleResult[]
  findings: Finding[]
  verdict: Verdict
  // ---- additions ----
  /** Findings that allow entries suppressed, with the entry's reason. */
  suppressed: SuppressedFinding[]
  /** Observations not kept because a list reached its bound (the analysis is partial there). */
  observationsDropped: Record<string, number>
}

export type { Finding, RuleResult, Severity, Verdict }
