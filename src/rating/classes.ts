/**
 * Classes: each peer group ranked (competition ranking, tie-breaks), its rank shares or score cut-offs applied, and
 * vetoes; or each firm ranked among published scores (a self-check).
 * @module rating/classes
 */
import type { ClassSchemeC, Rulebook } from '../rulebook/compile.ts'
import {
  PERCENTILE,
  type Rank,
  type RateOptions,
  type RatingResult,
  type VetoHit,
} from './result.ts'
import { EPS, round4 } from './scoring.ts'

/** For a rank-share scheme, the last rank of each band in a group of `n` (the last band takes the rest). */
function bandBounds(scheme: ClassSchemeC, n: number): number[] {
  const bounds: number[] = []
  if (scheme.method !== 'rank-share') return bounds
  let cum = 0
  for (const band of scheme.bands) {
    cum += band.share!
    const raw = n * cum
    bounds.push(
      scheme.rounding === 'floor'
        ? Math.floor(raw + EPS)
        : scheme.rounding === 'ceil'
          ? Math.ceil(raw - EPS)
          : Math.floor(raw + 0.5 + EPS),
    )
  }
  bounds[bounds.length - 1] = n
  return bounds
}

/** Rank, group size, percentile and class (before and after vetoes) of a rated result. */
function classify(
  r: RatingResult,
  scheme: ClassSchemeC,
  bounds: number[],
  rank: number,
  n: number,
  classOrder: string[],
): void {
  r.rank = rank
  r.groupSize = n
  r.numbers![r.tailAt() + PERCENTILE] = round4(rank / n)
  let cls: string
  if (scheme.method === 'rank-share') {
    let b = 0
    while (b < bounds.length - 1 && rank > bounds[b]) b++
    cls = scheme.bands[b].class
  } else {
    const band = scheme.bands.find((x) => x.minScore === undefined || r.score! >= x.minScore - EPS)
    cls = (band ?? scheme.bands[scheme.bands.length - 1]).class
  }
  r.initialClass = cls
  r.class = r.vetoes.length > 0 ? applyVetoes(cls, r.vetoes, classOrder) : cls
}

/** How many of `best` (sorted best first) are strictly greater than `score`: a binary search. */
function countAbove(best: Float64Array, score: number): number {
  let lo = 0
  let hi = best.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (best[mid] > score) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** force: the worst forced class; cap: no better than; floor: no worse than, unless a force or cap fired. */
function applyVetoes(initial: string, vetoes: VetoHit[], order: string[]): string {
  const idx = (c: string) => order.indexOf(c)
  let cls = initial
  const forces = vetoes.filter((v) => v.effect === 'force')
  const caps = vetoes.filter((v) => v.effect === 'cap')
  if (forces.length > 0) {
    const worst = forces.reduce((a, b) => (idx(b.class) > idx(a.class) ? b : a))
    worst.applied = true
    return worst.class
  }
  for (const c of caps) {
    if (idx(c.class) > idx(cls)) {
      cls = c.class
      c.applied = true
    }
  }
  if (caps.length === 0) {
    for (const f of vetoes.filter((v) => v.effect === 'floor')) {
      if (idx(f.class) < idx(cls)) {
        cls = f.class
        f.applied = true
      }
    }
  }
  return cls
}

/**
 * Classes: each peer group ranked (competition ranking: exact ties share the better rank), or each firm ranked
 * among the published scores of `options.against`, and its class set with its vetoes applied.
 */
export function rankAndClassify(
  results: RatingResult[],
  ranks: Iterable<Rank>,
  rulebook: Rulebook,
  options: RateOptions,
): void {
  const classOrder = rulebook.meta.classes.map((c) => c.id)
  const scores = new Float64Array(results.length)
  for (let k = 0; k < results.length; k++) scores[k] = results[k].score ?? 0
  for (const { key, scheme, members, ...where } of ranks) {
    const ties = scheme.tieBreak.length
    const tie = (x: number, y: number) => {
      const rx = results[x]
      const ry = results[y]
      // Each firm's own layout: peers of one class scheme may come from counties scoring different items.
      const bx = rx.offset + rx.peers!.items.length
      const by = ry.offset + ry.peers!.items.length
      for (let t = 0; t < ties; t++) {
        const d = ry.numbers![by + t] - rx.numbers![bx + t]
        if (Math.abs(d) > EPS) return d > 0 ? 1 : -1
      }
      return 0
    }
    // Scores are rounded to 4 decimals, so equal means equal.
    // -1/0/1 rather than a difference: sort() would box every non-integer result.
    const cmp = (x: number, y: number): number =>
      scores[y] > scores[x] ? 1 : scores[y] < scores[x] ? -1 : ties > 0 ? tie(x, y) : 0
    // Members are in credit-code order already, and the sort is stable: equal entries stay by credit code.
    members.sort(cmp)
    const published = options.against?.scores.get(key)
    if (options.record) {
      const best = new Float64Array(members.length)
      for (let i = 0; i < members.length; i++) best[i] = scores[members[i]]
      options.record.scores.set(key, best)
    }
    if (published) {
      // Each member ranked among the published scores: those strictly better rank above it (ties share the better
      // rank, tie-breaks are not stored), its own published score left out if it is in the same group.
      const own = options.against!.own
      const replaced =
        own &&
        own.county === where.county &&
        own.sector === where.sector &&
        own.group === where.group
      const n = published.length + (replaced ? 0 : 1)
      const bounds = bandBounds(scheme, n)
      for (const m of members) {
        const rank =
          replaced && own.rank !== undefined && own.score === scores[m]
            ? own.rank
            : countAbove(published, scores[m]) - (replaced && own.score > scores[m] ? 1 : 0) + 1
        classify(results[m], scheme, bounds, rank, n, classOrder)
      }
      continue
    }
    const n = members.length
    const bounds = bandBounds(scheme, n)
    let rank = 1
    for (let i = 0; i < n; i++) {
      if (i > 0 && cmp(members[i - 1], members[i]) !== 0) rank = i + 1
      classify(results[members[i]], scheme, bounds, rank, n, classOrder)
    }
  }
}
