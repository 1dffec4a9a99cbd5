// Issue "Abuse resistance", the parts that are pure functions: the failed-authentication table cannot be flushed,
// formulas are typed on both branches and conditions must be conditions, and CSV cells never become formulas.
import { describe, expect, it, vi } from 'vitest'
import { AuthFailureLimiter } from '../../src/edge-shared/auth-limiter.ts'
import { csvCell } from '../../src/enterprise/csv.ts'
import { compileFormula } from '../../src/formula/compile.ts'
import { rate } from '../../src/rating/rate.ts'
import { resultToJson } from '../../src/rating/result-json.ts'
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
      "evaluation.yaml:155:11: 'tax' is not a condition: a `when` must give true or false (e.g. a comparison) (at adjustments.0.when)",
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

describe('2. a self-check reads the published peer statistics, never the population', () => {
  it('answers a firm with its own figures exactly as the published run rated it, without reading the population', async () => {
    const { createTestApp, principalOf } = await import('../support/app.ts')
    const t = createTestApp({ size: 300 })
    const run = t.services.evaluations.publishedRun(2024)!
    const rows = t.store.runResults(run.id).filter((r) => r.status === 'rated')
    const scoreCount = new Map<number, number>()
    for (const r of rows) scoreCount.set(r.score!, (scoreCount.get(r.score!) ?? 0) + 1)
    // Ties are broken by tie-break values the statistics do not keep: firms with a unique score only.
    const unique = rows.filter((r) => scoreCount.get(r.score!) === 1)
    expect(unique.length).toBeGreaterThan(200)
    const population = vi.spyOn(t.store, 'population')
    const bureau = principalOf(t, t.tokens.bureau)
    const everyone = t.store.population(2024)
    const figures = new Map(everyone.map((e) => [e.creditCode, e]))
    // The run's own results, rated again here from the whole population under the same rules.
    const runTime = new Map(
      rate(everyone, t.services.rulebooks.active().rulebook, 2024, { trusted: true }).map((r) => [
        r.creditCode,
        resultToJson(r),
      ]),
    )
    population.mockClear()
    for (const row of unique) {
      const e = figures.get(row.creditCode)!
      const answer = t.services.pricing.selfCheck(bureau, {
        creditCode: e.creditCode,
        county: e.county,
        industryCode: e.industryCode,
        year: 2024,
        figures: e.figures,
      })
      const published = runTime.get(row.creditCode)!
      expect(
        { ...answer, name: published.name },
        `self-check of ${e.creditCode} against its own published result`,
      ).toEqual(published)
    }
    expect(population).not.toHaveBeenCalled()
  })

  it('a year without a published run is refused with its reason', async () => {
    const { createTestApp, principalOf } = await import('../support/app.ts')
    const t = createTestApp({ size: 50 })
    expect(() =>
      t.services.pricing.selfCheck(principalOf(t, t.tokens.bureau), {
        county: '330282',
        industryCode: '3411',
        year: 2019,
        figures: { land_mu: 12, tax: 40 },
      }),
    ).toThrow(/no evaluation of 2019 is published/)
  })
})
