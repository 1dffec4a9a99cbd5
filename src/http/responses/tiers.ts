/**
 * Tiers, class histories, provenance, quotes and billing answers.
 * @module http/responses/tiers
 */
import { z } from '@hono/zod-openapi'
import { CityFilesHash, Iso, nullable, ProblemSchema } from './common.ts'

export const Category = nullable(
  z.object({
    table: z.string(),
    row: nullable(z.string()),
    category: z.string(),
    label: z.string(),
  }),
).openapi('SectorCategory')

/** A surcharge schedule that applies on a date: its rate and whether it is charged after stacking. */
export const Schedule = z.object({
  scheduleId: z.string(),
  label: z.string(),
  basis: z.string(),
  rate: z.string(),
  reason: z.string(),
  charged: z.boolean(),
})

export const ResourceRate = z
  .object({
    resource: z.string(),
    unit: z.string(),
    rate: z.string(),
    stacking: z.enum(['sum', 'max']),
    schedules: z.array(Schedule),
    quota: z.array(
      z.object({
        scheduleId: z.string(),
        label: z.string(),
        annualQuota: z.number(),
        basePrice: z.string(),
        bands: z.array(
          z.object({
            overFrom: z.number(),
            overTo: z.number().optional(),
            extraMultiple: z.string(),
          }),
        ),
      }),
    ),
  })
  .openapi('ResourceRate')

/** A firm's done and verified closure under the programme: from `on` it is charged no surcharge. */
export const Closure = z.object({
  on: Iso,
  dispositionId: z.number().int(),
  projectId: z.number().int(),
  completedOn: Iso,
  verifiedOn: Iso,
  verifiedAt: z.string(),
  verifiedBy: z.string(),
  correction: nullable(z.object({ reason: z.string(), ref: nullable(z.string()) })),
})

export const TierSchema = z
  .object({
    creditCode: z.string(),
    date: Iso,
    evaluationYear: z.number().int().openapi({
      description:
        'the evaluation whose class binds on the date (the previous year’s until the next is published)',
    }),
    evaluationId: nullable(z.number().int()),
    evaluationStatus: nullable(z.literal('published')).openapi({
      description: 'only a published run binds; a run in notice is provisional (see notes)',
    }),
    validFrom: nullable(Iso),
    validTo: nullable(Iso).openapi({
      description:
        'the day before a later published evaluation binds; null while none is published',
    }),
    class: nullable(z.string()),
    classLabel: nullable(z.string()),
    category: Category,
    sector: nullable(z.string()),
    rates: z.array(ResourceRate),
    notes: z.array(z.string()),
    closure: nullable(Closure.extend({ inForce: z.boolean() })).openapi({
      description:
        'the firm’s done closure under the rectification programme: from `on` it is charged no surcharge (`inForce` on this date)',
    }),
    rulebookVersion: z.number().int(),
    knownAt: z
      .string()
      .optional()
      .openapi({ description: 'answered as known at this instant (UTC)' }),
  })
  .openapi('Tier')

export const ClassHistorySchema = z
  .object({
    creditCode: z.string(),
    classes: z.array(
      z.object({
        evaluationYear: z.number().int(),
        evaluationId: nullable(z.number().int()),
        class: nullable(z.string()),
        classLabel: nullable(z.string()),
        category: Category,
        validFrom: Iso,
        validTo: nullable(Iso).openapi({ description: 'null while no later class binds' }),
      }),
    ),
    closure: nullable(Closure),
  })
  .openapi('ClassHistory')

export const Actor = z
  .string()
  .openapi({ description: 'the label of the token (office) that did it' })
export const Stamp = z.string().openapi({ description: 'when, as an ISO timestamp' })
/** One step of an override's life: who took it, when, and the decision's reference and date. */
export const OverrideEvent = z.object({
  version: z.number().int(),
  action: z.string(),
  fromStatus: nullable(z.string()),
  toStatus: z.string(),
  at: Stamp,
  by: Actor,
  reason: z.string(),
  ref: nullable(z.string()).openapi({ description: 'the approval or filing reference' }),
  decisionDate: nullable(Iso),
})

