/**
 * Utility-facing routes: tier lookup, batch tiers, quotes, and the what-if self-check.
 * @module http/routes/pricing
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { QuoteBody } from '../../app/requests.ts'
import type { Services } from '../../app/services.ts'
import type { AppEnv } from '../context.ts'
import {
  ClassHistorySchema,
  ProvenanceSchema,
  QuoteSchema,
  RatingResultSchema,
  reply,
  TiersSchema,
} from '../responses.ts'
import { County, CreditCode, contractOf, Industry, IsoDate, jsonValue } from '../schemas.ts'
import { TIER_CONTENT_TYPE, TierParams, TierQuery, tierLookup, tierRoute } from './tier.ts'

/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/enterprises/{creditCode}/classes': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/classes',
    tags: ['utilities'],
    summary:
      "An enterprise's class history: each published evaluation's class and the days it binds, and its closure under the programme, from which nothing is charged",
    request: { params: TierParams },
    responses: reply(ClassHistorySchema, 'the class history'),
  }),
  'GET /v1/enterprises/{creditCode}/provenance': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/provenance',
    tags: ['utilities'],
    summary:
      'Why the enterprise pays what it pays on a date, and who decided each part: each surcharge with its rule item, the city rule version and who activated it, the county overrides in force with their approval and filing, the published evaluation (who ran, noticed and published it; the objections and their decisions), who entered the figures it rated, and a verified closure',
    request: { params: TierParams, query: TierQuery },
    responses: reply(ProvenanceSchema, 'the provenance of the tier on the date'),
  }),
  'POST /v1/tiers:batch': createRoute({
    method: 'post',
    path: '/v1/tiers:batch',
    tags: ['utilities'],
    summary: 'Tiers of up to 10,000 enterprises on one date (nightly sync)',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              date: IsoDate,
              creditCodes: z.array(z.string()).min(1).max(10_000),
            }),
          },
        },
      },
    },
    responses: reply(
      TiersSchema,
      'one entry per credit code, in request order; unknown or malformed codes carry an error',
    ),
  }),
  'POST /v1/self-check': createRoute({
    method: 'post',
    path: '/v1/self-check',
    tags: ['enterprises'],
    summary:
      'What-if rating of submitted figures against the published peers, with the full trace; nothing is stored',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              creditCode: CreditCode.optional(),
              county: County,
              industryCode: Industry,
              year: z.number().int().min(2000).max(2100),
              figures: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])),
            }),
          },
        },
      },
    },
    responses: reply(
      RatingResultSchema,
      'the rating result with indicators, benchmarks, points, vetoes and class',
    ),
  }),
}

export function registerPricingRoutes(
  app: OpenAPIHono<AppEnv>,
  { pricing, provenance, store }: Services,
) {
  // The hottest route (routes/tier.ts): documented as usual, answered without the validator chain.
  app.openAPIRegistry.registerPath(tierRoute)
  const tier = tierLookup({ pricing, store })
  app.get('/v1/enterprises/:creditCode/tier', (c) =>
    c.body(
      tier(c.get('principal'), {
        creditCode: c.req.param('creditCode'),
        date: c.req.query('date'),
        knownAt: c.req.query('knownAt'),
      }),
      200,
      { 'content-type': TIER_CONTENT_TYPE },
    ),
  )

  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/classes'], (c) =>
    c.json(pricing.classHistory(c.get('principal'), c.req.valid('param').creditCode), 200),
  )

  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/provenance'], (c) =>
    c.json(
      provenance.of(
        c.get('principal'),
        c.req.valid('param').creditCode,
        c.req.valid('query').date ?? store.today(),
      ),
      200,
    ),
  )

  app.openapi(ROUTES['POST /v1/tiers:batch'], (c) => {
    const { date, creditCodes } = c.req.valid('json')
    const tiers = pricing.tiers(c.get('principal'), date, creditCodes)
    return c.json({ date, count: tiers.length, tiers }, 200)
  })

  // Utilities quote in bulk: the body is checked by the documented schema (contractOf) without the validator chain.
  const quoteRoute = createRoute({
    method: 'post',
    path: '/v1/quotes',
    tags: ['utilities'],
    summary:
      'Itemised surcharge for a billing period, in exact yuan, split at every rule or class change',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: QuoteBody,
          },
        },
      },
    },
    responses: reply(
      QuoteSchema,
      'quote lines (rate × quantity = amount, rounded half-up to the fen) and the total',
    ),
  })
  app.openAPIRegistry.registerPath(quoteRoute)
  const quoteContract = contractOf(quoteRoute)
  app.post('/v1/quotes', async (c) => {
    const p = c.get('principal')
    const value = await jsonValue(c)
    // A plain bill of a firm the pricing snapshot holds: the text of its quote from the template of its firm's
    // history and period (the same text c.json would write; see PricingService.billTexts).
    const text = pricing.billTexts(p)?.(value)
    if (text !== undefined) return c.body(text.json, 200, { 'content-type': 'application/json' })
    return c.json(pricing.quote(p, quoteContract.body(value)), 200)
  })

  app.openapi(ROUTES['POST /v1/self-check'], (c) =>
    c.json(pricing.selfCheck(c.get('principal'), c.req.valid('json')), 200),
  )
}
