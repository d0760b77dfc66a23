// The one way user-controlled text (environment, table names, tags, engine notes, error text) enters
// Markdown: as an inline code span, which GitHub renders literally: no HTML, links, emphasis or @mentions.

const LINE_BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/**
 * `text` as one inline code span: a backtick fence longer than any backtick run inside, padded with
 * a space when the text starts or ends with a backtick or space (CommonMark strips one on each side).
 */
export function code(text: string): string {
  const line = text.replace(LINE_BREAKS, ' ')
  const longest = Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  if (line === '') return '` `'
  const pad = /^[` ]|[` ]$/.test(line) ? ' ' : ''
  return `${fence}${pad}${line}${pad}${fence}`
}

/** A table cell: GitHub splits cells on `|` even inside code spans unless it is escaped. */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, '\\|')
}

/**
 * `code` inside a table cell. A backslash right before a pipe would turn the pipe's escape into an
 * escaped backslash and end the cell, so it is shown as U+2216, which looks the same.
 */
export function codeCell(text: string): string {
  return cell(code(text.replace(/\\+(?=\|)/g, (run) => '\u2216'.repeat(run.length))))
}
