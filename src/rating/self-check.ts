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
/**
 * Whether every peer statistic and rank of `rulebook` is taken within a county: then a self-check needs only the
 * candidate's county, and the caller can read no more than that from storage.
 */
export function peersWithinCounty(rulebook: Rulebook): boolean {
  return [
    ...rulebook.sections.scoring.flatMap((s) =>
      s.items.map((i) => ('peer' in i.benchmark ? i.benchmark.over : ['county'])),
    ),
    ...rulebook.sections.classes.map((c) => c.over),
  ].every((over) => over.includes('county'))
}

export function selfCheck(
  population: readonly Enterprise[],
  rulebook: Rulebook,
  year: number,
  candidate: Enterprise,
  options: RateOptions = {},
): RatingResult {
  // Peer statistics here are all within a county; rating the county alone gives the same answer, faster.
  const countyOnly = peersWithinCounty(rulebook)
  const peers = population.filter(
    (e) => e.creditCode !== candidate.creditCode && (!countyOnly || e.county === candidate.county),
  )
  const results = rate([...peers, candidate], rulebook, year, options)
  return results.find((r) => r.creditCode === candidate.creditCode)!
}

export interface ClassMove {
  indicator: string
  /** The figure raised: the first input the indicator's formula reads (its numerator). */
  input: string
  from: number
  to: number
  /** Relative increase, e.g. 0.25 = +25 %. */
  change: number
  newClass: string
}

/**
 * For each scored indicator, the smallest increase (up to 10×) of its leading figure that earns a better class,
 * found by bisection on re-rating against the same peers. Sorted by the size of the change, smallest first.
 */
export function classMoves(
  population: readonly Enterprise[],
  rulebook: Rulebook,
  year: number,
  candidate: Enterprise,
  current: RatingResult,
): ClassMove[] {
  if (current.status !== 'rated' || !current.class) return []
  const order = rulebook.meta.classes.map((c) => c.id)
  const rank = (c: string | null) => (c ? order.indexOf(c) : order.length)
  if (rank(current.class) === 0) return []
  const moves: ClassMove[] = []
  const seen = new Set<string>()
  for (const ind of current.indicators) {
    const def = rulebook.sections.indicators.find((i) => i.id === ind.id)
    const input = def?.fn.symbols.find((s) => rulebook.inputById.get(s)?.type === 'number')
    const base = input ? candidate.figures[input] : undefined
    if (!input || seen.has(input) || typeof base !== 'number' || base <= 0) continue
    seen.add(input)
    const classAt = (factor: number) =>
      selfCheck(population, rulebook, year, {
        ...candidate,
        figures: { ...candidate.figures, [input]: base * factor },
      }).class
    if (rank(classAt(10)) >= rank(current.class)) continue
    let lo = 1
    let hi = 10
    for (let k = 0; k < 16; k++) {
      const mid = (lo + hi) / 2
      if (rank(classAt(mid)) < rank(current.class)) hi = mid
      else lo = mid
    }
    const to = Math.ceil(base * hi * 100) / 100
    moves.push({
      indicator: ind.id,
      input,
      from: base,
      to,
      change: Math.round((hi - 1) * 1000) / 1000,
      newClass: classAt(hi)!,
    })
  }
  return moves.sort((a, b) => a.change - b.change)
}
