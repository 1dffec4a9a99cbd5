/**
 * The unit a firm is rated in: its county, which must exist on the rated year's last day, and, where the rulebook
 * has zones (evaluation units that are not administrative divisions), the zone its `zone` input names. Pure.
 * @module rating/units
 */
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { countiesOn, ZONE_INPUT } from '../rulebook/schema.ts'

/** Why `county` rates nothing on `date`: no county of the rulebook, or one that did not exist on that day. */
export function countyProblem(rulebook: Rulebook, county: string, date: string): string {
  const c = rulebook.meta.counties.find((x) => x.code === county)
  const city = rulebook.meta.jurisdiction.name
  if (!c) return `county '${county}' is not a county of ${city}`
  const span = `${c.from ? `from ${c.from}` : ''}${c.from && c.to ? ' ' : ''}${c.to ? `until ${c.to}` : ''}`
  const now = countiesOn(rulebook.meta.counties, date)
    .filter((x) => x.name.slice(0, 2) === c.name.slice(0, 2))
    .map((x) => ` (on ${date}: ${x.code} ${x.name})`)
    .join('')
  return `county '${county}' (${c.name}) was a county of ${city} only ${span}, not on ${date}${now}`
}

/**
 * The zone firm `e` is rated in on `date` (null: its county alone), or why it cannot be: a zone the rulebook does not
 * have, one that is no evaluation unit on that day, or one lying in another county than the firm's.
 */
export function zoneOf(
  rulebook: Rulebook,
  e: Enterprise,
  date: string,
): { zone: string | null } | { problem: string } {
  const zones = rulebook.meta.zones
  const id = zones.length === 0 ? undefined : e.figures[ZONE_INPUT]
  if (typeof id !== 'string' || id.trim() === '') return { zone: null }
  const z = zones.find((x) => x.id === id.trim())
  if (!z)
    return {
      problem: `zone '${id}' is not an evaluation unit of ${rulebook.meta.jurisdiction.name} (zones: ${zones.map((x) => x.id).join(', ')})`,
    }
  if ((z.from && date < z.from) || (z.to && date >= z.to))
    return {
      problem: `zone '${z.id}' (${z.name}) is an evaluation unit only ${z.from ? `from ${z.from}` : ''}${z.from && z.to ? ' ' : ''}${z.to ? `until ${z.to}` : ''}, not on ${date}`,
    }
  if (z.county !== e.county)
    return {
      problem: `zone '${z.id}' (${z.name}) lies in county ${z.county}; the firm is entered under ${e.county}`,
    }
  return { zone: z.id }
}
