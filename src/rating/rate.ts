/**
 * Rates a population for an evaluation year: scope and group, indicators, peer benchmarks, points, bonuses,
 * classes by rank share or score, vetoes, and the sector category. Pure, deterministic, order independent.
 *
 * Built for a million enterprises: rules are planned once per county, peers share one context per
 * county × sector × group, and each result keeps only its indicator values and points, in a shared Float64Array slab;
 * the readable trace (`indicators`) is assembled from those, the peer context and the rule items when it is read.
 * @module rating/rate
 */

import type { Enterprise } from '../enterprise/enterprise.ts'
import { FormulaEvalError } from '../errors.ts'
import {
  compileBatch,
  type FormulaBatch,
  type FormulaScope,
  type FormulaValue,
} from '../formula/compile.ts'
import {
  type ClassSchemeC,
  EVALUATION_YEAR,
  type GroupC,
  type IndicatorC,
  type Origin,
  type Rulebook,
  type ScoringC,
  type SectorTableC,
} from '../rulebook/compile.ts'
import { type DerivedKind, getOrMake } from '../rulebook/derived.ts'
import { resolve } from '../rulebook/resolve.ts'
import type { Input, PeerDimension } from '../rulebook/schema.ts'

export type RatingStatus = 'rated' | 'out_of_scope' | 'invalid'

/** One indicator's part of the score: the trace a bureau or an enterprise reads. */
export interface IndicatorTrace {
  id: string
  label: string
  unit: string
  formula: string
  value: number
  benchmark: number
  benchmarkKind: string
  ratio: number
  cappedRatio: number
  weight: number
  points: number
}

export interface AppliedRule {
  section: string
  id: string
  label: string
  from: string
  file: string
  line: number
  document: string
  assumed: boolean
}

export interface Adjustment {
  id: string
  label: string
  kind: 'bonus' | 'deduction'
  points: number
}
export interface VetoHit {
  id: string
  label: string
  effect: 'force' | 'cap' | 'floor'
  class: string
  applied: boolean
}

export interface RateOptions {
  /** Apply this pending override as if in force (what-if preview). */
  preview?: string
  /**
   * The figures already passed `figureProblems` (e.g. they come from the database, validated at import), so the
   * per-figure check is skipped. Formulas still refuse missing figures and non-finite results.
   */
  trusted?: boolean
  /**
   * Benchmarks and ranks come from these published statistics instead of this population's own (self-checks:
   * one firm rated as the bureau's published run would have rated it). A group the frame does not know is
   * benchmarked and ranked within the population given, as usual.
   */
  against?: PeerFrame
  /** Filled with this call's peer statistics and ranked scores, to be stored with a run and used as `against`. */
  record?: PeerFrame
}

/**
 * The peer statistics of one rating: each benchmark's peer statistic, and each rank group's scores, best first.
 * Keys name the scoring item or class scheme and the dimensions (county, sector, group) it is taken over.
 */
export interface PeerFrame {
  stats: Map<string, number>
  scores: Map<string, Float64Array>
  /**
   * The firm being checked, if it is in the frame: its published score is left out of its rank group (its new
   * figures replace it) when the group is the same.
   */
  own?: {
    county: string
    sector: string
    group: string
    score: number
    /**
     * Its published rank: given, a firm scoring exactly its published score keeps that rank (a trace recomputed
     * for a stored result; tie-breaks are not stored, so without it ties share the better rank).
     */
    rank?: number
  }
}

export const emptyFrame = (): PeerFrame => ({ stats: new Map(), scores: new Map() })

const EMPTY: readonly never[] = Object.freeze([])
const round4 = (x: number) => Math.round(x * 1e4) / 1e4
const EPS = 1e-9
// A rated enterprise's numbers live in a shared Float64Array (no object or boxed double per figure): the value of
// each scoring item, then its tie-break values, then these three. Benchmarks, ratios and points are derived from
// the values and the peer context when a trace is read.
const BASE_SCORE = 0
const SCORE = 1
const PERCENTILE = 2
const TAIL = 3

/** The shared, per-peer-group part of a trace: which items were scored and how. */
interface ScoringPlan {
  scoring: ScoringC
  indicators: IndicatorC[]
  kinds: string[]
  /** The indicators' formulas as one compiled function (see compileBatch). */
  batch: FormulaBatch
  /** Whether any item has a `missing` rule (unreported figures get the peers' mean points). */
  hasMissing: boolean
}

