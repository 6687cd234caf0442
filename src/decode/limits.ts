/**
 * Every bound hubcap places on untrusted input, in one place, each with its reason.
 * A capture can hold anything; these keep time and memory per packet and per
 * capture bounded however hostile the bytes are.
 */

/** Bytes in one captured record. Larger records are impossible from real NICs even with jumbo frames
 *  and GSO (64 KiB) and are what a corrupt length field looks like; libpcap uses 256 KiB as its maximum snaplen. */
export const MAX_RECORD_BYTES = 256 * 1024

/** pcapng blocks other than packets (options, name resolution, custom blocks) are skipped by length, but a
 *  block larger than this is a corrupt length field, not data: 16 MiB is far above any real NRB or custom block. */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024

/** Layers decoded per frame, tunnels included: a hard stop on any dispatch loop. */
export const MAX_LAYERS = 64

/** VLAN tags per frame. QinQ is 2 and some carrier networks stack a third; Wireshark decodes any depth,
 *  but beyond 8 tags a frame is crafted, and every tag costs a loop iteration. */
export const MAX_VLAN_TAGS = 8

/** MPLS labels in one stack. Real networks use 2-4 (transport, VPN, entropy labels); 16 is generous
 *  and stops a crafted frame of endless non-bottom entries. */
export const MAX_MPLS_LABELS = 16

/** IPv4 options per header: at most 40 option bytes, so 40 one-byte NOPs. */
export const MAX_IPV4_OPTIONS = 40

/** IPv6 extension headers walked per packet. RFC 8200 expects a handful, but the packet length already
 *  bounds the walk (8 bytes each at least), and Wireshark walks libpcap's 100-header test chain to UDP;
 *  256 agrees with it there and still stops a 64 KiB packet of 8192 empty headers early. */
export const MAX_IPV6_EXT_HEADERS = 256

/** TCP options per header: at most 40 option bytes, so 40 one-byte NOPs. */
export const MAX_TCP_OPTIONS = 40

/** BGP path attributes per UPDATE. Each attribute type may appear once (RFC 4271 §5; RFC 7606 §3 (g) discards
 *  repeats) and the type is one byte, so a real UPDATE has at most 256 and usually 4-12; a 65535-byte extended
 *  message could otherwise hold 21845 empty attributes. */
export const MAX_BGP_ATTRIBUTES = 256

/** Prefixes per BGP message (withdrawn, NLRI and MP_REACH/MP_UNREACH together). An extended message (RFC 8654,
 *  65535 bytes) filled with /24s holds 16383 of them; more means prefixes of /0-/8 repeated, which no router
 *  sends, and each prefix costs an object and a string. */
export const MAX_BGP_PREFIXES = 16384

/** AS_PATH / AS4_PATH segments per attribute. Real paths have 1-3 (a sequence, sometimes a set or a
 *  confederation segment); a crafted 64 KiB attribute could hold 32767 empty ones. */
export const MAX_BGP_AS_PATH_SEGMENTS = 128

/** ASNs per AS_PATH / AS4_PATH. The longest paths seen on the Internet are a few hundred ASNs (prepending
 *  incidents, e.g. AS47868's path of about 250 in 2009); a 4096-byte UPDATE holds at most about 2030 2-octet
 *  ASNs, so this only stops extended messages built to be walked. */
export const MAX_BGP_AS_PATH_ASNS = 2048

/** Capabilities per BGP OPEN. A standard OPEN has 255 bytes of optional parameters, so at most 127 two-byte
 *  capabilities; RFC 9072's extended length allows 32767. Real speakers send 5-20. */
export const MAX_BGP_CAPABILITIES = 256

/** MPLS labels per labeled-unicast / VPN prefix (RFC 8277). The prefix length byte counts the labels' bits too
 *  and is at most 255, so no more than 10 labels of 24 bits fit; a stack without a bottom-of-stack bit stops here. */
export const MAX_BGP_LABELS = 10

/** Nested tunnels and quoted ICMP headers to decapsulate (VXLAN in VXLAN ...). Zeek's Tunnel::max_depth is 2
 *  by default; 4 covers Geneve/GRE/ERSPAN carrying VXLAN plus one more level, as seen in real captures. */
export const MAX_TUNNEL_DEPTH = 4

/** IP datagrams being reassembled at once (IPv4 and IPv6 together). Linux bounds fragment memory
 *  (ipfrag_high_thresh, 4 MiB); we bound the count and the bytes. The oldest incomplete datagram is dropped. */
export const MAX_FRAGMENT_DATAGRAMS = 1024

/** Bytes held for all incomplete datagrams together (Linux's default ipfrag_high_thresh is 4 MiB). */
export const MAX_FRAGMENT_BYTES = 8 * 1024 * 1024

/** Largest reassembled datagram: the IPv4/IPv6 length fields allow 65535 bytes of payload. */
export const MAX_DATAGRAM_BYTES = 65535

/** Fragments per datagram: a 64 KiB datagram in 8-byte fragments is 8192; more is an attack. */
export const MAX_FRAGMENTS_PER_DATAGRAM = 8192

