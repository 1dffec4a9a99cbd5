/**
 * The shapes every response group shares: problem+json, health, timestamps, rule items.
 * @module http/responses/common
 */
import { z } from '@hono/zod-openapi'

export const Iso = z.string()
export const nullable = <T extends z.ZodType>(t: T) => t.nullable()
/** An item of a rule section as the rulebook states it (its fields are described by the rule format's schema). */
export const RuleItem = z.looseObject({ id: z.string() }).openapi('RuleItem')
/** The hash a city version is known by, the same in `mujun rules check`, `rules import` and every response. */
export const CityFilesHash = z.string().openapi({
  description:
    'the city files sha256: over each city file’s path and text in path order (county override files are not part of it), as `mujun rules check` prints it',
})

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ description: 'stable UPPER_SNAKE error code' }),
    instance: z.string().optional(),
    errors: z
      .array(
        z.looseObject({
          path: z.string(),
          message: z.string(),
          code: z.string().optional(),
        }),
      )
      .optional(),
    details: z.record(z.string(), z.unknown()).optional().openapi({
      description: 'what the code is about, as data (e.g. a retroactive change: firstDay, items)',
    }),
    firstDayAffected: z.string().optional().openapi({
      description:
        'CORRECTION_REQUIRED: the first day whose answers the change would alter (a correction needs reason and ref)',
    }),
  })
  .openapi('Problem')

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).openapi({
      description:
        'degraded: some override record is set aside (see setAside) until the bureau repairs it',
    }),
    rulebookVersion: z.number().int(),
    rulebookHash: CityFilesHash,
    overrideRevision: z.number().int(),
    setAside: z.array(z.object({ path: z.string(), problem: z.string() })),
    cache: z
      .object({ entries: z.number().int(), bytes: z.number().int() })
      .openapi({ description: 'the answer cache: entries and approximate bytes held (bounded)' }),
  })
  .openapi('Health')
