/**
 * The rule file format, as zod schemas. Every object is strict: an unknown or misplaced key is an error.
 * @module rulebook/schema
 */
import { z } from 'zod'
import { DepartmentSchema, MeasureSchema } from './measure-schema.ts'
import {
  ClassIdSchema,
  CountyCodeSchema,
  DateSchema,
  dated,
  FormulaSchema,
  IdSchema,
  itemBase,
  MoneySchema,
  ResourceSchema,
  SourceSchema,
} from './schema-parts.ts'
import { SurchargeSchema } from './tariff-kinds/index.ts'

export {
  ClassIdSchema,
  CountyCodeSchema,
  DateSchema,
  FormulaSchema,
  HISTORY_YEARS,
  IdSchema,
  MoneySchema,
  type Resource,
  ResourceSchema,
  SourceSchema,
} from './schema-parts.ts'

export const InputSchema = z.strictObject({
  id: IdSchema,
  label: z.string().min(1),
  unit: z.string().optional(),
  /**
   * `text`: an identifier, not a figure a formula reads (e.g. the land plot a firm is on, see `plots`): any
   * non-blank text up to 64 characters.
   */
  type: z.enum(['number', 'flag', 'category', 'text']),
  values: z.array(z.string().min(1)).min(1).optional(),
  /** A figure that is not given takes this value (flags default to false). */
  default: z.union([z.number(), z.boolean(), z.string()]).optional(),
  min: z.number().optional(),
  note: z.string().optional(),
  /**
   * The department that supplies this figure (one of the rulebook's `departments`), matched by credit code; an
   * input without one is entered by the evaluating office (`economy_it`).
   */
  department: IdSchema.optional(),
})

export const SectorSchema = z.strictObject({
  ...itemBase,
  /** GB/T 4754 industry-code prefixes; the longest matching prefix wins. */
  industryCodes: z.array(
    z.string().regex(/^[A-Z]?\d{1,4}$/, 'industry codes are GB/T 4754 prefixes like 3391'),
  ),
  default: z.boolean().optional(),
})

export const GroupSchema = z.strictObject({
  ...itemBase,
  ...dated,
  when: FormulaSchema,
  /**
   * Firms in this group are not scored or ranked: they get this class (e.g. T, 暂不评价) and take no place in any
   * ranking. Groups are tried in order, so such a group comes before the groups it takes firms from.
   */
  unratedClass: ClassIdSchema.optional(),
})

export const IndicatorSchema = z.strictObject({
  ...itemBase,
  ...dated,
  unit: z.string().min(1),
  formula: FormulaSchema,
})

/**
 * Who a statistic or a ranking is taken over: the county, the sector (by industry code), the evaluation group, or
 * (class schemes only) one of the scheme's `industries`, industry groups by GB/T 4754 prefix (Yiwu 2022).
 */
export const PeerDimensionSchema = z.enum(['county', 'sector', 'group', 'industry'])
export const BenchmarkSchema = z.union([
  z.strictObject({ fixed: z.number().positive() }),
  z.strictObject({
    peer: z.enum(['mean', 'median']),
    over: z.array(PeerDimensionSchema).min(1),
    /** Multiple of the peer statistic, e.g. Huai'an's 2 × the county mean. */
    multiple: z.number().positive().optional(),
    /**
     * `previous`: the peer statistic of the previous evaluation year (same item, same peers), as recorded with
     * that year's run; rating without it is an error, never a silent fall back to this year's.
     */
    year: z.enum(['current', 'previous']).optional(),
  }),
  /**
   * Min–max normalisation (旌德): the capped ratio is (base + span × (x − min) / (max − min)) / 100, min and max
   * over the peers; when max = min every firm is at the max (base + span).
   */
  z.strictObject({
    peer: z.literal('min-max'),
    over: z.array(PeerDimensionSchema).min(1),
    base: z.number().nonnegative(),
    span: z.number().positive(),
  }),
])
export const ScoringItemSchema = z.strictObject({
  indicator: IdSchema,
  weight: z.number().nonnegative(),
  benchmark: BenchmarkSchema,
  cap: z.number().positive().optional(),
  floor: z.number().nonnegative().optional(),
  /**
   * When the figure is not reported (`when` is true for the firm), the indicator is not computed: the firm gets the
   * average points of its benchmark peers for the item, and does not count towards the benchmark.
   */
  missing: z.strictObject({ when: z.string().min(1), points: z.literal('peer-mean') }).optional(),
})
export const ScoringSchema = z.strictObject({
  ...itemBase,
  ...dated,
  group: IdSchema,
  items: z.array(ScoringItemSchema).min(1),
})