/** The result of rating one enterprise for one year. */
export class RatingResult {
  status: RatingStatus = 'rated'
  /** Why an enterprise is invalid or out of scope, in plain words. */
  problems: string[] = EMPTY as never
  group: string | null = null
  adjustments: Adjustment[] = EMPTY as never
  vetoes: VetoHit[] = EMPTY as never
  rank: number | null = null
  groupSize: number | null = null
  /** Class from rank or score alone. */
  initialClass: string | null = null
  /** Class after vetoes and protections. */
  class: string | null = null
  category: { table: string; row: string | null; category: string; label: string } | null = null
  /** Every rule item that produced this result, with its origin and source document. */
  rules: AppliedRule[] = EMPTY as never
  /** @internal the slab holding this result's numbers (set once it is rated) and its offset in it */
  numbers: Float64Array | null = null
  /** @internal */
  offset = 0
  /** @internal the peer statistics the benchmarks came from, and through them the scoring plan */
  peers: PeerContext | null = null

  constructor(
    /** @internal the enterprise as given: identity and figures are read from it, not copied */
    readonly enterprise: Enterprise,
    readonly sector: string,
    readonly year: number,
  ) {}

  get creditCode(): string {
    return this.enterprise.creditCode
  }
  get name(): string {
    return this.enterprise.name
  }
  get county(): string {
    return this.enterprise.county
  }
  get industryCode(): string {
    return this.enterprise.industryCode
  }
  /** The figures as reported (defaults are applied when formulas read them). */
  get figures(): Enterprise['figures'] {
    return this.enterprise.figures
  }
  /** Sum of indicator points, before bonuses and deductions. */
  get baseScore(): number | null {
    return this.tail(BASE_SCORE)
  }
  get score(): number | null {
    return this.tail(SCORE)
  }
  /** Share of the peer group ranked at or above this enterprise (0.2 = top 20 %). */
  get percentile(): number | null {
    return this.tail(PERCENTILE)
  }
  private tail(slot: number): number | null {
    return this.peers && this.numbers ? this.numbers[this.tailAt() + slot] : null
  }
  /** @internal where this rated result's TAIL numbers start in its slab */
  tailAt(): number {
    return this.offset + this.peers!.width - TAIL
  }

  /** Each scored indicator's points in trace order (what `indicators` shows, without building the trace). */
  points(): Float64Array {
    const peers = this.peers
    const n = this.numbers
    if (!peers || !n) return new Float64Array(0)
    const items = peers.plan.scoring.items
    const out = new Float64Array(items.length)
    for (let i = 0; i < items.length; i++) {
      const v = n[this.offset + i]
      out[i] = Number.isNaN(v)
        ? peers.buckets[i].missingPoints
        : pointsOf(items[i], v, peers.benchmarks[i])
    }
    return out
  }

  /** Every indicator's value, benchmark, ratio, capped ratio, weight and points. */
  get indicators(): IndicatorTrace[] {
    const peers = this.peers
    const n = this.numbers
    if (!peers || !n) return []
    const plan = peers.plan
    const o = this.offset
    return plan.scoring.items.map((item, i) => {
      const s = scoreItem(item, n[o + i], peers.benchmarks[i])
      // Not reported: no value or ratio, and the peers' mean points (see `missing`).
      if (Number.isNaN(n[o + i])) s.points = peers.buckets[i].missingPoints
      return {
        id: item.indicator,
        label: plan.indicators[i].label,
        unit: plan.indicators[i].unit,
        formula: plan.indicators[i].formula,
        value: round4(n[o + i]),
        benchmark: round4(s.benchmark),
        benchmarkKind: plan.kinds[i],
        ratio: round4(s.ratio),
        cappedRatio: round4(s.capped),
        weight: item.weight,
        points: s.points,
      }
    })
  }
}

/** Sector of an industry code: longest matching GB/T 4754 prefix, else the default sector. */
export function sectorOf(rulebook: Rulebook, industryCode: string): string {
  let best: string | undefined
  let bestLen = -1
  for (const s of rulebook.sectors) {
    for (const p of s.industryCodes) {
      if (industryCode.startsWith(p) && p.length > bestLen) {
        best = s.id
        bestLen = p.length
      }
    }
  }
  return best ?? rulebook.sectors.find((s) => s.default)!.id
}

/** Problems with figures against the rulebook's inputs (types, minimums, allowed values, unknown names). */
export function figureProblems(
  rulebook: Rulebook,
  figures: Enterprise['figures'],
): string[] | undefined {
  const inputs = inputTable(rulebook)
  let problems: string[] | undefined
  for (const key in figures) {
    const v = figures[key]
    if (v === undefined || v === null) continue
    const input = inputs[key]
    let p: string | undefined
    if (!input) p = `unknown figure '${key}' (not an input of the rulebook)`
    else if (input.type === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v))
        p = `${key} must be a number, got ${JSON.stringify(v)}`
      else if (input.min !== undefined && v < input.min)
        p = `${key} must be at least ${input.min}, got ${v}`
    } else if (input.type === 'flag') {
      if (typeof v !== 'boolean') p = `${key} must be true or false, got ${JSON.stringify(v)}`
    } else if (typeof v !== 'string' || !input.values!.includes(v)) {
      p = `${key} must be one of ${input.values!.join(', ')}, got ${JSON.stringify(v)}`
    }
    if (p) {
      problems ??= []
      problems.push(p)
    }
  }
  return problems
}

