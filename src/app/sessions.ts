/**
 * Browser sessions: the login page exchanges a valid API token for a session whose random id is all the cookie
 * holds. A session ends after SESSION_HOURS, after IDLE_MINUTES unused, at logout, or when its token is revoked or
 * expires; it is never accepted as a bearer token. Each session has its CSRF token, derived from its id.
 * @module app/sessions
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { Store } from '../db/store.ts'
import type { Principal } from '../principal.ts'
import { actorOf } from './authorize.ts'
import type { TokenService } from './tokens.ts'

/** A session's longest life, whatever its use. */
export const SESSION_HOURS = 12
/** A session unused this long has ended. */
export const IDLE_MINUTES = 30
/** Its last use is written at most this often (a write per page view would cost an fsync each). */
const TOUCH_SECONDS = 60

/** A live session: who it stands for and the CSRF token its forms carry. */
export interface Session {
  principal: Principal
  csrf: string
}

const minus = (iso: string, ms: number) => new Date(Date.parse(iso) - ms).toISOString()

/** Sessions whose last use this process remembers (beyond that, the stored time alone counts). */
const SEEN_KEPT = 10_000

export class SessionService {
  /**
   * The last use of sessions seen here whose stored time could not be written (a job held the write lock), by id
   * hash: a long import must not end the sessions in use meanwhile as idle.
   */
  private readonly seen = new Map<string, string>()

  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
  ) {}

  /**
   * A new session for `token`, ending the browser's previous one (`replaced`) if any; undefined when the token is
   * unknown, revoked or expired. A token expiring sooner than SESSION_HOURS ends its session then.
   */
  login(token: string, replaced?: string): { id: string; session: Session } | undefined {
    const principal = this.tokens.principal(token)
    if (!principal) return undefined
    const now = this.store.now()
    let expiresAt = minus(now, -SESSION_HOURS * 3600_000)
    if (principal.expiresAt !== undefined && principal.expiresAt < expiresAt)
      expiresAt = principal.expiresAt
    const id = this.store.sessions.create(
      principal.tokenId,
      actorOf(principal),
      expiresAt,
      minus(now, IDLE_MINUTES * 60_000),
      replaced,
    )
    return { id, session: { principal, csrf: csrfOf(id) } }
  }

  /** The live session with id `id`, its use recorded; undefined when it has ended or never existed. */
  resume(id: string | undefined): Session | undefined {
    if (!id || id.length > 128) return undefined
    const row = this.store.sessions.find(id)
    if (!row) return undefined
    const now = this.store.now()
    const remembered = this.seen.get(row.idHash)
    const seenAt = remembered !== undefined && remembered > row.seenAt ? remembered : row.seenAt
    if (row.expiresAt <= now || seenAt <= minus(now, IDLE_MINUTES * 60_000)) return undefined
    const principal = this.tokens.principalById(row.tokenId)
    if (!principal) return undefined
    if (seenAt <= minus(now, TOUCH_SECONDS * 1000)) {
      // Remembered here only while the stored time cannot be written: the stored time is the one that counts.
      if (this.store.sessions.touch(row.idHash, now)) this.seen.delete(row.idHash)
      else {
        if (this.seen.size >= SEEN_KEPT) this.seen.clear()
        this.seen.set(row.idHash, now)
      }
    }
    return { principal, csrf: csrfOf(id) }
  }

  /** Ends the session with id `id` on the server (audited); false when it had already ended. */
  logout(id: string | undefined): boolean {
    const session = this.resume(id)
    if (!id || !session) return false
    return this.store.sessions.end(id, actorOf(session.principal))
  }

  /** Whether `given` is the CSRF token of `session`, compared in constant time. */
  csrfMatches(session: Session, given: unknown): boolean {
    if (typeof given !== 'string') return false
    const a = Buffer.from(session.csrf)
    const b = Buffer.from(given)
    return a.length === b.length && timingSafeEqual(a, b)
  }
}

/** A session's CSRF token: a hash of its id under a label of its own, so neither reveals the other. */
function csrfOf(id: string): string {
  return createHash('sha256').update(`mujun csrf\0${id}`).digest('base64url')
}
