/**
 * API tokens: created by the bureau (or the command line) for a role and scope, shown once, stored hashed, with
 * an optional expiry; revoked tokens fail on the next request in every process.
 * @module app/tokens
 */
import { z } from 'zod'
import { ROLES } from '../db/schema.ts'
import type { Store } from '../db/store.ts'
import { hashToken } from '../db/token-store.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { MujunError } from '../errors.ts'
import type { Principal, Role } from '../principal.ts'
import { countiesOn } from '../rulebook/schema.ts'
import { actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import type { JobService } from './jobs.ts'
import { scopeRuleOf } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

export const TokenRequest = z.strictObject({
  role: z.enum(ROLES),
  county: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
  creditCode: z.string().optional(),
  /** A department token's department: one of the rulebook's `departments` (the measures it applies). */
  department: z.string().optional(),
  label: z.string().trim().min(1).max(200),
  /** ISO date (the end of that day in Ningbo) or date-time after which the token stops working. */
  expires: z.union([z.iso.date(), z.iso.datetime()]).optional(),
})
export type TokenRequest = z.infer<typeof TokenRequest>

export interface TokenInfo {
  id: number
  role: Role
  scope: string
  label: string
  createdAt: string
  createdBy: string
  expiresAt: string | null
  revokedAt: string | null
  revokedBy: string | null
  status: 'active' | 'expired' | 'revoked'
}

function principalOf(row: ReturnType<Store['tokenById']>): Principal | undefined {
  if (!row) return undefined
  return {
    role: row.role,
    scope: row.scope,
    label: row.label,
    tokenId: row.id,
    expiresAt: row.expiresAt ?? undefined,
  }
}

export class TokenService {
  constructor(
    private readonly store: Store,
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
    /** Told of a revocation: the token's jobs are cancelled (app/jobs). */
    private readonly jobs?: Pick<JobService, 'tokenRevoking' | 'tokenRevoked'>,
  ) {}

  /** The principal a token stands for, if it is known, not revoked and not expired. */
  principal(token: string): Principal | undefined {
    // Keyed by the token itself: a Map lookup costs less than the sha256 of every request. Only hits are kept.
    const p = this.cache.get(`token|${token}`, () =>
      principalOf(this.store.tokenByHash(hashToken(token))),
    )
    return this.live(p)
  }

  /** The principal of the token with row id `id` (a browser session's), if it is not revoked and not expired. */
  principalById(id: number): Principal | undefined {
    return this.live(this.cache.get(`token#${id}`, () => principalOf(this.store.tokenById(id))))
  }

  private live(p: Principal | undefined): Principal | undefined {
    if (!p || (p.expiresAt !== undefined && p.expiresAt <= this.store.now())) return undefined
    return p
  }

  /** Creates a token; the returned `token` is the only time it is shown. */
  create(p: Principal | undefined, req: TokenRequest): TokenInfo & { token: string } {
    const who = authorize(p, 'token.manage')
    const scope = this.scopeOf(req)
    const expiresAt =
      req.expires === undefined
        ? null
        : req.expires.length === 10
          ? new Date(`${req.expires}T23:59:59.999+08:00`).toISOString()
          : new Date(req.expires).toISOString()
    if (expiresAt !== null && expiresAt <= this.store.now())
      throw new MujunError('TOKEN_INVALID', `expiry ${req.expires} is already past`, {
        status: 422,
      })
    const { id, token } = this.store.createToken(req.role, scope, req.label, {
      by: actorOf(who),
      expiresAt,
    })
    return { ...this.info(id), token }
  }

  list(p: Principal | undefined): TokenInfo[] {
    authorize(p, 'token.manage')
    return this.store.listTokens().map((t) => this.withStatus(t))
  }

  async revoke(p: Principal | undefined, id: number): Promise<TokenInfo> {
    const by = actorOf(authorize(p, 'token.manage'))
    // Work it asked for does not outlive it: its running job stops first, and the revocation is written once it has
    // (a running import or evaluation holds the write lock until then); its queued jobs are cancelled once the
    // revocation is committed (app/jobs).
    await this.jobs?.tokenRevoking(id, by)
    const { revokedAt } = this.store.revokeToken(id, by)
    this.jobs?.tokenRevoked(id, by, revokedAt)
    return this.info(id)
  }

  private info(id: number): TokenInfo {
    return this.withStatus(this.store.listTokens(id)[0])
  }

  private withStatus(t: ReturnType<Store['listTokens']>[number]): TokenInfo {
    const status = t.revokedAt
      ? 'revoked'
      : t.expiresAt && t.expiresAt <= this.store.now()
        ? 'expired'
        : 'active'
    return { ...t, status }
  }

  /**
   * A county token needs a county of the rulebook; an enterprise token a registered enterprise; a department token a
   * department of the rulebook; others no scope.
   */
  private scopeOf(req: TokenRequest): string {
    const bad = (m: string) => new MujunError('TOKEN_INVALID', m, { status: 422 })
    if (scopeRuleOf(req.role) === 'department') {
      const departments = this.rulebooks.active().rulebook.meta.departments
      if (!req.department || !departments.some((d) => d.id === req.department))
        throw bad(
          `a department token needs --department, one of ${departments.map((d) => `${d.id} ${d.label}`).join(', ') || '(the rulebook declares no departments)'}`,
        )
      if (req.county || req.creditCode)
        throw bad('a department token takes no county or credit code')
      return req.department
    }
    if (req.department) throw bad(`a ${req.role} token takes no department`)
    if (scopeRuleOf(req.role) === 'county') {
      // A county that exists today: a token for a merged or renamed county could read nothing new.
      const counties = countiesOn(
        this.rulebooks.active().rulebook.meta.counties,
        this.store.today(),
      )
      if (!req.county || !counties.some((c) => c.code === req.county))
        throw bad(
          `a county token needs --county, one of ${counties.map((c) => `${c.code} ${c.name}`).join(', ')}`,
        )
      if (req.creditCode) throw bad('a county token takes no credit code')
      return req.county
    }
    if (scopeRuleOf(req.role) === 'creditCode') {
      if (!req.creditCode) throw bad('an enterprise token needs the enterprise’s credit code')
      const problem = creditCodeProblem(req.creditCode)
      if (problem) throw bad(`credit code ${req.creditCode}: ${problem}`)
      this.store.getEnterprise(req.creditCode)
      if (req.county) throw bad('an enterprise token takes no county')
      return req.creditCode
    }
    if (req.county || req.creditCode) throw bad(`a ${req.role} token has no scope`)
    return ''
  }
}
