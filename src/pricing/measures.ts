/**
 * The measures beyond price a firm's class brings on a date (land, energy-use quota, orderly power use, emission
 * permits, credit, land-use tax relief, awards), and a department's list of the firms a measure applies to.
 * Pure: the compiled rules and the firm's binding result in, the measures with their sources and a trace out.
 * @module pricing/measures
 */
import type { MeasureC, Origin, Rulebook } from '../rulebook/compile.ts'
import { resolve } from '../rulebook/resolve.ts'
import type { MeasureKind, MeasureValue } from '../rulebook/schema.ts'

/** What the measures depend on: the class binding on the day (null when none binds), the sector and the county. */
export interface BindingFacts {
  class: string | null
  sector?: string | null
  county: string
}

/** One measure a firm gets: what it is, who applies it, the value for the firm's class, and where it comes from. */
export interface AppliedMeasure {
  id: string
  label: string
  kind: MeasureKind
  department: { id: string; label: string; labelEn?: string }
  class: string
  value: MeasureValue
  from: string
  to: string | null
  source: MeasureC['source']
  assumed: boolean
  note: string | null
  origin: Origin
}

export interface MeasuresAnswer {
  date: string
  county: string
  class: string | null
  sector: string | null
  measures: AppliedMeasure[]
  /** Each measure in force for the county on the day, and why it does or does not apply. */
  trace: string[]
  /** County overrides whose measures were read. */
  overrides: string[]
}

/** The measures in force for `facts.county` on `date`, with the value each gives the firm's class. */
export function measuresFor(rulebook: Rulebook, facts: BindingFacts, date: string): MeasuresAnswer {
  const rules = resolve(rulebook, facts.county, date)
  const trace: string[] = []
  const measures: AppliedMeasure[] = []
  const sector = facts.sector ?? null
  if (facts.class === null)
    trace.push(`no class binds on ${date}: no measure applies until a published evaluation binds`)
  for (const m of rules.sections.measures) {
    const where = `${m.origin.file}:${m.origin.line}${m.origin.overrideId ? ` (override ${m.origin.overrideId})` : ''}`
    const head = `${m.id} (${m.kind}, ${m.department}, from ${m.from}${m.to ? ` to ${m.to}` : ''}, ${where})`
    if (facts.class === null) continue
    if (m.sectors && (sector === null || !m.sectors.includes(sector))) {
      trace.push(`${head}: sector ${sector ?? 'unknown'} is not one of ${m.sectors.join(', ')}`)
      continue
    }
    const v = m.values.find((x) => x.class === facts.class)
    if (!v) {
      trace.push(`${head}: class ${facts.class} is not listed, so it does not apply`)
      continue
    }
    const { class: cls, ...value } = v
    trace.push(`${head}: class ${cls} → ${describeValue(m.kind, value)}`)
    const dept = rulebook.meta.departments.find((d) => d.id === m.department)
    measures.push({
      id: m.id,
      label: m.label,
      kind: m.kind,
      department: { id: m.department, label: dept?.label ?? m.department, labelEn: dept?.labelEn },
      class: cls,
      value,
      from: m.from,
      to: m.to ?? null,
      source: m.source,
      assumed: m.assumed ?? false,
      note: m.note ?? null,
      origin: m.origin,
    })
  }
  if (rules.sections.measures.length === 0) trace.push(`no measure is in force on ${date}`)
  return {
    date,
    county: facts.county,
    class: facts.class,
    sector,
    measures,
    trace,
    overrides: rules.overrides.filter((o) => !o.preview).map((o) => o.id),
  }
}

/** A measure's value in a few plain words (for traces and the command line). */
export function describeValue(kind: MeasureKind, value: MeasureValue): string {
  const v = value as Record<string, unknown>
  switch (kind) {
    case 'land':
      return `land supply ${v.supply}${v.depositPercent !== undefined ? `, deposit ${v.depositPercent} % of the price` : ''}`
    case 'energy_quota':
      return `energy-use quota ${Number(v.changePercent) > 0 ? '+' : ''}${v.changePercent} %`
    case 'power_rationing':
      return `orderly power use group ${v.group}`
    case 'emission_permit':
      return `emission permits ${v.allocation}`
    case 'credit':
      return `credit guidance ${v.guidance}`
    case 'land_use_tax':
      return `land-use tax relief ${v.reliefPercent} %`
    case 'award':
      return v.eligible
        ? 'may apply for awards and subsidies'
        : 'may not apply for awards and subsidies'
  }
}

/** A firm as a department's list needs it: its identity and its binding result on the day. */
export interface ListedFirm extends BindingFacts {
  creditCode: string
  name: string
}

export interface MeasureListRow {
  creditCode: string
  name: string
  county: string
  class: string
  value: MeasureValue
}

/**
 * The firms measure `measureId` applies to on `date` (each firm's county resolves its own rules, so a county
 * override counts), in the order the department works through them: the rationing order by group, then by credit
 * code. Firms the measure does not apply to are left out.
 */
export function measureList(
  rulebook: Rulebook,
  measureId: string,
  firms: readonly ListedFirm[],
  date: string,
): MeasureListRow[] {
  const rows: MeasureListRow[] = []
  for (const f of firms) {
    const m = measuresFor(rulebook, f, date).measures.find((x) => x.id === measureId)
    if (m)
      rows.push({
        creditCode: f.creditCode,
        name: f.name,
        county: f.county,
        class: m.class,
        value: m.value,
      })
  }
  const group = (r: MeasureListRow) => (r.value as { group?: number }).group ?? 0
  return rows.sort(
    (a, b) =>
      group(a) - group(b) ||
      (a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0),
  )
}
