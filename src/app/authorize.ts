/**
 * Who may do what: the one role check every use case runs, whatever edge (HTTP, page, CLI) called it.
 * @module app/authorize
 */
import { AuthError, NotFoundError } from '../errors.ts'
import type { Principal, Role } from '../principal.ts'
import { type Action, allows, ownCounty, rolesFor, scopeRuleOf } from './permissions.ts'

export type { Action } from './permissions.ts'

/**
 * Requires a role the permission table allows `action`; a scoped principal (county, enterprise) must also match
 * the part of `scope` its rule names, when given.
 */
export function authorize(
  principal: Principal | undefined,
  action: Action,
  scope?: { county?: string; creditCode?: string; department?: string },
): Principal {
  if (!principal) throw new AuthError(401, 'a valid Bearer token is required')
  if (!allows(principal.role, action))
    throw new AuthError(
      403,
      `role '${principal.role}' may not do this (allowed: ${rolesFor(action).join(', ')})`,
    )
  const rule = scopeRuleOf(principal.role)
  if (rule === 'county' && scope?.county !== undefined && scope.county !== principal.scope) {
    throw new AuthError(
      403,
      `this county token is scoped to ${principal.scope}, not ${scope.county}`,
    )
  }
  if (
    rule === 'creditCode' &&
    scope?.creditCode !== undefined &&
    scope.creditCode !== principal.scope
  ) {
    throw new AuthError(403, `this enterprise token is scoped to ${principal.scope}`)
  }
  if (
    rule === 'department' &&
    scope?.department !== undefined &&
    scope.department !== principal.scope
  )
    throw new AuthError(
      403,
      `this department token is scoped to ${principal.scope} (its measures and figures), not ${scope.department}`,
    )
  return principal
}

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

/**
 * A county-scoped record `who` may see (a programme project or disposition): a county gets one refusal for another county's record and for none at all, so
 * the answer tells nothing of the other counties' records (their ids are a sequence).
 */
export function ownRecord<R extends { county: string }>(
  who: Principal,
  kind: string,
  id: number,
  read: () => R,
): R {
  const county = ownCounty(who)
  let row: R
  try {
    row = read()
  } catch (e) {
    if (county === undefined || !(e instanceof NotFoundError)) throw e
    throw new AuthError(403, `${kind} ${id} is not one of county ${county}'s records`)
  }
  if (county !== undefined && row.county !== county)
    throw new AuthError(403, `${kind} ${id} is not one of county ${county}'s records`)
  return row
}
