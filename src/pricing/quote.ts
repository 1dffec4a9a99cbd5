/**
 * Prices a billing period: itemised surcharge lines in exact yuan, split at every rule or class change.
 * Pure: an enterprise's rating history and the rulebook in, a quote with its reasons out.
 * @module pricing/quote
 */
import { QuoteError } from '../errors.ts'
import type { Rulebook, SurchargeC } from '../rulebook/compile.ts'
import { resolve } from '../rulebook/resolve.ts'
import type { Resource } from '../rulebook/schema.ts'
import { kindOf } from '../rulebook/tariff-kinds/index.ts'
import { bindingOn, type QuoteOptions, type RatedFacts } from './facts.ts'
import { listGate } from './lists.ts'
import { allocateFen, Money, parseDecimal, yuan } from './money.ts'
import {
  type Charge,
  type ChargeOrigin,
  type Choice,
  chargesFor,
  DAY,
  highest,
  type PricingTables,
  pricingTables,
  type TariffInterval,
  tariffOf,
} from './tariff.ts'

export { bindingOn, type QuoteOptions, type RatedFacts } from './facts.ts'

export interface QuoteRequest {
  resource: string
  /** First day billed (ISO date). */
  from: string
  /** Day after the last day billed (ISO date): the period is [from, to). */
  to: string
  /** Metered quantity for the whole period, prorated by days across splits. */
  quantity?: string | number
  /** Or meter readings per sub-period; they must tile [from, to) exactly. */
  readings?: { from: string; to: string; quantity: string | number }[]
}

export interface QuoteLine {
  from: string
  to: string
  days: number
  scheduleId: string
  label: string
  basis: SurchargeC['basis']
  /** What the rate depends on: the class (and evaluation year), the category, the intensity or the quota band. */
  reason: string
  /** Yuan per unit, exact. */
  rate: string
  /** Quantity charged at this rate (3 decimals shown; the amount uses the exact value). */
  quantity: string
  amount: string
  origin: ChargeOrigin
  document: string
}

export interface Quote {
  creditCode: string
  county: string
  resource: Resource
  unit: string
  from: string
  to: string
  quantity: string
  lines: QuoteLine[]
  /** Schedules that applied but were not charged because only the highest applies (stacking: max). */
  waived: QuoteLine[]
  notes: string[]
  total: string
}

/** Longest period a quote prices, in days. */
export const MAX_DAYS = 366 * 5
const daysInYear = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365)

/** A metered stretch of the period: [from, to) in UTC milliseconds and its quantity. */
export interface Piece {
  from: number
  to: number
  quantity: Money
}

/**
 * Quotes the surcharge on `resource` for an enterprise whose evaluation results by year are `history`
 * (the class from the evaluation of year Y applies to days in Y+1). Neither `history` nor `rulebook` may change
 * once quoted: what they price is remembered by their identity (the store hands out frozen histories).
 */
