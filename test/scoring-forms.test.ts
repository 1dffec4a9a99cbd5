/**
 * The scoring forms other published schemes use (test/fixtures/rulebooks/scoring-forms): `rules check` accepts
 * them, their mistakes are load errors naming file, line and field, and the edges the golden cases (21, 22) leave:
 * a previous-year benchmark without that year's statistic, a min–max frame stored and rated against.
 */
import { cpSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { MujunError } from '../src/errors.ts'
import { emptyFrame, rate } from '../src/rating/rate.ts'
import { compileRulebook, type RuleText } from '../src/rulebook/compile.ts'
import { industryMatches, industryPrefixProblem } from '../src/rulebook/industry.ts'
import { readRuleTexts } from '../src/rulebook/load.ts'
import { createTestApp, importAsCorrection, principalOf } from './support/app.ts'
import { edited, problemsOf } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

const DIR = new URL('./fixtures/rulebooks/scoring-forms', import.meta.url).pathname
const texts = (): RuleText[] => readRuleTexts(DIR)
/** The fixture with one text edit (the `find` text must occur exactly once). */
function fixtureEdited(find: string, replace: string): RuleText[] {
  return texts().map((t) => {
    if (t.path !== 'rulebook.yaml') return t
    expect(t.text.split(find), find).toHaveLength(2)
    return { ...t, text: t.text.replace(find, replace) }
  })
}
const firm = (code: string, county: string, industry: string, tax: number, above = false) => ({
  creditCode: code,
  name: code,
  county,
  industryCode: industry,
  figures: { above_scale: above, land_mu: 10, tax, revenue: 100, rd_spend: 1 },
})

describe('rules check', () => {
  it('accepts min–max items, previous-year benchmarks, industry groups, sector and industry_in in `when`', async () => {
    const dir = tempDir('test')
    cpSync(DIR, join(dir, 'forms'), { recursive: true })
    const out: string[] = []
    const err: string[] = []
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }
    expect(await runCli(['rules', 'check', dir], io)).toBe(0)
    expect(err).toEqual([])
    expect(out[0]).toMatch(/forms: ok — 1 files, 5 inputs, 11 dated items/)
  })

  it('refuses a bad GB/T 4754 prefix in industry_in, naming the line', () => {
    const p = problemsOf(
      fixtureEdited('industry_in("D44", "D45", "D46")', 'industry_in("D44", "A31")'),
    )
    expect(p).toHaveLength(1)
    expect(p[0]).toMatch(
      /^rulebook\.yaml:38:\d+: formula 'industry_in\("D44", "A31"\)': industry_in: division 31 is not in section A \(01–05\) \(at groups\.0\.when\)$/,
    )
    expect(
      problemsOf(fixtureEdited('industry_in("D44", "D45", "D46")', 'industry_in(tax)'))[0],
    ).toMatch(/industry_in takes quoted GB\/T 4754 prefixes such as "C31" or "3391", not 'tax'/)
  })

  it('a `when` may compare the sector and test the industry code; an indicator or a price may not', () => {
    const inIndicator = problemsOf(
      fixtureEdited('formula: tax / land_mu', 'formula: "industry_in(\\"C17\\") ? tax : 0"'),
    )
    expect(inIndicator).toHaveLength(1)
    expect(inIndicator[0]).toMatch(
      /^rulebook\.yaml:\d+:\d+: 'industry_in' may be used only in a condition of a rated firm .* \(at indicators\.0\.formula\)$/,
    )
    const sectorInIndicator = problemsOf(
      fixtureEdited('formula: tax / land_mu', 'formula: "sector == \\"textiles\\" ? tax : 0"'),
    )
    expect(sectorInIndicator[0]).toMatch(/unknown variable 'sector'/)
    // A sector that does not exist is refused like any category value.
    expect(
      problemsOf(fixtureEdited('when: sector == "textiles"', 'when: sector == "textile"'))[0],
    ).toMatch(/'textile' is not one of the allowed values \(textiles, other\)/)
  })

  it('an unknown variable in a `when` says what a `when` may use (the Ningbo rules)', () => {
    const p = problemsOf(
      edited(
        'version-4.0.yaml',
        'when: not above_scale and tenant',
        'when: not above_scale and industry == "C33"',
      ),
    )
    expect(p).toHaveLength(1)
    expect(p[0]).toBe(
      'version-4.0.yaml:22:11: formula \'not above_scale and industry == "C33"\': unknown variable \'industry\'. A `when` may use: the inputs (catalogue_class, land_mu, tax, revenue, value_added, energy_tce, electricity_kwh, water_m3, gas_m3, sewage_m3, water_quota_m3, cod_t and 27 more); the indicators; `evaluation_year` (groups, adjustments, vetoes); `sector`, compared with a sector id (ironmaking, ferrous_smelting, nonferrous_smelting, paper, chemical_fibre, dyeing, electroplating, chemicals, building_materials, power, stainless, foundry, aluminium, general), and `industry_in("C31", "3391", …)` with GB/T 4754 prefixes (where a firm is rated) (at groups.1.when)',
    )
    // A misspelt name gets its "did you mean" as a question of its own, then the list (it read "…'sector'?. A").
    const misspelt = problemsOf(
      edited(
        'version-4.0.yaml',
        'when: not above_scale and tenant',
        'when: not above_scale and sectr == "stainless"',
      ),
    )
    expect(misspelt).toHaveLength(1)
    expect(misspelt[0]).toContain(
      "unknown variable 'sectr'; did you mean 'sector'? A `when` may use: the inputs (",
    )
  })

  it('industry groups are declared with `over: [..., industry]`, once each, with one default; benchmarks cannot use them', () => {
    const noOver = problemsOf(
      fixtureEdited('over: [county, group, industry]', 'over: [county, group]'),
    )
    expect(noOver).toEqual([
      expect.stringMatching(
        /^rulebook\.yaml:\d+:\d+: industries are used only when `over` names 'industry'/,
      ),
    ])
    const noDefault = problemsOf(
      fixtureEdited('industryCodes: [], default: true }', 'industryCodes: [C13] }'),
    )
    expect(noDefault[0]).toMatch(/exactly one industry must be marked `default: true`/)
    const noIndustries = problemsOf(
      fixtureEdited(
        'benchmark: { peer: mean, over: [county, group] },',
        'benchmark: { peer: mean, over: [county, industry] },',
      ),
    )
    expect(noIndustries[0]).toMatch(
      /a benchmark is taken over county, sector or group; industry groups rank firms in a class scheme .*\(at scoring\.1\.items\.0\.benchmark\.over\.1\)/,
    )
    const bare = problemsOf(
      fixtureEdited(
        'groups: [below_scale]\n    method: rank-share',
        'groups: [below_scale]\n    over: [county, industry]\n    method: rank-share',
      ),
    )
    expect(bare[0]).toMatch(/'industry' in over needs the scheme's `industries`/)
  })

  it('a min–max item needs its base and span as data', () => {
    const p = problemsOf(fixtureEdited('base: 20, span: 80 },', 'base: 20 },'))
    expect(p.length).toBeGreaterThan(0)
    expect(p.join('\n')).toMatch(/scoring\.0\.items\.0\.benchmark/)
  })
})

describe('GB/T 4754 prefixes', () => {
  it('a section letter matches the codes of its divisions; digits match as a prefix', () => {
    expect(industryMatches('3130', 'C31')).toBe(true)
    expect(industryMatches('C3130', '313')).toBe(true)
    expect(industryMatches('3130', 'C')).toBe(true)
    expect(industryMatches('4411', 'C')).toBe(false)
    expect(industryMatches('4411', 'D44')).toBe(true)
    expect(industryMatches('1711', 'C18')).toBe(false)
    expect(industryPrefixProblem('C31')).toBeUndefined()
    expect(industryPrefixProblem('D31')).toMatch(/division 31 is not in section D/)
    expect(industryPrefixProblem('Z1')).toMatch(/not a GB\/T 4754 section/)
  })
})

describe('previous-year benchmarks', () => {
  const rb = compileRulebook(texts())
  const y2023 = [firm('P1', '990101', '2610', 10), firm('P2', '990101', '2910', 50)]
  const y2024 = [firm('P1', '990101', '2610', 20), firm('P2', '990101', '2910', 40)]

  it('without the previous year rating stops with NO_PREVIOUS_YEAR; it never falls back to this year', () => {
    let error: unknown
    try {
      rate(y2024, rb, 2024)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MujunError)
    expect((error as MujunError).code).toBe('NO_PREVIOUS_YEAR')
    expect((error as MujunError).message).toBe(
      'previous_scoring benchmarks tax_per_mu on the 2023 peer statistic over 990101 × below_scale, and no published 2023 evaluation is given: rate and publish 2023 first, or use `year: current` for this year',
    )
    // A 2023 run of another county records nothing for these peers.
    const other = emptyFrame()
    rate([firm('Q1', '990102', '2610', 10)], rb, 2023, { record: other })
    expect(() => rate(y2024, rb, 2024, { previous: { year: 2023, stats: other.stats } })).toThrow(
      /the 2023 run recorded none for those peers/,
    )
  })

  it('reads the previous mean, records it, and a self-check against the stored frame gives the same points', () => {
    const before = emptyFrame()
    rate(y2023, rb, 2023, { record: before })
    // 2023 mean tax/mu (1 + 5) / 2 = 3; 2024 benchmark 2 × 3 = 6: P1 2/6 → 33.3333, P2 4/6 → 66.6667.
    const record = emptyFrame()
    const results = rate(y2024, rb, 2024, { record, previous: { year: 2023, stats: before.stats } })
    expect(results.map((r) => r.score)).toEqual([33.3333, 66.6667])
    expect(results[0].indicators[0]).toMatchObject({
      benchmark: 6,
      benchmarkKind: '2 × previous-year peer mean over county × group',
    })
    const key = 'previous_scoring|tax_per_mu|990101|below_scale|'
    expect(record.stats.get(key)).toBe(3) // this year's own mean, for 2025
    expect(record.stats.get(`${key}|previous`)).toBe(3)
    // Rated against the stored frame alone (no previous frame given), the firm gets the published benchmark.
    const [again] = rate([y2024[0]], rb, 2024, { against: record })
    expect(again.score).toBe(33.3333)
  })
})

describe('min–max items', () => {
  const rb = compileRulebook(texts())
  it('stores the peers’ minimum and maximum with a run, and a self-check uses them', () => {
    const frame = emptyFrame()
    const population = [
      firm('M1', '990101', '3311', 10, true),
      firm('M2', '990101', '3411', 30, true),
      firm('M3', '990101', '3511', 50, true),
    ]
    const rated = rate(population, rb, 2024, { record: frame })
    // tax/mu 1, 3, 5: M2 = 60 × (20 + 80 × 0.5) / 100 = 36; rd 1 % for all: max = min, at the max: 40.
    expect(rated[1].score).toBe(76)
    expect(rated[1].indicators[0]).toMatchObject({ benchmark: 1, ratio: 0.6, points: 36 })
    const key = 'minmax_scoring|tax_per_mu|990101|above_scale|'
    expect([frame.stats.get(key), frame.stats.get(`${key}|max`)]).toEqual([1, 5])
    const [alone] = rate([population[1]], rb, 2024, { against: frame })
    expect(alone.score).toBe(76)
  })
})

describe('an evaluation run', () => {
  it('benchmarks on the previous year’s published statistics, and refuses a year whose previous one is not published', () => {
    const t = createTestApp({ size: 60 })
    const bureau = principalOf(t, t.tokens.bureau)
    const economy = principalOf(t, t.tokens.economy)
    const item =
      '      - { indicator: tax_per_mu, weight: 30, benchmark: { peer: mean, over: [county, group] }'
    const texts = edited(
      'evaluation.yaml',
      item,
      '      - { indicator: tax_per_mu, weight: 30, benchmark: { peer: mean, over: [county, group], year: previous, multiple: 2 }',
    )
    importAsCorrection(t, bureau, texts, 'previous-year benchmark')
    // The demo's 2023 evaluation is published; its run stored each peer mean.
    const before = t.store.peerFrame(t.store.publishedRun(2023)!.id)!
    const { id } = t.services.evaluations.run(economy, 2024)
    const frame = t.store.peerFrame(id)!
    const used = [...frame.stats].filter(([k]) => k.endsWith('|previous'))
    expect(used.length).toBeGreaterThan(0)
    for (const [k, v] of used) expect(v).toBe(before.stats.get(k.slice(0, -'|previous'.length)))
    // A stored result's trace, recomputed from the run's own frame: 2 × the 2023 mean of its county's group.
    const row = t.store
      .runResults(id)
      .find((r) => r.status === 'rated' && r.group === 'above_scale')!
    const { trace } = t.services.evaluations.stored(t.store.getRun(id), row) as unknown as {
      trace: { indicators: { id: string; benchmark: number }[] }
    }
    const prev = before.stats.get(`above_scale_scoring|tax_per_mu|${row.county}|above_scale|`)
    const tax = trace.indicators.find((i) => i.id === 'tax_per_mu')!
    expect(prev).toBeDefined()
    expect(tax.benchmark).toBe(Math.round(2 * prev! * 1e4) / 1e4)
    // 2022 was never published: 2023 cannot be rated under these rules.
    expect(() => t.services.evaluations.run(economy, 2023)).toThrow(
      /no published 2022 evaluation is given: rate and publish 2022 first/,
    )
  })
})

describe('class-share rounding (docs/rule-format.md, "A at most 20 %, D at least 5 %")', () => {
  it('floor gives 13 firms two A (not three, as round would) and one D', () => {
    const rb = compileRulebook(texts())
    // below_by_rank: A 0.2, B 0.4, C 0.35, D 0.05, rounding floor; 13 below-scale firms, distinct taxes.
    const population = Array.from({ length: 13 }, (_, i) =>
      firm(`F${String(i + 10)}`, '990101', '2610', 10 + i),
    )
    const classes = rate(population, rb, 2023).map((r) => r.class)
    const count = (c: string) => classes.filter((x) => x === c).length
    expect([count('A'), count('B'), count('C'), count('D')]).toEqual([2, 5, 5, 1])
    const rounded = compileRulebook(
      fixtureEdited(
        'groups: [below_scale]\n    method: rank-share\n    rounding: floor',
        'groups: [below_scale]\n    method: rank-share\n    rounding: round',
      ),
    )
    const byRound = rate(population, rounded, 2023).map((r) => r.class)
    expect(byRound.filter((x) => x === 'A')).toHaveLength(3)
  })
})

it('a sector prefix whose section letter does not hold its division is a load error', () => {
  const p = problemsOf(
    fixtureEdited('industryCodes: [C17, C18]\n    source', 'industryCodes: [D17, C18]\n    source'),
  )
  expect(p).toEqual([
    expect.stringMatching(
      /^rulebook\.yaml:27:\d+: division 17 is not in section D \(44–46\) \(at sectors\.0\.industryCodes\.0\)$/,
    ),
  ])
})
