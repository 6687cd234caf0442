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
