import { describe, expect, it } from 'vitest'
import { rate } from '../src/rating/rate.ts'
import { resultToJson } from '../src/rating/result-json.ts'
import { tenFirms } from './support/population.ts'
import { ningbo } from './support/rulebook.ts'

const rb = ningbo()

describe('rate', () => {
  it('is deterministic and independent of input order (byte-identical JSON)', () => {
    const pop = [...tenFirms('330203'), ...tenFirms('330282')]
    const a = JSON.stringify(rate(pop, rb, 2024).map(resultToJson))
    const b = JSON.stringify(rate([...pop].reverse(), rb, 2024).map(resultToJson))
    const shuffled = [...pop].sort((x, y) => (x.name + x.county < y.name + y.county ? 1 : -1))
    expect(b).toBe(a)
    expect(JSON.stringify(rate(shuffled, rb, 2024).map(resultToJson))).toBe(a)
  })

  it('ranks each county separately', () => {
    const res = rate([...tenFirms('330203'), ...tenFirms('330282')], rb, 2024)
    expect(res.filter((r) => r.class === 'A')).toHaveLength(4)
    expect(new Set(res.map((r) => r.groupSize))).toEqual(new Set([10]))
  })

  it('traces every indicator with value, benchmark, ratio, capped ratio, weight and points, and the rules used', () => {
    const r = rate(tenFirms(), rb, 2024).find((x) => x.name === '企业1')!
    expect(r.indicators[0]).toEqual({
      id: 'tax_per_mu',
      label: '亩均税收',
      unit: '万元/亩',
      formula: 'tax / land_mu',
      value: 0.1,
      benchmark: 0.55,
      benchmarkKind: 'peer mean over county × group',
      ratio: 0.1818,
      cappedRatio: 0.1818,
      weight: 50,
      points: 9.0909,
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
    const pop = tenFirms('330203', {
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
    expect(res.filter((r) => r.status === 'rated')).toHaveLength(5)
    for (const r of res) if (r.score !== null) expect(Number.isFinite(r.score)).toBe(true)
  })

  it('flags duplicate credit codes and unknown counties', () => {
    const pop = tenFirms()
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
    const pop = tenFirms('330281')
    const real = rate(pop, rb, 2025)
    const preview = rate(pop, rb, 2025, { preview: 'yuyao_2026_gas' })
    expect(preview.map((r) => r.class)).toEqual(real.map((r) => r.class))
  })
})
