/**
 * Utility-facing routes: tier lookup, batch tiers, quotes, and the what-if self-check.
 * @module http/routes/pricing
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { creditCodeProblem } from '../../enterprise/credit-code.ts'
import { MujunError, NotFoundError } from '../../errors.ts'
import { remember } from '../../memo.ts'
import { quote, ratesOn } from '../../pricing/quote.ts'
import { resultToJson } from '../../rating/result-json.ts'
import { selfCheck } from '../../rating/self-check.ts'
import { type AppDeps, type AppEnv, authorize } from '../context.ts'
import { County, CreditCode, Industry, IsoDate, jsonBody, ok } from '../schemas.ts'

const Quantity = z.union([
  z.string().regex(/^\d{1,15}(\.\d{1,9})?$/, 'a non-negative decimal'),
  z.number().nonnegative().finite(),
])

const QuoteBody = z.object({
  creditCode: CreditCode,
  resource: z.string().openapi({ example: 'electricity' }),
  from: IsoDate,
  to: IsoDate,
  quantity: Quantity.optional(),
  readings: z
    .array(z.object({ from: IsoDate, to: IsoDate, quantity: Quantity }))
    .max(400)
    .optional(),
})

export function registerPricingRoutes(app: OpenAPIHono<AppEnv>, { store }: AppDeps) {
  const tierOf = (code: string, date: string) => {
    const { rulebook } = store.activeRulebook()
    const year = Number(date.slice(0, 4)) - 1
    const history = store.history(code, year)
    const current = history.find((h) => h.year === year)
    const run = store.publishedRun(year)
    const { rates, notes } = ratesOn(history, rulebook, date)
    return {
      creditCode: code,
      date,
      evaluationYear: year,
      evaluationId: run?.id ?? null,
      validFrom: `${year + 1}-01-01`,
      validTo: `${year + 1}-12-31`,
      class: current?.class ?? null,
      classLabel: rulebook.meta.classes.find((c) => c.id === current?.class)?.label ?? null,
      category: current?.category ?? null,
      sector: current?.sector ?? null,
      rates,
      notes,
    }
  }

  type TierHit = { county: string; creditCode: string; json: string }
  const sendTier = (c: Context<AppEnv>, hit: TierHit) => {
    authorize(c.get('principal'), ['bureau', 'utility', 'county', 'enterprise'], {
      county: hit.county,
      creditCode: hit.creditCode,
    })
    return c.body(hit.json, 200, { 'content-type': 'application/json; charset=utf-8' })
  }
  // A tier depends only on stored, published data, so its JSON is cached until the next write. A URL seen before
  // (with an explicit date) is answered before parameter validation: it is only stored after passing it once.
  app.use('/v1/enterprises/:creditCode/tier', async (c, next) => {
    const hit = c.req.method === 'GET' && store.derived.get(`tier-url|${c.req.url}`)
    return hit ? sendTier(c, hit as TierHit) : next()
  })
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/enterprises/{creditCode}/tier',
      tags: ['utilities'],
      summary: "An enterprise's class, category and surcharge rate per resource on a date",
      request: {
        params: z.object({ creditCode: CreditCode }),
        query: z.object({ date: IsoDate.optional() }),
      },
      responses: ok(
        'the tier in force on the date (the class from the published evaluation of the previous year)',
      ),
    }),
    (c) => {
      const { creditCode } = c.req.valid('param')
      const explicit = c.req.valid('query').date
      const date = explicit ?? new Date().toISOString().slice(0, 10)
      const hit = remember(
        store.derived as Map<string, TierHit>,
        `tier|${creditCode}|${date}`,
        () => ({
          county: store.getEnterprise(creditCode).county,
          creditCode,
          json: JSON.stringify(tierOf(creditCode, date)),
        }),
        200_000,
      )
      // Without a date the answer is today's, so that URL is not cached by itself.
      if (explicit) store.derived.set(`tier-url|${c.req.url}`, hit)
      return sendTier(c, hit) as never
    },
  )

  app.openapi(
    createRoute({
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
      responses: ok(
        'one entry per credit code, in request order; unknown or malformed codes carry an error',
      ),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'utility'])
      const { date, creditCodes } = c.req.valid('json')
      const tiers = creditCodes.map((code) => {
        const p = creditCodeProblem(code)
        if (p) return { creditCode: code, error: { code: 'CREDIT_CODE_INVALID', message: p } }
        try {
          store.getEnterprise(code)
          return tierOf(code, date)
        } catch (e) {
          if (e instanceof NotFoundError)
            return { creditCode: code, error: { code: 'NOT_FOUND', message: e.message } }
          throw e
        }
      })
      return c.json({ date, count: tiers.length, tiers }, 200)
    },
  )

  // Utilities quote in bulk: the body is validated in the handler (see jsonBody); the route is documented as usual.
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
    responses: ok(
      'quote lines (rate × quantity = amount, rounded half-up to the fen) and the total',
    ),
  })
  app.openAPIRegistry.registerPath(quoteRoute)
  app.post('/v1/quotes', async (c) => {
    const body = await jsonBody(c, QuoteBody)
    const e = store.getEnterprise(body.creditCode)
    authorize(c.get('principal'), ['bureau', 'utility', 'county', 'enterprise'], {
      county: e.county,
      creditCode: body.creditCode,
    })
    const { id, rulebook } = store.activeRulebook()
    const lastYear = Number(body.to.slice(0, 4)) - 1
    const history = store.history(body.creditCode, lastYear)
    if (history.length === 0)
      throw new MujunError('NO_EVALUATION', `${body.creditCode} has no published evaluation`, {
        status: 422,
      })
    const q = quote(history, rulebook, body)
    // Cite both parts of the rules in force: the city version and the county overrides whose rates were used.
    const overrides: string[] = []
    for (const l of q.lines)
      if (l.origin.overrideId && !overrides.includes(l.origin.overrideId))
        overrides.push(l.origin.overrideId)
    return c.json({ ...q, rulebookVersion: id, overrides }, 200)
  })

  app.openapi(
    createRoute({
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
      responses: ok('the rating result with indicators, benchmarks, points, vetoes and class'),
    }),
    (c) => {
      const body = c.req.valid('json')
      authorize(c.get('principal'), ['bureau', 'county', 'enterprise', 'utility'], {
        county: body.county,
        creditCode: body.creditCode,
      })
      const { rulebook } = store.activeRulebook()
      const population = store.population(body.year)
      const result = selfCheck(population, rulebook, body.year, {
        creditCode: body.creditCode ?? 'SELF-CHECK',
        name: '自查',
        county: body.county,
        industryCode: body.industryCode,
        figures: body.figures,
      })
      return c.json(resultToJson(result), 200)
    },
  )
}
