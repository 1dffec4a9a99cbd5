/**
 * What-if rating of one enterprise's figures against a published population, nothing stored.
 * @module rating/self-check
 */
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { type RateOptions, type RatingResult, rate } from './rate.ts'

/**
 * Rates `candidate` as if it were part of `population` (replacing its own stored record if present), so its
 * benchmarks and rank are those of its real peers.
 */
export function selfCheck(
  population: readonly Enterprise[],
  rulebook: Rulebook,
  year: number,
  candidate: Enterprise,
  options: RateOptions = {},
): RatingResult {
  // Peer statistics here are all within a county; rating the county alone gives the same answer, faster.
  const countyOnly = [
    ...rulebook.sections.scoring.flatMap((s) =>
      s.items.map((i) => ('peer' in i.benchmark ? i.benchmark.over : ['county'])),
    ),
    ...rulebook.sections.classes.map((c) => c.over),
  ].every((over) => over.includes('county'))
  const peers = population.filter(
    (e) => e.creditCode !== candidate.creditCode && (!countyOnly || e.county === candidate.county),
  )
  const results = rate([...peers, candidate], rulebook, year, options)
  return results.find((r) => r.creditCode === candidate.creditCode)!
}
