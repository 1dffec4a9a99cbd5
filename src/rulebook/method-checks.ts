/**
 * Whether a county's evaluation method, as an override leaves it, can rate every group it keeps: each rated group
 * in force needs a scoring and a class scheme, as the city's do. Only gaps the override makes are reported (a gap
 * the city's own rules have is the city's), at the override item that makes them.
 * @module rulebook/method-checks
 */
import { at } from './locate.ts'
import type { Sections, Where } from './types.ts'

type Dated = { id: string; from: string; to?: string }

const covers = (x: { from: string; to?: string }, date: string) =>
  x.from <= date && (x.to === undefined || date < x.to)

/** The items of one section in force on `date`, city items replaced by the override's and its own added. */
function inForce<T extends Dated>(city: T[], replace: T[], add: T[], date: string): T[] {
  const ids = new Set(replace.map((x) => x.id))
  return [...city.filter((x) => !ids.has(x.id)), ...replace, ...add].filter((x) => covers(x, date))
}

/**
 * Checks the override's rated groups on its first day and on each later day its items or the city's groups, scoring
 * or classes change: a group whose scoring or class scheme the override takes away (a city group added later
 * included), or a group it adds without them, leaves firms unrated.
 */
export function checkMethodGaps(
  city: Sections,
  override: { from: string; to?: string; replace: Sections; add: Sections },
  ctx: Where,
): void {
  const { replace, add } = override
  const own = [...replace.groups, ...add.groups, ...replace.scoring, ...replace.classes]
  if (own.length === 0 && add.scoring.length === 0 && add.classes.length === 0) return
  // Its first day, and every later day in its dates where its items or the city's groups, scoring or classes change.
  const days = new Set([override.from])
  const within = (d: string | undefined) =>
    d !== undefined && d > override.from && (override.to === undefined || d < override.to)
  for (const x of [
    ...own,
    ...add.scoring,
    ...add.classes,
    ...city.groups,
    ...city.scoring,
    ...city.classes,
  ] as Dated[]) {
    if (within(x.from)) days.add(x.from)
    if (within(x.to)) days.add(x.to!)
  }
  const reported = new Set<string>()
  for (const day of [...days].sort()) {
    const groups = inForce(city.groups, replace.groups, add.groups, day)
    const scoring = inForce(city.scoring, replace.scoring, add.scoring, day)
    const classes = inForce(city.classes, replace.classes, add.classes, day)
    const cityScoring = city.scoring.filter((x) => covers(x, day))
    const cityClasses = city.classes.filter((x) => covers(x, day))
    for (const g of groups) {
      if (g.unratedClass !== undefined) continue
      const ownGroup = replace.groups.includes(g) || add.groups.includes(g)
      if (!scoring.some((s) => s.group === g.id)) {
        const taken = replace.scoring.find((s) =>
          cityScoring.some((c) => c.id === s.id && c.group === g.id),
        )
        if (taken || ownGroup)
          once(reported, `scoring|${g.id}`, () =>
            taken
              ? at(
                  taken,
                  ['group'],
                  `scoring '${taken.id}' no longer scores group '${g.id}', and no other scoring does on ${day}: its firms could not be rated`,
                  ctx,
                )
              : at(
                  g,
                  ['id'],
                  `group '${g.id}' has no scoring in force on ${day}: its firms could not be rated (add a scoring for it)`,
                  ctx,
                ),
          )
      }
      if (!classes.some((c) => c.groups.includes(g.id))) {
        const taken = replace.classes.find((s) =>
          cityClasses.some((c) => c.id === s.id && c.groups.includes(g.id)),
        )
        if (taken || ownGroup)
          once(reported, `classes|${g.id}`, () =>
            taken
              ? at(
                  taken,
                  ['groups'],
                  `class scheme '${taken.id}' leaves out group '${g.id}', and no other class scheme takes it on ${day}: its firms could not be classed`,
                  ctx,
                )
              : at(
                  g,
                  ['id'],
                  `group '${g.id}' is in no class scheme in force on ${day}: its firms could not be classed (list it in a class scheme's groups)`,
                  ctx,
                ),
          )
      }
    }
  }
}

function once(seen: Set<string>, key: string, report: () => void): void {
  if (seen.has(key)) return
  seen.add(key)
  report()
}
