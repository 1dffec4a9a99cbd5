/**
 * A tariff kind: how a surcharge schedule of one `basis` turns a firm's rating or figures into charges. Each kind is
 * one module (its fields, its checks against the rest of the rulebook, its charges, its one-line description); a new
 * kind is a new module and one entry in ./index.ts. Kinds take what they need from the caller (`ChargeMaker`), so
 * they stay pure and know nothing of how charges are stored or shared.
 * @module rulebook/tariff-kinds/kind
 */
import { z } from 'zod'
import type { Money } from '../../pricing/money.ts'
import { dated, IdSchema, itemBase, ResourceSchema } from '../schema-parts.ts'

/** The fields every surcharge schedule has, whatever its kind. */
export const scheduleBase = {
  ...itemBase,
  ...dated,
  resource: ResourceSchema,
  /** Sectors this schedule applies to; absent = every sector. */
  sectors: z.array(IdSchema).optional(),
  /**
   * A designated list (名单) of firms this schedule charges: a firm pays it on a day only if the list has it then and
   * the list's transition period is over (the lists are records, see app/lists). Absent = every firm that qualifies.
   */
  list: IdSchema.optional(),
}

/** What a kind's checks see of the rulebook, and where they report (paths relative to the schedule). */
export interface KindCheck {
  classIds: ReadonlySet<string>
  categoryIds: ReadonlySet<string>
  indicatorIds: ReadonlySet<string>
  inputIds: ReadonlySet<string>
  report(path: (string | number)[], message: string): void
  /** " (did you mean 'x'?)" when a known id is close to `name`, else "". */
  suggest(name: string, among: Iterable<string>): string
}

/** The evaluation result a schedule prices (the one binding on the interval's first day). */
export interface ScheduleFacts {
  year: number
  class: string | null
  category: { table: string; row: string | null; category: string; label: string } | null
  figures: Record<string, unknown>
}

/** A quota band as written in the rules (fractions of the annual quota). */
export interface QuotaBandSpec {
  overFrom: number
  overTo?: number
  extraMultiple: string
}

/** How a kind makes its charges: the caller owns the charge shape, the shared tables and the formula resolver. */
export interface ChargeMaker<C> {
  facts: ScheduleFacts
  /** Consecutive published years in `cls` up to and including the facts' year. */
  consecutiveYears(cls: string): number
  classLabel(id: string): string | undefined
  /** An indicator of the firm's figures; throws FormulaEvalError when it cannot be computed. */
  measure(id: string): number
  /** A rulebook rate as Money (shared). */
  rate(text: string): Money
  /** A per-unit charge at `rate` yuan per unit. */
  perUnit(rate: Money, reason: string): C
  /** A charge on the quantity above a band of the firm's prorated annual quota. */
  overQuota(band: QuotaBandSpec, basePrice: string, annual: Money, reason: string): C
  /** Why the schedule was not applied (a note on the quote). */
  note(text: string): void
}

/**
 * A value of a schedule a person can change, one "cell" each: its path inside the item (as the dated change names
 * it, e.g. `rates[class=D][minConsecutiveYears=].rate`), what it is called and its current value.
 */
export interface RateCell {
  path: string
  /** What the cell is, in the asked language (may hold a bureau-written Chinese label: `zhData`). */
  name: string
  /** True when `name` is a bureau-written (Chinese) label. */
  zhData?: boolean
  value: string
  /** The value's unit: yuan per the resource's unit, a multiple, a percentage, or the measure's own unit. */
  unit: 'perUnit' | 'multiple' | 'percent' | 'measure'
}

/** The words a kind's cells are named with: the language, and the rulebook's class and category names in it. */
export interface CellWords {
  zh: boolean
  classLabel(id: string): string
  categoryLabel(id: string): string | undefined
}

/** One tariff kind; `S` is its schedule's shape (as parsed from a rule file, plus whatever compilation adds). */
export interface TariffKind<T extends z.ZodObject = z.ZodObject> {
  /** What the kind is called on the pages. */
  title: { zh: string; en: string }
  /** The schedule's schema: the common fields, `basis` as a literal, and the kind's own fields. */
  schema: T
  /** True when the charges depend on the firm's own figures (not worth sharing between firms). */
  ownFigures: boolean
  check(s: z.infer<T>, c: KindCheck): void
  charges<C>(s: z.infer<T>, m: ChargeMaker<C>): C[]
  /** The rates in one line, for `mujun rules show` (without the unit). */
  describe(s: z.infer<T>): string
  /** The values a person can change, for the rules pages and the dated change form. */
  cells(s: z.infer<T>, w: CellWords): RateCell[]
  /** A kind charging use above a quota: its terms, listed apart from the per-unit rates in a tier's answer. */
  quotaTerms?(s: z.infer<T>): QuotaTerms
}

/** The terms of a quota schedule as written in the rules. */
export interface QuotaTerms {
  quotaInput: string
  basePrice: string
  bands: QuotaBandSpec[]
}

/** Declares a kind with its types inferred from its schema. */
export const tariffKind = <T extends z.ZodObject>(k: TariffKind<T>): TariffKind<T> => k
