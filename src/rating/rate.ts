/**
 * Rates a population for an evaluation year: scope and group, indicators, peer benchmarks, points, bonuses,
 * classes by rank share or score, vetoes, and the sector category. Pure, deterministic, order independent.
 * @module rating/rate
 */
import type { FormulaScope, FormulaValue } from '../formula/compile.ts'
import { FormulaEvalError } from '../errors.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { ClassSchemeC, IndicatorC, Origin, Rulebook, ScoringC } from '../rulebook/compile.ts'
import { type ResolvedRules, resolve } from '../rulebook/resolve.ts'
import type { Benchmark, PeerDimension } from '../rulebook/schema.ts'

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

export interface RatingResult {
  creditCode: string
  name: string
  county: string
  industryCode: string
  sector: string
  year: number
  status: RatingStatus
  /** Why an enterprise is invalid or out of scope, in plain words. */
  problems: string[]
  group: string | null
  indicators: IndicatorTrace[]
  adjustments: { id: string; label: string; kind: 'bonus' | 'deduction'; points: number }[]
  vetoes: { id: string; label: string; effect: 'force' | 'cap' | 'floor'; class: string; applied: boolean }[]
  /** Sum of indicator points, before bonuses and deductions. */
  baseScore: number | null
  score: number | null
  rank: number | null
  groupSize: number | null
  /** Share of the peer group ranked at or above this enterprise (0.2 = top 20 %). */
  percentile: number | null
  /** Class from rank or score alone. */
  initialClass: string | null
  /** Class after vetoes and protections. */
  class: string | null
  category: { table: string; row: string | null; category: string; label: string } | null
  /** Every rule item that produced this result, with its origin and source document. */
  rules: AppliedRule[]
  /** Figures with defaults applied, and indicator values computed for this enterprise. */
  figures: FormulaScope
}

