import { describe, expect, it } from 'vitest'
import { QuoteError } from '../src/errors.ts'
import { allocateFen, fenSteps, Money } from '../src/pricing/money.ts'
import { quote } from '../src/pricing/quote.ts'
import {
  markQuote,
  quoteTemplate,
  SlotText,
  templateNumbers,
  templateNumbersOf,
} from '../src/pricing/quote-template.ts'
import { rate } from '../src/rating/rate.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { caseOneFirms } from './support/population.ts'
import { edited, editedAll, ningbo } from './support/rulebook.ts'

const rb = ningbo()
const history = rate(caseOneFirms(), rb, 2024).filter((r) => r.name === '企业1')

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
      message: "unknown resource 'steam' (one of electricity, water, gas, sewage)",
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

  it('a fen short goes to the largest remainders, a fen over comes back from the smallest, earlier lines on a tie', () => {
    // Remainders (in thousandths of a yuan): 4, -3, 4, 2, -3.
    const rem = [4, -3, 4, 2, -3]
    const by = (i: number, j: number) => rem[i] - rem[j]
    expect(fenSteps(5, 2, by)).toEqual([1, 0, 1, 0, 0])
    expect(fenSteps(5, 1, by)).toEqual([1, 0, 0, 0, 0])
    expect(fenSteps(5, -2, by)).toEqual([0, -1, 0, 0, -1])
    expect(fenSteps(5, -3, by)).toEqual([0, -1, 0, -1, -1])
    expect(fenSteps(5, 0, by)).toEqual([0, 0, 0, 0, 0])
    // Through allocateFen. 0.004 + 0.004 + 0.003 = 0.011, 0.01 rounded; each line rounds to 0.00, a fen short: the
    // first of the two largest remainders takes it. 0.005 + 0.005 + 1.003 = 1.013, 1.01 rounded; the lines round to
    // 0.01 + 0.01 + 1.00 = 1.02, a fen over: the first of the two smallest remainders (-0.005) gives it back.
    const fen = (xs: string[]) => allocateFen(xs.map((x) => new Money(x))).map((x) => x.toFixed(2))
    expect(fen(['0.004', '0.004', '0.003'])).toEqual(['0.01', '0.00', '0.00'])
    expect(fen(['0.005', '0.005', '1.003'])).toEqual(['0.00', '0.01', '1.00'])
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

describe('tariff memo (each firm-year is priced once per history, then reused)', () => {
  const req = { resource: 'electricity', from: '2025-01-01', to: '2025-03-01', quantity: '1000' }
  const facts = (cls: string) =>
    history.map((h) => ({
      creditCode: h.creditCode,
      county: h.county,
      year: h.year,
      class: cls,
      category: h.category,
      sector: h.sector,
      figures: h.figures,
    }))

  it('prices another history of the same firm on its own', () => {
    // 企业1 is class D: 1000 kWh × 0.3 = 300.00. Re-rated A (no surcharge), the same firm and period cost 0.00.
    expect(quote(history, rb, req).total).toBe('300.00')
    const upgraded = quote(facts('A'), rb, req)
    expect(upgraded.total).toBe('0.00')
    expect(upgraded.lines).toEqual([])
    expect(quote(history, rb, req).total).toBe('300.00')
  })

  it('clips the remembered year to each new period', () => {
    const feb = quote(history, rb, { ...req, from: '2025-02-01', to: '2025-02-15' })
    expect(feb.lines.map((l) => [l.from, l.to, l.days, l.amount])).toEqual([
      ['2025-02-01', '2025-02-15', 14, '300.00'],
    ])
    // Across New Year the 2024 days have no evaluation (the history starts with 2024's), so only January is charged:
    // 1000 kWh × 31/62 days = 500 kWh × 0.3 = 150.00.
    const span = quote(history, rb, { ...req, from: '2024-12-01', to: '2025-02-01' })
    expect(span.lines.map((l) => [l.from, l.to, l.quantity, l.amount])).toEqual([
      ['2025-01-01', '2025-02-01', '500', '150.00'],
    ])
    expect(span.notes).toEqual([
      'no published evaluation binds from 2024-01-01 to 2024-12-31: no class or category applies',
    ])
  })

  it('splits at a new version of a schedule, so that each line cites what it was charged under', () => {
    // class_electricity is revised on 2025-07-01. A firm in its first D year pays 0.30 under both versions, and
    // still gets two lines: 365 kWh over 365 days, 181 kWh × 0.30 = 54.30 and 184 kWh × 0.30 = 55.20, total 109.50.
    const year = quote(history, rb, { ...req, to: '2026-01-01', quantity: '365' })
    expect(year.lines.map((l) => [l.from, l.to, l.days, l.rate, l.amount, l.origin.line])).toEqual([
      ['2025-01-01', '2025-07-01', 181, '0.3', '54.30', 4],
      ['2025-07-01', '2026-01-01', 184, '0.3', '55.20', 16],
    ])
    expect(year.lines[0].document).not.toBe(year.lines[1].document)
    expect(year.total).toBe('109.50')
  })

  it('keeps one line across meter readings under one version', () => {
    // 1000 + 500 kWh, all at 0.30 under the first version: 1500 × 0.30 = 450.00 on one line.
    const read = quote(history, rb, {
      ...req,
      quantity: undefined,
      readings: [
        { from: '2025-01-01', to: '2025-02-01', quantity: '1000' },
        { from: '2025-02-01', to: '2025-03-01', quantity: '500' },
      ],
    })
    expect(read.lines.map((l) => [l.from, l.to, l.quantity, l.amount])).toEqual([
      ['2025-01-01', '2025-03-01', '1500', '450.00'],
    ])
  })
})

describe('stacking mode max (a rule format option Ningbo does not use: it adds surcharges up)', () => {
  // Case 12's firm 3 (class C, stainless at 666.67 kWh/t over a 500 limit → restrict) under a rulebook whose
  // electricity stacking is `max`: class C 0.15 × 10,000 = 1500.00 is charged, restrict 0.10 → 1000.00 waived.
  const maxRb = compileRulebook(
    edited(
      'pricing.yaml',
      '    resource: electricity\n    mode: sum',
      '    resource: electricity\n    mode: max',
    ),
  )
  it('charges only the highest surcharge and lists the others as waived', () => {
    const pop = caseOneFirms('330203', {
      3: { output_t: 1500, energy_limit_kwh_per_t: 500 },
    }).map((e) => (e.name === '企业3' ? { ...e, industryCode: '3130' } : e))
    const firm3 = rate(pop, maxRb, 2024).filter((r) => r.name === '企业3')
    expect(firm3[0]).toMatchObject({ class: 'C', category: { category: 'restrict' } })
    // August 2025: the stacking item starts 2025-07-01, with its source (before it, every schedule is charged).
    const q = quote(firm3, maxRb, {
      resource: 'electricity',
      from: '2025-08-01',
      to: '2025-09-01',
      quantity: 10000,
    })
    expect(q.lines.map((l) => [l.scheduleId, l.amount])).toEqual([['class_electricity', '1500.00']])
    expect(q.waived.map((l) => [l.scheduleId, l.amount])).toEqual([
      ['stainless_electricity', '1000.00'],
    ])
    expect(q.total).toBe('1500.00')
  })
})

describe('quote templates (a billing run prices a plain bill from its firm-and-period template)', () => {
  // Under `max` stacking, so the template carries a waived line too; across the day stacking starts (2025-07-01),
  // a year's end, and a whole year. The text filled with each quantity's numbers equals the quote's JSON.
  const maxRb = compileRulebook(
    edited(
      'pricing.yaml',
      '    resource: electricity\n    mode: sum',
      '    resource: electricity\n    mode: max',
    ),
  )
  /** Case 12's firm 3 (stainless, restrict; class C) rated under `rb`. */
  const firm3Under = (rb: ReturnType<typeof compileRulebook>) =>
    rate(
      caseOneFirms('330203', { 3: { output_t: 1500, energy_limit_kwh_per_t: 500 } }).map((e) =>
        e.name === '企业3' ? { ...e, industryCode: '3130' } : e,
      ),
      rb,
      2024,
    ).filter((r) => r.name === '企业3')
  const firm3 = firm3Under(maxRb)
  const periods: [string, string][] = [
    ['2025-08-01', '2025-09-01'],
    ['2025-06-15', '2025-07-20'],
    ['2025-12-20', '2026-01-10'],
    ['2025-01-01', '2026-01-01'],
  ]
  const quantities: (string | number)[] = [
    '10000',
    1,
    7.25,
    '0.000000001',
    '123456789012345.123456789',
  ]

  it.each(periods)('from %s to %s: every quantity is priced as quote() prices it', (from, to) => {
    const req = { resource: 'electricity', from, to }
    const t = quoteTemplate(firm3, maxRb, req)!
    expect(t).toBeDefined()
    const sample = quote(firm3, maxRb, { ...req, quantity: '1' })
    markQuote(sample)
    const text = new SlotText(JSON.stringify(sample))
    expect(text.slots).toBe(3 + 2 * (t.lineCount + t.waivedCount))
    for (const quantity of quantities) {
      const numbers = templateNumbers(t, new Money(String(quantity)), [firm3[0].creditCode])
      expect(text.fill(numbers)).toBe(JSON.stringify(quote(firm3, maxRb, { ...req, quantity })))
    }
    if (from === '2025-08-01') expect(t.waivedCount).toBe(1)
  })

  it('is not made where two stacked schedules tie (which is charged could turn on rounding)', () => {
    // Restrict raised to class C's 0.15: under `max` the two tie.
    const tie = compileRulebook(
      editedAll('pricing.yaml', [
        ['    resource: electricity\n    mode: sum', '    resource: electricity\n    mode: max'],
        [
          '      - { category: eliminate, rate: "0.50" }\n      - { category: restrict, rate: "0.10" }',
          '      - { category: eliminate, rate: "0.50" }\n      - { category: restrict, rate: "0.15" }',
        ],
      ]),
    )
    const h = firm3Under(tie)
    const req = { resource: 'electricity', from: '2025-08-01', to: '2025-09-01' }
    expect(quoteTemplate(h, tie, req)).toBeUndefined()
    expect(quoteTemplate(h, tie, { ...req, from: '2025-05-01', to: '2025-06-01' })).toBeDefined()
  })

  it('prices a quantity with integers as Money prices it: every line, the fen spread over lines, waived lines', () => {
    // Under `sum` firm 3 is charged two lines from 2025-07-01 (class C and stainless restrict): their fen are
    // spread by allocateFen; under `max` one is charged and the other waived. Quantities of 0 to 9 decimals, some
    // a half fen or a half of the third decimal away from rounding, and forms Money alone takes (exponent, number).
    let seed = 11
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const quantities: (string | number)[] = [
      '0.03',
      '0.1',
      '0.0005',
      '0.0015',
      '1.0005',
      '5.000',
      '10000.50',
      '0.000001',
      '0.0000001',
      '7',
      7.25,
      '999999999999999.999999999',
      '123456789012345.123456789',
      '0.5',
      '00012',
    ]
    for (let k = 0; k < 150; k++) {
      const whole = String(next(10 ** (1 + next(9))))
      const places = next(10)
      const frac = Array.from({ length: places }, () => next(10)).join('')
      quantities.push(places ? `${whole}.${frac}` : whole)
    }
    let exactTemplates = 0
    let multiLine = 0
    for (const [rules, h] of [
      [rb, firm3Under(rb)],
      [maxRb, firm3],
    ] as const)
      for (const [from, to] of [...periods, ['2025-07-01', '2025-08-01'] as [string, string]]) {
        const req = { resource: 'electricity', from, to }
        const t = quoteTemplate(h, rules, req)!
        const sample = quote(h, rules, { ...req, quantity: '1' })
        markQuote(sample)
        const text = new SlotText(JSON.stringify(sample))
        if (t.exact) exactTemplates++
        if (t.exact && t.lineCount > 1) multiLine++
        for (const quantity of quantities) {
          const numbers = templateNumbersOf(t, String(quantity), [h[0].creditCode])
          const q = quote(h, rules, { ...req, quantity })
          if (numbers === undefined) expect(q.total, `${from} ${quantity}`).toBe('0.00')
          else expect(text.fill(numbers), `${from} ${quantity}`).toBe(JSON.stringify(q))
        }
      }
    // The integer path was taken for the periods of one segment (August, July: a period across 2025-07-01 or a
    // year's end has two), under `sum` with two lines each.
    expect(exactTemplates).toBe(4)
    expect(multiLine).toBe(2)
  })
})
