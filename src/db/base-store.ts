/**
 * The connection, the revision, transactions and the audit log: what every aggregate store (db/token-store,
 * db/rule-store, db/enterprise-store, db/evaluation-store, db/programme-store) writes through. Named queries only:
 * no caches, no authorization, no rule logic (those are the use cases' in app/). Every change runs in one IMMEDIATE
 * transaction and writes its audit entry in the same transaction; `revision` tells the use cases' cache when
 * anything changed, here or in another process.
 * @module db/base-store
 */

import type { Statement } from 'better-sqlite3'
import { and, desc, gte, like, lte, sql } from 'drizzle-orm'
import { ningboDate } from '../dates.ts'
import { MujunError, PreconditionError } from '../errors.ts'
import { chainHash } from './audit-chain.ts'
import type { Db } from './client.ts'
import { auditLog } from './schema.ts'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export const etagOf = (kind: string, version: number) => `"${kind}${version}"`

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

export class BaseStore {
  private dataVersionStmt?: { get(): unknown }
  private seenDataVersion: unknown = undefined
  private seenDay = ''
  /**
   * Counts the changes this process knows of: its own writes and every commit by another connection noticed by
   * `sync()`. Derived answers are kept per revision (app/cache).
   */
  revision = 0
  /**
   * The revision of what the use cases' cache holds (tiers, histories, enterprises, tokens): moved by every change
   * but the writes that declare they change none of it (a county's draft), so a county drafting all day does not
   * make every tier lookup read SQLite again.
   */
  cachedRevision = 0
  private syncedThisTurn = false
  private readonly clearTurn = () => {
    this.syncedThisTurn = false
  }

  constructor(
    readonly db: Db,
    readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /**
   * A raw statement of a hot read, prepared once per shape (preparing costs more than running it); for the
   * aggregate stores.
   */
  private readonly statements = new Map<string, Statement>()
  statement(key: string, sql: () => string): Statement {
    let stmt = this.statements.get(key)
    if (!stmt) {
      stmt = this.db.$client.prepare(sql())
      this.statements.set(key, stmt)
    }
    return stmt
  }

  /**
   * Runs a write transaction, then moves the revision so cached answers derived from the data are dropped. IMMEDIATE:
   * the write lock is taken before the first read, so every check inside sees what another process committed and
   * no other process can commit between the check and the write.
   */
  write<T>(fn: (tx: Tx) => T, options: { changesCached?: boolean } = {}): T {
    try {
      return this.db.transaction(fn, { behavior: 'immediate' })
    } catch (e) {
      // Another connection (a job's import or run) holds the write lock past the busy timeout: the request is
      // answered at once, to be retried, rather than waiting on the request thread (every request would wait).
      if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY'))
        throw new MujunError(
          'WRITER_BUSY',
          'the database is being written by a running job (an import or an evaluation); nothing was changed: try again shortly',
          { status: 503, headers: { 'Retry-After': '2' }, cause: e },
        )
      throw e
    } finally {
      this.changed(options.changesCached ?? true)
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

  /** A write happened: every answer derived before it is stale (but the cached ones, when it says so). */
  changed(changesCached = true): void {
    this.revision++
    if (changesCached) this.cachedRevision++
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
    /** Leaves out the entries of county overrides never submitted (drafts, and drafts withdrawn). */
    withoutDrafts?: boolean
  }) {
    const where = and(
      filter.subject ? like(auditLog.subject, `${filter.subject}%`) : undefined,
      filter.from ? gte(auditLog.at, filter.from) : undefined,
      filter.to ? lte(auditLog.at, `${filter.to}\uffff`) : undefined,
      // In the query, so a page of entries is still a full page.
      filter.withoutDrafts
        ? sql`${auditLog.subject} NOT IN (SELECT 'override/' || o.id FROM overrides o WHERE NOT EXISTS (
            SELECT 1 FROM override_revisions r WHERE r.override_id = o.id
            AND r.to_status IN ('submitted', 'approved', 'filed', 'rejected')))`
        : undefined,
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

  /** The newest audit entry's id: any write moves it (a preview names the state it was computed on by it). */
  auditHead(tx: Pick<Db, 'get'> = this.db): number {
    return tx.get<{ id: number | null }>(sql`select max(id) as id from audit_log`)?.id ?? 0
  }

  /**
   * The audit entries after `afterId` up to `uptoId` whose action is one of `actions`, oldest first (the change
   * feed's acts); and the instant of entry `id` (undefined when there is none).
   */
  auditBetween(afterId: number, uptoId: number, actions: readonly string[]) {
    return this.db.$client
      .prepare(
        `SELECT id, at, action, subject, detail FROM audit_log WHERE id > ? AND id <= ?
           AND action IN (${actions.map(() => '?').join(',')}) ORDER BY id`,
      )
      .all(afterId, uptoId, ...actions) as {
      id: number
      at: string
      action: string
      subject: string
      detail: string
    }[]
  }

  /** The ids, actions and details of the first `limit` audit entries after `afterId`, oldest first. */
  auditActionsAfter(
    afterId: number,
    limit: number,
  ): { id: number; action: string; detail: string }[] {
    return this.statement(
      'audit|actions-after',
      () => 'SELECT id, action, detail FROM audit_log WHERE id > ? ORDER BY id LIMIT ?',
    ).all(afterId, limit) as { id: number; action: string; detail: string }[]
  }

  auditInstant(id: number): string | undefined {
    return this.db.$client.prepare('SELECT at FROM audit_log WHERE id = ?').pluck().get(id) as
      | string
      | undefined
  }

  /** Today's date in Ningbo (UTC+8, no daylight saving), by this store's clock: notices and publications are dated there. */
  today(): string {
    return ningboDate(this.now())
  }
}
