/**
 * Measures beyond price: a firm's measures on a date, and each measure's list of firms for the department that
 * applies it (JSON, CSV with Chinese headers, or NDJSON).
 * @module http/routes/measures
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Services } from '../../app/services.ts'
import type { AppEnv } from '../context.ts'
import { FirmMeasuresSchema, MeasureListSchema, ProblemSchema, reply } from '../responses.ts'
import { CreditCode, IsoDate } from '../schemas.ts'

const MeasureId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,79}$/, 'a measure id (lower-case letters, digits, _ and -)')
  .openapi({ param: { name: 'measureId', in: 'path' }, example: 'orderly_power_use' })

const ROUTES = {
  'GET /v1/enterprises/{creditCode}/measures': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/measures',
    tags: ['enterprises'],
    summary:
      "Every measure beyond price the enterprise's class brings on a date (land, energy-use quota, orderly power use, emission permits, credit, land-use tax relief, awards), each with its department, value, source and whether it is assumed; scoped as the tier",
    request: {
      params: z.object({ creditCode: CreditCode }),
      query: z.object({ date: IsoDate.optional() }),
    },
    responses: reply(FirmMeasuresSchema, 'the measures on the date (today in Ningbo by default)'),
  }),
  'GET /v1/measures/{measureId}/firms': createRoute({
    method: 'get',
    path: '/v1/measures/{measureId}/firms',
    tags: ['measures'],
    summary:
      "The firms a measure applies to on a date, for the department that applies it (a department token reads its own measures' lists; the bureau and the economy office every list): the power company's rationing order by group, the tax office's relief list, natural resources' land list",
    request: {
      params: z.object({ measureId: MeasureId }),
      query: z.object({
        date: IsoDate.optional(),
        format: z.enum(['json', 'csv', 'ndjson']).default('json'),
      }),
    },
    responses: {
      200: {
        description:
          'json: the list; csv: the same rows with Chinese headers (UTF-8 with BOM, for Excel); ndjson: one firm a line',
        content: {
          'application/json': { schema: MeasureListSchema },
          'text/csv': { schema: z.string() },
          'application/x-ndjson': { schema: z.string() },
        },
      },
      default: {
        description: 'an error: 4xx/5xx as application/problem+json with a stable code',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    },
  }),
}

export function registerMeasureRoutes(app: OpenAPIHono<AppEnv>, { measures, store }: Services) {
  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/measures'], (c) =>
    c.json(
      measures.of(
        c.get('principal'),
        c.req.valid('param').creditCode,
        c.req.valid('query').date ?? store.today(),
      ),
      200,
    ),
  )

  app.openapi(ROUTES['GET /v1/measures/{measureId}/firms'], (c) => {
    const { measureId } = c.req.valid('param')
    const { format, date: asked } = c.req.valid('query')
    const date = asked ?? store.today()
    const p = c.get('principal')
    if (format === 'csv')
      return c.body(measures.listCsv(p, measureId, date), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${measureId}-${date}.csv"`,
      })
    if (format === 'ndjson')
      return c.body(measures.listNdjson(p, measureId, date), 200, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="${measureId}-${date}.ndjson"`,
      })
    return c.json(measures.list(p, measureId, date), 200)
  })
}
