/**
 * The programme's records in the database: projects, dispositions, quarterly report submissions and fixed fund
 * allocations. Every change runs in one IMMEDIATE transaction with its audit entry (before and after), through the
 * main store, so the revision and the audit log are the same ones every other change uses.
 * @module db/programme-store
 */
import { and, asc, eq, max, type SQL, sql } from 'drizzle-orm'
import { ConflictError, NotFoundError } from '../errors.ts'
import type { Tx } from './base-store.ts'
import {
  type BackdateClaim,
  type BackdateRequestRow,
  type ClosureRow,
  changed,
  type DispositionPatch,
  type DispositionRow,
  type NewDisposition,
  type NewProject,
  PROJECT,
  type ProjectPatch,
  type ProjectRow,
  REPORT,
  type VerificationPlan,
  versionCheck,
} from './programme-rows.ts'
import {
  backdateDecisions,
  backdateRequests,
  dispositions,
  dispositionVerifications,
  fundAllocations,
  programmeReports,
  projects,
} from './schema.ts'
import type { Store } from './store.ts'

export type {
  BackdateClaim,
  BackdateRequestRow,
  ClosureRow,
  DispositionPatch,
  DispositionRow,
  NewDisposition,
  NewProject,
  ProjectPatch,
  ProjectRow,
  VerificationPlan,
} from './programme-rows.ts'

