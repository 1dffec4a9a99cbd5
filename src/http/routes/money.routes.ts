/**
 * The money's API contracts: collected surcharges reported by utilities, the ledger, and yearly refund runs.
 * @module http/routes/money.routes
 */
import { createRoute, z } from '@hono/zod-openapi'
import { accepted, reply } from '../responses.ts'

const Yuan = z.string().openapi({ example: '1234.56', description: 'exact yuan, two decimals' })
const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM')
  .openapi({ example: '2024-03' })
const Id = z.object({ id: z.coerce.number().int().min(1) })
/** A report that replaces firm-month-resources reported before is a correction: both, or neither. */
export const CorrectionQuery = z.object({
  reason: z.string().min(1).max(2000).optional().openapi({
    description: 'why amounts reported before are reported again (a correction; with `document`)',
  }),
  document: z.string().min(1).max(200).optional().openapi({
    description: 'the document (文号) that orders the correction',
  }),
})

export const Recorded = z
  .object({
    bills: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'bills quoted (POST /v1/collections)' }),
    encoding: z.string().optional().openapi({ description: 'the CSV file’s encoding' }),
    rows: z.number().int().optional().openapi({ description: 'CSV rows read' }),
    created: z.number().int(),
    replaced: z.number().int(),
    total: Yuan,
  })
  .openapi('CollectionsRecorded')

const Collection = z
  .object({
    id: z.number().int(),
    creditCode: z.string(),
    county: z.string(),
    month: Month,
    resource: z.string(),
    amount: Yuan,
    source: z.enum(['bills', 'csv']),
    reporter: z.string(),
    reportedOn: z.string(),
    version: z.number().int(),
    correction: z.object({ reason: z.string(), document: z.string(), before: Yuan }).nullable(),
  })
  .openapi('Collection')

const LedgerRow = z.object({
  county: z.string(),
  creditCode: z.string().optional(),
  month: Month,
  collected: Yuan,
  returned: Yuan,
  held: Yuan,
})
const Ledger = z
  .object({
    by: z.enum(['county', 'firm']),
    rows: z.array(LedgerRow),
    totals: z.object({ collected: Yuan, returned: Yuan, held: Yuan }),
  })
  .openapi('Ledger')

const RefundRun = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    status: z.enum(['draft', 'notice', 'published']),
    rulebookVersionId: z.number().int(),
    evaluationBefore: z.number().int(),
    evaluationAfter: z.number().int(),
    paid: Yuan,
    total: Yuan,
    summary: z.object({
      rulesOn: z
        .string()
        .openapi({ description: 'the day whose refund items were read: 31 December of the year' }),
      rules: z.array(
        z.object({ id: z.string(), label: z.string(), assumed: z.boolean(), document: z.string() }),
      ),
      byCounty: z.array(
        z.object({
          county: z.string(),
          firms: z.number().int(),
          refunded: z.number().int(),
          paid: Yuan,
          amount: Yuan,
        }),
      ),
    }),
    noticeFrom: z.string().nullable(),
    noticeTo: z.string().nullable(),
    publishedOn: z.string().nullable(),
    publishedAt: z.string().nullable(),
    publishedBy: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('RefundRun')
const RefundItem = z.object({
  creditCode: z.string(),
  county: z.string(),
  classBefore: z.string().nullable(),
  classAfter: z.string().nullable(),
  rule: z.string().nullable(),
  share: z.string().nullable(),
  paid: Yuan,
  amount: Yuan,
  lines: z.array(z.object({ resource: z.string(), paid: Yuan, share: z.string(), amount: Yuan })),
  reason: z.string(),
})
const RefundRunDetail = RefundRun.extend({ items: z.array(RefundItem) }).openapi('RefundRunDetail')

