/**
 * Reading a rendered Markdown report back the way a GFM renderer splits it: sections by `## `
 * heading, tables into cells (a `|` preceded by an odd number of backslashes is escaped and does
 * not end a cell), inline code spans found by their fences. For the markdown and escaping tests.
 */

/** The body of `## title` up to the next `## ` heading. */
export function section(doc: string, title: string): string {
  const lines = doc.split('\n')
  const start = lines.indexOf(`## ${title}`)
  if (start < 0) throw new Error(`no section "${title}"`)
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '))
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n')
}

/** The `## ` headings in document order. */
export function sections(doc: string): string[] {
  return doc.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3))
}

/** A table row's cells, trimmed, split on unescaped pipes. */
export function cells(row: string): string[] {
  const out: string[] = []
  let cur = ''
  let backslashes = 0
  for (const ch of row) {
    if (ch === '|' && backslashes % 2 === 0) { out.push(cur); cur = ''; backslashes = 0; continue }
    backslashes = ch === '\\' ? backslashes + 1 : 0
    cur += ch
  }
  out.push(cur)
  // A row starts and ends with a pipe: drop the empty outer pieces.
  return out.slice(1, -1).map((c) => c.trim())
}

export interface MdTable { head: string[]; rows: string[][]; lines: string[] }

/** Every table of a text: a `|` line followed by a delimiter row, then its `|` lines. */
export function tables(text: string): MdTable[] {
  const lines = text.split('\n')
  const found: MdTable[] = []
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.startsWith('|') || !/^\|( --- \|)+$/.test(lines[i + 1]!)) continue
    const body: string[] = []
    let j = i + 2
    while (j < lines.length && lines[j]!.startsWith('|')) body.push(lines[j++]!)
    found.push({ head: cells(lines[i]!), rows: body.map(cells), lines: [lines[i]!, lines[i + 1]!, ...body] })
    i = j - 1
  }
  return found
}

/** The table of a text whose header starts with `first`. */
export function table(text: string, first: string): MdTable {
  const t = tables(text).find((x) => x.head[0] === first)
  if (!t) throw new Error(`no table headed "${first}"`)
  return t
}

/** The text with every inline code span removed (an unescaped backtick run closed by a run of the same length). */
export function withoutCodeSpans(text: string): string {
  return text.replace(/(?<![`\\])(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, '')
}

/** The contents of the inline code spans of a line, one space of padding stripped as CommonMark does. */
export function codeSpans(line: string): string[] {
  return [...line.matchAll(/(?<![`\\])(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)].map((m) => {
    const body = m[2]!
    return body.length > 1 && body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '' ? body.slice(1, -1) : body
  })
}
