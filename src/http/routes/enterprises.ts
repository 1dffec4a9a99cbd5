/**
 * Enterprises and their annual figures: create, replace (If-Match), read, list, bulk CSV import.
 * @module http/routes/enterprises
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Services } from '../../app/services.ts'
import { MujunError } from '../../errors.ts'
import { type AppEnv, answerJob } from '../context.ts'
import {
  accepted,
  EnterpriseListSchema,
  EnterpriseSchema,
  FiguresSchema,
  ImportResultSchema,
  reply,
} from '../responses.ts'
import { County, CreditCode, Industry, Year } from '../schemas.ts'

const Figures = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]))
/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/enterprises': createRoute({
    method: 'get',
    path: '/v1/enterprises',
    tags: ['enterprises'],
    summary: 'List enterprises (a county token sees its own county)',
    request: {
      query: z.object({
        county: County.optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: reply(EnterpriseListSchema, 'a page of enterprises'),
  }),
  'POST /v1/enterprises': createRoute({
    method: 'post',
    path: '/v1/enterprises',
    tags: ['enterprises'],
    summary: 'Create an enterprise',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({
              creditCode: CreditCode,
              name: z.string().min(1).max(200),
              county: County,
              industryCode: Industry,
            }),
          },
        },
      },
    },
    responses: reply(EnterpriseSchema, 'created', 201),
  }),
  'GET /v1/enterprises/{creditCode}': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}',
    tags: ['enterprises'],
    summary: 'Read an enterprise (ETag for If-Match)',
    request: { params: z.object({ creditCode: CreditCode }) },
    responses: reply(EnterpriseSchema, 'the enterprise'),
  }),
  'PUT /v1/enterprises/{creditCode}': createRoute({
    method: 'put',
    path: '/v1/enterprises/{creditCode}',
    tags: ['enterprises'],
    summary: "Replace an enterprise's name, county and industry (needs If-Match)",
    request: {
      params: z.object({ creditCode: CreditCode }),
      headers: z.object({ 'if-match': z.string().optional() }),
      body: {
        content: {
          'application/json': {
            schema: z.object({
              name: z.string().min(1).max(200),
              county: County,
              industryCode: Industry,
            }),
          },
        },
      },
    },
    responses: reply(EnterpriseSchema, 'the new version'),
  }),
  'GET /v1/enterprises/{creditCode}/figures/{year}': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/figures/{year}',
    tags: ['enterprises'],
    summary: "An enterprise's figures for a year",
    request: { params: z.object({ creditCode: CreditCode, year: Year }) },
    responses: reply(FiguresSchema, 'the figures, with an ETag'),
  }),
  'PUT /v1/enterprises/{creditCode}/figures/{year}': createRoute({
    method: 'put',
    path: '/v1/enterprises/{creditCode}/figures/{year}',
    tags: ['enterprises'],
    summary: 'Create or replace figures for a year (replacing needs If-Match)',
    request: {
      params: z.object({ creditCode: CreditCode, year: Year }),
      body: { content: { 'application/json': { schema: Figures } } },
    },
    responses: reply(FiguresSchema, 'the stored figures'),
  }),
  'POST /v1/enterprises:import': createRoute({
    method: 'post',
    path: '/v1/enterprises:import',
    tags: ['enterprises'],
    summary:
      'Bulk import of enterprises and one year of figures from CSV (all rows or none). Runs off the request thread; with `Prefer: respond-async` answers 202 with the job at once',
    request: {
      query: z.object({ year: Year, skipBad: z.enum(['true', 'false']).default('false') }),
      body: { content: { 'text/csv': { schema: z.string() } } },
    },
    responses: {
      ...reply(
        ImportResultSchema,
        'how many were created and updated; bad rows are listed by row and column and nothing is stored',
      ),
      ...accepted,
    },
  }),
}

export function registerEnterpriseRoutes(
  app: OpenAPIHono<AppEnv>,
  { enterprises, jobs }: Services,
) {
  app.openapi(ROUTES['GET /v1/enterprises'], (c) =>
    c.json(enterprises.list(c.get('principal'), c.req.valid('query')), 200),
  )

  app.openapi(ROUTES['POST /v1/enterprises'], (c) => {
    const e = enterprises.create(c.get('principal'), c.req.valid('json'))
    c.header('ETag', e.etag)
    return c.json(e, 201)
  })

  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}'], (c) => {
    const e = enterprises.get(c.get('principal'), c.req.valid('param').creditCode)
    c.header('ETag', e.etag)
    return c.json(e, 200)
  })

  app.openapi(ROUTES['PUT /v1/enterprises/{creditCode}'], (c) => {
    const e = enterprises.update(
      c.get('principal'),
      c.req.valid('param').creditCode,
      c.req.valid('json'),
      c.req.header('if-match'),
    )
    c.header('ETag', e.etag)
    return c.json(e, 200)
  })

  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/figures/{year}'], (c) => {
    const { creditCode, year } = c.req.valid('param')
    const f = enterprises.figures(c.get('principal'), creditCode, year)
    c.header('ETag', f.etag)
    return c.json(f, 200)
  })

  app.openapi(ROUTES['PUT /v1/enterprises/{creditCode}/figures/{year}'], (c) => {
    const { creditCode, year } = c.req.valid('param')
    const f = enterprises.putFigures(
      c.get('principal'),
      creditCode,
      year,
      c.req.valid('json'),
      c.req.header('if-match'),
    )
    c.header('ETag', f.etag)
    return c.json(f, 200)
  })

  app.openapi(ROUTES['POST /v1/enterprises:import'], async (c) => {
    const { year, skipBad } = c.req.valid('query')
    // UTF-8 (with or without BOM) or GBK, as Excel on a Chinese Windows saves it.
    // The body is a CSV file and nothing else: a JSON or form body is refused before it is read.
    if (!/^text\/csv\s*(;|$)/i.test(c.req.header('content-type') ?? ''))
      throw new MujunError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV as content-type: text/csv', {
        status: 415,
      })
    const csv = new Uint8Array(await c.req.arrayBuffer())
    return answerJob<ReturnType<typeof enterprises.importCsv>, 200>(
      c,
      jobs.start(c.get('principal'), {
        kind: 'import',
        year,
        skipBad: skipBad === 'true',
        csv,
      }),
      200,
    )
  })
}
