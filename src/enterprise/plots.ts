/**
 * A file's rows that put firms on one land plot (see the rulebook's `plots`) must agree on the plot's own figures
 * (its area): each row of a plot whose tenants give different values is a problem of that row. Pure.
 * @module enterprise/plots
 */
import type { Rulebook } from '../rulebook/compile.ts'

/**
 * The rows of plots whose tenants disagree on a figure the plot rules say is the plot's (`same`), each with a
 * problem naming the plot, the column and every tenant's value; `header` gives the column an input was read from.
 */
export function plotConflicts(
  rulebook: Rulebook,
  rows: readonly { row: number; figures: Record<string, unknown> }[],
  header: (input: string) => string,
): { problems: { row: number; column: string; message: string }[]; rows: Set<number> } {
  const problems: { row: number; column: string; message: string }[] = []
  const bad = new Set<number>()
  // Every plot rule's plot input and the inputs it says are the plot's (a county may rate plots by its own rule).
  const shared = new Map<string, Set<string>>()
  const rules = [
    ...rulebook.sections.plots,
    ...rulebook.overrides.flatMap((o) => [...(o.replace.plots ?? []), ...(o.add.plots ?? [])]),
  ]
  for (const rule of rules) {
    if (!rule.together) continue
    const set = shared.get(rule.plot) ?? new Set<string>()
    for (const input of rule.same ?? []) set.add(input)
    shared.set(rule.plot, set)
  }
  for (const [plotInput, same] of shared) {
    const byPlot = new Map<string, (typeof rows)[number][]>()
    for (const r of rows) {
      const id = r.figures[plotInput]
      if (typeof id !== 'string' || id.trim() === '') continue
      const list = byPlot.get(id.trim()) ?? []
      list.push(r)
      byPlot.set(id.trim(), list)
    }
    for (const [id, tenants] of byPlot) {
      if (tenants.length < 2) continue
      for (const input of same) {
        const given = tenants.filter((t) => t.figures[input] !== undefined)
        if (new Set(given.map((t) => t.figures[input])).size < 2) continue
        const label = rulebook.inputById.get(input)?.label ?? input
        const values = given.map((t) => `row ${t.row}: ${t.figures[input]}`).join(', ')
        for (const t of given) {
          bad.add(t.row)
          problems.push({
            row: t.row,
            column: header(input),
            message: `plot ${id}: its tenants give different ${label} (${values}); it is the plot's, one figure for every tenant`,
          })
        }
      }
    }
  }
  return { problems: problems.sort((a, b) => a.row - b.row), rows: bad }
}
