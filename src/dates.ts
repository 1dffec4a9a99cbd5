/**
 * Calendar arithmetic on ISO dates (YYYY-MM-DD), shared by the core and the shells.
 * @module dates
 */

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** The date in Ningbo (UTC+8, no daylight saving) at `at` (an ISO timestamp or epoch ms): a day starts at 00:00 there. */
export function ningboDate(at: string | number = Date.now()): string {
  const ms = typeof at === 'number' ? at : Date.parse(at)
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
}
