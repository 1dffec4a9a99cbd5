/**
 * Rates a population for an evaluation year: scope and group, indicators, peer benchmarks, points, bonuses,
 * classes by rank share or score, vetoes, and the sector category. Pure, deterministic, order independent.
 *
 * Built for a million enterprises: rules are planned once per county (rating/plan), peers share one context per
 * county × sector × group, and each result keeps only its indicator values and points, in a shared Float64Array slab
 * (rating/result). One rating is a pipeline over one per-call context (Rating): each firm is checked, categorised,
 * grouped, measured, adjusted and joined to its peers; then benchmarks, points and classes (rating/classes).
 * @module rating/rate
 */

import type { Enterprise } from '../enterprise/enterprise.ts'
import { FormulaEvalError } from '../errors.ts'
import type { FormulaValue } from '../formula/compile.ts'
import type { ClassSchemeC, GroupC, Rulebook, ScoringC, SectorTableC } from '../rulebook/compile.ts'
import { industryGroupOf } from '../rulebook/industry.ts'
import { countiesOn, type PeerDimension } from '../rulebook/schema.ts'
import { rankAndClassify } from './classes.ts'
import { type CountyPlan, figureProblems, planCounty, type RuleRef, sectorOf } from './plan.ts'
import { type PlotSplit, type PlotUnit, splitPlots } from './plots.ts'
import { scorePoints, settleBenchmarks } from './points.ts'
import {
  type AppliedRule,
  type Bucket,
  EMPTY,
  newBucket,
  type PeerContext,
  type Rank,
  type RateOptions,
  RatingResult,
  TAIL,
} from './result.ts'
import { countyProblem, zoneOf } from './units.ts'

export { createResolver, figureProblems, makeResolver, sectorOf } from './plan.ts'
export {
  type Adjustment,
  type AppliedRule,
  emptyFrame,
  type IndicatorTrace,
  type PeerFrame,
  type PlotTrace,
  type RateOptions,
  RatingResult,
  type RatingStatus,
  type VetoHit,
} from './result.ts'

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
  const rating = new Rating(rulebook, year, options)
  // Tenants of one plot rated as one where the county's plot rule says so: one unit each, expanded at the end.
  const split = splitPlots(population, rulebook, rating.date, options)
  if (split) population = split.population
  const order = population.map((_, i) => i)
  order.sort((a, b) => {
    const x = population[a].creditCode
    const y = population[b].creditCode
    return x < y ? -1 : x > y ? 1 : 0
  })
  const results: RatingResult[] = new Array(order.length)
  let previous: string | undefined
  for (let k = 0; k < order.length; k++) {
    const e = population[order[k]]
    const r = new RatingResult(e, rating.sectorOf(e.industryCode), year)
    results[k] = r
    if (e.creditCode === previous) {
      invalid(r, `duplicate credit code ${e.creditCode} in the population`)
      continue
    }
    previous = e.creditCode
    rating.firm(r, k, order.length - k)
  }
  settleBenchmarks(rating.buckets.values(), rating.plans.values(), year, options)
  scorePoints(results, rating.plans, options)
  rankAndClassify(results, rating.ranks.values(), rulebook, options)
  return split ? rating.tenants(results, split) : results
}

/** One rating's state: nothing survives the call, so one that throws cannot skew the next. */
class Rating {
  readonly date: string
  /** Peer sums, shared by the peer contexts whose benchmark peers are the same. */
  readonly buckets = new Map<string, Bucket>()
  readonly plans = new Map<string, CountyPlan>()
  readonly ranks = new Map<string, Rank>()
  private readonly refs = new Map<object, AppliedRule>()
  readonly countyCodes: Set<string>
  private readonly categoryRank: Map<string, number>
  private readonly categoryLabel: Map<string, string>
  private readonly sectors = new Map<string, string>()
  private readonly industries = new Map<ClassSchemeC, Map<string, string>>()
  private readonly categoryObjects = new Map<object, NonNullable<RatingResult['category']>>()
  /** The slab rated firms' numbers are written to, and how much of it is used. */
  private slab = new Float64Array(0)
  private slabUsed = 0

  constructor(
    readonly rulebook: Rulebook,
    readonly year: number,
    readonly options: RateOptions,
  ) {
    this.date = options.rulesOn ?? `${year}-12-31`
    // The counties of the year's last day: a code that did not exist then (or no longer did) rates nothing.
    this.countyCodes = new Set(
      countiesOn(rulebook.meta.counties, `${year}-12-31`).map((c) => c.code),
    )
    this.categoryRank = new Map(rulebook.meta.categories.map((c) => [c.id, c.rank]))
    this.categoryLabel = new Map(rulebook.meta.categories.map((c) => [c.id, c.label]))
  }

