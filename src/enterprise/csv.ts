/**
 * Enterprise figures from CSV (RFC 4180), and results to CSV that Excel opens correctly. Pure: text in, data out.
 * @module enterprise/csv
 */
import type { Rulebook } from '../rulebook/compile.ts'
import { ZONE_INPUT } from '../rulebook/schema.ts'
import { creditCodeProblem } from './credit-code.ts'
import type { Enterprise } from './enterprise.ts'
import { plotConflicts } from './plots.ts'

export interface CsvProblem {
  /** 1-based row as a spreadsheet shows it (the header is row 1). */
  row: number
  column?: string
  message: string
}

/**
 * Decodes a CSV file's bytes: UTF-8 (with or without BOM) when they are valid UTF-8, otherwise GBK, which is how
 * Excel on a Chinese Windows saves "CSV".
 */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gbk' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' }
  } catch {
    return { text: new TextDecoder('gbk').decode(bytes), encoding: 'gbk' }
  }
}

/** Splits CSV text into rows of cells; handles quotes, doubled quotes, CRLF and a leading BOM. */
export function parseCsv(text: string): string[][] {
  return [...csvRows(text)]
}

const COMMA = 44
const LF = 10
const CR = 13
const QUOTE = 34

/**
 * The rows of CSV text one at a time (a million-row file is never held as cells all at once); blank rows are
 * skipped. A cell is quoted only when it starts with a quote; unquoted cells are sliced, not built by character.
 */
export function* csvRows(text: string): Generator<string[]> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  const n = text.length
  let row: string[] = []
  while (i < n) {
    let cell: string
    if (text.charCodeAt(i) === QUOTE) {
      cell = ''
      i++
      for (;;) {
        const q = text.indexOf('"', i)
        if (q < 0) {
          cell += text.slice(i)
          i = n
          break
        }
        cell += text.slice(i, q)
        if (text.charCodeAt(q + 1) === QUOTE) {
          cell += '"'
          i = q + 2
        } else {
          i = q + 1
          break
        }
      }
      // Anything after the closing quote up to the separator belongs to the cell, as before.
      const start = i
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c === COMMA || c === LF || c === CR) break
        i++
      }
      cell += text.slice(start, i)
    } else {
      const start = i
      while (i < n) {
        const c = text.charCodeAt(i)
        if (c === COMMA || c === LF || c === CR) break
        i++
      }
      cell = text.slice(start, i)
    }
    row.push(cell)
    if (i >= n) break
    const c = text.charCodeAt(i)
    i++
    if (c === COMMA) {
      // A separator at the very end: the row ends with an empty cell.
      if (i >= n) row.push('')
      continue
    }
    if (c === CR && text.charCodeAt(i) === LF) i++
    if (!(row.length === 1 && row[0].trim() === '')) yield row
    row = []
  }
  if (row.length > 0 && !(row.length === 1 && row[0].trim() === '')) yield row
}

/** Header names accepted for the identity columns, English or Chinese. */
const IDENTITY: Record<string, 'credit_code' | 'name' | 'county_code' | 'industry_code'> = {
  credit_code: 'credit_code',
  统一社会信用代码: 'credit_code',
  name: 'name',
  企业名称: 'name',
  county_code: 'county_code',
  县市区代码: 'county_code',
  industry_code: 'industry_code',
  行业代码: 'industry_code',
}

const NUMBER = /^-?[\d,]*\.?\d+(e[+-]?\d+)?$/i
const TRUE = new Set(['true', '1', 'yes', 'y', '是'])
const FALSE = new Set(['false', '0', 'no', 'n', '否'])

export interface ParsedEnterprises {
  enterprises: (Enterprise & { row: number })[]
  problems: CsvProblem[]
  /** The header each input was read from, where it is not the input's id (e.g. its Chinese label). */
  headers?: Map<string, string>
}

/**
 * Reads enterprises from CSV: identity columns plus one column per rulebook input (by id or by its Chinese label).
 * Every bad cell is reported with its row and column; good rows are returned regardless.
 */
