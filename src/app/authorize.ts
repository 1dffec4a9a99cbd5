/**
 * Who may do what: the one role check every use case runs, whatever edge (HTTP, page, CLI) called it.
 * @module app/authorize
 */
import { ROLES } from '../db/schema.ts'
import { AuthError } from '../errors.ts'
import type { Principal, Role } from '../principal.ts'

/** Requires one of `roles`; a county or enterprise principal must also match `scope` when one is given. */
export function authorize(
  principal: Principal | undefined,
  roles: readonly Role[],
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

/** Every role (the tokens' ROLES). */
export const EVERY: readonly Role[] = ROLES
/** The city's offices, which read everything city-wide. */
export const CITY: readonly Role[] = ['bureau', 'economy', 'observer']
/** Who keeps the enterprise register and its annual figures: the bureau bills them, the economy office rates them. */
export const REGISTRARS: readonly Role[] = ['bureau', 'economy']

/** How a principal is named in the audit log and in override records: the token's label, role, scope and id. */
export const actorOf = (p: Principal) =>
  p.tokenId === 0
    ? p.label
    : `${p.label} [${p.role}${p.scope ? ` ${p.scope}` : ''}, token #${p.tokenId}]`

/**
 * The command line acts without a token as the office whose duty the command is (the bureau for rules and tokens,
 * the economy-and-IT office for evaluations and the programme); the OS user is recorded.
 */
export function cliPrincipal(user: string, role: Role = 'bureau'): Principal {
  return { role, scope: '', label: `cli:${user}`, tokenId: 0 }
}
