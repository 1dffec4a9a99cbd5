/**
 * The programme's row shapes as the use cases see them, and the SQL and checks its store shares: the filing day an
 * accepted backdate claim certifies, the fields a change changes, the version a change must name.
 * @module db/programme-rows
 */
import { getTableColumns, type SQL, sql } from 'drizzle-orm'
import { PreconditionError } from '../errors.ts'
import {
  type backdateDecisions,
  type backdateRequests,
  type dispositions,
  programmeReports,
  projects,
} from './schema.ts'

export type ProjectRow = typeof projects.$inferSelect
export type DispositionRow = typeof dispositions.$inferSelect
export type NewProject = Omit<
  ProjectRow,
  'id' | 'registeredAt' | 'registeredBy' | 'version' | 'updatedAt' | 'updatedBy'
>
export type NewDisposition = Omit<
  DispositionRow,
  | 'id'
  | 'county'
  | 'verifiedOn'
  | 'verifiedBy'
  | 'verifiedAt'
  | 'version'
  | 'createdAt'
  | 'createdBy'
  | 'updatedAt'
  | 'updatedBy'
>
export type ProjectPatch = Partial<
  Pick<ProjectRow, 'name' | 'township' | 'endsOn' | 'cluster' | 'clusterBuiltOn' | 'status'>
>
export type DispositionPatch = Partial<
  Pick<
    DispositionRow,
    | 'kind'
    | 'deadline'
    | 'status'
    | 'startedOn'
    | 'completedOn'
    | 'evidence'
    | 'changes'
    | 'energyFreedTce'
    | 'waterFreedM3'
    | 'landFreedMu'
    | 'jobsReduced'
  >
>

/** A county's claim of an earlier day than the day its record was sent, as recorded with the record. */
export interface BackdateClaim {
  claimedOn: string
  reason: string
}

/** A backdate request with its decision, if any. */
export type BackdateRequestRow = typeof backdateRequests.$inferSelect & {
  status: 'pending' | 'accepted' | 'refused'
  decision: Omit<typeof backdateDecisions.$inferSelect, 'requestId'> | null
}

/** A verified closure as known at an instant: from `on` (its effective day) the firm is billed nothing. */
export interface ClosureRow {
  on: string
  dispositionId: number
  projectId: number
  completedOn: string
  verifiedOn: string
  verifiedAt: string
  verifiedBy: string
  /** A verification recorded as a correction (from the completion day): its reason and document reference. */
  correction: { reason: string; ref: string | null } | null
}

/** A verification as the use case plans it inside the transaction, from the record as it stands. */
export interface VerificationPlan {
  verifiedOn: string
  effectiveFrom: string
  correction?: { reason: string; ref: string }
  /** For a correction, the first day whose answers it changes (audited). */
  firstDayAffected?: string
}

/** The day an accepted claim certifies for a record, else the day the record was sent (SQL, correlated). */
export const acceptedClaim = (where: SQL) =>
  sql`(SELECT r.claimed_on FROM backdate_requests r
        JOIN backdate_decisions d ON d.request_id = r.id AND d.decision = 'accepted'
        WHERE ${where} ORDER BY r.id DESC LIMIT 1)`
/** A project with the filing day the programme counts: the accepted claim's, else the day it was sent. */
export const PROJECT = {
  ...getTableColumns(projects),
  filedOn: sql<string>`coalesce(${acceptedClaim(
    sql`r.kind = 'project' AND r.project_id = ${projects.id}`,
  )}, ${projects.filedOn})`,
}
/** A report submission with the day the programme counts it submitted, as for a project. */
export const REPORT = {
  ...getTableColumns(programmeReports),
  submittedOn: sql<string>`coalesce(${acceptedClaim(
    sql`r.kind = 'report' AND r.county = ${programmeReports.county}
        AND r.quarter = ${programmeReports.quarter} AND r.seq = ${programmeReports.seq}`,
  )}, ${programmeReports.submittedOn})`,
}

/** The fields of `before` that `after` changes, as [before, after] pairs (for the audit). */
export function changed<T extends object>(
  before: T,
  patch: Partial<T>,
): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {}
  for (const [k, v] of Object.entries(patch))
    if (v !== undefined && (before as Record<string, unknown>)[k] !== v)
      out[k] = [(before as Record<string, unknown>)[k], v]
  return out
}

export const versionCheck = (kind: string, current: number, expected: number | undefined) => {
  if (expected === undefined)
    throw new PreconditionError(
      `changing ${kind} needs If-Match with its version ("v${current}")`,
      428,
    )
  if (expected !== current)
    throw new PreconditionError(
      `${kind} is at version ${current}, not ${expected}: someone changed it since you read it`,
      412,
    )
}