export const ROUTES = {
  'POST /v1/collections:import': createRoute({
    method: 'post',
    path: '/v1/collections:import',
    tags: ['money'],
    summary:
      'A utility’s collected surcharges as CSV (UTF-8 or GBK; columns credit_code/统一社会信用代码, month/月份 YYYY-MM, resource/资源 (id or name: electricity/电力, water/水, gas/燃气), amount/征收金额（元）, at most two decimals, not negative): every row checked, a bad one named by row and column, and then nothing is stored. A firm-month-resource reported before is refused (409 COLLECTION_EXISTS) unless the upload is a correction (`reason` and `document`), which replaces it',
    request: {
      query: CorrectionQuery,
      body: { content: { 'text/csv': { schema: z.string() } }, required: true },
    },
    responses: reply(Recorded, 'what was recorded', 201),
  }),
  'GET /v1/collections': createRoute({
    method: 'get',
    path: '/v1/collections',
    tags: ['money'],
    summary:
      'Collected surcharges as reported: a utility reads its own reports, a county its firms, an enterprise its own',
    request: {
      query: z.object({
        county: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        creditCode: z.string().optional(),
        month: Month.optional(),
        limit: z.coerce.number().int().min(1).max(10_000).default(1000),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: reply(
      z.object({ rows: z.array(Collection) }).openapi('Collections'),
      'the collections',
    ),
  }),
  'GET /v1/ledger': createRoute({
    method: 'get',
    path: '/v1/ledger',
    tags: ['money'],
    summary:
      'The ledger: collected (by the month billed), returned (published refund runs, by the month of publication) and held (collected − returned), per county and month or per firm (`by=firm`), with totals. Scoped: a utility sees what it reported (and the refunds on those firms and resources), a county its own firms, an enterprise its own; the city’s offices all',
    request: {
      query: z.object({
        county: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        creditCode: z.string().optional(),
        month: Month.optional(),
        year: z.coerce.number().int().min(2000).max(2100).optional(),
        from: Month.optional(),
        to: Month.optional(),
        by: z.enum(['county', 'firm']).default('county'),
      }),
    },
    responses: reply(Ledger, 'the ledger'),
  }),
  'POST /v1/refunds': createRoute({
    method: 'post',
    path: '/v1/refunds',
    tags: ['money'],
    summary:
      'Compute the refund (返还奖励) of a payment year as a draft run, by the rulebook’s `refunds` items in force on 31 December of that year: what each firm paid in the year (collections reported), its class in the published evaluations of the year before and of the year. Refused before the year is over (422 YEAR_NOT_OVER), before the evaluation of the year is published (422 NO_PUBLISHED_RUN), and once a run of the year is published (409). Runs off the request thread; with `Prefer: respond-async` answers 202 with the job at once',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.object({ year: z.number().int().min(2000).max(2100) }),
          },
        },
        required: true,
      },
    },
    responses: { ...reply(RefundRun, 'the draft run', 201), ...accepted },
  }),
  'GET /v1/refunds': createRoute({
    method: 'get',
    path: '/v1/refunds',
    tags: ['money'],
    summary: 'Refund runs, newest first',
    request: { query: z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() }) },
    responses: reply(z.object({ rows: z.array(RefundRun) }).openapi('RefundRuns'), 'the runs'),
  }),
  'GET /v1/refunds/{id}': createRoute({
    method: 'get',
    path: '/v1/refunds/{id}',
    tags: ['money'],
    summary:
      'A refund run with each firm’s refund and its trace (classes compared, rule and share, lines by resource, reason); a county sees its own firms',
    request: {
      params: Id,
      query: z.object({
        county: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        refunded: z
          .enum(['true', 'false'])
          .optional()
          .openapi({ description: 'only firms that get something back' }),
      }),
    },
    responses: reply(RefundRunDetail, 'the run'),
  }),
  'POST /v1/refunds/{id}/notice': createRoute({
    method: 'post',
    path: '/v1/refunds/{id}/notice',
    tags: ['money'],
    summary:
      'Put a draft refund run to public notice (公示) from today for the rulebook’s notice period; one run of a year at a time (audited as refund.notice)',
    request: { params: Id },
    responses: reply(RefundRun, 'the run in notice'),
  }),
  'POST /v1/refunds/{id}/publish': createRoute({
    method: 'post',
    path: '/v1/refunds/{id}/publish',
    tags: ['money'],
    summary:
      'Publish a refund run after its notice (audited as refund.publish): its refunds count as returned in the ledger from today; one published run a year',
    request: { params: Id },
    responses: reply(RefundRun, 'the published run'),
  }),
}
