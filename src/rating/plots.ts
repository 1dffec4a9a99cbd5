/**
 * Firms sharing one land plot rated as one (租赁厂房, 多家企业共用一宗地; see PlotSchema): the tenants of a plot, in one
 * county whose plot rule in force says `together`, become one unit whose figures combine theirs (summed, the plot's
 * counted once, any, min, max); the unit is rated as one firm, and each tenant's result is the unit's. Pure.
 * @module rating/plots
 */
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { FormulaValue } from '../formula/compile.ts'
import type { PlotC, Rulebook } from '../rulebook/compile.ts'
import { resolve } from '../rulebook/resolve.ts'
import { figureProblems } from './plan.ts'

/** The tenants of one plot and the unit rated for them. */
export interface PlotUnit {
  /** The plot's id (the value of the rule's `plot` input). */
  id: string
  rule: PlotC
  /** In credit-code order. */
  tenants: Enterprise[]
  /** The firm rated: the first tenant's identity (its county and industry code) with the combined figures. */
  unit: Enterprise
  /** Why the plot cannot be rated as one (its tenants are then invalid, each with these words). */
  problems: string[]
}

/** The population as rated (single firms and one unit per shared plot) and the plots by their unit. */
export interface PlotSplit {
  population: Enterprise[]
  plots: Map<Enterprise, PlotUnit>
  /** Plots whose tenants cannot be rated as one: not in `population`. */
  invalid: PlotUnit[]
}

/** The plot rule in force for `county` on `date`, if one says tenants are rated together. */
function ruleFor(rulebook: Rulebook, county: string, date: string, preview?: string) {
  const rules = resolve(rulebook, county, date, preview ? { preview } : {}).sections.plots
  const rule = rules[0]
  return rule?.together ? rule : undefined
}

/**
 * Splits `population` into single firms and shared plots. Undefined when no plot rule is in force anywhere (the
 * population is rated as given). A plot with a credit code given twice is left as single firms (rating refuses the
 * duplicate).
 */
export function splitPlots(
  population: readonly Enterprise[],
  rulebook: Rulebook,
  date: string,
  options: { preview?: string; trusted?: boolean },
): PlotSplit | undefined {
  const hasRule =
    rulebook.sections.plots.length > 0 ||
    rulebook.overrides.some((o) => (o.add.plots?.length ?? 0) + (o.replace.plots?.length ?? 0) > 0)
  if (!hasRule) return undefined
  const rules = new Map<string, PlotC | undefined>()
  const byPlot = new Map<string, { rule: PlotC; id: string; tenants: Enterprise[] }>()
  // Credit codes of firms on a plot, and those seen twice anywhere (left single: rating refuses a duplicate).
  const onPlot = new Set<string>()
  const twice = new Set<string>()
  for (const e of population) {
    let rule = rules.get(e.county)
    if (!rules.has(e.county)) {
      rule = ruleFor(rulebook, e.county, date, options.preview)
      rules.set(e.county, rule)
    }
    const id = rule && e.figures[rule.plot]
    if (typeof id !== 'string' || id.trim() === '') continue
    if (onPlot.has(e.creditCode)) twice.add(e.creditCode)
    onPlot.add(e.creditCode)
    const key = `${rule!.plot}\u0000${id.trim()}`
    let p = byPlot.get(key)
    if (!p) {
      p = { rule: rule!, id: id.trim(), tenants: [] }
      byPlot.set(key, p)
    }
    p.tenants.push(e)
  }
  const plots = new Map<Enterprise, PlotUnit>()
  const invalid: PlotUnit[] = []
  const tenantOf = new Set<Enterprise>()
  if (byPlot.size === 0) return undefined
  // Only where some firm is on a plot: one more pass for a code given both on a plot and off it.
  for (const e of population) {
    const id = rules.get(e.county) && e.figures[rules.get(e.county)!.plot]
    if ((typeof id !== 'string' || id.trim() === '') && onPlot.has(e.creditCode))
      twice.add(e.creditCode)
  }
  for (const p of byPlot.values()) {
    if (p.tenants.length < 2 || p.tenants.some((t) => twice.has(t.creditCode))) continue
    p.tenants.sort((a, b) => (a.creditCode < b.creditCode ? -1 : 1))
    const unit = combine(rulebook, p.rule, p.id, p.tenants, options.trusted === true)
    if (unit.problems.length > 0) invalid.push(unit)
    else plots.set(unit.unit, unit)
    for (const t of p.tenants) tenantOf.add(t)
  }
  if (tenantOf.size === 0) return undefined
  const out = population.filter((e) => !tenantOf.has(e))
  for (const unit of plots.keys()) out.push(unit)
  return { population: out, plots, invalid }
}

/** One plot's unit: its tenants' figures combined as the rule says, or what stops them being combined. */
function combine(
  rulebook: Rulebook,
  rule: PlotC,
  id: string,
  tenants: Enterprise[],
  trusted: boolean,
): PlotUnit {
  const problems: string[] = []
  const at = `plot ${id}`
  const counties = new Set(tenants.map((t) => t.county))
  if (counties.size > 1)
    problems.push(
      `${at}: its tenants are entered in different counties (${tenants.map((t) => `${t.creditCode}: ${t.county}`).join(', ')})`,
    )
  if (!trusted)
    for (const t of tenants)
      for (const p of figureProblems(rulebook, t.figures) ?? [])
        problems.push(`${at}: tenant ${t.creditCode}: ${p}`)
  const figures: Record<string, FormulaValue | undefined> = { [rule.plot]: id }
  if (problems.length === 0) {
    const value = (t: Enterprise, input: string) =>
      t.figures[input] ?? rulebook.inputById.get(input)?.default ?? undefined
    const numbers = (input: string, how: string): number[] | undefined => {
      const vs = tenants.map((t) => value(t, input))
      const lacking = tenants.filter((_, i) => vs[i] === undefined).map((t) => t.creditCode)
      if (lacking.length === 0) return vs as number[]
      // No tenant gives it: the plot does not either (a formula that reads it says so).
      if (lacking.length === tenants.length) return undefined
      problems.push(
        `${at}: ${lacking.join(', ')} ${lacking.length > 1 ? 'give' : 'gives'} no ${input}, which is ${how} over the plot`,
      )
      return undefined
    }
    for (const input of rule.sum ?? []) {
      const vs = numbers(input, 'summed')
      if (vs) figures[input] = vs.reduce((a, b) => a + b, 0)
    }
    for (const [list, pick] of [
      ['min', Math.min],
      ['max', Math.max],
    ] as const)
      for (const input of rule[list] ?? []) {
        const vs = numbers(input, `taken at its ${list === 'min' ? 'smallest' : 'largest'}`)
        if (vs) figures[input] = pick(...vs)
      }
    for (const input of rule.any ?? [])
      figures[input] = tenants.some((t) => value(t, input) === true)
    for (const input of rule.same ?? []) {
      const given = tenants.filter((t) => t.figures[input] !== undefined)
      const values = new Set(given.map((t) => t.figures[input]))
      if (values.size > 1)
        problems.push(
          `${at}: its tenants give different ${input} (${given.map((t) => `${t.creditCode}: ${t.figures[input]}`).join(', ')}); it is the plot's, the same for every tenant`,
        )
      else if (given.length > 0) figures[input] = given[0].figures[input]
    }
  }
  const first = tenants[0]
  const unit: Enterprise = {
    creditCode: first.creditCode,
    name: first.name,
    county: first.county,
    industryCode: first.industryCode,
    figures,
  }
  return { id, rule, tenants, unit, problems }
}
