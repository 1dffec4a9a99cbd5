/**
 * Long-running jobs.
 * @module http/responses/jobs
 */
import { z } from '@hono/zod-openapi'
import { nullable } from './common.ts'

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.enum([
      'evaluate',
      'import',
      'preview',
      'city-preview',
      'publication-preview',
      'refund',
    ]),
    status: z.enum(['running', 'done', 'failed', 'cancelled']).openapi({
      description:
        'running from the moment it is accepted (startedAt: null while it waits); cancelled: its token was revoked or expired first (error.code JOB_CANCELLED says why)',
    }),
    progress: z.object({ done: z.number().int(), total: nullable(z.number().int()) }),
    createdAt: z.string(),
    createdBy: z.string(),
    startedAt: nullable(z.string()),
    finishedAt: nullable(z.string()),
    result: z.unknown().openapi({ description: 'what the synchronous call would have answered' }),
    error: nullable(
      z.object({
        code: z.string(),
        message: z.string(),
        status: z.number().int(),
        details: z.unknown().optional(),
      }),
    ),
  })
  .openapi('Job')
