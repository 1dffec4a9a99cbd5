/**
 * The arithmetic of one scored indicator: benchmark, ratio, cap and floor, points. Shared by rating and by the
 * trace a result shows, so shown points add up to the score.
 *
 * A ratio item's ratio is value ÷ benchmark. A min–max item's benchmark is the peers' minimum and `spread` their
 * maximum − minimum; its ratio is (base + span × (value − min) / spread) / 100, and a spread of 0 (every peer the
 * same) puts every firm at the maximum: (base + span) / 100.
 * @module rating/scoring
 */
import type { ScoringC } from '../rulebook/compile.ts'

export const round4 = (x: number) => Math.round(x * 1e4) / 1e4
export const EPS = 1e-9

type Item = ScoringC['items'][number]

/** One indicator's benchmark, ratio, capped ratio and points, from its value and the peer statistic. */
export function scoreItem(item: Item, value: number, benchmark: number, spread = 0) {
  const ratio = ratioOf(item, value, benchmark, spread)
  const capped = cappedOf(item, ratio)
  return { benchmark, ratio, capped, points: round4(capped * item.weight) }
}

// Scalar pieces of scoreItem, so the hot points pass allocates no object per indicator.
/** The benchmark from the peer statistic (for a previous-year item, that year's), or the peers' minimum (min–max). */
export function benchmarkOf(item: Item, peerStat: number): number {
  const bm = item.benchmark
  if ('fixed' in bm) return bm.fixed
  return bm.peer === 'min-max' ? peerStat : peerStat * (bm.multiple ?? 1)
}
export function ratioOf(item: Item, value: number, benchmark: number, spread: number): number {
  const mm = item.minMax
  if (mm) return (mm.base + mm.span * (spread > 0 ? (value - benchmark) / spread : 1)) / 100
  return benchmark > 0 ? value / benchmark : 0
}
export const pointsOf = (item: Item, value: number, benchmark: number, spread: number) =>
  round4(cappedOf(item, ratioOf(item, value, benchmark, spread)) * item.weight)
export function cappedOf(item: Item, ratio: number): number {
  let capped = ratio
  if (item.cap !== undefined && capped > item.cap) capped = item.cap
  if (item.floor !== undefined && capped < item.floor) capped = item.floor
  return capped
}
