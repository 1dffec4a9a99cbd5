/**
 * A firm's tariff: the rule intervals of a year with the charges each schedule makes there, built once per history
 * and shared between firms that price alike; and what pricing derives from a rulebook to build them (parsed dates,
 * rates as Money, quota bands, the tariffs of each history), kept with the rulebook (see rulebook/derived).
 * @module pricing/tariff
 */
import { QuoteError } from '../errors.ts'
import { makeResolver } from '../rating/rate.ts'
import type { Rulebook, SurchargeC } from '../rulebook/compile.ts'
import { type DerivedKind, getOrMake, getOrMakeBounded } from '../rulebook/derived.ts'
import { resolve, ruleBoundaries } from '../rulebook/resolve.ts'
import type { Resource } from '../rulebook/schema.ts'
import { type ChargeMaker, kindOf, type QuotaBandSpec } from '../rulebook/tariff-kinds/index.ts'
import { bindingOf, bindingOn, type QuoteOptions, type RatedFacts } from './facts.ts'
import { listBoundaries, listGate, listsKey } from './lists.ts'
import { Money } from './money.ts'

export const DAY = 86_400_000

/** Where a charged schedule is written: its file and line, and the override that brought it. */
export interface ChargeOrigin {
  file: string
  line: number
  overrideId?: string
}

/**
 * What pricing derives from one rulebook. Parsed and formatted dates and rates are remembered: a quote handles a few
 * distinct ones many times over. The parts of a charge that only depend on the rulebook are made once and shared.
 */
export class PricingTables {
  private readonly parsedDates = new Map<string, number>()
  private readonly formattedDates = new Map<number, string>()
  /** Rates as Money, built once per distinct string (Decimals are immutable, so shared). */
  private readonly rates = new Map<string, Money>()
  /** Each history's tariffs, by resource, year and preview (see tariffOf). */
  readonly tariffs = new WeakMap<readonly RatedFacts[], Map<string, TariffInterval[]>>()
  readonly interner = new TariffInterner()
  readonly bands = new WeakMap<QuotaBandSpec, QuotaBand>()
  readonly origins = new WeakMap<SurchargeC, ChargeOrigin>()
  readonly rateTexts = new WeakMap<Money, string>()

  /** An ISO date (YYYY-MM-DD) as UTC milliseconds; a QuoteError naming `field` when it is not one. */
  date(value: string, field: string): number {
    // A known date is answered without building the closure that reports errors on the given field.
    return (
      this.parsedDates.get(value) ??
      getOrMakeBounded(this.parsedDates, value, () => parseIsoDate(value, field), 50_000)
    )
  }

  /** UTC milliseconds as an ISO date. */
  iso(t: number): string {
    return getOrMakeBounded(this.formattedDates, t, formatDate, 50_000)
  }

  /** A rulebook rate as Money. */
  rate(value: string): Money {
    return getOrMakeBounded(this.rates, value, toMoney, 10_000)
  }
}

const PRICING: DerivedKind<PricingTables> = { name: 'pricing', make: () => new PricingTables() }

/** What pricing derives from `rulebook`, made once per rulebook. */
export const pricingTables = (rulebook: Rulebook): PricingTables => rulebook.derived.of(PRICING)

function parseIsoDate(value: string, field: string): number {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value))
    throw new QuoteError(`${field} must be an ISO date YYYY-MM-DD, got ${JSON.stringify(value)}`)
  const t = Date.parse(`${value}T00:00:00Z`)
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== value)
    throw new QuoteError(`${field} '${value}' is not a calendar date`)
  return t
}
const formatDate = (t: number) => new Date(t).toISOString().slice(0, 10)
const toMoney = (value: string) => new Money(value)

