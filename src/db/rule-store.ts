/**
 * The rules: city rulebook versions and their activations, and county overrides (records of their own, with their
 * revision history).
 * @module db/rule-store
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { ningboDate } from '../dates.ts'
import { NotFoundError, PreconditionError } from '../errors.ts'
import type { RuleText } from '../rulebook/compile.ts'
import type { BaseStore, Tx } from './base-store.ts'
import type { Db } from './client.ts'
import { overrideRevisions, overrides, rulebookActivations, rulebookVersions } from './schema.ts'

/** Statuses whose overrides take part in the compiled rules (rejected and withdrawn ones are history only). */
export const LIVE_STATUSES: readonly string[] = ['draft', 'submitted', 'approved', 'filed']

/** The name an override's text carries in rule problems and item origins; never a storage path. */
export const overrideFileName = (id: string) => `counties/${id}.yaml`

export const rulebookEtag = (versionId: number, activationId: number) =>
  `"rb${versionId}.${activationId}"`

export class RuleStore {
  constructor(private readonly core: BaseStore) {}

  /**
   * Which city version is in force and the newest override change, read from the database: the newest activation
   * in force today (an activation scheduled for a later day waits for it), or, with `knownAt` (an ISO instant), the
   * newest one recorded by then and in force on that day, and the override changes recorded by then.
   */
  rulesHead(
    tx: Pick<Db, 'get'> = this.core.db,
    knownAt?: string,
  ): { activationId: number; versionId: number; overrideSeq: number } | undefined {
    const day = knownAt ? ningboDate(knownAt) : this.core.today()
    const at = knownAt ?? '9999'
    const row = tx.get<{ a: number | null; v: number | null; s: number }>(
      sql`select a.id as a, a.version_id as v,
                 (select coalesce(max(seq), 0) from override_revisions where at <= ${at}) as s
            from (select 1) left join (select id, version_id from rulebook_activations
                   where at <= ${at} and coalesce(effective_on, '') <= ${day} order by id desc limit 1) a`,
    )
    if (row?.a == null || row.v == null) return undefined
    return { activationId: row.a, versionId: row.v, overrideSeq: row.s }
  }

  /** An activation recorded for a later day and not yet in force, if any (the newest). */
  scheduledActivation(tx: Pick<Db, 'get'> = this.core.db) {
    return tx.get<
      { id: number; versionId: number; effectiveOn: string; by: string; note: string } | undefined
    >(
      sql`select id, version_id as versionId, effective_on as effectiveOn, by, note from rulebook_activations
           where effective_on > ${this.core.today()} order by id desc limit 1`,
    )
  }

  /** Override texts that take part in the rules in force, named as files only for compile's messages. */
  liveOverrideFiles(statuses: readonly string[] = LIVE_STATUSES): RuleText[] {
    return this.core.db
      .select({ id: overrides.id, text: overrides.text, status: overrides.status })
      .from(overrides)
      .orderBy(asc(overrides.id))
      .all()
      .filter((o) => statuses.includes(o.status))
      .map((o) => ({ path: overrideFileName(o.id), text: o.text }))
  }

  /**
   * Which override records are filed, and at which version: changes exactly when the overrides that can price do.
   * A cheap read (no texts), made at each new revision.
   */
  filedOverridesKey(tx: Pick<Db, 'get'> = this.core.db): string {
    return (
      tx.get<{ k: string | null }>(
        sql`select group_concat(id || '.' || version, ' ') as k
              from (select id, version from overrides where status = 'filed' order by id)`,
      )?.k ?? ''
    )
  }

  /** How many of `county`'s overrides await a decision (draft or submitted): bounded per county. */
  openOverrideCount(county: string, tx: Pick<Db, 'get'> = this.core.db): number {
    return (
      tx.get<{ n: number }>(
        sql`select count(*) as n from overrides where county = ${county} and status in ('draft', 'submitted')`,
      )?.n ?? 0
    )
  }

