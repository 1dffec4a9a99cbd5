/**
 * The hottest route, GET /v1/enterprises/{creditCode}/tier: its documented contract and its one answer, shared by
 * the hono route (routes/pricing.ts) and the server's direct path for it (http/direct-paths.ts).
 * @module http/routes/tier
 */
import { createRoute, z } from '@hono/zod-openapi'
import { KnownAt } from '../../app/requests.ts'
import type { Services } from '../../app/services.ts'
import type { Principal } from '../../principal.ts'
import { reply, TierSchema } from '../responses.ts'
import { CreditCode, contractOf, IsoDate } from '../schemas.ts'

export const TierParams = z.object({ creditCode: CreditCode })
export const TierQuery = z.object({ date: IsoDate.optional(), knownAt: KnownAt.optional() })

export const tierRoute = createRoute({
  method: 'get',
  path: '/v1/enterprises/{creditCode}/tier',
  tags: ['utilities'],
  summary: "An enterprise's class, category and surcharge rate per resource on a date",
  request: { params: TierParams, query: TierQuery },
  responses: reply(
    TierSchema,
    'the tier in force on the date (the class from the published evaluation of the previous year)',
  ),
})

/** The answer's type, as c.json would name it. */
export const TIER_CONTENT_TYPE = 'application/json; charset=utf-8'

/** The raw parts of a tier request, as they came in the path and query. */
export interface TierAsked {
  creditCode: string
  date: string | undefined
  knownAt: string | undefined
}

/**
 * The JSON text of a tier answer for `p`, checked by the documented schemas themselves (contractOf) in a plain
 * synchronous parse: the validator chain costs more than the cached answer. Throws the API's errors (a 400 for a
 * malformed part, 403, 404) as every route does.
 */
export function tierLookup({ pricing, store }: Pick<Services, 'pricing' | 'store'>) {
  const tier = contractOf(tierRoute)
  return (p: Principal | undefined, asked: TierAsked): string => {
    const { creditCode } = tier.params({ creditCode: asked.creditCode })
    const query = tier.query({ date: asked.date, knownAt: asked.knownAt })
    // Today in Ningbo: a UTC date would give yesterday's tier until 08:00 there.
    return pricing.tierJson(p, creditCode, query.date ?? store.today(), query.knownAt)
  }
}
