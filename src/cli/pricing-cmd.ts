/**
 * `mujun rate | quote | bill`: rate a population from files, quote one firm, bill a CSV of meter readings.
 * @module cli/pricing-cmd
 */
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { quoteAll } from '../app/billing.ts'
import { createServices } from '../app/services.ts'
import { problemOf } from '../edge-shared/problem.ts'
import { csvCell, csvRows, decodeCsvBytes, toCsv } from '../enterprise/csv.ts'
import { quote } from '../pricing/quote.ts'
import { ByteWriter } from '../pricing/quote-template.ts'
import { resultToJson } from '../rating/result-json.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { resolve } from '../rulebook/resolve.ts'
import { historyFiles, missingYears, rateYears } from './history.ts'
import { type Io, loadCity, openStore, readEnterprises, UsageError, yearOf } from './shared.ts'

/**
 * Why nothing is rated on `day`: before the first evaluation group or class scheme, after the last one ended, or
 * between two (a year past the rulebook's end is told where it ends, not where it began).
 */
export function noRulesWords(rb: Rulebook, noGroups: boolean, day: string): string {
  const what = noGroups ? 'evaluation group' : 'class scheme'
  const items: { from: string; to?: string }[] = noGroups ? rb.sections.groups : rb.sections.classes
  const next = items
    .map((x) => x.from)
    .filter((d) => d > day)
    .sort()[0]
  const ended = items
    .map((x) => x.to)
    .filter((d): d is string => d !== undefined && d <= day)
    .sort()
    .at(-1)
  const why =
    items.length === 0
      ? `the rules have no ${what}`
      : next && !ended
        ? `the first ${what} starts ${next}`
        : next
          ? `the last ${what} before it ended on ${ended}; the next starts ${next}`
          : `the rules' last ${what} ended on ${ended}: the last year they rate is ${Number(ended!.slice(0, 4)) - 1}`
  return `no evaluation rules are in force on ${day} (${why}); nothing rated`
}

export function rateCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string', default: 'rules' },
      enterprises: { type: 'string' },
      year: { type: 'string' },
      county: { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
      // Earlier years' figures (YEAR=FILE.csv): the peer statistics a `year: previous` benchmark reads.
      history: { type: 'string', multiple: true },
    },
  })
  if (!values.enterprises) throw new UsageError('--enterprises FILE.csv is required')
  if (values.format !== 'json' && values.format !== 'csv')
    throw new UsageError('--format must be json or csv')
  const rb = loadCity(values.rules!)
  const year = yearOf(values.year)
  const files = historyFiles(values.history, year)
  // No evaluation group in force on the year's last day: every firm would come out of scope, which is not a rating.
  const inForce = resolve(rb, values.county ?? rb.meta.counties[0].code, `${year}-12-31`)
  if (inForce.sections.groups.length === 0 || inForce.sections.classes.length === 0) {
    io.err(`mujun: ${noRulesWords(rb, inForce.sections.groups.length === 0, `${year}-12-31`)}`)
    return 1
  }
  const parsed = readEnterprises(values.enterprises, rb, io)
  if (parsed.problems.length > 0) return 1
  const population = values.county
    ? parsed.enterprises.filter((e) => e.county === values.county)
    : parsed.enterprises
  const results = rateYears(rb, files, year, population, io)?.get(year)
  if (!results) return 1
  // A firm's problems say where it is in the file and name each figure by the column it was read from.
  const named = [...(parsed.headers ?? [])].map(
    ([id, header]) => [new RegExp(`(?<![\\w])${id}(?![\\w])`, 'g'), `${header} (${id})`] as const,
  )
  const problemsOf = (r: (typeof results)[number]) =>
    r.status === 'invalid'
      ? r.problems.map(
          (m) =>
            `row ${(r.enterprise as { row?: number }).row}: ${named.reduce((t, [re, h]) => t.replace(re, h), m)}`,
        )
      : r.problems
  const text =
    values.format === 'json'
      ? JSON.stringify(
          results.map((r) => ({ ...resultToJson(r), problems: problemsOf(r) })),
          null,
          2,
        )
      : toCsv(
          [
            'credit_code',
            'name',
            'county_code',
            'group',
            'score',
            'class',
            'initial_class',
            'rank',
            'group_size',
            'category',
            'status',
            'problems',
          ],
          results.map((r) => [
            r.creditCode,
            r.name,
            r.county,
            r.group ?? '',
            r.score?.toFixed(2) ?? '',
            r.class ?? '',
            r.initialClass ?? '',
            r.rank ?? '',
            r.groupSize ?? '',
            r.category?.category ?? '',
            r.status,
            problemsOf(r).join('; '),
          ]),
        )
  if (values.out) writeFileSync(values.out, text)
  else io.out(text)
  return 0
}

