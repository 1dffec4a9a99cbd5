/**
 * Collects one file's dated items into the compiled sections: each item checked against the rulebook's classes,
 * categories, sectors, resources and indicators, its formulas compiled once, its origin and position kept.
 * @module rulebook/compile-sections
 */
import { Decimal } from 'decimal.js'
import { FormulaError } from '../errors.ts'
import { type CompiledFormula, compileFormula, suggest } from '../formula/compile.ts'
import { industryPrefixProblem } from './industry.ts'
import { position, quoteOffset } from './locate.ts'
import {
  type ClassScheme,
  DATED_SECTIONS,
  type DatedSection,
  type Deadline,
  type Fund,
  type Measure,
  type Plot,
  type Refund,
  type RuleFile,
  type Scoring,
  type SectorTable,
  type Surcharge,
} from './schema.ts'
import { kindOf } from './tariff-kinds/index.ts'
import {
  type CheckContext,
  EVALUATION_YEAR,
  EVALUATION_YEAR_SECTIONS,
  FIRM_CODE_SECTIONS,
  INDUSTRY_CODE,
  type Located,
  type Origin,
  type Reporter,
  SECTOR,
  type Sections,
  type TableRowC,
} from './types.ts'

export function collectSections(
  data: RuleFile,
  loc: Located,
  originBase: Origin,
  out: Sections,
  ctx: CheckContext,
  prefix: (string | number)[],
): void {
  const { report, meta } = ctx
  const classIds = new Set(meta.classes.map((c) => c.id))
  const categoryIds = new Set(meta.categories.map((c) => c.id))
  const sectorIds = new Set(ctx.sectors.map((s) => s.id))
  const resourceIds = new Set(meta.resources.map((r) => r.id))
  const inputIds = new Set(ctx.inputs.map((i) => i.id))
  const departmentIds = new Set(meta.departments.map((d) => d.id))
  const formula = (
    path: (string | number)[],
    source: string,
    expect?: 'number' | 'boolean',
  ): CompiledFormula | undefined => {
    try {
      // The evaluation year is known when a population is rated (groups, adjustments, vetoes), not when a single
      // firm is priced or categorised.
      const section = path[0] === 'replace' || path[0] === 'add' ? path[1] : path[0]
      const f = compileFormula(
        source,
        FIRM_CODE_SECTIONS.has(String(section)) ? ctx.firmSymbols : ctx.symbols,
      )
      if (f.symbols.includes(EVALUATION_YEAR) && !EVALUATION_YEAR_SECTIONS.has(String(section))) {
        report(
          loc,
          path,
          `'${EVALUATION_YEAR}' may be used only in a group's, an adjustment's or a veto's \`when\` (it is known when a year is rated)`,
          quoteOffset(loc, path),
        )
        return undefined
      }
      if (f.symbols.includes(INDUSTRY_CODE) && !FIRM_CODE_SECTIONS.has(String(section))) {
        report(
          loc,
          path,
          `'industry_in' may be used only in a condition of a rated firm (groups, adjustments, vetoes, sector table rows, a scoring item's \`missing\`): a quote of one firm does not rate it`,
          quoteOffset(loc, path),
        )
        return undefined
      }
      // A `when` that is not a condition would never fire, an indicator that is not a number cannot be scored.
      if (expect && f.type !== expect) {
        report(
          loc,
          path,
          expect === 'boolean'
            ? `'${source}' is not a condition: a \`when\` must give true or false (e.g. a comparison)`
            : `'${source}' does not give a number: an indicator formula must`,
          quoteOffset(loc, path),
        )
        return undefined
      }
      return f
    } catch (e) {
      if (e instanceof FormulaError) {
        const extra = e.index !== undefined && !source.includes('\n') ? Math.max(0, e.index - 1) : 0
        // In a `when`, what a condition may use replaces the list of the nearest names.
        const unknown = e.message.replace(
          /; the \d+ variables a formula here may use \(nearest first\): .*$/,
          '',
        )
        // "…; did you mean 'sector'?" is a sentence of its own: the next one follows it without a full stop.
        const message =
          expect === 'boolean' && e.message.startsWith('unknown variable')
            ? `${unknown}${unknown.endsWith('?') ? '' : '.'} ${whenMayUse(ctx)}`
            : e.message
        report(loc, path, `formula '${source}': ${message}`, extra + quoteOffset(loc, path))
        return undefined
      }
      throw e
    }
  }
  const dateCheck = (item: { from: string; to?: string }, path: (string | number)[]) => {
    if (item.to && item.to <= item.from)
      report(loc, [...path, 'to'], `'to' (${item.to}) must be after 'from' (${item.from})`)
  }
  const originOf = (path: (string | number)[]): Origin => ({
    ...originBase,
    line: position(loc, path).line,
  })
  const dummy = compileFormula('0', new Map())
  const shared = {
    loc,
    report,
    formula,
    dummy,
    ctx,
    classIds,
    categoryIds,
    sectorIds,
    resourceIds,
    inputIds,
    departmentIds,
  }

  for (const section of DATED_SECTIONS) {
    const list = (data[section] ?? []) as any[]
    list.forEach((item, i) => {
      const path = [...prefix, section, i]
      dateCheck(item, path)
      const env: ItemEnv = {
        ...shared,
        path,
        origin: originOf(path),
      }
      const compiled = COMPILE[section](item, env)
      ;(out[section] as object[]).push(compiled)
      // Where each compiled item sits, so later whole-rulebook checks can point at it.
      ctx.locations.set(compiled, { loc, path })
    })
  }
}

