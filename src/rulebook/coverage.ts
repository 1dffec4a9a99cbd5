/**
 * Whether a rulebook's evaluation groups cover every firm once: for each set of groups in force together, firms
 * are sampled over every value their `when` conditions can tell apart (each flag both ways, each category value,
 * each number at and beside every constant the conditions name, and years around the evaluation year), and each
 * sample is matched against the groups in order. A sample no group takes is a gap (such firms are out of scope); a
 * sample two groups take is an overlap (the one listed first wins). Warnings, not errors: a gap may be the scope
 * the source sets. Pure: rulebook in, warnings out.
 * @module rulebook/coverage
 */
import type { FormulaValue } from '../formula/compile.ts'
import { EVALUATION_YEAR, type GroupC, INDUSTRY_CODE, type Rulebook, SECTOR } from './compile.ts'

export interface CoverageWarning {
  file: string
  line: number
  /** The first day the groups concerned are in force together. */
  from: string
  message: string
}

/** A sample year for `evaluation_year`; the years around it are sampled for inputs compared with it. */
const YEAR = 2024
/** Beyond this many samples a window is not analysed (said in a warning). */
const MAX_SAMPLES = 20_000

export function groupCoverage(rulebook: Rulebook): CoverageWarning[] {
  const groups = rulebook.sections.groups
  const days = [...new Set(groups.flatMap((g) => [g.from, ...(g.to ? [g.to] : [])]))].sort()
  const warnings: CoverageWarning[] = []
  let previous = ''
  for (const day of days) {
    const inForce = groups.filter((g) => g.from <= day && (!g.to || day < g.to))
    const key = inForce.map((g) => `${g.id}@${g.from}`).join(',')
    if (inForce.length === 0 || key === previous) continue
    previous = key
    warnings.push(...windowWarnings(rulebook, inForce, day))
  }
  return warnings
}

function windowWarnings(rulebook: Rulebook, groups: GroupC[], day: string): CoverageWarning[] {
  const at = (g: GroupC, message: string): CoverageWarning => ({
    file: g.origin.file,
    line: g.origin.line,
    from: day,
    message,
  })
  const symbols = [...new Set(groups.flatMap((g) => g.whenFn.symbols))].filter(
    (s) => s !== EVALUATION_YEAR,
  )
  const usesYear = groups.some((g) => g.whenFn.symbols.includes(EVALUATION_YEAR))
  const constants = groups.flatMap((g) =>
    [...g.when.matchAll(/(?<![\w.])\d+(?:\.\d+)?/g)].map((m) => Number(m[0])),
  )
  const axes: [string, FormulaValue[]][] = []
  for (const s of symbols) {
    if (s === SECTOR) {
      axes.push([s, rulebook.sectors.map((x) => x.id)])
      continue
    }
    const input = rulebook.inputById.get(s)
    if (!input)
      return [
        at(
          groups[0],
          `groups in force from ${day} are not checked for gaps and overlaps: ${s === INDUSTRY_CODE ? 'a group tests the industry code (industry_in)' : `'${s}' is not an input`}`,
        ),
      ]
    if (input.type === 'flag') axes.push([s, [false, true]])
    else if (input.type === 'category') axes.push([s, input.values ?? []])
    else {
      const values = new Set<number>([0])
      for (const c of constants)
        for (const v of [c - 1, c - 0.001, c, c + 0.001, c + 1]) values.add(v)
      if (usesYear) for (let y = YEAR - 3; y <= YEAR + 1; y++) values.add(y)
      axes.push([s, [...values].filter((v) => v >= (input.min ?? -Infinity)).sort((a, b) => a - b)])
    }
  }
  const total = axes.reduce((n, [, v]) => n * v.length, 1)
  if (total > MAX_SAMPLES)
    return [
      at(
        groups[0],
        `groups in force from ${day} are not checked for gaps and overlaps: ${total} samples are too many`,
      ),
    ]
  let gaps = 0
  let gapExample: Record<string, FormulaValue> | undefined
  const overlaps = new Map<
    string,
    { first: GroupC; second: GroupC; example: Record<string, FormulaValue>; n: number }
  >()
  const sample: Record<string, FormulaValue> = { [EVALUATION_YEAR]: YEAR }
  const visit = (i: number) => {
    if (i < axes.length) {
      for (const v of axes[i][1]) {
        sample[axes[i][0]] = v
        visit(i + 1)
      }
      return
    }
    const matched = groups.filter((g) => g.whenFn.evaluate(sample) === true)
    if (matched.length === 0) {
      gaps++
      gapExample ??= { ...sample }
    }
    // A group that sets its firms aside (unratedClass) is meant to come first and take them from any later group.
    const [first, ...rest] = matched
    if (first && first.unratedClass === undefined)
      for (const second of rest) {
        const k = `${first.id}|${second.id}`
        const o = overlaps.get(k)
        if (o) o.n++
        else overlaps.set(k, { first, second, example: { ...sample }, n: 1 })
      }
  }
  visit(0)
  const describe = (s: Record<string, FormulaValue>) => axes.map(([k]) => `${k}=${s[k]}`).join(', ')
  const out: CoverageWarning[] = []
  if (gapExample)
    out.push(
      at(
        groups[0],
        `${gaps} of ${total} sampled firms fall in no group from ${day} and are out of scope, e.g. ${describe(gapExample)}${usesYear ? ` (evaluation_year=${YEAR})` : ''}; if that is not the scope the source sets, widen a group`,
      ),
    )
  for (const o of overlaps.values())
    out.push(
      at(
        o.second,
        `groups '${o.first.id}' and '${o.second.id}' both take ${o.n} of ${total} sampled firms from ${day}, e.g. ${describe(o.example)}; '${o.first.id}' is listed first and takes them, so '${o.second.id}' never sees them`,
      ),
    )
  return out
}
