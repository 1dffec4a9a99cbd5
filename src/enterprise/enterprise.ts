/**
 * An enterprise and its figures for one year, as the core consumes them.
 * @module enterprise/enterprise
 */
import type { FormulaValue } from '../formula/compile.ts'

export interface Enterprise {
  /** 统一社会信用代码 */
  creditCode: string
  name: string
  /** 6-digit county code (县市区). */
  county: string
  /** GB/T 4754 industry code, e.g. 3391. */
  industryCode: string
  /** Figures by input id, in the units the rulebook declares. */
  figures: Record<string, FormulaValue | undefined>
  /** The stored version of these figures, when they come from the database (a result records what it rated). */
  figuresVersion?: number
}