/** What a `when` may use, said after an unknown variable in one. */
function whenMayUse(ctx: CheckContext): string {
  // A text input (a plot's or zone's id) is no figure a formula may read.
  const inputs = ctx.inputs.filter((i) => i.type !== 'text').map((i) => i.id)
  const shown =
    inputs.slice(0, 12).join(', ') + (inputs.length > 12 ? ` and ${inputs.length - 12} more` : '')
  return `A \`when\` may use: the inputs (${shown}); the indicators; \`${EVALUATION_YEAR}\` (groups, adjustments, vetoes); \`${SECTOR}\`, compared with a sector id (${ctx.sectors.map((x) => x.id).join(', ')}), and \`industry_in("C31", "3391", …)\` with GB/T 4754 prefixes (where a firm is rated)`
}

/** What a section's compiler needs of one item: where it is, the rulebook's ids, and how to compile a formula. */
interface ItemEnv {
  loc: Located
  path: (string | number)[]
  origin: Origin
  report: Reporter
  formula: (
    path: (string | number)[],
    source: string,
    expect?: 'number' | 'boolean',
  ) => CompiledFormula | undefined
  dummy: CompiledFormula
  ctx: CheckContext
  classIds: Set<string>
  categoryIds: Set<string>
  sectorIds: Set<string>
  resourceIds: Set<string>
  inputIds: Set<string>
  departmentIds: Set<string>
}

/** Reports a class id the rulebook does not declare, naming the ones it does. */
function checkClass(env: ItemEnv, path: (string | number)[], id: string): void {
  if (!env.classIds.has(id))
    env.report(env.loc, path, `unknown class '${id}' (classes: ${[...env.classIds].join(', ')})`)
}

/** A class scheme's industry groups: used iff `over` names `industry`, GB/T 4754 prefixes, one default. */
function checkIndustries(env: ItemEnv, c: ClassScheme): void {
  const { loc, path, report } = env
  const uses = c.over.includes('industry')
  if (uses && !c.industries)
    report(
      loc,
      [...path, 'over'],
      `'industry' in over needs the scheme's \`industries\` (industry groups by GB/T 4754 prefix)`,
    )
  if (!c.industries) return
  if (!uses)
    report(
      loc,
      [...path, 'industries'],
      `industries are used only when \`over\` names 'industry' (e.g. over: [county, group, industry])`,
    )
  const seen = new Set<string>()
  c.industries.forEach((g, j) => {
    if (seen.has(g.id))
      report(loc, [...path, 'industries', j, 'id'], `duplicate industry '${g.id}'`)
    seen.add(g.id)
    g.industryCodes.forEach((p, k) => {
      const problem = industryPrefixProblem(p)
      if (problem) report(loc, [...path, 'industries', j, 'industryCodes', k], problem)
    })
  })
  if (c.industries.filter((g) => g.default).length !== 1)
    report(
      loc,
      [...path, 'industries'],
      'exactly one industry must be marked `default: true` (where a code no prefix matches is ranked)',
    )
}

