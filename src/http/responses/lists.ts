/**
 * Designated lists (名单) for sector pricing: a list, its entries.
 * @module http/responses/lists
 */
import { z } from '@hono/zod-openapi'
import { nullable } from './common.ts'

const ListFields = {
  id: z.string(),
  label: z.string(),
  schedule: z
    .string()
    .openapi({ description: 'the surcharge schedule it governs (its id in the rules)' }),
  document: z.string().openapi({ description: 'the list’s document (文号)' }),
  startOn: z.string(),
  transitionUntil: nullable(z.string()).openapi({
    description:
      'last day of the transition period (过渡期), inclusive: listed firms pay from the day after',
  }),
  firstChargedDay: z.string(),
  status: z.enum(['proposed', 'approved', 'rejected', 'withdrawn']),
  version: z.number().int(),
  proposedAt: z.string(),
  proposedBy: z.string(),
  decidedAt: nullable(z.string()),
  decidedBy: nullable(z.string()),
  decisionRef: nullable(z.string()),
  decisionReason: nullable(z.string()),
}

export const ListEntrySchema = z
  .object({
    id: z.number().int(),
    listId: z.string(),
    creditCode: z.string(),
    addedOn: z.string(),
    addedRef: z.string(),
    addedAt: z.string(),
    addedBy: z.string(),
    addedCorrection: nullable(z.string()),
    removedOn: nullable(z.string()).openapi({
      description: 'first day off the list (after 复查): nothing is charged from it',
    }),
    removedRef: nullable(z.string()).openapi({ description: 'the 复查 document' }),
    removedAt: nullable(z.string()),
    removedBy: nullable(z.string()),
    removedCorrection: nullable(z.string()),
  })
  .openapi('ListEntry')

export const ListSchema = z
  .object({ ...ListFields, entries: z.array(ListEntrySchema) })
  .openapi('DesignatedList')

export const ListSummariesSchema = z
  .object({
    lists: z.array(
      z.object({
        ...ListFields,
        onList: z.number().int().openapi({ description: 'firms on it today' }),
      }),
    ),
  })
  .openapi('DesignatedLists')