export interface Charge {
  schedule: SurchargeC
  reason: string
  rate: Money
  /** The rate as quote lines show it, and the schedule's origin, made once. */
  rateText: string
  origin: ChargeOrigin
  /** quantity → { quantity charged, amount } for a segment; quota charges depend on the segment's quota. */
  kind: 'per-unit' | 'quota'
  /** Quota charges: the band (shared by every enterprise) and this enterprise's annual quota. */
  band?: QuotaBand
  annualQuota?: Money
}

/** One band of a quota schedule, made once per rulebook band. */
export interface QuotaBand {
  lower: Money
  upper?: Money
  rate: Money
}

export interface Choice {
  charges: Charge[]
  waived: Charge[]
  quota: boolean
}

/** The stretch between two rule boundaries of one year: what could be charged there, before any quantity is known. */
export interface TariffInterval {
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
    return getOrMake(this.ids, o, () => this.next++)
  }

  // A charge is determined by its schedule, kind, reason and rate: the reason states the class, years, category,
  // measure or quota that chose the rate.
  charge(c: Charge): Charge {
    const key = [this.idOf(c.schedule), c.kind, c.reason, c.rateText].join('\u0001')
    return getOrMakeBounded(this.charges, key, () => c, SHARED_LIMIT)
  }

  interval(i: TariffInterval): TariffInterval {
    let key = `${i.from}\u0001${i.to}\u0001${i.stacking}\u0001${i.notes.join('\u0002')}`
    for (const group of i.applicable) key += `\u0001${group.map((c) => this.idOf(c)).join(',')}`
    return getOrMakeBounded(this.intervals, key, () => i, SHARED_LIMIT)
  }

  year(list: TariffInterval[]): TariffInterval[] {
    return getOrMakeBounded(
      this.years,
      list.map((i) => this.idOf(i)).join(','),
      () => list,
      SHARED_LIMIT,
    )
  }
}

/**
 * The rule intervals of calendar year `year` for one enterprise and resource, with their charges. They depend only
 * on the rulebook and the enterprise's (frozen, published) history, never on the quantity or the period, so they
 * are built once per history and reused by every quote, however the period and readings fall.
 */