export const AdjustmentSchema = z.strictObject({
  ...itemBase,
  ...dated,
  kind: z.enum(['bonus', 'deduction']),
  when: FormulaSchema,
  points: z.number().positive(),
  groups: z.array(IdSchema).optional(),
})

export const VetoSchema = z.strictObject({
  ...itemBase,
  ...dated,
  when: FormulaSchema,
  /** force: the class is set; cap: no better than; floor: no worse than (a protection, beaten by force and cap). */
  effect: z.enum(['force', 'cap', 'floor']),
  class: ClassIdSchema,
})

export const ClassBandSchema = z.strictObject({
  class: ClassIdSchema,
  share: z.number().positive().max(1).optional(),
  minScore: z.number().optional(),
})
export const ClassSchemeSchema = z.strictObject({
  ...itemBase,
  ...dated,
  groups: z.array(IdSchema).min(1),
  method: z.enum(['rank-share', 'score']),
  /** Who is ranked together (rank, percentile and, for rank-share, the class): by default a county's group. */
  over: z.array(PeerDimensionSchema).min(1).default(['county', 'group']),
  bands: z.array(ClassBandSchema).min(2),
  /** How a share becomes a count: the boundary after class k is round(N × cumulative share). */
  rounding: z.enum(['round', 'floor', 'ceil']).default('round'),
  /** Indicators compared, higher first, when scores tie; then credit code ascending. */
  tieBreak: z.array(IdSchema).default([]),
  /**
   * Industry groups for `over: [..., industry]`: a firm is in the group whose GB/T 4754 prefix is the longest
   * match of its industry code, else in the one marked `default: true`.
   */
  industries: z
    .array(
      z.strictObject({
        id: IdSchema,
        label: z.string().min(1),
        industryCodes: z.array(
          z
            .string()
            .regex(/^[A-T]?\d{0,4}$/, 'industry codes are GB/T 4754 prefixes like C31 or 3391'),
        ),
        default: z.boolean().optional(),
      }),
    )
    .min(2)
    .optional(),
})

export const TableRowSchema = z.strictObject({
  id: IdSchema,
  label: z.string().min(1),
  when: FormulaSchema,
  category: IdSchema,
  source: SourceSchema.optional(),
})
export const SectorTableSchema = z.strictObject({
  ...itemBase,
  ...dated,
  sectors: z.array(IdSchema).min(1),
  /** first: the first matching row wins; worst: the matching row with the highest category rank wins. */
  hitPolicy: z.enum(['first', 'worst']),
  rows: z.array(TableRowSchema).min(1),
  otherwise: IdSchema,
})

export { type Basis, SurchargeSchema } from './tariff-kinds/index.ts'

export const StackingSchema = z.strictObject({
  ...itemBase,
  ...dated,
  resource: ResourceSchema,
  /** sum: every applicable schedule is charged; max: only the largest amount (最高者) is charged. */
  mode: z.enum(['sum', 'max']),
})

export const TargetSchema = z.strictObject({
  ...itemBase,
  ...dated,
  metric: z.enum([
    'enterprises_upgraded',
    'enterprises_closed',
    'clusters_built',
    'energy_freed_tce',
    'land_freed_mu',
    'jobs_reduced',
    'labour_productivity_gain',
  ]),
  value: z.number(),
  unit: z.string().min(1),
  baseYear: z.number().int().optional(),
})

/**
 * A deadline of the rectification programme (整治提升), for the programme years it is in force. `project_list`: a
 * county's list of projects for year Y is due on `due` (month, day, in year Y + `yearOffset`), with at least
 * `minProjects` projects. `quarterly_report`: a county's report of a quarter (季报送) is due `daysAfter` days after
 * the quarter ends.
 */
export const DeadlineSchema = z.strictObject({
  ...itemBase,
  ...dated,
  kind: z.enum(['project_list', 'quarterly_report']),
  due: z
    .strictObject({
      yearOffset: z.number().int().min(-1).max(0),
      month: z.number().int().min(1).max(12),
      day: z.number().int().min(1).max(31),
    })
    .optional(),
  minProjects: z.number().int().min(0).optional(),
  daysAfter: z.number().int().min(0).max(120).optional(),
})

