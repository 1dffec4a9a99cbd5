/**
 * Figures by department (一企一单): a department submits its own columns of a year as CSV; the completeness report;
 * the land areas published for objection; a firm's sheet, its confirmation or dispute; the economy office's
 * resolution of disputes.
 * @module http/routes/intake
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Services } from '../../app/services.ts'
import { MujunError } from '../../errors.ts'
import type { AppEnv } from '../context.ts'
import {
  CompletenessSchema,
  DisputeListSchema,
  LandPublicationSchema,
  reply,
  SheetAnswerSchema,
  SheetSchema,
  SubmissionReceiptSchema,
} from '../responses.ts'
import { County, CreditCode, Year } from '../schemas.ts'

const Department = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'a department id of the rulebook')
  .openapi({ param: { name: 'department', in: 'path' }, example: 'power_supply' })
const Id = z.coerce
  .number()
  .int()
  .min(1)
  .openapi({ param: { name: 'id', in: 'path' } })
const YearParam = Year.openapi({ param: { name: 'year', in: 'path' }, example: 2024 })

const ROUTES = {
  'POST /v1/figures/{year}/{department}': createRoute({
    method: 'post',
    path: '/v1/figures/{year}/{department}',
    tags: ['figures'],
    summary:
      "A department submits its own columns of a year by credit code (CSV, UTF-8 or GBK, input ids or Chinese labels): each figure that differs from its newest version becomes a new version; all rows or none. A department token submits its own department's inputs only",
    request: {
      params: z.object({ year: YearParam, department: Department }),
      body: { content: { 'text/csv': { schema: z.string() } } },
    },
    responses: reply(SubmissionReceiptSchema, 'what was stored'),
  }),
  'GET /v1/figures/{year}/completeness': createRoute({
    method: 'get',
    path: '/v1/figures/{year}/completeness',
    tags: ['figures'],
    summary:
      'Who lacks which figure, per county: every firm of the register without a required input, with the department that owes it (a county its own county, a department its own inputs)',
    request: {
      params: z.object({ year: YearParam }),
      query: z.object({ county: County.optional() }),
    },
    responses: reply(CompletenessSchema, 'the report'),
  }),
  'POST /v1/figures/{year}/land-publication': createRoute({
    method: 'post',
    path: '/v1/figures/{year}/land-publication',
    tags: ['figures'],
    summary:
      "The economy office publishes the year's land areas for objection from today for the notice period; a year whose figures came from the departments is rated only after the window",
    request: { params: z.object({ year: YearParam }) },
    responses: reply(LandPublicationSchema, 'the publication and its objection window', 201),
  }),
  'GET /v1/enterprises/{creditCode}/sheets/{year}': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/sheets/{year}',
    tags: ['figures'],
    summary:
      "A firm's sheet of a year (一企一单): each figure in use with its department, submitter, time and version, the firm's answers, and how the sheet stands",
    request: { params: z.object({ creditCode: CreditCode, year: YearParam }) },
    responses: reply(SheetSchema, 'the sheet'),
  }),
  'POST /v1/enterprises/{creditCode}/sheets/{year}/confirmation': createRoute({
    method: 'post',
    path: '/v1/enterprises/{creditCode}/sheets/{year}/confirmation',
    tags: ['figures'],
    summary: 'The firm confirms its sheet as it stands, within the objection window',
    request: { params: z.object({ creditCode: CreditCode, year: YearParam }) },
    responses: reply(SheetAnswerSchema, 'the confirmation', 201),
  }),
  'POST /v1/enterprises/{creditCode}/sheets/{year}/disputes': createRoute({
    method: 'post',
    path: '/v1/enterprises/{creditCode}/sheets/{year}/disputes',
    tags: ['figures'],
    summary:
      'The firm disputes one figure of its sheet within the objection window, with the value it claims and why; the figure is rated as published until the dispute is resolved',
    request: {
      params: z.object({ creditCode: CreditCode, year: YearParam }),
      body: {
        content: {
          'application/json': {
            schema: z.object({
              input: z.string().min(1).max(64),
              claimed: z.string().min(1).max(64),
              reason: z.string().min(5).max(4000),
            }),
          },
        },
      },
    },
    responses: reply(SheetAnswerSchema, 'the dispute', 201),
  }),
  'GET /v1/sheet-disputes': createRoute({
    method: 'get',
    path: '/v1/sheet-disputes',
    tags: ['figures'],
    summary:
      "Disputes of firms' sheets: the economy office all, a county its own county's, a firm its own",
    request: {
      query: z.object({ year: Year.optional(), status: z.enum(['open']).optional() }),
    },
    responses: reply(DisputeListSchema, 'the disputes'),
  }),
  'POST /v1/sheet-disputes/{id}/resolution': createRoute({
    method: 'post',
    path: '/v1/sheet-disputes/{id}/resolution',
    tags: ['figures'],
    summary:
      "The economy office resolves a dispute: upheld, the claimed value (or `value`) becomes the figure's new version from its department; rejected, the figure stands",
    request: {
      params: z.object({ id: Id }),
      body: {
        content: {
          'application/json': {
            schema: z.object({
              upheld: z.boolean(),
              value: z.string().max(64).optional(),
              reason: z.string().min(2).max(4000),
            }),
          },
        },
      },
    },
    responses: reply(SheetAnswerSchema, 'the resolved dispute'),
  }),
}

export function registerIntakeRoutes(app: OpenAPIHono<AppEnv>, { intake }: Services) {
  // Before the department's submission, whose path it would otherwise match.
  app.openapi(ROUTES['POST /v1/figures/{year}/land-publication'], (c) =>
    c.json(intake.publishLand(c.get('principal'), c.req.valid('param').year), 201),
  )
  app.openapi(ROUTES['POST /v1/figures/{year}/{department}'], async (c) => {
    const { year, department } = c.req.valid('param')
    if (!/^text\/csv\s*(;|$)/i.test(c.req.header('content-type') ?? ''))
      throw new MujunError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV as content-type: text/csv', {
        status: 415,
      })
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    return c.json(intake.submitCsv(c.get('principal'), department, year, bytes), 200)
  })
  app.openapi(ROUTES['GET /v1/figures/{year}/completeness'], (c) =>
    c.json(
      intake.completeness(
        c.get('principal'),
        c.req.valid('param').year,
        c.req.valid('query').county,
      ),
      200,
    ),
  )
  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/sheets/{year}'], (c) => {
    const { creditCode, year } = c.req.valid('param')
    return c.json(intake.sheet(c.get('principal'), creditCode, year), 200)
  })
  app.openapi(ROUTES['POST /v1/enterprises/{creditCode}/sheets/{year}/confirmation'], (c) => {
    const { creditCode, year } = c.req.valid('param')
    return c.json(intake.confirm(c.get('principal'), creditCode, year), 201)
  })
  app.openapi(ROUTES['POST /v1/enterprises/{creditCode}/sheets/{year}/disputes'], (c) => {
    const { creditCode, year } = c.req.valid('param')
    return c.json(intake.dispute(c.get('principal'), creditCode, year, c.req.valid('json')), 201)
  })
  app.openapi(ROUTES['GET /v1/sheet-disputes'], (c) =>
    c.json(intake.disputes(c.get('principal'), c.req.valid('query')), 200),
  )
  app.openapi(ROUTES['POST /v1/sheet-disputes/{id}/resolution'], (c) =>
    c.json(intake.resolve(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
}
