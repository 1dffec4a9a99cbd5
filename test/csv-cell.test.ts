/** csvCell's shortcut for a cell starting with a letter or digit changes nothing it writes. */
import { expect, it } from 'vitest'
import { csvCell } from '../src/enterprise/csv.ts'

// The rule as written before the shortcut: a formula-like cell gets an apostrophe, a cell with a quote, comma or
// line break is quoted.
const SKIPPED = '\\s\\u0000-\\u001f\\u007f\\u00a0\\u200b-\\u200f\\u2028-\\u202f\\u2060\\ufeff'
const FORMULA_LIKE = new RegExp(`^[${SKIPPED}]*[=+\\-@]|^[\\t\\r]`)
const reference = (value: unknown) => {
  let s = value === null || value === undefined ? '' : String(value)
  if (FORMULA_LIKE.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

it('writes every cell as the plain rule does: letters, digits, formulas, blanks, quotes, Chinese', () => {
  const heads = [
    'a',
    'Z',
    '0',
    '9',
    '=',
    '+',
    '-',
    '@',
    ' ',
    '\t',
    '\r',
    '\u200b',
    '"',
    ',',
    '中',
    "'",
    '`',
    '[',
    '{',
  ]
  const tails = ['', '1+1', 'A1,B2', 'say "x"', 'line\nbreak', '12.5', 'SUM(A1)', '电费']
  const values: unknown[] = [null, undefined, 0, -3, 12.5, -1e-7, Number.NaN, true]
  for (const h of heads) for (const t of tails) values.push(h + t)
  for (const v of values) expect(csvCell(v), String(v)).toBe(reference(v))
})
