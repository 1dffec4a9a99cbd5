/**
 * Rating results, enterprises and their figures, evaluation runs, objections and results.
 * @module http/responses/evaluations
 */
import { z } from '@hono/zod-openapi'
import { Iso, nullable } from './common.ts'
import { Category } from './tiers.ts'

export const RatingResultSchema = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    county: z.string(),
    industryCode: z.string(),
    sector: z.string(),
    year: z.number().int(),
    status: z.string(),
    problems: z.array(z.string()),
    group: nullable(z.string()),
    score: nullable(z.number()),
    baseScore: nullable(z.number()),
    rank: nullable(z.number().int()),
    groupSize: nullable(z.number().int()),
    percentile: nullable(z.number()),
    initialClass: nullable(z.string()),
    class: nullable(z.string()),
    category: Category,
    method: nullable(z.string()).optional().openapi({
      description:
        'the evaluation method that rated the firm: null for the city’s, else the id of the county override that sets the county’s own (属地评价); absent in results stored before county methods',
    }),
    plot: nullable(
      z.object({
        id: z.string(),
        firms: z.array(z.object({ creditCode: z.string(), name: z.string() })),
        rule: z.looseObject({ section: z.string(), id: z.string(), label: z.string(), from: Iso }),
        figures: z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]).optional()),
      }),
    )
      .optional()
      .openapi({
        description:
          'the land plot the firm shares (租赁厂房, 多家企业共用一宗地) and was rated with as one unit: its id, its tenants, the plot rule, and the figures the plot was rated on (summed, the plot’s area once); null for a firm rated alone; absent in results stored before plots',
      }),
    zone: nullable(z.string()).optional().openapi({
      description:
        'the zone (an evaluation unit that is not an administrative division, e.g. 杭州湾新区) the firm was benchmarked and ranked in; null: its county',
    }),
    trace: z.object({
      indicators: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          unit: z.string(),
          formula: z.string(),
          value: nullable(z.number()).openapi({
            description:
              'null when the figure is not reported (the item then scores the peers’ mean points)',
          }),
          benchmark: z.number(),
          benchmarkKind: z.string(),
          ratio: nullable(z.number()),
          cappedRatio: nullable(z.number()),
          weight: z.number(),
          points: z.number(),
        }),
      ),
      adjustments: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          kind: z.enum(['bonus', 'deduction']),
          points: z.number(),
        }),
      ),
      vetoes: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          effect: z.enum(['force', 'cap', 'floor']),
          class: z.string(),
          applied: z.boolean(),
        }),
      ),
      rules: z.array(
        z.object({
          section: z.string(),
          id: z.string(),
          label: z.string(),
          from: Iso,
          file: z.string(),
          line: z.number().int(),
          document: z.string(),
          assumed: z.boolean(),
        }),
      ),
    }),
  })
  .openapi('RatingResult')

export const FigureValues = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]))

export const StoredResultSchema = RatingResultSchema.extend({
  figures: FigureValues.optional(),
  regrade: z
    .object({
      objection: z.number().int(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      reason: z.string(),
    })
    .optional()
    .openapi({
      description: 'the upheld objection that changed the class on review (复核), if any',
    }),
}).openapi('StoredResult')

export const EnterpriseRow = z.object({
  creditCode: z.string(),
  name: z.string(),
  county: z.string(),
  industryCode: z.string(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
})
export const EnterpriseSchema = EnterpriseRow.extend({ etag: z.string() }).openapi('Enterprise')
export const EnterpriseListSchema = z
  .object({ total: z.number().int(), rows: z.array(EnterpriseRow) })
  .openapi('EnterpriseList')

export const FiguresSchema = z
  .object({
    creditCode: z.string(),
    year: z.number().int(),
    data: FigureValues,
    version: z.number().int(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
    etag: z.string(),
  })
  .openapi('Figures')

export const ImportResultSchema = z
  .object({
    year: z.number().int(),
    rows: z.number().int(),
    encoding: z.string(),
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z.array(
      z.object({ row: z.number().int(), column: z.string().optional(), message: z.string() }),
    ),
  })
  .openapi('ImportResult')

export const Run = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    rulebookVersionId: z.number().int(),
    overrideRevision: nullable(z.number().int()).openapi({
      description: 'the newest county override revision when the run was made',
    }),
    status: z.enum(['draft', 'notice', 'published', 'superseded']).openapi({
      description:
        'draft → notice (公示: provisional, firms may object) → published (final) → superseded',
    }),
    counts: z.record(z.string(), z.number().int()),
    createdAt: z.string(),
    createdBy: z.string(),
    noticeFrom: nullable(Iso),
    noticeTo: nullable(Iso),
    noticedBy: nullable(z.string()),
    publishedAt: nullable(z.string()),
    publishedBy: nullable(z.string()),
    bindingFrom: nullable(Iso).openapi({
      description:
        'the first day its classes bind: Y+1-01-01 or the publication date, whichever is later',
    }),
    correction: nullable(z.record(z.string(), z.unknown())).openapi({
      description:
        'a publication recorded after the fact (made outside mujun): its date, reason, document (文号) and reach',
    }),
  })
  .openapi('EvaluationRun')
export const RunSchema = Run
export const RunListSchema = z.object({ runs: z.array(Run) }).openapi('EvaluationRuns')
export const RunCreatedSchema = z
  .object({ id: z.number().int(), counts: z.record(z.string(), z.number().int()) })
  .openapi('EvaluationCreated')
export const PublishedSchema = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    supersedes: nullable(z.number().int()),
    bindingFrom: Iso,
  })
  .openapi('EvaluationPublished')
export const NoticeSchema = z
  .object({ id: z.number().int(), year: z.number().int(), noticeFrom: Iso, noticeTo: Iso })
  .openapi('EvaluationNotice')
export const ObjectionSchema = z
  .object({
    id: z.number().int(),
    runId: z.number().int(),
    creditCode: z.string(),
    county: z.string().optional(),
    reason: z.string(),
    evidence: z.string(),
    filedAt: z.string(),
    filedBy: z.string(),
    status: z.enum(['open', 'upheld', 'rejected']),
    classBefore: nullable(z.string()),
    classAfter: nullable(z.string()),
    decision: nullable(z.string()),
    decidedAt: nullable(z.string()),
    decidedBy: nullable(z.string()),
  })
  .openapi('Objection')
export const ProvisionalSchema = z
  .object({
    evaluationId: z.number().int(),
    status: z.literal('notice'),
    noticeFrom: Iso,
    noticeTo: Iso,
    result: StoredResultSchema,
    objections: z.array(ObjectionSchema),
  })
  .openapi('ProvisionalResult')
export const ObjectionListSchema = z
  .object({ objections: z.array(ObjectionSchema) })
  .openapi('Objections')
export const ResultsSchema = z
  .object({ results: z.array(StoredResultSchema) })
  .openapi('EvaluationResults')
