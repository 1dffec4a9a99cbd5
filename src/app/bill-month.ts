/**
 * A billing month from meter readings: an upload (CSV or NDJSON) of one month's quantity per firm and resource,
 * keyed by credit code, checked whole first (a bad credit code, a firm not registered or out of scope, a negative
 * or malformed reading, an unknown resource, a firm-resource given twice: every one named by its line; then nothing
 * is billed), then billed as a run of single quotes for the month (app/billing), so each bill is the single quote.
 * @module app/bill-month
 */
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { csvRows } from '../enterprise/csv.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'
import { inScope } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'
import { monthDays } from './tier-export.ts'

/** One reading as read: its line in the upload, the firm, the resource id and the month's quantity. */
export interface Reading {
  line: number
  creditCode: string
  resource: string
  quantity: string
}

export interface ReadingProblem {
  line: number
  field?: string
  message: string
}

/** Column names of an upload, English or Chinese. */
const COLUMNS: Record<string, keyof Omit<Reading, 'line'>> = {
  credit_code: 'creditCode',
  creditCode: 'creditCode',
  统一社会信用代码: 'creditCode',
  resource: 'resource',
  资源: 'resource',
  quantity: 'quantity',
  reading: 'quantity',
  用量: 'quantity',
  读数: 'quantity',
}
const QUANTITY = /^\d{1,15}(\.\d{1,9})?$/
/** Problems listed at most (the count says how many in all). */
const MAX_LISTED = 1000

/** The readings of an upload, each with its line (1 is a CSV's header); lines that cannot be read are problems. */
export function parseReadings(
  text: string,
  format: 'csv' | 'ndjson',
): { readings: Reading[]; problems: ReadingProblem[] } {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/)
  const readings: Reading[] = []
  const problems: ReadingProblem[] = []
  let columns: (keyof Omit<Reading, 'line'> | undefined)[] | undefined
  lines.forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === '') return
    let fields: Record<string, unknown>
    if (format === 'ndjson') {
      try {
        const v = JSON.parse(raw) as unknown
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error()
        fields = v as Record<string, unknown>
      } catch {
        problems.push({ line, message: 'not a JSON object' })
        return
      }
      fields = Object.fromEntries(
        Object.entries(fields).flatMap(([k, v]) => (COLUMNS[k] ? [[COLUMNS[k], v]] : [])),
      )
    } else {
      const cells: string[] = csvRows(raw).next().value ?? []
      if (!columns) {
        const named = cells.map((h) => COLUMNS[h.trim()])
        columns = named
        for (const need of ['creditCode', 'resource', 'quantity'] as const)
          if (!named.includes(need))
            problems.push({
              line,
              message: `missing column ${need === 'creditCode' ? 'credit_code (统一社会信用代码)' : need === 'resource' ? 'resource (资源)' : 'quantity (用量)'}`,
            })
        return
      }
      fields = {}
      cells.forEach((c: string, k: number) => {
        const col = columns![k]
        if (col) fields[col] = c.trim()
      })
    }
    const str = (v: unknown) =>
      typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : ''
    readings.push({
      line,
      creditCode: str(fields.creditCode),
      resource: str(fields.resource),
      quantity: str(fields.quantity),
    })
  })
  if (format === 'csv' && !columns)
    problems.push({ line: 1, message: 'the upload is empty: no header' })
  return { readings, problems }
}

/**
 * Every problem of the readings: the credit code (malformed, not registered, outside `p`'s scope), the resource
 * (unknown; the rule's id or its label), the quantity (negative, not a decimal), and a firm-resource given twice.
 * Resources named by their label are turned into their ids.
 */
export function checkReadings(
  p: Principal,
  readings: Reading[],
  firms: Map<string, string>,
  resources: { id: string; label: string }[],
): ReadingProblem[] {
  const problems: ReadingProblem[] = []
  const ids = new Map<string, string>()
  for (const r of resources) {
    ids.set(r.id, r.id)
    ids.set(r.label, r.id)
  }
  const seen = new Map<string, number>()
  for (const r of readings) {
    const codeProblem = r.creditCode === '' ? 'no credit code' : creditCodeProblem(r.creditCode)
    const county = firms.get(r.creditCode)
    if (codeProblem) problems.push({ line: r.line, field: 'credit_code', message: codeProblem })
    else if (county === undefined || !inScope(p, { county, creditCode: r.creditCode }))
      problems.push({
        line: r.line,
        field: 'credit_code',
        message: `no registered enterprise ${r.creditCode}${county === undefined ? '' : ' within this token’s scope'}`,
      })
    const id = ids.get(r.resource)
    if (id === undefined)
      problems.push({
        line: r.line,
        field: 'resource',
        message: `unknown resource '${r.resource}': one of ${resources.map((x) => `${x.id} (${x.label})`).join(', ')}`,
      })
    else r.resource = id
    if (r.quantity.startsWith('-'))
      problems.push({ line: r.line, field: 'quantity', message: `negative reading ${r.quantity}` })
    else if (!QUANTITY.test(r.quantity))
      problems.push({
        line: r.line,
        field: 'quantity',
        message: `reading '${r.quantity}' is not a decimal (at most 15 digits before the point and 9 after)`,
      })
    const key = `${r.creditCode}|${r.resource}`
    const first = seen.get(key)
    if (first !== undefined)
      problems.push({
        line: r.line,
        message: `${r.creditCode} ${r.resource} is read again (first on line ${first}): one reading a firm and resource a month`,
      })
    else seen.set(key, r.line)
  }
  return problems
}

export interface FirmsStore {
  firmCounties(county?: string): { code: string; county: string }[]
  sync(): void
}

/**
 * Checks an upload for `month` whole; answers the quote requests of the month in upload order, or throws
 * READINGS_INVALID (422) naming every bad line (up to MAX_LISTED) and billing nothing.
 */
export function monthRequests(
  p: Principal | undefined,
  store: FirmsStore,
  rulebooks: Pick<RulebookService, 'active'>,
  month: string | undefined,
  text: string,
  format: 'csv' | 'ndjson',
): { month: string; from: string; to: string; requests: Reading[] } {
  const who = authorize(p, 'bills.run')
  const { first, next } = monthDays(month)
  store.sync()
  const { readings, problems } = parseReadings(text, format)
  const firms = new Map(store.firmCounties().map((f) => [f.code, f.county]))
  const resources = rulebooks.active().rulebook.meta.resources ?? []
  problems.push(...checkReadings(who, readings, firms, resources))
  problems.sort((a, b) => a.line - b.line)
  if (problems.length > 0)
    throw new MujunError(
      'READINGS_INVALID',
      `${problems.length} bad reading(s); nothing was billed: ${problems
        .slice(0, 3)
        .map((x) => `line ${x.line}${x.field ? ` (${x.field})` : ''}: ${x.message}`)
        .join('; ')}${problems.length > 3 ? '; …' : ''}`,
      {
        status: 422,
        // As rows of an import: each with its line (row) and field (column), listed in the problem's `errors`.
        details: problems
          .slice(0, MAX_LISTED)
          .map((x) => ({ row: x.line, ...(x.field && { column: x.field }), message: x.message })),
      },
    )
  if (readings.length === 0)
    throw new MujunError('READINGS_INVALID', 'the upload holds no readings; nothing was billed', {
      status: 422,
    })
  return { month: month!, from: first, to: next, requests: readings }
}
