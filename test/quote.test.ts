import { describe, expect, it } from 'vitest'
import { QuoteError } from '../src/errors.ts'
import { allocateFen, Money } from '../src/pricing/money.ts'
import { quote } from '../src/pricing/quote.ts'
import { rate } from '../src/rating/rate.ts'
import { tenFirms } from './support/population.ts'
import { ningbo } from './support/rulebook.ts'

const rb = ningbo()
const history = rate(tenFirms(), rb, 2024).filter((r) => r.name === '企业1')

describe('quote input errors', () => {
  it.each([
    {
      description: 'negative quantity',
      req: { quantity: -1 },
      message: 'quantity must not be negative, got -1',
    },
    {
      description: 'non-numeric quantity',
      req: { quantity: 'ten' },
      message: 'quantity must be a decimal number, got "ten"',
    },
    {
      description: 'NaN quantity',
      req: { quantity: Number.NaN },
      message: 'quantity must be a decimal number, got null',
    },
    {
      description: 'reversed period',
      req: { from: '2025-02-01', to: '2025-01-01' },
      message: 'period is empty or reversed: from 2025-02-01 to 2025-01-01',
    },
    {
      description: 'not a date',
      req: { from: '2025-02-30' },
      message: "from '2025-02-30' is not a calendar date",
    },
    {
      description: 'unknown resource',
      req: { resource: 'steam' },
      message: "unknown resource 'steam' (one of electricity, water, gas)",
    },
    {
      description: 'too long',
      req: { from: '2000-01-01', to: '2030-01-01' },
      message: 'period is longer than 1830 days',
    },
    {
      description: 'gap in readings',
      req: {
        quantity: undefined,
        readings: [
          { from: '2025-01-01', to: '2025-01-10', quantity: 1 },
          { from: '2025-01-11', to: '2025-02-01', quantity: 1 },
        ],
      },
      message: 'readings[1] starts 2025-01-11, expected 2025-01-10',
    },
  ])('$description', ({ req, message }) => {
    const base = {
      resource: 'electricity',
      from: '2025-01-01',
      to: '2025-02-01',
      quantity: 100 as unknown,
    }
    expect(() => quote(history, rb, { ...base, ...req } as never)).toThrow(QuoteError)
    expect(() => quote(history, rb, { ...base, ...req } as never)).toThrow(message)
  })
})

describe('money', () => {
  it('allocates fen so split lines add up to the rounded exact total', () => {
    const parts = ['0.005', '0.005', '0.005'].map((x) => new Money(x))
    const out = allocateFen(parts)
    expect(out.map((x) => x.toFixed(2))).toEqual(['0.00', '0.01', '0.01'])
    expect(out.reduce((a, b) => a.plus(b)).toFixed(2)).toBe('0.02')
  })

  it('a split period charges the same total as the unsplit one when the rate is constant', () => {
    const whole = quote(history, rb, {
      resource: 'electricity',
      from: '2025-01-01',
      to: '2025-03-01',
      quantity: '12345.67',
    })
    const split = quote(history, rb, {
      resource: 'electricity',
      from: '2025-01-01',
      to: '2025-03-01',
      readings: [
        { from: '2025-01-01', to: '2025-01-17', quantity: '3333.33' },
        { from: '2025-01-17', to: '2025-03-01', quantity: '9012.34' },
      ],
    })
    expect(split.total).toBe(whole.total)
    expect(whole.total).toBe('3703.70')
  })
})
