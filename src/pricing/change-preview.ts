/**
 * What an act would re-price: every firm's monthly charge per resource under the rules and histories before the
 * act and after it, over a horizon of months, and the differences summed by month, county, class, sector and
 * resource. Pure: two pricing worlds and the firms in, the changes out.
 *
 * A month's quantity is the firm's annual figure for the resource (its `quantityInput`, from the evaluation that
 * binds on the month's first day) prorated by the month's days over the year's, rounded half-up to 0.001: the
 * preview prices what a firm typically uses, not a meter reading. Each amount is a real `quote` of that month, so
 * a preview's totals are sums of quotes anyone can ask for.
 * @module pricing/change-preview
 */
import { nextMonth } from '../dates.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { kindOf } from '../rulebook/tariff-kinds/index.ts'
import { type ListStanding, listsKey } from './lists.ts'
import { Money } from './money.ts'
import { bindingOn, type Quote, quote, type RatedFacts } from './quote.ts'

/** One firm as each side sees it: its published history and, if closed, the day surcharges stop. */
export interface PreviewFirm {
  creditCode: string
  before: readonly RatedFacts[]
  after: readonly RatedFacts[]
  closedBefore?: string
  closedAfter?: string
  /** Its standing on the designated lists (the same on both sides: an act previewed here changes no list). */
  lists?: readonly ListStanding[]
}

export interface PreviewInput {
  before: Rulebook
  after: Rulebook
  /** The first month of the horizon and the month after its last (YYYY-MM). */
  fromMonth: string
  toMonth: string
  /** Resources to price (default every resource of the rulebook after). */
  resources?: string[]
  /** How many firm-month rows to keep (the sums always count every firm). */
  rowLimit?: number
}

export interface PreviewRow {
  month: string
  county: string
  class: string | null
  sector: string | null
  resource: string
  firms: number
  before: string
  after: string
  change: string
}

export interface FirmChange {
  creditCode: string
  county: string
  class: string | null
  sector: string | null
  resource: string
  month: string
  quantity: string
  before: string
  after: string
  change: string
}

export interface ChangePreview {
  fromMonth: string
  toMonth: string
  /** Firms with at least one month whose charge changes. */
  firmsChanged: number
  /** Firm-months priced on both sides (firms whose tariff cannot change are counted, not priced). */
  firmMonths: number
  byMonth: { month: string; before: string; after: string; change: string }[]
  rows: PreviewRow[]
  firms: FirmChange[]
  /** Firm-month changes left out of `firms` by the row limit. */
  firmsOmitted: number
  total: { before: string; after: string; change: string }
}

/** Months from `from` up to (not including) `to`, as YYYY-MM. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  let [y, m] = from.split('-').map(Number)
  const [ty, tm] = to.split('-').map(Number)
  while (y < ty || (y === ty && m < tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m++
    if (m > 12) {
      m = 1
      y++
    }
  }
  return out
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()
const yearDays = (year: number) =>
  year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 366 : 365

/**
 * Accumulates firms into a preview. Firms whose tariff depends only on their class, category, county and dates
 * share a group: if a group's tariff is the same on both sides for a sample quantity, no firm in it changes and
 * none is priced (how a change of one class's rate at city scale prices only that class's firms).
 */
export class ChangePreviewer {
  private readonly months: string[]
  private readonly monthInfo: MonthInfo[]
  private readonly resources: string[]
  /** Per group: the firm that stands for it when its tariff differs, or null when it does not. */
  private readonly groups = new Map<string, PreviewFirm | null>()
  /** Per group's firm, side, resource and month: the rate sum that prices any quantity, or null (quote it). */
  private readonly profiles = new WeakMap<PreviewFirm, Map<string, Money | null>>()
  private readonly sums = new Map<
    string,
    Omit<PreviewRow, 'before' | 'after' | 'change'> & { b: bigint; a: bigint }
  >()
  private readonly firmRows: FirmChange[] = []
  private omitted = 0
  private changed = 0
  private priced = 0
  private readonly figureDependent = new Map<string, Set<string>>()

  constructor(private readonly input: PreviewInput) {
    this.months = monthsBetween(input.fromMonth, input.toMonth)
    this.monthInfo = this.months.map((month) => {
      const [y, mo] = month.split('-').map(Number)
      return {
        month,
        day: `${month}-01`,
        to: `${nextMonth(month)}-01`,
        days: daysIn(y, mo),
        yearDays: yearDays(y),
      }
    })
    this.resources = input.resources ?? input.after.meta.resources.map((r) => r.id)
    // Per resource, the sectors whose charges read the firm's own figures (quota and intensity schedules): their
    // firms are grouped with their figures too. `*` stands for every sector.
    for (const rb of [input.before, input.after])
      for (const s of [
        ...rb.sections.surcharges,
        ...rb.overrides.flatMap((o) => [
          ...(o.replace.surcharges ?? []),
          ...(o.add.surcharges ?? []),
        ]),
      ]) {
        if (!kindOf(s).ownFigures) continue
        const set = this.figureDependent.get(s.resource) ?? new Set<string>()
        for (const sector of s.sectors ?? ['*']) set.add(sector)
        this.figureDependent.set(s.resource, set)
      }
  }

