/**
 * A county's quarterly report (季报送), generated from its records: the quarter's months (月跟踪), its projects with
 * their dispositions by status, overdue dispositions, and the running totals; plus whether it was submitted on time.
 * @module programme/report
 */

import { addDays } from '../dates.ts'
import { toCsv } from '../enterprise/csv.ts'
import type { DeadlineC } from '../rulebook/compile.ts'
import { type MonthRow, monthlySeries } from './measure.ts'
import { type DispositionRecord, type ProjectRecord, quarterBounds } from './records.ts'

export interface QuarterReport {
  county: string
  quarter: string
  from: string
  to: string
  months: MonthRow[]
  projects: {
    id: number
    name: string
    year: number
    status: string
    dispositions: Record<'planned' | 'in_progress' | 'done' | 'abandoned', number>
  }[]
  /** Dispositions past their deadline at the quarter's end and not done. */
  overdue: {
    dispositionId: number
    projectId: number
    creditCode: string
    kind: string
    deadline: string
    status: string
  }[]
}

/** The report of `county` for `quarter`, from every project of the county and its dispositions. */
export function quarterReport(
  county: string,
  quarter: string,
  projects: readonly ProjectRecord[],
  dispositions: readonly DispositionRecord[],
): QuarterReport {
  const { from, to } = quarterBounds(quarter)
  const ps = projects.filter(
    (p) => p.county === county && p.filedOn < to && p.status !== 'withdrawn',
  )
  const ids = new Set(ps.map((p) => p.id))
  const ds = dispositions.filter((d) => ids.has(d.projectId))
  // Statuses as they stood at the quarter's end: a disposition done later was still open then.
  const statusAt = (d: DispositionRecord) =>
    d.status === 'done' && d.completedOn !== null && d.completedOn >= to ? 'in_progress' : d.status
  return {
    county,
    quarter,
    from,
    to,
    months: monthlySeries(ds, from, to),
    projects: ps.map((p) => {
      const counts = { planned: 0, in_progress: 0, done: 0, abandoned: 0 }
      for (const d of ds) if (d.projectId === p.id) counts[statusAt(d)]++
      return { id: p.id, name: p.name, year: p.year, status: p.status, dispositions: counts }
    }),
    overdue: ds
      .filter((d) => d.deadline < to && statusAt(d) !== 'done' && d.status !== 'abandoned')
      .map((d) => ({
        dispositionId: d.id,
        projectId: d.projectId,
        creditCode: d.creditCode,
        kind: d.kind,
        deadline: d.deadline,
        status: statusAt(d),
      })),
  }
}

/** When a quarter's report is due under the rules in force at the quarter's end, if the programme covers it. */
export function reportDue(deadlines: readonly DeadlineC[], quarter: string): string | undefined {
  const { from, to } = quarterBounds(quarter)
  const rule = deadlines.find(
    (d) => d.kind === 'quarterly_report' && d.from <= from && (!d.to || from < d.to),
  )
  return rule?.daysAfter === undefined ? undefined : addDays(to, rule.daysAfter - 1)
}

export type ReportState = 'on_time' | 'late' | 'missing' | 'pending'

/** A report's state on `today`: by its first submission's day against the due day. */
export function reportState(
  due: string,
  firstSubmittedOn: string | undefined,
  today: string,
): ReportState {
  if (firstSubmittedOn !== undefined) return firstSubmittedOn <= due ? 'on_time' : 'late'
  return today > due ? 'missing' : 'pending'
}

/** The report as CSV rows (month lines, then project lines, then overdue lines), for a spreadsheet. */
export function reportCsv(r: QuarterReport, countyName: string): string {
  const lines: (string | number)[][] = [
    ['县（市）区', `${countyName} ${r.county}`],
    ['季度', r.quarter],
    [],
    [
      '月份',
      '改造提升',
      '整治规范',
      '淘汰关停',
      '腾出用能(吨标煤)',
      '腾出用水(m³)',
      '盘活土地(亩)',
      '减少用工(人)',
      '累计改造提升',
      '累计整治规范',
      '累计淘汰关停',
      '累计腾出用能',
      '累计盘活土地',
    ],
    ...r.months.map((m) => [
      m.month,
      m.upgraded,
      m.compliance,
      m.closed,
      m.energyFreedTce,
      m.waterFreedM3,
      m.landFreedMu,
      m.jobsReduced,
      m.cumulative.upgraded,
      m.cumulative.compliance,
      m.cumulative.closed,
      m.cumulative.energyFreedTce,
      m.cumulative.landFreedMu,
    ]),
    [],
    ['项目', '名称', '年度', '状态', '计划', '实施中', '已完成', '已放弃'],
    ...r.projects.map((p) => [
      p.id,
      p.name,
      p.year,
      p.status,
      p.dispositions.planned,
      p.dispositions.in_progress,
      p.dispositions.done,
      p.dispositions.abandoned,
    ]),
    [],
    ['逾期处置', '项目', '统一社会信用代码', '类型', '期限', '状态'],
    ...r.overdue.map((o) => [
      o.dispositionId,
      o.projectId,
      o.creditCode,
      o.kind,
      o.deadline,
      o.status,
    ]),
  ]
  // Excel's UTF-8 CSV; no cell can become a formula (csvCell), whatever a county typed into a name.
  return toCsv(lines[0] as string[], lines.slice(1))
}
