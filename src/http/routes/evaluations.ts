/**
 * Evaluation runs: run for a year (draft), read results, export CSV, publish atomically.
 * @module http/routes/evaluations
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { ActPreview } from '../../app/changes.ts'
import { CorrectionSchema } from '../../app/correction.ts'
import type { Services } from '../../app/services.ts'
import { type AppEnv, answerJob } from '../context.ts'
import {
  ActPreviewSchema,
  accepted,
  JobSchema,
  NoticeSchema,
  ObjectionListSchema,
  ObjectionSchema,
  ProvisionalSchema,
  PublishedSchema,
  ResultsSchema,
  RunCreatedSchema,
  RunListSchema,
  RunSchema,
  reply,
} from '../responses.ts'
import { CreditCode } from '../schemas.ts'

const RunId = z.object({ id: z.coerce.number().int().min(1) })
/** The reason of an objection or of its review: said in words, within bounds. */
const Reason = z.string().trim().min(5).max(4000)
/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/jobs/{id}': createRoute({
    method: 'get',
    path: '/v1/jobs/{id}',
    tags: ['evaluations'],
    summary:
      'A long job (evaluation or import): status, progress, and its result or error when finished',
    request: { params: z.object({ id: z.string().uuid() }) },
    responses: reply(JobSchema, 'the job'),
  }),
  'POST /v1/evaluations': createRoute({
    method: 'post',
    path: '/v1/evaluations',
    tags: ['evaluations'],
    summary:
      'Rate every enterprise with figures for a year under the rules in force (a draft run). Runs off the request thread; with `Prefer: respond-async` answers 202 with the job at once',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({ year: z.number().int().min(2000).max(2100) }),
          },
        },
      },
    },
    responses: {
      ...reply(RunCreatedSchema, 'the run id and counts per class', 201),
      ...accepted,
    },
  }),
  'GET /v1/evaluations': createRoute({
    method: 'get',
    path: '/v1/evaluations',
    tags: ['evaluations'],
    summary: 'All runs, newest first',
    responses: reply(RunListSchema, 'runs'),
  }),
  'GET /v1/evaluations/{id}': createRoute({
    method: 'get',
    path: '/v1/evaluations/{id}',
    tags: ['evaluations'],
    summary: 'One run',
    request: { params: RunId },
    responses: reply(RunSchema, 'the run'),
  }),
  'GET /v1/evaluations/{id}/results': createRoute({
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
    responses: reply(ResultsSchema, 'a page of results'),
  }),
  'GET /v1/evaluations/{id}/results.csv': createRoute({
    method: 'get',
    path: '/v1/evaluations/{id}/results.csv',
    tags: ['utilities'],
    summary: 'All results of a run as CSV (UTF-8 with BOM, opens in Excel)',
    request: { params: RunId },
    responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
  }),
  'POST /v1/evaluations/{id}/notice': createRoute({
    method: 'post',
    path: '/v1/evaluations/{id}/notice',
    tags: ['evaluations'],
    summary:
      'Put a draft run to public notice (公示) for the rulebook’s notice period from today: each firm sees its provisional result and may object',
    request: { params: RunId },
    responses: reply(NoticeSchema, 'in notice'),
  }),
  'POST /v1/evaluations/{id}/publish': createRoute({
    method: 'post',
    path: '/v1/evaluations/{id}/publish',
    tags: ['evaluations'],
    summary:
      'Publish a run after its notice (every objection decided); its classes bind from Y+1-01-01 or today, whichever is later. The year’s previous published run is superseded in the same transaction. A draft is published only as the record of a past publication made outside mujun: a correction (`publishedOn`, `correction`), previewed first',
    request: {
      params: RunId,
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z.object({
              publishedOn: z.iso.date(),
              /** Kept for older clients: a reason alone is refused (PUBLICATION_RETROACTIVE). */
              reason: z.string().trim().min(3).max(2000).optional(),
              correction: CorrectionSchema.optional().openapi({
                description:
                  'recording a publication made outside mujun is a correction: reason, document (the publication’s 文号) and the digest of its preview (POST /v1/evaluations/{id}/publication-preview)',
              }),
            }),
          },
        },
      },
    },
    responses: reply(PublishedSchema, 'published'),
  }),
  'POST /v1/evaluations/{id}/publication-preview': createRoute({
    method: 'post',
    path: '/v1/evaluations/{id}/publication-preview',
    tags: ['evaluations'],
    summary:
      'What publishing this run would re-price, before it is published: after its notice (binding from today or the next 1 January), or as the record of a past publication on `publishedOn` (a correction: send back the digest). Runs as a job; with `Prefer: respond-async` answers 202',
    request: {
      params: RunId,
      body: {
        required: false,
        content: {
          'application/json': {
            schema: z.object({
              publishedOn: z.iso.date().optional(),
              months: z.number().int().min(1).max(60).optional(),
            }),
          },
        },
      },
    },
    responses: { ...reply(ActPreviewSchema, 'the preview'), ...accepted },
  }),
  'POST /v1/evaluations/{id}/objections': createRoute({
    method: 'post',
    path: '/v1/evaluations/{id}/objections',
    tags: ['evaluations'],
    summary:
      'An enterprise objects (异议) to its provisional result during the notice, with its reason and evidence',
    request: {
      params: RunId,
      body: {
        content: {
          'application/json': {
            schema: z.object({
              creditCode: CreditCode,
              reason: Reason,
              evidence: z.string().trim().min(1).max(4000),
            }),
          },
        },
      },
    },
    responses: reply(ObjectionSchema, 'filed', 201),
  }),
  'GET /v1/evaluations/{id}/objections': createRoute({
    method: 'get',
    path: '/v1/evaluations/{id}/objections',
    tags: ['evaluations'],
    summary:
      'Objections to a run (the bureau sees all, a county its own county’s, an enterprise its own)',
    request: { params: RunId },
    responses: reply(ObjectionListSchema, 'objections'),
  }),
  'POST /v1/objections/{id}/decision': createRoute({
    method: 'post',
    path: '/v1/objections/{id}/decision',
    tags: ['evaluations'],
    summary:
      'The bureau’s review (复核): uphold with the class the firm gets (a manual re-grade) or reject, with the reason; before publication',
    request: {
      params: RunId,
      body: {
        content: {
          'application/json': {
            schema: z.object({
              upheld: z.boolean(),
              class: z.string().optional(),
              reason: Reason,
            }),
          },
        },
      },
    },
    responses: reply(ObjectionSchema, 'decided'),
  }),
  'GET /v1/enterprises/{creditCode}/provisional': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/provisional',
    tags: ['evaluations'],
    summary:
      'An enterprise’s provisional result in the run of `year` under public notice, with its objections',
    request: {
      params: z.object({ creditCode: CreditCode }),
      query: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
    },
    responses: reply(ProvisionalSchema, 'the provisional result'),
  }),
}

