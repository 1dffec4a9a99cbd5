/**
 * The programme's figures, measured from its records: progress against the plan's targets (per county and for the
 * city), the month-by-month tracking series (月跟踪), and whether each county's project list came in on time. Pure:
 * records and rules in, figures out, each figure naming the records it counts.
 * @module programme/measure
 */
import { Decimal } from 'decimal.js'
import { addDays, nextMonth } from '../dates.ts'
import type { DeadlineC, TargetC } from '../rulebook/compile.ts'
import { type DispositionRecord, doneIn, type ProjectRecord } from './records.ts'

/** Quantities (tce, m³, mu) are summed exactly, as entered. */
const Q = Decimal.clone({ precision: 40 })
type Q = InstanceType<typeof Q>

/** Above-scale firms' totals of one year (and county, or the city): value added in 万元 and average employees. */
export interface ProductivityTotals {
  firms: number
  valueAdded: number
  employees: number
}

export interface TargetFigure {
  targetId: string
  metric: TargetC['metric']
  label: string
  unit: string
  target: number
  /** Exact decimal string; null when it cannot be measured (see `note`). */
  value: string | null
  /** value / target, 4 decimals. */
  ratio: number | null
  /** What the value counts: the dispositions or projects, or the productivity totals compared. */
  basis:
    | { dispositions: number[]; projects: number[] }
    | {
        baseYear: number
        base: ProductivityTotals | null
        year: number
        current: ProductivityTotals | null
      }
  note: string
}

const UPGRADES: ReadonlySet<string> = new Set(['upgrade', 'compliance'])
const FREED: Partial<Record<TargetC['metric'], (d: DispositionRecord) => Q>> = {
  energy_freed_tce: (d) => new Q(d.energyFreedTce),
  land_freed_mu: (d) => new Q(d.landFreedMu),
  jobs_reduced: (d) => new Q(d.jobsReduced),
}

/**
 * Progress against each target on `asOf`: records done in the target's window up to and including `asOf`. Firms are
 * counted once however many dispositions they have (the plan counts enterprises). Productivity compares the
 * above-scale firms of the base year with those of the last full year in the window up to `asOf`.
 */
export function measureTargets(input: {
  targets: readonly TargetC[]
  projects: readonly ProjectRecord[]
  dispositions: readonly DispositionRecord[]
  asOf: string
  productivity: (year: number) => ProductivityTotals | undefined
}): TargetFigure[] {
  const { targets, projects, dispositions, asOf } = input
  return targets.map((t) => {
    const to = t.to && t.to <= asOf ? t.to : addDays(asOf, 1)
    const head = {
      targetId: t.id,
      metric: t.metric,
      label: t.label,
      unit: t.unit,
      target: t.value,
    }
    const done = dispositions.filter((d) => doneIn(d, t.from, to))
    const result = (value: Q, ds: DispositionRecord[], ps: ProjectRecord[], note: string) => ({
      ...head,
      value: value.toString(),
      ratio: Number(value.dividedBy(t.value).toDecimalPlaces(4)),
      basis: { dispositions: ds.map((d) => d.id), projects: ps.map((p) => p.id) },
      note,
    })
    const firms = (ds: DispositionRecord[]) => {
      const seen = new Set<string>()
      return ds.filter((d) => !seen.has(d.creditCode) && seen.add(d.creditCode))
    }
    switch (t.metric) {
      case 'enterprises_upgraded': {
        const ds = firms(done.filter((d) => UPGRADES.has(d.kind)))
        return result(new Q(ds.length), ds, [], 'distinct firms with a done upgrade or compliance')
      }
      case 'enterprises_closed': {
        const ds = firms(done.filter((d) => d.kind === 'closure'))
        return result(new Q(ds.length), ds, [], 'distinct firms with a done closure')
      }
      case 'clusters_built': {
        const ps = projects.filter(
          (p) =>
            p.status !== 'withdrawn' &&
            p.clusterBuiltOn !== null &&
            p.clusterBuiltOn >= t.from &&
            p.clusterBuiltOn < to,
        )
        return result(new Q(ps.length), [], ps, 'projects whose new cluster was built')
      }
      case 'labour_productivity_gain':
        return productivityFigure(t, head, asOf, input.productivity)
      default: {
        const of = FREED[t.metric]!
        const ds = done.filter((d) => !of(d).isZero())
        const sum = ds.reduce((a, d) => a.plus(of(d)), new Q(0))
        return result(sum, ds, [], 'sum over done dispositions')
      }
    }
  })
}

/** The years a productivity target compares on `asOf`: its base year and the last full year of its window. */
export function productivityYears(
  t: Pick<TargetC, 'baseYear' | 'from' | 'to'>,
  asOf: string,
): { baseYear: number; year: number } {
  const baseYear = t.baseYear ?? Number(t.from.slice(0, 4)) - 1
  // The last full year of the window on asOf: 2017 for a window ending 2018-01-01, measured after it ends.
  const lastInWindow = Number((t.to ?? '9999-01-01').slice(0, 4)) - 1
  return { baseYear, year: Math.min(lastInWindow, Number(asOf.slice(0, 4)) - 1) }
}