/** Seconds an incomplete datagram is kept (Linux ipfrag_time is 30 s; RFC 791 suggests 15 s at least). */
export const FRAGMENT_TIMEOUT_SECONDS = 30

/** Interfaces (pcapng IDBs) per capture file, all sections together. Real captures have a handful, merged
 *  ones a few hundred; each IDB is 20 bytes, so without a bound a hostile file grows the interface table
 *  (and the report listing it) without end. Past this the rest of the file is not read. */
export const MAX_INTERFACES = 4096

/** Warnings kept per capture file. Most capture warnings stop the reading, but a few (a bad IDB option) do
 *  not, and a hostile file could repeat them per block; the rest are counted in one closing warning. */
export const MAX_CAPTURE_WARNINGS = 100

/** Distinct unknown pcapng block types counted by name in a capture's skippedBlocks; more are counted
 *  together as "other", so a file of random block types cannot grow that table without end. */
export const MAX_SKIPPED_BLOCK_TYPES = 32

/** NTP extension fields (RFC 7822) walked per message. NTS (RFC 8915) sends the most: a unique identifier,
 *  a cookie, up to 7 cookie placeholders and an authenticator, so about 10; 32 is generous, and each field is
 *  at least 16 bytes, so the walk of a 64 KiB datagram would otherwise take up to 4093 steps. */
export const MAX_NTP_EXTENSION_FIELDS = 32

/** Compression pointers followed per DNS name. We accept only pointers to bytes before the label sequence they
 *  end, so a name cannot loop, but a chain of pointers to pointers is still possible and costs a step each
 *  without adding a label. Compressors point at a suffix written earlier, one jump per suffix reused, so a real
 *  chain is at most a few long (tshark decodes the 6-jump chain of dns-max-compression-depth-7-answers.pcap;
 *  Go's dnsmessage stops at 10); 32 leaves room for deep ip6.arpa names built suffix by suffix. */
export const MAX_DNS_POINTER_JUMPS = 32

/** Questions decoded per DNS message. Unicast DNS asks one (RFC 9619 makes QDCOUNT > 1 an error for QUERY);
 *  mDNS queries ask several, a few dozen at most. Each question can be a 6-byte pointer to a 255-octet name, so
 *  without a bound a 64 KiB message makes 10922 names of up to 253 characters. */
export const MAX_DNS_QUESTIONS = 256

/** Records decoded per DNS section (answer, authority, additional). A 4096-byte EDNS response holds at most about
 *  250 real records; a 65535-byte TCP message (a zone transfer) about 2000 of ~30 bytes. Only crafted records
 *  (root owner, no RDATA: 11 bytes) come near the 5956 that fit, and each costs a record and a string. */
export const MAX_DNS_RECORDS_PER_SECTION = 2048

/** EDNS options decoded per OPT record. Real messages carry 1-4 (COOKIE, client subnet, keepalive, padding,
 *  NSID); the option walk of a 65535-byte RDATA could otherwise take 16383 steps. */
export const MAX_DNS_EDNS_OPTIONS = 32

/** Bytes of handshake messages held per TLS direction while a message is incomplete. The largest message
 *  seen in the clear is a TLS 1.2 Certificate with a long chain (typically 3-6 KiB, rarely above 30 KiB);
 *  RFC 8446 allows 2^24-1 bytes, which would let one stream pin 16 MiB. A larger message is skipped by its
 *  length (and counted), so the messages after it are still found. */
export const MAX_TLS_HANDSHAKE_BYTES = 64 * 1024

/** Bytes in one TLS record's fragment: RFC 5246 §6.2.3 allows TLSCiphertext up to 2^14 + 2048; a larger
 *  length field is not TLS (or a corrupt stream), and is how a non-TLS byte stream on port 443 is recognised. */
export const MAX_TLS_RECORD_BYTES = 16384 + 2048

/** Extensions walked per ClientHello/ServerHello. Browsers send about 15-20 (GREASE included); the
 *  16-bit extensions length already bounds the walk to 16383 empty extensions, which this cuts short. */
export const MAX_TLS_EXTENSIONS = 128

/** ALPN protocol names kept per ClientHello. Browsers offer 2-3 (h2, http/1.1), gRPC and DoT a few more. */
export const MAX_TLS_ALPN_PROTOCOLS = 16

/** Attributes (AttributeTypeAndValue) walked per X.509 Name when looking for the commonName. Real issuer and
 *  subject names hold 3-8 (C, ST, L, O, OU, CN); past this a Name is crafted. */
export const MAX_X509_NAME_ATTRIBUTES = 64

/** Bytes of an HTTP/1.x header block (start line + header fields + blank line). Node's default
 *  --max-http-header-size is 16 KiB and nginx's large_client_header_buffers are 4 x 8 KiB; 32 KiB covers
 *  both. A block that has not ended by then is decoded up to the bound and reported as cut. */
export const MAX_HTTP_HEADER_BYTES = 32 * 1024

/** Header fields read per HTTP message: Apache httpd's LimitRequestFields default. More are skipped (the
 *  block is still framed to its end). */
export const MAX_HTTP_HEADERS = 100