/** An item whose `when` is compiled as a condition, with its origin. */
function withWhen<T extends { when: string }>(item: T, env: ItemEnv) {
  return {
    ...item,
    origin: env.origin,
    whenFn: env.formula([...env.path, 'when'], item.when, 'boolean') ?? env.dummy,
  }
}

/** Each dated section's compiler: checks one item and returns it compiled (formulas, origin). */
const COMPILE: { [S in DatedSection]: (item: any, env: ItemEnv) => Sections[S][number] } = {
  groups(item, env) {
    if (item.unratedClass !== undefined)
      checkClass(env, [...env.path, 'unratedClass'], item.unratedClass)
    return withWhen(item, env)
  },
  indicators(item, env) {
    const { path, origin, formula, dummy } = env
    return {
      ...item,
      origin,
      fn: formula([...path, 'formula'], item.formula, 'number') ?? dummy,
    }
  },
  scoring(item, env) {
    const { loc, path, origin, report, formula, dummy, ctx } = env
    const s = item as Scoring
    s.items.forEach((si, j) => {
      if (!ctx.indicatorIds.has(si.indicator))
        report(
          loc,
          [...path, 'items', j, 'indicator'],
          `unknown indicator '${si.indicator}'${suggest(si.indicator, ctx.indicatorIds)}`,
        )
      if (si.cap !== undefined && si.floor !== undefined && si.floor > si.cap)
        report(loc, [...path, 'items', j, 'floor'], `floor ${si.floor} is above cap ${si.cap}`)
      const over = 'over' in si.benchmark ? si.benchmark.over : []
      const k = over.indexOf('industry')
      if (k >= 0)
        report(
          loc,
          [...path, 'items', j, 'benchmark', 'over', k],
          `a benchmark is taken over county, sector or group; industry groups rank firms in a class scheme (its \`industries\`)`,
        )
    })
    return {
      ...s,
      origin,
      items: s.items.map((si, j) => {
        const bm = si.benchmark
        return {
          ...si,
          ...('peer' in bm &&
            bm.peer === 'min-max' && { minMax: { base: bm.base, span: bm.span } }),
          ...('peer' in bm &&
            bm.peer !== 'min-max' &&
            bm.year === 'previous' && { previous: true }),
          ...(si.missing && {
            missingFn:
              formula([...path, 'items', j, 'missing', 'when'], si.missing.when, 'boolean') ??
              dummy,
          }),
        }
      }),
    }
  },
  adjustments: (item, env) => withWhen(item, env),
  vetoes(item, env) {
    checkClass(env, [...env.path, 'class'], item.class)
    return withWhen(item, env)
  },
  classes(item, env) {
    const { loc, path, origin, report, ctx, classIds } = env
    const c = item as ClassScheme
    c.bands.forEach((b, j) => {
      checkClass(env, [...path, 'bands', j, 'class'], b.class)
      if (c.method === 'rank-share' && b.share === undefined)
        report(loc, [...path, 'bands', j], `a rank-share band needs 'share'`)
      if (c.method === 'score' && b.minScore === undefined && j < c.bands.length - 1)
        report(
          loc,
          [...path, 'bands', j],
          `a score band needs 'minScore' (only the last band may omit it)`,
        )
    })
    // Bands are read in order, best class first; a band listed out of order silently gives wrong classes.
    const classOrder = [...classIds]
    for (let j = 1; j < c.bands.length; j++) {
      const prev = classOrder.indexOf(c.bands[j - 1].class)
      const here = classOrder.indexOf(c.bands[j].class)
      if (prev >= 0 && here >= 0 && here <= prev)
        report(
          loc,
          [...path, 'bands', j, 'class'],
          `bands are listed best class first (${classOrder.join(', ')}): '${c.bands[j].class}' cannot follow '${c.bands[j - 1].class}'`,
        )
      const [hi, lo] = [c.bands[j - 1].minScore, c.bands[j].minScore]
      if (c.method === 'score' && hi !== undefined && lo !== undefined && lo >= hi)
        report(
          loc,
          [...path, 'bands', j, 'minScore'],
          `minScore ${lo} is not below the previous band's ${hi}: score bands go from the highest threshold down`,
        )
    }
    const last = c.bands[c.bands.length - 1]
    if (c.method === 'score' && last?.minScore !== undefined)
      report(
        loc,
        [...path, 'bands', c.bands.length - 1, 'minScore'],
        `the last score band takes every score below the band before it, so it has no minScore: a firm under ${last.minScore} would get '${last.class}' anyway. Add a band for lower scores, or remove this minScore`,
      )
    if (c.method === 'rank-share') {
      const total = c.bands.reduce((a, b) => a + (b.share ?? 0), 0)
      if (Math.abs(total - 1) > 1e-9)
        report(loc, [...path, 'bands'], `band shares add up to ${+total.toFixed(6)}, not 1`)
    }
    checkIndustries(env, c)
    for (const t of c.tieBreak)
      if (!ctx.indicatorIds.has(t))
        report(
          loc,
          [...path, 'tieBreak'],
          `unknown indicator '${t}' in tieBreak${suggest(t, ctx.indicatorIds)}`,
        )
    return { ...c, origin }
  },
  sectorTables(item, env) {
    const { loc, path, origin, report, formula, dummy, categoryIds, sectorIds } = env
    const t = item as SectorTable
    t.sectors.forEach((s, j) => {
      if (!sectorIds.has(s)) report(loc, [...path, 'sectors', j], `unknown sector '${s}'`)
    })
    if (!categoryIds.has(t.otherwise))
      report(loc, [...path, 'otherwise'], `unknown category '${t.otherwise}'`)
    const rows: TableRowC[] = t.rows.map((r, j) => {
      if (!categoryIds.has(r.category))
        report(
          loc,
          [...path, 'rows', j, 'category'],
          `unknown category '${r.category}' (categories: ${[...categoryIds].join(', ')})`,
        )
      return {
        ...r,
        whenFn: formula([...path, 'rows', j, 'when'], r.when, 'boolean') ?? dummy,
      }
    })
    return { ...t, rows, origin }
  },
  surcharges(item, env) {
    const {
      loc,
      path,
      origin,
      report,
      ctx,
      classIds,
      categoryIds,
      sectorIds,
      resourceIds,
      inputIds,
    } = env
    const s = item as Surcharge
    if (!resourceIds.has(s.resource))
      report(loc, [...path, 'resource'], `resource '${s.resource}' is not declared in the rulebook`)
    s.sectors?.forEach((x, j) => {
      if (!sectorIds.has(x)) report(loc, [...path, 'sectors', j], `unknown sector '${x}'`)
    })
    kindOf(s).check(s, {
      classIds,
      categoryIds,
      indicatorIds: ctx.indicatorIds,
      inputIds,
      report: (at, message) => report(loc, [...path, ...at], message),
      suggest,
    })
    return { ...s, origin }
  },
  stacking(item, env) {
    const { origin } = env
    return { ...item, origin }
  },
  targets(item, env) {
    const { origin } = env
    return { ...item, origin }
  },
  deadlines(item, env) {
    const { loc, path, origin, report } = env
    const d = item as Deadline
    if (d.kind === 'project_list' && !d.due)
      report(loc, [...path, 'due'], `a project_list deadline needs 'due' (yearOffset, month, day)`)
    if (d.kind === 'quarterly_report' && d.daysAfter === undefined)
      report(loc, [...path, 'daysAfter'], `a quarterly_report deadline needs 'daysAfter'`)
    return { ...d, origin }
  },
  funds(item, env) {
    const { loc, path, origin, report } = env
    const f = item as Fund
    // Weights are compared as decimals: 0.3 + 0.2 + … is not 1 in binary floating point.
    const sum = f.criteria.reduce((a, c) => a.plus(String(c.weight)), new Decimal(0))
    if (!sum.eq(1)) report(loc, [...path, 'criteria'], `criteria weights sum to ${sum}, not 1`)
    const seen = new Set<string>()
    f.criteria.forEach((c, j) => {
      if (seen.has(c.id))
        report(loc, [...path, 'criteria', j, 'id'], `duplicate criterion '${c.id}'`)
      seen.add(c.id)
    })
    return { ...f, origin }
  },
  refunds(item, env) {
    const { loc, path, origin, report, classIds, resourceIds } = env
    const r = item as Refund
    const seen = new Set<string>()
    r.shares.forEach((row, j) => {
      for (const [k, c] of [
        ['from', row.from] as const,
        ...row.to.map((c, i) => [`to.${i}`, c] as const),
      ])
        if (!classIds.has(c))
          report(loc, [...path, 'shares', j, ...k.split('.')], `unknown class '${c}'`)
      if (seen.has(row.from))
        report(loc, [...path, 'shares', j, 'from'], `a second row for class '${row.from}'`)
      seen.add(row.from)
      if (row.to.includes(row.from))
        report(loc, [...path, 'shares', j, 'to'], `class '${row.from}' to itself is no improvement`)
    })
    r.resources?.forEach((x, j) => {
      if (!resourceIds.has(x))
        report(loc, [...path, 'resources', j], `resource '${x}' is not declared in the rulebook`)
    })
    return { ...r, origin }
  },
  measures(item, env) {
    const { loc, path, origin, report, sectorIds, departmentIds } = env
    const m = item as Measure
    if (!departmentIds.has(m.department))
      report(
        loc,
        [...path, 'department'],
        `unknown department '${m.department}' (departments: ${[...departmentIds].join(', ') || 'none declared in rulebook.departments'})${suggest(m.department, departmentIds)}`,
      )
    m.sectors?.forEach((x, j) => {
      if (!sectorIds.has(x))
        report(loc, [...path, 'sectors', j], `unknown sector '${x}'${suggest(x, sectorIds)}`)
    })
    const seen = new Set<string>()
    m.values.forEach((v, j) => {
      checkClass(env, [...path, 'values', j, 'class'], v.class)
      if (seen.has(v.class))
        report(loc, [...path, 'values', j, 'class'], `class '${v.class}' is listed twice`)
      seen.add(v.class)
    })
    return { ...m, origin }
  },
  plots(item, env) {
    const { loc, path, origin, report, ctx } = env
    const p = item as Plot
    const byId = new Map(ctx.inputs.map((i) => [i.id, i]))
    const plotInput = byId.get(p.plot)
    if (!plotInput)
      report(loc, [...path, 'plot'], `unknown input '${p.plot}'${suggest(p.plot, env.inputIds)}`)
    else if (plotInput.type !== 'text')
      report(
        loc,
        [...path, 'plot'],
        `the plot is named by a text input; '${p.plot}' is a ${plotInput.type}`,
      )
    // Which kind of input each list takes: sums and extremes of numbers, `any` of flags, `same` of anything.
    const kinds = {
      sum: 'number',
      min: 'number',
      max: 'number',
      any: 'flag',
      same: undefined,
    } as const
    const listed = new Map<string, string>([[p.plot, 'plot']])
    for (const list of ['sum', 'same', 'any', 'min', 'max'] as const)
      p[list]?.forEach((id, j) => {
        const at = [...path, list, j]
        const input = byId.get(id)
        if (!input) {
          report(loc, at, `unknown input '${id}'${suggest(id, env.inputIds)}`)
          return
        }
        const want = kinds[list]
        if (want && input.type !== want)
          report(loc, at, `'${id}' is a ${input.type} input; \`${list}\` takes ${want} inputs`)
        const had = listed.get(id)
        if (had) report(loc, at, `'${id}' is already in \`${had}\`: each input combines one way`)
        listed.set(id, list)
      })
    return { ...p, origin }
  },
}