export function tariffOf(
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  resource: Resource,
  year: number,
  options: QuoteOptions,
): TariffInterval[] {
  const tables = pricingTables(rulebook)
  const memo = getOrMake(tables.tariffs, history, () => new Map<string, TariffInterval[]>())
  const key = [resource, year, options.preview ?? '', listsKey(options.lists)].join('|')
  const known = memo.get(key)
  if (known) return known

  const county = history[0].county
  const first = `${year}-01-01`
  const points = [Date.UTC(year, 0, 1)]
  for (const d of ruleBoundaries(rulebook, county, first, `${year + 1}-01-01`))
    points.push(tables.date(d, 'boundary'))
  // An evaluation published during the year starts to bind on its publication date: a boundary too.
  for (const h of history) {
    const b = bindingOf(h)
    if (b > first && b < `${year + 1}-01-01`) points.push(tables.date(b, 'binding date'))
  }
  // A day a firm's standing on a designated list changes (its entry, removal, the end of a transition): a boundary.
  for (const d of listBoundaries(options.lists))
    if (d > first && d < `${year + 1}-01-01`) points.push(tables.date(d, 'list date'))
  points.push(Date.UTC(year + 1, 0, 1))
  points.sort((a, b) => a - b)
  for (let i = points.length - 1; i > 0; i--) if (points[i] === points[i - 1]) points.splice(i, 1)
  const intern = tables.interner

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
      /** The charges as made to a firm on the schedule's list (their reason names the list and entry). */
      listed?: Map<string, Charge[]>
    }
  >()
  for (let i = 0; i + 1 < points.length; i++) {
    const rules = resolve(rulebook, county, tables.iso(points[i]), options)
    const { indicators } = rules.sections
    const notes = new Set<string>()
    const result = bindingOn(history, tables.iso(points[i]))
    if (!result)
      notes.add(
        `no published evaluation binds from ${tables.iso(points[i])} to ${tables.iso(points[i + 1] - DAY)}: no class or category applies`,
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
      if (m.charges.length === 0) continue
      if (s.list === undefined) {
        applicable.push(m.charges)
        continue
      }
      const gate = listGate(options.lists, s.list, s.id, tables.iso(points[i]))
      if (!gate.pays) {
        notes.add(gate.note)
        continue
      }
      m.listed ??= new Map()
      applicable.push(
        getOrMake(m.listed, gate.reason, (why) =>
          m!.charges.map((c) => intern.charge({ ...c, reason: `${c.reason}, ${why}` })),
        ),
      )
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
export const ownCharge = (c: Charge) => kindOf(c.schedule).ownFigures

/** Stacking `max`: the index of the highest amount; on a tie the first schedule (rulebook order) is charged. */
export function highest(values: Money[]): number {
  let best = 0
  for (let k = 1; k < values.length; k++) if (values[k].greaterThan(values[best])) best = k
  return best
}

function consecutiveYears(history: readonly RatedFacts[], year: number, cls: string): number {
  const byYear = new Map(history.map((h) => [h.year, h.class]))
  let n = 0
  while (byYear.get(year - n) === cls) n++
  return n
}

/** The charges schedule `s` makes for the evaluation result `result` (its kind decides how). */
export function chargesFor(
  s: SurchargeC,
  result: RatedFacts,
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  indicators: Rulebook['sections']['indicators'],
  notes: Set<string>,
): Charge[] {
  return kindOf(s).charges<Charge>(s, new Maker(s, result, history, rulebook, indicators, notes))
}

/**
 * What a kind makes its charges with, for one schedule and result. A class, not an object of arrow functions: one
 * is made per schedule of every tariff interval, and its methods are made once.
 */
class Maker implements ChargeMaker<Charge> {
  private readonly tables: PricingTables

  constructor(
    private readonly s: SurchargeC,
    readonly facts: RatedFacts,
    private readonly history: readonly RatedFacts[],
    private readonly rulebook: Rulebook,
    private readonly indicators: Rulebook['sections']['indicators'],
    private readonly notes: Set<string>,
  ) {
    this.tables = pricingTables(rulebook)
  }

  consecutiveYears(cls: string): number {
    return consecutiveYears(this.history, this.facts.year, cls)
  }

  classLabel(id: string): string | undefined {
    return this.rulebook.meta.classes.find((c) => c.id === id)?.label
  }

  measure(id: string): number {
    return makeResolver(this.facts.figures, this.rulebook, this.indicators)(id) as number
  }

  rate(text: string): Money {
    return this.tables.rate(text)
  }

  perUnit(rate: Money, reason: string): Charge {
    return chargeOf(this.tables, this.s, rate, reason)
  }

  overQuota(band: QuotaBandSpec, basePrice: string, annual: Money, reason: string): Charge {
    const b = bandOf(this.tables, band, basePrice)
    return chargeOf(this.tables, this.s, b.rate, reason, { band: b, annual })
  }

  note(text: string): void {
    this.notes.add(text)
  }
}

function bandOf(tables: PricingTables, b: QuotaBandSpec, basePrice: string): QuotaBand {
  return getOrMake(tables.bands, b, () => ({
    lower: new Money(b.overFrom),
    upper: b.overTo !== undefined ? new Money(b.overTo) : undefined,
    rate: new Money(basePrice).times(b.extraMultiple),
  }))
}

// The parts of a charge that only depend on the rulebook are made once and shared: a tariff is remembered per
// enterprise (see tariffOf), so every copy would count thousands of times over.
function chargeOf(
  tables: PricingTables,
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
    rateText: getOrMake(tables.rateTexts, rate, String),
    origin: getOrMake(tables.origins, s, ({ origin: { file, line, overrideId } }) =>
      Object.freeze({ file, line, overrideId }),
    ),
    band: quota?.band,
    annualQuota: quota?.annual,
  }
}
