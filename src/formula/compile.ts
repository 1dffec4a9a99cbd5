/**
 * Formulas: mathjs parses, we check the tree against a whitelist and generate a plain JS function.
 * Nothing is ever evaluated by mathjs itself, so its functions (import, evaluate, createUnit…) are unreachable.
 * @module formula/compile
 */
import { createRequire } from 'node:module'
import { FormulaError, FormulaEvalError } from '../errors.ts'
import { industryMatches, industryPrefixProblem } from '../rulebook/industry.ts'

// mathjs's parser, and nothing else of it is ever called. Loaded from the library's single-file build: its module
// entries are some 660 files, each passed through the TypeScript loader at every process start (about
// 1–1.3 s of each start of the server, the CLI and every worker thread, against 0.2–0.3 s for this build;
// `npm run bench:startup`). That build's instance makes a function only when it is first used.
const { parse } = createRequire(import.meta.url)(
  'mathjs/lib/browser/math.js',
) as typeof import('mathjs')

/** What a symbol in a formula may refer to. */
export type SymbolKind =
  | { kind: 'number'; default?: number }
  | { kind: 'flag'; default?: boolean }
  | { kind: 'category'; values: readonly string[]; default?: string }

/** Symbols a formula may use, by name. */
export type SymbolTable = ReadonlyMap<string, SymbolKind>

export type FormulaValue = number | boolean | string
export type FormulaScope = Record<string, FormulaValue | undefined>
export type Resolver = (name: string) => FormulaValue

/** A formula checked against the whitelist and compiled to a plain function, once, at rulebook load. */
export interface CompiledFormula {
  readonly source: string
  /** Every symbol the formula reads, in first-use order. */
  readonly symbols: readonly string[]
  /**
   * Runs the formula. A symbol missing from `scope` is asked of `resolve` (e.g. an indicator computed on demand),
   * or reported as a missing figure. Throws FormulaEvalError on division by zero or a non-finite result.
   */
  readonly evaluate: (scope: FormulaScope, resolve?: Resolver) => FormulaValue
  /** @internal the checked, generated expression and its type, for `compileBatch` */
  readonly code: string
  /** @internal */
  readonly type: Gen['type']
}

/**
 * Numeric formulas run together: writes their values into `out[at…]`, one call per enterprise instead of one
 * per formula. Returns -1 when all are fine, else the index of the first that faulted (division by zero or a
 * non-finite value); the caller then evaluates that one alone for its exact error. Errors of `resolve` propagate.
 */
export type FormulaBatch = (
  scope: FormulaScope,
  resolve: Resolver,
  out: Float64Array,
  at: number,
) => number

const BINARY_JS: Record<string, string> = {
  add: '+',
  subtract: '-',
  multiply: '*',
  larger: '>',
  smaller: '<',
  largerEq: '>=',
  smallerEq: '<=',
  equal: '===',
  unequal: '!==',
}

const FUNCTIONS: Record<string, { min: number; max: number }> = {
  min: { min: 1, max: 16 },
  max: { min: 1, max: 16 },
  abs: { min: 1, max: 1 },
  round: { min: 1, max: 2 },
  floor: { min: 1, max: 1 },
  ceil: { min: 1, max: 1 },
  sqrt: { min: 1, max: 1 },
  log: { min: 1, max: 2 },
}

/**
 * The firm's GB/T 4754 industry code, which `industry_in("C31", "3391", …)` reads from the resolver (it is no
 * figure): true when the code falls under any of the prefixes.
 */
export const INDUSTRY_CODE = 'industry_code'
const INDUSTRY_IN = 'industry_in'

/** Helpers the generated code calls; kept on one frozen object so generated code needs no globals. */
export interface Runtime {
  div(a: number, b: number, at: number): number
  pow(a: number, b: number): number
  /** Whether an industry code falls under a GB/T 4754 prefix. */
  ind(code: FormulaValue, prefix: string): boolean
  fn: Record<string, (...args: number[]) => number>
  divisors: readonly string[]
}

const missing: Resolver = (name) => {
  throw new FormulaEvalError(`missing figure '${name}'`)
}

const fnImpl: Record<string, (...args: number[]) => number> = Object.freeze({
  min: Math.min,
  max: Math.max,
  abs: Math.abs,
  // Half away from zero, like mathjs round and the Chinese 四舍五入 convention.
  round: (x: number, n = 0) => {
    const f = 10 ** n
    return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f
  },
  floor: Math.floor,
  ceil: Math.ceil,
  sqrt: Math.sqrt,
  log: (x: number, base?: number) =>
    base === undefined ? Math.log(x) : Math.log(x) / Math.log(base),
})

interface Gen {
  code: string
  type: 'number' | 'boolean' | 'string' | 'category'
  category?: readonly string[]
}