/** What rating derives from a rulebook, made once per rulebook (see rulebook/derived). */
class RatingTables {
  /** Inputs by id: a prototype-free table is faster than a Map for the per-figure check, and immune to '__proto__'. */
  inputs?: Record<string, Input>
  /** A resolver per indicator list (see makeResolver). */
  readonly resolvers = new WeakMap<readonly IndicatorC[], ReturnType<typeof createResolver>>()
  // One compiled batch per list of indicator objects, kept for every rate() call on the rulebook. Keyed by the
  // objects, not their ids: a county override may replace an indicator under the same id.
  readonly batches = new Map<string, FormulaBatch>()
  readonly indicatorKeys = new WeakMap<IndicatorC, number>()
  nextIndicatorKey = 0
}
const RATING: DerivedKind<RatingTables> = { name: 'rating', make: () => new RatingTables() }

function inputTable(rulebook: Rulebook): Record<string, Input> {
  const tables = rulebook.derived.of(RATING)
  if (!tables.inputs) {
    const t = Object.create(null) as Record<string, Input>
    for (const i of rulebook.inputs) t[i.id] = i
    tables.inputs = t
  }
  return tables.inputs
}

/** One indicator's benchmark, ratio, capped ratio and points, from its value and the peer statistic. */
function scoreItem(item: ScoringC['items'][number], value: number, benchmark: number) {
  const ratio = ratioOf(value, benchmark)
  const capped = cappedOf(item, ratio)
  return { benchmark, ratio, capped, points: round4(capped * item.weight) }
}

// Scalar pieces of scoreItem, so the hot points pass allocates no object per indicator.
function benchmarkOf(item: ScoringC['items'][number], peerStat: number): number {
  const bm = item.benchmark
  return 'fixed' in bm ? bm.fixed : peerStat * (bm.multiple ?? 1)
}
const ratioOf = (value: number, benchmark: number) => (benchmark > 0 ? value / benchmark : 0)
const pointsOf = (item: ScoringC['items'][number], value: number, benchmark: number) =>
  round4(cappedOf(item, ratioOf(value, benchmark)) * item.weight)
function cappedOf(item: ScoringC['items'][number], ratio: number): number {
  let capped = ratio
  if (item.cap !== undefined && capped > item.cap) capped = item.cap
  if (item.floor !== undefined && capped < item.floor) capped = item.floor
  return capped
}

/**
 * A resolver for formula symbols not in the figures: an input's default, or an indicator computed on demand.
 * Computed indicators are cached in `cache` (cleared by the caller between enterprises).
 */
export function createResolver(
  inputs: ReadonlyMap<string, Input>,
  indicators: ReadonlyMap<string, IndicatorC>,
  /** Built-in values (the evaluation year when a year is rated). */
  constants: Readonly<Record<string, number>> = {},
) {
  // Cached indicator values are stamped with a generation; moving to the next enterprise just bumps it.
  const slots = new Map<string, number>()
  const list: IndicatorC[] = []
  for (const [id, ind] of indicators) {
    slots.set(id, list.length)
    list.push(ind)
  }
  const stamp = new Uint32Array(list.length)
  const values: FormulaValue[] = new Array(list.length).fill(0)
  let generation = 1
  let scope: FormulaScope = {}
  const resolver = (name: string): FormulaValue => {
    const i = slots.get(name)
    if (i !== undefined) {
      if (stamp[i] === generation) return values[i]
      let v: FormulaValue
      try {
        v = list[i].fn.evaluate(scope, resolver)
      } catch (e) {
        if (e instanceof FormulaEvalError && !e.message.startsWith(`${name}:`))
          throw new FormulaEvalError(`${name}: ${e.message}`)
        throw e
      }
      stamp[i] = generation
      values[i] = v
      return v
    }
    const constant = constants[name]
    if (constant !== undefined) return constant
    const input = inputs.get(name)
    const d = input?.default ?? (input?.type === 'flag' ? false : undefined)
    if (d === undefined) throw new FormulaEvalError(`missing figure '${name}'`)
    return d
  }
  return {
    resolver,
    /** Points the resolver at one enterprise's figures. */
    use(next: FormulaScope) {
      scope = next
      generation = (generation + 1) >>> 0 || 1
      if (generation === 1) stamp.fill(0)
    },
  }
}

/**
 * A resolver over a single enterprise's figures (quotes, self-checks). One per indicator list is kept and pointed
 * at the new figures: building one means a map of every indicator, and a quote may need one per billing segment.
 * The returned function is valid until the next makeResolver call on the same list (everything here is synchronous).
 */
