/**
 * Designated lists (名单) as pricing sees them: a surcharge schedule that names a list charges a firm on a day only if
 * the firm is on the list that day and the list's transition period (过渡期) is over. Pure: a firm's standing on
 * each list in, the days it pays out.
 * @module pricing/lists
 */
import { addDays } from '../dates.ts'

/** One firm's days on one list: what the list says of it, and the list's own dates. */
export interface ListStanding {
  /** The list's id, as schedules name it (`list:`). */
  list: string
  label: string
  /** The list's document (文号). */
  document: string
  /** First day the list applies. */
  startOn: string
  /**
   * Last day of the transition period (inclusive, as documents state it), if any. Until then a listed firm pays
   * nothing under the schedules naming the list; from the day after, it pays them.
   */
  transitionUntil?: string
  /** The firm's entries: on the list from `from`, off it from `to` (removed after 复查), [from, to). */
  entries: readonly { from: string; to?: string; ref: string; removedRef?: string }[]
}

/** The first day a listed firm pays: the list's start, or the day after its transition period. */
export const firstChargedDay = (s: Pick<ListStanding, 'startOn' | 'transitionUntil'>): string =>
  s.transitionUntil !== undefined && addDays(s.transitionUntil, 1) > s.startOn
    ? addDays(s.transitionUntil, 1)
    : s.startOn

/** Whether a schedule naming `list` charges the firm on `date`; when it does not, why (a note for the quote). */
export function listGate(
  standings: readonly ListStanding[] | undefined,
  list: string,
  scheduleId: string,
  date: string,
): { pays: true; reason: string } | { pays: false; note: string } {
  const s = standings?.find((x) => x.list === list)
  if (!s)
    return {
      pays: false,
      note: `${scheduleId} charges only the firms on list ${list}: this firm is not on it`,
    }
  const entry = s.entries.find((e) => e.from <= date && (e.to === undefined || date < e.to))
  if (!entry) {
    const left = s.entries.filter((e) => e.to !== undefined && e.to <= date).at(-1)
    return {
      pays: false,
      note: left
        ? `${scheduleId}: removed from list ${list} (${s.label}) on ${left.to}${left.removedRef ? ` after 复查 (${left.removedRef})` : ''}: nothing charged from that day`
        : `${scheduleId} charges only the firms on list ${list} (${s.label}): this firm is not on it on ${date}`,
    }
  }
  const first = firstChargedDay(s)
  if (date < first)
    return {
      pays: false,
      note:
        s.transitionUntil !== undefined && date >= s.startOn
          ? `${scheduleId}: list ${list} (${s.label}) is in its transition period until ${s.transitionUntil}: listed firms pay nothing until ${first}`
          : `${scheduleId}: list ${list} (${s.label}) applies from ${first}`,
    }
  return { pays: true, reason: `on list ${list} (${s.document}, entry ${entry.ref})` }
}

/** The days within [from, to) where some firm's standing on a list changes: list and entry dates. */
export function listBoundaries(standings: readonly ListStanding[] | undefined): string[] {
  const out: string[] = []
  for (const s of standings ?? []) {
    out.push(s.startOn, firstChargedDay(s))
    for (const e of s.entries) {
      out.push(e.from)
      if (e.to !== undefined) out.push(e.to)
    }
  }
  return out
}

/** A key of the standings for memos: two firms with equal standings price alike. */
export function listsKey(standings: readonly ListStanding[] | undefined): string {
  if (!standings || standings.length === 0) return ''
  return standings
    .map(
      (s) =>
        `${s.list}@${s.startOn}/${s.transitionUntil ?? ''}/${s.document}:${s.entries.map((e) => `${e.from}-${e.to ?? ''}-${e.ref}-${e.removedRef ?? ''}`).join(',')}`,
    )
    .join(';')
}
