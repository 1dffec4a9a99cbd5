/**
 * Request contracts shared by every edge (the API, the pages, the command line): the schemas a request is checked
 * against, and the error a part that fails one is reported with.
 * @module app/requests
 */
import { z } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import { knownAtInstant } from '../dates.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'

/** A request part that failed its zod schema, thrown by handlers that validate for themselves (see `jsonBody`). */
export class RequestInvalid extends Error {
  constructor(
    readonly error: ZodError,
    readonly where: string,
  ) {
    super(`the ${where} is invalid`)
  }
}

/** 统一社会信用代码 with its GB 32100-2015 check character verified. */
export const CreditCode = z
  .string()
  .superRefine((v, ctx) => {
    const p = creditCodeProblem(v)
    if (p) ctx.addIssue({ code: 'custom', message: p })
  })
  .openapi({
    example: '91330282MA2000001R',
    description: '统一社会信用代码 (GB 32100-2015, check character verified)',
  })
export const IsoDate = z.iso.date().openapi({ example: '2025-03-01' })

// One numeric contract for a quantity, sent as a string or a JSON number: at most 15 digits before the point and
// 9 after (a JSON number is checked on its shortest decimal form, the one JSON.stringify writes).
export const QUANTITY = /^\d{1,15}(\.\d{1,9})?$/
const Quantity = z.union([
  z
    .string()
    .regex(QUANTITY, 'a non-negative decimal with at most 15 digits before the point and 9 after'),
  z.number().refine((n) => Number.isFinite(n) && n >= 0 && QUANTITY.test(String(n)), {
    message: 'a non-negative number with at most 15 digits before the point and 9 after',
  }),
])

/**
 * "As known at": a date (the end of that day in Ningbo) or an ISO date-time with its offset; normalised to the UTC
 * instant stored timestamps are compared with. The answer is what the service would have answered then.
 */
export const KnownAt = z
  .string()
  .max(40)
  .transform((v, ctx) => {
    const at = knownAtInstant(v)
    if (at === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'a date YYYY-MM-DD (the end of that day in Ningbo) or an ISO date-time with its offset',
      })
      return z.NEVER
    }
    return at
  })
  .openapi({
    type: 'string',
    example: '2026-06-30',
    description:
      'answer as known at this date (end of that day in Ningbo) or ISO date-time: the rule versions, overrides, publications and verifications recorded by then; default now',
  })

export const QuoteBody = z.object({
  creditCode: CreditCode,
  resource: z.string().openapi({ example: 'electricity' }),
  from: IsoDate,
  to: IsoDate,
  quantity: Quantity.optional(),
  readings: z
    .array(z.object({ from: IsoDate, to: IsoDate, quantity: Quantity }))
    .max(400)
    .optional(),
  knownAt: KnownAt.optional(),
})

/** A quote request, as POST /v1/quotes and each line of a billing run send it. */
export type QuoteRequest = z.infer<typeof QuoteBody>
