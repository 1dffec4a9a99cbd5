/**
 * What rating plans once and reuses: the sector of an industry code, the check of figures against the inputs,
 * formula resolvers and batches (derived once per rulebook, see rulebook/derived), and each county's plan of the
 * rules in force (groups, scoring, class schemes, sector tables) for one rating.
 * @module rating/plan
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
  INDUSTRY_CODE,
  type IndicatorC,
  type Origin,
  type Rulebook,
  type ScoringC,
  SECTOR,
  type SectorTableC,
} from '../rulebook/compile.ts'
import { type DerivedKind, getOrMake } from '../rulebook/derived.ts'
import { industryGroupOf } from '../rulebook/industry.ts'
import { resolve } from '../rulebook/resolve.ts'
import type { Input } from '../rulebook/schema.ts'
import type { AppliedRule, PeerContext, RateOptions, ScoringPlan } from './result.ts'

/**
 * Sector of an industry code: longest matching GB/T 4754 prefix (a section letter, as in C31, matches the codes of
 * its divisions), else the default sector.
 */
export function sectorOf(rulebook: Rulebook, industryCode: string): string {
  return industryGroupOf(rulebook.sectors, industryCode)!
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
    } else if (input.type === 'text') {
      if (typeof v !== 'string' || v.length > 64)
        p = `${key} must be text of at most 64 characters, got ${JSON.stringify(v)}`
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
  // The rated firm's sector and industry code (`sector`, `industry_in`); unknown when one firm is quoted.
  let sector: string | undefined
  let industryCode: string | undefined
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
    if (name === SECTOR || name === INDUSTRY_CODE) {
      const v = name === SECTOR ? sector : industryCode
      if (v === undefined)
        throw new FormulaEvalError(`'${name}' is known only when a year is rated`)
      return v
    }
    const input = inputs.get(name)
    const d = input?.default ?? (input?.type === 'flag' ? false : undefined)
    if (d === undefined) throw new FormulaEvalError(`missing figure '${name}'`)
    return d
  }
  return {
    resolver,
    /** Points the resolver at one enterprise's figures (and, when rating, its sector and industry code). */
    use(next: FormulaScope, firmSector?: string, firmIndustryCode?: string) {
      scope = next
      sector = firmSector
      industryCode = firmIndustryCode
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

export interface CountyPlan {
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
  /**
   * The evaluation method in force: null for the city's, else the county override id(s) setting the county's own.
   * A county method's peers and ranks are the county's alone: its keys begin with the method (see rate's join).
   */
  method: string | null
}

/** The compiled batch of a list of indicators of a rulebook (see RatingTables.batches). */
export function batchOf(rulebook: Rulebook, indicators: IndicatorC[]): FormulaBatch {
  const tables = rulebook.derived.of(RATING)
  let key = ''
  for (const i of indicators)
    key += `${getOrMake(tables.indicatorKeys, i, () => tables.nextIndicatorKey++)},`
  return getOrMake(tables.batches, key, () => compileBatch(indicators.map((i) => i.fn)))
}

/** A referenced rule item as a result's trace names it, made once per item in one rating. */
export type RuleRef = (
  section: string,
  item: {
    id: string
    label: string
    from: string
    origin: Origin
    source: { document: string }
    assumed?: boolean
  },
) => AppliedRule

/** Plans the rules in force in `county` on `date` for one rating: per group, its scoring, class scheme and batch. */
export function planCounty(
  rulebook: Rulebook,
  county: string,
  year: number,
  date: string,
  options: RateOptions,
  ref: RuleRef,
): CountyPlan {
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
          kinds: scoring.items.map((it) => benchmarkKind(it.benchmark)),
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
  return {
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
    method: rules.method,
  }
}

/** How an item's benchmark is taken, in the trace's words. */
export function benchmarkKind(bm: ScoringC['items'][number]['benchmark']): string {
  if ('fixed' in bm) return 'fixed'
  const over = bm.over.join(' × ')
  if (bm.peer === 'min-max')
    return `min-max over ${over}: (${bm.base} + ${bm.span} × (x − min) / (max − min)) / 100`
  const year = bm.year === 'previous' ? 'previous-year ' : ''
  return `${bm.multiple ? `${bm.multiple} × ` : ''}${year}peer ${bm.peer} over ${over}`
}