export function makeResolver(
  scope: FormulaScope,
  rulebook: Rulebook,
  indicators: readonly IndicatorC[],
) {
  const r = getOrMake(rulebook.derived.of(RATING).resolvers, indicators, () =>
    createResolver(rulebook.inputById, new Map(indicators.map((i) => [i.id, i]))),
  )
  r.use(scope)
  return r.resolver
}

interface CountyPlan {
  /** The problem list given to every out-of-scope enterprise of the county. */
  outOfScope: string[]
  /** Peer contexts by sector, then group. */
  contexts: Map<string, Map<string, PeerContext>>
  groups: GroupC[]
  byGroup: Map<
    string,
    { scoring?: ScoringC; scheme?: ClassSchemeC; plan?: ScoringPlan; rules: AppliedRule[] }
  >
  tables: Map<string, SectorTableC[]>
  adjustments: Rulebook['sections']['adjustments']
  vetoes: Rulebook['sections']['vetoes']
  resolver: ReturnType<typeof createResolver>
  date: string
}

interface PeerContext {
  plan: ScoringPlan
  /** Numbers per enterprise in the slab: one per scoring item, the tie-break values, then TAIL. */
  width: number
  /** Per scoring item: the sum and count (mean) or the values (median) of its benchmark peers. */
  buckets: Bucket[]
  /** Per scoring item: the benchmark the peers give (filled once the statistics are known). */
  benchmarks: Float64Array
  /** The scoring items these peers are scored on. */
  items: ScoringC['items']
  rank: Rank
}
interface Bucket {
  key: string
  sum: number
  n: number
  values: number[] | null
  stat: number
  /** For an item with `missing`: the sum and count of its reporting peers' points, then their mean. */
  pointsSum: number
  pointsN: number
  missingPoints: number
}
const newBucket = (key: string, stat: number, values: number[] | null): Bucket => ({
  key,
  sum: 0,
  n: 0,
  values,
  stat,
  pointsSum: 0,
  pointsN: 0,
  missingPoints: 0,
})
interface Rank {
  key: string
  scheme: ClassSchemeC
  /** The county, sector and group of its first member (for PeerFrame.own). */
  county: string
  sector: string
  group: string
  members: number[]
}

/**
 * Rates `population` for evaluation `year`: figures of that year, rules in force on year-12-31 in each county.
 * Output is sorted by credit code and is identical for any input order.
 */