  /**
   * The live override files as they were at override revision `seq` (each override's newest revision up to it):
   * with a city version, the rules a run applied.
   */
  liveOverrideFilesAt(seq: number, statuses: readonly string[] = LIVE_STATUSES): RuleText[] {
    const rows = this.core.db.$client
      .prepare(
        `SELECT r.override_id AS id, r.text, r.to_status AS status FROM override_revisions r
          WHERE r.seq = (SELECT max(seq) FROM override_revisions WHERE override_id = r.override_id AND seq <= ?)
          ORDER BY r.override_id`,
      )
      .all(seq) as { id: string; text: string; status: string }[]
    return rows
      .filter((o) => statuses.includes(o.status))
      .map((o) => ({ path: overrideFileName(o.id), text: o.text }))
  }

  findVersionByHash(tx: Tx, hash: string) {
    return tx
      .select({ id: rulebookVersions.id })
      .from(rulebookVersions)
      .where(eq(rulebookVersions.hash, hash))
      .get()
  }

  insertVersion(tx: Tx, v: { hash: string; files: RuleText[]; by: string; note: string }): number {
    const row = tx
      .insert(rulebookVersions)
      .values({
        hash: v.hash,
        files: v.files,
        createdAt: this.core.now(),
        createdBy: v.by,
        note: v.note,
      })
      .returning({ id: rulebookVersions.id })
      .get()
    this.core.audit(tx, v.by, 'rulebook.version.create', `rulebook/${row.id}`, {
      hash: v.hash,
      note: v.note,
      files: v.files.map((f) => f.path),
    })
    return row.id
  }

  activate(
    tx: Tx,
    versionId: number,
    by: string,
    note: string,
    previous?: number,
    options: { effectiveOn?: string; correction?: Record<string, unknown> } = {},
  ): number {
    const row = tx
      .insert(rulebookActivations)
      .values({
        versionId,
        at: this.core.now(),
        by,
        note,
        effectiveOn: options.effectiveOn ?? null,
        correction: options.correction ?? null,
      })
      .returning({ id: rulebookActivations.id })
      .get()
    this.core.audit(
      tx,
      by,
      options.correction ? 'rulebook.version.activate.correction' : 'rulebook.version.activate',
      `rulebook/${versionId}`,
      {
        activation: row.id,
        previousVersion: previous ?? null,
        note,
        ...(options.effectiveOn && { effectiveOn: options.effectiveOn }),
        ...(options.correction && { correction: options.correction }),
      },
    )
    return row.id
  }

  /** The activations made as corrections whose first day affected is on or before `date`, oldest first. */
  rulesCorrections(date: string) {
    const rows = this.core.db.$client
      .prepare(
        `SELECT id, version_id AS versionId, at, by, correction FROM rulebook_activations
          WHERE correction IS NOT NULL ORDER BY id`,
      )
      .all() as { id: number; versionId: number; at: string; by: string; correction: string }[]
    return rows.flatMap((r) => {
      const c = JSON.parse(r.correction) as { reason: string; document: string; firstDay: string }
      return c.firstDay <= date
        ? [
            {
              activation: r.id,
              versionId: r.versionId,
              at: r.at,
              by: r.by,
              reason: c.reason,
              document: c.document,
              firstDay: c.firstDay,
            },
          ]
        : []
    })
  }

  /** One activation of a city version: who put it in force, when, and why. */
  activation(id: number) {
    const row = this.core.db
      .select()
      .from(rulebookActivations)
      .where(eq(rulebookActivations.id, id))
      .get()
    if (!row) throw new NotFoundError(`rulebook activation ${id}`)
    return row
  }

