/**
 * Property checks shared by `npm test` (a sample) and `npm run fuzz` (≥ 100,000 cases).
 */
import fc from 'fast-check'
import { FormulaError, FormulaEvalError, RulebookError } from '../../src/errors.ts'
import { compileBatch, compileFormula, type SymbolKind } from '../../src/formula/compile.ts'
import { Money } from '../../src/pricing/money.ts'
import { quote } from '../../src/pricing/quote.ts'
import { rate } from '../../src/rating/rate.ts'
import { compileRulebook } from '../../src/rulebook/compile.ts'
import { caseOneFirms } from '../support/population.ts'
import { ningbo, ningboTexts } from '../support/rulebook.ts'

const symbols = new Map<string, SymbolKind>([
  ['a', { kind: 'number' }],
  ['b', { kind: 'number' }],
  ['f', { kind: 'flag' }],
  ['c', { kind: 'category', values: ['x', 'y'] }],
])

// Tokens that a hostile or careless author might type, including the usual sandbox escapes.
const TOKENS = [
  'a',
  'b',
  'f',
  'c',
  '"x"',
  '"y"',
  '1',
  '0',
  '2.5',
  '1e308',
  '-',
  '+',
  '*',
  '/',
  '^',
  '%',
  '(',
  ')',
  ',',
  '?',
  ':',
  '==',
  '!=',
  '<',
  '>=',
  'and',
  'or',
  'not',
  'min',
  'max',
  'abs',
  'round',
  'log',
  'sqrt',
  'import',
  'evaluate',
  'parse',
  'createUnit',
  'constructor',
  '__proto__',
  'prototype',
  '.',
  '[',
  ']',
  '{',
  '}',
  '=',
  ';',
  'f(x)',
  'this',
  'process',
  'globalThis',
  'Function',
  '"',
  "'",
  '\\',
  '\n',
  ' ',
]
const formulaText = fc
  .array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 14 })
  .map((t) => t.join(' '))
const anyText = fc.oneof(formulaText, fc.string({ maxLength: 40 }))

/** Any text either compiles or is refused with a FormulaError; a compiled one never reaches beyond its scope. */
export const formulaNeverEscapes = fc.property(
  anyText,
  fc.double(),
  fc.double(),
  fc.boolean(),
  (src, a, b, f) => {
    let compiled: ReturnType<typeof compileFormula>
    try {
      compiled = compileFormula(src, symbols)
    } catch (e) {
      if (e instanceof FormulaError) return true
      throw e
    }
    for (const s of compiled.symbols)
      if (!symbols.has(s)) throw new Error(`symbol ${s} escaped the whitelist`)
    const scope = { a, b, f, c: 'x' }
    try {
      const v = compiled.evaluate(scope)
      if (typeof v === 'number' && !Number.isFinite(v))
        throw new Error('non-finite result returned')
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string')
        throw new Error(`returned ${typeof v}`)
    } catch (e) {
      if (!(e instanceof FormulaEvalError)) throw e
    }
    // Run in a batch (as rating does), a number formula gives the same value, or faults where it throws.
    if (compiled.type === 'number') {
      const out = new Float64Array(1)
      let alone: number | undefined
      try {
        alone = compiled.evaluate(scope) as number
      } catch {}
      const fault = compileBatch([compiled])(scope, () => 0, out, 0)
      if (alone === undefined ? fault !== 0 : fault !== -1 || !Object.is(out[0], alone))
        throw new Error(`batch disagrees: ${alone} vs ${fault < 0 ? out[0] : 'fault'}`)
    }
    return true
  },
)

/** Random edits to a rule file are load errors (RulebookError), never crashes. */
const texts = ningboTexts()
export const loaderNeverCrashes = fc.property(
  fc.constantFrom(...texts.map((t) => t.path)),
  fc.nat(),
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      ':',
      '-',
      '{',
      '[',
      '"',
      '\n',
      '  ',
      'null',
      '~',
      '*x',
      '&a',
      '!!js/function',
      '1e999',
    ),
  ),
  (path, at, insert) => {
    const edited = texts.map((t) => {
      if (t.path !== path) return t
      const i = at % (t.text.length + 1)
      return { ...t, text: t.text.slice(0, i) + insert + t.text.slice(i) }
    })
    try {
      compileRulebook(edited)
    } catch (e) {
      if (!(e instanceof RulebookError)) throw e
    }
    return true
  },
)

/** Random figures never produce a NaN or infinite score: an enterprise is rated or gets a status. */
const rb = ningbo()
const figure = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.constant(0),
  fc.constant(-1),
  fc.boolean(),
  fc.string({ maxLength: 3 }),
  fc.constant(undefined),
)
export const scoresAlwaysFinite = fc.property(
  fc.array(
    fc.record({ land_mu: figure, tax: figure, electricity_kwh: figure, above_scale: fc.boolean() }),
    { minLength: 1, maxLength: 12 },
  ),
  (rows) => {
    const pop = caseOneFirms('330203').map((e, i) =>
      rows[i] ? { ...e, figures: { ...rows[i] } as never } : e,
    )
    for (const r of rate(pop, rb, 2024)) {
      if (r.score !== null && !Number.isFinite(r.score))
        throw new Error(`score ${r.score} for ${r.creditCode}`)
      if (r.status === 'rated' && r.class === null) throw new Error('rated without a class')
      for (const i of r.indicators)
        if (!Number.isFinite(i.points)) throw new Error('non-finite points')
    }
    return true
  },
)

/** Splitting a period by meter readings never gains or loses a fen when the rate does not change. */
const history = rate(caseOneFirms('330203'), rb, 2024).filter((r) => r.name === '企业1')
export const splitsConserveTotal = fc.property(
  fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 8, maxLength: 8 }),
  (lengths, cents) => {
    let day = Date.UTC(2025, 0, 1)
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10)
    const readings = lengths.map((len, i) => {
      const from = iso(day)
      day += len * 86_400_000
      return { from, to: iso(day), quantity: new Money(cents[i]).dividedBy(100).toString() }
    })
    const whole = readings.reduce((a, r) => a.plus(r.quantity), new Money(0)).toString()
    const split = quote(history, rb, {
      resource: 'electricity',
      from: readings[0].from,
      to: readings.at(-1)!.to,
      readings,
    })
    const single = quote(history, rb, {
      resource: 'electricity',
      from: readings[0].from,
      to: readings.at(-1)!.to,
      quantity: whole,
    })
    const sum = split.lines.reduce((a, l) => a.plus(l.amount), new Money(0)).toFixed(2)
    if (sum !== split.total) throw new Error(`lines ${sum} ≠ total ${split.total}`)
    if (split.total !== single.total)
      throw new Error(`split ${split.total} ≠ whole ${single.total}`)
    return true
  },
)

export const ALL = {
  formulaNeverEscapes,
  loaderNeverCrashes,
  scoresAlwaysFinite,
  splitsConserveTotal,
}