export const ProvenanceSchema = z
  .object({
    creditCode: z.string(),
    county: z.string(),
    date: Iso,
    class: nullable(z.string()),
    rates: z.array(
      z.object({
        resource: z.string(),
        rate: z.string(),
        stacking: z.string(),
        schedules: z.array(
          Schedule.extend({
            origin: nullable(
              z.object({
                file: z.string(),
                line: z.number().int(),
                kind: z.enum(['city', 'county']),
                overrideId: z.string().optional(),
                county: z.string().optional(),
              }),
            ),
            source: nullable(z.record(z.string(), z.unknown())),
            assumed: z.boolean(),
          }),
        ),
      }),
    ),
    notes: z.array(z.string()),
    rules: z.object({
      versionId: z.number().int(),
      hash: CityFilesHash,
      createdAt: Stamp,
      createdBy: Actor,
      note: z.string(),
      activation: z.object({ id: z.number().int(), at: Stamp, by: Actor, note: z.string() }),
      corrections: z
        .array(
          z.object({
            activation: z.number().int(),
            versionId: z.number().int(),
            at: Stamp,
            by: Actor,
            reason: z.string(),
            document: z.string(),
            firstDay: Iso,
          }),
        )
        .openapi({
          description:
            'every correction of the city rules that changed answers for this date (activated as a correction, reaching back to it or earlier)',
        }),
    }),
    overrides: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        status: z.string(),
        from: Iso,
        to: nullable(Iso),
        revisions: z.array(OverrideEvent),
      }),
    ),
    evaluation: nullable(
      z.object({
        id: z.number().int(),
        year: z.number().int(),
        status: z.string(),
        rulebookVersionId: z.number().int(),
        overrideRevision: nullable(z.number().int()),
        createdAt: Stamp,
        createdBy: Actor,
        notice: nullable(z.object({ from: Iso, to: nullable(Iso), by: nullable(Actor) })),
        publishedOn: nullable(Iso).openapi({
          description:
            'the day it was published (Ningbo date); for a publication recorded after the fact, the day given, not the day it was recorded',
        }),
        publishedAt: nullable(Stamp).openapi({
          description: 'when the publication was recorded in mujun',
        }),
        publishedBy: nullable(Actor),
        bindingFrom: nullable(Iso),
        correction: nullable(z.record(z.string(), z.unknown())).openapi({
          description:
            'a publication recorded after the fact: its date, reason and document (文号)',
        }),
        method: nullable(z.string()).optional().openapi({
          description:
            'the evaluation method that rated the firm: null for the city’s, else the id of the county override setting the county’s own (属地评价), in force on the rule date Y-12-31',
        }),
        result: nullable(
          z.object({
            status: z.string(),
            group: nullable(z.string()),
            score: nullable(z.number()),
            rank: nullable(z.number().int()),
            groupSize: nullable(z.number().int()),
            initialClass: nullable(z.string()),
            class: nullable(z.string()),
          }),
        ),
        figures: nullable(
          z.object({
            year: z.number().int(),
            version: z.number().int(),
            updatedAt: Stamp,
            updatedBy: Actor,
            sheet: z.enum(['confirmed', 'deemed', 'disputed']).optional().openapi({
              description:
                'figures composed from the departments: the firm confirmed its sheet, it was deemed confirmed after the objection window, or a figure was still disputed (rated as published)',
            }),
            sources: z
              .array(
                z.object({
                  input: z.string(),
                  department: z.string(),
                  version: z.number().int(),
                  submittedAt: Stamp,
                  submittedBy: Actor,
                  note: nullable(z.string()),
                  label: z.string().openapi({ description: "the input's label in the rulebook" }),
                  departmentLabel: z.string(),
                  departmentLabelEn: z.string(),
                }),
              )
              .optional()
              .openapi({
                description:
                  'each figure rated: the department that gave it, who, when, which version',
              }),
          }),
        ),
        objections: z.array(
          z.object({
            id: z.number().int(),
            status: z.string(),
            filedAt: Stamp,
            filedBy: Actor,
            reason: z.string(),
            classBefore: nullable(z.string()),
            classAfter: nullable(z.string()),
            decision: nullable(z.string()),
            decidedAt: nullable(Stamp),
            decidedBy: nullable(Actor),
          }),
        ),
      }),
    ),
    closure: nullable(
      z.object({
        on: Iso,
        inForce: z.boolean(),
        dispositionId: z.number().int(),
        projectId: z.number().int(),
        completedOn: nullable(Iso),
        evidence: nullable(z.string()),
        updatedAt: Stamp,
        updatedBy: Actor,
        verifiedOn: nullable(Iso),
        verifiedBy: nullable(Actor),
        verifiedAt: Stamp,
        correction: nullable(z.object({ reason: z.string(), ref: nullable(z.string()) })).openapi({
          description: 'a verification recorded as a correction: why, and the document',
        }),
      }),
    ),
  })
  .openapi('Provenance')

export const ItemError = z.object({
  creditCode: z.string(),
  error: z.object({ code: z.string(), message: z.string() }),
})

export const TiersSchema = z
  .object({
    date: Iso,
    count: z.number().int(),
    tiers: z.array(z.union([TierSchema, ItemError])),
  })
  .openapi('Tiers')

export const QuoteLine = z
  .object({
    from: Iso,
    to: Iso,
    days: z.number().int(),
    scheduleId: z.string(),
    label: z.string(),
    basis: z.string(),
    reason: z.string(),
    rate: z.string(),
    quantity: z.string(),
    amount: z.string().openapi({ description: 'yuan, exact, rounded half-up to the fen' }),
    origin: z.object({
      file: z.string(),
      line: z.number().int(),
      overrideId: z.string().optional(),
    }),
    document: z.string(),
  })
  .openapi('QuoteLine')

export const QuoteSchema = z
  .object({
    creditCode: z.string(),
    county: z.string(),
    resource: z.string(),
    unit: z.string(),
    from: Iso,
    to: Iso,
    quantity: z.string(),
    lines: z.array(QuoteLine),
    waived: z.array(QuoteLine),
    notes: z.array(z.string()),
    total: z.string(),
    rulebookVersion: z
      .number()
      .int()
      .openapi({ description: 'the city rulebook version in force' }),
    overrides: z
      .array(z.string())
      .openapi({ description: 'county overrides whose rates were charged' }),
    knownAt: z.string().optional().openapi({
      description: 'answered as known at this instant (UTC): a bill issued then, reproduced',
    }),
  })
  .openapi('Quote')

/** One answer of a billing run: the quote, or the problem the single quote request would get. */
export const BillAnswerSchema = z.union([QuoteSchema, ProblemSchema]).openapi('BillAnswer')
export const BillAnswersSchema = z.array(BillAnswerSchema).openapi('BillAnswers')
