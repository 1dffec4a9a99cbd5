/**
 * Request and response schemas shared by the route groups.
 * @module http/schemas
 */
import { z } from '@hono/zod-openapi'
import { creditCodeProblem } from '../enterprise/credit-code.ts'

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
export const County = z.string().regex(/^\d{6}$/, 'a 6-digit county code')
export const Industry = z.string().regex(/^[A-Z]?\d{2,4}$/, 'a GB/T 4754 industry code')
export const Year = z.coerce.number().int().min(2000).max(2100)
export const Json = z.record(z.string(), z.any())

/** A JSON success response for the OpenAPI document. */
export const ok = (description: string, status: 200 | 201 = 200) => ({
  [status]: { description, content: { 'application/json': { schema: Json } } },
})