export function rate(
  population: readonly Enterprise[],
  rulebook: Rulebook,
  year: number,
  options: RateOptions = {},
): RatingResult[] {
  const date = `${year}-12-31`
  // Peer sums of this call only: nothing survives a call, so one that throws cannot skew the next.
  const sharedBuckets = new Map<string, Bucket>()
  const refCache = new Map<object, AppliedRule>()
  const ref = (
    section: string,
    item: {
      id: string
      label: string
      from: string
      origin: Origin
      source: { document: string }
      assumed?: boolean
    },
  ) => {
    let a = refCache.get(item)
    if (!a) {
      a = {
        section,
        id: item.id,
        label: item.label,
        from: item.from,
        file: item.origin.file,
        line: item.origin.line,
        document: item.source.document,
        assumed: item.assumed ?? false,
      }
      refCache.set(item, a)
    }
    return a
  }
  const plans = new Map<string, CountyPlan>()
  const planFor = (county: string): CountyPlan => {
    let p = plans.get(county)
    if (p) return p
    const rules = resolve(rulebook, county, date, options)
    const s = rules.sections
    const indicatorMap = new Map(s.indicators.map((i) => [i.id, i]))
    const byGroup: CountyPlan['byGroup'] = new Map()
    for (const g of s.groups) {
      const scoring = s.scoring.find((x) => x.group === g.id)
      const scheme = s.classes.find((c) => c.groups.includes(g.id))
      const used: AppliedRule[] = [ref('groups', g)]
      let plan: ScoringPlan | undefined
      if (scoring && scheme) {
        used.push(ref('scoring', scoring), ref('classes', scheme))
        const inds = scoring.items.map((it) => indicatorMap.get(it.indicator)!)
        if (inds.every(Boolean)) {
          for (const ind of inds) used.push(ref('indicators', ind))
          plan = {
            scoring,
            hasMissing: scoring.items.some((it) => it.missingFn),
            indicators: inds,
            batch: batchOf(rulebook, inds),
            kinds: scoring.items.map((it) =>
              'fixed' in it.benchmark
                ? 'fixed'
                : `${it.benchmark.multiple ? `${it.benchmark.multiple} × ` : ''}peer ${it.benchmark.peer} over ${it.benchmark.over.join(' × ')}`,
            ),
          }
        }
      }
      byGroup.set(g.id, { scoring, scheme, plan, rules: used })
    }
    const tables = new Map<string, SectorTableC[]>()
    for (const sector of rulebook.sectors)
      tables.set(
        sector.id,
        s.sectorTables.filter((t) => t.sectors.includes(sector.id)),
      )
    p = {
      outOfScope: Object.freeze([
        `in no evaluation group (${s.groups.map((g) => `${g.id}: ${g.when}`).join('; ')})`,
      ]) as string[],
      contexts: new Map(),
      groups: s.groups,
      byGroup,
      tables,
      adjustments: s.adjustments,
      vetoes: s.vetoes,
      resolver: createResolver(rulebook.inputById, indicatorMap, { [EVALUATION_YEAR]: year }),
      date,
    }
    plans.set(county, p)
    return p
  }
  const countyCodes = new Set(rulebook.meta.counties.map((c) => c.code))
  const categoryRank = new Map(rulebook.meta.categories.map((c) => [c.id, c.rank]))
  const categoryLabel = new Map(rulebook.meta.categories.map((c) => [c.id, c.label]))
  const sectorCache = new Map<string, string>()
  const categoryObjects = new Map<object, NonNullable<RatingResult['category']>>()

  const order = population.map((_, i) => i)
  order.sort((a, b) => {
    const x = population[a].creditCode
    const y = population[b].creditCode
    return x < y ? -1 : x > y ? 1 : 0
  })
  const results: RatingResult[] = new Array(order.length)
  let slab = new Float64Array(0)
  let slabUsed = 0
  const ranks = new Map<string, Rank>()

  let previous: string | undefined
  for (let k = 0; k < order.length; k++) {
    const e = population[order[k]]
    let sector = sectorCache.get(e.industryCode)
    if (sector === undefined) {
      sector = sectorOf(rulebook, String(e.industryCode))
      sectorCache.set(e.industryCode, sector)
    }
    const r = new RatingResult(e, sector, year)
    results[k] = r
    if (e.creditCode === previous) {
      invalid(r, `duplicate credit code ${e.creditCode} in the population`)
      continue
    }
    previous = e.creditCode
    if (!countyCodes.has(e.county)) {
      invalid(r, `county '${e.county}' is not a county of ${rulebook.meta.jurisdiction.name}`)
      continue
    }
    const bad = options.trusted ? undefined : figureProblems(rulebook, e.figures)
    if (bad) {
      r.status = 'invalid'
      r.problems = bad
      continue
    }
    const plan = planFor(e.county)
    plan.resolver.use(e.figures)
    const resolver = plan.resolver.resolver

    // The sector category applies whether or not the enterprise is in the evaluation's scope.
    const tables = plan.tables.get(sector)!
    for (let ti = 0; ti < tables.length; ti++) {
      const table = tables[ti]
      let hit: SectorTableC['rows'][number] | undefined
      let failed = false
      for (let ri = 0; ri < table.rows.length; ri++) {
        const row = table.rows[ri]
        let ok: FormulaValue
        try {
          ok = row.whenFn.evaluate(e.figures, resolver)
        } catch (err) {
          problem(r, err, `sector table ${table.id} row ${row.id}: `)
          failed = true
          break
        }
        if (ok === true) {
          if (
            !hit ||
            (table.hitPolicy === 'worst' &&
              categoryRank.get(row.category)! > categoryRank.get(hit.category)!)
          )
            hit = row
          if (table.hitPolicy === 'first') break
        }
      }
      if (failed) continue
      // One frozen category object per table row, shared by every firm it applies to.
      const key = hit ?? table
      let cat = categoryObjects.get(key)
      if (!cat) {
        const category = hit?.category ?? table.otherwise
        cat = Object.freeze({
          table: table.id,
          row: hit?.id ?? null,
          category,
          label: categoryLabel.get(category)!,
        })
        categoryObjects.set(key, cat)
      }
      r.category = cat
    }

    let group: GroupC | undefined
    for (let gi = 0; gi < plan.groups.length; gi++) {
      const g = plan.groups[gi]
      try {
        if (g.whenFn.evaluate(e.figures, resolver) === true) {
          group = g
          break
        }
      } catch (err) {
        // Groups are tried in order, so one that cannot be decided leaves the firm's group unknown.
        problem(r, err, `group ${g.id}: `)
        break
      }
    }
    if (r.problems.length > 0) {
      r.status = 'invalid'
      continue
    }
    if (!group) {
      r.status = 'out_of_scope'
      // The same words for every out-of-scope firm of a county: one shared, frozen list.
      r.problems = plan.outOfScope
      continue
    }
    r.group = group.id
    const gp = plan.byGroup.get(group.id)!
    r.rules = gp.rules
    if (group.unratedClass) {
      // Not scored or ranked (e.g. T, 暂不评价): the group gives the class, and vetoes do not apply.
      r.initialClass = group.unratedClass
      r.class = group.unratedClass
      continue
    }
    if (!gp.plan) {
      invalid(r, `no scoring, class scheme or indicator in force for group ${group.id} on ${date}`)
      continue
    }
    const items = gp.plan.scoring.items
    const ties = gp.scheme!.tieBreak
    // Slots in the shared slab: one number per scoring item, the tie-break values, then TAIL.
    const width = items.length + ties.length + TAIL
    if (slabUsed + width > slab.length) {
      slab = new Float64Array(Math.max(1 << 16, Math.min(order.length - k, 1 << 20) * width))
      slabUsed = 0
    }
    const numbers = slab
    const o = slabUsed
    // An item whose figure is not reported is not computed: NaN marks it (see `missing`), and the batch, which
    // computes every item, is skipped for this firm.
    let unreported: boolean[] | undefined
    if (gp.plan.hasMissing)
      for (let i = 0; i < items.length; i++) {
        const m = items[i].missingFn
        if (!m) continue
        try {
          if (m.evaluate(e.figures, resolver) === true) {
            numbers[o + i] = Number.NaN
            unreported ??= []
            unreported[i] = true
          }
        } catch (err) {
          problem(r, err, `${items[i].indicator} missing: `)
        }
      }
    let fault: number
    try {
      fault = unreported ? 0 : gp.plan.batch(e.figures, resolver, numbers, o)
    } catch {
      fault = 0
    }
    // Only when the batch stops: each indicator alone, for every problem with its exact words.
    for (let i = fault < 0 ? items.length : 0; i < items.length; i++) {
      if (unreported?.[i]) continue
      try {
        numbers[o + i] = resolver(items[i].indicator) as number
      } catch (err) {
        problem(r, err, '')
      }
    }
    for (let t = 0; t < ties.length; t++) {
      try {
        numbers[o + items.length + t] = resolver(ties[t]) as number
      } catch (err) {
        problem(r, err, '')
      }
    }
    for (let ai = 0; ai < plan.adjustments.length; ai++) {
      const adj = plan.adjustments[ai]
      if (adj.groups && !adj.groups.includes(group.id)) continue
      try {
        if (adj.whenFn.evaluate(e.figures, resolver) === true) {
          if ((r.adjustments as readonly unknown[]) === EMPTY) r.adjustments = []
          r.adjustments.push({
            id: adj.id,
            label: adj.label,
            kind: adj.kind,
            points: adj.kind === 'bonus' ? adj.points : -adj.points,
          })
          if (r.rules === gp.rules) r.rules = [...gp.rules]
          r.rules.push(ref('adjustments', adj))
        }
      } catch (err) {
        problem(r, err, `adjustment ${adj.id}: `)
      }
    }
    for (let vi = 0; vi < plan.vetoes.length; vi++) {
      const veto = plan.vetoes[vi]
      try {
        if (veto.whenFn.evaluate(e.figures, resolver) === true) {
          if ((r.vetoes as readonly unknown[]) === EMPTY) r.vetoes = []
          r.vetoes.push({
            id: veto.id,
            label: veto.label,
            effect: veto.effect,
            class: veto.class,
            applied: false,
          })
          if (r.rules === gp.rules) r.rules = [...gp.rules]
          r.rules.push(ref('vetoes', veto))
        }
      } catch (err) {
        problem(r, err, `veto ${veto.id}: `)
      }
    }
    if (r.problems.length > 0) {
      r.status = 'invalid'
      r.problems = [...new Set(r.problems)]
      continue
    }
    r.numbers = numbers
    r.offset = o
    slabUsed += width

    let bySector = plan.contexts.get(sector)
    if (!bySector) {
      bySector = new Map()
      plan.contexts.set(sector, bySector)
    }
    let ctx = bySector.get(group.id)
    if (!ctx) {
      const scheme = gp.scheme!
      const rankKey = `${scheme.id}|${dims(scheme.over, e.county, sector, group.id)}`
      let rank = ranks.get(rankKey)
      if (!rank) {
        rank = { key: rankKey, scheme, county: e.county, sector, group: group.id, members: [] }
        ranks.set(rankKey, rank)
      }
      const buckets = items.map((it) => {
        // A fixed benchmark has no peers, but its `missing` mean points are still taken within these peers: a
        // bucket of their own, keyed by all three dimensions so a stored frame tells them apart.
        if ('fixed' in it.benchmark)
          return newBucket(
            `${gp.plan!.scoring.id}|${it.indicator}|fixed|${dims(['county', 'sector', 'group'], e.county, sector, group!.id)}`,
            it.benchmark.fixed,
            null,
          )
        const bk = `${gp.plan!.scoring.id}|${it.indicator}|${dims(it.benchmark.over, e.county, sector, group!.id)}`
        let b = sharedBuckets.get(bk)
        if (!b) {
          b = newBucket(bk, Number.NaN, it.benchmark.peer === 'median' ? [] : null)
          sharedBuckets.set(bk, b)
        }
        return b
      })
      ctx = {
        plan: gp.plan,
        width,
        buckets,
        benchmarks: new Float64Array(items.length),
        items,
        rank,
      }
      bySector.set(group.id, ctx)
    }
    r.peers = ctx
    ctx.rank.members.push(k)
    for (let i = 0; i < items.length; i++) {
      const b = ctx.buckets[i]
      if ('fixed' in items[i].benchmark) continue
      const v = numbers[o + i]
      // An unreported figure does not count towards its peers' benchmark.
      if (Number.isNaN(v)) continue
      b.sum += v
      b.n++
      b.values?.push(v)
    }
  }

  // Benchmarks (peer statistics) and points.
  for (const b of sharedBuckets.values()) {
    if (b.values) {
      b.values.sort((x, y) => x - y)
      const m = b.values.length >> 1
      b.stat = b.values.length % 2 ? b.values[m] : (b.values[m - 1] + b.values[m]) / 2
    } else b.stat = b.sum / b.n
    const published = options.against?.stats.get(b.key)
    if (published !== undefined) b.stat = published
    options.record?.stats.set(b.key, b.stat)
  }
  for (const bySector of plans.values()) {
    for (const byGroup of bySector.contexts.values()) {
      for (const ctx of byGroup.values()) {
        for (let i = 0; i < ctx.items.length; i++)
          ctx.benchmarks[i] = benchmarkOf(ctx.items[i], ctx.buckets[i].stat)
      }
    }
  }
  // Items with a `missing` rule: the mean points of the peers that reported, per benchmark group.
  let anyMissing = false
  for (const p of plans.values())
    for (const g of p.byGroup.values()) if (g.plan?.hasMissing) anyMissing = true
  if (anyMissing) {
    for (let k = 0; k < results.length; k++) {
      const r = results[k]
      const ctx = r.peers
      if (!ctx || r.status !== 'rated' || !ctx.plan.hasMissing) continue
      for (let i = 0; i < ctx.items.length; i++) {
        const v = r.numbers![r.offset + i]
        if (!ctx.items[i].missingFn || Number.isNaN(v)) continue
        ctx.buckets[i].pointsSum += pointsOf(ctx.items[i], v, ctx.benchmarks[i])
        ctx.buckets[i].pointsN++
      }
    }
    for (const p of plans.values())
      for (const bySector of p.contexts.values())
        for (const ctx of bySector.values())
          for (let i = 0; i < ctx.items.length; i++) {
            const b = ctx.buckets[i]
            if (!ctx.items[i].missingFn) continue
            const key = `${b.key}|missing-points`
            const published = options.against?.stats.get(key)
            b.missingPoints = published ?? (b.pointsN > 0 ? round4(b.pointsSum / b.pointsN) : 0)
            options.record?.stats.set(key, b.missingPoints)
          }
  }
  for (let k = 0; k < results.length; k++) {
    const r = results[k]
    const ctx = r.peers
    if (!ctx || r.status !== 'rated') continue
    const items = ctx.items
    const n = r.numbers!
    const o = r.offset
    let base = 0
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const v = n[o + i]
      // The same arithmetic as scoreItem, which the trace uses: shown points add up to the base score.
      base += Number.isNaN(v) ? ctx.buckets[i].missingPoints : pointsOf(item, v, ctx.benchmarks[i])
    }
    let adj = 0
    for (let ai = 0; ai < r.adjustments.length; ai++) adj += r.adjustments[ai].points
    const tail = r.tailAt()
    n[tail + BASE_SCORE] = round4(base)
    n[tail + SCORE] = round4(base + adj)
  }

  // Classes: rank within the peer group (competition ranking: exact ties share the better rank).
  const classOrder = rulebook.meta.classes.map((c) => c.id)
  const scores = new Float64Array(results.length)
  for (let k = 0; k < results.length; k++) scores[k] = results[k].score ?? 0
  for (const { key, scheme, members, ...where } of ranks.values()) {
    const ties = scheme.tieBreak.length
    const tie = (x: number, y: number) => {
      const rx = results[x]
      const ry = results[y]
      // Each firm's own layout: peers of one class scheme may come from counties scoring different items.
      const bx = rx.offset + rx.peers!.items.length
      const by = ry.offset + ry.peers!.items.length
      for (let t = 0; t < ties; t++) {
        const d = ry.numbers![by + t] - rx.numbers![bx + t]
        if (Math.abs(d) > EPS) return d > 0 ? 1 : -1
      }
      return 0
    }
    // Scores are rounded to 4 decimals, so equal means equal.
    // -1/0/1 rather than a difference: sort() would box every non-integer result.
    const cmp = (x: number, y: number): number =>
      scores[y] > scores[x] ? 1 : scores[y] < scores[x] ? -1 : ties > 0 ? tie(x, y) : 0
    // Members are in credit-code order already, and the sort is stable: equal entries stay by credit code.
    members.sort(cmp)
    const published = options.against?.scores.get(key)
    if (options.record) {
      const best = new Float64Array(members.length)
      for (let i = 0; i < members.length; i++) best[i] = scores[members[i]]
      options.record.scores.set(key, best)
    }
    if (published) {
      // Each member ranked among the published scores: those strictly better rank above it (ties share the better
      // rank, tie-breaks are not stored), its own published score left out if it is in the same group.
      const own = options.against!.own
      const replaced =
        own &&
        own.county === where.county &&
        own.sector === where.sector &&
        own.group === where.group
      const n = published.length + (replaced ? 0 : 1)
      const bounds = bandBounds(scheme, n)
      for (const m of members) {
        const rank =
          replaced && own.rank !== undefined && own.score === scores[m]
            ? own.rank
            : countAbove(published, scores[m]) - (replaced && own.score > scores[m] ? 1 : 0) + 1
        classify(results[m], scheme, bounds, rank, n, classOrder)
      }
      continue
    }
    const n = members.length
    const bounds = bandBounds(scheme, n)
    let rank = 1
    for (let i = 0; i < n; i++) {
      if (i > 0 && cmp(members[i - 1], members[i]) !== 0) rank = i + 1
      classify(results[members[i]], scheme, bounds, rank, n, classOrder)
    }
  }
  return results
}

