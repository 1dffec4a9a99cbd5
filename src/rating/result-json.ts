/**
 * The published shape of a rating result: everything but internal working values.
 * @module rating/result-json
 */
import type { RatingResult } from './rate.ts'

/** A result as JSON: identity, score, class, the full trace; the figures the enterprise reported are kept. */
export function resultToJson(r: RatingResult) {
  return {
    creditCode: r.creditCode,
    name: r.name,
    county: r.county,
    industryCode: r.industryCode,
    sector: r.sector,
    year: r.year,
    status: r.status,
    problems: r.problems,
    group: r.group,
    score: r.score,
    baseScore: r.baseScore,
    rank: r.rank,
    groupSize: r.groupSize,
    percentile: r.percentile,
    initialClass: r.initialClass,
    class: r.class,
    category: r.category,
    method: r.method,
    plot: r.plot,
    zone: r.zone,
    trace: {
      indicators: r.indicators,
      adjustments: r.adjustments,
      vetoes: r.vetoes,
      rules: r.rules,
    },
  }
}