export function quote(
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  request: QuoteRequest,
  options: QuoteOptions = {},
): Quote {
  if (history.length === 0) throw new QuoteError('no evaluation result for this enterprise')
  const tables = pricingTables(rulebook)
  const creditCode = history[0].creditCode
  const county = history[0].county
  const resource = rulebook.meta.resources.find((r) => r.id === request.resource)
  if (!resource)
    throw new QuoteError(
      `unknown resource '${request.resource}' (one of ${rulebook.meta.resources.map((r) => r.id).join(', ')})`,
    )
  const start = tables.date(request.from, 'from')
  const end = tables.date(request.to, 'to')
  if (end <= start)
    throw new QuoteError(`period is empty or reversed: from ${request.from} to ${request.to}`)
  if ((end - start) / DAY > MAX_DAYS) throw new QuoteError(`period is longer than ${MAX_DAYS} days`)

  const pieces: Piece[] = []
  if (request.readings && request.quantity !== undefined)
    throw new QuoteError('give either quantity or readings, not both')
  if (request.readings) {
    if (request.readings.length === 0 || request.readings.length > 400)
      throw new QuoteError('readings must have 1 to 400 entries')
    let cursor = start
    request.readings.forEach((r, i) => {
      const f = tables.date(r.from, `readings[${i}].from`)
      const t = tables.date(r.to, `readings[${i}].to`)
      if (f !== cursor)
        throw new QuoteError(
          `readings[${i}] starts ${r.from}, expected ${tables.iso(cursor)}: readings must tile the period without gaps or overlaps`,
        )
      if (t <= f) throw new QuoteError(`readings[${i}] is empty or reversed`)
      pieces.push({ from: f, to: t, quantity: quantityOf(r.quantity, `readings[${i}].quantity`) })
      cursor = t
    })
    if (cursor !== end)
      throw new QuoteError(`readings end ${tables.iso(cursor)}, but the period ends ${request.to}`)
  } else {
    if (request.quantity === undefined) throw new QuoteError('quantity is required')
    pieces.push({ from: start, to: end, quantity: quantityOf(request.quantity, 'quantity') })
  }
  const totalQuantity =
    pieces.length === 1
      ? pieces[0].quantity
      : pieces.reduce((a, p) => a.plus(p.quantity), new Money(0))

  const notes = new Set<string>()
  // A closed firm's period stops at its closure day: the days from it carry no segment, so no charge.
  const stop = options.closedFrom
    ? Math.min(end, tables.date(options.closedFrom, 'closedFrom'))
    : end
  if (stop < end)
    notes.add(
      `closed on ${options.closedFrom}${options.closedBy ? ` (${options.closedBy})` : ''}: nothing is charged from that day`,
    )
  const segments = segmentsOf(
    history,
    rulebook,
    resource.id,
    { start, end, stop },
    pieces,
    notes,
    options,
  )
  const { lines, waived, total } = priceSegments(tables, segments, pieces)
  return {
    creditCode,
    county,
    resource: resource.id,
    unit: resource.unit,
    from: request.from,
    to: request.to,
    quantity: totalQuantity.toString(),
    lines,
    waived,
    notes: [...notes],
    total,
  }
}

/**
 * The billing segments of [start, stop) of the period [start, end) (stop: a closure day, or end): the rule intervals
 * of each year the period touches (memoised, see tariffOf), clipped and cut again at every meter-reading boundary;
 * the notes of those intervals are added to `notes`.
 */
export function segmentsOf(
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  resource: Resource,
  { start, end, stop }: { start: number; end: number; stop: number },
  pieces: Piece[],
  notes: Set<string>,
  options: QuoteOptions,
): Segment[] {
  const segments: Segment[] = []
  let next = 0
  for (let y = new Date(start).getUTCFullYear(); Date.UTC(y, 0, 1) < end; y++) {
    for (const interval of tariffOf(history, rulebook, resource, y, options)) {
      if (interval.to <= start || interval.from >= stop) continue
      for (const n of interval.notes) notes.add(n)
      let from = Math.max(interval.from, start)
      const to = Math.min(interval.to, stop)
      while (next < pieces.length && pieces[next].from <= from) next++
      while (from < to) {
        const cut = next < pieces.length && pieces[next].from < to ? pieces[next++].from : to
        addSegment(segments, interval, from, cut, pieces)
        from = cut
      }
    }
  }
  return segments
}

/** The lines of `segments` for the metered `pieces`: charged and waived, in exact yuan, fen allocated; the total. */
export function priceSegments(
  tables: PricingTables,
  segments: Segment[],
  pieces: Piece[],
): { lines: QuoteLine[]; waived: QuoteLine[]; total: string } {
  const lines: QuoteLine[] = []
  const exact: Money[] = []
  const waived: QuoteLine[] = []
  for (const seg of segments) {
    const qty = quantityIn(pieces, seg.from, seg.to)
    for (const c of seg.choice.charges) {
      const { charged, amount } = amountOf(c, qty, seg.from, seg.to)
      if (charged.isZero()) continue
      lines.push(lineOf(tables, seg, c, charged, ''))
      exact.push(amount)
    }
    for (const c of seg.choice.waived) {
      const { charged, amount } = amountOf(c, qty, seg.from, seg.to)
      if (!charged.isZero()) waived.push(lineOf(tables, seg, c, charged, yuan(amount)))
    }
  }
  const amounts = allocateFen(exact)
  for (let i = 0; i < lines.length; i++) lines[i].amount = amounts[i].toFixed(2)
  const total =
    lines.length === 1
      ? lines[0].amount
      : amounts.reduce((a, b) => a.plus(b), new Money(0)).toFixed(2)
  return { lines, waived, total }
}

/** A billing segment: a stretch of the period with one set of charges. */
export interface Segment {
  from: number
  to: number
  year: number
  choice: Choice
}

