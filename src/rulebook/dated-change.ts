/**
 * A dated change of one rule item, the normal way a value changes: the item in force on the effective day is
 * closed that day (`to:`) and a copy opens from it (`from:`) with the new values and the document that set them.
 * Pure: rule file texts in, edited texts out (comments and layout kept); errors name the file, item and path.
 * @module rulebook/dated-change
 */
import { isMap, isScalar, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml'
import { MujunError } from '../errors.ts'
import type { RuleText } from './compile.ts'
import { DATED_SECTIONS } from './schema.ts'

export interface DatedChange {
  section: string
  id: string
  /** The first day of the new value (ISO date). */
  from: string
  /** Values to set, each at a path inside the item: `rates[class=D].rate`, `rates.1.rate`, `intensity.threshold`. */
  set: { path: string; value: string }[]
  /** The document (文号) that sets the new value: the new item's source. */
  document: string
  /** Why, kept as the new item's note. */
  note?: string
}

export class DatedChangeError extends MujunError {
  constructor(message: string) {
    super('RULE_CHANGE_INVALID', message, { status: 422 })
  }
}

/** Applies `change` to the city files `texts` and returns them with the one file it edits replaced. */
export function applyDatedChange(texts: RuleText[], change: DatedChange): RuleText[] {
  if (!(DATED_SECTIONS as readonly string[]).includes(change.section))
    throw new DatedChangeError(
      `section '${change.section}' has no dated items (one of ${DATED_SECTIONS.join(', ')})`,
    )
  if (change.set.length === 0) throw new DatedChangeError('give at least one value to set')
  const found: { file: number; seq: YAMLSeq; index: number }[] = []
  const docs = texts.map((t) => parseDocument(t.text))
  docs.forEach((doc, file) => {
    const seq = doc.get(change.section, true)
    if (!isSeq(seq)) return
    seq.items.forEach((item, index) => {
      if (!isMap(item)) return
      if (String(item.get('id')) !== change.id) return
      const from = String(item.get('from') ?? '')
      const to = item.get('to') === undefined ? undefined : String(item.get('to'))
      if (from <= change.from && (to === undefined || change.from < to))
        found.push({ file, seq: seq as YAMLSeq, index })
    })
  })
  if (found.length === 0)
    throw new DatedChangeError(
      `no ${change.section} item '${change.id}' is in force on ${change.from}: a dated change continues an item in force that day`,
    )
  if (found.length > 1)
    throw new DatedChangeError(
      `${found.length} ${change.section} items '${change.id}' are in force on ${change.from} (their rows differ by sector or county): edit the file instead`,
    )
  const { file, seq, index } = found[0]
  const src = texts[file].text
  const where = `${texts[file].path}: ${change.section} '${change.id}'`
  const old = seq.items[index] as YAMLMap
  // The file is edited as text around the one item, so every other line stays byte for byte as it was.
  const [start, , end] = old.range!
  const lineStart = src.lastIndexOf('\n', start - 1) + 1
  const keyIndent = start - lineStart
  let blockEnd = end
  while (blockEnd > start && /\s/.test(src[blockEnd - 1])) blockEnd--
  const copy = parseDocument(src.slice(lineStart, blockEnd))
  const item = (copy.contents as YAMLSeq).items[0] as YAMLMap
  const split = String(old.get('from')) !== change.from
  if (split) item.set('from', change.from)
  for (const { path, value } of change.set) setAt(item, path, value, where)
  // The new value is the document's, not an assumption.
  item.delete('assumed')
  item.set('source', copy.createNode({ document: change.document }, { flow: true }))
  if (change.note !== undefined) item.set('note', change.note)
  else item.delete('note')
  const dash = ' '.repeat(Math.max(0, keyIndent - 2))
  const newItem = copy
    .toString({ lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((line) => dash + line)
    .join('\n')
  let text: string
  if (!split) text = src.slice(0, lineStart) + newItem + src.slice(blockEnd)
  else {
    // Close the old item on the day: its `to:` set, or added right after its `from:` line.
    const toPair = old.items.find((p) => isScalar(p.key) && p.key.value === 'to')
    const fromPair = old.items.find((p) => isScalar(p.key) && p.key.value === 'from')
    let head = src.slice(0, blockEnd)
    if (toPair && isScalar(toPair.value)) {
      const [a, b] = toPair.value.range!
      head = head.slice(0, a) + change.from + head.slice(b)
    } else {
      const after = (fromPair!.value as { range: [number, number, number] }).range[1]
      const eol = head.indexOf('\n', after)
      const at = eol === -1 ? head.length : eol
      head = `${head.slice(0, at)}\n${' '.repeat(keyIndent)}to: ${change.from}${head.slice(at)}`
    }
    text = `${head}\n${newItem}${src.slice(blockEnd)}`
  }
  return texts.map((t, i) => (i === file ? { path: t.path, text } : t))
}

/** Sets the scalar at `path` inside `item`, keeping its type (a decimal string stays a string). */
function setAt(item: YAMLMap, path: string, value: string, where: string): void {
  const segments = path.split(/\.(?![^[]*\])/)
  let node: unknown = item
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]
    const m = /^([A-Za-z_][\w]*)((?:\[[^\]]*\])*)$/.exec(seg)
    const last = i === segments.length - 1
    if (/^\d+$/.test(seg)) {
      if (!isSeq(node))
        throw new DatedChangeError(
          `${where}: '${path}' indexes ${seg} into something that is not a list`,
        )
      if (Number(seg) >= node.items.length)
        throw new DatedChangeError(`${where}: '${path}': there is no row ${seg}`)
      if (last)
        throw new DatedChangeError(`${where}: '${path}' names a whole row; name a field in it`)
      node = node.items[Number(seg)]
      continue
    }
    if (!m || !isMap(node))
      throw new DatedChangeError(`${where}: '${path}' is not a path in the item (at '${seg}')`)
    const [, key, selectors] = m
    if (last && !selectors) {
      const current = node.get(key, true)
      if (current === undefined || !isScalar(current))
        throw new DatedChangeError(
          `${where}: '${path}' is not a value of the item (no '${key}' there)`,
        )
      if (typeof current.value === 'number') {
        const n = Number(value)
        if (!Number.isFinite(n))
          throw new DatedChangeError(`${where}: '${path}' is a number, got '${value}'`)
        current.value = n
      } else current.value = value
      return
    }
    let next: unknown = node.get(key, true)
    if (next === undefined)
      throw new DatedChangeError(`${where}: '${path}': the item has no '${key}'`)
    if (selectors) {
      if (!isSeq(next))
        throw new DatedChangeError(`${where}: '${path}': '${key}' is not a list of rows`)
      const wanted = [...selectors.matchAll(/\[([^\]=]+)=([^\]]*)\]/g)].map(
        (s) => [s[1].trim(), s[2].trim()] as const,
      )
      const rows = next.items.filter(
        (row) =>
          isMap(row) &&
          wanted.every(([k, v]) => (v === '' ? !row.has(k) : String(row.get(k)) === v)),
      )
      if (rows.length !== 1) {
        const list = next.items.map(
          (row, j) => `${key}.${j} = ${JSON.stringify(isMap(row) ? row.toJSON() : row)}`,
        )
        throw new DatedChangeError(
          `${where}: '${seg}' matches ${rows.length} rows; name one (e.g. ${key}[class=D][minConsecutiveYears=] for the row without that key, or by index): ${list.join('; ')}`,
        )
      }
      next = rows[0]
      if (last)
        throw new DatedChangeError(`${where}: '${path}' names a whole row; name a field in it`)
    }
    node = next
  }
}
