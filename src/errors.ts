/**
 * Named errors with stable codes. The core throws these; the HTTP and CLI shells map them once.
 * @module errors
 */

/** One problem found in a rule file, positioned at the YAML field that caused it. */
export interface RuleProblem {
  file: string
  line: number
  col: number
  /** Dot path of the field inside the file, e.g. `indicators.2.formula`. */
  path: string
  message: string
}

/** Formats a rule problem the way compilers do, so editors can jump to it. */
export function formatRuleProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}${p.path ? ` (at ${p.path})` : ''}`
}

/** Base class: every domain error has a stable UPPER_SNAKE code and an HTTP status hint. */
export class MujunError extends Error {
  readonly code: string
  readonly status: number
  readonly details?: unknown
  /** Response headers that belong to this error (e.g. Retry-After on 429). */
  readonly headers?: Record<string, string>
  constructor(
    code: string,
    message: string,
    options: {
      status?: number
      details?: unknown
      cause?: unknown
      headers?: Record<string, string>
    } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'MujunError'
    this.code = code
    this.status = options.status ?? 400
    this.details = options.details
    this.headers = options.headers
  }
}

/** A rulebook failed to load: all problems are reported at once. */
export class RulebookError extends MujunError {
  readonly problems: RuleProblem[]
  constructor(problems: RuleProblem[]) {
    super(
      'RULEBOOK_INVALID',
      `rulebook has ${problems.length} problem(s):\n${problems.map(formatRuleProblem).join('\n')}`,
      { status: 422, details: problems },
    )
    this.name = 'RulebookError'
    this.problems = problems
  }
}

/** A formula broke the whitelist or did not parse. `index` is the 0-based character position when known. */
export class FormulaError extends MujunError {
  readonly index?: number
  constructor(message: string, index?: number) {
    super('FORMULA_INVALID', message, { status: 422 })
    this.name = 'FormulaError'
    this.index = index
  }
}

/** A formula could not be evaluated for one enterprise (missing figure, division by zero, non-finite result). */
export class FormulaEvalError extends MujunError {
  constructor(message: string) {
    super('FORMULA_EVALUATION', message, { status: 422 })
    this.name = 'FormulaEvalError'
  }
}

/** Bad input to a quote: negative quantity, reversed period, unknown resource… */
export class QuoteError extends MujunError {
  constructor(message: string, details?: unknown) {
    super('QUOTE_INVALID', message, { status: 422, details })
    this.name = 'QuoteError'
  }
}

/** 401 without a valid token; 403 when the token's role or scope does not allow the action. */
export class AuthError extends MujunError {
  constructor(status: 401 | 403, message: string) {
    super(status === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN', message, { status })
  }
}

export class NotFoundError extends MujunError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`, { status: 404 })
    this.name = 'NotFoundError'
  }
}

/**
 * A change that would alter answers for a day before today, asked without what a correction needs (a reason and a
 * document reference, 文号). Names the first day it would affect.
 */
export class CorrectionRequiredError extends MujunError {
  readonly firstDayAffected: string
  constructor(firstDayAffected: string, message: string) {
    super('CORRECTION_REQUIRED', message, { status: 422 })
    this.name = 'CorrectionRequiredError'
    this.firstDayAffected = firstDayAffected
  }
}

/** A conditional write whose condition failed (412) or was missing (428). */
export class PreconditionError extends MujunError {
  constructor(message: string, status: 412 | 428) {
    super(status === 412 ? 'PRECONDITION_FAILED' : 'PRECONDITION_REQUIRED', message, { status })
  }
}

/** A write the current state refuses (409). */
export class ConflictError extends MujunError {
  constructor(message: string) {
    super('CONFLICT', message, { status: 409 })
  }
}
