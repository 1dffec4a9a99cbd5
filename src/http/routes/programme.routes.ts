/**
 * The rectification programme's API contracts: request and response schemas and the documented routes.
 * @module http/routes/programme.routes
 */
import { createRoute, z } from '@hono/zod-openapi'
import {
  BackdateDecisionRequest,
  DispositionPatchRequest,
  DispositionRequest,
  ProjectPatchRequest,
  ProjectRequest,
  VerifyRequest,
} from '../../app/programme.ts'
import { reply } from '../responses.ts'
import { CreditCode } from '../schemas.ts'

const Id = z.object({ id: z.coerce.number().int().min(1) })
const YearParam = z.object({ year: z.coerce.number().int().min(2000).max(2100) })
const ReportParams = z.object({
  county: z.string().regex(/^\d{6}$/),
  quarter: z.string().regex(/^\d{4}Q[1-4]$/, 'quarters are like 2016Q2'),
})
const IfMatch = z.object({ 'if-match': z.string().optional() })
const json = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
})
const Day = z.string().openapi({ example: '2016-06-30' })
const Project = z
  .object({
    id: z.number().int(),
    county: z.string(),
    year: z.number().int(),
    kind: z.enum(['sector', 'block']),
    name: z.string(),
    township: z.string(),
    industryCode: z.string().nullable(),
    startsOn: Day,
    endsOn: Day,
    cluster: z.string().nullable(),
    clusterBuiltOn: Day.nullable(),
    status: z.enum(['active', 'completed', 'withdrawn']),
    filedOn: Day.openapi({
      description:
        'the day the programme counts the list filed: the day it was sent, or an earlier day the economy office accepted (see backdate requests)',
    }),
    registeredAt: z.string(),
    registeredBy: z.string(),
    version: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Project')
const Disposition = z
  .object({
    id: z.number().int(),
    projectId: z.number().int(),
    creditCode: z.string(),
    county: z.string(),
    kind: z.enum(['upgrade', 'compliance', 'closure']),
    deadline: Day,
    status: z.enum(['planned', 'in_progress', 'done', 'abandoned']),
    startedOn: Day.nullable(),
    completedOn: Day.nullable(),
    evidence: z.string(),
    changes: z.string(),
    energyFreedTce: z.string(),
    waterFreedM3: z.string(),
    landFreedMu: z.string(),
    jobsReduced: z.number().int(),
    verifiedOn: Day.nullable().openapi({
      description: 'the economy office’s check; a closure ends surcharges only once verified',
    }),
    verifiedBy: z.string().nullable(),
    verifiedAt: z
      .string()
      .nullable()
      .openapi({ description: 'when the verification was recorded' }),
    version: z.number().int(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Disposition')
/** A verified closure: from `on` the firm is charged nothing. */
const ClosureFields = {
  on: Day.openapi({
    description:
      'the day surcharges stop: the later of the completion and the verification, or the completion day for a verification recorded as a correction',
  }),
  dispositionId: z.number().int(),
  projectId: z.number().int(),
  completedOn: Day,
  verifiedOn: Day,
  verifiedAt: z.string().openapi({ description: 'when the verification was recorded' }),
  verifiedBy: z.string(),
  correction: z
    .object({ reason: z.string(), ref: z.string().nullable() })
    .nullable()
    .openapi({ description: 'a verification recorded as a correction: why, and the document' }),
}
const Closure = z.object(ClosureFields)
const BackdateRequest = z
  .object({
    id: z.number().int(),
    kind: z.enum(['project', 'report']),
    county: z.string(),
    projectId: z.number().int().nullable(),
    quarter: z.string().nullable(),
    seq: z.number().int().nullable(),
    claimedOn: Day.openapi({ description: 'the earlier day the county says' }),
    sentOn: Day.openapi({
      description: 'the day the record reached mujun; it counts until accepted',
    }),
    reason: z.string(),
    requestedAt: z.string(),
    requestedBy: z.string(),
    status: z.enum(['pending', 'accepted', 'refused']),
    decision: z
      .object({
        decision: z.enum(['accepted', 'refused']),
        reason: z.string(),
        ref: z.string().nullable(),
        decidedAt: z.string(),
        decidedBy: z.string(),
      })
      .nullable(),
  })
  .openapi('BackdateRequest')
const Basis = z.union([
  z.object({ dispositions: z.array(z.number().int()), projects: z.array(z.number().int()) }),
  z.object({
    baseYear: z.number().int(),
    base: z.object({ firms: z.number(), valueAdded: z.number(), employees: z.number() }).nullable(),
    year: z.number().int(),
    current: z
      .object({ firms: z.number(), valueAdded: z.number(), employees: z.number() })
      .nullable(),
  }),
])
const TargetFigure = z.object({
  targetId: z.string(),
  metric: z.string(),
  label: z.string(),
  unit: z.string(),
  target: z.number(),
  value: z.string().nullable().openapi({ description: 'exact decimal; null when not measurable' }),
  ratio: z.number().nullable(),
  basis: Basis.openapi({ description: 'the records (or productivity totals) the value counts' }),
  note: z.string(),
})
const MonthRow = z.object({
  month: z.string(),
  upgraded: z.number().int(),
  compliance: z.number().int(),
  closed: z.number().int(),
  energyFreedTce: z.string(),
  waterFreedM3: z.string(),
  landFreedMu: z.string(),
  jobsReduced: z.number().int(),
  cumulative: z.object({
    upgraded: z.number().int(),
    compliance: z.number().int(),
    closed: z.number().int(),
    energyFreedTce: z.string(),
    landFreedMu: z.string(),
  }),
})
const ListStatus = z.object({
  county: z.string(),
  year: z.number().int(),
  deadlineId: z.string(),
  due: Day,
  minProjects: z.number().int(),
  onTime: z.array(z.number().int()),
  filed: z.array(z.number().int()),
  status: z.enum(['on_time', 'late', 'missing', 'pending']),
})
const Progress = z
  .object({
    asOf: Day,
    targets: z.array(
      z.object({
        id: z.string(),
        from: Day,
        to: Day.nullable(),
        origin: z.object({ file: z.string(), line: z.number().int() }).passthrough(),
      }),
    ),
    city: z.array(TargetFigure),
    counties: z.array(
      z.object({
        county: z.string(),
        name: z.string(),
        figures: z.array(TargetFigure),
        months: z.array(MonthRow),
      }),
    ),
    lists: z.array(ListStatus),
    months: z.array(MonthRow),
  })
  .openapi('ProgrammeProgress')
const State = z.enum(['on_time', 'late', 'missing', 'pending'])
const Submission = z
  .object({
    county: z.string(),
    quarter: z.string(),
    seq: z.number().int(),
    submittedOn: Day,
    submittedAt: z.string(),
    submittedBy: z.string(),
  })
  .openapi('ReportSubmission')
const Report = z
  .object({
    county: z.string(),
    name: z.string(),
    quarter: z.string(),
    due: Day,
    state: State,
    submissions: z.array(Submission),
    report: z.object({
      county: z.string(),
      quarter: z.string(),
      from: Day,
      to: Day,
      months: z.array(MonthRow),
      projects: z.array(
        z.object({
          id: z.number().int(),
          name: z.string(),
          year: z.number().int(),
          status: z.string(),
          dispositions: z.object({
            planned: z.number().int(),
            in_progress: z.number().int(),
            done: z.number().int(),
            abandoned: z.number().int(),
          }),
        }),
      ),
      overdue: z.array(
        z.object({
          dispositionId: z.number().int(),
          projectId: z.number().int(),
          creditCode: z.string(),
          kind: z.string(),
          deadline: Day,
          status: z.string(),
        }),
      ),
    }),
  })
  .openapi('QuarterReport')
const Measure = z.object({
  value: z.string(),
  projects: z.array(z.number().int()),
  dispositions: z.array(z.number().int()),
})
const Allocation = z
  .object({
    fundId: z.string(),
    label: z.string(),
    year: z.number().int(),
    amount: z.string(),
    origin: z.object({ file: z.string(), line: z.number().int() }),
    criteria: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        metric: z.string(),
        weight: z.number(),
        total: z.string(),
        counted: z.boolean(),
      }),
    ),
    counties: z.array(
      z.object({
        county: z.string(),
        name: z.string(),
        criteria: z.array(
          z.object({
            id: z.string(),
            value: z.string(),
            share: z.string(),
            weighted: z.string(),
            measure: Measure,
          }),
        ),
        score: z.string(),
        exact: z.string(),
        allocated: z
          .string()
          .openapi({ description: 'yuan, to the fen; the allocations add up to amount' }),
      }),
    ),
    total: z.string(),
    notes: z.array(z.string()),
    rulebookVersion: z.number().int(),
  })
  .openapi('FundAllocation')
const Fixed = z
  .object({
    year: z.number().int(),
    fundId: z.string(),
    rulebookVersionId: z.number().int(),
    total: z.string(),
    allocation: Allocation,
    fixedAt: z.string(),
    fixedBy: z.string(),
  })
  .openapi('FixedFundAllocation')

/** The documented contracts of these routes, keyed 'METHOD path'. */
export const ROUTES = {
  'POST /v1/projects': createRoute({
    method: 'post',
    path: '/v1/projects',
    tags: ['programme'],
    summary:
      'A county registers a rectification project (整治提升项目) of a programme year: sector or block, township, dates, the cluster it builds',
    request: json(ProjectRequest),
    responses: reply(
      Project.extend({ backdateRequest: BackdateRequest.nullable() }).openapi('RegisteredProject'),
      'the project; an earlier filedOn is a pending backdate request, and until the economy office accepts it the project counts as filed today',
      201,
    ),
  }),
  'GET /v1/projects': createRoute({
    method: 'get',
    path: '/v1/projects',
    tags: ['programme'],
    summary: 'Projects (a county token sees its own county)',
    request: {
      query: z.object({
        county: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        year: z.coerce.number().int().min(2000).max(2100).optional(),
      }),
    },
    responses: reply(z.object({ rows: z.array(Project) }).openapi('Projects'), 'the projects'),
  }),
  'GET /v1/projects/{id}': createRoute({
    method: 'get',
    path: '/v1/projects/{id}',
    tags: ['programme'],
    summary:
      'A project with the disposition of each of its enterprises (一企一档) and its county’s claims of an earlier filing day, with their decisions',
    request: { params: Id },
    responses: reply(
      Project.extend({
        dispositions: z.array(Disposition),
        backdateRequests: z.array(BackdateRequest),
      }).openapi('ProjectDetail'),
      'the project',
    ),
  }),
  'PATCH /v1/projects/{id}': createRoute({
    method: 'patch',
    path: '/v1/projects/{id}',
    tags: ['programme'],
    summary:
      'Change a project (its county; needs If-Match "p<version>"): end date, status, the cluster and the day it was built',
    request: { params: Id, headers: IfMatch, ...json(ProjectPatchRequest) },
    responses: reply(Project, 'the new version'),
  }),
  'POST /v1/projects/{id}/dispositions': createRoute({
    method: 'post',
    path: '/v1/projects/{id}/dispositions',
    tags: ['programme'],
    summary:
      'Add an enterprise of the county to a project with its disposition: upgrade (改造提升), compliance (整治规范) or closure (淘汰关停)',
    request: { params: Id, ...json(DispositionRequest) },
    responses: reply(Disposition, 'the disposition', 201),
  }),
  'PATCH /v1/dispositions/{id}': createRoute({
    method: 'patch',
    path: '/v1/dispositions/{id}',
    tags: ['programme'],
    summary:
      'Record progress on a disposition (its county; needs If-Match "d<version>"): status, dates, evidence, what changed, what was freed (never more than the firm’s own latest figures: 422 FREED_EXCEEDS_FIGURES). A done closure ends the firm’s surcharges once the economy office has verified it; a change clears the verification',
    request: { params: Id, headers: IfMatch, ...json(DispositionPatchRequest) },
    responses: reply(Disposition, 'the new version'),
  }),
  'POST /v1/projects/{id}/dispositions:import': createRoute({
    method: 'post',
    path: '/v1/projects/{id}/dispositions:import',
    tags: ['programme'],
    summary:
      'A county’s ledger (一企一档) for the project as CSV (UTF-8 or GBK; columns credit_code/统一社会信用代码, kind/处置类型, deadline/期限, and optionally status, dates, evidence, changes, what was freed): every row checked as one disposition; one bad row and nothing is stored',
    request: { params: Id, body: { content: { 'text/csv': { schema: z.string() } } } },
    responses: reply(
      z
        .object({
          projectId: z.number().int(),
          encoding: z.string(),
          created: z.number().int(),
          ids: z.array(z.number().int()),
        })
        .openapi('LedgerImport'),
      'the dispositions created',
      201,
    ),
  }),
  'POST /v1/dispositions/{id}/verify': createRoute({
    method: 'post',
    path: '/v1/dispositions/{id}/verify',
    tags: ['programme'],
    summary:
      'The economy office verifies (核验) a done disposition today (needs If-Match "d<version>"); a verified closure ends the firm’s surcharges from the later of its completion and today, so days already billed keep their charges. An earlier verifiedOn, or reason and ref (the document, 文号), make it a correction: from the completion day, audited as disposition.verify.correction; without both, 422 CORRECTION_REQUIRED names the first day affected. A later change of the record clears the verification',
    request: {
      params: Id,
      headers: IfMatch,
      ...json(VerifyRequest),
    },
    responses: reply(Disposition, 'the verified disposition'),
  }),
  'GET /v1/enterprises/{creditCode}/dispositions': createRoute({
    method: 'get',
    path: '/v1/enterprises/{creditCode}/dispositions',
    tags: ['programme'],
    summary: 'An enterprise’s programme record: its dispositions and, if closed, its closure',
    request: { params: z.object({ creditCode: CreditCode }) },
    responses: reply(
      z
        .object({
          creditCode: z.string(),
          closure: Closure.nullable(),
          dispositions: z.array(Disposition),
        })
        .openapi('EnterpriseProgrammeRecord'),
      'the record',
    ),
  }),
  'GET /v1/programme/progress': createRoute({
    method: 'get',
    path: '/v1/programme/progress',
    tags: ['programme'],
    summary:
      'Progress against the plan’s targets measured from the records (city and each county), each figure with the records it counts; list deadlines; the monthly series',
    request: { query: z.object({ asOf: z.iso.date().optional() }) },
    responses: reply(Progress, 'the progress'),
  }),
  'GET /v1/programme/lists/{year}': createRoute({
    method: 'get',
    path: '/v1/programme/lists/{year}',
    tags: ['programme'],
    summary:
      'Each county’s project list for a programme year against its deadline: on time, late, missing, pending',
    request: { params: YearParam },
    responses: reply(z.object({ rows: z.array(ListStatus) }).openapi('ProjectLists'), 'the lists'),
  }),
  'GET /v1/programme/reports': createRoute({
    method: 'get',
    path: '/v1/programme/reports',
    tags: ['programme'],
    summary:
      'Every county’s quarterly report state for a quarter (a county that has not reported is `missing`)',
    request: { query: z.object({ quarter: ReportParams.shape.quarter }) },
    responses: reply(
      z
        .object({
          rows: z.array(
            z.object({
              county: z.string(),
              name: z.string(),
              quarter: z.string(),
              due: Day,
              state: State,
              submissions: z.number().int(),
              firstSubmittedOn: Day.nullable(),
            }),
          ),
        })
        .openapi('ReportStates'),
      'the states',
    ),
  }),
  'GET /v1/programme/reports/{county}/{quarter}': createRoute({
    method: 'get',
    path: '/v1/programme/reports/{county}/{quarter}',
    tags: ['programme'],
    summary:
      'A county’s quarterly report (季报送) generated from the records now, with its due day and submissions',
    request: { params: ReportParams },
    responses: reply(Report, 'the report'),
  }),
  'GET /v1/programme/reports/{county}/{quarter}/report.csv': createRoute({
    method: 'get',
    path: '/v1/programme/reports/{county}/{quarter}/report.csv',
    tags: ['programme'],
    summary: 'The quarterly report as CSV (UTF-8 with BOM, opens in Excel)',
    request: { params: ReportParams },
    responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
  }),
  'POST /v1/programme/reports/{county}/{quarter}': createRoute({
    method: 'post',
    path: '/v1/programme/reports/{county}/{quarter}',
    tags: ['programme'],
    summary:
      'A county submits its quarterly report: the report as the records show it now is frozen and kept (a later submission adds a new one)',
    request: {
      params: ReportParams,
      ...json(
        z.strictObject({
          submittedOn: z.iso.date().optional(),
          historicReason: z.string().trim().min(5).max(2000).optional(),
        }),
      ),
    },
    responses: reply(
      Submission.extend({ backdateRequest: BackdateRequest.nullable() }).openapi(
        'NewReportSubmission',
      ),
      'the submission, made today; an earlier submittedOn is a pending backdate request, and until the economy office accepts it the report counts as submitted today',
      201,
    ),
  }),
  'GET /v1/programme/backdate-requests': createRoute({
    method: 'get',
    path: '/v1/programme/backdate-requests',
    tags: ['programme'],
    summary:
      'Counties’ claims that a project list or a quarterly report went in before the day it reached mujun, with the economy office’s decision (a county token sees its own)',
    request: {
      query: z.object({
        county: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        status: z.enum(['pending', 'accepted', 'refused']).optional(),
      }),
    },
    responses: reply(
      z.object({ rows: z.array(BackdateRequest) }).openapi('BackdateRequests'),
      'the requests, oldest first',
    ),
  }),
  'POST /v1/programme/backdate-requests/{id}/decision': createRoute({
    method: 'post',
    path: '/v1/programme/backdate-requests/{id}/decision',
    tags: ['programme'],
    summary:
      'The economy office accepts or refuses a backdate request, once. Accepting dates the record from the day claimed, a correction: it needs reason and ref (the document, 文号), else 422 CORRECTION_REQUIRED naming that day; audited as backdate-request.accept.correction. Refusing needs a reason',
    request: { params: Id, ...json(BackdateDecisionRequest) },
    responses: reply(BackdateRequest, 'the decided request'),
  }),
  'GET /v1/funds/{year}/preview': createRoute({
    method: 'get',
    path: '/v1/funds/{year}/preview',
    tags: ['programme'],
    summary:
      'The fund’s allocation among the counties computed now from the year’s records by the rulebook’s weighted criteria, with each county’s trace; a disposition counts as done only once the economy office has verified it. Nothing is stored',
    request: { params: YearParam },
    responses: reply(Allocation, 'the allocation'),
  }),
  'POST /v1/funds/{year}': createRoute({
    method: 'post',
    path: '/v1/funds/{year}',
    tags: ['programme'],
    summary:
      'Fix (定案) the year’s allocation as previewed now, with its trace and rulebook version; once fixed it is never replaced',
    request: { params: YearParam },
    responses: reply(Fixed, 'the fixed allocation', 201),
  }),
  'GET /v1/funds/{year}': createRoute({
    method: 'get',
    path: '/v1/funds/{year}',
    tags: ['programme'],
    summary: 'The fixed allocation of a year',
    request: { params: YearParam },
    responses: reply(Fixed, 'the fixed allocation'),
  }),
}
