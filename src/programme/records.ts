/**
 * The programme's records as the core reads them: rectification projects (整治提升项目) and each enterprise's
 * disposition in one (一企一档). Plain data; the store hands them out, the measures below only read them.
 * @module programme/records
 */

export const PROJECT_KINDS = ['sector', 'block'] as const
export const PROJECT_STATUSES = ['active', 'completed', 'withdrawn'] as const
export const DISPOSITION_KINDS = ['upgrade', 'compliance', 'closure'] as const
export const DISPOSITION_STATUSES = ['planned', 'in_progress', 'done', 'abandoned'] as const

export type ProjectKind = (typeof PROJECT_KINDS)[number]
export type DispositionKind = (typeof DISPOSITION_KINDS)[number]
export type DispositionStatus = (typeof DISPOSITION_STATUSES)[number]

export interface ProjectRecord {
  id: number
  county: string
  year: number
  kind: ProjectKind
  name: string
  township: string
  industryCode: string | null
  startsOn: string
  endsOn: string
  cluster: string | null
  clusterBuiltOn: string | null
  status: (typeof PROJECT_STATUSES)[number]
  filedOn: string
}

export interface DispositionRecord {
  id: number
  projectId: number
  creditCode: string
  county: string
  kind: DispositionKind
  deadline: string
  status: DispositionStatus
  startedOn: string | null
  completedOn: string | null
  /** Decimal strings, exact as entered. */
  energyFreedTce: string
  waterFreedM3: string
  landFreedMu: string
  jobsReduced: number
  /** The economy office's check (核验) of a done disposition; null until verified. */
  verifiedOn: string | null
}

/** A done disposition completed in [from, to) (ISO dates; `to` exclusive). */
export const doneIn = (d: DispositionRecord, from: string, to: string) =>
  d.status === 'done' && d.completedOn !== null && d.completedOn >= from && d.completedOn < to

/** The quarter a date falls in, as `2016Q2`; and a quarter's first day and the day after its last. */
export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}Q${Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1}`
}
export function quarterBounds(quarter: string): { from: string; to: string; months: string[] } {
  const m = /^(\d{4})Q([1-4])$/.exec(quarter)
  if (!m) throw new Error(`quarter '${quarter}' is not like 2016Q2`)
  const year = Number(m[1])
  const first = (Number(m[2]) - 1) * 3 + 1
  const month = (y: number, mo: number) => `${y}-${String(mo).padStart(2, '0')}`
  const months = [0, 1, 2].map((i) => month(year, first + i))
  const to = first + 3 > 12 ? `${year + 1}-01-01` : `${month(year, first + 3)}-01`
  return { from: `${months[0]}-01`, to, months }
}
