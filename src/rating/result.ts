/**
 * What rating one enterprise gives (RatingResult) and the per-peer-group contexts its trace is read from.
 *
 * Built for a million enterprises: each result keeps only its indicator values and points, in a shared Float64Array
 * slab; the readable trace (`indicators`) is assembled from those, the peer context and the rule items when it is
 * read.
 * @module rating/result
 */
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { FormulaBatch } from '../formula/compile.ts'
import type { ClassSchemeC, IndicatorC, ScoringC } from '../rulebook/compile.ts'
import { pointsOf, round4, scoreItem } from './scoring.ts'

/** `not_rated`: in scope but set aside by its group (暂不评价, class T): not scored, not ranked. */
export type RatingStatus = 'rated' | 'not_rated' | 'out_of_scope' | 'invalid'

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

/** The plot a tenant was rated with: its id, its tenants, the rule, and the figures the plot was rated on. */
export interface PlotTrace {
  id: string
  firms: { creditCode: string; name: string }[]
  rule: AppliedRule
  figures: Enterprise['figures']
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
  /**
   * The peer statistics recorded with the previous evaluation year's run (its PeerFrame's `stats`), for items whose
   * benchmark is `year: previous`: the same item over the same peers. Rating such an item without the statistic
   * throws NO_PREVIOUS_YEAR.
   */
  previous?: { year: number; stats: ReadonlyMap<string, number> }
  /**
   * Rate with the rules in force on this day (ISO) rather than on Y-12-31: a preview of rules that start after the
   * year rated, applied to its figures. An evaluation never sets it.
   */
  rulesOn?: string
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

export const EMPTY: readonly never[] = Object.freeze([])
// A rated enterprise's numbers live in a shared Float64Array (no object or boxed double per figure): the value of
// each scoring item, then its tie-break values, then these three. Benchmarks, ratios and points are derived from
// the values and the peer context when a trace is read.
export const BASE_SCORE = 0
export const SCORE = 1
export const PERCENTILE = 2
export const TAIL = 3

/** The shared, per-peer-group part of a trace: which items were scored and how. */
export interface ScoringPlan {
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
  /**
   * The county override id(s) whose evaluation method rated the firm; null when the city's did. Null comes from the
   * prototype (below): only a firm a county's own method rates carries one, so the city's results stay as small.
   */
  declare method: string | null
  /**
   * The land plot the firm shares with others and was rated with as one unit (see rating/plots); null (from the
   * prototype) for a firm rated alone.
   */
  declare plot: PlotTrace | null
  /** The zone (an evaluation unit that is no division, `rulebook.zones`) the firm was ranked in; null: its county. */
  declare zone: string | null
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
        : pointsOf(items[i], v, peers.benchmarks[i], peers.spreads[i])
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
      const s = scoreItem(item, n[o + i], peers.benchmarks[i], peers.spreads[i])
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

RatingResult.prototype.method = null
RatingResult.prototype.plot = null
RatingResult.prototype.zone = null

export interface PeerContext {
  plan: ScoringPlan
  /** Numbers per enterprise in the slab: one per scoring item, the tie-break values, then TAIL. */
  width: number
  /** Per scoring item: the sum and count (mean) or the values (median) of its benchmark peers. */
  buckets: Bucket[]
  /** Per scoring item: the benchmark the peers give (filled once the statistics are known); min–max: their minimum. */
  benchmarks: Float64Array
  /** Per min–max scoring item: the peers' maximum − minimum (0 for other items). */
  spreads: Float64Array
  /** The scoring items these peers are scored on. */
  items: ScoringC['items']
  rank: Rank
}
export interface Bucket {
  key: string
  sum: number
  n: number
  values: number[] | null
  stat: number
  /** Whether its statistic is the peers' range (a min–max item): `stat` is then the minimum. */
  range: boolean
  /** The smallest and largest value counted (for min–max items). */
  min: number
  max: number
  /** For an item with `missing`: the sum and count of its reporting peers' points, then their mean. */
  pointsSum: number
  pointsN: number
  missingPoints: number
}
export const newBucket = (key: string, stat: number, values: number[] | null): Bucket => ({
  key,
  sum: 0,
  n: 0,
  values,
  stat,
  range: false,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
  pointsSum: 0,
  pointsN: 0,
  missingPoints: 0,
})
export interface Rank {
  key: string
  scheme: ClassSchemeC
  /** The county, sector and group of its first member (for PeerFrame.own). */
  county: string
  sector: string
  group: string
  members: number[]
}
