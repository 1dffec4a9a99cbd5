/**
 * Browser sessions: only the sha256 of a session id is stored, with its token, expiry and last use. Logging in and
 * out is audited; a session's last use is not (it is bookkeeping, written at most once a minute).
 * @module db/session-store
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { BaseStore } from './base-store.ts'
import { hashToken } from './token-store.ts'

export interface SessionRow {
  idHash: string
  tokenId: number
  createdAt: string
  expiresAt: string
  seenAt: string
}

export class SessionStore {
  constructor(private readonly core: BaseStore) {}

  /**
   * A new session of token `tokenId` until `expiresAt`; its id is returned once and never stored. Sessions past
   * their expiry or idle since `idleBefore` are removed in the same transaction, and `replaced` (the browser's
   * previous session, if any) ends.
   */
  create(
    tokenId: number,
    by: string,
    expiresAt: string,
    idleBefore: string,
    replaced?: string,
  ): string {
    const id = randomBytes(32).toString('base64url')
    const at = this.core.now()
    this.core.write((tx) => {
      const old = replaced ? hashToken(replaced) : ''
      tx.run(
        sql`DELETE FROM web_sessions WHERE expires_at <= ${at} OR seen_at <= ${idleBefore} OR id_hash = ${old}`,
      )
      tx.run(
        sql`INSERT INTO web_sessions (id_hash, token_id, created_at, expires_at, seen_at)
            VALUES (${hashToken(id)}, ${tokenId}, ${at}, ${expiresAt}, ${at})`,
      )
      this.core.audit(tx, by, 'session.login', `token/${tokenId}`, { expiresAt }, at)
    })
    return id
  }

  /** The stored session with id `id`, if its token is live (not revoked); expiry is the caller's to check. */
  find(id: string): SessionRow | undefined {
    return this.core
      .statement(
        'session.find',
        () => `SELECT s.id_hash AS idHash, s.token_id AS tokenId, s.created_at AS createdAt,
                      s.expires_at AS expiresAt, s.seen_at AS seenAt
               FROM web_sessions s JOIN api_tokens t ON t.id = s.token_id
               WHERE s.id_hash = ? AND t.revoked_at IS NULL`,
      )
      .get(hashToken(id)) as SessionRow | undefined
  }

  /**
   * Records that the session was used at `at`. Bookkeeping, not data: it moves no revision (no cache is dropped),
   * and when another connection holds the write lock it is skipped rather than waited for.
   */
  touch(idHash: string, at: string): boolean {
    const client = this.core.db.$client
    const wait = client.pragma('busy_timeout', { simple: true }) as number
    client.pragma('busy_timeout = 0')
    try {
      this.core
        .statement('session.touch', () => 'UPDATE web_sessions SET seen_at = ? WHERE id_hash = ?')
        .run(at, idHash)
      return true
    } catch (e) {
      if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e
      return false
    } finally {
      client.pragma(`busy_timeout = ${wait}`)
    }
  }

  /** Ends the session with id `id` (logout), audited; false when there was none. */
  end(id: string, by: string): boolean {
    return this.core.write((tx) => {
      const hash = hashToken(id)
      const row = tx.get<{ tokenId: number } | undefined>(
        sql`SELECT token_id AS tokenId FROM web_sessions WHERE id_hash = ${hash}`,
      )
      if (!row) return false
      tx.run(sql`DELETE FROM web_sessions WHERE id_hash = ${hash}`)
      this.core.audit(tx, by, 'session.logout', `token/${row.tokenId}`, {})
      return true
    })
  }
}
