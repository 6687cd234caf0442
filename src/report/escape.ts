/**
 * All escaping of packet-derived text lives here. Captured bytes are hostile:
 * a DNS name or a file name can carry ANSI escape sequences that repaint or
 * hijack a terminal. Control characters become `\xNN` (Zeek's
 * get_escaped_string does the same), so the text stays readable and inert.
 */

// C0 controls, DEL, C1 controls, and the Unicode bidi overrides that can reorder what a terminal shows.
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Text safe to print on a terminal: control characters shown as `\xNN` / `\u{NNNN}`. */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, (c) => {
    const code = c.codePointAt(0)!
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
  })
}

// Markdown also treats the Unicode line and paragraph separators as line ends in some renderers.
const UNSAFE_FOR_MARKDOWN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g
// ASCII punctuation that can open structure inline: emphasis, code, links, HTML, entities, table
// cells, headings, strikethrough. Backslash-escaping is CommonMark's own way to make each literal.
const MARKDOWN_META = /[\\`*_[\]<>|#&~]/g
// A surrogate half without its partner: what invalid UTF-8 can leave behind after a lossy decode.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const visible = (c: string): string => {
  const code = c.codePointAt(0)!
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
}

/** U+FFFD for every lone surrogate, so the text encodes as UTF-8 the same way everywhere. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd')
}

/**
 * Captured text as literal Markdown (GFM) inline text, safe in a table cell, a list item or a
 * heading: metacharacters backslash-escaped (so `|` cannot end a cell and `<script>` is text),
 * control characters and newlines shown as `\xNN` (so a value stays on its line), a leading
 * list or setext marker (`- `, `+ `, `=`, `1. `) escaped (so a value at a line start stays text).
 */
export function forMarkdown(text: string): string {
  return wellFormed(text)
    .replace(MARKDOWN_META, (c) => `\\${c}`)
    .replace(UNSAFE_FOR_MARKDOWN, visible)
    // What makes a line a list item, a setext underline or an ordered list, should the value start
    // one ("192.0.2.1" and "-x" do not: a marker needs a space after it).
    .replace(/^([-+=])(?=\s|$)/, '\\$1')
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2')
}

/**
 * Text as a Markdown inline code span, for what must stay copyable as is (display filters): the
 * fence is one backtick longer than the longest backtick run inside, control characters and
 * newlines are shown as `\xNN`. Inside a code span nothing else is interpreted, so nothing else is
 * escaped. Not for GFM table cells: tables split on `|` even inside code spans (use forMarkdown).
 */
export function forMarkdownCode(text: string): string {
  const body = wellFormed(text).replace(UNSAFE_FOR_MARKDOWN, visible)
  let longest = 0
  for (const run of body.match(/`+/g) ?? []) longest = Math.max(longest, run.length)
  const fence = '`'.repeat(longest + 1)
  // CommonMark keeps an all-space span as is (an empty one cannot be written: one space stands in).
  if (/^ *$/.test(body)) return `${fence}${body || ' '}${fence}`
  // A space on each side keeps a backtick at either end from joining the fence; CommonMark strips
  // exactly one from each side again.
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ')) ? ' ' : ''
  return `${fence}${pad}${body}${pad}${fence}`
}

// HTML: the terminal's set plus the line and paragraph separators and the bidi marks (LRM, RLM,
// ALM), which reorder neighbouring text in a browser as the overrides do.
const UNSAFE_FOR_HTML = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029\u200e\u200f\u061c]/g
const HTML_META = /[&<>"']/g
const HTML_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * Captured text as literal HTML, safe as element text and inside a quoted attribute value: the
 * five metacharacters as entities (so `<script>` and `"onerror=` are text), control characters,
 * newlines, tabs and bidi overrides shown as `\xNN` / `\u{NNNN}` (so a value stays on its line and
 * in its order), lone surrogates as U+FFFD.
 */
export function forHtml(text: string): string {
  return wellFormed(text).replace(UNSAFE_FOR_HTML, visible).replace(HTML_META, (c) => HTML_ENTITY[c]!)
}
