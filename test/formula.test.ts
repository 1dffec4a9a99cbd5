import { describe, expect, it } from 'vitest'
import { FormulaError, FormulaEvalError } from '../src/errors.ts'
import { compileBatch, compileFormula, type SymbolKind } from '../src/formula/compile.ts'

const symbols = new Map<string, SymbolKind>([
  ['tax', { kind: 'number' }],
  ['land_mu', { kind: 'number' }],
  ['high_tech', { kind: 'flag' }],
  ['furnace', { kind: 'category', values: ['cupola', 'mf_induction'] }],
])
const run = (
  src: string,
  scope: Record<string, unknown> = { tax: 30, land_mu: 10, high_tech: true, furnace: 'cupola' },
) => compileFormula(src, symbols).evaluate(scope as never)

describe('formulas evaluate like the arithmetic they say', () => {
  it.each([
    { src: 'tax / land_mu', expected: 3 },
    { src: 'tax - land_mu * 2 ^ 2', expected: -10 },
    { src: 'max(tax, land_mu, 100) + min(1, 2) + abs(-3)', expected: 104 },
    { src: 'round(tax / 7, 2)', expected: 4.29 },
    { src: 'round(2.5) + floor(1.9) + ceil(1.1)', expected: 6 },
    { src: 'land_mu >= 3 and high_tech', expected: true },
    { src: 'not high_tech or land_mu < 3', expected: false },
    { src: 'land_mu > 100 ? 1 : tax > 20 ? 2 : 3', expected: 2 },
    { src: 'furnace == "cupola"', expected: true },
    { src: 'furnace != "cupola"', expected: false },
    { src: 'log(100, 10) + sqrt(16)', expected: 6 },
  ])('$src = $expected', ({ src, expected }) => {
    expect(run(src)).toBeCloseTo(expected as number)
  })

  it('does not evaluate the branch not taken (no division by zero there)', () => {
    expect(run('land_mu > 0 ? tax / land_mu : 0', { tax: 1, land_mu: 0 })).toBe(0)
  })

  it('lists the symbols it reads', () => {
    expect(compileFormula('tax / land_mu + tax', symbols).symbols).toEqual(['tax', 'land_mu'])
  })
})

describe('anything outside the whitelist is a load error', () => {
  it.each([
    { src: 'tax / area', message: "unknown variable 'area'" },
    { src: 'tax / lamd_mu', message: "unknown variable 'lamd_mu'; did you mean 'land_mu'?" },
    {
      src: 'import({}, {})',
      message:
        "function 'import' is not allowed (allowed: min, max, abs, round, floor, ceil, sqrt, log, industry_in)",
    },
    {
      src: 'evaluate("1")',
      message:
        "function 'evaluate' is not allowed (allowed: min, max, abs, round, floor, ceil, sqrt, log, industry_in)",
    },
    { src: 'f(x) = x', message: "assignment 'f(x) = x' is not allowed in a formula" },
    { src: 'a = 1', message: "assignment 'a = 1' is not allowed in a formula" },
    {
      src: 'tax.constructor',
      message: "property or index access 'tax.constructor' is not allowed",
    },
    {
      src: 'tax["constructor"]',
      message: `property or index access 'tax["constructor"]' is not allowed`,
    },
    { src: 'constructor', message: "unknown variable 'constructor'" },
    { src: '__proto__', message: "unknown variable '__proto__'" },
    { src: '[1, 2]', message: "'[1, 2]' (ArrayNode) is not allowed in a formula" },
    { src: '{a: 1}', message: `'{"a": 1}' (ObjectNode) is not allowed in a formula` },
    { src: '1:3', message: "'1:3' (RangeNode) is not allowed in a formula" },
    {
      src: 'tax land_mu',
      message: "implicit multiplication in 'tax land_mu'; write '*' between the factors",
    },
    {
      src: '1 < tax < 3',
      message: "chained comparison '1 < tax < 3' is not allowed; combine with 'and'",
    },
    { src: 'tax!', message: "operator '!' is not allowed" },
    { src: 'tax + furnace', message: "'furnace' is text and cannot be used in arithmetic" },
    {
      src: 'furnace == "coke"',
      message: "'coke' is not one of the allowed values (cupola, mf_induction)",
    },
    { src: 'tax + * 2', message: 'cannot parse formula: Value expected (char 7)' },
    { src: '  ', message: 'formula is empty' },
  ])('$src', ({ src, message }) => {
    expect(() => compileFormula(src, symbols)).toThrow(FormulaError)
    expect(() => compileFormula(src, symbols)).toThrow(message)
  })
})

describe('evaluation errors name the cause', () => {
  it('division by zero names the divisor', () => {
    expect(() => run('tax / land_mu', { tax: 1, land_mu: 0 })).toThrow(
      new FormulaEvalError("division by zero: land_mu is 0 in 'tax / land_mu'"),
    )
  })
  it('a missing figure is named', () => {
    expect(() => run('tax / land_mu', { tax: 1 })).toThrow("missing figure 'land_mu'")
  })
  it('a non-finite result is refused', () => {
    expect(() => run('log(tax - 30)')).toThrow("'log(tax - 30)' gives -Infinity for these figures")
    expect(() => run('sqrt(-tax)')).toThrow('gives NaN')
  })
  it('the resolver supplies symbols not in the scope', () => {
    expect(
      compileFormula('tax / land_mu', symbols).evaluate({ tax: 6 }, (n) =>
        n === 'land_mu' ? 3 : 0,
      ),
    ).toBe(2)
  })
})

describe('a batch of formulas gives what each formula gives alone', () => {
  const sources = ['tax / land_mu', 'tax * 2 - land_mu', 'max(tax, 100) / (land_mu + 1)']
  const batch = compileBatch(sources.map((s) => compileFormula(s, symbols)))
  const out = new Float64Array(8)

  it('writes every value at its offset and returns -1', () => {
    out.fill(-7)
    expect(batch({ tax: 30, land_mu: 10 }, () => 0, out, 2)).toBe(-1)
    expect([...out]).toEqual([-7, -7, 3, 50, 100 / 11, -7, -7, -7])
  })

  it('returns the index of the first formula that divides by zero, for the caller to explain', () => {
    expect(batch({ tax: 30, land_mu: 0 }, () => 0, out, 0)).toBe(0)
    expect(() => run('tax / land_mu', { tax: 30, land_mu: 0 })).toThrow(/division by zero/)
    expect(batch({ tax: 30, land_mu: -1 }, () => 0, out, 0)).toBe(2)
  })

  it('refuses non-finite values and lets the resolver’s errors through', () => {
    expect(batch({ tax: Number.MAX_VALUE, land_mu: 1e-300 }, () => 0, out, 0)).toBe(0)
    const missing = () => {
      throw new FormulaEvalError("missing figure 'land_mu'")
    }
    expect(() => batch({ tax: 1 }, missing, out, 0)).toThrow("missing figure 'land_mu'")
  })

  it('takes only number formulas', () => {
    expect(() => compileBatch([compileFormula('land_mu > 3', symbols)])).toThrow(FormulaError)
  })
})