export interface RateOptions {
  /** Apply this pending override as if in force (what-if preview). */
  preview?: string
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4
const EPS = 1e-9

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

/** Checks figures against the rulebook's inputs and applies defaults; returns problems found. */
export function prepareFigures(rulebook: Rulebook, figures: Enterprise['figures']): { scope: FormulaScope; problems: string[] } {
  const scope: FormulaScope = {}
  const problems: string[] = []
  for (const input of rulebook.inputs) {
    let v = figures[input.id]
    if (v === undefined || v === null || v === '') v = input.default ?? (input.type === 'flag' ? false : undefined)
    if (v === undefined) continue
    if (input.type === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${input.id} must be a number, got ${JSON.stringify(v)}`)
      else if (input.min !== undefined && v < input.min) problems.push(`${input.id} must be at least ${input.min}, got ${v}`)
    } else if (input.type === 'flag') {
      if (typeof v !== 'boolean') problems.push(`${input.id} must be true or false, got ${JSON.stringify(v)}`)
    } else if (typeof v !== 'string' || !input.values!.includes(v)) {
      problems.push(`${input.id} must be one of ${input.values!.join(', ')}, got ${JSON.stringify(v)}`)
    }
    scope[input.id] = v
  }
  for (const key of Object.keys(figures)) {
    if (!rulebook.inputById.has(key)) problems.push(`unknown figure '${key}' (not an input of the rulebook)`)
  }
  return { scope, problems }
}

interface Work {
  e: Enterprise
  r: RatingResult
  rules: ResolvedRules
  scoring?: ScoringC
  scheme?: ClassSchemeC
  values: number[]
}

/**
 * Rates `population` for evaluation `year`: figures of that year, rules in force on year-12-31 in each county.
 * Output is sorted by credit code and is byte-identical for any input order.
 */
export function rate(population: readonly Enterprise[], rulebook: Rulebook, year: number, options: RateOptions = {}): RatingResult[] {
  const date = `${year}-12-31`
  const resolvedByCounty = new Map<string, ResolvedRules>()
  const rulesFor = (county: string) => {
    let r = resolvedByCounty.get(county)
    if (!r) {
      r = resolve(rulebook, county, date, options)
      resolvedByCounty.set(county, r)
    }
    return r
  }
  const countyCodes = new Set(rulebook.meta.counties.map((c) => c.code))
  const sorted = [...population].sort((a, b) => (a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0))
  const works: Work[] = []
  const refCache = new Map<object, AppliedRule>()
  const ref = (section: string, item: { id: string; label: string; from: string; origin: Origin; source: { document: string }; assumed?: boolean }) => {
    let a = refCache.get(item)
    if (!a) {
      a = { section, id: item.id, label: item.label, from: item.from, file: item.origin.file, line: item.origin.line, document: item.source.document, assumed: item.assumed ?? false }
      refCache.set(item, a)
    }
    return a
  }

  let previous: string | undefined
  for (const e of sorted) {
    const r: RatingResult = {
      creditCode: e.creditCode,
      name: e.name,
      county: e.county,
      industryCode: e.industryCode,
      sector: sectorOf(rulebook, e.industryCode),
      year,
      status: 'rated',
      problems: [],
      group: null,
      indicators: [],
      adjustments: [],
      vetoes: [],
      baseScore: null,
      score: null,
      rank: null,
      groupSize: null,
      percentile: null,
      initialClass: null,
      class: null,
      category: null,
      rules: [],
      figures: {},
    }
    if (e.creditCode === previous) {
      r.status = 'invalid'
      r.problems.push(`duplicate credit code ${e.creditCode} in the population`)
      works.push({ e, r, rules: undefined as never, values: [] })
      continue
    }
    previous = e.creditCode
    if (!countyCodes.has(e.county)) {
      r.status = 'invalid'
      r.problems.push(`county '${e.county}' is not a county of ${rulebook.meta.jurisdiction.name}`)
      works.push({ e, r, rules: undefined as never, values: [] })
      continue
    }
    const rules = rulesFor(e.county)
    const { scope, problems } = prepareFigures(rulebook, e.figures)
    r.figures = scope
    const w: Work = { e, r, rules, values: [] }
    works.push(w)
    if (problems.length > 0) {
      r.status = 'invalid'
      r.problems.push(...problems)
      continue
    }
    const indicators = new Map(rules.sections.indicators.map((i) => [i.id, i]))
    const resolver = makeResolver(scope, indicators)
    const guard = <T>(what: string, fn: () => T): T | undefined => {
      try {
        return fn()
      } catch (err) {
        if (err instanceof FormulaEvalError) {
          r.problems.push(what === 'indicator' || what === 'tie-break' ? err.message : `${what}: ${err.message}`)
          return undefined
        }
        throw err
      }
    }

    // The sector category applies whether or not the enterprise is in the evaluation's scope.
    for (const table of rules.sections.sectorTables) {
      if (!table.sectors.includes(r.sector)) continue
      r.rules.push(ref('sectorTables', table))
      let hit: (typeof table.rows)[number] | undefined
      let failed = false
      for (const row of table.rows) {
        const ok = guard(`sector table ${table.id} row ${row.id}`, () => row.whenFn.evaluate(scope, resolver))
        if (ok === undefined) {
          failed = true
          break
        }
        if (ok === true) {
          const rank = (c: string) => rulebook.meta.categories.find((x) => x.id === c)!.rank
          if (!hit || (table.hitPolicy === 'worst' && rank(row.category) > rank(hit.category))) hit = row
          if (table.hitPolicy === 'first') break
        }
      }
      if (failed) continue
      const category = hit?.category ?? table.otherwise
      r.category = { table: table.id, row: hit?.id ?? null, category, label: rulebook.meta.categories.find((c) => c.id === category)!.label }
    }

    const group = rules.sections.groups.find((g) => guard(`group ${g.id}`, () => g.whenFn.evaluate(scope, resolver)) === true)
    if (r.problems.length > 0) {
      r.status = 'invalid'
      continue
    }
    if (!group) {
      r.status = 'out_of_scope'
      r.problems.push(`in no evaluation group (${rules.sections.groups.map((g) => `${g.id}: ${g.when}`).join('; ')})`)
      continue
    }
    r.group = group.id
    r.rules.push(ref('groups', group))
    w.scoring = rules.sections.scoring.find((s) => s.group === group.id)
    w.scheme = rules.sections.classes.find((c) => c.groups.includes(group.id))
    if (!w.scoring || !w.scheme) {
      r.status = 'invalid'
      r.problems.push(`no ${w.scoring ? 'class scheme' : 'scoring'} in force for group ${group.id} on ${date}`)
      continue
    }
    r.rules.push(ref('scoring', w.scoring), ref('classes', w.scheme))
    for (const item of w.scoring.items) {
      const v = guard('indicator', () => resolver(item.indicator) as number)
      w.values.push(v ?? Number.NaN)
      const ind = indicators.get(item.indicator)
      if (ind) r.rules.push(ref('indicators', ind))
      else r.problems.push(`indicator ${item.indicator} is not in force on ${date}`)
    }
    for (const id of w.scheme.tieBreak) guard('tie-break', () => resolver(id))
    for (const adj of rules.sections.adjustments) {
      if (adj.groups && !adj.groups.includes(group.id)) continue
      const hit = guard(`adjustment ${adj.id}`, () => adj.whenFn.evaluate(scope, resolver))
      if (hit === true) {
        r.adjustments.push({ id: adj.id, label: adj.label, kind: adj.kind, points: adj.kind === 'bonus' ? adj.points : -adj.points })
        r.rules.push(ref('adjustments', adj))
      }
    }
    for (const veto of rules.sections.vetoes) {
      const hit = guard(`veto ${veto.id}`, () => veto.whenFn.evaluate(scope, resolver))
      if (hit === true) {
        r.vetoes.push({ id: veto.id, label: veto.label, effect: veto.effect, class: veto.class, applied: false })
        r.rules.push(ref('vetoes', veto))
      }
    }
    if (r.problems.length > 0) {
      r.status = 'invalid'
      r.problems = [...new Set(r.problems)]
    }
  }

  // Benchmarks: peer statistics over the rated enterprises of the same peer key.
  const benchmarkCache = new Map<string, number>()
  const peerValues = new Map<string, number[]>()
  for (const w of works) {
    if (w.r.status !== 'rated' || !w.scoring) continue
    w.scoring.items.forEach((item, i) => {
      if (!('peer' in item.benchmark)) return
      const key = `${w.scoring!.id}|${i}|${peerKey(w.r, item.benchmark.over)}`
      let list = peerValues.get(key)
      if (!list) peerValues.set(key, (list = []))
      list.push(w.values[i])
    })
  }
  for (const [key, list] of peerValues) {
    list.sort((a, b) => a - b)
    benchmarkCache.set(key, list)
  }
  for (const w of works) {
    if (w.r.status !== 'rated' || !w.scoring) continue
    let base = 0
    w.scoring.items.forEach((item, i) => {
      const b = item.benchmark
      let benchmark: number
      let kind: string
      if ('fixed' in b) {
        benchmark = b.fixed
        kind = 'fixed'
      } else {
        const key = `${w.scoring!.id}|${i}|${peerKey(w.r, b.over)}`
        benchmark = peerStatistic(benchmarkCache, key, b)
        kind = `${b.multiple ? `${b.multiple} × ` : ''}peer ${b.peer} over ${b.over.join(' × ')}`
      }
      const value = w.values[i]
      const ratio = benchmark > 0 ? value / benchmark : 0
      let capped = ratio
      if (item.cap !== undefined && capped > item.cap) capped = item.cap
      if (item.floor !== undefined && capped < item.floor) capped = item.floor
      const points = round4(capped * item.weight)
      base += points
      const ind = w.rules.sections.indicators.find((x) => x.id === item.indicator)!
      w.r.indicators.push({
        id: item.indicator,
        label: ind.label,
        unit: ind.unit,
        formula: ind.formula,
        value: round4(value),
        benchmark: round4(benchmark),
        benchmarkKind: kind,
        ratio: round4(ratio),
        cappedRatio: round4(capped),
        weight: item.weight,
        points,
      })
    })
    w.r.baseScore = round4(base)
    w.r.score = round4(base + w.r.adjustments.reduce((a, x) => a + x.points, 0))
  }

  // Classes: rank within the peer group (competition ranking: exact ties share the better rank).
  const rankGroups = new Map<string, Work[]>()
  for (const w of works) {
    if (w.r.status !== 'rated' || !w.scheme) continue
    const key = `${w.scheme.id}|${peerKey(w.r, w.scheme.over)}`
    let list = rankGroups.get(key)
    if (!list) rankGroups.set(key, (list = []))
    list.push(w)
  }
  const classOrder = rulebook.meta.classes.map((c) => c.id)
  for (const list of rankGroups.values()) {
    const scheme = list[0].scheme!
    const tie = scheme.tieBreak
    const cmp = (a: Work, b: Work): number => {
      const d = b.r.score! - a.r.score!
      if (Math.abs(d) > EPS) return d
      for (const id of tie) {
        const x = (b.r.figures[id] as number) - (a.r.figures[id] as number)
        if (Math.abs(x) > EPS) return x
      }
      return 0
    }
    list.sort((a, b) => cmp(a, b) || (a.r.creditCode < b.r.creditCode ? -1 : 1))
    const n = list.length
    const bounds: number[] = []
    if (scheme.method === 'rank-share') {
      let cum = 0
      for (const band of scheme.bands) {
        cum += band.share!
        const raw = n * cum
        bounds.push(scheme.rounding === 'floor' ? Math.floor(raw + EPS) : scheme.rounding === 'ceil' ? Math.ceil(raw - EPS) : Math.floor(raw + 0.5 + EPS))
      }
      bounds[bounds.length - 1] = n
    }
    let rank = 1
    list.forEach((w, i) => {
      if (i > 0 && cmp(list[i - 1], w) !== 0) rank = i + 1
      w.r.rank = rank
      w.r.groupSize = n
      w.r.percentile = round4(rank / n)
      let cls: string
      if (scheme.method === 'rank-share') {
        const k = bounds.findIndex((b) => rank <= b)
        cls = scheme.bands[k === -1 ? scheme.bands.length - 1 : k].class
      } else {
        const band = scheme.bands.find((b) => b.minScore === undefined || w.r.score! >= b.minScore - EPS)
        cls = (band ?? scheme.bands[scheme.bands.length - 1]).class
      }
      w.r.initialClass = cls
      w.r.class = applyVetoes(cls, w.r.vetoes, classOrder)
    })
  }
  return works.map((w) => w.r)
}

/** force: the worst forced class; cap: no better than; floor: no worse than, unless a force or cap fired. */
function applyVetoes(initial: string, vetoes: RatingResult['vetoes'], order: string[]): string {
  const idx = (c: string) => order.indexOf(c)
  let cls = initial
  const forces = vetoes.filter((v) => v.effect === 'force')
  const caps = vetoes.filter((v) => v.effect === 'cap')
  if (forces.length > 0) {
    const worst = forces.reduce((a, b) => (idx(b.class) > idx(a.class) ? b : a))
    cls = worst.class
    worst.applied = true
    return cls
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

function peerKey(r: RatingResult, over: PeerDimension[]): string {
  return over.map((d) => (d === 'county' ? r.county : d === 'sector' ? r.sector : r.group)).join('|')
}

function peerStatistic(cache: Map<string, number[] | number>, key: string, b: Extract<Benchmark, { peer: string }>): number {
  const cached = cache.get(`${key}#stat`)
  if (typeof cached === 'number') return cached
  const list = cache.get(key) as number[]
  let stat: number
  if (b.peer === 'mean') {
    let sum = 0
    for (const v of list) sum += v
    stat = sum / list.length
  } else {
    const m = list.length >> 1
    stat = list.length % 2 ? list[m] : (list[m - 1] + list[m]) / 2
  }
  stat *= b.multiple ?? 1
  cache.set(`${key}#stat`, stat)
  return stat
}

/** A resolver that computes indicators on demand (and caches them in the scope) while a formula reads them. */
export function makeResolver(scope: FormulaScope, indicators: ReadonlyMap<string, IndicatorC>) {
  const busy = new Set<string>()
  const resolver = (name: string): FormulaValue => {
    const have = scope[name]
    if (have !== undefined) return have
    const ind = indicators.get(name)
    if (!ind) throw new FormulaEvalError(`missing figure '${name}'`)
    if (busy.has(name)) throw new FormulaEvalError(`indicator '${name}' depends on itself`)
    busy.add(name)
    try {
      const v = ind.fn.evaluate(scope, resolver)
      scope[name] = v
      return v
    } catch (e) {
      if (e instanceof FormulaEvalError && !e.message.startsWith(`${name}:`)) throw new FormulaEvalError(`${name}: ${e.message}`)
      throw e
    } finally {
      busy.delete(name)
    }
  }
  return resolver
}
