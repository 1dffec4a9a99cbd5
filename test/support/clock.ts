import { ningboDate } from '../../src/dates.ts'

/**
 * Waits, if need be, until the Ningbo day has at least `roomMs` left. Tests against a real server use the real
 * clock and compute "today" and "tomorrow" once; a run that crosses Ningbo midnight (16:00 UTC) would find an
 * override dated tomorrow already in force. The wait happens only in the few minutes before midnight.
 */
export async function untilNingboDayHasRoom(roomMs: number): Promise<void> {
  const now = Date.now()
  const nextMidnight = Date.parse(`${ningboDate(now)}T00:00:00+08:00`) + 86_400_000
  const left = nextMidnight - now
  if (left < roomMs) await new Promise((resolve) => setTimeout(resolve, left + 2_000))
}
