/**
 * The shapes of a compiled rulebook (items with their origin and compiled formulas, sections, overrides) and what
 * the compile steps share while checking (where each item sits, how problems are reported).
 * @module rulebook/types
 */
import type { Document, LineCounter } from 'yaml'
import type { CompiledFormula, SymbolKind } from '../formula/compile.ts'
import type { Derived } from './derived.ts'
import {
  type Adjustment,
  type ClassScheme,
  DATED_SECTIONS,
  type DatedSection,
  type Deadline,
  type Fund,
  type Group,
  type Indicator,
  type Input,
  type Measure,
  type Meta,
  type OverrideFile,
  type OverrideStatus,
  type Plot,
  type Refund,
  type Scoring,
  type Sector,
  type SectorTable,
  type Stacking,
  type Surcharge,
  type Target,
  type Veto,
} from './schema.ts'

/** A rule file as text, named by its path relative to the rules folder. */
export interface RuleText {
  path: string
  text: string
}

/** Where an item came from: the city rulebook or a county override. */
export interface Origin {
  file: string
  line: number
  kind: 'city' | 'county'
  overrideId?: string
  county?: string
}

export type TableRowC = SectorTable['rows'][number] & { whenFn: CompiledFormula }
export type GroupC = Group & { origin: Origin; whenFn: CompiledFormula }

/** A built-in number in a group's `when`: the year being rated (e.g. for "producing for under two years"). */
export const EVALUATION_YEAR = 'evaluation_year'
/** The sections evaluated while a year is rated, where `evaluation_year` has a value. */
export const EVALUATION_YEAR_SECTIONS: ReadonlySet<string> = new Set([
  'groups',
  'adjustments',
  'vetoes',
])
/** A built-in category in a rated firm's conditions: the id of its sector (by industry code, see `sectors`). */
export const SECTOR = 'sector'
export { INDUSTRY_CODE } from '../formula/compile.ts'
/**
 * The sections whose conditions are evaluated for a firm while a year is rated, where its sector and industry code
 * (`sector == "…"`, `industry_in("C31")`) are known: not indicators or prices, which a single firm's quote computes.
 */
export const FIRM_CODE_SECTIONS: ReadonlySet<string> = new Set([
  'groups',
  'adjustments',
  'vetoes',
  'sectorTables',
  'scoring',
])
export type IndicatorC = Indicator & { origin: Origin; fn: CompiledFormula }
export type ScoringItemC = Scoring['items'][number] & {
  missingFn?: CompiledFormula
  /** A min–max item's base and span (see BenchmarkSchema). */
  minMax?: { base: number; span: number }
  /** A benchmark from the previous year's peer statistic. */
  previous?: true
}
export type ScoringC = Omit<Scoring, 'items'> & { origin: Origin; items: ScoringItemC[] }
export type AdjustmentC = Adjustment & { origin: Origin; whenFn: CompiledFormula }
export type VetoC = Veto & { origin: Origin; whenFn: CompiledFormula }
export type ClassSchemeC = ClassScheme & { origin: Origin }
export type SectorTableC = Omit<SectorTable, 'rows'> & { origin: Origin; rows: TableRowC[] }
export type SurchargeC = Surcharge & { origin: Origin }
export type StackingC = Stacking & { origin: Origin }
export type TargetC = Target & { origin: Origin }
export type DeadlineC = Deadline & { origin: Origin }
export type FundC = Fund & { origin: Origin }
export type RefundC = Refund & { origin: Origin }
export type MeasureC = Measure & { origin: Origin }
export type PlotC = Plot & { origin: Origin }

export interface Sections {
  groups: GroupC[]
  indicators: IndicatorC[]
  scoring: ScoringC[]
  adjustments: AdjustmentC[]
  vetoes: VetoC[]
  classes: ClassSchemeC[]
  sectorTables: SectorTableC[]
  surcharges: SurchargeC[]
  stacking: StackingC[]
  targets: TargetC[]
  deadlines: DeadlineC[]
  funds: FundC[]
  refunds: RefundC[]
  measures: MeasureC[]
  plots: PlotC[]
}
// The compiled sections are exactly the dated sections of the schema: a section added there and not here fails here.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
export const SECTIONS_MATCH_SCHEMA: Exactly<keyof Sections, DatedSection> = true

export interface Override {
  id: string
  county: string
  label: string
  status: OverrideStatus
  from: string
  to?: string
  header: OverrideFile['override']
  file: string
  /** Items replacing city items with the same id, by section. */
  replace: Partial<Sections>
  /** New items, by section. */
  add: Partial<Sections>
  /** The override file's source text, kept so an export round-trips byte for byte. */
  text: string
}

export interface Rulebook {
  meta: Meta
  inputs: Input[]
  inputById: ReadonlyMap<string, Input>
  symbols: ReadonlyMap<string, SymbolKind>
  sectors: Sector[]
  sections: Sections
  overrides: Override[]
  /** The city files hash (see `cityFilesHash`): the city version's identity; override files are not part of it. */
  hash: string
  files: RuleText[]
  /** What the core derives from this rulebook, made on first use (not enumerable: not part of its value). */
  readonly derived: Derived
}

export interface Located {
  file: string
  doc: Document
  lc: LineCounter
}

export type Reporter = (
  loc: Located,
  path: (string | number)[],
  message: string,
  extraCol?: number,
) => void

/** Where each compiled item sits (file and path), for the whole-rulebook checks that point at it. */
export type ItemLocations = WeakMap<object, { loc: Located; path: (string | number)[] }>

export interface CheckContext {
  locations: ItemLocations
  meta: Meta
  inputs: Input[]
  sectors: Sector[]
  symbols: Map<string, SymbolKind>
  /** `symbols` and the built-in `sector`, for the conditions of a rated firm (FIRM_CODE_SECTIONS). */
  firmSymbols: Map<string, SymbolKind>
  indicatorIds: Set<string>
  report: Reporter
}

export function emptySections(): Sections {
  return Object.fromEntries(DATED_SECTIONS.map((n) => [n, []])) as unknown as Sections
}

/** What `at` needs to point at an item. */
export type Where = Pick<CheckContext, 'locations' | 'report'>
