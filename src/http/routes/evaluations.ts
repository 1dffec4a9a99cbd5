/**
 * Evaluation runs: run for a year (draft), read results, export CSV, publish atomically.
 * @module http/routes/evaluations
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { type AppDeps, type AppEnv, actorOf, authorize } from '../context.ts'
import { ok } from '../schemas.ts'

const RunId = z.object({ id: z.coerce.number().int().min(1) })

export function registerEvaluationRoutes(app: OpenAPIHono<AppEnv>, { store }: AppDeps) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/evaluations',
      tags: ['evaluations'],
      summary:
        'Rate every enterprise with figures for a year under the active rulebook (a draft run)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({ year: z.number().int().min(2000).max(2100) }),
            },
          },
        },
      },
      responses: ok('the run id and counts per class', 201),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      const run = store.runEvaluation(c.req.valid('json').year, actorOf(p))
      return c.json(run, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evaluations',
      tags: ['evaluations'],
      summary: 'All runs, newest first',
      responses: ok('runs'),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'county', 'utility'])
      return c.json({ runs: store.listRuns() }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evaluations/{id}',
      tags: ['evaluations'],
      summary: 'One run',
      request: { params: RunId },
      responses: ok('the run'),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'county', 'utility'])
      return c.json(store.getRun(c.req.valid('param').id), 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evaluations/{id}/results',
      tags: ['evaluations'],
      summary: 'Results of a run with traces (a county token sees its own county)',
      request: {
        params: RunId,
        query: z.object({
          county: z.string().optional(),
          class: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: ok('a page of results'),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau', 'county'])
      const q = c.req.valid('query')
      const county = p.role === 'county' ? p.scope : q.county
      const rows = store.runResults(c.req.valid('param').id, { ...q, county })
      return c.json({ results: rows.map((r) => r.result) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/evaluations/{id}/results.csv',
      tags: ['utilities'],
      summary: 'All results of a run as CSV (UTF-8 with BOM, opens in Excel)',
      request: { params: RunId },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'utility'])
      const id = c.req.valid('param').id
      const { csv, year } = store.resultsCsv(id)
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="evaluation-${id}-${year}.csv"`,
      })
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/evaluations/{id}/publish',
      tags: ['evaluations'],
      summary:
        'Publish a draft run; the year’s previous published run is superseded in the same transaction',
      request: { params: RunId },
      responses: ok('published'),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      return c.json(store.publish(c.req.valid('param').id, actorOf(p)), 200)
    },
  )
}