/**
 * Appends [from, to) of `interval` to `segments`, choosing the charged schedule where stacking is `max`, and merges
 * it into the previous segment when nothing that prices the enterprise changed (never for quota charges, whose
 * prorated bands are not linear).
 */
function addSegment(
  segments: Segment[],
  interval: TariffInterval,
  from: number,
  to: number,
  pieces: Piece[],
) {
  const { applicable } = interval
  let best = -1
  if (interval.stacking === 'max' && applicable.length > 1) {
    // Compare schedules by what they would charge for this segment's quantity; the highest alone is charged.
    const qty = quantityIn(pieces, from, to)
    const amounts = applicable.map((cs) =>
      cs.reduce((a, c) => a.plus(amountOf(c, qty, from, to).amount), new Money(0)),
    )
    best = highest(amounts)
  }
  const choice = interval.choices[best + 1] ?? chooseIn(interval, best)
  const prev = segments.at(-1)
  if (
    prev &&
    prev.to === from &&
    prev.year === interval.year &&
    !choice.quota &&
    samePricing(prev.choice, choice)
  )
    prev.to = to
  else segments.push({ from, to, year: interval.year, choice })
}

/** The charges of `interval` when group `best` alone is charged (-1: every group is charged). */
function chooseIn(interval: TariffInterval, best: number): Choice {
  const { applicable } = interval
  const charges =
    best >= 0 ? applicable[best] : applicable.length === 1 ? applicable[0] : applicable.flat()
  const waived = best < 0 ? [] : applicable.filter((_, k) => k !== best).flat()
  const choice = { charges, waived, quota: charges.some((c) => c.kind === 'quota') }
  interval.choices[best + 1] = choice
  return choice
}

/**
 * Whether two choices price alike: the same versions of the same schedules charged, for the same reasons and rates,
 * and the same rates waived. A new version of a schedule starts a new line even at an unchanged rate, because each
 * line cites the version and document it was charged under.
 */
function samePricing(a: Choice, b: Choice): boolean {
  if (a === b) return true
  if (a.charges.length !== b.charges.length || a.waived.length !== b.waived.length) return false
  for (let i = 0; i < a.charges.length; i++) {
    const x = a.charges[i]
    const y = b.charges[i]
    if (
      x.schedule.id !== y.schedule.id ||
      x.origin.file !== y.origin.file ||
      x.origin.line !== y.origin.line ||
      x.origin.overrideId !== y.origin.overrideId ||
      x.reason !== y.reason ||
      x.rateText !== y.rateText
    )
      return false
  }
  for (let i = 0; i < a.waived.length; i++)
    if (
      a.waived[i].schedule.id !== b.waived[i].schedule.id ||
      a.waived[i].rateText !== b.waived[i].rateText
    )
      return false
  return true
}

function lineOf(
  tables: PricingTables,
  seg: Segment,
  c: Charge,
  charged: Money,
  amount: string,
): QuoteLine {
  return {
    from: tables.iso(seg.from),
    to: tables.iso(seg.to),
    days: (seg.to - seg.from) / DAY,
    scheduleId: c.schedule.id,
    label: c.schedule.label,
    basis: c.schedule.basis,
    reason: c.reason,
    rate: c.rateText,
    quantity: charged.toDecimalPlaces(3).toString(),
    origin: c.origin,
    document: c.schedule.source.document,
    amount,
  }
}

function quantityOf(value: unknown, field: string): Money {
  const q = parseDecimal(value)
  if (!q) throw new QuoteError(`${field} must be a decimal number, got ${JSON.stringify(value)}`)
  if (q.isNegative()) throw new QuoteError(`${field} must not be negative, got ${q.toString()}`)
  return q
}

/** The metered quantity falling in [from, to), prorated by days within each reading. */
function quantityIn(pieces: Piece[], from: number, to: number): Money {
  let q: Money | undefined
  for (const p of pieces) {
    const a = Math.max(p.from, from)
    const b = Math.min(p.to, to)
    if (b <= a) continue
    // A reading wholly inside the interval counts in full; only a partial one is prorated by days.
    const part =
      a === p.from && b === p.to ? p.quantity : p.quantity.times(b - a).dividedBy(p.to - p.from)
    q = q ? q.plus(part) : part
  }
  return q ?? new Money(0)
}

