/**
 * The rules in force for a county on a date: city items plus that county's approved-and-filed overrides.
 * @module rulebook/resolve
 */

import type { Override, Rulebook, Sections } from './compile.ts'
import { type DerivedKind, getOrMake } from './derived.ts'
import { DATED_SECTIONS, type DatedSection } from './schema.ts'

/**
 * The sections that make up an evaluation method (who is rated, indicators, weights, bonuses, vetoes, class shares):
 * a county override that touches one of them is that county's own method (属地评价).
 */
export const METHOD_SECTIONS: readonly DatedSection[] = [
  'groups',
  'indicators',
  'scoring',
  'adjustments',
  'vetoes',
  'classes',
  'plots',
]

/** Whether override `o` sets (part of) its county's evaluation method. */
export function isMethodOverride(o: Override): boolean {
  return METHOD_SECTIONS.some((s) => (o.replace[s]?.length ?? 0) + (o.add[s]?.length ?? 0) > 0)
}

export interface ResolveOptions {
  /** Apply this override whatever its status (what-if preview); it still must be this county's. */
  preview?: string
}

/** The rules in force: one version per item id, each with its origin (city or county file). */
export interface ResolvedRules {
  county: string
  date: string
  sections: Sections
  /** Overrides applied, in order. */
  overrides: { id: string; status: string; preview: boolean }[]
  /**
   * The evaluation method in force: null for the city's, else the ids of the applied overrides that set the county's
   * own (usually one; several joined by '+', in order).
   */
  method: string | null
}

/** True when an override changes real quotes on `date`: approved by the city, filed with the province, in its dates. */
export function overrideInForce(o: Override, date: string): boolean {
  return o.status === 'filed' && o.from <= date && (o.to === undefined || date < o.to)
}

function covers(item: { from: string; to?: string }, date: string): boolean {
  return item.from <= date && (item.to === undefined || date < item.to)
}

/**
 * Resolves the rulebook for `county` on `date` (ISO). Items are picked by date; an override in force replaces
 * every version of the ids it replaces and adds its own items.
 */
export function resolve(
  rulebook: Rulebook,
  county: string,
  date: string,
  options: ResolveOptions = {},
): ResolvedRules {
  // The answer only changes at a boundary date, so it is memoised per interval between two boundaries: quotes
  // resolve once per billing segment, thousands of times a second.
  const boundaries = countyBoundaries(rulebook, county)
  let interval = 0
  while (interval < boundaries.length && boundaries[interval] <= date) interval++
  const hit = getOrMake(
    rulebook.derived.of(RESOLVED).intervals,
    `${county}|${options.preview ?? ''}|${interval}`,
    () => resolveUncached(rulebook, county, date, options),
  )
  return hit.date === date ? hit : { ...hit, date }
}

/** What resolving derives from a rulebook: the rules of each interval between boundaries, and the boundaries. */
const RESOLVED: DerivedKind<{
  /** By county, preview and interval index. */
  intervals: Map<string, ResolvedRules>
  /** By county. */
  boundaries: Map<string, string[]>
}> = { name: 'resolved rules', make: () => ({ intervals: new Map(), boundaries: new Map() }) }

function resolveUncached(
  rulebook: Rulebook,
  county: string,
  date: string,
  options: ResolveOptions,
): ResolvedRules {
  const applied = rulebook.overrides.filter(
    (o) =>
      o.county === county &&
      ((options.preview === o.id && o.from <= date && (o.to === undefined || date < o.to)) ||
        overrideInForce(o, date)),
  )
  const out = {} as Sections
  for (const section of DATED_SECTIONS) {
    let items = rulebook.sections[section] as { id: string; from: string; to?: string }[]
    for (const o of applied) {
      const replaced = (o.replace[section] ?? []) as typeof items
      const ids = new Set(replaced.map((x) => x.id))
      items = [
        ...items.filter((x) => !ids.has(x.id)),
        ...replaced,
        ...((o.add[section] ?? []) as typeof items),
      ]
    }
    ;(out as any)[section] = items.filter((x) => covers(x, date))
  }
  return {
    county,
    date,
    sections: out,
    overrides: applied.map((o) => ({
      id: o.id,
      status: o.status,
      preview: o.id === options.preview && !overrideInForce(o, date),
    })),
    method:
      applied
        .filter(isMethodOverride)
        .map((o) => o.id)
        .join('+') || null,
  }
}

/** Every date in [from, to) where something a quote depends on may change: item and override boundaries. */
export function ruleBoundaries(
  rulebook: Rulebook,
  county: string,
  from: string,
  to: string,
): string[] {
  return countyBoundaries(rulebook, county).filter((d) => d > from && d < to)
}

/** Every boundary date of the city items and of this county's overrides (whatever their status), sorted. */
function countyBoundaries(rulebook: Rulebook, county: string): string[] {
  return getOrMake(rulebook.derived.of(RESOLVED).boundaries, county, () =>
    allBoundaries(rulebook, county),
  )
}

function allBoundaries(rulebook: Rulebook, county: string): string[] {
  const set = new Set<string>()
  const add = (d: string | undefined) => {
    if (d) set.add(d)
  }
  for (const section of DATED_SECTIONS) {
    for (const x of rulebook.sections[section] as { from: string; to?: string }[]) {
      add(x.from)
      add(x.to)
    }
  }
  for (const o of rulebook.overrides) {
    if (o.county !== county) continue
    add(o.from)
    add(o.to)
    for (const section of DATED_SECTIONS) {
      for (const x of [...(o.replace[section] ?? []), ...(o.add[section] ?? [])] as {
        from: string
        to?: string
      }[]) {
        add(x.from)
        add(x.to)
      }
    }
  }
  return [...set].sort()
}
