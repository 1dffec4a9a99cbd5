/**
 * County overrides: each override file checked (its county, status, dates, which sections it may replace or add)
 * and compiled into replace and add sections over the city's.
 * @module rulebook/overrides
 */
import { checkGroupRefs, checkIndicatorCycles, checkOverlaps, checkStatus } from './checks.ts'
import { collectSections } from './compile-sections.ts'
import { checkMethodGaps } from './method-checks.ts'
/** Compiles the override files over the city's `sections` (whose group ids are `cityGroupIds`). */
import type { ReadFiles } from './read-files.ts'
import type { DatedSection, RuleFile } from './schema.ts'
import type { Sections } from './types.ts'
import { type CheckContext, emptySections, type Origin, type Override } from './types.ts'

export function compileOverrides(
  overrideFiles: ReadFiles['overrideFiles'],
  sections: Sections,
  cityGroupIds: Set<string>,
  ctx: CheckContext,
): Override[] {
  const { meta, report } = ctx
  const overrides: Override[] = []
  const overrideIds = new Map<string, string>()
  for (const { loc, data, text } of overrideFiles) {
    const h = data.override
    if (overrideIds.has(h.id))
      report(
        loc,
        ['override', 'id'],
        `override id '${h.id}' is already used in ${overrideIds.get(h.id)}`,
      )
    overrideIds.set(h.id, loc.file)
    if (!meta.counties.some((c) => c.code === h.county)) {
      report(
        loc,
        ['override', 'county'],
        `county '${h.county}' is not one of ${meta.jurisdiction.name}'s counties (${meta.counties.map((c) => c.code).join(', ')})`,
      )
    }
    checkStatus(h, loc, report)
    if (h.to && h.to <= h.from)
      report(loc, ['override', 'to'], `'to' (${h.to}) must be after 'from' (${h.from})`)
    const origin: Origin = {
      file: loc.file,
      line: 0,
      kind: 'county',
      overrideId: h.id,
      county: h.county,
    }
    const replace = emptySections()
    const add = emptySections()
    for (const [mode, part, target] of [
      ['replace', data.replace, replace],
      ['add', data.add, add],
    ] as const) {
      if (!part) continue
      for (const section of Object.keys(part) as (keyof RuleFile)[]) {
        if (!(meta.overridable as string[]).includes(section)) {
          report(
            loc,
            [mode, section],
            `section '${section}' is not overridable by counties (overridable: ${meta.overridable.join(', ') || 'none'})`,
          )
          continue
        }
        if (section === 'inputs' || section === 'sectors') {
          report(
            loc,
            [mode, section],
            `section '${section}' is identity data and cannot be overridden`,
          )
          continue
        }
        const items = (part as any)[section] as { id: string }[]
        items.forEach((item, i) => {
          const exists = sections[section as DatedSection].some((x) => x.id === item.id)
          if (mode === 'replace' && !exists) {
            report(
              loc,
              [mode, section, i, 'id'],
              `override replaces unknown ${section} id '${item.id}'; use 'add' for a new item`,
            )
          }
          if (mode === 'add' && exists) {
            report(
              loc,
              [mode, section, i, 'id'],
              `override adds ${section} id '${item.id}', which the city rulebook already has; use 'replace'`,
            )
          }
        })
      }
      collectSections(part as RuleFile, loc, origin, target, ctx, [mode])
    }
    checkGroupRefs([replace, add], new Set([...cityGroupIds, ...add.groups.map((g) => g.id)]), ctx)
    checkOverlaps(replace, ctx)
    checkOverlaps(add, ctx)
    // The county's indicators as this override leaves them must not depend on each other in a circle.
    const own = [...replace.indicators, ...add.indicators]
    if (own.length > 0) {
      const ids = new Set(replace.indicators.map((i) => i.id))
      const city = sections.indicators.filter((i) => !ids.has(i.id))
      checkIndicatorCycles([...own, ...city], ctx, new Set(own))
    }
    // And every group it rates still has a scoring and a class scheme.
    checkMethodGaps(sections, { from: h.from, to: h.to, replace, add }, ctx)
    overrides.push({
      id: h.id,
      county: h.county,
      label: h.label,
      status: h.status,
      from: h.from,
      to: h.to,
      header: h,
      file: loc.file,
      replace,
      add,
      text,
    })
  }
  return overrides
}