function amountOf(
  c: Charge,
  qty: Money,
  from: number,
  to: number,
): { charged: Money; amount: Money } {
  if (c.kind === 'per-unit') return { charged: qty, amount: qty.times(c.rate) }
  const band = c.band!
  // The annual quota is prorated by days over the segment (a segment never crosses a year).
  const year = new Date(from).getUTCFullYear()
  const share = new Money(to - from).dividedBy(DAY * daysInYear(year))
  const quota = c.annualQuota!.times(share)
  const lower = quota.times(band.lower)
  const upper = band.upper ? quota.times(band.upper) : undefined
  const over = qty.minus(quota)
  let charged = Money.max(0, Money.min(over, upper ?? over).minus(lower))
  if (quota.isZero()) charged = new Money(0)
  return { charged, amount: charged.times(c.rate) }
}

export interface ResourceRate {
  resource: Resource
  unit: string
  /** Yuan per unit charged on this date (after stacking); quota schedules depend on use and are listed apart. */
  rate: string
  stacking: 'sum' | 'max'
  schedules: {
    scheduleId: string
    label: string
    basis: SurchargeC['basis']
    rate: string
    reason: string
    charged: boolean
  }[]
  quota: {
    scheduleId: string
    label: string
    annualQuota: number
    basePrice: string
    bands: { overFrom: number; overTo?: number; extraMultiple: string }[]
  }[]
}

/** The surcharge rate per resource in force for an enterprise on `date` (what a utility bills per unit). */
export function ratesOn(
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  date: string,
  options: QuoteOptions = {},
): { evaluationYear: number; rates: ResourceRate[]; notes: string[] } {
  pricingTables(rulebook).date(date, 'date')
  const result = bindingOn(history, date)
  const year = result?.year ?? Number(date.slice(0, 4)) - 1
  const notes = new Set<string>()
  const rates: ResourceRate[] = []
  if (!result) notes.add(`no published evaluation binds on ${date}: no class or category applies`)
  else if (result.year < Number(date.slice(0, 4)) - 1)
    notes.add(
      `evaluation ${result.year} still applies on ${date}: the evaluation of ${Number(date.slice(0, 4)) - 1} is not published yet`,
    )
  const county = result?.county ?? history[0]?.county
  const rules = resolve(rulebook, county ?? rulebook.meta.counties[0].code, date, options)
  for (const res of rulebook.meta.resources) {
    const stacking = rules.sections.stacking.find((x) => x.resource === res.id)?.mode ?? 'sum'
    const perUnit: Charge[] = []
    const quota: ResourceRate['quota'] = []
    if (result) {
      for (const s of rules.sections.surcharges) {
        if (s.resource !== res.id || (s.sectors && !s.sectors.includes(result.sector))) continue
        const gate = s.list === undefined ? undefined : listGate(options.lists, s.list, s.id, date)
        if (gate && !gate.pays) {
          notes.add(gate.note)
          continue
        }
        for (const c of chargesFor(
          s,
          result,
          history,
          rulebook,
          rules.sections.indicators,
          notes,
        )) {
          if (c.kind === 'per-unit')
            perUnit.push(gate ? { ...c, reason: `${c.reason}, ${gate.reason}` } : c)
          else if (!quota.some((q) => q.scheduleId === s.id)) {
            const terms = kindOf(s).quotaTerms?.(s)
            if (terms)
              quota.push({
                scheduleId: s.id,
                label: s.label,
                annualQuota: Number(result.figures[terms.quotaInput] ?? 0),
                basePrice: terms.basePrice,
                bands: terms.bands,
              })
          }
        }
      }
    }
    let chargedIdx = perUnit.map((_, i) => i)
    if (stacking === 'max' && perUnit.length > 1) {
      chargedIdx = [highest(perUnit.map((c) => c.rate))]
    }
    const total = chargedIdx.reduce((a, i) => a.plus(perUnit[i].rate), new Money(0))
    rates.push({
      resource: res.id,
      unit: res.unit,
      rate: total.toString(),
      stacking,
      schedules: perUnit.map((c, i) => ({
        scheduleId: c.schedule.id,
        label: c.schedule.label,
        basis: c.schedule.basis,
        rate: c.rate.toString(),
        reason: c.reason,
        charged: chargedIdx.includes(i),
      })),
      quota,
    })
  }
  return { evaluationYear: year, rates, notes: [...notes] }
}