export function quoteCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string', default: 'rules' },
      enterprises: { type: 'string' },
      year: { type: 'string' },
      'credit-code': { type: 'string' },
      resource: { type: 'string' },
      quantity: { type: 'string' },
      readings: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'table' },
      // Earlier years' figures (YEAR=FILE.csv): the classes a consecutive-year rate counts.
      history: { type: 'string', multiple: true },
    },
  })
  for (const k of ['enterprises', 'credit-code', 'resource', 'from', 'to'] as const) {
    if (!values[k]) throw new UsageError(`--${k} is required`)
  }
  const rb = loadCity(values.rules!)
  const year = yearOf(values.year)
  const files = historyFiles(values.history, year)
  const parsed = readEnterprises(values.enterprises!, rb, io)
  if (parsed.problems.length > 0) return 1
  const code = values['credit-code']!
  const mine = parsed.enterprises.find((e) => e.creditCode === code)
  if (!mine) {
    io.err(`mujun: credit code ${code} is not in ${values.enterprises}`)
    return 1
  }
  const inForce = resolve(rb, mine.county, `${year}-12-31`)
  if (inForce.sections.groups.length === 0 || inForce.sections.classes.length === 0) {
    io.err(
      `mujun: ${noRulesWords(rb, inForce.sections.groups.length === 0, `${year}-12-31`).replace('nothing rated', 'nothing quoted')}`,
    )
    return 1
  }
  const rated = rateYears(rb, files, year, parsed.enterprises, io)
  if (!rated) return 1
  const ofFirm = [...rated.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([, results]) => results.filter((r) => r.creditCode === code))
  const current = ofFirm.filter((r) => r.year === year)
  const readings = values.readings?.split(',').map((r) => {
    const [from, to, quantity] = r.split(':')
    return { from, to, quantity }
  })
  const q = quote(ofFirm, rb, {
    resource: values.resource!,
    from: values.from!,
    to: values.to!,
    quantity: values.quantity,
    readings,
  })
  // A rate that rises with consecutive years in a class counts the firm's earlier classes: without them the quote
  // would be a lower rate, silently. The years it needs are asked for by name.
  const missing = missingYears(rb, rated, current[0], year, {
    resource: values.resource!,
    from: values.from!,
    to: values.to!,
  })
  if (missing) {
    const ordinal = `${missing.n}${missing.n === 2 ? 'nd' : missing.n === 3 ? 'rd' : 'th'}`
    io.err(
      `mujun: ${code} is class ${missing.cls} in ${year}, and ${missing.schedule} charges class ${missing.cls} more from its ${ordinal} consecutive year in it: its class in ${missing.years.join(' and ')} is not known here. Give ${missing.years.length > 1 ? 'those years’' : 'that year’s'} figures with ${missing.years.map((y) => `--history ${y}=FILE.csv`).join(' ')} (a firm absent from a year's file was not rated that year), or quote a stored firm through the API`,
    )
    return 1
  }
  if (values.format === 'json') {
    io.out(JSON.stringify(q, null, 2))
    return 0
  }
  const r = current[0]
  io.out(
    `${r.name} ${r.creditCode} — evaluation ${year}: class ${r.class ?? '-'}${r.category ? `, ${r.category.label}` : ''} (${r.status})`,
  )
  io.out(`${q.resource} ${q.quantity} ${q.unit}, ${q.from} to ${q.to} (exclusive)`)
  for (const l of q.lines)
    io.out(
      `  ${l.from}..${l.to}  ${l.scheduleId.padEnd(28)} ${l.rate.padStart(6)} × ${l.quantity.padStart(14)} = ${l.amount.padStart(12)}  ${l.reason}`,
    )
  for (const l of q.waived)
    io.out(
      `  (waived, only the highest applies) ${l.scheduleId} ${l.rate} × ${l.quantity} = ${l.amount}`,
    )
  for (const n of q.notes) io.out(`  note: ${n}`)
  io.out(`  total ${q.total} 元`)
  return 0
}

/** Request columns of a billing run, English or Chinese. */
const BILL_COLUMNS: Record<string, 'credit_code' | 'resource' | 'from' | 'to' | 'quantity'> = {
  credit_code: 'credit_code',
  统一社会信用代码: 'credit_code',
  resource: 'resource',
  资源: 'resource',
  from: 'from',
  起始日期: 'from',
  to: 'to',
  截止日期: 'to',
  quantity: 'quantity',
  用量: 'quantity',
}
export const BILL_HEADER = [
  'row',
  'credit_code',
  'resource',
  'from',
  'to',
  'quantity',
  'total',
  'lines',
  'rulebook_version',
  'overrides',
  'error_code',
  'error',
]

