/**
 * A utility's monthly work at city scale: the change feed (which firms' tier changed since a cursor), every firm's
 * tier for a billing month (NDJSON or CSV, streamed), and a billing month from an upload of meter readings
 * (streamed bills, each the single quote).
 * @module http/routes/feed
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import { monthRequests } from '../../app/bill-month.ts'
import { quoteAll } from '../../app/billing.ts'
import type { Services } from '../../app/services.ts'
import { exportCsvCells, exportCsvHeader, monthDays, type TierRow } from '../../app/tier-export.ts'
import { MAX_PAGE } from '../../app/tier-feed.ts'
import { csvCell, decodeCsvBytes } from '../../enterprise/csv.ts'
import { type AppEnv, authorize, headerOf } from '../context.ts'
import { BillAnswerSchema, reply, TierChangesSchema, TierExportRowSchema } from '../responses.ts'
import { outcomeJson } from './bills.ts'

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a billing month YYYY-MM')
  .openapi({ example: '2025-09' })

const ROUTES = {
  changes: createRoute({
    method: 'get',
    path: '/v1/tiers/changes',
    tags: ['utilities'],
    summary:
      'The change feed: the firms whose tier or rates changed since a cursor, why (publication, override, closure, rules, list) and from which day, paged',
    description: `Without \`since\`: no changes and the cursor of now (read every tier once, e.g. with GET /v1/tiers/export, which names its cursor too, then sync from it). With \`since\`: the firms within the token's scope whose tier on the day an act reaches differs as known at the cursor and now, by credit code; \`more\` says the next page continues (ask again with \`cursor\`); the last page's \`cursor\` is where to ask from next time. At most ${MAX_PAGE} firms a page (\`limit\`, default 1000).`,
    request: {
      query: z.object({
        since: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
      }),
    },
    responses: reply(TierChangesSchema, 'a page of changed firms and the cursor to ask with next'),
  }),
  export: createRoute({
    method: 'get',
    path: '/v1/tiers/export',
    tags: ['utilities'],
    summary:
      "Every firm's tier for a billing month (within the token's scope), streamed: NDJSON, or CSV with Chinese headers",
    description:
      "One row per firm and part of the month with one tier (a month is split where a later evaluation binds or a closure starts). The header `Mujun-Cursor` is the change feed's cursor the export was read at: sync on with GET /v1/tiers/changes?since= it.",
    request: {
      query: z.object({ month: Month, format: z.enum(['ndjson', 'csv']).optional() }),
    },
    responses: {
      200: {
        description: 'the rows, streamed (NDJSON: one TierExportRow a line; CSV: UTF-8 with BOM)',
        content: {
          'application/x-ndjson': { schema: TierExportRowSchema },
          'text/csv': { schema: z.string() },
        },
      },
      default: reply(TierExportRowSchema, '').default,
    },
  }),
  month: createRoute({
    method: 'post',
    path: '/v1/bills:month',
    tags: ['utilities'],
    summary:
      'A billing month from meter readings: one quantity per firm and resource (CSV or NDJSON), each billed as POST /v1/quotes bills the month',
    description:
      'text/csv with columns credit_code (统一社会信用代码), resource (资源: the id or its label), quantity (用量); or application/x-ndjson with {creditCode, resource, quantity} a line. The upload is checked whole first: a malformed or unregistered credit code, an unknown resource, a negative or malformed reading, a firm and resource read twice: 422 READINGS_INVALID naming every line (`errors`), nothing billed. Then one NDJSON line per reading, in upload order: the quote of POST /v1/quotes for the month (from the 1st to the 1st of the next), or the problem its single request would get.',
    request: {
      query: z.object({ month: Month }),
      body: {
        required: true,
        content: {
          'text/csv': { schema: z.string() },
          'application/x-ndjson': {
            schema: z.object({
              creditCode: z.string(),
              resource: z.string(),
              quantity: z.string(),
            }),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'one bill a reading, in upload order',
        content: { 'application/x-ndjson': { schema: BillAnswerSchema } },
      },
      default: reply(BillAnswerSchema, '').default,
    },
  }),
}

/** Rows made per read of the stream: enough to keep the socket busy, few enough to keep memory flat. */
const BATCH = 500