/** For a rank-share scheme, the last rank of each band in a group of `n` (the last band takes the rest). */
function bandBounds(scheme: ClassSchemeC, n: number): number[] {
  const bounds: number[] = []
  if (scheme.method !== 'rank-share') return bounds
  let cum = 0
  for (const band of scheme.bands) {
    cum += band.share!
    const raw = n * cum
    bounds.push(
      scheme.rounding === 'floor'
        ? Math.floor(raw + EPS)
        : scheme.rounding === 'ceil'
          ? Math.ceil(raw - EPS)
          : Math.floor(raw + 0.5 + EPS),
    )
  }
  bounds[bounds.length - 1] = n
  return bounds
}

/** Rank, group size, percentile and class (before and after vetoes) of a rated result. */
function classify(
  r: RatingResult,
  scheme: ClassSchemeC,
  bounds: number[],
  rank: number,
  n: number,
  classOrder: string[],
): void {
  r.rank = rank
  r.groupSize = n
  r.numbers![r.tailAt() + PERCENTILE] = round4(rank / n)
  let cls: string
  if (scheme.method === 'rank-share') {
    let b = 0
    while (b < bounds.length - 1 && rank > bounds[b]) b++
    cls = scheme.bands[b].class
  } else {
    const band = scheme.bands.find((x) => x.minScore === undefined || r.score! >= x.minScore - EPS)
    cls = (band ?? scheme.bands[scheme.bands.length - 1]).class
  }
  r.initialClass = cls
  r.class = r.vetoes.length > 0 ? applyVetoes(cls, r.vetoes, classOrder) : cls
}