/**
 * `mujun bill`: the billing run offline, against the database. Each row is validated and quoted as the API's
 * POST /v1/quotes does (the same schema, the same use case, the same error codes), written as it is answered.
 */
/** Bytes of requests (about 20,000 rows) from which `mujun bill` builds the pricing snapshot first. */
const BILL_SNAPSHOT_BYTES = 2 * 1024 * 1024

export function billCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      in: { type: 'string' },
      out: { type: 'string' },
    },
  })
  if (!values.in || !existsSync(values.in))
    throw new UsageError(
      `give the requests CSV with --in${values.in ? ` ('${values.in}' does not exist)` : ''}`,
    )
  if (!values.out) throw new UsageError('give the file to write with --out')
  const services = createServices(openStore(values.db!))
  const who = cliPrincipal(userInfo().username)
  const bytes = readFileSync(values.in)
  // A large run is answered from the pricing snapshot of the database as it is (built once, here: no server
  // builds it in the background); a small one reads its firms directly.
  const t0 = performance.now()
  if (bytes.length > BILL_SNAPSHOT_BYTES) {
    services.pricing.snapshots?.buildNow()
    // The rules compiled now too, as a server has them before its first request.
    services.rulebooks.active()
  }
  const t1 = performance.now()
  const rows = csvRows(decodeCsvBytes(bytes).text)
  const header = rows.next()
  const columns = header.done ? [] : header.value.map((h) => BILL_COLUMNS[h.trim()])
  for (const need of ['credit_code', 'resource', 'from', 'to', 'quantity'] as const)
    if (!columns.includes(need)) {
      io.err(`${values.in}: row 1: missing column '${need}'`)
      return 1
    }
  const fd = openSync(values.out, 'w')
  // Rows are written as UTF-8 into one buffer, a cell at a time (no row string is built), flushed every megabyte.
  const buffer = new ByteWriter(2 << 20)
  buffer.text(`\ufeff${BILL_HEADER.join(',')}\r\n`)
  let n = 0
  let failed = 0
  const errors: Record<string, number> = {}
  // Rows are answered in chunks: each chunk's firms are read ahead in bulk, as the billing route does.
  const answer = (chunk: Record<string, string>[]) => {
    const outcomes = quoteAll(
      services,
      who,
      chunk.map((value) => ({ value })),
    )
    for (let k = 0; k < chunk.length; k++) {
      const req = chunk[k]
      n++
      const x = outcomes[k]
      let out: unknown[]
      if ('text' in x) {
        const b = x.text
        out = [b.total, b.lines, b.rulebookVersion, b.overrides.join(' '), '', '']
      } else if ('quote' in x) {
        const q = x.quote
        out = [q.total, q.lines.length, q.rulebookVersion, q.overrides.join(' '), '', '']
      } else {
        const p = problemOf(x.error, '/v1/quotes', (m) => io.err(m))
        failed++
        errors[p.code] = (errors[p.code] ?? 0) + 1
        out = ['', '', '', '', p.code, p.detail]
      }
      const cells = [n + 1, req.creditCode, req.resource, req.from, req.to, req.quantity, ...out]
      for (let c = 0; c < cells.length; c++) {
        if (c > 0) buffer.byte(44 /* , */)
        buffer.text(csvCell(cells[c]))
      }
      buffer.byte(13)
      buffer.byte(10)
    }
    if (buffer.size > 1 << 20) writeSync(fd, buffer.take())
  }
  let chunk: Record<string, string>[] = []
  const keys = columns.map((col) => (col === 'credit_code' ? 'creditCode' : col))
  for (const cells of rows) {
    const req: Record<string, string> = {}
    for (let i = 0; i < cells.length; i++) {
      const key = keys[i]
      if (key === undefined) continue
      const v = cells[i].trim()
      if (v !== '') req[key] = v
    }
    chunk.push(req)
    if (chunk.length === 500) {
      answer(chunk)
      chunk = []
    }
  }
  answer(chunk)
  writeSync(fd, buffer.take())
  closeSync(fd)
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  io.out(
    `answered ${n} requests into ${values.out}: ${n - failed} quoted, ${failed} refused${
      failed
        ? ` (${Object.entries(errors)
            .map(([c, k]) => `${c} ${k}`)
            .join(', ')})`
        : ''
    }; ${t1 - t0 > 1 ? `pricing snapshot built and rules compiled in ${seconds(t1 - t0)}, ` : ''}bills in ${seconds(performance.now() - t1)}`,
  )
  return 0
}
