/**
 * Response bodies of figures by department: a submission's receipt, the completeness report, the land areas'
 * publication, a firm's sheet, and the disputes.
 * @module http/responses/intake
 */
import { z } from '@hono/zod-openapi'
import { nullable } from './common.ts'

const Value = z.union([z.number(), z.boolean(), z.string()])

export const SubmissionReceiptSchema = z
  .object({
    year: z.number().int(),
    department: z.string(),
    encoding: z.enum(['utf-8', 'gbk']),
    inputs: z.array(z.string()),
    firms: z.number().int(),
    versions: z.number().int().openapi({ description: 'figures stored as a new version' }),
    unchanged: z
      .number()
      .int()
      .openapi({ description: 'figures equal to their newest version: nothing stored' }),
  })
  .openapi('SubmissionReceipt')

/** Unnamed where it may be null: a named component's reference cannot say so. */
const LandWindow = z.object({
  year: z.number().int(),
  publishedOn: z.string(),
  objectionUntil: z.string(),
  publishedAt: z.string(),
  publishedBy: z.string(),
})

export const LandPublicationSchema = LandWindow.openapi('LandPublication')

export const CompletenessSchema = z
  .object({
    year: z.number().int(),
    required: z.array(z.object({ input: z.string(), department: z.string() })),
    landPublication: nullable(LandWindow),
    counties: z.array(
      z.object({
        county: z.string(),
        name: z.string(),
        firms: z.number().int(),
        complete: z.number().int(),
        missing: z.array(
          z.object({
            creditCode: z.string(),
            name: z.string(),
            county: z.string(),
            inputs: z.array(z.object({ input: z.string(), department: z.string() })),
          }),
        ),
      }),
    ),
  })
  .openapi('Completeness')

export const SheetAnswerSchema = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    creditCode: z.string(),
    kind: z.enum(['confirm', 'dispute']),
    seen: nullable(z.number().int()),
    input: nullable(z.string()),
    submissionId: nullable(z.number().int()),
    claimed: nullable(Value),
    reason: nullable(z.string()),
    status: z.enum(['confirmed', 'open', 'upheld', 'rejected']),
    filedAt: z.string(),
    filedBy: z.string(),
    decidedAt: nullable(z.string()),
    decidedBy: nullable(z.string()),
    decision: nullable(z.string()),
    resolvedSubmissionId: nullable(z.number().int()),
  })
  .openapi('SheetAnswer')

export const SheetSchema = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    county: z.string(),
    year: z.number().int(),
    standing: z.enum(['confirmed', 'deemed', 'disputed', 'pending']),
    landPublication: nullable(LandWindow),
    windowOpen: z.boolean(),
    figures: z.array(
      z.object({
        input: z.string(),
        label: z.string(),
        unit: nullable(z.string()),
        value: Value,
        department: z.string(),
        version: z.number().int(),
        submittedAt: z.string(),
        submittedBy: z.string(),
        submissionId: z.number().int(),
        note: nullable(z.string()),
        versions: z.number().int(),
      }),
    ),
    answers: z.array(SheetAnswerSchema),
  })
  .openapi('Sheet')

export const DisputeListSchema = z
  .array(
    SheetAnswerSchema.extend({
      name: z.string(),
      county: z.string(),
      label: z.string(),
      unit: nullable(z.string()),
      disputedValue: nullable(Value),
    }),
  )
  .openapi('DisputeList')