/**
 * Parses and checks a formula, returning a compiled function.
 * @example compileFormula('tax / land_mu', new Map([['tax', {kind:'number'}], ['land_mu', {kind:'number'}]]))
 */
export function compileFormula(source: string, symbols: SymbolTable): CompiledFormula {
  if (typeof source !== 'string' || source.trim() === '') throw new FormulaError('formula is empty')
  if (source.length > 2000) throw new FormulaError('formula is longer than 2000 characters')
  checkTypography(source)
  let tree: any
  try {
    tree = parse(source)
  } catch (e: any) {
    const index = typeof e?.char === 'number' ? e.char : undefined
    throw new FormulaError(`cannot parse formula: ${e?.message ?? e}`, index)
  }
  const codegen = new CodeGen(symbols)
  const body = codegen.gen(tree, 0)
  expectValue(body, tree)
  let raw: (v: FormulaScope, rt: Runtime, res: Resolver) => FormulaValue
  try {
    raw = new Function('v', 'rt', 'res', `"use strict"; return ${body.code};`) as typeof raw
  } catch (e) {
    throw new FormulaError(`internal: generated code did not compile: ${(e as Error).message}`)
  }
  const rt = runtime(codegen.divisors)
  const symbolsUsed = Object.freeze([...codegen.used])
  const evaluate = (scope: FormulaScope, resolve: Resolver = missing): FormulaValue => {
    rt.fault = -1
    const out = raw(scope, rt, resolve)
    if (rt.fault >= 0) {
      const at = rt.fault
      rt.fault = -1
      throw new FormulaEvalError(`division by zero: ${rt.divisors[at]} is 0 in '${source}'`)
    }
    if (typeof out === 'number' && !Number.isFinite(out)) {
      throw new FormulaEvalError(`'${source}' gives ${out} for these figures`)
    }
    return out
  }
  return Object.freeze({ source, symbols: symbolsUsed, evaluate, code: body.code, type: body.type })
}

/** Turns a parsed formula into JavaScript over the scope `v`, checking each node against the whitelist and types. */
class CodeGen {
  /** The symbols the formula reads, in order of first use. */
  readonly used: string[] = []
  /** Each division's divisor as written, for the message when it is zero. */
  readonly divisors: string[] = []

  constructor(private readonly symbols: SymbolTable) {}