  add(firm: PreviewFirm): void {
    const latest = firm.after.at(-1) ?? firm.before.at(-1)
    if (!latest) return
    let firmChanged = false
    for (const resource of this.resources) {
      const key = this.groupKey(firm, resource)
      let rep = this.groups.get(key)
      if (rep === undefined) {
        rep = this.groupDiffers(firm, resource) ? firm : null
        this.groups.set(key, rep)
      }
      if (!rep) continue
      if (this.priceFirm(firm, rep, resource)) firmChanged = true
    }
    if (firmChanged) this.changed++
  }

  result(): ChangePreview {
    const byMonth = new Map<string, { b: bigint; a: bigint }>()
    const rows = [...this.sums.values()]
      .sort((x, y) =>
        `${x.month}|${x.county}|${x.resource}|${x.class}|${x.sector}` <
        `${y.month}|${y.county}|${y.resource}|${y.class}|${y.sector}`
          ? -1
          : 1,
      )
      .map(({ b, a, ...row }) => {
        const m = byMonth.get(row.month) ?? { b: 0n, a: 0n }
        m.b += b
        m.a += a
        byMonth.set(row.month, m)
        return { ...row, before: yuanOf(b), after: yuanOf(a), change: yuanOf(a - b) }
      })
    let tb = 0n
    let ta = 0n
    const months = this.months.map((month) => {
      const m = byMonth.get(month) ?? { b: 0n, a: 0n }
      tb += m.b
      ta += m.a
      return { month, before: yuanOf(m.b), after: yuanOf(m.a), change: yuanOf(m.a - m.b) }
    })
    return {
      fromMonth: this.input.fromMonth,
      toMonth: this.input.toMonth,
      firmsChanged: this.changed,
      firmMonths: this.priced,
      byMonth: months,
      rows,
      firms: this.firmRows,
      firmsOmitted: this.omitted,
      total: { before: yuanOf(tb), after: yuanOf(ta), change: yuanOf(ta - tb) },
    }
  }

  /** What a firm's tariff for `resource` depends on, besides the quantity. */
  private groupKey(firm: PreviewFirm, resource: string): string {
    const own = this.figureDependent.get(resource)
    const side = (h: readonly RatedFacts[]) =>
      h
        .map((r) => {
          const figures =
            own && (own.has('*') || own.has(r.sector)) ? JSON.stringify(r.figures) : ''
          return `${r.year}/${r.class}/${r.category?.category ?? ''}/${r.bindingFrom ?? ''}/${r.sector}/${r.county}/${figures}`
        })
        .join(';')
    return `${resource}|${side(firm.before)}|${firm.closedBefore ?? ''}|${side(firm.after)}|${firm.closedAfter ?? ''}|${listsKey(firm.lists)}`
  }

  /** True when the firm's tariff differs between the two sides in some month of the horizon. */
  private groupDiffers(firm: PreviewFirm, resource: string): boolean {
    // A quote a year at most (a quote spans at most five), its readings cut at month ends, prices every rule and
    // class change in it; with the firm's own monthly quantities, since a quota charge depends on them (a
    // per-unit one charges alike for any).
    for (let k = 0; k < this.months.length; k += 12) {
      const months = this.months.slice(k, k + 12)
      const readings = months.map((m) => ({
        from: `${m}-01`,
        to: `${nextMonth(m)}-01`,
        quantity: this.monthQuantity(firm, resource, m) ?? '0',
      }))
      const from = readings[0].from
      const to = readings.at(-1)!.to
      const a = this.quoteSide(firm, 'before', resource, from, to, undefined, readings)
      const b = this.quoteSide(firm, 'after', resource, from, to, undefined, readings)
      if (!sameTariff(a, b)) return true
    }
    return false
  }

  /**
   * Prices one firm month by month on both sides; true when a month changes. The group's first firm's histories
   * price it (they charge alike, and the tariffs built for them are reused); its own figures give the quantity.
   */
  private priceFirm(firm: PreviewFirm, rep: PreviewFirm, resource: string): boolean {
    let any = false
    const input = this.quantityInput(resource)
    for (const m of this.monthInfo) {
      const bound = bindingOn(firm.after, m.day) ?? bindingOn(firm.before, m.day)
      const quantity = bound && this.quantityOf(bound, input, m)
      if (!bound || quantity === undefined) continue
      const before = this.monthTotal(rep, 'before', resource, m, quantity)
      const after = this.monthTotal(rep, 'after', resource, m, quantity)
      this.priced++
      // Both totals are written with two decimals: equal strings are equal amounts.
      if (before === after) continue
      any = true
      // Sums in whole fen (exact integers), formatted once at the end.
      const b = fenOf(before)
      const a = fenOf(after)
      const cls = bound.class ?? null
      const sector = bound.sector ?? null
      if (this.firmRows.length < (this.input.rowLimit ?? 5000))
        this.firmRows.push({
          creditCode: firm.creditCode,
          county: bound.county,
          class: cls,
          sector,
          resource,
          month: m.month,
          quantity,
          before,
          after,
          change: yuanOf(a - b),
        })
      else this.omitted++
      const key = `${m.month}|${bound.county}|${cls}|${sector}|${resource}`
      let sum = this.sums.get(key)
      if (!sum) {
        sum = {
          month: m.month,
          county: bound.county,
          class: cls,
          sector,
          resource,
          firms: 0,
          b: 0n,
          a: 0n,
        }
        this.sums.set(key, sum)
      }
      sum.firms++
      sum.b += b
      sum.a += a
    }
    return any
  }