/** How many of `best` (sorted best first) are strictly greater than `score`: a binary search. */
function countAbove(best: Float64Array, score: number): number {
  let lo = 0
  let hi = best.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (best[mid] > score) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The compiled batch of a list of indicators of a rulebook (see RatingTables.batches). */
function batchOf(rulebook: Rulebook, indicators: IndicatorC[]): FormulaBatch {
  const tables = rulebook.derived.of(RATING)
  let key = ''
  for (const i of indicators)
    key += `${getOrMake(tables.indicatorKeys, i, () => tables.nextIndicatorKey++)},`
  return getOrMake(tables.batches, key, () => compileBatch(indicators.map((i) => i.fn)))
}

function dims(over: PeerDimension[], county: string, sector: string, group: string): string {
  let s = ''
  for (const d of over) s += `${d === 'county' ? county : d === 'sector' ? sector : group}|`
  return s
}

function invalid(r: RatingResult, message: string): void {
  r.status = 'invalid'
  r.problems = [message]
}

function problem(r: RatingResult, err: unknown, prefix: string): void {
  if (!(err instanceof FormulaEvalError)) throw err
  if ((r.problems as readonly unknown[]) === EMPTY) r.problems = []
  r.problems.push(prefix + err.message)
}

/** force: the worst forced class; cap: no better than; floor: no worse than, unless a force or cap fired. */
function applyVetoes(initial: string, vetoes: VetoHit[], order: string[]): string {
  const idx = (c: string) => order.indexOf(c)
  let cls = initial
  const forces = vetoes.filter((v) => v.effect === 'force')
  const caps = vetoes.filter((v) => v.effect === 'cap')
  if (forces.length > 0) {
    const worst = forces.reduce((a, b) => (idx(b.class) > idx(a.class) ? b : a))
    worst.applied = true
    return worst.class
  }
  for (const c of caps) {
    if (idx(c.class) > idx(cls)) {
      cls = c.class
      c.applied = true
    }
  }
  if (caps.length === 0) {
    for (const f of vetoes.filter((v) => v.effect === 'floor')) {
      if (idx(f.class) < idx(cls)) {
        cls = f.class
        f.applied = true
      }
    }
  }
  return cls
}