  /**
   * Every variable a formula here may use, nearest to `name` first, when `name` is none of them and near none:
   * the whole list, so a writer who reached for something that is no variable (the industry code in a `when`)
   * sees what there is instead.
   */
  private allowed(name: string): string {
    const names = [...this.symbols.keys()]
      .map((n) => [n, distance(name, n)] as const)
      .sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1))
      .map(([n]) => n)
    if (names.length === 0) return '; no variables are declared here'
    return `; the ${names.length} variables a formula here may use (nearest first): ${names.join(', ')}`
  }

  gen(node: any, depth: number): Gen {
    if (depth > 64) throw new FormulaError('formula is nested more than 64 levels deep')
    switch (node.type) {
      case 'ParenthesisNode': {
        const inner = this.gen(node.content, depth + 1)
        return { ...inner, code: `(${inner.code})` }
      }
      case 'ConstantNode': {
        const v = node.value
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) throw new FormulaError(`constant ${v} is not a finite number`)
          return { code: `(${String(v)})`, type: 'number' }
        }
        if (typeof v === 'boolean') return { code: String(v), type: 'boolean' }
        if (typeof v === 'string') return { code: JSON.stringify(v), type: 'string' }
        throw new FormulaError(`constant of type ${typeof v} is not allowed`)
      }
      case 'SymbolNode': {
        const name: string = node.name
        const kind = this.symbols.get(name)
        if (!kind) {
          if (name === 'true' || name === 'false') return { code: name, type: 'boolean' }
          throw new FormulaError(
            `unknown variable '${name}'${suggest(name, this.symbols.keys()) || this.allowed(name)}`,
          )
        }
        if (!this.used.includes(name)) this.used.push(name)
        // A symbol not in the scope takes its default, else is asked of the resolver (lazy indicators) or missing.
        const fallback =
          kind.default !== undefined ? JSON.stringify(kind.default) : `res(${JSON.stringify(name)})`
        const code = `(v[${JSON.stringify(name)}] ?? ${fallback})`
        if (kind.kind === 'category') return { code, type: 'category', category: kind.values }
        return { code, type: kind.kind === 'flag' ? 'boolean' : 'number' }
      }
      case 'OperatorNode':
        return this.operator(node, depth)
      case 'ConditionalNode': {
        const c = this.gen(node.condition, depth + 1)
        const a = this.gen(node.trueExpr, depth + 1)
        const b = this.gen(node.falseExpr, depth + 1)
        expectValue(a, node.trueExpr)
        expectValue(b, node.falseExpr)
        // Both branches are typed: a text branch in an arithmetic formula would otherwise concatenate.
        if (a.type !== b.type)
          throw new FormulaError(
            `the branches of '${node.toString()}' give ${KIND[a.type]} and ${KIND[b.type]}; both must give the same kind of value`,
          )
        return {
          code: `(${truthy(c)} ? ${a.code} : ${b.code})`,
          type: a.type,
          category:
            a.category && b.category ? [...new Set([...a.category, ...b.category])] : undefined,
        }
      }
      case 'FunctionNode': {
        const name: string = node.fn?.name
        if (name === INDUSTRY_IN) return this.industryIn(node)
        const spec = name && Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined
        if (!spec) {
          throw new FormulaError(
            `function '${name ?? node.fn?.toString()}' is not allowed (allowed: ${Object.keys(FUNCTIONS).join(', ')}, ${INDUSTRY_IN})`,
          )
        }
        if (node.args.length < spec.min || node.args.length > spec.max) {
          throw new FormulaError(
            `function '${name}' takes ${spec.min}–${spec.max} argument(s), got ${node.args.length}`,
          )
        }
        const args = node.args.map((a: any) => numeric(this.gen(a, depth + 1), a))
        return { code: `rt.fn.${name}(${args.join(', ')})`, type: 'number' }
      }
      case 'RelationalNode':
        throw new FormulaError(
          `chained comparison '${node.toString()}' is not allowed; combine with 'and'`,
        )
      case 'AssignmentNode':
      case 'FunctionAssignmentNode':
        throw new FormulaError(`assignment '${node.toString()}' is not allowed in a formula`)
      case 'AccessorNode':
      case 'IndexNode':
        throw new FormulaError(`property or index access '${node.toString()}' is not allowed`)
      default:
        throw new FormulaError(`'${node.toString()}' (${node.type}) is not allowed in a formula`)
    }
  }

  /** `industry_in("C31", "3391")`: quoted GB/T 4754 prefixes, each checked; the code is asked of the resolver. */
  industryIn(node: any): Gen {
    if (node.args.length < 1 || node.args.length > 32)
      throw new FormulaError(`function '${INDUSTRY_IN}' takes 1–32 quoted industry-code prefixes`)
    const tests = node.args.map((a: any) => {
      if (a.type !== 'ConstantNode' || typeof a.value !== 'string')
        throw new FormulaError(
          `${INDUSTRY_IN} takes quoted GB/T 4754 prefixes such as "C31" or "3391", not '${a.toString()}'`,
        )
      const problem = industryPrefixProblem(a.value)
      if (problem) throw new FormulaError(`${INDUSTRY_IN}: ${problem}`)
      return `rt.ind(res(${JSON.stringify(INDUSTRY_CODE)}), ${JSON.stringify(a.value)})`
    })
    if (!this.used.includes(INDUSTRY_CODE)) this.used.push(INDUSTRY_CODE)
    return { code: `(${tests.join(' || ')})`, type: 'boolean' }
  }

  operator(node: any, depth: number): Gen {
    const fn: string = node.fn
    const args: any[] = node.args
    if (node.implicit) {
      throw new FormulaError(
        `implicit multiplication in '${node.toString()}'; write '*' between the factors`,
      )
    }
    if (args.length === 1) {
      const a = this.gen(args[0], depth + 1)
      if (fn === 'unaryMinus') return { code: `(-${numeric(a, args[0])})`, type: 'number' }
      if (fn === 'unaryPlus') return { code: `(+${numeric(a, args[0])})`, type: 'number' }
      if (fn === 'not') return { code: `(!${truthy(a)})`, type: 'boolean' }
      throw new FormulaError(`operator '${node.op}' is not allowed`)
    }
    const [l, r] = [this.gen(args[0], depth + 1), this.gen(args[1], depth + 1)]
    if (fn === 'and') return { code: `(${truthy(l)} && ${truthy(r)})`, type: 'boolean' }
    if (fn === 'or') return { code: `(${truthy(l)} || ${truthy(r)})`, type: 'boolean' }
    if (fn === 'equal' || fn === 'unequal') {
      const op = BINARY_JS[fn]
      if (
        l.type === 'category' ||
        r.type === 'category' ||
        l.type === 'string' ||
        r.type === 'string'
      ) {
        checkCategoryComparison(l, r, node)
        return { code: `(${l.code} ${op} ${r.code})`, type: 'boolean' }
      }
      return { code: `(${l.code} ${op} ${r.code})`, type: 'boolean' }
    }
    if (fn === 'divide') {
      this.divisors.push(args[1].toString())
      return {
        code: `rt.div(${numeric(l, args[0])}, ${numeric(r, args[1])}, ${this.divisors.length - 1})`,
        type: 'number',
      }
    }
    if (fn === 'pow')
      return { code: `rt.pow(${numeric(l, args[0])}, ${numeric(r, args[1])})`, type: 'number' }
    const op = BINARY_JS[fn]
    if (!op) throw new FormulaError(`operator '${node.op}' is not allowed`)
    const type = ['larger', 'smaller', 'largerEq', 'smallerEq'].includes(fn) ? 'boolean' : 'number'
    return { code: `(${numeric(l, args[0])} ${op} ${numeric(r, args[1])})`, type }
  }
}