/** Characters in an HTTP method token. The longest registered method (IANA HTTP Method Registry) is
 *  UPDATEREDIRECTREF, 17; a longer "method" is a byte stream that is not HTTP. */
export const MAX_HTTP_METHOD_LEN = 32

/** Out-of-order payload bytes held per TCP direction while a hole waits to be filled (src/flow/reassembly.ts).
 *  A lost segment is retransmitted within about one round trip, during which the sender can send at most
 *  one receive window: 64 KiB unscaled, and rarely more than a few hundred KiB on the paths we analyse. A hole
 *  with 256 KiB queued behind it is capture loss, not reordering, so it is skipped (counted as missed bytes).
 *  Snort's stream5 queues up to 1 MiB per session (max_queued_bytes); ours counts only the bytes past a hole. */
export const MAX_TCP_OOO_BYTES = 256 * 1024

/** Out-of-order segments held per TCP direction: 256 KiB of full-size segments is about 180, and a flood of
 *  tiny segments must not make every insertion walk a long list (Snort's max_queued_segs default is 2621). */
export const MAX_TCP_OOO_SEGMENTS = 1024

/** In-order bytes delivered but not yet consumed by the application decoder, per TCP direction. The largest
 *  message we parse is a 65535-byte BGP extended message (RFC 8654) or DNS-over-TCP message; TLS records are
 *  at most 18 KiB and HTTP header blocks are cut at tens of KiB by real servers. A decoder that leaves 1 MiB
 *  unconsumed is not parsing (wrong protocol on the port): further bytes are dropped and counted. Suricata's
 *  default stream.reassembly.depth is also 1 MiB (there a total per stream, here a buffer size). */
export const MAX_TCP_STREAM_BYTES = 1024 * 1024

/** Default budget shared by all TCP streams of one analyzer (buffered, out-of-order and per-segment overhead
 *  together), so 10 000 connections cannot hold 10 000 x 1.25 MiB. Suricata's compiled-in default
 *  stream.reassembly.memcap is 64 MiB. */
export const MAX_TCP_REASSEMBLY_BYTES = 64 * 1024 * 1024

/** Flows remembered as "not the protocol their port suggests" (reported once each). Beyond this the
 *  oldest is forgotten and may be reported once more: a bounded cost for a port scan across 53/123. */
export const MAX_VIOLATION_FLOWS = 4096

/** TCP connections followed at once for application reassembly (BGP, DNS, TLS, HTTP). Only connections on
 *  those ports or starting with TLS/HTTP bytes are followed; beyond this the oldest is dropped (counted).
 *  Memory is bounded by MAX_TCP_REASSEMBLY_BYTES anyway; this bounds the table's own overhead. */
export const MAX_TCP_CONNECTIONS = 65536

/** Live flows of a run, shared by its workers (engine/shard.ts flowsPerShard: each of N workers holds 1/N).
 *  Beyond this the flow with the oldest last packet is ended early (counted as evicted). A live flow costs
 *  about 400 bytes in the table (measured, see src/flow/table.ts; ~650 B in RSS with its strings), so 1 M
 *  flows are 400-650 MB whatever the worker count: far above the 10-100 k concurrent flows of a border link.
 *  Zeek and Suricata bound their tables the same way (Suricata's flow.memcap, 32 MiB by default, then
 *  emergency eviction). */
export const MAX_FLOWS = 1_000_000

/** Old-generation heap of each worker thread, MB (Worker resourceLimits.maxOldGenerationSizeMb). Without a
 *  limit V8 sizes every isolate from the machine's memory (about 4 GB each here) and lets garbage pile up
 *  towards it before a full collection: a 10 M-flow flood peaked at 4.2 GB with two workers whose live data
 *  is a fraction of that. The live data of a worker is bounded by the limits in this file and
 *  observe/limits.ts (its share of MAX_FLOWS, the kept flow records, MAX_TCP_REASSEMBLY_BYTES, the
 *  observation tables: under 1.1 GB with every one of them full at once, estimated), so this only makes V8
 *  collect sooner. A node --max-old-space-size (flag or NODE_OPTIONS) replaces it. */
export const WORKER_HEAP_MB = 1536

/** Flows in a report's top list (`--top N`): the list is a heap of N records, so N is memory. */
export const MAX_TOP_FLOWS = 100_000

/** Rows of the flows table when `--top` is not given. */
export const DEFAULT_TABLE_ROWS = 20

/** Flow records kept for `hubcap flows --format ndjson|csv` (FlowTracker keepAll): meant for small captures.
 *  A record with its strings is about 1.2 KB (measured, bench/flow-table.ts --memory), so 100 000 are about
 *  120 MB; past this the first ones in output order are kept (by bytes, a deterministic cut) and the summary
 *  says the list is incomplete (allComplete: false). */
export const MAX_KEPT_FLOWS = 100_000

/** Ended flow records waiting in a FlowTracker's finished sink until the caller drains them (opts.collect). Past
 *  this further records are dropped and counted: a caller that never drains cannot grow memory. */
export const MAX_FINISHED_FLOWS = 65_536
