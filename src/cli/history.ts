/**
 * Earlier years' figures offline (`--history YEAR=FILE.csv` of `mujun rate` and `mujun quote`): each year rated in
 * order, each with the peer statistics of the year before it (a `year: previous` benchmark reads them); and which
 * earlier years a quote needs to know for a rate that rises with consecutive years in a class.
 * @module cli/history
 */
import { MujunError } from '../errors.ts'
import { rate } from '../rating/rate.ts'
import { emptyFrame, type RatingResult } from '../rating/result.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { resolve, ruleBoundaries } from '../rulebook/resolve.ts'
import { type Io, readEnterprises, UsageError } from './shared.ts'

/** The files of `--history YEAR=FILE.csv`, by year: each year before `year`, once. */
export function historyFiles(values: string[] | undefined, year: number): Map<number, string> {
  const files = new Map<number, string>()
  for (const h of values ?? []) {
    const m = /^(\d{4})=(.+)$/.exec(h)
    if (!m || Number(m[1]) >= year)
      throw new UsageError(`--history is YEAR=FILE.csv for a year before ${year}, got '${h}'`)
    if (files.has(Number(m[1]))) throw new UsageError(`--history gives ${m[1]} twice`)
    files.set(Number(m[1]), m[2])
  }
  return files
}

/**
 * Rates every year of `files` (earlier years) and then `year` (`population`), oldest first; a year whose year
 * before is given is rated with that year's peer statistics. A `year: previous` benchmark without them is refused
 * with the year to give (NO_PREVIOUS_YEAR), never rated on this year's own statistic. Null when a file has
 * problems (each written to stderr).
 */
export function rateYears(
  rb: Rulebook,
  files: Map<number, string>,
  year: number,
  population: Parameters<typeof rate>[0],
  io: Io,
): Map<number, RatingResult[]> | null {
  const years = [...files.keys()].sort((a, b) => a - b)
  const stats = new Map<number, Map<string, number>>()
  const rated = new Map<number, RatingResult[]>()
  for (const y of [...years, year]) {
    let enterprises = population
    if (y !== year) {
      const parsed = readEnterprises(files.get(y)!, rb, io)
      if (parsed.problems.length > 0) return null
      enterprises = parsed.enterprises
    }
    const record = emptyFrame()
    const before = stats.get(y - 1)
    try {
      rated.set(
        y,
        rate(enterprises, rb, y, {
          record,
          previous: before ? { year: y - 1, stats: before } : undefined,
        }),
      )
    } catch (e) {
      if (!(e instanceof MujunError) || e.code !== 'NO_PREVIOUS_YEAR') throw e
      // The core's words name the item and the peers; what to do about it offline is to give the year's figures.
      const what = e.message.split(', and ')[0]
      throw new MujunError(
        'NO_PREVIOUS_YEAR',
        before
          ? `${what}, and the ${y - 1} figures given (${files.get(y - 1)}) rate no firm among those peers: ${y} cannot be rated on them`
          : `${what}, and the ${y - 1} figures are not given: give them with --history ${y - 1}=FILE.csv`,
        { status: 422 },
      )
    }
    stats.set(y, record.stats)
  }
  return rated
}

/**
 * The earlier evaluation years a quote of `resource` over [from, to) still needs for `firm`: its class in `year`
 * has a rate from its Nth consecutive year in that class, and the years back to the Nth are not all known (the run
 * stops at the first year given where the firm was not in that class). Empty when nothing is missing.
 */
export function missingYears(
  rb: Rulebook,
  rated: Map<number, RatingResult[]>,
  firm: RatingResult,
  year: number,
  q: { resource: string; from: string; to: string },
): { years: number[]; schedule: string; n: number; cls: string } | null {
  const cls = firm.class
  if (!cls) return null
  let most: { schedule: string; n: number } | null = null
  for (const day of [q.from, ...ruleBoundaries(rb, firm.county, q.from, q.to)])
    for (const s of resolve(rb, firm.county, day).sections.surcharges) {
      if (s.resource !== q.resource || s.basis !== 'class') continue
      for (const r of s.rates as { class?: string; minConsecutiveYears?: number }[])
        if (r.class === cls && (r.minConsecutiveYears ?? 0) > (most?.n ?? 1))
          most = { schedule: s.id, n: r.minConsecutiveYears! }
    }
  if (!most) return null
  const years: number[] = []
  for (let y = year - 1; y > year - most.n; y--) {
    const results = rated.get(y)
    if (!results) {
      years.push(y)
      continue
    }
    if (years.length > 0) break
    if (results.find((r) => r.creditCode === firm.creditCode)?.class !== cls) break
  }
  return years.length > 0 ? { ...most, years, cls } : null
}