/**
 * Refuses typographic signs copied from a document, which parse as names (÷ would become an implicit
 * multiplication), saying which ASCII sign is meant instead.
 */
function checkTypography(source: string): void {
  const typographic: Record<string, string> = {
    '÷': '/',
    '×': '*',
    '−': '-',
    '–': '-',
    '（': '(',
    '）': ')',
    '≥': '>=',
    '≤': '<=',
    '＞': '>',
    '＜': '<',
    '＝': '==',
    '，': ',',
  }
  for (let i = 0; i < source.length; i++) {
    const ascii = typographic[source[i]]
    if (ascii)
      throw new FormulaError(`'${source[i]}' is not an operator in a formula; write '${ascii}'`, i)
  }
}

/**
 * Compiles numeric formulas into one FormulaBatch: the same checked expressions, in one generated function, so
 * a rating loop makes one monomorphic call per enterprise and stores plain doubles (no boxed result per formula).
 */
export function compileBatch(formulas: readonly CompiledFormula[]): FormulaBatch {
  let code = '"use strict"; return function batch(v, res, out, at) { rt.fault = -1; let x;\n'
  formulas.forEach((f, i) => {
    if (f.type !== 'number') throw new FormulaError(`'${f.source}' is not a number formula`)
    code += `x = ${f.code}; if (rt.fault >= 0 || !Number.isFinite(x)) return ${i}; out[at + ${i}] = x;\n`
  })
  code += 'return -1 }'
  // Which division faulted does not matter here (see FormulaBatch): the caller re-runs that formula alone.
  return new Function('rt', code)(runtime([])) as FormulaBatch
}

/**
 * The helpers generated code calls. A division by zero records where it first happened and yields NaN; the caller
 * turns the record into an error even when the NaN was swallowed by a comparison. No try/catch on the hot path.
 */
function runtime(divisors: readonly string[]): Runtime & { fault: number } {
  const rt: Runtime & { fault: number } = Object.seal({
    fault: -1,
    div: (a: number, b: number, at: number) => {
      if (b === 0) {
        if (rt.fault < 0) rt.fault = at
        return Number.NaN
      }
      return a / b
    },
    pow: (a: number, b: number) => a ** b,
    ind: (code: FormulaValue, prefix: string) => industryMatches(String(code), prefix),
    fn: fnImpl,
    divisors: Object.freeze([...divisors]),
  })
  return rt
}

const KIND: Record<Gen['type'], string> = {
  number: 'a number',
  boolean: 'a condition (true/false)',
  string: 'text',
  category: 'a category',
}

function numeric(g: Gen, node: any): string {
  if (g.type === 'string' || g.type === 'category') {
    throw new FormulaError(`'${node.toString()}' is text and cannot be used in arithmetic`)
  }
  return g.code
}

function truthy(g: Gen): string {
  if (g.type === 'string' || g.type === 'category') {
    throw new FormulaError(`text value ${g.code} cannot be used as a condition`)
  }
  return g.type === 'boolean' ? g.code : `(${g.code} !== 0)`
}

function expectValue(g: Gen, node: any): void {
  if (g.type === 'string')
    throw new FormulaError(`'${node.toString()}' is a bare text value; compare it with a category`)
}

function checkCategoryComparison(l: Gen, r: Gen, node: any): void {
  const cat = l.type === 'category' ? l : r.type === 'category' ? r : undefined
  const lit = l.type === 'string' ? l : r.type === 'string' ? r : undefined
  if (!cat || !(lit || l.type === r.type)) {
    throw new FormulaError(
      `'${node.toString()}' compares text with a number; compare a category with one of its values`,
    )
  }
  if (lit) {
    const value = JSON.parse(lit.code) as string
    if (!cat.category!.includes(value)) {
      throw new FormulaError(
        `'${value}' is not one of the allowed values (${cat.category!.join(', ')})`,
      )
    }
  }
}

/** "; did you mean 'x'?" for the closest of `names` (at most two edits away), or ''. */
export function suggest(name: string, names: Iterable<string>): string {
  let best: string | undefined
  let bestD = 3
  for (const k of names) {
    const d = distance(name, k)
    if (d < bestD) {
      bestD = d
      best = k
    }
  }
  return best ? `; did you mean '${best}'?` : ''
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]
    dp[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return dp[b.length]
}
