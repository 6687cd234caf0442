/**
 * Bounds of the observation builder (builder.ts) and of the merge (merge.ts), each with its reason.
 * Observations are kept for the whole capture, so every list grows with the input; past a bound
 * the later entries (in capture order) are dropped and counted in `Observations.dropped[list]`,
 * never silently. The merge applies the same bounds to the joined lists.
 *
 * Sizes: an observation with its strings is 200-600 bytes, so the bounds below keep a worker's
 * observations within a few hundred MB even when every list is full.
 */

/** Frames cited per finding (contract: "frames[] ... at most 20, first ones"): more would never be shown. */
export const MAX_EVIDENCE_FRAMES = 20

/** Flow records kept (the tracker's MAX_KEPT_FLOWS, for the same reason: ~1.2 KB each, 120 MB at the bound). */
export const MAX_KEPT_FLOW_RECORDS = 100_000

/** DNS transactions. A busy resolver client asks a few queries a second; 200 000 is hours of a whole
 *  deployment's DNS at the border, about 100 MB. */
export const MAX_DNS_TRANSACTIONS = 200_000

/** Query keys waiting for (or recently given) an answer. Answers come within seconds; 65 536 outstanding
 *  queries is far beyond any real client population, and a flood of unanswered queries must not grow
 *  the table without end. The oldest key is forgotten first; one still unanswered counts as dropped. */
export const MAX_DNS_PENDING = 65_536

/** Distinct (name, address) bindings. A deployment resolves a few hundred names; CDNs rotate addresses. */
export const MAX_DNS_BINDINGS = 100_000

/** Responses without a query (capture started late, asymmetric path). Few in a sane capture; a
 *  reflection flood would be millions, and 20 000 are plenty to show it. */
export const MAX_DNS_ORPHANS = 20_000

/** Answer records kept per response (DnsResponse.answers). Real answers hold 1-20 records; a crafted
 *  message may hold 2048 per section (decode limits) and we would copy them all into every transaction. */
export const MAX_DNS_ANSWERS = 64

/** NTP exchanges. A client polls every 64-1024 s; 100 000 exchanges is days of a whole stamp's NTP. */
export const MAX_NTP_EXCHANGES = 100_000

/** Client/server pairs with requests waiting for a reply. The oldest pair is forgotten first. */
export const MAX_NTP_PENDING_PAIRS = 16_384

/** Requests waiting per pair: a reply answers the oldest, so a pair that never answers holds only the
 *  latest few (older ones stay in the list, unanswered, as they were). */
export const MAX_NTP_PENDING_PER_PAIR = 16

/** BGP TCP connections. A border switch has a handful of peers; a reconnect loop makes a new
 *  connection per attempt, and 4096 attempts shows the loop well enough. */
export const MAX_BGP_SESSIONS = 4096

/** OPENs and NOTIFICATIONs kept per connection (each): a connection carries one OPEN per side and at most
 *  one NOTIFICATION per side before it closes; more is a crafted or broken stream. */
export const MAX_BGP_MESSAGES_PER_SESSION = 64

/** Route events (one per announced or withdrawn prefix). A TOR announces tens of /32 VIPs and a border
 *  may send a default or a few aggregates; a full table (1 M prefixes) would not fit, and is not what
 *  the rules look at. */
export const MAX_ROUTE_EVENTS = 500_000

/** TLS ClientHellos. Each is one TCP connection; 100 000 is hours of a busy border. */
export const MAX_TLS = 100_000

/** ClientHellos waiting for the server's certificate. TLS 1.3 never shows it, so entries stay until the
 *  oldest is forgotten; no observation is lost with them. */
export const MAX_TLS_PENDING_CERTS = 16_384

/** HTTP request lines. Cleartext HTTP at the border is rare (CRL/OCSP fetches, proxies). */
export const MAX_HTTP = 100_000

/** Distinct tunnel aggregates (kind, outer pair, VNI, flags, inner pair, file). One per tenant
 *  conversation inside the underlay; 50 000 covers a large host's tenant flows. */
export const MAX_TUNNELS = 50_000

/** ICMP errors. Each is one frame; an MTU problem or a scan produces thousands, and 50 000 show it. */
export const MAX_ICMP_ERRORS = 50_000
