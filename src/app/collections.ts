/**
 * The money collected and returned: utilities report the differential surcharges they collected (from a billing
 * run, quoted here as `POST /v1/bills` quotes it, or a CSV of amounts), and the ledger per firm, county and month
 * shows collected, returned (published refund runs) and held. Amounts are integer fen inside, decimal yuan outside.
 * @module app/collections
 */
import { addDays } from '../dates.ts'
import type { MoneyFilter, MoneyStore, NewCollection } from '../db/money-store.ts'
import type { Store } from '../db/store.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { type CsvProblem, csvRows, decodeCsvBytes } from '../enterprise/csv.ts'
import { MujunError } from '../errors.ts'
import { Money } from '../pricing/money.ts'
import type { Principal } from '../principal.ts'
import { actorOf, authorize } from './authorize.ts'
import type { EnterpriseService } from './enterprises.ts'
import { ownCounty, ownCreditCode } from './permissions.ts'
import type { PricingService } from './pricing.ts'
import { QuoteBody } from './requests.ts'
import type { RulebookService } from './rulebooks.ts'

/** Each CSV column's id and the Chinese header a utility's file may use instead. */
export const COLLECTION_COLUMNS: Record<string, string> = {
  credit_code: '统一社会信用代码',
  month: '月份',
  resource: '资源',
  amount: '征收金额（元）',
}
/** Other Chinese headers read as the same columns. */
const ALSO: Record<string, string> = { 征收金额: 'amount', 金额: 'amount', 月度: 'month' }

/** A correction: why a firm-month-resource reported before is reported again, and the document that orders it. */
export interface CollectionCorrection {
  reason: string
  document: string
}

/** Integer fen of a decimal yuan string with at most two decimals ("12.5" → 1250); undefined when it is not one. */
export function fenOf(amount: string): number | undefined {
  const s = amount.trim()
  if (!/^-?\d{1,13}(\.\d{1,2})?$/.test(s)) return undefined
  return new Money(s).times(100).toNumber()
}

