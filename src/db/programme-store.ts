/**
 * The programme's records in the database: projects, dispositions, quarterly report submissions and fixed fund
 * allocations. Every change runs in one IMMEDIATE transaction with its audit entry (before and after), through the
 * main store, so the revision and the audit log are the same ones every other change uses.
 * @module db/programme-store
 */
import { and, asc, eq, max, type SQL } from 'drizzle-orm'
import { NotFoundError } from '../errors.ts'
import { dispositions, fundAllocations, programmeReports, projects } from './schema.ts'
import { ConflictError, PreconditionError, type Store, type Tx } from './store.ts'

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
    | 'verifiedOn'
    | 'verifiedBy'
  >
>

/** The fields of `before` that `after` changes, as [before, after] pairs (for the audit). */
function changed<T extends object>(
  before: T,
  patch: Partial<T>,
): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {}
  for (const [k, v] of Object.entries(patch))
    if (v !== undefined && (before as Record<string, unknown>)[k] !== v)
      out[k] = [(before as Record<string, unknown>)[k], v]
  return out
}

const versionCheck = (kind: string, current: number, expected: number | undefined) => {
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

export class ProgrammeStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db
  }

  registerProject(p: NewProject, actor: string, historic?: string): ProjectRow {
    return this.store.write((tx) => {
      const at = this.store.now()
      const row = tx
        .insert(projects)
        .values({ ...p, registeredAt: at, registeredBy: actor, updatedAt: at, updatedBy: actor })
        .returning()
        .get()
      this.store.audit(tx, actor, 'project.register', `project/${row.id}`, {
        ...p,
        ...(historic !== undefined && { historic }),
      })
      return row
    })
  }

  updateProject(id: number, patch: ProjectPatch, version: number | undefined, actor: string) {
    return this.versioned(projects, 'project', id, patch, version, actor, () => ({}))
  }

  addDisposition(d: NewDisposition, county: string, actor: string): DispositionRow {
    return this.store.write((tx) => this.insertDisposition(tx, d, county, actor))
  }

  /** A ledger's dispositions, all or none, each audited as if added alone. */
  addDispositions(ds: NewDisposition[], county: string, actor: string): DispositionRow[] {
    return this.store.write((tx) => ds.map((d) => this.insertDisposition(tx, d, county, actor)))
  }

  private insertDisposition(tx: Tx, d: NewDisposition, county: string, actor: string) {
    const dup = tx
      .select({ id: dispositions.id })
      .from(dispositions)
      .where(
        and(eq(dispositions.projectId, d.projectId), eq(dispositions.creditCode, d.creditCode)),
      )
      .get()
    if (dup)
      throw new ConflictError(
        `${d.creditCode} already has disposition ${dup.id} in project ${d.projectId}`,
      )
    const at = this.store.now()
    const row = tx
      .insert(dispositions)
      .values({ ...d, county, createdAt: at, createdBy: actor, updatedAt: at, updatedBy: actor })
      .returning()
      .get()
    this.store.audit(tx, actor, 'disposition.create', `disposition/${row.id}`, { ...d, county })
    return row
  }

  /** Applies `check(before, after)` inside the transaction, so a rule about transitions sees the committed row. */
  updateDisposition(
    id: number,
    patch: DispositionPatch,
    version: number | undefined,
    actor: string,
    check: (before: DispositionRow, after: DispositionRow) => void,
  ) {
    return this.versioned(
      dispositions,
      'disposition',
      id,
      patch,
      version,
      actor,
      (before) => ({ creditCode: before.creditCode }),
      check,
    )
  }

  /**
   * One versioned change of a record: the version checked, nothing written when nothing changes, `check` run on the
   * row as it would be, the version bumped and the change audited with each field's before and after, in one
   * transaction.
   */
  private versioned<T extends typeof projects | typeof dispositions>(
    table: T,
    kind: 'project' | 'disposition',
    id: number,
    patch: Partial<T['$inferSelect']>,
    version: number | undefined,
    actor: string,
    detail: (before: T['$inferSelect']) => Record<string, unknown>,
    check?: (before: T['$inferSelect'], after: T['$inferSelect']) => void,
  ): T['$inferSelect'] {
    // drizzle cannot type a query over a union of tables; both have `id` and `version`.
    const t = table as typeof projects
    return this.store.write((tx) => {
      const before = tx.select().from(t).where(eq(t.id, id)).get() as T['$inferSelect'] | undefined
      if (!before) throw new NotFoundError(`${kind} ${id}`)
      versionCheck(`${kind} ${id}`, before.version, version)
      const changes = changed(before, patch)
      if (Object.keys(changes).length === 0) return before
      check?.(before, { ...before, ...patch })
      const row = tx
        .update(t)
        .set({
          ...(patch as ProjectPatch),
          version: before.version + 1,
          updatedAt: this.store.now(),
          updatedBy: actor,
        })
        .where(eq(t.id, id))
        .returning()
        .get() as T['$inferSelect']
      this.store.audit(tx, actor, `${kind}.update`, `${kind}/${id}`, {
        ...detail(before),
        changes,
        version: row.version,
      })
      return row
    })
  }

  project(id: number): ProjectRow {
    const row = this.db.select().from(projects).where(eq(projects.id, id)).get()
    if (!row) throw new NotFoundError(`project ${id}`)
    return row
  }

  projects(filter: { county?: string; year?: number } = {}): ProjectRow[] {
    const where: SQL[] = []
    if (filter.county) where.push(eq(projects.county, filter.county))
    if (filter.year) where.push(eq(projects.year, filter.year))
    return this.db
      .select()
      .from(projects)
      .where(and(...where))
      .orderBy(asc(projects.id))
      .all()
  }

  disposition(id: number): DispositionRow {
    const row = this.db.select().from(dispositions).where(eq(dispositions.id, id)).get()
    if (!row) throw new NotFoundError(`disposition ${id}`)
    return row
  }

  dispositions(filter: { projectId?: number; county?: string; creditCode?: string } = {}) {
    const where: SQL[] = []
    if (filter.projectId) where.push(eq(dispositions.projectId, filter.projectId))
    if (filter.county) where.push(eq(dispositions.county, filter.county))
    if (filter.creditCode) where.push(eq(dispositions.creditCode, filter.creditCode))
    return this.db
      .select()
      .from(dispositions)
      .where(and(...where))
      .orderBy(asc(dispositions.id))
      .all()
  }

  /** Every record (of one county, when given), as the measures read them. */
  records(county?: string): { projects: ProjectRow[]; dispositions: DispositionRow[] } {
    return { projects: this.projects({ county }), dispositions: this.dispositions({ county }) }
  }

  /** Each closed firm's first done and verified closure: from that day it is billed nothing. */
  closures(): Map<string, { on: string; dispositionId: number; projectId: number }> {
    const rows = this.db.$client
      .prepare(
        `SELECT credit_code AS code, completed_on AS "on", id, project_id AS projectId FROM dispositions
          WHERE kind = 'closure' AND status = 'done' AND completed_on IS NOT NULL
            AND verified_on IS NOT NULL
          ORDER BY completed_on, id`,
      )
      .all() as { code: string; on: string; id: number; projectId: number }[]
    const out = new Map<string, { on: string; dispositionId: number; projectId: number }>()
    for (const r of rows)
      if (!out.has(r.code))
        out.set(r.code, { on: r.on, dispositionId: r.id, projectId: r.projectId })
    return out
  }

  /** Freezes a county's quarterly report as generated now; a later submission of the same quarter adds a `seq`. */
  submitReport(
    county: string,
    quarter: string,
    submittedOn: string,
    report: Record<string, unknown>,
    actor: string,
    historic?: string,
  ) {
    return this.store.write((tx) => {
      const last = tx
        .select({ seq: max(programmeReports.seq) })
        .from(programmeReports)
        .where(and(eq(programmeReports.county, county), eq(programmeReports.quarter, quarter)))
        .get()
      const seq = (last?.seq ?? 0) + 1
      const at = this.store.now()
      tx.insert(programmeReports)
        .values({ county, quarter, seq, submittedOn, submittedAt: at, submittedBy: actor, report })
        .run()
      this.store.audit(tx, actor, 'report.submit', `report/${county}/${quarter}/${seq}`, {
        submittedOn,
        ...(historic !== undefined && { historic }),
      })
      return { county, quarter, seq, submittedOn, submittedAt: at, submittedBy: actor }
    })
  }

  /** Submissions (without the frozen report unless `withReport`), oldest first. */
  reports(filter: { county?: string; quarter?: string }) {
    const where: SQL[] = []
    if (filter.county) where.push(eq(programmeReports.county, filter.county))
    if (filter.quarter) where.push(eq(programmeReports.quarter, filter.quarter))
    return this.db
      .select()
      .from(programmeReports)
      .where(and(...where))
      .orderBy(
        asc(programmeReports.quarter),
        asc(programmeReports.county),
        asc(programmeReports.seq),
      )
      .all()
  }

  fixFund(row: Omit<typeof fundAllocations.$inferSelect, 'fixedAt' | 'fixedBy'>, actor: string) {
    return this.store.write((tx) => {
      const had = tx.select().from(fundAllocations).where(eq(fundAllocations.year, row.year)).get()
      if (had)
        throw new ConflictError(
          `the ${row.year} allocation was fixed on ${had.fixedAt} by ${had.fixedBy}; a fixed allocation is never replaced`,
        )
      const at = this.store.now()
      const fixed = tx
        .insert(fundAllocations)
        .values({ ...row, fixedAt: at, fixedBy: actor })
        .returning()
        .get()
      this.store.audit(tx, actor, 'fund.fix', `fund/${row.year}`, {
        fundId: row.fundId,
        total: row.total,
        rulebookVersionId: row.rulebookVersionId,
      })
      return fixed
    })
  }

  fund(year: number) {
    return this.db.select().from(fundAllocations).where(eq(fundAllocations.year, year)).get()
  }
}
