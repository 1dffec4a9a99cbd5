/**
 * Named queries and transactions over the database, and nothing else: no caches, no authorization, no rule logic
 * (those are the use cases' in app/). Every change runs in one IMMEDIATE transaction and writes its audit entry in
 * the same transaction; `revision` tells the use cases' cache when anything changed, here or in another process.
 * @module db/store
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Statement } from 'better-sqlite3'
import { and, asc, desc, eq, gte, like, lte, sql } from 'drizzle-orm'
import { addDays, ningboDate } from '../dates.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { MujunError, NotFoundError } from '../errors.ts'
import { memoized } from '../memo.ts'
import type { RatedFacts } from '../pricing/quote.ts'
import { emptyFrame, type PeerFrame, type RatingResult } from '../rating/rate.ts'
import type { RuleText } from '../rulebook/compile.ts'
import { chainHash } from './audit-chain.ts'
import type { Db } from './client.ts'
import {
  apiTokens,
  auditLog,
  enterprises,
  evaluationPeers,
  evaluationResults,
  evaluationRuns,
  figures,
  figureVersions,
  objections,
  overrideRevisions,
  overrides,
  type ROLES,
  rulebookActivations,
  rulebookVersions,
} from './schema.ts'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** A token's role (see ROLES). */
export type Role = (typeof ROLES)[number]
export interface Principal {
  role: Role
  /** County code (county role) or credit code (enterprise role). */
  scope: string
  label: string
  /** The token's row id (0 for the command line, which acts without a token). */
  tokenId: number
  expiresAt?: string
}

