/**
 * The small schemas every rule item is built from (ids, dates, money, sources), apart from the rule file format so
 * that the tariff kinds can use them without importing the format they are part of.
 * @module rulebook/schema-parts
 */
import { z } from 'zod'

/** Years of published history pricing reads; a consecutive-year rule can look back no further. */
export const HISTORY_YEARS = 12

export const IdSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]*$/,
    'ids are lower-case letters, digits, _ and -, starting with a letter',
  )
export const DateSchema = z.iso.date({ message: 'dates are ISO YYYY-MM-DD' })
/** Yuan amounts are decimal strings so that no binary float ever touches money. */
export const MoneySchema = z
  .string({ message: 'money is a decimal string such as "0.30" (quoted), never a bare number' })
  .regex(
    /^\d{1,9}(\.\d{1,6})?$/,
    'money is a decimal string such as "0.30" with at most 6 decimals',
  )
export const FormulaSchema = z.string().min(1).max(2000)
export const ClassIdSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9+-]{0,3}$/, 'class ids are short upper-case codes like A, B, C, D')
export const CountyCodeSchema = z
  .string()
  .regex(/^\d{6}$/, 'county codes are 6-digit administrative division codes')

export const SourceSchema = z.strictObject({
  document: z.string().min(1),
  article: z.string().optional(),
  url: z.string().optional(),
  note: z.string().optional(),
})

/** What every rule item has: an id, a label, its source document and whether the value is assumed. */
export const itemBase = {
  id: IdSchema,
  label: z.string().min(1),
  source: SourceSchema,
  /** True where the sources leave the value open and the bureau chose one; `note` says why. */
  assumed: z.boolean().optional(),
  note: z.string().optional(),
}
/** A dated item: in force from `from`, until the day before `to`. */
export const dated = { from: DateSchema, to: DateSchema.optional() }

export const ResourceSchema = z.enum(['electricity', 'water', 'gas', 'sewage'])
export type Resource = z.infer<typeof ResourceSchema>
