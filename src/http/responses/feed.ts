/**
 * The change feed's page and a row of the tier export.
 * @module http/responses/feed
 */
import { z } from '@hono/zod-openapi'
import { nullable } from './common.ts'

const TierBrief = z.object({
  class: nullable(z.string()),
  category: nullable(z.string()),
  closed: z.boolean(),
})

export const TierChangesSchema = z
  .object({
    since: z.string(),
    cursor: z.string().openapi({ description: 'ask with this next (`since`)' }),
    more: z.boolean().openapi({ description: 'true: the next page continues this comparison' }),
    changes: z.array(
      z.object({
        creditCode: z.string(),
        county: z.string(),
        from: z.string().openapi({ description: 'the first day the tier differs' }),
        why: z.array(
          z.object({
            kind: z.enum(['publication', 'override', 'closure', 'rules', 'list']),
            act: z.string(),
            at: z.string(),
            day: z.string(),
          }),
        ),
        before: TierBrief,
        after: TierBrief,
      }),
    ),
  })
  .openapi('TierChanges')

export const TierExportRowSchema = z
  .object({
    creditCode: z.string(),
    county: z.string(),
    from: z.string(),
    to: z.string(),
    evaluationYear: z.number(),
    class: nullable(z.string()),
    classLabel: nullable(z.string()),
    category: nullable(z.string()),
    categoryLabel: nullable(z.string()),
    sector: nullable(z.string()),
    closed: z.boolean(),
    rates: z.record(z.string(), z.string()),
    rulebookVersion: z.number(),
  })
  .openapi('TierExportRow')
