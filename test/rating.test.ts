import { describe, expect, it } from 'vitest'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import type { Enterprise } from '../src/enterprise/enterprise.ts'
import { rate } from '../src/rating/rate.ts'
import { resultToJson } from '../src/rating/result-json.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { caseOneFirms } from './support/population.ts'
import { editedAll, ningbo, ningboWithExample } from './support/rulebook.ts'

const rb = ningbo()

describe('rate', () => {
  it('is deterministic and independent of input order (byte-identical JSON)', () => {
    const pop = [...caseOneFirms('330203'), ...caseOneFirms('330282')]
    const a = JSON.stringify(rate(pop, rb, 2024).map(resultToJson))
    const b = JSON.stringify(rate([...pop].reverse(), rb, 2024).map(resultToJson))
    const shuffled = [...pop].sort((x, y) => (x.name + x.county < y.name + y.county ? 1 : -1))
    expect(b).toBe(a)
    expect(JSON.stringify(rate(shuffled, rb, 2024).map(resultToJson))).toBe(a)
  })

  it('ranks each county separately', () => {
    const res = rate([...caseOneFirms('330203'), ...caseOneFirms('330282')], rb, 2024)
    // Four A of twenty in each county.
    expect(res.filter((r) => r.class === 'A')).toHaveLength(8)
    expect(new Set(res.map((r) => r.groupSize))).toEqual(new Set([20]))
  })

  it('traces every indicator with value, benchmark, ratio, capped ratio, weight and points, and the rules used', () => {
    const r = rate(caseOneFirms(), rb, 2024).find((x) => x.name === '企业1')!
    expect(r.indicators[0]).toEqual({
      id: 'tax_per_mu',
      label: '亩均税收',
      unit: '万元/亩',
      formula: 'tax / land_mu',
      // Case 01: mean tax_per_mu 11.8 / 20 = 0.59; 0.1 / 0.59 = 0.169491…; × 50 = 8.47457… → 8.4746.
      value: 0.1,
      benchmark: 0.59,
      benchmarkKind: 'peer mean over county × group',
      ratio: 0.1695,
      cappedRatio: 0.1695,
      weight: 50,
      points: 8.4746,
    })
    expect(r.rules.map((x) => `${x.section}:${x.id}`)).toEqual([
      'groups:below_scale',
      'scoring:below_scale_scoring',
      'classes:class_by_rank',
      'indicators:tax_per_mu',
      'indicators:tax_per_10mwh',
    ])
    expect(r.rules[1]).toMatchObject({ file: 'evaluation.yaml', assumed: true })
  })

  it('gives a clear per-enterprise status for bad figures and still rates the rest', () => {
    const pop = caseOneFirms('330203', {
      2: { tax: -5 },
      3: { tax: 'lots' },
      4: { land_mu: undefined },
      5: { furnace_type: 'coke_oven' },
      6: { size: 3 },
    })
    const res = rate(pop, rb, 2024)
    const by = (n: string) => res.find((r) => r.name === n)!
    expect(by('企业2').problems).toEqual(['tax must be at least 0, got -5'])
    expect(by('企业3').problems).toEqual(['tax must be a number, got "lots"'])
    expect(by('企业4').problems).toEqual(["group below_scale: missing figure 'land_mu'"])
    expect(by('企业5').problems[0]).toMatch(/^furnace_type must be one of none, /)
    expect(by('企业6').problems).toEqual(["unknown figure 'size' (not an input of the rulebook)"])
    expect(res.filter((r) => r.status === 'rated')).toHaveLength(15)
    for (const r of res) if (r.score !== null) expect(Number.isFinite(r.score)).toBe(true)
  })

  it('flags duplicate credit codes and unknown counties', () => {
    const pop = caseOneFirms()
    const res = rate(
      [...pop, { ...pop[0], name: 'dup' }, { ...pop[1], creditCode: 'X', county: '110101' }],
      rb,
      2024,
    )
    expect(
      res.find(
        (r) => r.name === 'dup' || (r.creditCode === pop[0].creditCode && r.status === 'invalid'),
      )?.problems[0],
    ).toMatch(/duplicate credit code/)
    expect(res.find((r) => r.creditCode === 'X')?.problems).toEqual([
      "county '110101' is not a county of 宁波市",
    ])
  })

  it('rates with a pending override only in preview', () => {
    const pop = caseOneFirms('330281')
    const withExample = compileRulebook(ningboWithExample())
    const real = rate(pop, withExample, 2025)
    const preview = rate(pop, withExample, 2025, { preview: 'yuyao_2026_gas' })
    expect(preview.map((r) => r.class)).toEqual(real.map((r) => r.class))
  })
})