export function registerEvaluationRoutes(
  app: OpenAPIHono<AppEnv>,
  { evaluations, jobs }: Services,
) {
  app.openapi(ROUTES['GET /v1/jobs/{id}'], (c) =>
    c.json(jobs.get(c.get('principal'), c.req.valid('param').id), 200),
  )

  app.openapi(ROUTES['POST /v1/evaluations'], async (c) => {
    return answerJob<{ id: number; counts: Record<string, number> }, 201>(
      c,
      jobs.start(c.get('principal'), {
        kind: 'evaluate',
        year: c.req.valid('json').year,
      }),
      201,
    )
  })

  app.openapi(ROUTES['GET /v1/evaluations'], (c) => {
    return c.json({ runs: evaluations.list(c.get('principal')) }, 200)
  })

  app.openapi(ROUTES['GET /v1/evaluations/{id}'], (c) => {
    return c.json(evaluations.get(c.get('principal'), c.req.valid('param').id), 200)
  })

  app.openapi(ROUTES['GET /v1/evaluations/{id}/results'], (c) => {
    const results = evaluations.results(
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('query'),
    )
    return c.json({ results }, 200)
  })

  app.openapi(ROUTES['GET /v1/evaluations/{id}/results.csv'], (c) => {
    const id = c.req.valid('param').id
    const { csv, year } = evaluations.resultsCsv(c.get('principal'), id)
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="evaluation-${id}-${year}.csv"`,
    })
  })

  app.openapi(ROUTES['POST /v1/evaluations/{id}/notice'], (c) =>
    c.json(evaluations.notice(c.get('principal'), c.req.valid('param').id), 200),
  )

  app.openapi(ROUTES['POST /v1/evaluations/{id}/publish'], async (c) => {
    const raw = await c.req.text()
    const historic = raw.trim() === '' ? undefined : c.req.valid('json')
    return c.json(evaluations.publish(c.get('principal'), c.req.valid('param').id, historic), 200)
  })

  app.openapi(ROUTES['POST /v1/evaluations/{id}/publication-preview'], async (c) => {
    const raw = await c.req.text()
    const body = raw.trim() === '' ? {} : c.req.valid('json')
    return answerJob<ActPreview, 200>(
      c,
      jobs.start(c.get('principal'), {
        kind: 'publication-preview',
        runId: c.req.valid('param').id,
        ...body,
      }),
      200,
    )
  })

  app.openapi(ROUTES['POST /v1/evaluations/{id}/objections'], (c) =>
    c.json(
      evaluations.object(c.get('principal'), c.req.valid('param').id, c.req.valid('json')),
      201,
    ),
  )

  app.openapi(ROUTES['GET /v1/evaluations/{id}/objections'], (c) =>
    c.json(
      {
        objections: evaluations.objections(c.get('principal'), {
          runId: c.req.valid('param').id,
        }),
      },
      200,
    ),
  )

  app.openapi(ROUTES['POST /v1/objections/{id}/decision'], (c) =>
    c.json(
      evaluations.decide(c.get('principal'), c.req.valid('param').id, c.req.valid('json')),
      200,
    ),
  )

  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/provisional'], (c) =>
    c.json(
      evaluations.provisional(
        c.get('principal'),
        c.req.valid('param').creditCode,
        c.req.valid('query').year,
      ),
      200,
    ),
  )
}
