// Issue "Abuse resistance", the parts that are pure functions: the failed-authentication table cannot be flushed,
// formulas are typed on both branches and conditions must be conditions, and CSV cells never become formulas.
import { describe, expect, it } from 'vitest'
import { csvCell } from '../../src/enterprise/csv.ts'
import { compileFormula } from '../../src/formula/compile.ts'
import { AuthFailureLimiter } from '../../src/http/auth-limiter.ts'
import { edited, ningbo, problemsOf } from '../support/rulebook.ts'

describe('4. the failed-authentication table', () => {
  it('failures sprayed over more addresses than it holds do not unlock a locked address', () => {
    const limiter = new AuthFailureLimiter(30, 60_000, 10_000)
    const now = 1_000_000
    for (let i = 0; i < 30; i++) limiter.fail('203.0.113.9', now)
    expect(limiter.retryAfter('203.0.113.9', now)).toBe(60)
    // The attacker's own failures keep its entry the most recent one while it sprays.
    for (let i = 0; i < 12_000; i++) {
      limiter.fail(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, now + 1)
      if (i % 1000 === 0) limiter.fail('203.0.113.9', now + 1)
    }
    expect(limiter.size).toBe(10_000)
    expect(limiter.retryAfter('203.0.113.9', now + 1)).toBeGreaterThan(0)
    expect(limiter.retryAfter('203.0.113.9', now + 60_001)).toBe(0)
  })
})

describe('6. formulas are typed', () => {
  const symbols = ningbo().symbols
  it('both branches of ?: must give the same kind of value', () => {
    expect(() => compileFormula('(land_mu > 0 ? furnace_type : 1) + 1', symbols)).toThrow(
      "the branches of '(land_mu > 0) ? furnace_type : 1' give a category and a number; both must give the same kind of value",
    )
    expect(compileFormula('land_mu > 0 ? tax : 1', symbols).type).toBe('number')
  })

  it('a `when` that is not a condition is a rule error naming file, line and field', () => {
    expect(problemsOf(edited('evaluation.yaml', 'when: high_tech', 'when: tax'))).toEqual([
      "evaluation.yaml:101:11: 'tax' is not a condition: a `when` must give true or false (e.g. a comparison) (at adjustments.0.when)",
    ])
  })
})

describe('7. CSV export', () => {
  it.each(['=1+1', '\t=1+1', '\r=1+1', '\u0000=1+1', '\u200b=1+1', '  @SUM(A1)', '+1-2', '\t'])(
    'neutralises %j',
    (cell) => {
      expect(csvCell(cell).replace(/^"/, '').startsWith("'")).toBe(true)
    },
  )
  it.each(['-12.5', '3', '宁波甲机械有限公司', 'a=b'])('leaves %j as it is', (cell) => {
    expect(csvCell(cell)).toBe(cell)
  })
})

describe('2. a self-check reads only the peers its answer depends on', () => {
  it('the county alone gives the same answer as the whole population', async () => {
    const { createTestApp, principalOf } = await import('../support/app.ts')
    const { selfCheck } = await import('../../src/rating/self-check.ts')
    const { resultToJson } = await import('../../src/rating/result-json.ts')
    const t = createTestApp({ size: 300 })
    const body = {
      county: '330282',
      industryCode: '3411',
      year: 2024,
      figures: { land_mu: 12, tax: 40, electricity_kwh: 900_000, above_scale: false },
    }
    const viaService = t.services.pricing.selfCheck(principalOf(t, t.tokens.bureau), body)
    const whole = selfCheck(
      t.store.population(2024),
      t.services.rulebooks.active().rulebook,
      2024,
      {
        creditCode: 'SELF-CHECK',
        name: '自查',
        ...body,
      },
    )
    expect(t.store.population(2024, '330282').length).toBeLessThan(t.store.population(2024).length)
    expect(viaService).toEqual(resultToJson(whole))
  })
})