  listRulebookVersions() {
    const head = this.rulesHead()
    return this.core.db
      .select({
        id: rulebookVersions.id,
        hash: rulebookVersions.hash,
        createdAt: rulebookVersions.createdAt,
        createdBy: rulebookVersions.createdBy,
        note: rulebookVersions.note,
        // Once in force (an activation whose day has come), now replaced: shown as superseded, not as never used.
        activations: sql<number>`(select count(*) from ${rulebookActivations} a where a.version_id = ${rulebookVersions.id} and (a.effective_on is null or a.effective_on <= ${ningboDate(this.core.now())}))`,
      })
      .from(rulebookVersions)
      .orderBy(desc(rulebookVersions.id))
      .all()
      .map(({ activations, ...v }) => ({
        ...v,
        active: v.id === head?.versionId,
        wasActive: activations > 0,
      }))
  }

  getRulebookVersion(id: number) {
    const row = this.core.db
      .select()
      .from(rulebookVersions)
      .where(eq(rulebookVersions.id, id))
      .get()
    if (!row) throw new NotFoundError(`rulebook version ${id}`)
    return row
  }

  listOverrideRows(county?: string) {
    return this.core.db
      .select()
      .from(overrides)
      .where(county ? eq(overrides.county, county) : undefined)
      .orderBy(asc(overrides.id))
      .all()
  }

  overrideRow(id: string, tx: Pick<Tx, 'select'> = this.core.db) {
    return tx.select().from(overrides).where(eq(overrides.id, id)).get()
  }

  /** Every override's first revision: for one read from a rule file, its reason names that file. */
  firstOverrideRevisions() {
    return this.core.db
      .select({
        id: overrideRevisions.overrideId,
        action: overrideRevisions.action,
        reason: overrideRevisions.reason,
      })
      .from(overrideRevisions)
      .where(eq(overrideRevisions.version, 1))
      .all()
  }

  overrideRevisions(id: string) {
    return this.core.db
      .select()
      .from(overrideRevisions)
      .where(eq(overrideRevisions.overrideId, id))
      .orderBy(asc(overrideRevisions.version))
      .all()
  }

  /**
   * Writes an override's next revision: the current row (checked to still be at `expectedVersion`, so two
   * processes cannot both move it) and the revision history, with its audit entry, in the caller's transaction.
   */
  writeOverride(
    tx: Tx,
    next: {
      id: string
      county: string
      status: string
      text: string
      action: string
      fromStatus: string | null
      by: string
      reason?: string
      ref?: string | null
      decisionDate?: string | null
    },
    expectedVersion: number,
  ): number {
    const at = this.core.now()
    const version = expectedVersion + 1
    if (expectedVersion === 0) {
      tx.insert(overrides)
        .values({
          id: next.id,
          county: next.county,
          status: next.status,
          text: next.text,
          version,
          createdAt: at,
          createdBy: next.by,
          updatedAt: at,
          updatedBy: next.by,
        })
        .run()
    } else {
      const changed = tx
        .update(overrides)
        .set({ status: next.status, text: next.text, version, updatedAt: at, updatedBy: next.by })
        .where(and(eq(overrides.id, next.id), eq(overrides.version, expectedVersion)))
        .run().changes
      if (changed !== 1)
        throw new PreconditionError(`override ${next.id} changed meanwhile; read it again`, 412)
    }
    tx.insert(overrideRevisions)
      .values({
        overrideId: next.id,
        version,
        county: next.county,
        action: next.action,
        fromStatus: next.fromStatus,
        toStatus: next.status,
        text: next.text,
        at,
        by: next.by,
        reason: next.reason ?? '',
        ref: next.ref ?? null,
        decisionDate: next.decisionDate ?? null,
      })
      .run()
    this.core.audit(
      tx,
      next.by,
      `override.${next.action}`,
      `override/${next.id}`,
      {
        county: next.county,
        version,
        from: next.fromStatus,
        to: next.status,
        ref: next.ref ?? null,
        reason: next.reason || null,
        date: next.decisionDate ?? null,
      },
      at,
    )
    return version
  }
}
