/**
 * The response bodies of the API as zod schemas: the OpenAPI document publishes them as named components, and
 * test/openapi.test.ts checks real responses against the document and against types generated from it.
 * The groups live in http/responses/, one module per resource.
 * @module http/responses
 */
import type { z } from '@hono/zod-openapi'
import { ProblemSchema } from './responses/common.ts'
import { JobSchema } from './responses/jobs.ts'

export * from './responses/common.ts'
export * from './responses/evaluations.ts'
export * from './responses/jobs.ts'
export * from './responses/lists.ts'
export * from './responses/rulebook.ts'
export * from './responses/tiers.ts'
/** The 202 answer of a route called with `Prefer: respond-async`: the job to poll. */
export const accepted = {
  202: {
    description: 'with `Prefer: respond-async`: the job started; poll GET /v1/jobs/{id} (Location)',
    content: { 'application/json': { schema: JobSchema } },
  },
}

/** A JSON response and the problem+json answer every route may give instead. */
export function reply<T extends z.ZodType, S extends 200 | 201 = 200>(
  schema: T,
  description: string,
  status: S = 200 as S,
) {
  const ok = { description, content: { 'application/json': { schema } } }
  return {
    ...({ [status]: ok } as Record<S, typeof ok>),
    default: {
      description: 'an error: 4xx/5xx as application/problem+json with a stable code',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  }
}
export * from './responses/feed.ts'
export * from './responses/intake.ts'
export * from './responses/measures.ts'
