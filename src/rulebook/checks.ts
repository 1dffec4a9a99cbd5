/**
 * Whole-rulebook checks run once every file's items are collected: group references, overlapping versions of an
 * item, indicator cycles, and an override's status against its records.
 * @module rulebook/checks
 */
import { at } from './locate.ts'
import { DATED_SECTIONS, type OverrideFile, type OverrideStatus } from './schema.ts'
import type {
  CheckContext,
  IndicatorC,
  Located,
  Origin,
  Reporter,
  Sections,
  Where,
} from './types.ts'

/** Group references (scoring, classes, adjustments) must name a group of the city or of the same override. */
export function checkGroupRefs(
  parts: Partial<Sections>[],
  groupIds: Set<string>,
  ctx: Where,
): void {
  for (const part of parts) {
    for (const s of part.scoring ?? []) {
      if (!groupIds.has(s.group)) at(s, ['group'], `unknown group '${s.group}'`, ctx)
    }
    for (const c of part.classes ?? []) {
      c.groups.forEach((g, j) => {
        if (!groupIds.has(g)) at(c, ['groups', j], `unknown group '${g}'`, ctx)
      })
    }
    for (const a of part.adjustments ?? []) {
      a.groups?.forEach((g, j) => {
        if (!groupIds.has(g)) at(a, ['groups', j], `unknown group '${g}'`, ctx)
      })
    }
  }
}

export function checkOverlaps(sections: Sections, ctx: CheckContext): void {
  for (const section of DATED_SECTIONS) {
    const byId = new Map<string, { from: string; to?: string }[]>()
    for (const item of sections[section] as { id: string; from: string; to?: string }[]) {
      const list = byId.get(item.id) ?? []
      for (const other of list) {
        if (item.from < (other.to ?? '9999-12-31') && other.from < (item.to ?? '9999-12-31')) {
          const otherAt = (other as any).origin as Origin
          at(
            item,
            ['from'],
            `${section} '${item.id}' from ${item.from}${item.to ? ` to ${item.to}` : ''} overlaps the version from ${other.from}${other.to ? ` to ${other.to}` : ''} (${otherAt.file}:${otherAt.line})`,
            ctx,
          )
        }
      }
      list.push(item)
      byId.set(item.id, list)
    }
  }
}

/**
 * Indicators whose formulas depend on each other in a circle. With `own` (an override's indicators, listed first in
 * `indicators`), only circles through one of them are reported, at the first of them in the circle.
 */
export function checkIndicatorCycles(
  indicators: IndicatorC[],
  ctx: CheckContext,
  own?: ReadonlySet<IndicatorC>,
): void {
  const deps = new Map<string, Set<string>>()
  for (const ind of indicators) {
    const set = deps.get(ind.id) ?? new Set<string>()
    for (const s of ind.fn.symbols) if (ctx.indicatorIds.has(s)) set.add(s)
    deps.set(ind.id, set)
  }
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const reported = new Set<string>()
  const visit = (id: string): void => {
    if (state.get(id) === 2) return
    if (state.get(id) === 1) {
      const cycle = [...stack.slice(stack.indexOf(id)), id]
      const key = [...cycle].sort().join(',')
      if (reported.has(key)) return
      reported.add(key)
      const members = cycle.map((c) => indicators.find((x) => x.id === c)!)
      const ind = own ? members.find((m) => own.has(m)) : members[0]
      if (ind) at(ind, ['formula'], `indicators form a cycle: ${cycle.join(' → ')}`, ctx)
      return
    }
    state.set(id, 1)
    stack.push(id)
    for (const d of deps.get(id) ?? []) visit(d)
    stack.pop()
    state.set(id, 2)
  }
  for (const id of deps.keys()) visit(id)
}

export function checkStatus(h: OverrideFile['override'], loc: Located, report: Reporter): void {
  const needs: Record<OverrideStatus, ('submitted' | 'approval' | 'filing' | 'rejection')[]> = {
    draft: [],
    submitted: ['submitted'],
    approved: ['submitted', 'approval'],
    filed: ['submitted', 'approval', 'filing'],
    rejected: ['submitted', 'rejection'],
    withdrawn: [],
  }
  for (const f of needs[h.status]) {
    if (!h[f])
      report(
        loc,
        ['override', 'status'],
        `status '${h.status}' needs the '${f}' record (reference and date)`,
      )
  }
  // A filed override withdrawn before its first day keeps the record of its filing.
  if (h.status !== 'filed' && h.status !== 'withdrawn' && h.filing)
    report(
      loc,
      ['override', 'filing'],
      `a filing record only belongs to status 'filed' or 'withdrawn' (status is '${h.status}')`,
    )
  if (h.approval && h.filing && h.filing.date < h.approval.date)
    report(
      loc,
      ['override', 'filing', 'date'],
      `filed (${h.filing.date}) before it was approved (${h.approval.date})`,
    )
  if (h.status === 'filed' && h.filing && h.from < h.filing.date)
    report(
      loc,
      ['override', 'from'],
      `takes effect ${h.from}, before its filing date ${h.filing.date}: an override applies only from its filing onward`,
    )
  if (h.status === 'draft' && h.approval)
    report(loc, ['override', 'approval'], `a draft cannot carry an approval`)
}