/** What a fund criterion measures of a county's records in the fund's year (see programme/measure). */
export const FundMetricSchema = z.enum([
  'projects',
  'progress',
  'enterprises',
  'energy_freed_tce',
  'water_freed_m3',
  'land_freed_mu',
])

/**
 * A yearly fund shared among the counties by performance (竞争性分配 / 以奖代补): each criterion's share of the city
 * total, weighted; the weights sum to 1 and the amount is divided to the fen.
 */
export const FundSchema = z.strictObject({
  ...itemBase,
  ...dated,
  amount: MoneySchema,
  criteria: z
    .array(
      z.strictObject({
        id: IdSchema,
        label: z.string().min(1),
        metric: FundMetricSchema,
        weight: z.number().positive().max(1),
      }),
    )
    .min(1),
})

/** A share of an amount as an exact decimal string from "0" to "1" ("0.50" is half), never a binary float. */
export const ShareSchema = z
  .string({ message: 'a share is a decimal string such as "0.50" (quoted), never a bare number' })
  .regex(
    /^(0(\.\d{1,6})?|1(\.0{1,6})?)$/,
    'a share is a decimal string from "0" to "1", e.g. "0.50"',
  )

/**
 * Returning part of the collected differential surcharges (差别化电价征收及返还奖励): a refund run for payment year Y
 * uses the items in force on 31 December of Y. `class_improvement`: a firm whose class in the evaluation of year Y
 * (published in Y+1) is one of a row's `to` classes while its class in the evaluation of Y−1 (the class it paid by in
 * Y) is the row's `from`, gets `share` of what it paid in Y on `resources` (every resource when left out) back. An
 * item with `counties` applies to firms of those counties only, and before an item without them.
 */
export const RefundSchema = z.strictObject({
  ...itemBase,
  ...dated,
  basis: z.enum(['class_improvement']),
  counties: z.array(CountyCodeSchema).min(1).optional(),
  resources: z.array(ResourceSchema).min(1).optional(),
  shares: z
    .array(
      z.strictObject({
        from: ClassIdSchema,
        to: z.array(ClassIdSchema).min(1),
        share: ShareSchema,
      }),
    )
    .min(1),
})

/**
 * Firms that share one land plot (租赁厂房, 多家企业共用一宗地): whether they are rated as one unit (`together`) and,
 * if so, how the plot's figures come from its tenants' (the `plot` input names each firm's plot). The plot is
 * grouped, scored, vetoed, ranked and classed as one firm; every tenant gets its result. An input in no list is
 * not the plot's: the plot is rated with its default (a firm's own furnace or product limits stay its own).
 */
export const PlotSchema = z.strictObject({
  ...itemBase,
  ...dated,
  /** The `text` input naming each firm's land plot; firms with the same value in one county share a plot. */
  plot: IdSchema,
  /** True: the tenants of one plot are rated as one; false: each is rated alone, on its own figures. */
  together: z.boolean(),
  /** Number inputs summed over the tenants (output, tax, energy, emissions, value added…). */
  sum: z.array(IdSchema).optional(),
  /** Inputs that are the plot's, counted once: every tenant that gives one gives the same (e.g. land area). */
  same: z.array(IdSchema).optional(),
  /** Flag inputs true for the plot when any tenant's is (a veto of one tenant is the plot's). */
  any: z.array(IdSchema).optional(),
  /** Number inputs: the smallest of the tenants' values. */
  min: z.array(IdSchema).optional(),
  /** Number inputs: the largest of the tenants' values. */
  max: z.array(IdSchema).optional(),
})

/**
 * Every rule section and the schema of its items, in the order files and tables show them: the one list of sections
 * (names, the rule file, the dated sections and the compiled sections all follow from it).
 */
const SECTION_ITEMS = {
  inputs: InputSchema,
  sectors: SectorSchema,
  groups: GroupSchema,
  indicators: IndicatorSchema,
  scoring: ScoringSchema,
  adjustments: AdjustmentSchema,
  vetoes: VetoSchema,
  classes: ClassSchemeSchema,
  sectorTables: SectorTableSchema,
  surcharges: SurchargeSchema,
  stacking: StackingSchema,
  targets: TargetSchema,
  deadlines: DeadlineSchema,
  funds: FundSchema,
  refunds: RefundSchema,
  measures: MeasureSchema,
  plots: PlotSchema,
}
export type SectionName = keyof typeof SECTION_ITEMS
export const SECTION_NAMES = Object.keys(SECTION_ITEMS) as SectionName[]
export const SectionNameSchema = z.enum(SECTION_NAMES as [SectionName, ...SectionName[]])

