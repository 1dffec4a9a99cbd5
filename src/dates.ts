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

/**
 * An "as known at" instant as stored timestamps are written (UTC, `toISOString`): a date means the end of that
 * day in Ningbo; a date-time needs its offset (`Z` or `+08:00`). Undefined when `value` is neither.
 */
export function knownAtInstant(value: string): string | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const t = Date.parse(`${value}T23:59:59.999+08:00`)
    if (
      Number.isNaN(t) ||
      new Date(Date.parse(`${value}T00:00:00Z`)).toISOString().slice(0, 10) !== value
    )
      return undefined
    return new Date(t).toISOString()
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    return undefined
  const t = Date.parse(value)
  return Number.isNaN(t) ? undefined : new Date(t).toISOString()
}

/** The month after `month` (YYYY-MM). */
export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}
