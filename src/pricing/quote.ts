/**
 * Prices a billing period: itemised surcharge lines in exact yuan, split at every rule or class change.
 * Pure: an enterprise's rating history and the rulebook in, a quote with its reasons out.
 * @module pricing/quote
 */
import { FormulaEvalError, QuoteError } from '../errors.ts'
import { memoized, remember } from '../memo.ts'
import { makeResolver, type RatingResult } from '../rating/rate.ts'
import type { Rulebook, SurchargeC } from '../rulebook/compile.ts'
import { resolve, ruleBoundaries } from '../rulebook/resolve.ts'
import type { Resource } from '../rulebook/schema.ts'
import { allocateFen, Money, parseDecimal, yuan } from './money.ts'

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
  origin: { file: string; line: number; overrideId?: string }
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

/**
 * What pricing needs of an enterprise's evaluation result for one year, and from when it binds: the class of the
 * evaluation of year Y applies from `bindingFrom` (Y+1-01-01 when not given, or its later publication date) until a
 * later evaluation binds.
 */
export type RatedFacts = Pick<
  RatingResult,
  'creditCode' | 'county' | 'year' | 'class' | 'category' | 'sector' | 'figures'
> & { bindingFrom?: string; runId?: number }

const bindingOf = (h: RatedFacts) => h.bindingFrom ?? `${h.year + 1}-01-01`

/**
 * The evaluation result that binds on `date`: the latest evaluation of an earlier year whose binding date has come.
 * A year's evaluation published late leaves the previous one in force until its publication.
 */
export function bindingOn(history: readonly RatedFacts[], date: string): RatedFacts | undefined {
  const year = Number(date.slice(0, 4))
  let best: RatedFacts | undefined
  // A re-publication of the same year binds from its own day; until then the run it replaced still binds (never
  // an older year's). The history is in (year, binding day, publication) order, so on a tie the later one wins.
  for (const h of history)
    if (
      h.year < year &&
      bindingOf(h) <= date &&
      (!best || h.year > best.year || (h.year === best.year && bindingOf(h) >= bindingOf(best)))
    )
      best = h
  return best
}

export interface QuoteOptions {
  /** Apply this pending override as if in force (preview). */
  preview?: string
  /** The firm was closed on this day (ISO date): nothing is charged from it on. */
  closedFrom?: string
  /** The record of the closure, for the note. */
  closedBy?: string
}

const DAY = 86_400_000
const MAX_DAYS = 366 * 5

// Parsed and formatted dates and rulebook rates are remembered: a quote handles a few distinct ones many times over.
const parsedDates = new Map<string, number>()
const formattedDates = new Map<number, string>()
/** Rates as Money, built once per distinct string (Decimals are immutable, so shared). */
const rates = new Map<string, Money>()

export function isoDate(value: string, field: string): number {
  // A known date is answered without building the closure that reports errors on the given field.
  return (
    parsedDates.get(value) ??
    remember(
      parsedDates,
      value,
      () => {
        if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
          throw new QuoteError(
            `${field} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(value)}`,
          )
        const t = Date.parse(`${value}T00:00:00Z`)
        if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value)
          throw new QuoteError(`${field} '${value}' is not a calendar date`)
        return t
      },
      50_000,
    )
  )
}
const formatDate = (t: number) => new Date(t).toISOString().slice(0, 10)
const iso = (t: number) => remember(formattedDates, t, formatDate, 50_000)
const toMoney = (value: string) => new Money(value)
const rateOf = (value: string) => remember(rates, value, toMoney, 10_000)
const daysInYear = (y: number) => (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 366 : 365)

interface Piece {
  from: number
  to: number
  quantity: Money
}

interface Charge {
  schedule: SurchargeC
  reason: string
  rate: Money
  /** The rate as quote lines show it, and the schedule's origin, made once. */
  rateText: string
  origin: QuoteLine['origin']
  /** quantity → { quantity charged, amount } for a segment; quota charges depend on the segment's quota. */
  kind: 'per-unit' | 'quota'
  /** Quota charges: the band (shared by every enterprise) and this enterprise's annual quota. */
  band?: QuotaBand
  annualQuota?: Money
}

