/**
 * What-if rating of one enterprise's figures against a published population, nothing stored.
 * @module rating/self-check
 */
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { type PeerFrame, type RateOptions, type RatingResult, rate } from './rate.ts'

/**
 * Rates `candidate` as the published run would have: its indicators against the run's benchmarks, its rank among
 * the run's scores (its own published score replaced by the new one). It costs one firm's rating and a binary
 * search, whatever the size of the population.
 */
export function selfCheck(
  peers: PeerFrame,
  rulebook: Rulebook,
  year: number,
  candidate: Enterprise,
  options: RateOptions = {},
): RatingResult {
  return rate([candidate], rulebook, year, { ...options, against: peers })[0]
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
  peers: PeerFrame,
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
      selfCheck(peers, rulebook, year, {
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