  /**
   * The total of the month's quote for `quantity`, as `quote` answers it. When the group's month is one segment of
   * per-unit charges (most months: no rule or class change inside), the quote's total is the rounded product of
   * the quantity and the charged rates (quote's own sum of exact amounts, rounded half-up to the fen), so it is
   * computed so; any other month is quoted.
   */
  private monthTotal(
    rep: PreviewFirm,
    side: 'before' | 'after',
    resource: string,
    m: MonthInfo,
    quantity: string,
  ): string {
    let byMonth = this.profiles.get(rep)
    if (!byMonth) {
      byMonth = new Map()
      this.profiles.set(rep, byMonth)
    }
    const key = `${side}|${resource}|${m.month}`
    let rate = byMonth.get(key)
    if (rate === undefined) {
      const q = this.quoteSide(rep, side, resource, m.day, m.to, '1000')
      rate =
        q === undefined
          ? new Money(0)
          : q.lines.every((l) => l.from === m.day && l.to === m.to && l.basis !== 'quota')
            ? q.lines.reduce((sum, l) => sum.plus(l.rate), new Money(0))
            : null
      byMonth.set(key, rate)
    }
    if (rate === null)
      return this.quoteSide(rep, side, resource, m.day, m.to, quantity)?.total ?? '0.00'
    return new Money(quantity).times(rate).toFixed(2, Money.ROUND_HALF_UP)
  }

  private quantityInput(resource: string): string | undefined {
    return this.input.after.meta.resources.find((r) => r.id === resource)?.quantityInput
  }

  /** A firm's use in a month: its annual figure prorated by days (see the module comment). */
  private quantityOf(
    bound: RatedFacts,
    input: string | undefined,
    m: MonthInfo,
  ): string | undefined {
    const annual = input ? bound.figures[input] : undefined
    if (typeof annual !== 'number' || !(annual > 0)) return undefined
    return new Money(String(annual))
      .times(m.days)
      .dividedBy(m.yearDays)
      .toDecimalPlaces(3, Money.ROUND_HALF_UP)
      .toString()
  }

  /** The firm's use of `resource` in `month`. */
  private monthQuantity(firm: PreviewFirm, resource: string, month: string): string | undefined {
    const m = this.monthInfo.find((x) => x.month === month)!
    const bound = bindingOn(firm.after, m.day) ?? bindingOn(firm.before, m.day)
    return bound && this.quantityOf(bound, this.quantityInput(resource), m)
  }

  private quoteSide(
    firm: PreviewFirm,
    side: 'before' | 'after',
    resource: string,
    from: string,
    to: string,
    quantity?: string,
    readings?: { from: string; to: string; quantity: string }[],
  ): Quote | undefined {
    const history = firm[side]
    if (history.length === 0) return undefined
    const closed = side === 'before' ? firm.closedBefore : firm.closedAfter
    return quote(
      history,
      side === 'before' ? this.input.before : this.input.after,
      readings ? { resource, from, to, readings } : { resource, from, to, quantity },
      { ...(closed && { closedFrom: closed }), lists: firm.lists },
    )
  }
}

interface MonthInfo {
  month: string
  day: string
  to: string
  days: number
  yearDays: number
}

/** A yuan amount written with two decimals ("-12.30") as whole fen. */
function fenOf(amount: string): bigint {
  const negative = amount.startsWith('-')
  const [int, frac = ''] = (negative ? amount.slice(1) : amount).split('.')
  const fen = BigInt(int) * 100n + BigInt(`${frac}00`.slice(0, 2))
  return negative ? -fen : fen
}

/** Whole fen as yuan with two decimals. */
function yuanOf(fen: bigint): string {
  const negative = fen < 0n
  const abs = negative ? -fen : fen
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`
}

/** Two quotes of the same readings charge alike for any quantity when their lines agree in dates and rates. */
function sameTariff(a: Quote | undefined, b: Quote | undefined): boolean {
  if (!a || !b) return !a && !b
  const shape = (q: Quote) =>
    [...q.lines, ...q.waived.map((l) => ({ ...l, waived: true }))]
      .map((l) => `${l.from}|${l.to}|${l.scheduleId}|${l.rate}|${l.quantity}|${l.amount}`)
      .join(';')
  return shape(a) === shape(b) && a.total === b.total
}
