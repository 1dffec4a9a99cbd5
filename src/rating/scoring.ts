/**
 * The arithmetic of one scored indicator: benchmark, ratio, cap and floor, points. Shared by rating and by the
 * trace a result shows, so shown points add up to the score.
 * @module rating/scoring
 */
import type { ScoringC } from '../rulebook/compile.ts'

export const round4 = (x: number) => Math.round(x * 1e4) / 1e4
export const EPS = 1e-9

/** One indicator's benchmark, ratio, capped ratio and points, from its value and the peer statistic. */
export function scoreItem(item: ScoringC['items'][number], value: number, benchmark: number) {
  const ratio = ratioOf(value, benchmark)
  const capped = cappedOf(item, ratio)
  return { benchmark, ratio, capped, points: round4(capped * item.weight) }
}

// Scalar pieces of scoreItem, so the hot points pass allocates no object per indicator.
export function benchmarkOf(item: ScoringC['items'][number], peerStat: number): number {
  const bm = item.benchmark
  return 'fixed' in bm ? bm.fixed : peerStat * (bm.multiple ?? 1)
}
export const ratioOf = (value: number, benchmark: number) => (benchmark > 0 ? value / benchmark : 0)
export const pointsOf = (item: ScoringC['items'][number], value: number, benchmark: number) =>
  round4(cappedOf(item, ratioOf(value, benchmark)) * item.weight)
export function cappedOf(item: ScoringC['items'][number], ratio: number): number {
  let capped = ratio
  if (item.cap !== undefined && capped > item.cap) capped = item.cap
  if (item.floor !== undefined && capped < item.floor) capped = item.floor
  return capped
}
