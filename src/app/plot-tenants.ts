/**
 * The firms a stored result was rated with when it shares a land plot (see the rules' `plots`): to recompute a
 * tenant's trace, the whole plot is rated again, each tenant at the figures version its own row of the run names.
 * @module app/plot-tenants
 */
import type { Store } from '../db/store.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { resolve } from '../rulebook/resolve.ts'

type ResultRow = NonNullable<ReturnType<Store['runResult']>>

/**
 * The population to rate for `row`'s trace: the firm alone, or every tenant of its plot that the run rated on the
 * same plot (its row's figures version puts it there), with the row whose identity the plot was rated under.
 */
export function ratedWith(
  store: Store,
  rulebook: Rulebook,
  run: { id: number; year: number },
  row: ResultRow,
  firm: Enterprise,
): { population: Enterprise[]; unitRow: ResultRow } {
  const alone = { population: [firm], unitRow: row }
  const rule = resolve(rulebook, row.county, `${run.year}-12-31`).sections.plots[0]
  const id = rule?.together ? firm.figures[rule.plot] : undefined
  if (!rule || typeof id !== 'string' || id.trim() === '') return alone
  const population = [firm]
  let unitRow = row
  for (const f of store.figuresOnPlot(run.year, rule.plot, id)) {
    if (f.creditCode === row.creditCode) continue
    const other = store.runResult(run.id, f.creditCode)
    if (!other || other.figuresVersion !== f.version) continue
    population.push({
      creditCode: other.creditCode,
      name: other.name,
      county: other.county,
      industryCode: other.industryCode,
      figures: f.figures,
      figuresVersion: f.version,
    })
    // The plot is rated under its first tenant's identity (rating/plots): its rank group is that row's.
    if (other.creditCode < unitRow.creditCode) unitRow = other
  }
  return { population, unitRow }
}