function productivityFigure(
  t: TargetC,
  head: Omit<TargetFigure, 'value' | 'ratio' | 'basis' | 'note'>,
  asOf: string,
  totals: (year: number) => ProductivityTotals | undefined,
): TargetFigure {
  const { baseYear, year } = productivityYears(t, asOf)
  const base = totals(baseYear)
  const current = year > baseYear ? totals(year) : undefined
  const per = (x: ProductivityTotals) => new Q(x.valueAdded).dividedBy(x.employees)
  const basis = { baseYear, base: base ?? null, year, current: current ?? null }
  if (!base || base.employees <= 0)
    return {
      ...head,
      value: null,
      ratio: null,
      basis,
      note: `no ${baseYear} figures of above-scale firms: not measured`,
    }
  if (!current || current.employees <= 0)
    return {
      ...head,
      value: null,
      ratio: null,
      basis,
      note: `no ${year} figures of above-scale firms yet`,
    }
  const gain = per(current).dividedBy(per(base)).minus(1).toDecimalPlaces(4)
  return {
    ...head,
    value: gain.toString(),
    ratio: Number(gain.dividedBy(t.value).toDecimalPlaces(4)),
    basis,
    note: `(Σ value added ÷ Σ employees) ${year} over ${baseYear}, minus 1`,
  }
}

/** One month of the tracking series (月跟踪): what was done in it, and the running totals since `from`. */
export interface MonthRow {
  month: string
  upgraded: number
  compliance: number
  closed: number
  energyFreedTce: string
  waterFreedM3: string
  landFreedMu: string
  jobsReduced: number
  cumulative: {
    upgraded: number
    compliance: number
    closed: number
    energyFreedTce: string
    landFreedMu: string
  }
}

/** The month-by-month series of done dispositions over [from, to) (first days of months). */
export function monthlySeries(
  dispositions: readonly DispositionRecord[],
  from: string,
  to: string,
): MonthRow[] {
  const rows: MonthRow[] = []
  const run = { upgraded: 0, compliance: 0, closed: 0, energy: new Q(0), land: new Q(0) }
  // Done before the series starts counts in the running totals.
  for (const d of dispositions)
    if (d.status === 'done' && d.completedOn !== null && d.completedOn < from) tally(run, d)
  for (let m = from.slice(0, 7); `${m}-01` < to; m = nextMonth(m)) {
    const inMonth = dispositions.filter((d) => doneIn(d, `${m}-01`, `${nextMonth(m)}-01`))
    const row = { upgraded: 0, compliance: 0, closed: 0, energy: new Q(0), land: new Q(0) }
    let water = new Q(0)
    let jobs = 0
    for (const d of inMonth) {
      tally(row, d)
      tally(run, d)
      water = water.plus(d.waterFreedM3)
      jobs += d.jobsReduced
    }
    rows.push({
      month: m,
      upgraded: row.upgraded,
      compliance: row.compliance,
      closed: row.closed,
      energyFreedTce: row.energy.toString(),
      waterFreedM3: water.toString(),
      landFreedMu: row.land.toString(),
      jobsReduced: jobs,
      cumulative: {
        upgraded: run.upgraded,
        compliance: run.compliance,
        closed: run.closed,
        energyFreedTce: run.energy.toString(),
        landFreedMu: run.land.toString(),
      },
    })
  }
  return rows
}

function tally(
  t: { upgraded: number; compliance: number; closed: number; energy: Q; land: Q },
  d: DispositionRecord,
) {
  if (d.kind === 'upgrade') t.upgraded++
  else if (d.kind === 'compliance') t.compliance++
  else t.closed++
  t.energy = t.energy.plus(d.energyFreedTce)
  t.land = t.land.plus(d.landFreedMu)
}

/** Whether a county's project list for a programme year came in: on time, late, missing or not yet due. */
export interface ListStatus {
  county: string
  year: number
  deadlineId: string
  due: string
  minProjects: number
  /** Projects filed by the due day, and all filed so far (withdrawn ones not counted). */
  onTime: number[]
  filed: number[]
  status: 'on_time' | 'late' | 'missing' | 'pending'
}

/** The list deadline of `year` (the rule in force on its first day), or undefined outside the programme. */
export function listDeadline(deadlines: readonly DeadlineC[], year: number) {
  const day = `${year}-01-01`
  const rule = deadlines.find(
    (d) => d.kind === 'project_list' && d.from <= day && (!d.to || day < d.to),
  )
  if (!rule?.due) return undefined
  const { yearOffset, month, day: dd } = rule.due
  const due = `${year + yearOffset}-${String(month).padStart(2, '0')}-${String(dd).padStart(2, '0')}`
  return { rule, due, minProjects: rule.minProjects ?? 1 }
}

export function listStatuses(
  deadlines: readonly DeadlineC[],
  year: number,
  counties: readonly string[],
  projects: readonly ProjectRecord[],
  today: string,
): ListStatus[] {
  const d = listDeadline(deadlines, year)
  if (!d) return []
  return counties.map((county) => {
    const mine = projects.filter(
      (p) => p.county === county && p.year === year && p.status !== 'withdrawn',
    )
    const onTime = mine.filter((p) => p.filedOn <= d.due).map((p) => p.id)
    const filed = mine.map((p) => p.id)
    const status =
      onTime.length >= d.minProjects
        ? 'on_time'
        : filed.length >= d.minProjects
          ? 'late'
          : today > d.due
            ? 'missing'
            : 'pending'
    return {
      county,
      year,
      deadlineId: d.rule.id,
      due: d.due,
      minProjects: d.minProjects,
      onTime,
      filed,
      status,
    }
  })
}