/** The dated, overridable item sections (everything but inputs and sectors, which are identity data). */
export type DatedSection = Exclude<SectionName, 'inputs' | 'sectors'>
export const DATED_SECTIONS = SECTION_NAMES.filter(
  (n): n is DatedSection => n !== 'inputs' && n !== 'sectors',
)
/** The dated sections that decide how firms are rated (not what a stored result is charged). */
export const RATING_SECTIONS: ReadonlySet<string> = new Set([
  ...DATED_SECTIONS.slice(0, 7),
  'plots',
])

/** The counties that exist on `date` (each county's [from, to)). */
export const countiesOn = <C extends { from?: string; to?: string }>(
  counties: readonly C[],
  date: string,
): C[] => counties.filter((c) => (!c.from || c.from <= date) && (!c.to || date < c.to))

/** The prefix a county's override ids begin with: its slug, else `c` and its code (no county can take another's). */
/** The text input naming the zone (an evaluation unit of `rulebook.zones`) a firm is rated in; blank: its county. */
export const ZONE_INPUT = 'zone'

export const countyPrefix = (c: { code: string; slug?: string }) => c.slug ?? `c${c.code}`

export const MetaSchema = z.strictObject({
  id: IdSchema,
  label: z.string().min(1),
  jurisdiction: z.strictObject({ code: CountyCodeSchema, name: z.string().min(1) }),
  counties: z
    .array(
      z.strictObject({
        code: CountyCodeSchema,
        name: z.string().min(1),
        /**
         * The prefix of the county's override ids (its romanised name, e.g. cixi): a new override's id begins with
         * it and `_` or `-`, so no county can take, or probe, an id of another. Without one, `c` and the code.
         */
        slug: z
          .string()
          .regex(/^[a-z][a-z0-9]{1,30}$/, 'a county slug is lower-case letters and digits')
          .optional(),
        /**
         * The days the county exists as a unit of evaluation, [from, to): division codes change (江东区 330204 was
         * merged into 鄞州区, 奉化市 330283 became 奉化区 330213). A year is rated for the counties of its last day.
         */
        from: DateSchema.optional(),
        to: DateSchema.optional(),
        note: z.string().optional(),
      }),
    )
    .min(1)
    .refine(
      (cs) => new Set(cs.map(countyPrefix)).size === cs.length,
      'county slugs must differ from each other and from every c<code>',
    ),
  /** Sections a county override may touch; everything else is city-only (none when left out). */
  overridable: z.array(SectionNameSchema).default([]),
  classes: z.array(z.strictObject({ id: ClassIdSchema, label: z.string().min(1) })).min(2),
  /** Sector-table categories (淘汰类…); a rulebook without sector tables may leave them out. */
  categories: z
    .array(z.strictObject({ id: IdSchema, label: z.string().min(1), rank: z.number().int() }))
    .default([]),
  /** Priced resources; a rating-only rulebook may leave them out. */
  resources: z
    .array(
      z.strictObject({
        id: ResourceSchema,
        label: z.string().min(1),
        unit: z.string().min(1),
        /** The input holding an enterprise's annual use, for revenue previews. */
        quantityInput: IdSchema.optional(),
      }),
    )
    .default([]),
  /**
   * How a run's results are made public: a notice period (公示) of `noticeDays` calendar days during which firms may
   * object, then the final publication. Classes bind from Y+1-01-01 or the publication date, whichever is later.
   */
  publication: z
    .strictObject({
      noticeDays: z.number().int().min(1).max(60),
      note: z.string().optional(),
      /** Where the period comes from (a city may follow one county's published notice). */
      source: SourceSchema.optional(),
    })
    .default({ noticeDays: 7 }),
  source: SourceSchema,
  /** The departments that apply measures (see `measures`); a rulebook without measures may leave them out. */
  departments: z.array(DepartmentSchema).default([]),
  /**
   * Evaluation units that are not administrative divisions (功能区: 甬政办发〔2014〕235号 二(一) has 杭州湾新区, 保税区,
   * 大榭 and 高新区 rate their own firms): a firm whose `zone` input names one, in the county the zone lies in, is
   * benchmarked and ranked with the zone's firms alone, as a county with its own method is.
   */
  zones: z
    .array(
      z.strictObject({
        id: IdSchema,
        name: z.string().min(1),
        /** The county (code) the zone lies in: its firms are entered under it and rated by its rules. */
        county: CountyCodeSchema,
        from: DateSchema.optional(),
        to: DateSchema.optional(),
        note: z.string().optional(),
        source: SourceSchema,
      }),
    )
    .default([]),
})

