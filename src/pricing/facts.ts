/**
 * What pricing knows of an enterprise: its evaluation result for each year and from when each binds.
 * @module pricing/facts
 */
import type { RatingResult } from '../rating/rate.ts'
import type { ListStanding } from './lists.ts'

/**
 * What pricing needs of an enterprise's evaluation result for one year, and from when it binds: the class of the
 * evaluation of year Y applies from `bindingFrom` (Y+1-01-01 when not given, or its later publication date) until a
 * later evaluation binds.
 */
export type RatedFacts = Pick<
  RatingResult,
  'creditCode' | 'county' | 'year' | 'class' | 'category' | 'sector' | 'figures'
> & { bindingFrom?: string; runId?: number }

export const bindingOf = (h: RatedFacts) => h.bindingFrom ?? `${h.year + 1}-01-01`

/**
 * The evaluation result that binds on `date`: the latest evaluation of an earlier year whose binding date has come.
 * A year's evaluation published late leaves the previous one in force until its publication.
 */
export function bindingOn(history: readonly RatedFacts[], date: string): RatedFacts | undefined {
  const year = Number(date.slice(0, 4))
  let best: RatedFacts | undefined
  // A re-publication of the same year binds from its own day; until then the run it replaced still binds (never
  // an older year's). The history is in (year, binding day, publication) order, so on a tie the later one wins.
  for (const h of history)
    if (
      h.year < year &&
      bindingOf(h) <= date &&
      (!best || h.year > best.year || (h.year === best.year && bindingOf(h) >= bindingOf(best)))
    )
      best = h
  return best
}

export interface QuoteOptions {
  /** Apply this pending override as if in force (preview). */
  preview?: string
  /** The firm was closed on this day (ISO date): nothing is charged from it on. */
  closedFrom?: string
  /** The record of the closure, for the note. */
  closedBy?: string
  /** The firm's standing on the designated lists (名单): schedules naming a list charge only its listed days. */
  lists?: readonly ListStanding[]
}
