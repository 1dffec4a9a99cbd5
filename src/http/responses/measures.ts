/**
 * Measures beyond price: a firm's measures on a date, and a department's list of one measure.
 * @module http/responses/measures
 */
import { z } from '@hono/zod-openapi'
import { Iso, nullable } from './common.ts'

const Kind = z.enum([
  'land',
  'energy_quota',
  'power_rationing',
  'emission_permit',
  'credit',
  'land_use_tax',
  'award',
])

/** The value one class gets of a measure; which fields it has depends on the kind. */
export const MeasureValue = z
  .object({
    supply: z.enum(['priority', 'normal', 'restricted', 'refused']).optional(),
    depositPercent: z.number().optional(),
    changePercent: z.number().optional(),
    group: z.number().int().optional(),
    allocation: z.enum(['priority', 'normal', 'restricted', 'refused']).optional(),
    guidance: z.enum(['support', 'normal', 'restrict', 'withdraw']).optional(),
    reliefPercent: z.number().optional(),
    eligible: z.boolean().optional(),
  })
  .openapi('MeasureValue', {
    description:
      'land: supply and depositPercent; energy_quota: changePercent; power_rationing: group (1 is limited first); emission_permit: allocation; credit: guidance; land_use_tax: reliefPercent; award: eligible',
  })

export const AppliedMeasureSchema = z
  .object({
    id: z.string(),
    label: z.string(),
    kind: Kind,
    department: z.object({ id: z.string(), label: z.string(), labelEn: z.string().optional() }),
    class: z.string(),
    value: MeasureValue,
    from: Iso,
    to: nullable(Iso),
    source: z.object({
      document: z.string(),
      article: z.string().optional(),
      url: z.string().optional(),
      note: z.string().optional(),
    }),
    assumed: z.boolean().openapi({ description: 'true where the sources leave the value open' }),
    note: nullable(z.string()),
    origin: z.object({
      file: z.string(),
      line: z.number().int(),
      kind: z.enum(['city', 'county']),
      overrideId: z.string().optional(),
      county: z.string().optional(),
    }),
  })
  .openapi('AppliedMeasure')

export const FirmMeasuresSchema = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    date: Iso,
    county: z.string(),
    class: nullable(z.string()).openapi({ description: 'the class binding on the date' }),
    sector: nullable(z.string()),
    evaluationYear: nullable(z.number().int()),
    rulebookVersion: z.number().int(),
    measures: z.array(AppliedMeasureSchema),
    trace: z.array(z.string()).openapi({
      description: 'each measure in force on the date, and why it applies or does not',
    }),
    overrides: z.array(z.string()),
  })
  .openapi('FirmMeasures')

export const MeasureListSchema = z
  .object({
    measure: z.object({ id: z.string(), label: z.string(), kind: Kind, department: z.string() }),
    date: Iso,
    rulebookVersion: z.number().int(),
    count: z.number().int(),
    firms: z.array(
      z.object({
        creditCode: z.string(),
        name: z.string(),
        county: z.string(),
        class: z.string(),
        value: MeasureValue,
      }),
    ),
  })
  .openapi('MeasureList')