/** One band of a quota schedule, made once per rulebook band. */
interface QuotaBand {
  lower: Money
  upper?: Money
  rate: Money
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
  const creditCode = history[0].creditCode
  const county = history[0].county
  const resource = rulebook.meta.resources.find((r) => r.id === request.resource)
  if (!resource)
    throw new QuoteError(
      `unknown resource '${request.resource}' (one of ${rulebook.meta.resources.map((r) => r.id).join(', ')})`,
    )
  const start = isoDate(request.from, 'from')
  const end = isoDate(request.to, 'to')
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
      const f = isoDate(r.from, `readings[${i}].from`)
      const t = isoDate(r.to, `readings[${i}].to`)
      if (f !== cursor)
        throw new QuoteError(
          `readings[${i}] starts ${r.from}, expected ${iso(cursor)}: readings must tile the period without gaps or overlaps`,
        )
      if (t <= f) throw new QuoteError(`readings[${i}] is empty or reversed`)
      pieces.push({ from: f, to: t, quantity: quantityOf(r.quantity, `readings[${i}].quantity`) })
      cursor = t
    })
    if (cursor !== end)
      throw new QuoteError(`readings end ${iso(cursor)}, but the period ends ${request.to}`)
  } else {
    if (request.quantity === undefined) throw new QuoteError('quantity is required')
    pieces.push({ from: start, to: end, quantity: quantityOf(request.quantity, 'quantity') })
  }
  const totalQuantity =
    pieces.length === 1
      ? pieces[0].quantity
      : pieces.reduce((a, p) => a.plus(p.quantity), new Money(0))

  // The rule intervals of each year the period touches (memoised, see tariffOf), clipped to the period and cut
  // again at every meter-reading boundary, become the billing segments.
  const notes = new Set<string>()
  const segments: Segment[] = []
  // A closed firm's period stops at its closure day: the days from it carry no segment, so no charge.
  const stop = options.closedFrom ? Math.min(end, isoDate(options.closedFrom, 'closedFrom')) : end
  if (stop < end)
    notes.add(
      `closed on ${options.closedFrom}${options.closedBy ? ` (${options.closedBy})` : ''}: nothing is charged from that day`,
    )
  let next = 0
  for (let y = new Date(start).getUTCFullYear(); Date.UTC(y, 0, 1) < end; y++) {
    for (const interval of tariffOf(history, rulebook, resource.id, y, options)) {
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

  const lines: QuoteLine[] = []
  const exact: Money[] = []
  const waivedLines: QuoteLine[] = []
  for (const seg of segments) {
    const qty = quantityIn(pieces, seg.from, seg.to)
    for (const c of seg.choice.charges) {
      const { charged, amount } = amountOf(c, qty, seg.from, seg.to)
      if (charged.isZero()) continue
      lines.push(lineOf(seg, c, charged, ''))
      exact.push(amount)
    }
    for (const c of seg.choice.waived) {
      const { charged, amount } = amountOf(c, qty, seg.from, seg.to)
      if (!charged.isZero()) waivedLines.push(lineOf(seg, c, charged, yuan(amount)))
    }
  }
  const amounts = allocateFen(exact)
  for (let i = 0; i < lines.length; i++) lines[i].amount = amounts[i].toFixed(2)
  const total =
    lines.length === 1
      ? lines[0].amount
      : amounts.reduce((a, b) => a.plus(b), new Money(0)).toFixed(2)
  return {
    creditCode,
    county,
    resource: resource.id,
    unit: resource.unit,
    from: request.from,
    to: request.to,
    quantity: totalQuantity.toString(),
    lines,
    waived: waivedLines,
    notes: [...notes],
    total,
  }
}

/** A billing segment: a stretch of the period with one set of charges. */
interface Segment {
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

function lineOf(seg: Segment, c: Charge, charged: Money, amount: string): QuoteLine {
  return {
    from: iso(seg.from),
    to: iso(seg.to),
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

interface Choice {
  charges: Charge[]
  waived: Charge[]
  quota: boolean
}

/** The stretch between two rule boundaries of one year: what could be charged there, before any quantity is known. */
interface TariffInterval {
  from: number
  to: number
  year: number
  /** One group of charges per applicable schedule, in rulebook order. */
  applicable: Charge[][]
  stacking: 'sum' | 'max'
  notes: string[]
  /** Remembered choices: [0] all groups charged, [k + 1] only group k. */
  choices: Choice[]
}

const tariffs = new WeakMap<
  Rulebook,
  WeakMap<readonly RatedFacts[], Map<string, TariffInterval[]>>
>()

// Past this many distinct entries a sharing table starts over: sharing is an economy, never needed for a right answer.
const SHARED_LIMIT = 100_000

/**
 * Shares equal charges, intervals and years between enterprises (most firms of a class and county price alike), so
 * that remembering a firm's class- or category-based tariff costs a reference, not a copy.
 */
class TariffInterner {
  private charges = new Map<string, Charge>()
  private intervals = new Map<string, TariffInterval>()
  private years = new Map<string, TariffInterval[]>()
  private ids = new WeakMap<object, number>()
  private next = 0

  private idOf(o: object): number {
    return memoized(this.ids, o, () => this.next++)
  }

  // A charge is determined by its schedule, kind, reason and rate: the reason states the class, years, category,
  // measure or quota that chose the rate.
  charge(c: Charge): Charge {
    const key = [this.idOf(c.schedule), c.kind, c.reason, c.rateText].join('\u0001')
    return remember(this.charges, key, () => c, SHARED_LIMIT)
  }

  interval(i: TariffInterval): TariffInterval {
    let key = `${i.from}\u0001${i.to}\u0001${i.stacking}\u0001${i.notes.join('\u0002')}`
    for (const group of i.applicable) key += `\u0001${group.map((c) => this.idOf(c)).join(',')}`
    return remember(this.intervals, key, () => i, SHARED_LIMIT)
  }

  year(list: TariffInterval[]): TariffInterval[] {
    return remember(this.years, list.map((i) => this.idOf(i)).join(','), () => list, SHARED_LIMIT)
  }
}

const interners = new WeakMap<Rulebook, TariffInterner>()

/**
 * The rule intervals of calendar year `year` for one enterprise and resource, with their charges. They depend only
 * on the rulebook and the enterprise's (frozen, published) history, never on the quantity or the period, so they
 * are built once per history and reused by every quote, however the period and readings fall.
 */
function tariffOf(
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  resource: Resource,
  year: number,
  options: QuoteOptions,
): TariffInterval[] {
  const byHistory = memoized(tariffs, rulebook, () => new WeakMap())
  const memo = memoized(byHistory, history, () => new Map())
  const key = [resource, year, options.preview ?? ''].join('|')
  const known = memo.get(key)
  if (known) return known

  const county = history[0].county
  const first = `${year}-01-01`
  const points = [Date.UTC(year, 0, 1)]
  for (const d of ruleBoundaries(rulebook, county, first, `${year + 1}-01-01`))
    points.push(isoDate(d, 'boundary'))
  // An evaluation published during the year starts to bind on its publication date: a boundary too.
  for (const h of history) {
    const b = bindingOf(h)
    if (b > first && b < `${year + 1}-01-01`) points.push(isoDate(b, 'binding date'))
  }
  points.push(Date.UTC(year + 1, 0, 1))
  points.sort((a, b) => a - b)
  for (let i = points.length - 1; i > 0; i--) if (points[i] === points[i - 1]) points.splice(i, 1)
  const intern = memoized(interners, rulebook, () => new TariffInterner())

  const out: TariffInterval[] = []
  let allShared = true
  // A schedule unchanged across a rule boundary charges the firm alike on both sides: its charges are made once.
  const made = new Map<
    SurchargeC,
    {
      indicators: Rulebook['sections']['indicators']
      result: RatedFacts
      charges: Charge[]
      notes: string[]
    }
  >()
  for (let i = 0; i + 1 < points.length; i++) {
    const rules = resolve(rulebook, county, iso(points[i]), options)
    const { indicators } = rules.sections
    const notes = new Set<string>()
    const result = bindingOn(history, iso(points[i]))
    if (!result)
      notes.add(
        `no published evaluation binds from ${iso(points[i])} to ${iso(points[i + 1] - DAY)}: no class or category applies`,
      )
    else if (result.year < year - 1)
      notes.add(
        `evaluation ${result.year} still applies: the evaluation of ${year - 1} binds only once it is published`,
      )
    const applicable: Charge[][] = []
    for (const s of rules.sections.surcharges) {
      if (s.resource !== resource || !result) continue
      if (s.sectors && !s.sectors.includes(result.sector)) continue
      let m = made.get(s)
      if (!m || m.indicators !== indicators || m.result !== result) {
        const own = new Set<string>()
        const charges = chargesFor(s, result, history, rulebook, indicators, own)
        m = {
          indicators,
          result,
          charges: charges.map((c) => (ownCharge(c) ? c : intern.charge(c))),
          notes: [...own],
        }
        made.set(s, m)
      }
      for (const n of m.notes) notes.add(n)
      if (m.charges.length > 0) applicable.push(m.charges)
    }
    // Arrays that grow by push keep spare room; what is kept with every firm's tariff is copied to its exact size.
    const exact = applicable.slice()
    const interval: TariffInterval = {
      from: points[i],
      to: points[i + 1],
      year,
      applicable: exact,
      stacking: rules.sections.stacking.find((x) => x.resource === resource)?.mode ?? 'sum',
      notes: [...notes],
      choices: new Array(exact.length + 1),
    }
    const shareable = !exact.some((group) => group.some(ownCharge))
    out.push(shareable ? intern.interval(interval) : interval)
    allShared &&= shareable
  }
  const tariff = allShared ? intern.year(out) : out.slice()
  memo.set(key, tariff)
  return tariff
}

/** A charge that depends on the enterprise's own figures (its quota or measured intensity): not worth sharing. */
const ownCharge = (c: Charge) => c.kind === 'quota' || c.schedule.basis === 'intensity'

/** Stacking `max`: the index of the highest amount; on a tie the first schedule (rulebook order) is charged. */
function highest(values: Money[]): number {
  let best = 0
  for (let k = 1; k < values.length; k++) if (values[k].greaterThan(values[best])) best = k
  return best
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

function consecutiveYears(history: readonly RatedFacts[], year: number, cls: string): number {
  const byYear = new Map(history.map((h) => [h.year, h.class]))
  let n = 0
  while (byYear.get(year - n) === cls) n++
  return n
}

function chargesFor(
  s: SurchargeC,
  result: RatedFacts,
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  indicators: Rulebook['sections']['indicators'],
  notes: Set<string>,
): Charge[] {
  if (s.basis === 'class') {
    if (!result.class) return []
    const years = consecutiveYears(history, result.year, result.class)
    const rows = s.rates!.filter(
      (r) => r.class === result.class && (r.minConsecutiveYears ?? 1) <= years,
    )
    if (rows.length === 0) return []
    const row = rows.reduce((a, b) =>
      (b.minConsecutiveYears ?? 1) > (a.minConsecutiveYears ?? 1) ? b : a,
    )
    const label = rulebook.meta.classes.find((c) => c.id === result.class)?.label
    return [
      chargeOf(
        s,
        rateOf(row.rate),
        `class ${result.class} ${label} (evaluation ${result.year}${years > 1 ? `, ${years} consecutive years` : ''})`,
      ),
    ]
  }
  if (s.basis === 'category') {
    if (!result.category) return []
    const row = s.rates!.find((r) => r.category === result.category!.category)
    if (!row) return []
    return [
      chargeOf(
        s,
        rateOf(row.rate),
        `${result.category.label} (${result.category.table}${result.category.row ? `: ${result.category.row}` : ''}, evaluation ${result.year})`,
      ),
    ]
  }
  if (s.basis === 'intensity') {
    const spec = s.intensity!
    let measure: number
    try {
      measure = makeResolver(result.figures, rulebook, indicators)(spec.measure) as number
    } catch (e) {
      if (e instanceof FormulaEvalError) {
        notes.add(`${s.id} not applied: ${e.message}`)
        return []
      }
      throw e
    }
    if (measure <= spec.threshold) return []
    const raw = (measure - spec.threshold) / spec.step
    const steps = spec.rounding === 'ceil' ? Math.ceil(raw - 1e-12) : Math.floor(raw + 1e-12)
    let rate = new Money(spec.ratePerStep).times(steps)
    if (spec.maxRate && rate.greaterThan(spec.maxRate)) rate = new Money(spec.maxRate)
    if (rate.isZero()) return []
    return [
      chargeOf(
        s,
        rate,
        [
          spec.measure,
          ' ',
          +measure.toFixed(3),
          ' over ',
          spec.threshold,
          ' by ',
          steps,
          ' step(s) of ',
          spec.step,
        ].join(''),
      ),
    ]
  }
  const spec = s.quota!
  const annual = result.figures[spec.quotaInput]
  if (typeof annual !== 'number' || annual <= 0) {
    notes.add(`${s.id} not applied: no ${spec.quotaInput} on record for ${result.year}`)
    return []
  }
  const quota = new Money(String(annual))
  return spec.bands.map((b) =>
    chargeOf(
      s,
      bandOf(b, spec.basePrice).rate,
      // Joined, not a template literal: the reason is kept with the firm's tariff, and a template literal would
      // keep it as a tree of its pieces (about 350 bytes instead of 130).
      [
        'over quota ',
        b.overFrom * 100,
        '%–',
        b.overTo !== undefined ? `${b.overTo * 100}%` : '∞',
        ' (annual quota ',
        annual,
        ', +',
        b.extraMultiple,
        ' × ',
        spec.basePrice,
        ')',
      ].join(''),
      { band: bandOf(b, spec.basePrice), annual: quota },
    ),
  )
}

type BandSpec = NonNullable<SurchargeC['quota']>['bands'][number]
const bands = new WeakMap<BandSpec, QuotaBand>()
const origins = new WeakMap<SurchargeC, QuoteLine['origin']>()
const rateTexts = new WeakMap<Money, string>()

function bandOf(b: BandSpec, basePrice: string): QuotaBand {
  return memoized(bands, b, () => ({
    lower: new Money(b.overFrom),
    upper: b.overTo !== undefined ? new Money(b.overTo) : undefined,
    rate: new Money(basePrice).times(b.extraMultiple),
  }))
}

// The parts of a charge that only depend on the rulebook are made once and shared: a tariff is remembered per
// enterprise (see tariffOf), so every copy would count thousands of times over.
function chargeOf(
  s: SurchargeC,
  rate: Money,
  reason: string,
  quota?: { band: QuotaBand; annual: Money },
): Charge {
  return {
    schedule: s,
    kind: quota ? 'quota' : 'per-unit',
    rate,
    reason,
    rateText: memoized(rateTexts, rate, String),
    origin: memoized(origins, s, ({ origin: { file, line, overrideId } }) =>
      Object.freeze({ file, line, overrideId }),
    ),
    band: quota?.band,
    annualQuota: quota?.annual,
  }
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
  isoDate(date, 'date')
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
        for (const c of chargesFor(
          s,
          result,
          history,
          rulebook,
          rules.sections.indicators,
          notes,
        )) {
          if (c.kind === 'per-unit') perUnit.push(c)
          else if (!quota.some((q) => q.scheduleId === s.id)) {
            quota.push({
              scheduleId: s.id,
              label: s.label,
              annualQuota: Number(result.figures[s.quota!.quotaInput] ?? 0),
              basePrice: s.quota!.basePrice,
              bands: s.quota!.bands,
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