/** One file of a city rulebook: any subset of the sections (the `rulebook` meta in exactly one file). */
export const RuleFileSchema = z.strictObject({
  rulebook: MetaSchema.optional(),
  ...(Object.fromEntries(SECTION_NAMES.map((n) => [n, z.array(SECTION_ITEMS[n]).optional()])) as {
    [K in SectionName]: z.ZodOptional<z.ZodArray<(typeof SECTION_ITEMS)[K]>>
  }),
})

export const OverrideStatusSchema = z.enum([
  'draft',
  'submitted',
  'approved',
  'filed',
  'rejected',
  'withdrawn',
])
export type OverrideStatus = z.infer<typeof OverrideStatusSchema>

const DecisionSchema = z.strictObject({
  ref: z.string().min(1),
  date: DateSchema,
  by: z.string().optional(),
})
const OverrideSectionsSchema = RuleFileSchema.omit({ rulebook: true })

/** A county's proposal: the same item shapes, keyed by the ids it replaces or adds. */
export const OverrideFileSchema = z.strictObject({
  override: z.strictObject({
    id: IdSchema,
    county: CountyCodeSchema,
    label: z.string().min(1),
    status: OverrideStatusSchema,
    from: DateSchema,
    to: DateSchema.optional(),
    source: SourceSchema,
    submitted: z.strictObject({ date: DateSchema, by: z.string().optional() }).optional(),
    approval: DecisionSchema.optional(),
    filing: DecisionSchema.optional(),
    rejection: DecisionSchema.extend({ reason: z.string().min(1) }).optional(),
    supersedes: IdSchema.optional(),
    note: z.string().optional(),
  }),
  replace: OverrideSectionsSchema.optional(),
  add: OverrideSectionsSchema.optional(),
})

export type Meta = z.infer<typeof MetaSchema>
export type Input = z.infer<typeof InputSchema>
export type Sector = z.infer<typeof SectorSchema>
export type Group = z.infer<typeof GroupSchema>
export type Indicator = z.infer<typeof IndicatorSchema>
export type Benchmark = z.infer<typeof BenchmarkSchema>
export type Scoring = z.infer<typeof ScoringSchema>
export type ScoringItem = z.infer<typeof ScoringItemSchema>
export type Adjustment = z.infer<typeof AdjustmentSchema>
export type Veto = z.infer<typeof VetoSchema>
export type ClassScheme = z.infer<typeof ClassSchemeSchema>
export type SectorTable = z.infer<typeof SectorTableSchema>
export type Stacking = z.infer<typeof StackingSchema>
export type Target = z.infer<typeof TargetSchema>
export type { Surcharge } from './tariff-kinds/index.ts'
export type Deadline = z.infer<typeof DeadlineSchema>
export type Fund = z.infer<typeof FundSchema>
export type { Department, Measure, MeasureKind, MeasureValue } from './measure-schema.ts'
export type FundMetric = z.infer<typeof FundMetricSchema>
export type Refund = z.infer<typeof RefundSchema>
export type Plot = z.infer<typeof PlotSchema>
export type RuleFile = z.infer<typeof RuleFileSchema>
export type OverrideFile = z.infer<typeof OverrideFileSchema>
export type PeerDimension = z.infer<typeof PeerDimensionSchema>

/** JSON Schema of a rule file (city section file or county override), for editors. */
export function ruleFileJsonSchema(): unknown {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'mujun rule file',
    description:
      'A city rulebook section file (rules/<city>/*.yaml) or a county override (rules/<city>/counties/*.yaml).',
    anyOf: [
      z.toJSONSchema(RuleFileSchema, { io: 'input', unrepresentable: 'any' }),
      z.toJSONSchema(OverrideFileSchema, { io: 'input', unrepresentable: 'any' }),
    ],
  }
}