/** A stream of text made `BATCH` items at a time from `items`, as the client reads. */
function streamOf<T>(items: Iterable<T>, head: string, text: (batch: T[]) => string) {
  const it = items[Symbol.iterator]()
  const encoder = new TextEncoder()
  let started = false
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const batch: T[] = []
      for (let r = it.next(); !r.done; r = it.next()) {
        batch.push(r.value)
        if (batch.length >= BATCH) break
      }
      const out = (started ? '' : head) + (batch.length > 0 ? text(batch) : '')
      started = true
      if (out) controller.enqueue(encoder.encode(out))
      if (batch.length < BATCH) controller.close()
    },
    cancel() {
      it.return?.()
    },
  })
}

export function registerFeedRoutes(
  app: OpenAPIHono<AppEnv>,
  services: Services,
  log: (m: string) => void,
) {
  app.openapi(ROUTES.changes, (c) => {
    const { since, limit } = c.req.valid('query')
    return c.json(services.tierFeed.changes(c.get('principal'), since, limit ?? 1000), 200)
  })

  app.openAPIRegistry.registerPath(ROUTES.export)
  app.get('/v1/tiers/export', (c) => {
    const format = c.req.query('format') ?? 'ndjson'
    if (format !== 'ndjson' && format !== 'csv')
      throw new HTTPException(400, { message: `format is ndjson or csv, got '${format}'` })
    const x = services.tierExport.export(c.get('principal'), c.req.query('month'))
    const headers = { 'mujun-cursor': x.cursor }
    if (format === 'csv') {
      const body = streamOf(
        x.rows,
        `\ufeff${exportCsvHeader(x.resources).map(csvCell).join(',')}\r\n`,
        (rows: TierRow[]) =>
          rows.map((r) => `${exportCsvCells(r, x.resources).map(csvCell).join(',')}\r\n`).join(''),
      )
      return c.body(body, 200, {
        ...headers,
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="tiers-${x.month}.csv"`,
      })
    }
    const body = streamOf(x.rows, '', (rows: TierRow[]) =>
      rows.map((r) => `${JSON.stringify(r)}\n`).join(''),
    )
    return c.body(body, 200, { ...headers, 'content-type': 'application/x-ndjson; charset=utf-8' })
  })

  app.openAPIRegistry.registerPath(ROUTES.month)
  app.post('/v1/bills:month', async (c) => {
    const p = c.get('principal')
    const type = (headerOf(c, 'content-type') ?? '').toLowerCase()
    const format = /^text\/csv\b/.test(type)
      ? 'csv'
      : /^application\/(x-)?ndjson\b/.test(type)
        ? 'ndjson'
        : undefined
    // Who may bill, and which month, before the body is read.
    authorize(p, 'bills.run')
    monthDays(c.req.query('month'))
    if (!format)
      throw new HTTPException(415, {
        message: 'send the meter readings as text/csv or application/x-ndjson (one a line)',
      })
    // A spreadsheet's CSV may be GBK (Excel on a Chinese system): read as the imports read it.
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    const text = format === 'csv' ? decodeCsvBytes(bytes).text : new TextDecoder().decode(bytes)
    const plan = monthRequests(
      p,
      services.store,
      services.rulebooks,
      c.req.query('month'),
      text,
      format,
    )
    const body = streamOf(plan.requests, '', (batch) =>
      quoteAll(
        services,
        p,
        batch.map((r) => ({
          value: {
            creditCode: r.creditCode,
            resource: r.resource,
            quantity: r.quantity,
            from: plan.from,
            to: plan.to,
          },
        })),
      )
        .map((x) => `${outcomeJson(x, log, 'POST /v1/bills:month')}\n`)
        .join(''),
    )
    return c.body(body, 200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
  })
}
