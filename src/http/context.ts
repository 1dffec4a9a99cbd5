/**
 * The app's dependencies and per-request state, and the role checks every route uses.
 * @module http/context
 */

import type { Context } from 'hono'
import type { Services } from '../app/services.ts'
import type { Store } from '../db/store.ts'
import type { Principal } from '../principal.ts'
import type { AuthFailureLimiter } from './auth-limiter.ts'

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
}

export type AppEnv = { Variables: { principal?: Principal } }

export { actorOf, authorize } from '../app/authorize.ts'

type NodeIncoming = {
  headers: Record<string, string | string[] | undefined>
  socket?: { remoteAddress?: string }
}

/** Node's request under @hono/node-server; undefined elsewhere (app.request in tests). */
export const nodeIncoming = (c: Context): NodeIncoming | undefined =>
  (c.env as { incoming?: NodeIncoming } | undefined)?.incoming

/**
 * A request header. Under @hono/node-server it is read straight from Node's parsed headers, skipping the web
 * Headers layer (a name check and value normalisation per lookup) on routes that answer in microseconds.
 * Elsewhere (app.request in tests) from the Request.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = nodeIncoming(c)
  if (!incoming) return c.req.header(name)
  const v = incoming.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** The client's address as the socket reports it ('local' for app.request in tests). */
export function clientOf(c: Context): string {
  return nodeIncoming(c)?.socket?.remoteAddress ?? 'local'
}

/** The client asked for a long job to be answered at once with the job (RFC 7240 `Prefer: respond-async`). */
export function prefersAsync(c: Context): boolean {
  return /\brespond-async\b/i.test(headerOf(c, 'prefer') ?? '')
}
