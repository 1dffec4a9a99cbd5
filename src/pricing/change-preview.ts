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
import type { Rulebook } from '../rulebook/compile.ts'
import { Money } from './money.ts'
import { bindingOn, type Quote, quote, type RatedFacts } from './quote.ts'

/** One firm as each side sees it: its published history and, if closed, the day surcharges stop. */
export interface PreviewFirm {
  creditCode: string
  before: readonly RatedFacts[]
  after: readonly RatedFacts[]
  closedBefore?: string
  closedAfter?: string
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

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
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
  private readonly resources: string[]
  /** Per group: the firm that stands for it when its tariff differs, or null when it does not. */
  private readonly groups = new Map<string, PreviewFirm | null>()
  private readonly sums = new Map<string, PreviewRow & { b: Money; a: Money }>()
  private readonly firmRows: FirmChange[] = []
  private omitted = 0
  private changed = 0
  private priced = 0
  private readonly figureDependent = new Map<string, Set<string>>()

  constructor(private readonly input: PreviewInput) {
    this.months = monthsBetween(input.fromMonth, input.toMonth)
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
        if (s.basis !== 'quota' && s.basis !== 'intensity') continue
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
    const byMonth = new Map<string, { b: Money; a: Money }>()
    const rows = [...this.sums.values()]
      .sort((x, y) =>
        `${x.month}|${x.county}|${x.resource}|${x.class}|${x.sector}` <
        `${y.month}|${y.county}|${y.resource}|${y.class}|${y.sector}`
          ? -1
          : 1,
      )
      .map(({ b, a, ...row }) => {
        const m = byMonth.get(row.month) ?? { b: new Money(0), a: new Money(0) }
        m.b = m.b.plus(b)
        m.a = m.a.plus(a)
        byMonth.set(row.month, m)
        return row
      })
    let tb = new Money(0)
    let ta = new Money(0)
    const months = this.months.map((month) => {
      const m = byMonth.get(month) ?? { b: new Money(0), a: new Money(0) }
      tb = tb.plus(m.b)
      ta = ta.plus(m.a)
      return {
        month,
        before: m.b.toFixed(2),
        after: m.a.toFixed(2),
        change: m.a.minus(m.b).toFixed(2),
      }
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
      total: { before: tb.toFixed(2), after: ta.toFixed(2), change: ta.minus(tb).toFixed(2) },
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
    return `${resource}|${side(firm.before)}|${firm.closedBefore ?? ''}|${side(firm.after)}|${firm.closedAfter ?? ''}`
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
    for (const month of this.months) {
      const day = `${month}-01`
      const bound = bindingOn(firm.after, day) ?? bindingOn(firm.before, day)
      const quantity = this.monthQuantity(firm, resource, month)
      if (!bound || quantity === undefined) continue
      const to = `${nextMonth(month)}-01`
      const b = this.quoteSide(rep, 'before', resource, day, to, quantity)
      const a = this.quoteSide(rep, 'after', resource, day, to, quantity)
      this.priced++
      const tb = new Money(b?.total ?? '0')
      const ta = new Money(a?.total ?? '0')
      if (tb.equals(ta)) continue
      any = true
      const row = {
        creditCode: firm.creditCode,
        county: bound.county,
        class: bound.class ?? null,
        sector: bound.sector ?? null,
        resource,
        month,
        quantity,
        before: tb.toFixed(2),
        after: ta.toFixed(2),
        change: ta.minus(tb).toFixed(2),
      }
      if (this.firmRows.length < (this.input.rowLimit ?? 5000)) this.firmRows.push(row)
      else this.omitted++
      const key = `${month}|${row.county}|${row.class}|${row.sector}|${resource}`
      const sum = this.sums.get(key) ?? {
        month,
        county: row.county,
        class: row.class,
        sector: row.sector,
        resource,
        firms: 0,
        before: '',
        after: '',
        change: '',
        b: new Money(0),
        a: new Money(0),
      }
      sum.firms++
      sum.b = sum.b.plus(tb)
      sum.a = sum.a.plus(ta)
      sum.before = sum.b.toFixed(2)
      sum.after = sum.a.toFixed(2)
      sum.change = sum.a.minus(sum.b).toFixed(2)
      this.sums.set(key, sum)
    }
    return any
  }

  /** The firm's use of `resource` in `month`: its annual figure prorated by days (see the module comment). */
  private monthQuantity(firm: PreviewFirm, resource: string, month: string): string | undefined {
    const input = this.input.after.meta.resources.find((r) => r.id === resource)?.quantityInput
    const day = `${month}-01`
    const bound = bindingOn(firm.after, day) ?? bindingOn(firm.before, day)
    const annual = input && bound ? bound.figures[input] : undefined
    if (typeof annual !== 'number' || !(annual > 0)) return undefined
    const [y, m] = month.split('-').map(Number)
    return new Money(String(annual))
      .times(daysIn(y, m))
      .dividedBy(yearDays(y))
      .toDecimalPlaces(3, Money.ROUND_HALF_UP)
      .toString()
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
      closed ? { closedFrom: closed } : {},
    )
  }
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
