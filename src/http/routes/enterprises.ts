/**
 * Enterprises and their annual figures: create, replace (If-Match), read, list, bulk CSV import.
 * @module http/routes/enterprises
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { decodeCsvBytes, parseEnterprisesCsv } from '../../enterprise/csv.ts'
import { MujunError } from '../../errors.ts'
import { type AppDeps, type AppEnv, actorOf, authorize } from '../context.ts'
import { County, CreditCode, Industry, ok, Year } from '../schemas.ts'

const Figures = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]))

export function registerEnterpriseRoutes(app: OpenAPIHono<AppEnv>, { store }: AppDeps) {
  app.openapi(
    createRoute({
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
      responses: ok('a page of enterprises'),
    }),
    (c) => {
      const q = c.req.valid('query')
      const p = authorize(c.get('principal'), ['bureau', 'county'])
      const county = p.role === 'county' ? p.scope : q.county
      return c.json(store.listEnterprises({ county, limit: q.limit, offset: q.offset }), 200)
    },
  )

  app.openapi(
    createRoute({
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
      responses: ok('created', 201),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      const body = c.req.valid('json')
      checkCounty(store, body.county)
      const e = store.createEnterprise(body, actorOf(p))
      c.header('ETag', e.etag)
      return c.json(e, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/enterprises/{creditCode}',
      tags: ['enterprises'],
      summary: 'Read an enterprise (ETag for If-Match)',
      request: { params: z.object({ creditCode: CreditCode }) },
      responses: ok('the enterprise'),
    }),
    (c) => {
      const { creditCode } = c.req.valid('param')
      const e = store.getEnterprise(creditCode)
      authorize(c.get('principal'), ['bureau', 'county', 'enterprise'], {
        county: e.county,
        creditCode,
      })
      c.header('ETag', e.etag)
      return c.json(e, 200)
    },
  )

  app.openapi(
    createRoute({
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
      responses: ok('the new version'),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      const { creditCode } = c.req.valid('param')
      const body = c.req.valid('json')
      checkCounty(store, body.county)
      const e = store.updateEnterprise(creditCode, body, c.req.header('if-match'), actorOf(p))
      c.header('ETag', e.etag)
      return c.json(e, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/enterprises/{creditCode}/figures/{year}',
      tags: ['enterprises'],
      summary: "An enterprise's figures for a year",
      request: { params: z.object({ creditCode: CreditCode, year: Year }) },
      responses: ok('the figures, with an ETag'),
    }),
    (c) => {
      const { creditCode, year } = c.req.valid('param')
      const e = store.getEnterprise(creditCode)
      authorize(c.get('principal'), ['bureau', 'county', 'enterprise'], {
        county: e.county,
        creditCode,
      })
      const f = store.getFigures(creditCode, year)
      c.header('ETag', f.etag)
      return c.json(f, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/enterprises/{creditCode}/figures/{year}',
      tags: ['enterprises'],
      summary: 'Create or replace figures for a year (replacing needs If-Match)',
      request: {
        params: z.object({ creditCode: CreditCode, year: Year }),
        body: { content: { 'application/json': { schema: Figures } } },
      },
      responses: ok('the stored figures'),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      const { creditCode, year } = c.req.valid('param')
      const f = store.putFigures(
        creditCode,
        year,
        c.req.valid('json'),
        c.req.header('if-match'),
        actorOf(p),
      )
      c.header('ETag', f.etag)
      return c.json(f, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/enterprises:import',
      tags: ['enterprises'],
      summary: 'Bulk import of enterprises and one year of figures from CSV (all rows or none)',
      request: {
        query: z.object({ year: Year, skipBad: z.enum(['true', 'false']).default('false') }),
        body: { content: { 'text/csv': { schema: z.string() } } },
      },
      responses: ok(
        'how many were created and updated; bad rows are listed by row and column and nothing is stored',
      ),
    }),
    async (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      const { year, skipBad } = c.req.valid('query')
      // UTF-8 (with or without BOM) or GBK, as Excel on a Chinese Windows saves it.
      const { text, encoding } = decodeCsvBytes(new Uint8Array(await c.req.arrayBuffer()))
      const { rulebook } = store.activeRulebook()
      const parsed = parseEnterprisesCsv(text, rulebook)
      if (parsed.problems.length > 0 && skipBad !== 'true') {
        throw new MujunError(
          'CSV_INVALID',
          `${parsed.problems.length} bad row(s); nothing was imported: ${parsed.problems
            .slice(0, 20)
            .map((x) => `row ${x.row}${x.column ? ` column ${x.column}` : ''}: ${x.message}`)
            .join('; ')}`,
          { status: 422, details: parsed.problems },
        )
      }
      return c.json(
        {
          year,
          rows: parsed.enterprises.length,
          encoding,
          ...store.importEnterprises(parsed.enterprises, year, actorOf(p)),
          skipped: parsed.problems,
        },
        200,
      )
    },
  )
}

function checkCounty(store: AppDeps['store'], county: string): void {
  const { rulebook } = store.activeRulebook()
  if (!rulebook.meta.counties.some((c) => c.code === county))
    throw new MujunError(
      'COUNTY_UNKNOWN',
      `county ${county} is not a county of ${rulebook.meta.jurisdiction.name}`,
      { status: 422 },
    )
}
