/**
 * API tokens: only their sha256 is stored; creating and revoking one is audited.
 * @module db/token-store
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { asc, eq, sql } from 'drizzle-orm'
import { ConflictError, NotFoundError } from '../errors.ts'
import type { Role } from '../principal.ts'
import type { BaseStore } from './base-store.ts'
import { apiTokens } from './schema.ts'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export class TokenStore {
  constructor(private readonly core: BaseStore) {}

  /** Stores a new token for a role and returns it with its id; only its sha256 is stored. */
  createToken(
    role: Role,
    scope: string,
    label: string,
    options: { by?: string; expiresAt?: string | null; token?: string } = {},
  ): { id: number; token: string } {
    const token = options.token ?? `mj_${randomBytes(24).toString('base64url')}`
    const by = options.by ?? 'system'
    const id = this.core.write((tx) => {
      const row = tx
        .insert(apiTokens)
        .values({
          tokenHash: hashToken(token),
          role,
          scope,
          label,
          createdAt: this.core.now(),
          createdBy: by,
          expiresAt: options.expiresAt ?? null,
        })
        .returning({ id: apiTokens.id })
        .get()
      this.core.audit(tx, by, 'token.create', `token/${row.id}`, {
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
    return this.core.db
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
    return this.core.write((tx) => {
      const row = tx.select().from(apiTokens).where(eq(apiTokens.id, id)).get()
      if (!row) throw new NotFoundError(`token ${id}`)
      if (row.revokedAt)
        throw new ConflictError(`token ${id} was already revoked at ${row.revokedAt}`)
      const at = this.core.now()
      tx.update(apiTokens).set({ revokedAt: at, revokedBy: by }).where(eq(apiTokens.id, id)).run()
      // Its browser sessions end with it (a session is also refused once its token is revoked).
      const ended = tx.run(sql`DELETE FROM web_sessions WHERE token_id = ${id}`).changes
      this.core.audit(
        tx,
        by,
        'token.revoke',
        `token/${id}`,
        { label: row.label, role: row.role, sessionsEnded: ended },
        at,
      )
      return { id, revokedAt: at }
    })
  }

  /** The live token (not revoked) with row id `id`: what a browser session stands for. */
  tokenById(id: number) {
    const row = this.core.db.select().from(apiTokens).where(eq(apiTokens.id, id)).get()
    return row && !row.revokedAt ? row : undefined
  }

  /** The live token with this sha256, if any (not revoked; expiry is the caller's to check against its clock). */
  tokenByHash(hash: string) {
    const row = this.core.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hash)).get()
    // The index finds the row by hash; compare in constant time anyway so no timing depends on the token.
    const ok = row && timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(hash, 'hex'))
    return ok && !row.revokedAt ? row : undefined
  }
}
