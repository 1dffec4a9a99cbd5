/**
 * The app's dependencies and per-request state, and the role checks every route uses.
 * @module http/context
 */

import type { Context } from 'hono'
import type { Principal, Role, Store } from '../db/store.ts'
import { AuthError } from '../errors.ts'

export interface AppDeps {
  store: Store
  /** Largest request body, bytes. */
  maxBodyBytes?: number
  log?: (msg: string) => void
}

export type AppEnv = { Variables: { principal?: Principal } }

/** Requires one of `roles`; a county or enterprise principal must also match `scope` when one is given. */
export function authorize(
  principal: Principal | undefined,
  roles: Role[],
  scope?: { county?: string; creditCode?: string },
): Principal {
  if (!principal) throw new AuthError(401, 'a valid Bearer token is required')
  if (!roles.includes(principal.role))
    throw new AuthError(
      403,
      `role '${principal.role}' may not do this (allowed: ${roles.join(', ')})`,
    )
  if (
    principal.role === 'county' &&
    scope?.county !== undefined &&
    scope.county !== principal.scope
  ) {
    throw new AuthError(
      403,
      `this county token is scoped to ${principal.scope}, not ${scope.county}`,
    )
  }
  if (
    principal.role === 'enterprise' &&
    scope?.creditCode !== undefined &&
    scope.creditCode !== principal.scope
  ) {
    throw new AuthError(403, `this enterprise token is scoped to ${principal.scope}`)
  }
  return principal
}

export const actorOf = (p: Principal) => `${p.role}:${p.scope || p.label}`

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