/** Decimal yuan of integer fen: 123456 → "1234.56". */
export function yuanOfFen(fen: number): string {
  const neg = fen < 0
  const a = Math.abs(fen)
  return `${neg ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

/** One request of a billing run: a parsed value, or why it is not one (as app/billing's BillItem). */
export type BillItem = { value: unknown } | { error: unknown }

const invalid = (message: string, details?: unknown) =>
  new MujunError('VALIDATION_FAILED', message, { status: 422, details })
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/

export class CollectionService {
  constructor(
    private readonly store: Store,
    private readonly money: MoneyStore,
    private readonly enterprises: EnterpriseService,
    private readonly rulebooks: RulebookService,
    private readonly pricing: PricingService,
  ) {}

  /**
   * A billing run's surcharges recorded as collected: every request quoted as `POST /v1/bills` quotes it, each
   * quote's total counted in the month of its last day billed (several bills of one firm, month and resource add
   * up). One request refused (its line and problem named) and nothing is recorded. Bills of 0.00 record nothing.
   */
  fromBills(p: Principal | undefined, items: BillItem[], correction?: CollectionCorrection) {
    const who = authorize(p, 'collections.report')
    this.checkCorrection(correction)
    const problems: { line: number; code: string; message: string }[] = []
    const sums = new Map<string, NewCollection>()
    let bills = 0
    items.forEach((item, i) => {
      const line = i + 1
      if ('error' in item) {
        problems.push({ line, code: 'MALFORMED', message: 'not a JSON quote request' })
        return
      }
      const req = QuoteBody.safeParse(item.value)
      if (!req.success) {
        for (const issue of req.error.issues)
          problems.push({
            line,
            code: 'VALIDATION_FAILED',
            message: `${issue.path.join('.') || 'body'}: ${issue.message}`,
          })
        return
      }
      try {
        const q = this.pricing.quote(who, req.data)
        bills++
        const month = addDays(q.to, -1).slice(0, 7)
        const fen = fenOf(q.total)!
        if (fen === 0) return
        const key = `${q.creditCode}|${month}|${q.resource}`
        const sum = sums.get(key)
        if (sum) sum.amountFen += fen
        else
          sums.set(key, {
            creditCode: q.creditCode,
            county: q.county,
            month,
            resource: q.resource,
            amountFen: fen,
          })
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        problems.push({ line, code: e.code, message: e.message })
      }
    })
    if (problems.length > 0) throw this.refused('request line', 'BILLS_INVALID', problems)
    if (bills === 0) throw invalid('no bill to record: send one quote request per line')
    const rows = [...sums.values()]
    this.checkMonths(rows.map((r) => ({ month: r.month, where: `${r.creditCode} ${r.resource}` })))
    const stored = this.record(who, rows, 'bills', correction)
    return { bills, ...stored }
  }

  /**
   * A utility's CSV of collected amounts (UTF-8 or GBK; columns credit_code/统一社会信用代码, month/月份 YYYY-MM,
   * resource/资源 (id or name), amount/征收金额（元）): every row checked; one bad row and nothing is stored.
   */
  fromCsv(p: Principal | undefined, bytes: Uint8Array, correction?: CollectionCorrection) {
    const who = authorize(p, 'collections.report')
    this.checkCorrection(correction)
    const { text, encoding } = decodeCsvBytes(bytes)
    const { rows, problems } = this.parseCsv(text)
    if (problems.length > 0) throw this.refused('row', 'CSV_INVALID', problems)
    if (rows.length === 0) throw invalid('the file has no rows under its header')
    return { encoding, rows: rows.length, ...this.record(who, rows, 'csv', correction) }
  }

  private parseCsv(text: string): { rows: NewCollection[]; problems: CsvProblem[] } {
    const problems: CsvProblem[] = []
    const rows: NewCollection[] = []
    const it = csvRows(text)
    const head = it.next()
    if (head.done) return { rows, problems: [{ row: 1, message: 'the file is empty' }] }
    const byHeader = new Map<string, string>(Object.entries(ALSO))
    for (const [id, zh] of Object.entries(COLLECTION_COLUMNS)) {
      byHeader.set(id, id)
      byHeader.set(zh, id)
    }
    const columns = head.value.map((h) => byHeader.get(h.trim()))
    const all = Object.entries(COLLECTION_COLUMNS).map(([id, zh]) => `${id}/${zh}`)
    head.value.forEach((h, i) => {
      if (!columns[i])
        problems.push({
          row: 1,
          column: h,
          message: `unknown column '${h}' (columns: ${all.join(', ')})`,
        })
    })
    for (const id of Object.keys(COLLECTION_COLUMNS))
      if (!columns.includes(id))
        problems.push({
          row: 1,
          column: id,
          message: `column '${id}' (${COLLECTION_COLUMNS[id]}) is required`,
        })
    if (problems.length > 0) return { rows, problems }
    const resources = this.resourceNames()
    const seen = new Map<string, number>()
    const thisMonth = this.store.today().slice(0, 7)
    let n = 1
    for (const cells of it) {
      n++
      const v: Record<string, string> = {}
      cells.forEach((cell, i) => {
        if (columns[i]) v[columns[i]!] = cell.trim()
      })
      const bad = (column: string, message: string) => problems.push({ row: n, column, message })
      const before = problems.length
      const code = v.credit_code ?? ''
      const codeProblem = creditCodeProblem(code)
      let county: string | undefined
      if (codeProblem) bad('credit_code', codeProblem)
      else {
        try {
          county = this.enterprises.row(code).county
        } catch {
          bad('credit_code', `${code} is not a registered enterprise`)
        }
      }
      const month = v.month ?? ''
      if (!MONTH.test(month)) bad('month', `month '${month}' is not YYYY-MM`)
      else if (month > thisMonth)
        bad('month', `month ${month} has not begun (this month is ${thisMonth})`)
      const resource = resources.get(v.resource ?? '')
      if (!resource)
        bad(
          'resource',
          `unknown resource '${v.resource ?? ''}' (one of ${[...new Set(resources.values())].join(', ')})`,
        )
      const fen = fenOf(v.amount ?? '')
      if (fen === undefined)
        bad(
          'amount',
          `amount '${v.amount ?? ''}' is not yuan with at most two decimals, e.g. 1234.56`,
        )
      else if (fen < 0)
        bad('amount', `amount ${v.amount} is negative: a collected surcharge is 0 or more`)
      if (problems.length > before) continue
      const key = `${code}|${month}|${resource}`
      const twin = seen.get(key)
      if (twin) {
        bad('credit_code', `${code} ${month} ${resource} is also on row ${twin}`)
        continue
      }
      seen.set(key, n)
      rows.push({ creditCode: code, county: county!, month, resource: resource!, amountFen: fen! })
    }
    return { rows, problems }
  }

  /** Resource ids by id and by name (电力 → electricity), as the rulebook declares them. */
  private resourceNames(): Map<string, string> {
    const names = new Map<string, string>()
    const ALIASES: Record<string, string[]> = {
      electricity: ['电', '电力', '电费'],
      water: ['水', '自来水', '水费'],
      gas: ['气', '燃气', '天然气'],
    }
    for (const r of this.rulebooks.active().rulebook.meta.resources) {
      names.set(r.id, r.id)
      names.set(r.label, r.id)
      for (const a of ALIASES[r.id] ?? []) names.set(a, r.id)
    }
    return names
  }

  private checkCorrection(c?: CollectionCorrection) {
    if (c && (!c.reason?.trim() || !c.document?.trim()))
      throw new MujunError(
        'CORRECTION_INVALID',
        'a report that replaces one made before is a correction: give both its reason and its document (文号)',
        { status: 422 },
      )
  }

  private checkMonths(rows: { month: string; where: string }[]) {
    const thisMonth = this.store.today().slice(0, 7)
    const late = rows.find((r) => r.month > thisMonth)
    if (late)
      throw invalid(
        `${late.where}: month ${late.month} has not begun (this month is ${thisMonth}); nothing was recorded`,
      )
  }

  private refused(kind: string, code: string, problems: object[]) {
    const at = (x: Record<string, unknown>) =>
      `${kind} ${x.line ?? x.row}${x.column ? ` column ${x.column}` : ''}: ${x.message}`
    return new MujunError(
      code,
      `${problems.length} problem(s); nothing was recorded: ${problems
        .slice(0, 20)
        .map((x) => at(x as Record<string, unknown>))
        .join('; ')}`,
      // A file's rows become the problem's `errors`; a run's lines its `details.lines`.
      { status: 422, details: kind === 'row' ? problems : { lines: problems } },
    )
  }

  private record(
    who: Principal,
    rows: NewCollection[],
    source: 'bills' | 'csv',
    correction?: CollectionCorrection,
  ) {
    // A year whose refund run is published is closed: what was paid in it was read then. Changing it reaches back.
    const closed = [...new Set(rows.map((r) => Number(r.month.slice(0, 4))))].filter((y) =>
      this.money.listRefundRuns(y).some((run) => run.status === 'published'),
    )
    if (closed.length > 0 && !correction)
      throw new MujunError(
        'COLLECTION_YEAR_REFUNDED',
        `the refund of ${closed.join(', ')} is published, computed on what was reported then; a report of a month of ${closed.length > 1 ? 'those years' : 'that year'} is a correction (reason and document); nothing was recorded`,
        { status: 409, details: { years: closed } },
      )
    const r = this.money.report(
      rows,
      { source, reporter: who.label, actor: actorOf(who), today: this.store.today() },
      correction,
    )
    return { created: r.created, replaced: r.replaced, total: yuanOfFen(r.totalFen) }
  }

  /** The collections `p` may read: a utility its own reports, a county its firms, an enterprise its own. */
  list(
    p: Principal | undefined,
    q: { county?: string; creditCode?: string; month?: string; limit?: number; offset?: number },
  ) {
    const f = this.scope(p, q)
    return this.money.listCollections({ ...f, limit: q.limit, offset: q.offset }).map((r) => ({
      id: r.id,
      creditCode: r.creditCode,
      county: r.county,
      month: r.month,
      resource: r.resource,
      amount: yuanOfFen(r.amountFen),
      source: r.source,
      reporter: r.reporter,
      reportedOn: r.reportedOn,
      version: r.version,
      correction: r.correction
        ? { ...r.correction, before: yuanOfFen(r.correction.beforeFen) }
        : null,
    }))
  }

  /** The filter `p`'s scope imposes on a read, with the months asked for (`month`, `year`, or `from`–`to`). */
  private scope(
    p: Principal | undefined,
    q: {
      county?: string
      creditCode?: string
      month?: string
      year?: number
      from?: string
      to?: string
    },
  ): MoneyFilter {
    const who = authorize(p, 'ledger.read', { county: q.county, creditCode: q.creditCode })
    for (const [k, m] of [
      ['month', q.month],
      ['from', q.from],
      ['to', q.to],
    ] as const)
      if (m !== undefined && !MONTH.test(m)) throw invalid(`${k} '${m}' is not a month YYYY-MM`)
    return {
      county: ownCounty(who) ?? q.county,
      creditCode: ownCreditCode(who) ?? q.creditCode,
      reporter: who.role === 'utility' ? who.label : undefined,
      fromMonth: q.month ?? (q.year ? `${q.year}-01` : q.from),
      toMonth: q.month ?? (q.year ? `${q.year}-12` : q.to),
    }
  }

  /**
   * The ledger: collected, returned and held (collected − returned) per county and month, or per firm (`by: firm`),
   * with the totals. Collected counts in the month billed; returned in the month its refund run was published.
   */
  ledger(
    p: Principal | undefined,
    q: {
      county?: string
      creditCode?: string
      month?: string
      year?: number
      from?: string
      to?: string
      by?: 'county' | 'firm'
    },
  ) {
    const f = this.scope(p, q)
    const rows = this.money.ledger(f, q.by === 'firm')
    let collected = 0
    let returned = 0
    const out = rows.map((r) => {
      collected += r.collectedFen
      returned += r.returnedFen
      return {
        county: r.county,
        ...(r.creditCode !== undefined && { creditCode: r.creditCode }),
        month: r.month,
        collected: yuanOfFen(r.collectedFen),
        returned: yuanOfFen(r.returnedFen),
        held: yuanOfFen(r.collectedFen - r.returnedFen),
      }
    })
    return {
      by: q.by ?? 'county',
      rows: out,
      totals: {
        collected: yuanOfFen(collected),
        returned: yuanOfFen(returned),
        held: yuanOfFen(collected - returned),
      },
    }
  }

  /** Collected, returned and held per county over every month, within `p`'s scope (the overview's table). */
  byCounty(p: Principal | undefined) {
    const sums = new Map<string, { c: number; r: number }>()
    for (const r of this.money.ledger(this.scope(p, {}), false)) {
      const s = sums.get(r.county) ?? { c: 0, r: 0 }
      s.c += r.collectedFen
      s.r += r.returnedFen
      sums.set(r.county, s)
    }
    return [...sums]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([county, s]) => ({
        county,
        collected: yuanOfFen(s.c),
        returned: yuanOfFen(s.r),
        held: yuanOfFen(s.c - s.r),
      }))
  }
}