describe('one ranking over groups that score different items', () => {
  // Classes ranked over [county] only: above-scale firms (six items) and below-scale firms (two) in one ranking.
  const mixed = compileRulebook(
    editedAll('evaluation.yaml', [
      ['over: [county, group]\n    rounding', 'over: [county]\n    rounding'],
    ]),
  )

  it('breaks a tie at the top by each firm’s own tie-break value', () => {
    // Below scale: tax 1..9 and 150 on 10 mu: tax_per_mu mean (0.1 + … + 0.9 + 15) / 10 = 1.545, 15 / 1.545 = 9.7 →
    // cap 3; tax_per_10mwh mean 0.195, 1.5 / 0.195 = 7.7 → 3. Score 3 × (50 + 50) = 300, tie-break tax_per_mu 15.
    const below = caseOneFirms('330203', { 10: { tax: 150 } }).slice(0, 10)
    // Above scale: four small firms and one that is 12–20× larger on every indicator (see each ratio below), so
    // every ratio reaches the cap: 3 × (30 + 20 + 20 + 10 + 10 + 10) = 300, tie-break tax_per_mu 12.
    const small = {
      land_mu: 10,
      tax: 10,
      value_added: 10,
      energy_tce: 1000,
      cod_t: 10,
      employees: 10,
    }
    const above = [1, 2, 3, 4, 5].map((i) => ({
      creditCode: withCheckChar(`91330203MA3${String(i).padStart(6, '0')}`),
      name: `规上${i}`,
      county: '330203',
      industryCode: '1711',
      figures: {
        above_scale: true,
        ...small,
        revenue: 100,
        rd_spend: 1,
        // tax_per_mu 12 vs mean 3.2 (3.75×); value added per mu 20 vs 4.8; per tce 2 vs 0.408; per emission 20 vs
        // 4.8; per employee 20 vs 4.8; R&D 20 % vs 4.8 %: all over 3×.
        ...(i === 5 && { tax: 120, value_added: 200, energy_tce: 100, rd_spend: 20 }),
      } as Enterprise['figures'],
    }))
    const res = rate([...below, ...above], mixed, 2024)
    const top = res.filter((r) => r.rank !== null && r.rank <= 2).sort((a, b) => a.rank! - b.rank!)
    // 15 before 12. The slab layouts differ (two items vs six), so each firm's tie value is read at its own offset.
    expect(top.map((r) => [r.name, r.group, r.score, r.rank, r.groupSize, r.class])).toEqual([
      ['企业10', 'below_scale', 300, 1, 15, 'A'],
      ['规上5', 'above_scale', 300, 2, 15, 'A'],
    ])
  })
})

/** Case 14's and 15's above-scale firm in Cixi: every figure equal but the COD, left out when not given. */
const aboveScaleFirm = (i: number, name: string, cod?: number): Enterprise => ({
  creditCode: withCheckChar(`91330282MA2${String(20 + i).padStart(6, '0')}`),
  name,
  county: '330282',
  industryCode: '3824',
  figures: {
    above_scale: true,
    land_mu: 10,
    tax: 40,
    revenue: 1000,
    value_added: 200,
    energy_tce: 100,
    employees: 20,
    rd_spend: 10,
    electricity_kwh: 100000,
    ...(cod !== undefined && { cod_t: cod }),
  },
})

describe('an unreported figure (`missing`)', () => {
  it('shows no value and the peers’ mean points in the trace, which add up to the score (case 15)', () => {
    const firm = (i: number, cod?: number) => aboveScaleFirm(i, `排${i}`, cod)
    const res = rate([firm(1, 1), firm(2, 2), firm(3, 4), firm(4)], rb, 2024)
    const h4 = res.find((r) => r.name === '排4')!
    const item = h4.indicators.find((i) => i.id === 'value_added_per_emission')!
    expect(Number.isNaN(item.value)).toBe(true)
    expect(item.points).toBe(10)
    expect(item.benchmark).toBe(116.6667)
    expect(h4.indicators.reduce((a, i) => a + i.points, 0)).toBeCloseTo(h4.score!, 4)
  })
})

describe('scheme versions', () => {
  it('an above-scale firm is scored on the four c.2016 indicators up to 2017 and on the six of 2018 after', () => {
    const firm = aboveScaleFirm(21, '规上', 1)
    const items = (year: number) =>
      rate([firm], rb, year)[0].indicators.map((i) => `${i.id} ${i.weight}`)
    expect(items(2017)).toEqual([
      'tax_per_mu 37.5',
      'value_added_per_mu 25',
      'value_added_per_tce 25',
      'value_added_per_emission 12.5',
    ])
    expect(items(2018)).toEqual([
      'tax_per_mu 30',
      'value_added_per_mu 20',
      'value_added_per_tce 20',
      'value_added_per_emission 10',
      'labour_productivity 10',
      'rd_intensity 10',
    ])
  })
})
