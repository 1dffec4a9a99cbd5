/**
 * Benchmarks and points of a rating, once every firm has joined its peers: each peer statistic (mean, median, min
 * and max, or the previous year's), each firm's points from them, and the mean points a firm that does not report a
 * figure gets.
 * @module rating/points
 */
import { MujunError } from '../errors.ts'
import type { CountyPlan } from './plan.ts'
import { BASE_SCORE, type Bucket, type RateOptions, type RatingResult, SCORE } from './result.ts'
import { benchmarkOf, pointsOf, round4 } from './scoring.ts'

/**
 * Benchmarks: each peer statistic (mean, median, or min and max), or the published one when rating against a stored
 * frame; for a `year: previous` item, the previous year's statistic of the same item and peers.
 */
export function settleBenchmarks(
  buckets: Iterable<Bucket>,
  plans: Iterable<CountyPlan>,
  year: number,
  options: RateOptions,
): void {
  const { against, record } = options
  for (const b of buckets) {
    if (b.values) {
      b.values.sort((x, y) => x - y)
      const m = b.values.length >> 1
      b.stat = b.values.length % 2 ? b.values[m] : (b.values[m - 1] + b.values[m]) / 2
    } else if (b.range) b.stat = b.n > 0 ? b.min : Number.NaN
    else b.stat = b.sum / b.n
    const published = against?.stats.get(b.key)
    if (published !== undefined) b.stat = published
    record?.stats.set(b.key, b.stat)
    if (b.range) {
      b.max = against?.stats.get(`${b.key}|max`) ?? (b.n > 0 ? b.max : Number.NaN)
      record?.stats.set(`${b.key}|max`, b.max)
    }
  }
  for (const bySector of plans) {
    for (const byGroup of bySector.contexts.values()) {
      for (const ctx of byGroup.values()) {
        for (let i = 0; i < ctx.items.length; i++) {
          const b = ctx.buckets[i]
          const item = ctx.items[i]
          ctx.benchmarks[i] = benchmarkOf(
            item,
            item.previous ? previousStat(b.key, year, options) : b.stat,
          )
          ctx.spreads[i] = b.range ? b.max - b.stat : 0
        }
      }
    }
  }
}

/**
 * The previous year's statistic for a `year: previous` benchmark: the published one a frame used, else the one
 * recorded with the previous year's run. None is an error: this year's statistic is no stand-in for it.
 */
function previousStat(key: string, year: number, options: RateOptions): number {
  const used = `${key}|previous`
  const stat = options.against?.stats.get(used) ?? options.previous?.stats.get(key)
  if (stat === undefined || !Number.isFinite(stat)) {
    const [scoring, indicator, ...peers] = key.split('|')
    throw new MujunError(
      'NO_PREVIOUS_YEAR',
      `${scoring} benchmarks ${indicator} on the ${year - 1} peer statistic over ${peers.filter(Boolean).join(' × ')}, and ${
        options.previous
          ? `the ${options.previous.year} run recorded none for those peers`
          : `no published ${year - 1} evaluation is given`
      }: rate and publish ${year - 1} first, or use \`year: current\` for this year`,
      { status: 422 },
    )
  }
  options.record?.stats.set(used, stat)
  return stat
}

/** Points and scores; an item with a `missing` rule gives an unreported firm its reporting peers' mean points. */
export function scorePoints(
  results: RatingResult[],
  plans: Map<string, CountyPlan>,
  options: RateOptions,
): void {
  // Items with a `missing` rule: the mean points of the peers that reported, per benchmark group.
  let anyMissing = false
  for (const p of plans.values())
    for (const g of p.byGroup.values()) if (g.plan?.hasMissing) anyMissing = true
  if (anyMissing) {
    for (let k = 0; k < results.length; k++) {
      const r = results[k]
      const ctx = r.peers
      if (!ctx || r.status !== 'rated' || !ctx.plan.hasMissing) continue
      for (let i = 0; i < ctx.items.length; i++) {
        const v = r.numbers![r.offset + i]
        if (!ctx.items[i].missingFn || Number.isNaN(v)) continue
        ctx.buckets[i].pointsSum += pointsOf(ctx.items[i], v, ctx.benchmarks[i], ctx.spreads[i])
        ctx.buckets[i].pointsN++
      }
    }
    for (const p of plans.values())
      for (const bySector of p.contexts.values())
        for (const ctx of bySector.values())
          for (let i = 0; i < ctx.items.length; i++) {
            const b = ctx.buckets[i]
            if (!ctx.items[i].missingFn) continue
            const key = `${b.key}|missing-points`
            const published = options.against?.stats.get(key)
            b.missingPoints = published ?? (b.pointsN > 0 ? round4(b.pointsSum / b.pointsN) : 0)
            options.record?.stats.set(key, b.missingPoints)
          }
  }
  for (let k = 0; k < results.length; k++) {
    const r = results[k]
    const ctx = r.peers
    if (!ctx || r.status !== 'rated') continue
    const items = ctx.items
    const n = r.numbers!
    const o = r.offset
    let base = 0
    for (let i = 0; i < items.length; i++) {
      const item = items[i]
      const v = n[o + i]
      // The same arithmetic as scoreItem, which the trace uses: shown points add up to the base score.
      base += Number.isNaN(v)
        ? ctx.buckets[i].missingPoints
        : pointsOf(item, v, ctx.benchmarks[i], ctx.spreads[i])
    }
    let adj = 0
    for (let ai = 0; ai < r.adjustments.length; ai++) adj += r.adjustments[ai].points
    const tail = r.tailAt()
    n[tail + BASE_SCORE] = round4(base)
    n[tail + SCORE] = round4(base + adj)
  }
}