export class ProgrammeStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db
  }

  /**
   * Registers a project filed (sent) today; a county's claim that it was filed earlier is stored beside it as a
   * pending request, in the same transaction.
   */
  registerProject(
    p: NewProject,
    actor: string,
    claim?: BackdateClaim,
  ): ProjectRow & { request?: BackdateRequestRow } {
    return this.store.write((tx) => {
      const at = this.store.now()
      const row = tx
        .insert(projects)
        .values({ ...p, registeredAt: at, registeredBy: actor, updatedAt: at, updatedBy: actor })
        .returning()
        .get()
      this.store.audit(tx, actor, 'project.register', `project/${row.id}`, {
        ...p,
        ...(claim && { claimedFiledOn: claim.claimedOn }),
      })
      if (!claim) return row
      const request = this.request(tx, actor, `project/${row.id}`, {
        kind: 'project',
        county: p.county,
        projectId: row.id,
        claimedOn: claim.claimedOn,
        sentOn: p.filedOn,
        reason: claim.reason,
      })
      return { ...row, request }
    })
  }

  private request(
    tx: Tx,
    actor: string,
    subject: string,
    r: Omit<typeof backdateRequests.$inferInsert, 'id' | 'requestedAt' | 'requestedBy'>,
  ): BackdateRequestRow {
    const row = tx
      .insert(backdateRequests)
      .values({ ...r, requestedAt: this.store.now(), requestedBy: actor })
      .returning()
      .get()
    this.store.audit(tx, actor, 'backdate-request.create', subject, {
      requestId: row.id,
      kind: r.kind,
      claimedOn: r.claimedOn,
      sentOn: r.sentOn,
      reason: r.reason,
    })
    return { ...row, status: 'pending', decision: null }
  }

  /** Backdate requests (of one county, or one status), oldest first, each with its decision. */
  backdateRequests(
    filter: {
      county?: string
      status?: BackdateRequestRow['status']
      id?: number
      projectId?: number
    } = {},
  ): BackdateRequestRow[] {
    const where: SQL[] = []
    if (filter.projectId !== undefined) where.push(eq(backdateRequests.projectId, filter.projectId))
    if (filter.county) where.push(eq(backdateRequests.county, filter.county))
    if (filter.id !== undefined) where.push(eq(backdateRequests.id, filter.id))
    if (filter.status === 'pending') where.push(sql`${backdateDecisions.requestId} IS NULL`)
    else if (filter.status) where.push(eq(backdateDecisions.decision, filter.status))
    return this.db
      .select({ r: backdateRequests, d: backdateDecisions })
      .from(backdateRequests)
      .leftJoin(backdateDecisions, eq(backdateDecisions.requestId, backdateRequests.id))
      .where(and(...where))
      .orderBy(asc(backdateRequests.id))
      .all()
      .map(({ r, d }) => ({
        ...r,
        status: d ? d.decision : 'pending',
        decision: d
          ? {
              decision: d.decision,
              reason: d.reason,
              ref: d.ref,
              decidedAt: d.decidedAt,
              decidedBy: d.decidedBy,
            }
          : null,
      }))
  }

  /**
   * Decides a pending request once, never again: `check` runs on it inside the transaction (scope, what accepting
   * needs); accepting is audited as a correction of the record it dates.
   */
  decideBackdate(
    id: number,
    decision: { decision: 'accepted' | 'refused'; reason: string; ref: string | null },
    actor: string,
    check: (r: BackdateRequestRow) => void,
  ): BackdateRequestRow {
    return this.store.write((tx) => {
      const [r] = this.backdateRequests({ id })
      if (!r) throw new NotFoundError(`backdate request ${id}`)
      if (r.decision)
        throw new ConflictError(
          `backdate request ${id} was ${r.status} at ${r.decision.decidedAt} by ${r.decision.decidedBy}: a decision is never changed`,
        )
      check(r)
      const at = this.store.now()
      tx.insert(backdateDecisions)
        .values({ requestId: id, ...decision, decidedAt: at, decidedBy: actor })
        .run()
      const subject =
        r.kind === 'project' ? `project/${r.projectId}` : `report/${r.county}/${r.quarter}/${r.seq}`
      this.store.audit(
        tx,
        actor,
        decision.decision === 'accepted'
          ? 'backdate-request.accept.correction'
          : 'backdate-request.refuse',
        subject,
        {
          requestId: id,
          claimedOn: r.claimedOn,
          sentOn: r.sentOn,
          ...(decision.decision === 'accepted' && { firstDayAffected: r.claimedOn }),
          reason: decision.reason,
          ref: decision.ref,
        },
        at,
      )
      return this.backdateRequests({ id })[0]
    })
  }

  updateProject(id: number, patch: ProjectPatch, version: number | undefined, actor: string) {
    this.versioned(projects, 'project', id, patch, version, actor, () => ({}))
    return this.project(id)
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

  /**
   * Applies `check(before, after)` inside the transaction, so a rule about transitions sees the committed row. A
   * verified record that changes loses its verification (the check was of what it said before), recorded as cleared.
   */
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
      (tx, before) => {
        if (before.verifiedOn === null) return {}
        this.verificationEvent(tx, before, 'cleared', actor)
        return { verifiedOn: null, verifiedBy: null, verifiedAt: null }
      },
    )
  }

  /**
   * The economy office verifies a disposition: `plan(before)` (run inside the transaction, on the committed row)
   * says from which day and whether as a correction; the record's verification, its history row and the audit entry
   * (`disposition.verify`, or `disposition.verify.correction`) are written together.
   */
  verifyDisposition(
    id: number,
    version: number | undefined,
    actor: string,
    plan: (before: DispositionRow) => VerificationPlan,
  ): DispositionRow {
    return this.store.write((tx) => {
      const before = tx.select().from(dispositions).where(eq(dispositions.id, id)).get()
      if (!before) throw new NotFoundError(`disposition ${id}`)
      versionCheck(`disposition ${id}`, before.version, version)
      const v = plan(before)
      const at = this.store.now()
      const row = tx
        .update(dispositions)
        .set({
          verifiedOn: v.verifiedOn,
          verifiedBy: actor,
          verifiedAt: at,
          version: before.version + 1,
          updatedAt: at,
          updatedBy: actor,
        })
        .where(eq(dispositions.id, id))
        .returning()
        .get()
      this.verificationEvent(tx, row, 'verified', actor, v, at)
      this.store.audit(
        tx,
        actor,
        v.correction ? 'disposition.verify.correction' : 'disposition.verify',
        `disposition/${id}`,
        {
          creditCode: row.creditCode,
          kind: row.kind,
          completedOn: row.completedOn,
          verifiedOn: v.verifiedOn,
          effectiveFrom: v.effectiveFrom,
          ...(v.correction && {
            firstDayAffected: v.firstDayAffected,
            reason: v.correction.reason,
            ref: v.correction.ref,
          }),
          version: row.version,
        },
        at,
      )
      return row
    })
  }

  private verificationEvent(
    tx: Tx,
    d: DispositionRow,
    event: 'verified' | 'cleared',
    actor: string,
    v?: VerificationPlan,
    at = this.store.now(),
  ) {
    tx.insert(dispositionVerifications)
      .values({
        dispositionId: d.id,
        projectId: d.projectId,
        creditCode: d.creditCode,
        kind: d.kind,
        event,
        completedOn: v ? d.completedOn : null,
        verifiedOn: v?.verifiedOn ?? null,
        effectiveFrom: v?.effectiveFrom ?? null,
        correctionReason: v?.correction?.reason ?? null,
        correctionRef: v?.correction?.ref ?? null,
        at,
        by: actor,
      })
      .run()
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
    /** What else a real change sets (written in the same transaction), e.g. a verification it clears. */
    also: (tx: Tx, before: T['$inferSelect']) => Partial<T['$inferSelect']> = () => ({}),
  ): T['$inferSelect'] {
    // drizzle cannot type a query over a union of tables; both have `id` and `version`.
    const t = table as typeof projects
    return this.store.write((tx) => {
      const before = tx.select().from(t).where(eq(t.id, id)).get() as T['$inferSelect'] | undefined
      if (!before) throw new NotFoundError(`${kind} ${id}`)
      versionCheck(`${kind} ${id}`, before.version, version)
      if (Object.keys(changed(before, patch)).length === 0) return before
      check?.(before, { ...before, ...patch })
      const all = { ...patch, ...also(tx, before) }
      const changes = changed(before, all)
      const row = tx
        .update(t)
        .set({
          ...(all as ProjectPatch),
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

  /** A project, with the filing day the programme counts (see PROJECT). */
  project(id: number): ProjectRow {
    const row = this.db.select(PROJECT).from(projects).where(eq(projects.id, id)).get()
    if (!row) throw new NotFoundError(`project ${id}`)
    return row
  }

  projects(filter: { county?: string; year?: number } = {}): ProjectRow[] {
    const where: SQL[] = []
    if (filter.county) where.push(eq(projects.county, filter.county))
    if (filter.year) where.push(eq(projects.year, filter.year))
    return this.db
      .select(PROJECT)
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

  /**
   * Each closed firm's first verified closure as known at `knownAt` (an ISO instant; every verification recorded
   * when not given), of one firm when `code` is given: a closure counts when its latest verification event recorded
   * by then is a verification, from that verification's effective day.
   */
  closures(knownAt?: string, code?: string): Map<string, ClosureRow> {
    const at = knownAt === undefined ? '' : 'AND w.at <= @knownAt'
    const rows = this.db.$client
      .prepare(
        `SELECT v.credit_code AS code, v.effective_from AS "on", v.disposition_id AS dispositionId,
                v.project_id AS projectId, v.completed_on AS completedOn, v.verified_on AS verifiedOn,
                v.at AS verifiedAt, v.by AS verifiedBy, v.correction_reason AS reason, v.correction_ref AS ref
           FROM disposition_verifications v
          WHERE v.kind = 'closure' AND v.event = 'verified' ${code === undefined ? '' : 'AND v.credit_code = @code'}
            AND v.id = (SELECT max(w.id) FROM disposition_verifications w
                         WHERE w.disposition_id = v.disposition_id ${at})
          ORDER BY v.effective_from, v.disposition_id`,
      )
      .all({
        ...(knownAt !== undefined && { knownAt }),
        ...(code !== undefined && { code }),
      }) as (Omit<ClosureRow, 'correction'> & {
      code: string
      reason: string | null
      ref: string | null
    })[]
    const out = new Map<string, ClosureRow>()
    for (const { code: firm, reason, ref, ...r } of rows)
      if (!out.has(firm))
        out.set(firm, { ...r, correction: reason === null ? null : { reason, ref } })
    return out
  }

  /** Freezes a county's quarterly report as generated now; a later submission of the same quarter adds a `seq`. */
  submitReport(
    county: string,
    quarter: string,
    submittedOn: string,
    report: Record<string, unknown>,
    actor: string,
    claim?: BackdateClaim,
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
      const subject = `report/${county}/${quarter}/${seq}`
      this.store.audit(tx, actor, 'report.submit', subject, {
        submittedOn,
        ...(claim && { claimedSubmittedOn: claim.claimedOn }),
      })
      const request = claim
        ? this.request(tx, actor, subject, {
            kind: 'report',
            county,
            quarter,
            seq,
            claimedOn: claim.claimedOn,
            sentOn: submittedOn,
            reason: claim.reason,
          })
        : undefined
      return { county, quarter, seq, submittedOn, submittedAt: at, submittedBy: actor, request }
    })
  }

  /** Submissions with the day each counts as submitted (see REPORT), oldest first. */
  reports(filter: { county?: string; quarter?: string }) {
    const where: SQL[] = []
    if (filter.county) where.push(eq(programmeReports.county, filter.county))
    if (filter.quarter) where.push(eq(programmeReports.quarter, filter.quarter))
    return this.db
      .select(REPORT)
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