export function parseEnterprisesCsv(text: string, rulebook: Rulebook): ParsedEnterprises {
  const rows = csvRows(text)
  const problems: CsvProblem[] = []
  const first = rows.next()
  if (first.done) return { enterprises: [], problems: [{ row: 1, message: 'the file is empty' }] }
  const header = first.value.map((h) => h.trim())
  const byLabel = new Map(rulebook.inputs.map((i) => [i.label, i.id]))
  const columns = header.map((h) => IDENTITY[h] ?? (rulebook.inputById.has(h) ? h : byLabel.get(h)))
  header.forEach((h, i) => {
    if (!columns[i])
      problems.push({
        row: 1,
        column: h,
        message: `unknown column '${h}' (not an identity column or a rulebook input)`,
      })
  })
  for (const need of ['credit_code', 'name', 'county_code', 'industry_code']) {
    if (!columns.includes(need as never))
      problems.push({ row: 1, column: need, message: `missing column '${need}'` })
  }
  if (problems.length > 0) return { enterprises: [], problems }
  const enterprises: ParsedEnterprises['enterprises'] = []
  const seen = new Map<string, number>()
  let rowNo = 1
  for (const cells of rows) {
    rowNo++
    const before = problems.length
    if (cells.length !== header.length) {
      problems.push({
        row: rowNo,
        message: `has ${cells.length} cells, the header has ${header.length}`,
      })
      continue
    }
    const e: Enterprise & { row: number } = {
      creditCode: '',
      name: '',
      county: '',
      industryCode: '',
      figures: {},
      row: rowNo,
    }
    cells.forEach((raw, i) => {
      const col = columns[i]!
      const v = raw.trim()
      if (col === 'credit_code') {
        const p = creditCodeProblem(v)
        if (p) problems.push({ row: rowNo, column: header[i], message: p })
        e.creditCode = v
      } else if (col === 'name') e.name = v
      else if (col === 'county_code') {
        if (!rulebook.meta.counties.some((c) => c.code === v))
          problems.push({ row: rowNo, column: header[i], message: `unknown county code '${v}'` })
        e.county = v
      } else if (col === 'industry_code') {
        if (!/^[A-Z]?\d{2,4}$/.test(v))
          problems.push({
            row: rowNo,
            column: header[i],
            message: `industry code '${v}' is not a GB/T 4754 code`,
          })
        e.industryCode = v
      } else {
        if (v === '') return
        const cell = parseFigureCell(rulebook.inputById.get(col)!, v, rulebook)
        if ('message' in cell)
          problems.push({ row: rowNo, column: header[i], message: cell.message })
        else e.figures[col] = cell.value
      }
    })
    repeatedCode(seen, e.creditCode, rowNo, 'credit_code', problems)
    if (problems.length === before) enterprises.push(e)
  }
  const headers = new Map<string, string>()
  header.forEach((h, i) => {
    const id = columns[i]
    if (id && id !== h && rulebook.inputById.has(id)) headers.set(id, h)
  })
  // Tenants of one plot give its area once each: rows that disagree are refused, every one of them.
  const conflicts = plotConflicts(rulebook, enterprises, (input) => headers.get(input) ?? input)
  if (conflicts.problems.length === 0) return { enterprises, problems, headers }
  problems.push(...conflicts.problems)
  problems.sort((a, b) => a.row - b.row)
  return { enterprises: enterprises.filter((e) => !conflicts.rows.has(e.row)), problems, headers }
}

/** A credit code a file already gave in an earlier row is a problem of this row; a first one is remembered. */
export function repeatedCode(
  seen: Map<string, number>,
  code: string,
  row: number,
  column: string | undefined,
  problems: CsvProblem[],
): void {
  const first = seen.get(code)
  if (first)
    problems.push({ row, column, message: `credit code ${code} already appears in row ${first}` })
  else seen.set(code, row)
}
/** One figure's cell, trimmed and not blank, read as its input's type: the value, or what is wrong with it. */
export function parseFigureCell(
  input: Rulebook['inputs'][number],
  v: string,
  /** Given, a `zone` cell must name one of its zones. */
  rulebook?: Rulebook,
): { value: number | boolean | string } | { message: string } {
  if (input.type === 'number') {
    // Thousands separators are dropped only when there are any (a million rows of plain numbers skip it).
    const n = Number(v.includes(',') ? v.replace(/,/g, '') : v)
    if (!NUMBER.test(v) || !Number.isFinite(n)) return { message: `'${v}' is not a number` }
    if (input.min !== undefined && n < input.min)
      return { message: `${input.id} must be at least ${input.min}, got ${v}` }
    return { value: n }
  }
  if (input.type === 'flag') {
    const low = v.toLowerCase()
    if (TRUE.has(low)) return { value: true }
    if (FALSE.has(low)) return { value: false }
    return { message: `'${v}' is not a flag (true/false, 1/0, 是/否)` }
  }
  if (input.type === 'text') {
    if (v.length > 64) return { message: `${input.id} is at most 64 characters, got ${v.length}` }
    const zones = input.id === ZONE_INPUT ? (rulebook?.meta.zones ?? []) : []
    if (zones.length > 0 && !zones.some((z) => z.id === v))
      return {
        message: `unknown zone '${v}' (zones: ${zones.map((z) => `${z.id} ${z.name}`).join(', ')})`,
      }
    return { value: v }
  }
  if (!input.values!.includes(v))
    return { message: `'${v}' is not one of ${input.values!.join(', ')}` }
  return { value: v }
}

/**
 * A CSV cell: quoted when needed, and any cell a spreadsheet could read as a formula prefixed with ' so it never
 * runs: one starting with = + - @, also behind leading blanks, control or zero-width characters (which spreadsheets
 * skip), or starting with a tab or CR itself. Plain numbers are left as they are.
 */
export function csvCell(value: unknown): string {
  if (value === '' || value === null || value === undefined) return ''
  let s = String(value)
  // A cell starting with a letter or digit cannot read as a formula (a billing file writes millions of them).
  const first = s.charCodeAt(0)
  const plain = (first >= 48 && first <= 57) || ((first | 32) >= 97 && (first | 32) <= 122)
  if (!plain && FORMULA_LIKE.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

// Blanks, control and zero-width characters a spreadsheet skips before reading a cell as a formula.
const SKIPPED = '\\s\\u0000-\\u001f\\u007f\\u00a0\\u200b-\\u200f\\u2028-\\u202f\\u2060\\ufeff'
const FORMULA_LIKE = new RegExp(`^[${SKIPPED}]*[=+\\-@]|^[\\t\\r]`)

/** Rows to CSV text with a UTF-8 BOM and CRLF line ends, as Excel expects. */
export function toCsv(header: string[], rows: unknown[][]): string {
  return `\ufeff${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`
}