  readonly ref: RuleRef = (section, item) => {
    let a = this.refs.get(item)
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
      this.refs.set(item, a)
    }
    return a
  }

  /** The industry group of a code in a class scheme with `industries` (one look-up per scheme and code). */
  industryOf(scheme: ClassSchemeC, industryCode: string): string {
    let byCode = this.industries.get(scheme)
    if (!byCode) {
      byCode = new Map()
      this.industries.set(scheme, byCode)
    }
    let id = byCode.get(industryCode)
    if (id === undefined) {
      id = industryGroupOf(scheme.industries!, String(industryCode)) ?? ''
      byCode.set(industryCode, id)
    }
    return id
  }

  sectorOf(industryCode: string): string {
    let sector = this.sectors.get(industryCode)
    if (sector === undefined) {
      sector = sectorOf(this.rulebook, String(industryCode))
      this.sectors.set(industryCode, sector)
    }
    return sector
  }

  planFor(county: string): CountyPlan {
    let p = this.plans.get(county)
    if (!p) {
      p = planCounty(this.rulebook, county, this.year, this.date, this.options, this.ref)
      this.plans.set(county, p)
    }
    return p
  }

  /**
   * The results per firm: each plot's unit replaced by a result per tenant, the unit's in all but the firm's own
   * identity, sector and sector category; a plot that cannot be rated as one makes each tenant invalid.
   */
  tenants(results: RatingResult[], split: PlotSplit): RatingResult[] {
    const out: RatingResult[] = []
    const each = (unit: PlotUnit, from: RatingResult | undefined) => {
      const firms = unit.tenants.map((t) => ({ creditCode: t.creditCode, name: t.name }))
      const rule = this.ref('plots', unit.rule)
      for (const t of unit.tenants) {
        const r = new RatingResult(t, this.sectorOf(t.industryCode), this.year)
        if (from) {
          for (const k of TENANT_FIELDS) (r as unknown as Record<string, unknown>)[k] = from[k]
          if (from.method !== null) r.method = from.method
          if (from.zone !== null) r.zone = from.zone
          r.rules = [...from.rules, rule]
        } else invalid(r, unit.problems.join('; '))
        if ((r.problems as readonly unknown[]) !== EMPTY) r.problems = [...r.problems]
        r.plot = { id: unit.id, firms, rule, figures: unit.unit.figures }
        // The sector category is the firm's own (its furnaces, its products), not the plot's.
        r.category = null
        if (
          this.countyCodes.has(t.county) &&
          (this.options.trusted || !figureProblems(this.rulebook, t.figures))
        ) {
          const plan = this.planFor(t.county)
          plan.resolver.use(t.figures, r.sector, t.industryCode)
          const before = r.problems.length
          this.categorise(r, plan, plan.resolver.resolver)
          if (r.problems.length > before) r.status = 'invalid'
        }
        out.push(r)
      }
    }
    for (const r of results) {
      const unit = split.plots.get(r.enterprise)
      if (unit) each(unit, r)
      else out.push(r)
    }
    for (const unit of split.invalid) each(unit, undefined)
    return out.sort((a, b) =>
      a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0,
    )
  }

  /** Rates firm `k` as far as it can alone: everything but benchmarks, points and class. */
  firm(r: RatingResult, k: number, remaining: number): void {
    const e = r.enterprise
    if (!this.countyCodes.has(e.county)) {
      invalid(r, countyProblem(this.rulebook, e.county, this.date))
      return
    }
    const bad = this.options.trusted ? undefined : figureProblems(this.rulebook, e.figures)
    if (bad) {
      r.status = 'invalid'
      r.problems = bad
      return
    }
    const unit = zoneOf(this.rulebook, e, `${this.year}-12-31`)
    if ('problem' in unit) {
      invalid(r, unit.problem)
      return
    }
    if (unit.zone !== null) r.zone = unit.zone
    const plan = this.planFor(e.county)
    if (plan.method !== null) r.method = plan.method
    plan.resolver.use(e.figures, r.sector, e.industryCode)
    const resolver = plan.resolver.resolver
    this.categorise(r, plan, resolver)
    const group = groupOf(r, plan, resolver)
    if (r.problems.length > 0) {
      r.status = 'invalid'
      return
    }
    if (!group) {
      r.status = 'out_of_scope'
      // The same words for every out-of-scope firm of a county: one shared, frozen list.
      r.problems = plan.outOfScope
      return
    }
    r.group = group.id
    const gp = plan.byGroup.get(group.id)!
    r.rules = gp.rules
    if (group.unratedClass) {
      // Not scored or ranked (e.g. T, 暂不评价): the group gives the class, and vetoes do not apply.
      r.status = 'not_rated'
      r.initialClass = group.unratedClass
      r.class = group.unratedClass
      return
    }
    if (!gp.plan) {
      invalid(
        r,
        `no scoring, class scheme or indicator in force for group ${group.id} on ${this.date}`,
      )
      return
    }
    const items = gp.plan.scoring.items
    const ties = gp.scheme!.tieBreak
    // Slots in the shared slab: one number per scoring item, the tie-break values, then TAIL.
    const width = items.length + ties.length + TAIL
    if (this.slabUsed + width > this.slab.length) {
      this.slab = new Float64Array(Math.max(1 << 16, Math.min(remaining, 1 << 20) * width))
      this.slabUsed = 0
    }
    const numbers = this.slab
    const o = this.slabUsed
    measure(r, gp.plan.hasMissing, gp.plan.batch, items, ties, resolver, numbers, o)
    this.adjustAndVeto(r, plan, gp, group, resolver)
    if (r.problems.length > 0) {
      r.status = 'invalid'
      r.problems = [...new Set(r.problems)]
      return
    }
    r.numbers = numbers
    r.offset = o
    this.slabUsed += width
    this.join(r, k, plan, gp, group, width)
  }

  /** The sector category, from the sector tables: it applies whether or not the firm is in the evaluation's scope. */
  categorise(r: RatingResult, plan: CountyPlan, resolver: Resolver): void {
    const e = r.enterprise
    const { categoryRank, categoryLabel, categoryObjects } = this
    const tables = plan.tables.get(r.sector)!
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
  }

  /** Bonuses and deductions, and vetoes, that apply to the firm in its group. */
  private adjustAndVeto(
    r: RatingResult,
    plan: CountyPlan,
    gp: GroupPlan,
    group: GroupC,
    resolver: Resolver,
  ): void {
    const e = r.enterprise
    const ref = this.ref
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
  }

  /** Joins the rated firm to its peer context (made for the first firm of its county × sector × group). */
  private join(
    r: RatingResult,
    k: number,
    plan: CountyPlan,
    gp: GroupPlan,
    group: GroupC,
    width: number,
  ): void {
    const e = r.enterprise
    const sector = r.sector
    const items = gp.plan!.scoring.items
    const numbers = r.numbers!
    const o = r.offset
    const { ranks, buckets: sharedBuckets } = this
    let bySector = plan.contexts.get(sector)
    if (!bySector) {
      bySector = new Map()
      plan.contexts.set(sector, bySector)
    }
    const scheme = gp.scheme!
    // Ranked within an industry group (the scheme's `industries`): one context per group and industry group.
    const industry = scheme.industries ? this.industryOf(scheme, e.industryCode) : ''
    // A zone's firms are benchmarked and ranked alone, as a county with its own method is: keys begin with it.
    const z = r.zone === null ? '' : `zone:${r.zone}/`
    const ctxKey = z + (scheme.industries ? `${group.id}|${industry}` : group.id)
    let ctx: PeerContext | undefined = bySector.get(ctxKey)
    if (!ctx) {
      // A county's own method ranks and benchmarks its firms alone, whatever `over` says: its keys begin with it.
      const m = (plan.method === null ? '' : `${plan.method}/`) + z
      const rankKey = `${m}${scheme.id}|${dims(scheme.over, e.county, sector, group.id, industry)}`
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
            `${m}${gp.plan!.scoring.id}|${it.indicator}|fixed|${dims(['county', 'sector', 'group'], e.county, sector, group!.id, industry)}`,
            it.benchmark.fixed,
            null,
          )
        const bk = `${m}${gp.plan!.scoring.id}|${it.indicator}|${dims(it.benchmark.over, e.county, sector, group!.id, industry)}`
        let b = sharedBuckets.get(bk)
        if (!b) {
          b = newBucket(bk, Number.NaN, it.benchmark.peer === 'median' ? [] : null)
          b.range = it.minMax !== undefined
          sharedBuckets.set(bk, b)
        }
        return b
      })
      ctx = {
        plan: gp.plan!,
        width,
        buckets,
        benchmarks: new Float64Array(items.length),
        spreads: new Float64Array(items.length),
        items,
        rank,
      }
      bySector.set(ctxKey, ctx)
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
      if (v < b.min) b.min = v
      if (v > b.max) b.max = v
      b.values?.push(v)
    }
  }
}

