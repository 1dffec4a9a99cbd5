/**
 * Calendar arithmetic on ISO dates (YYYY-MM-DD), shared by the core and the shells.
 * @module dates
 */

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}