export class PreconditionError extends MujunError {
  constructor(message: string, status: 412 | 428) {
    super(status === 412 ? 'PRECONDITION_FAILED' : 'PRECONDITION_REQUIRED', message, { status })
  }
}
export class ConflictError extends MujunError {
  constructor(message: string) {
    super('CONFLICT', message, { status: 409 })
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
const etagOf = (kind: string, version: number) => `"${kind}${version}"`

export interface EnterpriseRow {
  creditCode: string
  name: string
  county: string
  industryCode: string
  version: number
  updatedAt: string
  updatedBy: string
}

/** An enterprise row as the raw reads return it (the shape of EnterpriseRow). */
const ENTERPRISE_SELECT = `SELECT credit_code AS creditCode, name, county, industry_code AS industryCode, version,
  updated_at AS updatedAt, updated_by AS updatedBy FROM enterprises`
const enterpriseView = (row: EnterpriseRow): Readonly<EnterpriseRow & { etag: string }> =>
  Object.freeze({ ...row, etag: etagOf('e', row.version) })

export class Store {
  private dataVersionStmt?: { get(): unknown }
  private seenDataVersion: unknown = undefined
  private seenDay = ''
  /**
   * Counts the changes this process knows of: its own writes and every commit by another connection noticed by
   * `sync()`. Derived answers are kept per revision (app/cache).
   */
  revision = 0
  private syncedThisTurn = false
  private readonly clearTurn = () => {
    this.syncedThisTurn = false
  }

  constructor(
    readonly db: Db,
    readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Raw statements of the hot reads, prepared once per shape (preparing costs more than running them). */
  private readonly statements = new Map<string, Statement>()
  private statement(key: string, sql: () => string): Statement {
    return memoized(this.statements, key, () => this.db.$client.prepare(sql()))
  }

  /**
   * Runs a write transaction, then moves the revision so cached answers derived from the data are dropped. IMMEDIATE:
   * the write lock is taken before the first read, so every check inside sees what another process committed and
   * no other process can commit between the check and the write.
   */
  write<T>(fn: (tx: Tx) => T): T {
    try {
      return this.db.transaction(fn, { behavior: 'immediate' })
    } finally {
      this.changed()
    }
  }

  /**
   * Moves the revision if another connection (the CLI, a second server, a worker) committed since the last look.
   * SQLite's `data_version` changes exactly then; this connection's own writes call `changed()` themselves.
   * Called once per request, and by every use case that reads a cache outside a request.
   */
  sync(): void {
    this.syncedThisTurn = false
    this.syncForRequest()
  }

  /**
   * `sync()` for a request handler, which Node calls from the poll phase right after reading the request: one check
   * serves every request read in the same poll phase. A request whose client saw a commit before sending it was
   * read after that commit, the poll phase began after it, and the phase's first check (later still) sees it; the
   * flag is cleared in the check phase that follows, before the next poll. Only for callers in the poll phase.
   */
  syncForRequest(): void {
    if (this.syncedThisTurn) return
    this.syncedThisTurn = true
    setImmediate(this.clearTurn)
    this.dataVersionStmt ??= this.db.$client.prepare('PRAGMA data_version').pluck()
    const v = this.dataVersionStmt.get()
    // A new Ningbo day moves the revision too: an activation scheduled for it comes into force, and answers
    // that defaulted to "today" are today's no longer.
    const day = this.today()
    if (v !== this.seenDataVersion || day !== this.seenDay) {
      this.seenDataVersion = v
      this.seenDay = day
      this.changed()
    }
  }

  /** A write happened: every answer derived before it is stale. */
  changed(): void {
    this.revision++
  }

  // ---------------------------------------------------------------- audit
  /** Appends an audit entry inside the transaction `tx` whose change it records. */
  audit(
    tx: Tx,
    actor: string,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
    at: string = this.now(),
  ): void {
    // Chained to the entry before (db/audit-chain). The transaction is IMMEDIATE, so no other writer, in this process
    // or another, can append between reading the last hash and adding this entry.
    const last = tx.get<{ hash: string } | undefined>(
      sql`SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1`,
    )
    const entry = { at, actor, action, subject, detail: JSON.stringify(detail) }
    const hash = chainHash(last?.hash ?? null, entry)
    tx.run(
      sql`INSERT INTO audit_log (at, actor, action, subject, detail, hash)
          VALUES (${entry.at}, ${entry.actor}, ${entry.action}, ${entry.subject}, ${entry.detail}, ${hash})`,
    )
  }

  listAudit(filter: {
    subject?: string
    from?: string
    to?: string
    limit?: number
    offset?: number
  }) {
    const where = and(
      filter.subject ? like(auditLog.subject, `${filter.subject}%`) : undefined,
      filter.from ? gte(auditLog.at, filter.from) : undefined,
      filter.to ? lte(auditLog.at, `${filter.to}\uffff`) : undefined,
    )
    return this.db
      .select()
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.id))
      .limit(filter.limit ?? 100)
      .offset(filter.offset ?? 0)
      .all()
  }

  // ---------------------------------------------------------------- rules: city versions and their activation
  /**
   * Which city version is in force and the newest override change, read from the database: the newest activation
   * in force today (an activation scheduled for a later day waits for it), or, with `knownAt` (an ISO instant), the
   * newest one recorded by then and in force on that day, and the override changes recorded by then.
   */
  rulesHead(
    tx: Pick<Db, 'get'> = this.db,
    knownAt?: string,
  ): { activationId: number; versionId: number; overrideSeq: number } | undefined {
    const day = knownAt ? ningboDate(knownAt) : this.today()
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
  scheduledActivation(tx: Pick<Db, 'get'> = this.db) {
    return tx.get<
      { id: number; versionId: number; effectiveOn: string; by: string; note: string } | undefined
    >(
      sql`select id, version_id as versionId, effective_on as effectiveOn, by, note from rulebook_activations
           where effective_on > ${this.today()} order by id desc limit 1`,
    )
  }

  /** The newest audit entry's id: any write moves it (a preview names the state it was computed on by it). */
  auditHead(tx: Pick<Db, 'get'> = this.db): number {
    return tx.get<{ id: number | null }>(sql`select max(id) as id from audit_log`)?.id ?? 0
  }

  /** Override texts that take part in the rules in force, named as files only for compile's messages. */
  liveOverrideFiles(): RuleText[] {
    return this.db
      .select({ id: overrides.id, text: overrides.text, status: overrides.status })
      .from(overrides)
      .orderBy(asc(overrides.id))
      .all()
      .filter((o) => LIVE_STATUSES.includes(o.status))
      .map((o) => ({ path: overrideFileName(o.id), text: o.text }))
  }

  /**
   * The live override files as they were at override revision `seq` (each override's newest revision up to it):
   * with a city version, the rules a run applied.
   */
  liveOverrideFilesAt(seq: number): RuleText[] {
    const rows = this.db.$client
      .prepare(
        `SELECT r.override_id AS id, r.text, r.to_status AS status FROM override_revisions r
          WHERE r.seq = (SELECT max(seq) FROM override_revisions WHERE override_id = r.override_id AND seq <= ?)
          ORDER BY r.override_id`,
      )
      .all(seq) as { id: string; text: string; status: string }[]
    return rows
      .filter((o) => LIVE_STATUSES.includes(o.status))
      .map((o) => ({ path: overrideFileName(o.id), text: o.text }))
  }

  /** Rated results of a run counted by county, sector and class (the overview), without reading each row. */
  classCounts(runId: number): { county: string; sector: string; class: string; n: number }[] {
    return this.db.$client
      .prepare(
        `SELECT county, sector, class, count(*) AS n FROM evaluation_results
          WHERE run_id = ? AND class IS NOT NULL GROUP BY county, sector, class`,
      )
      .all(runId) as { county: string; sector: string; class: string; n: number }[]
  }

  /**
   * How many firms have `year`'s figures, and the sums of some of their numeric figures (a non-number counts 0), in
   * SQL: of the above-scale firms only, or of the firms of one class in a run. The overview reads these instead of
   * loading a population.
   */
  figureTotals(
    year: number,
    ids: string[],
    filter: { aboveScale?: true; run?: { id: number; class: string } } = {},
  ): { firms: number; sums: Record<string, number> } {
    const sums = ids.map(
      (_, i) =>
        `total(CASE json_type(f.data, @p${i}) WHEN 'integer' THEN json_extract(f.data, @p${i}) WHEN 'real' THEN json_extract(f.data, @p${i}) END)`,
    )
    const where = [
      'f.year = @year',
      ...(filter.aboveScale ? [`json_extract(f.data, '$.above_scale') = 1`] : []),
      ...(filter.run ? ['r.run_id = @run', 'r.class = @class'] : []),
    ]
    const row = this.db.$client
      .prepare(
        `SELECT count(*) AS firms${sums.map((x, i) => `, ${x} AS s${i}`).join('')}
           FROM figures f
           ${filter.run ? 'JOIN evaluation_results r ON r.credit_code = f.credit_code' : ''}
          WHERE ${where.join(' AND ')}`,
      )
      .get({
        year,
        ...Object.fromEntries(ids.map((id, i) => [`p${i}`, `$.${id}`])),
        ...(filter.run && { run: filter.run.id, class: filter.run.class }),
      }) as Record<string, number>
    return { firms: row.firms, sums: Object.fromEntries(ids.map((id, i) => [id, row[`s${i}`]])) }
  }

  /**
   * Above-scale firms' totals of `ids` in a year per county (the county the firm is registered in now), over the
   * next `size` firms of the year after credit code `after` in key order: one bounded step of a pass over the year,
   * so a caller can let other requests in between steps. `next` is the last code the step took, or null when the
   * year is done.
   */
  aboveScaleTotalsStep(
    year: number,
    ids: string[],
    after: string,
    size: number,
  ): {
    byCounty: Map<string, { firms: number; sums: Record<string, number> }>
    next: string | null
  } {
    const end = this.statement(
      'figureKeyAt',
      () =>
        'SELECT credit_code AS code FROM figures WHERE year = ? AND credit_code > ? ORDER BY credit_code LIMIT 1 OFFSET ?',
    ).get(year, after, size - 1) as { code: string } | undefined
    const sums = ids.map(
      (_, i) =>
        `total(CASE json_type(f.data, @p${i}) WHEN 'integer' THEN json_extract(f.data, @p${i}) WHEN 'real' THEN json_extract(f.data, @p${i}) END)`,
    )
    // Prepared once per shape (a pass at a million firms takes a hundred steps).
    const rows = this.statement(
      `aboveScaleStep|${ids.length}|${end ? 'bounded' : 'last'}`,
      () =>
        `SELECT e.county AS county, count(*) AS firms${sums.map((x, i) => `, ${x} AS s${i}`).join('')}
           FROM figures f JOIN enterprises e ON e.credit_code = f.credit_code
          WHERE f.year = @year AND f.credit_code > @after${end ? ' AND f.credit_code <= @end' : ''}
            AND json_extract(f.data, '$.above_scale') = 1
          GROUP BY e.county`,
    ).all({
      year,
      after,
      ...(end && { end: end.code }),
      ...Object.fromEntries(ids.map((id, i) => [`p${i}`, `$.${id}`])),
    }) as Record<string, number | string>[]
    return {
      byCounty: new Map(
        rows.map((r) => [
          String(r.county),
          {
            firms: Number(r.firms),
            sums: Object.fromEntries(ids.map((id, i) => [id, Number(r[`s${i}`])])),
          },
        ]),
      ),
      next: end?.code ?? null,
    }
  }

  /** The register or the figures changed, in the transaction `tx` that changes them (see registry_stamp). */
  private bumpRegistry(tx: Tx): void {
    tx.run(
      sql`INSERT INTO registry_stamp (id, stamp) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET stamp = stamp + 1`,
    )
  }

  /** How many times the register or the figures have changed (0 before the first change). */
  registryStamp(): number {
    const row = this.statement(
      'registryStamp',
      () => 'SELECT stamp FROM registry_stamp WHERE id = 1',
    ).get() as { stamp: number } | undefined
    return row?.stamp ?? 0
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
        createdAt: this.now(),
        createdBy: v.by,
        note: v.note,
      })
      .returning({ id: rulebookVersions.id })
      .get()
    this.audit(tx, v.by, 'rulebook.version.create', `rulebook/${row.id}`, {
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
        at: this.now(),
        by,
        note,
        effectiveOn: options.effectiveOn ?? null,
        correction: options.correction ?? null,
      })
      .returning({ id: rulebookActivations.id })
      .get()
    this.audit(
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
    const rows = this.db.$client
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
    const row = this.db
      .select()
      .from(rulebookActivations)
      .where(eq(rulebookActivations.id, id))
      .get()
    if (!row) throw new NotFoundError(`rulebook activation ${id}`)
    return row
  }

  listRulebookVersions() {
    const head = this.rulesHead()
    return this.db
      .select({
        id: rulebookVersions.id,
        hash: rulebookVersions.hash,
        createdAt: rulebookVersions.createdAt,
        createdBy: rulebookVersions.createdBy,
        note: rulebookVersions.note,
      })
      .from(rulebookVersions)
      .orderBy(desc(rulebookVersions.id))
      .all()
      .map((v) => ({ ...v, active: v.id === head?.versionId }))
  }

  getRulebookVersion(id: number) {
    const row = this.db.select().from(rulebookVersions).where(eq(rulebookVersions.id, id)).get()
    if (!row) throw new NotFoundError(`rulebook version ${id}`)
    return row
  }

  // ---------------------------------------------------------------- tokens
  /** Stores a new token for a role and returns it with its id; only its sha256 is stored. */
  createToken(
    role: Role,
    scope: string,
    label: string,
    options: { by?: string; expiresAt?: string | null; token?: string } = {},
  ): { id: number; token: string } {
    const token = options.token ?? `mj_${randomBytes(24).toString('base64url')}`
    const by = options.by ?? 'system'
    const id = this.write((tx) => {
      const row = tx
        .insert(apiTokens)
        .values({
          tokenHash: hashToken(token),
          role,
          scope,
          label,
          createdAt: this.now(),
          createdBy: by,
          expiresAt: options.expiresAt ?? null,
        })
        .returning({ id: apiTokens.id })
        .get()
      this.audit(tx, by, 'token.create', `token/${row.id}`, {
        role,
        scope,
        label,
        expiresAt: options.expiresAt ?? null,
      })
      return row.id
    })
    return { id, token }
  }

  /** Every token's record (never the token), or the one with `id`. */
  listTokens(id?: number) {
    return this.db
      .select({
        id: apiTokens.id,
        role: apiTokens.role,
        scope: apiTokens.scope,
        label: apiTokens.label,
        createdAt: apiTokens.createdAt,
        createdBy: apiTokens.createdBy,
        expiresAt: apiTokens.expiresAt,
        revokedAt: apiTokens.revokedAt,
        revokedBy: apiTokens.revokedBy,
      })
      .from(apiTokens)
      .where(id === undefined ? undefined : eq(apiTokens.id, id))
      .orderBy(asc(apiTokens.id))
      .all()
  }

  /** Revokes a token; every process refuses it on its next request (see sync). */
  revokeToken(id: number, by: string) {
    return this.write((tx) => {
      const row = tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get()
      if (!row) throw new NotFoundError(`token ${id}`)
      if (row.revokedAt)
        throw new ConflictError(`token ${id} was already revoked at ${row.revokedAt}`)
      const at = this.now()
      tx.update(apiTokens).set({ revokedAt: at, revokedBy: by }).where(eq(apiTokens.id, id)).run()
      this.audit(tx, by, 'token.revoke', `token/${id}`, { label: row.label, role: row.role }, at)
      return { id, revokedAt: at }
    })
  }

  /** The live token with this sha256, if any (not revoked; expiry is the caller's to check against its clock). */
  tokenByHash(hash: string) {
    const row = this.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).get()
    // The index finds the row by hash; compare in constant time anyway so no timing depends on the token.
    const ok = row && timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))
    return ok && !row.revokedAt ? row : undefined
  }

  // ---------------------------------------------------------------- enterprises and figures
  /** One enterprise by credit code (a prepared statement: tier and quote lookups read it on every cache miss). */
  getEnterprise(code: string): Readonly<EnterpriseRow & { etag: string }> {
    // A raw statement: every quote and tier miss reads one row, and the query builder's row mapping costs more
    // than the lookup.
    const row = this.statement(
      'enterprise',
      () => `${ENTERPRISE_SELECT} WHERE credit_code = ?`,
    ).get(code) as EnterpriseRow | undefined
    if (!row) throw new NotFoundError(`enterprise ${code}`)
    return enterpriseView(row)
  }

  /** The stored enterprises among `codes` (one statement for any number: a billing run reads them in bulk). */
  enterprisesByCodes(codes: string[]): Readonly<EnterpriseRow & { etag: string }>[] {
    const rows = this.statement(
      'enterprises',
      () => `${ENTERPRISE_SELECT} WHERE credit_code IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(codes)) as EnterpriseRow[]
    return rows.map(enterpriseView)
  }

  listEnterprises(filter: { county?: string; limit: number; offset: number }) {
    const where = filter.county ? eq(enterprises.county, filter.county) : undefined
    const total = this.db
      .select({ n: sql<number>`count(*)` })
      .from(enterprises)
      .where(where)
      .get()!.n
    const rows = this.db
      .select()
      .from(enterprises)
      .where(where)
      .orderBy(asc(enterprises.creditCode))
      .limit(filter.limit)
      .offset(filter.offset)
      .all()
    return { total, rows }
  }

  createEnterprise(e: Omit<EnterpriseRow, 'version' | 'updatedAt' | 'updatedBy'>, actor: string) {
    return this.write((tx) => {
      this.bumpRegistry(tx)
      const exists = tx
        .select({ c: enterprises.creditCode })
        .from(enterprises)
        .where(eq(enterprises.creditCode, e.creditCode))
        .get()
      if (exists) throw new ConflictError(`enterprise ${e.creditCode} already exists`)
      const at = this.now()
      tx.insert(enterprises)
        .values({ ...e, version: 1, updatedAt: at, updatedBy: actor })
        .run()
      this.audit(tx, actor, 'enterprise.create', `enterprise/${e.creditCode}`, e)
      return { ...e, version: 1, updatedAt: at, updatedBy: actor, etag: etagOf('e', 1) }
    })
  }

  /** Replaces an enterprise's identity fields; `ifMatch` must be its current ETag. */
  updateEnterprise(
    code: string,
    patch: { name: string; county: string; industryCode: string },
    ifMatch: string | undefined,
    actor: string,
  ) {
    return this.write((tx) => {
      this.bumpRegistry(tx)
      const row = tx.select().from(enterprises).where(eq(enterprises.creditCode, code)).get()
      if (!row) throw new NotFoundError(`enterprise ${code}`)
      checkIfMatch(ifMatch, etagOf('e', row.version))
      const at = this.now()
      tx.update(enterprises)
        .set({ ...patch, version: row.version + 1, updatedAt: at, updatedBy: actor })
        .where(eq(enterprises.creditCode, code))
        .run()
      this.audit(tx, actor, 'enterprise.update', `enterprise/${code}`, {
        before: { name: row.name, county: row.county, industryCode: row.industryCode },
        after: patch,
      })
      return {
        ...row,
        ...patch,
        version: row.version + 1,
        updatedAt: at,
        updatedBy: actor,
        etag: etagOf('e', row.version + 1),
      }
    })
  }

  getFigures(code: string, year: number) {
    const row = this.db
      .select()
      .from(figures)
      .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
      .get()
    if (!row) throw new NotFoundError(`figures of ${code} for ${year}`)
    return { ...row, etag: etagOf('f', row.version) }
  }

  /**
   * A firm's figures of its latest year, if it has any. Figures are keyed year first, so this walks the stored years
   * down (one index seek each, a handful of years) rather than scanning a city's figures for one credit code.
   */
  latestFigures(
    code: string,
  ): { year: number; data: Record<string, number | boolean | string> } | undefined {
    const below = this.statement(
      'latest-figures-year',
      () => 'SELECT max(year) FROM figures WHERE year < ?',
    ).pluck()
    const of = this.statement(
      'latest-figures-of',
      () => 'SELECT data FROM figures WHERE year = ? AND credit_code = ?',
    ).pluck()
    for (let year = below.get(Number.MAX_SAFE_INTEGER) as number | null; year !== null; ) {
      const data = of.get(year, code) as string | undefined
      if (data !== undefined) return { year, data: JSON.parse(data) }
      year = below.get(year) as number | null
    }
    return undefined
  }

  /**
   * Who entered a version of a firm's figures of a year, and when: the version in force, or a replaced one (kept in
   * figure_versions). Undefined when no such version was stored.
   */
  figuresEntry(
    code: string,
    year: number,
    version: number,
  ): { version: number; updatedAt: string; updatedBy: string } | undefined {
    const pick = {
      version: figures.version,
      updatedAt: figures.updatedAt,
      updatedBy: figures.updatedBy,
    }
    const current = this.db
      .select(pick)
      .from(figures)
      .where(
        and(eq(figures.creditCode, code), eq(figures.year, year), eq(figures.version, version)),
      )
      .get()
    if (current) return current
    return this.db
      .select({
        version: figureVersions.version,
        updatedAt: figureVersions.updatedAt,
        updatedBy: figureVersions.updatedBy,
      })
      .from(figureVersions)
      .where(
        and(
          eq(figureVersions.creditCode, code),
          eq(figureVersions.year, year),
          eq(figureVersions.version, version),
        ),
      )
      .get()
  }

  /** Creates or replaces one year's figures (checked by the caller). Replacing needs the current ETag in `ifMatch`. */
  putFigures(
    code: string,
    year: number,
    data: Record<string, number | boolean | string>,
    ifMatch: string | undefined,
    actor: string,
  ) {
    return this.write((tx) => {
      this.bumpRegistry(tx)
      if (
        !tx
          .select({ c: enterprises.creditCode })
          .from(enterprises)
          .where(eq(enterprises.creditCode, code))
          .get()
      )
        throw new NotFoundError(`enterprise ${code}`)
      const row = tx
        .select()
        .from(figures)
        .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
        .get()
      if (row) checkIfMatch(ifMatch, etagOf('f', row.version))
      const version = (row?.version ?? 0) + 1
      if (row)
        tx.update(figures)
          .set({ data, version, updatedAt: this.now(), updatedBy: actor })
          .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
          .run()
      else
        tx.insert(figures)
          .values({
            creditCode: code,
            year,
            data,
            version,
            updatedAt: this.now(),
            updatedBy: actor,
          })
          .run()
      this.audit(
        tx,
        actor,
        row ? 'figures.replace' : 'figures.create',
        `enterprise/${code}/figures/${year}`,
        { before: row?.data ?? null, after: data },
      )
      return { creditCode: code, year, data, version, etag: etagOf('f', version) }
    })
  }

  /**
   * Imports enterprises and their figures for `year` (checked by the caller) in one transaction: all rows or none.
   * Existing enterprises have their identity and that year's figures replaced where they differ (a new version
   * each; the database keeps the replaced figures in figure_versions, see migration 0011). Raw upserts in credit-code order: a million rows cost
   * a few statements each, no reads from JavaScript.
   */
  importEnterprises(
    rows: Enterprise[],
    year: number,
    actor: string,
    onProgress?: (done: number, total: number) => void,
  ): { created: number; updated: number } {
    return this.write((tx) => {
      this.bumpRegistry(tx)
      const c = this.db.$client
      // One upsert a firm, no RETURNING: an identity that is unchanged is left as it is (version included), and the
      // firms created are counted from the table before and after.
      const upsertEnterprise = c.prepare(
        `INSERT INTO enterprises (credit_code, name, county, industry_code, version, updated_at, updated_by)
         VALUES (?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, county = excluded.county,
           industry_code = excluded.industry_code, version = enterprises.version + 1,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by
         WHERE enterprises.name IS NOT excluded.name OR enterprises.county IS NOT excluded.county
            OR enterprises.industry_code IS NOT excluded.industry_code`,
      )
      const countEnterprises = c.prepare('SELECT count(*) FROM enterprises').pluck()
      const before = countEnterprises.get() as number
      // Unchanged identities and figures keep their version: importing the same file twice changes nothing.
      const upsertFigures = c.prepare(
        `INSERT INTO figures (credit_code, year, data, version, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?)
         ON CONFLICT (credit_code, year) DO UPDATE SET data = excluded.data, version = figures.version + 1,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by
         WHERE figures.data IS NOT excluded.data`,
      )
      const at = this.now()
      let done = 0
      // In credit-code order: each B-tree insert appends, and a year's figures lie in the order they are read.
      // Sorted as strings without a comparator (native comparison, no callback per pair: a second faster at a
      // million), each code followed by NUL and its row index.
      const order = rows.map((r, i) => `${r.creditCode}\u0000${i}`)
      order.sort()
      for (const key of order) {
        const r = rows[Number(key.slice(key.lastIndexOf('\u0000') + 1))]
        let data = '{'
        for (const k in r.figures) {
          const v = r.figures[k]
          if (v !== undefined)
            data += `${data.length > 1 ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(v)}`
        }
        data += '}'
        upsertEnterprise.run(r.creditCode, r.name, r.county, r.industryCode, at, actor)
        upsertFigures.run(r.creditCode, year, data, at, actor)
        done++
        if (onProgress && (done % 10_000 === 0 || done === rows.length))
          onProgress(done, rows.length)
      }
      const created = (countEnterprises.get() as number) - before
      const updated = rows.length - created
      this.audit(
        tx,
        actor,
        'enterprises.import',
        `figures/${year}`,
        { rows: rows.length, created, updated },
        at,
      )
      return { created, updated }
    })
  }

  /**
   * The population with figures for `year` (of one county when given), as the core consumes it, each with the
   * version of its figures. A raw statement: at a million rows, the query builder's row mapping costs seconds.
   */
  population(year: number, county?: string): Enterprise[] {
    const stmt = this.db.$client
      .prepare(
        `SELECT e.credit_code, e.name, e.county, e.industry_code, f.data, f.version
           FROM figures f JOIN enterprises e ON e.credit_code = f.credit_code
          WHERE f.year = ?${county ? ' AND e.county = ?' : ''} ORDER BY f.credit_code`,
      )
      .raw()
    const out: Enterprise[] = []
    // A few dozen distinct counties and industry codes: one string each, not one per firm.
    const strings = new Map<string, string>()
    const intern = (s: string) => {
      const seen = strings.get(s)
      if (seen !== undefined) return seen
      strings.set(s, s)
      return s
    }
    for (const r of stmt.iterate(...(county ? [year, county] : [year])) as Iterable<
      [string, string, string, string, string, number]
    >)
      out.push({
        creditCode: r[0],
        name: r[1],
        county: intern(r[2]),
        industryCode: intern(r[3]),
        figures: JSON.parse(r[4]),
        figuresVersion: r[5],
      })
    return out
  }

  /** One year's figures as they were at `version` (the current row, or a replaced one kept in figure_versions). */
  figuresAt(code: string, year: number, version: number): Enterprise['figures'] | undefined {
    const row = this.statement(
      'figuresAt',
      () =>
        `SELECT data FROM figures WHERE credit_code = @code AND year = @year AND version = @version
         UNION ALL
         SELECT data FROM figure_versions WHERE credit_code = @code AND year = @year AND version = @version`,
    )
      .pluck()
      .get({ code, year, version }) as string | undefined
    return row === undefined ? undefined : JSON.parse(row)
  }

  // ---------------------------------------------------------------- evaluations
  /** Stores rating results as a draft run made under the given city version and override revision. */
  insertRun(
    year: number,
    rules: { versionId: number; overrideRevision: number },
    results: RatingResult[],
    peers: PeerFrame,
    actor: string,
    onProgress?: (stored: number, total: number) => void,
  ): { id: number; counts: Record<string, number> } {
    const counts: Record<string, number> = {}
    for (const r of results) counts[r.class ?? r.status] = (counts[r.class ?? r.status] ?? 0) + 1
    return this.write((tx) => {
      const run = tx
        .insert(evaluationRuns)
        .values({
          year,
          rulebookVersionId: rules.versionId,
          overrideRevision: rules.overrideRevision,
          status: 'draft',
          counts,
          createdAt: this.now(),
          createdBy: actor,
        })
        .returning({ id: evaluationRuns.id })
        .get()
      const insert = this.db.$client.prepare(
        `INSERT INTO evaluation_results (run_id, credit_code, county, name, industry_code, sector, figures_version,
           status, group_id, score, rank, group_size, initial_class, class, category, points)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      // One scratch buffer for every row's points: the blob is copied when bound.
      let scratch = Buffer.alloc(8 * 16)
      for (let i = 0; i < results.length; i++) {
        const r = results[i]
        const p = r.points()
        if (scratch.length < 8 * p.length) scratch = Buffer.alloc(8 * p.length)
        for (let k = 0; k < p.length; k++) scratch.writeDoubleLE(p[k], 8 * k)
        insert.run(
          run.id,
          r.creditCode,
          r.county,
          r.name,
          r.industryCode,
          r.sector,
          r.enterprise.figuresVersion ?? null,
          r.status,
          r.group,
          r.score,
          r.rank,
          r.groupSize,
          r.initialClass,
          r.class,
          r.category ? JSON.stringify(r.category) : null,
          p.length > 0 ? scratch.subarray(0, 8 * p.length) : null,
        )
        if (onProgress && ((i + 1) % 10_000 === 0 || i + 1 === results.length))
          onProgress(i + 1, results.length)
      }
      const peerRows = [
        ...[...peers.stats].map(([key, stat]) => ({ runId: run.id, key, stat, scores: null })),
        ...[...peers.scores].map(([key, best]) => ({
          runId: run.id,
          key,
          stat: null,
          scores: Buffer.from(best.buffer, best.byteOffset, best.byteLength),
        })),
      ]
      for (let i = 0; i < peerRows.length; i += 500)
        tx.insert(evaluationPeers)
          .values(peerRows.slice(i, i + 500))
          .run()
      this.audit(tx, actor, 'evaluation.run', `evaluation/${run.id}`, {
        year,
        rulebookVersionId: rules.versionId,
        overrideRevision: rules.overrideRevision,
        counts,
      })
      return { id: run.id, counts }
    })
  }

  /**
   * Puts a draft run to public notice (公示) for `days` calendar days from `today`: firms see their provisional
   * result and may object. One run of a year is in notice at a time.
   */
  notice(runId: number, today: string, days: number, actor: string) {
    return this.write((tx) => {
      const run = runOf(tx, runId)
      if (run.status !== 'draft')
        throw new ConflictError(`evaluation ${runId} is ${run.status}; only a draft goes to notice`)
      const other = runOfYear(tx, run.year, 'notice')
      if (other)
        throw new ConflictError(
          `evaluation ${other.id} of ${run.year} is already in notice; publish it or make a new run after it`,
        )
      const noticeTo = addDays(today, days - 1)
      tx.update(evaluationRuns)
        .set({ status: 'notice', noticeFrom: today, noticeTo, noticedBy: actor })
        .where(eq(evaluationRuns.id, runId))
        .run()
      this.audit(tx, actor, 'evaluation.notice', `evaluation/${runId}`, {
        year: run.year,
        noticeFrom: today,
        noticeTo,
      })
      return { id: runId, year: run.year, noticeFrom: today, noticeTo }
    })
  }

  /** An enterprise's objection to its provisional result, filed within the notice period. */
  fileObjection(
    runId: number,
    o: { creditCode: string; reason: string; evidence: string },
    today: string,
    actor: string,
  ) {
    return this.write((tx) => {
      const run = runOf(tx, runId)
      if (run.status !== 'notice' || today < run.noticeFrom! || today > run.noticeTo!)
        throw new ConflictError(
          run.status === 'notice'
            ? `the notice of evaluation ${runId} runs ${run.noticeFrom} to ${run.noticeTo}; today is ${today}`
            : `evaluation ${runId} is ${run.status}; objections are filed during its notice`,
        )
      const result = tx
        .select({ class: evaluationResults.class })
        .from(evaluationResults)
        .where(
          and(eq(evaluationResults.runId, runId), eq(evaluationResults.creditCode, o.creditCode)),
        )
        .get()
      if (!result) throw new NotFoundError(`a result of ${o.creditCode} in evaluation ${runId}`)
      const open = tx
        .select({ id: objections.id })
        .from(objections)
        .where(
          and(
            eq(objections.runId, runId),
            eq(objections.creditCode, o.creditCode),
            eq(objections.status, 'open'),
          ),
        )
        .get()
      if (open)
        throw new ConflictError(`objection ${open.id} of ${o.creditCode} is still being reviewed`)
      const row = tx
        .insert(objections)
        .values({
          runId,
          creditCode: o.creditCode,
          reason: o.reason,
          evidence: o.evidence,
          filedAt: this.now(),
          filedBy: actor,
          status: 'open',
          classBefore: result.class,
        })
        .returning()
        .get()
      this.audit(tx, actor, 'objection.file', `objection/${row.id}`, {
        runId,
        creditCode: o.creditCode,
        reason: o.reason,
        evidence: o.evidence,
      })
      return row
    })
  }

  /**
   * The bureau's review of an objection (复核): upheld with the class the firm gets (a manual re-grade recorded in
   * the run's result), or rejected; either way with its reason. Only while the run is in notice.
   */
  decideObjection(
    id: number,
    d: { upheld: boolean; class?: string; reason: string },
    actor: string,
  ) {
    return this.write((tx) => {
      const o = tx.select().from(objections).where(eq(objections.id, id)).get()
      if (!o) throw new NotFoundError(`objection ${id}`)
      if (o.status !== 'open')
        throw new ConflictError(`objection ${id} was already ${o.status} on ${o.decidedAt}`)
      const run = runOf(tx, o.runId)
      if (run.status !== 'notice')
        throw new ConflictError(
          `evaluation ${run.id} is ${run.status}; objections are decided before publication`,
        )
      const classAfter = d.upheld ? d.class! : o.classBefore
      if (d.upheld) {
        const where = and(
          eq(evaluationResults.runId, o.runId),
          eq(evaluationResults.creditCode, o.creditCode),
        )
        // The objection row records the re-grade (from, to, reason); the result's class column follows it.
        tx.update(evaluationResults).set({ class: classAfter }).where(where).run()
      }
      const decided = tx
        .update(objections)
        .set({
          status: d.upheld ? 'upheld' : 'rejected',
          classAfter,
          decision: d.reason,
          decidedAt: this.now(),
          decidedBy: actor,
        })
        .where(eq(objections.id, id))
        .returning()
        .get()
      this.audit(tx, actor, d.upheld ? 'objection.uphold' : 'objection.reject', `objection/${id}`, {
        runId: o.runId,
        creditCode: o.creditCode,
        classBefore: o.classBefore,
        classAfter,
        reason: d.reason,
      })
      return decided
    })
  }

  listObjections(filter: { runId?: number; creditCode?: string; county?: string } = {}) {
    const rows = this.db
      .select({ o: objections, county: evaluationResults.county })
      .from(objections)
      .innerJoin(
        evaluationResults,
        and(
          eq(evaluationResults.runId, objections.runId),
          eq(evaluationResults.creditCode, objections.creditCode),
        ),
      )
      .where(
        and(
          filter.runId ? eq(objections.runId, filter.runId) : undefined,
          filter.creditCode ? eq(objections.creditCode, filter.creditCode) : undefined,
          filter.county ? eq(evaluationResults.county, filter.county) : undefined,
        ),
      )
      .orderBy(asc(objections.id))
      .all()
    return rows.map((r) => ({ ...r.o, county: r.county }))
  }

  /**
   * Publishes a run atomically: in one transaction the year's previous published run becomes superseded and this
   * one published, so a reader sees either the old run or the new one, never a mix. A run in notice is published
   * once its notice has ended and every objection is decided; its classes bind from Y+1-01-01 or `today`,
   * whichever is later, never before. A draft is published only as the record of a publication made outside
   * mujun (`historic`: its date, before today, and why), audited as such.
   */
  publish(
    runId: number,
    today: string,
    actor: string,
    historic?: { publishedOn: string; correction: Record<string, unknown> & { reason: string } },
  ) {
    return this.write((tx) => {
      const run = runOf(tx, runId)
      let on = today
      if (run.status === 'notice') {
        if (historic)
          throw new ConflictError(
            `evaluation ${runId} is in notice; it is published today or later`,
          )
        if (today <= run.noticeTo!)
          throw new ConflictError(
            `the notice of evaluation ${runId} runs until ${run.noticeTo}; publish from ${addDays(run.noticeTo!, 1)}`,
          )
        const open = tx
          .select({ id: objections.id })
          .from(objections)
          .where(and(eq(objections.runId, runId), eq(objections.status, 'open')))
          .all()
        if (open.length > 0)
          throw new ConflictError(
            `objections ${open.map((o) => o.id).join(', ')} of evaluation ${runId} are not decided yet`,
          )
      } else if (run.status === 'draft') {
        if (!historic)
          throw new ConflictError(
            `evaluation ${runId} is a draft: put it to notice first (POST /v1/evaluations/${runId}/notice), or record a publication made outside mujun with its date and reason`,
          )
        if (!(historic.publishedOn < today))
          throw new MujunError(
            'VALIDATION_FAILED',
            `publishedOn ${historic.publishedOn} must be before today (${today}): only a past publication is recorded this way`,
            { status: 422 },
          )
        on = historic.publishedOn
      } else
        throw new ConflictError(
          `evaluation ${runId} is ${run.status}; it cannot be published again`,
        )
      const bindingFrom = on > `${run.year + 1}-01-01` ? on : `${run.year + 1}-01-01`
      // The run it replaces stays with pricing as superseded: it binds until this one's day (see bindingOn).
      const previous = runOfYear(tx, run.year, 'published')
      if (previous)
        tx.update(evaluationRuns)
          .set({ status: 'superseded' })
          .where(eq(evaluationRuns.id, previous.id))
          .run()
      tx.update(evaluationRuns)
        .set({
          status: 'published',
          publishedAt: this.now(),
          publishedBy: actor,
          bindingFrom,
          correction: historic
            ? { publishedOn: historic.publishedOn, ...historic.correction }
            : null,
        })
        .where(eq(evaluationRuns.id, runId))
        .run()
      this.audit(
        tx,
        actor,
        historic ? 'evaluation.publish.correction' : 'evaluation.publish',
        `evaluation/${runId}`,
        {
          year: run.year,
          supersedes: previous?.id ?? null,
          bindingFrom,
          ...(historic && { recordedPublication: historic }),
        },
      )
      return { id: runId, year: run.year, supersedes: previous?.id ?? null, bindingFrom }
    })
  }

  getRun(id: number) {
    const run = this.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, id)).get()
    if (!run) throw new NotFoundError(`evaluation ${id}`)
    return run
  }

  listRuns() {
    return this.db.select().from(evaluationRuns).orderBy(desc(evaluationRuns.id)).all()
  }

  runResults(
    runId: number,
    filter: { county?: string; class?: string; limit?: number; offset?: number } = {},
  ) {
    const where = and(
      eq(evaluationResults.runId, runId),
      filter.county ? eq(evaluationResults.county, filter.county) : undefined,
      filter.class ? eq(evaluationResults.class, filter.class) : undefined,
    )
    let q = this.db
      .select()
      .from(evaluationResults)
      .where(where)
      .orderBy(asc(evaluationResults.creditCode))
      .$dynamic()
    if (filter.limit !== undefined) q = q.limit(filter.limit).offset(filter.offset ?? 0)
    return q.all()
  }

  /** The peer statistics stored with a run, or undefined for a run made before they were stored. */
  peerFrame(runId: number): PeerFrame | undefined {
    const rows = this.db
      .select()
      .from(evaluationPeers)
      .where(eq(evaluationPeers.runId, runId))
      .all()
    if (rows.length === 0) return undefined
    const frame = emptyFrame()
    for (const r of rows) {
      if (r.scores) {
        // Copied into an aligned buffer: a blob's bytes may start at any offset.
        const best = new Float64Array(r.scores.byteLength / 8)
        new Uint8Array(best.buffer).set(r.scores)
        frame.scores.set(r.key, best)
      } else if (r.stat !== null) frame.stats.set(r.key, r.stat)
    }
    return frame
  }

  /** Today's date in Ningbo (UTC+8, no daylight saving), by this store's clock: notices and publications are dated there. */
  today(): string {
    return ningboDate(this.now())
  }

  /** One enterprise's result in a run, if it has one. */
  runResult(runId: number, code: string) {
    return this.db
      .select()
      .from(evaluationResults)
      .where(and(eq(evaluationResults.runId, runId), eq(evaluationResults.creditCode, code)))
      .get()
  }

  /** The latest evaluation year with a published run, if any. */
  latestPublishedYear(): number | undefined {
    const row = this.db.$client
      .prepare("SELECT max(year) AS y FROM evaluation_runs WHERE status = 'published'")
      .get() as { y: number | null }
    return row.y ?? undefined
  }

  /** The published run of an evaluation year, if any. */
  publishedRun(year: number) {
    return runOfYear(this.db, year, 'published')
  }

  /** The run of an evaluation year in public notice, if any, with its notice dates. */
  noticeRun(year: number) {
    return runOfYear(this.db, year, 'notice')
  }

  /**
   * What pricing needs of one enterprise's results in the runs `runIds`, oldest first: the class (a re-grade on
   * review updates it), the category and the figures as rated (by their version; a legacy row kept its own).
   */
  ratedFacts(code: string, runIds: number[]): RatedFacts[] {
    return this.ratedFactsOf([code], runIds).get(code) ?? []
  }

  /**
   * `ratedFacts` of many enterprises in one statement, by credit code (a billing run reads a chunk of firms at
   * once: one range read costs a tenth of a lookup per firm).
   */
  ratedFactsOf(codes: string[], runIds: number[]): Map<string, RatedFacts[]> {
    const out = new Map<string, RatedFacts[]>()
    if (runIds.length === 0 || codes.length === 0) return out
    const one = codes.length === 1
    const rows = this.statement(
      `ratedFacts|${runIds.length}|${one}`,
      () =>
        `SELECT r.credit_code AS creditCode, r.county, r.class, r.category, r.sector, r.legacy, u.year, u.id AS runId,
                u.binding_from AS bindingFrom, u.published_at AS publishedAt, coalesce(f.data, v.data) AS data
           FROM evaluation_results r
           JOIN evaluation_runs u ON u.id = r.run_id
           LEFT JOIN figures f ON f.credit_code = r.credit_code AND f.year = u.year AND f.version = r.figures_version
           LEFT JOIN figure_versions v
             ON v.credit_code = r.credit_code AND v.year = u.year AND v.version = r.figures_version
          WHERE r.run_id IN (${runIds.map(() => '?').join(',')})
            AND r.credit_code ${one ? '= ?' : 'IN (SELECT value FROM json_each(?))'}`,
    ).all(...runIds, one ? codes[0] : JSON.stringify(codes)) as {
      creditCode: string
      county: string
      class: string | null
      category: string | null
      sector: string
      legacy: string | null
      year: number
      runId: number
      bindingFrom: string | null
      publishedAt: string | null
      data: string | null
    }[]
    // Oldest first, a year's runs in the order they bind (see bindingOn); the publication instant breaks a tie.
    const order = new Map<number, string>()
    for (const row of rows) {
      const legacy = row.legacy
        ? (JSON.parse(row.legacy) as { figures?: RatedFacts['figures'] })
        : null
      order.set(row.runId, `${row.bindingFrom ?? `${row.year + 1}-01-01`}|${row.publishedAt ?? ''}`)
      let list = out.get(row.creditCode)
      if (!list) {
        list = []
        out.set(row.creditCode, list)
      }
      list.push({
        creditCode: row.creditCode,
        county: row.county,
        year: row.year,
        class: row.class,
        category: row.category ? JSON.parse(row.category) : null,
        sector: row.sector,
        figures: (row.data ? JSON.parse(row.data) : legacy?.figures) ?? {},
        runId: row.runId,
        ...(row.bindingFrom && { bindingFrom: row.bindingFrom }),
      })
    }
    const rank = (h: RatedFacts) => order.get(h.runId!) ?? ''
    for (const list of out.values())
      list.sort((a, b) => a.year - b.year || (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
    return out
  }

  /** Every registered credit code, in order (a preview walks the register in chunks). */
  creditCodes(): string[] {
    return this.statement(
      'creditCodes',
      () => 'SELECT credit_code FROM enterprises ORDER BY credit_code',
    )
      .pluck()
      .all() as string[]
  }

  /**
   * The runs pricing reads for evaluation years `years`: every published run and every run a later publication
   * superseded (it still binds until its successor's day), as known at `knownAt` (an ISO instant; default now).
   */
  boundRuns(years: number[], knownAt?: string): number[] {
    if (years.length === 0) return []
    return this.statement(
      `boundRuns|${years.length}|${knownAt !== undefined}`,
      () =>
        `SELECT id FROM evaluation_runs WHERE year IN (${years.map(() => '?').join(',')})
            AND status IN ('published', 'superseded')
            ${knownAt !== undefined ? 'AND published_at <= ?' : ''} ORDER BY id`,
    )
      .pluck()
      .all(...years, ...(knownAt !== undefined ? [knownAt] : [])) as number[]
  }

  // ---------------------------------------------------------------- county overrides (records of their own)
  listOverrideRows(county?: string) {
    return this.db
      .select()
      .from(overrides)
      .where(county ? eq(overrides.county, county) : undefined)
      .orderBy(asc(overrides.id))
      .all()
  }

  overrideRow(id: string, tx: Pick<Tx, 'select'> = this.db) {
    return tx.select().from(overrides).where(eq(overrides.id, id)).get()
  }

  /** Every override's first revision: for one read from a rule file, its reason names that file. */
  firstOverrideRevisions() {
    return this.db
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
    return this.db
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
    const at = this.now()
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
    this.audit(
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

/** Statuses whose overrides take part in the compiled rules (rejected and withdrawn ones are history only). */
export const LIVE_STATUSES: readonly string[] = ['draft', 'submitted', 'approved', 'filed']

/** The name an override's text carries in rule problems and item origins; never a storage path. */
export const overrideFileName = (id: string) => `counties/${id}.yaml`

export const rulebookEtag = (versionId: number, activationId: number) =>
  `"rb${versionId}.${activationId}"`

/** A write that replaces a stored version needs its current ETag: 428 without one, 412 when stale. */
export function checkIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined)
    throw new PreconditionError(
      `this write replaces a stored version: send If-Match: ${current}`,
      428,
    )
  if (ifMatch !== current && ifMatch !== '*')
    throw new PreconditionError(
      `If-Match ${ifMatch} is stale; the current version is ${current}`,
      412,
    )
}

/** A run by id, or 404. */
function runOf(tx: Tx, id: number) {
  const run = tx.select().from(evaluationRuns).where(eq(evaluationRuns.id, id)).get()
  if (!run) throw new NotFoundError(`evaluation ${id}`)
  return run
}

/** The run of `year` in `status` (at most one is in notice and one published), if any. */
function runOfYear(tx: Tx | Db, year: number, status: 'notice' | 'published') {
  return tx
    .select({
      id: evaluationRuns.id,
      noticeFrom: evaluationRuns.noticeFrom,
      noticeTo: evaluationRuns.noticeTo,
    })
    .from(evaluationRuns)
    .where(and(eq(evaluationRuns.year, year), eq(evaluationRuns.status, status)))
    .get()
}
