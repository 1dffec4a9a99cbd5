/**
 * The money: utilities report the surcharges they collected (a billing run's quote requests, or a CSV), the ledger
 * of collected, returned and held, and the economy office's yearly refund runs (run → notice → publish).
 * @module http/routes/money
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { BillItem } from '../../app/collections.ts'
import { QuoteBody } from '../../app/requests.ts'
import type { Services } from '../../app/services.ts'
import { MujunError } from '../../errors.ts'
import { type AppEnv, answerJob, authorize, headerOf } from '../context.ts'
import { reply } from '../responses.ts'
import { CorrectionQuery, Recorded, ROUTES } from './money.routes.ts'

/** The correction a report carries in its query, if any. */
const correctionOf = (q: { reason?: string; document?: string }) =>
  q.reason !== undefined || q.document !== undefined
    ? { reason: q.reason ?? '', document: q.document ?? '' }
    : undefined

/** A body of quote requests: NDJSON lines or a JSON array, each an item (a parsed value, or why it is not one). */
async function billItems(c: Context<AppEnv>): Promise<BillItem[]> {
  const type = (headerOf(c, 'content-type') ?? '').toLowerCase()
  const text = await c.req.text()
  if (/^application\/json\b/.test(type)) {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new HTTPException(400, { message: 'Malformed JSON in request body' })
    }
    if (!Array.isArray(value))
      throw new MujunError('VALIDATION_FAILED', 'send a JSON array of quote requests', {
        status: 422,
      })
    return value.map((v): BillItem => ({ value: v }))
  }
  if (!/^application\/(x-)?ndjson\b/.test(type))
    throw new HTTPException(415, {
      message: 'send the quote requests as application/x-ndjson (one per line) or a JSON array',
    })
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l): BillItem => {
      try {
        return { value: JSON.parse(l) }
      } catch {
        return { error: 'not JSON' }
      }
    })
}

export function registerMoneyRoutes(app: OpenAPIHono<AppEnv>, services: Services) {
  const { collections, refunds, jobs } = services
  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: '/v1/collections',
      tags: ['money'],
      summary:
        'A utility records a billing run’s surcharges as collected: the same quote requests as POST /v1/bills (NDJSON or a JSON array), each quoted as POST /v1/quotes quotes it; each total counts in the month of its last day billed (bills of one firm, month and resource add up; 0.00 records nothing). One request refused and nothing is recorded (422 BILLS_INVALID, every line named in `details`). A firm-month-resource reported before is refused (409 COLLECTION_EXISTS) unless the report is a correction (`reason` and `document`), which replaces it',
      request: {
        query: CorrectionQuery,
        body: {
          required: true,
          content: {
            'application/x-ndjson': { schema: QuoteBody },
            'application/json': { schema: z.array(QuoteBody) },
          },
        },
      },
      responses: reply(Recorded, 'what was recorded', 201),
    }),
  )
  app.post('/v1/collections', async (c) => {
    const p = c.get('principal')
    authorize(p, 'collections.report')
    const q = CorrectionQuery.parse(c.req.query())
    const items = await billItems(c)
    return c.json(collections.fromBills(p, items, correctionOf(q)), 201)
  })

  app.openapi(ROUTES['POST /v1/collections:import'], async (c) => {
    if (!/^text\/csv\s*(;|$)/i.test(c.req.header('content-type') ?? ''))
      throw new MujunError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV as content-type: text/csv', {
        status: 415,
      })
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    const q = c.req.valid('query')
    return c.json(collections.fromCsv(c.get('principal'), bytes, correctionOf(q)), 201)
  })

  app.openapi(ROUTES['GET /v1/collections'], (c) =>
    c.json({ rows: collections.list(c.get('principal'), c.req.valid('query')) }, 200),
  )

  app.openapi(ROUTES['GET /v1/ledger'], (c) =>
    c.json(collections.ledger(c.get('principal'), c.req.valid('query')), 200),
  )

  app.openapi(ROUTES['POST /v1/refunds'], (c) =>
    answerJob<ReturnType<typeof refunds.run>, 201>(
      c,
      jobs.start(c.get('principal'), { kind: 'refund', year: c.req.valid('json').year }),
      201,
    ),
  )

  app.openapi(ROUTES['GET /v1/refunds'], (c) =>
    c.json({ rows: refunds.list(c.get('principal'), c.req.valid('query').year) }, 200),
  )

  app.openapi(ROUTES['GET /v1/refunds/{id}'], (c) => {
    const q = c.req.valid('query')
    return c.json(
      refunds.get(c.get('principal'), c.req.valid('param').id, {
        county: q.county,
        refundedOnly: q.refunded === 'true',
      }),
      200,
    )
  })

  app.openapi(ROUTES['POST /v1/refunds/{id}/notice'], (c) =>
    c.json(refunds.notice(c.get('principal'), c.req.valid('param').id), 200),
  )

  app.openapi(ROUTES['POST /v1/refunds/{id}/publish'], (c) =>
    c.json(refunds.publish(c.get('principal'), c.req.valid('param').id), 200),
  )
}