/** What a tenant's result takes from its plot's unit (everything rated; not identity, sector or category). */
const TENANT_FIELDS = [
  'status',
  'problems',
  'group',
  'adjustments',
  'vetoes',
  'rank',
  'groupSize',
  'initialClass',
  'class',
  'numbers',
  'offset',
  'peers',
] as const

type Resolver = CountyPlan['resolver']['resolver']
type GroupPlan = NonNullable<ReturnType<CountyPlan['byGroup']['get']>>

/** The first group whose condition the firm meets, in order; a group that cannot be decided stops the search. */
function groupOf(r: RatingResult, plan: CountyPlan, resolver: Resolver): GroupC | undefined {
  const e = r.enterprise
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
  return group
}

/**
 * The firm's scoring values and tie-break values into `numbers` at `o`: the batch computes every item at once; an
 * item whose figure is not reported is not computed (NaN marks it, see `missing`), and the batch is then skipped.
 */
function measure(
  r: RatingResult,
  hasMissing: boolean,
  batch: NonNullable<GroupPlan['plan']>['batch'],
  items: ScoringC['items'],
  ties: string[],
  resolver: Resolver,
  numbers: Float64Array,
  o: number,
): void {
  const e = r.enterprise
  let unreported: boolean[] | undefined
  if (hasMissing)
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
    fault = unreported ? 0 : batch(e.figures, resolver, numbers, o)
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
}

function dims(
  over: PeerDimension[],
  county: string,
  sector: string,
  group: string,
  industry: string,
): string {
  let s = ''
  for (const d of over)
    s += `${d === 'county' ? county : d === 'sector' ? sector : d === 'group' ? group : industry}|`
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
