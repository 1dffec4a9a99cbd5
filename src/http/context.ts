/**
 * The app's dependencies and per-request state, and the role checks every route uses.
 * @module http/context
 */

import type { Context } from 'hono'
import type { Services } from '../app/services.ts'
import type { Store } from '../db/store.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { headerOf } from '../edge-shared/request.ts'
import type { Principal } from '../principal.ts'

export { clientOf, headerOf, nodeIncoming } from '../edge-shared/request.ts'

export interface AppDeps {
  store: Store
  /** The use cases over `store` (built by createApp when not given). */
  services?: Services
  /** Largest request body, bytes. */
  maxBodyBytes?: number
  /** Largest CSV import body, bytes: only a bureau token may send one this large. */
  maxImportBytes?: number
  log?: (msg: string) => void
  /** Failed-authentication counts per client (shared by the API and the login page). */
  authLimiter?: AuthFailureLimiter
  /** Mark the pages' session cookie Secure on every request (behind a TLS proxy); over TLS it always is. */
  cookieSecure?: boolean
}

import type { Job } from '../app/jobs.ts'

export type AppEnv = { Variables: { principal?: Principal } }

export { actorOf, authorize } from '../app/authorize.ts'

/** The client asked for a long job to be answered at once with the job (RFC 7240 `Prefer: respond-async`). */
export function prefersAsync(c: Context): boolean {
  return /\brespond-async\b/i.test(headerOf(c, 'prefer') ?? '')
}

/**
 * A long job's answer: with `Prefer: respond-async`, 202 at once with the job and where to poll it; otherwise the
 * job's result once it is done, with `status`.
 */
export async function answerJob<T, S extends 200 | 201>(
  c: Context,
  started: { job: Job; done: Promise<unknown> },
  status: S,
) {
  if (prefersAsync(c)) {
    c.header('Location', `/v1/jobs/${started.job.id}`)
    return c.json(started.job, 202)
  }
  return c.json((await started.done) as T, status)
}
