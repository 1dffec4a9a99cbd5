import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { rate } from '../src/rating/rate.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { groupCoverage } from '../src/rulebook/coverage.ts'
import { resolve } from '../src/rulebook/resolve.ts'
import { ruleFileJsonSchema } from '../src/rulebook/schema.ts'
import {
  edited,
  editedAll,
  FILED_CIXI,
  NINGBO_DIR,
  ningbo,
  ningboTexts,
  ningboWithExample,
  ningboWithFiledCixi,
  problemsOf,
  ratesOf,
} from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

describe('the shipped Ningbo rulebook', () => {
  it('loads with no problems and compiles every formula', () => {
    const rb = ningbo()
    expect(rb.meta.counties).toHaveLength(12)
    expect(rb.sections.indicators.map((i) => i.id)).toContain('tax_per_mu')
    expect(rb.overrides.map((o) => [o.id, o.status])).toEqual([['cixi_2024_electricity', 'draft']])
  })

  it('marks every value the sources leave open as assumed, with a note or source', () => {
    const rb = ningbo()
    const all = Object.values(rb.sections).flat() as {
      assumed?: boolean
      source: { document: string }
    }[]
    expect(all.every((x) => x.source.document.length > 0)).toBe(true)
    expect(all.filter((x) => x.assumed).length).toBeGreaterThan(5)
  })

  it('attributes no invented act to a real office: the demo proposal is marked an invented example throughout', () => {
    const yuyao = compileRulebook(ningboWithExample()).overrides.find(
      (o) => o.id === 'yuyao_2026_gas',
    )!
    const said = [
      yuyao.label,
      yuyao.header.submitted?.by ?? '',
      ...(yuyao.replace.surcharges ?? []).flatMap((x) => [x.label, x.source.document]),
    ]
    for (const text of said) expect(text).toContain('示例（虚构')
    expect(yuyao.text).not.toContain('余姚市经信局')
    // And it is not shipped: the rules folder holds no example (it is docs/examples/counties/, recorded by the demo).
    expect(ningboTexts().filter((t) => /示例|虚构|余姚市拟定方案/.test(t.text))).toEqual([])
  })

  it('has a stable hash that changes with any edit', () => {
    expect(ningbo().hash).toBe(ningbo().hash)
    expect(
      compileRulebook(edited('pricing.yaml', 'basePrice: "4.00"', 'basePrice: "4.10"')).hash,
    ).not.toBe(ningbo().hash)
  })
})

describe('rule file problems are reported with file:line:col and the field', () => {
  it.each([
    {
      description: 'bad YAML',
      texts: () =>
        edited(
          'pricing.yaml',
          '  - id: foundry_electricity\n',
          '  - id: foundry_electricity\n   bad: [\n',
        ),
      expected: ['pricing.yaml:55:1: YAML: Sequence item without - indicator'],
    },
    {
      description: 'an alias to a missing anchor (found by the fuzzer)',
      texts: () =>
        edited(
          'targets.yaml',
          'from: 2015-01-01, to: 2018-01-01, metric: enterprises_closed',
          'from: *x2015-01-01, to: 2018-01-01, metric: enterprises_closed',
        ),
      expected: [
        'targets.yaml:7:53: YAML: Unresolved alias (the anchor must be set before the alias): x2015-01-01',
      ],
    },
    {
      description: 'a map used as a key (found by the fuzzer)',
      texts: () =>
        edited(
          'targets.yaml',
          '  - { id: land_revitalised,',
          '  - { { id: x }: 1, id: land_revitalised,',
        ),
      expected: ['targets.yaml:10:7: YAML: a key must be a plain name, not a map or a list'],
    },
    {
      description: 'wrong type',
      texts: () =>
        edited(
          'evaluation.yaml',
          'points: 3\n    assumed: true\n    note: the guideline',
          'points: three\n    assumed: true\n    note: the guideline',
        ),
      expected: [
        'evaluation.yaml:156:13: Invalid input: expected number, received string (got "three") (at adjustments.0.points)',
      ],
    },
    {
      description: 'money written as a float',
      texts: () =>
        edited(
          'pricing.yaml',
          '- { class: D, rate: "1.00" }\n\nstacking',
          '- { class: D, rate: 1.00 }\n\nstacking',
        ),
      expected: [
        'pricing.yaml:128:27: money is a decimal string such as "0.30" (quoted), never a bare number (got 1) (at surcharges.9.rates.0.rate)',
      ],
    },
    {
      description: 'unknown variable, with the formula column',
      texts: () => edited('evaluation.yaml', 'formula: tax / land_mu', 'formula: tax / land_area'),
      expected: [
        "evaluation.yaml:34:14: formula 'tax / land_area': unknown variable 'land_area'; the 50 variables a formula here may use (nearest first): land_mu, cod_t, gas_m3, rd_spend, tenant, value_added, employees, high_tech, nh3n_t, nox_t, revenue, so2_t, tax, tax_per_mu, water_m3, above_scale, energy_tce, env_accident, env_penalty, furnace_use, output_t, sewage_m3, tech_centre, furnace_type, evaluation_year, rd_intensity, revenue_per_mu, safety_accident, tax_per_10mwh, water_quota_m3, banned_by_policy, catalogue_class, new_enterprise, cupola_melt_tph, public_utility, value_added_per_mu, electricity_kwh, electricity_per_t, value_added_per_tce, energy_kgce_per_t, energy_task_missed, furnace_capacity_t, labour_productivity, production_start_year, above_scale_from_year, value_added_per_emission, energy_limit_kwh_per_t, energy_limit_kgce_per_t, unfixable_noncompliance, major_project_under_construction (at indicators.0.formula)",
      ],
    },
    {
      description:
        'an unknown variable in an indicator names every variable the formula may use, nearest first (issue "The evaluation as Zhejiang runs it")',
      texts: () =>
        edited(
          'evaluation.yaml',
          '    formula: value_added / employees\n',
          '    formula: value_added / staff\n',
        ),
      expected: [
        `evaluation.yaml:66:14: formula 'value_added / staff': unknown variable 'staff'; the 50 variables a formula here may use (nearest first): tax, so2_t, cod_t, nox_t, tenant, gas_m3, nh3n_t, land_mu, output_t, rd_spend, revenue, sewage_m3, water_m3, high_tech, above_scale, employees, tax_per_mu, energy_tce, env_penalty, furnace_use, value_added, env_accident, furnace_type, rd_intensity, tech_centre, safety_accident, tax_per_10mwh, water_quota_m3, catalogue_class, new_enterprise, public_utility, cupola_melt_tph, electricity_kwh, evaluation_year, revenue_per_mu, banned_by_policy, electricity_per_t, energy_task_missed, energy_kgce_per_t, furnace_capacity_t, value_added_per_mu, above_scale_from_year, labour_productivity, production_start_year, value_added_per_tce, energy_limit_kwh_per_t, energy_limit_kgce_per_t, unfixable_noncompliance, value_added_per_emission, major_project_under_construction (at indicators.4.formula)`,
      ],
    },
    {
      description: 'forbidden function',
      texts: () =>
        edited(
          'evaluation.yaml',
          'formula: value_added / employees',
          'formula: import("fs") + value_added / employees',
        ),
      expected: [
        `evaluation.yaml:66:14: formula 'import("fs") + value_added / employees': function 'import' is not allowed (allowed: min, max, abs, round, floor, ceil, sqrt, log, industry_in) (at indicators.4.formula)`,
      ],
    },
    {
      description: 'property access',
      texts: () =>
        edited(
          'evaluation.yaml',
          'formula: value_added / employees',
          'formula: value_added.constructor',
        ),
      expected: [
        "evaluation.yaml:66:14: formula 'value_added.constructor': property or index access 'value_added.constructor' is not allowed (at indicators.4.formula)",
      ],
    },
    {
      description: 'assignment',
      texts: () =>
        edited('evaluation.yaml', 'formula: value_added / employees', 'formula: "f(x) = x"'),
      expected: [
        "evaluation.yaml:66:15: formula 'f(x) = x': assignment 'f(x) = x' is not allowed in a formula (at indicators.4.formula)",
      ],
    },
    {
      description: 'a cycle between indicators',
      texts: () =>
        editedAll('evaluation.yaml', [
          [
            'formula: 100 * rd_spend / revenue',
            'formula: 100 * rd_spend / revenue + labour_productivity',
          ],
          ['formula: value_added / employees', 'formula: value_added / employees * rd_intensity'],
        ]),
      expected: [
        'evaluation.yaml:66:14: indicators form a cycle: labour_productivity → rd_intensity → labour_productivity (at indicators.4.formula)',
      ],
    },
    {
      description: 'a misplaced key is an error, never ignored',
      texts: () =>
        edited('evaluation.yaml', '    points: 2\n', '    points: 2\n    uprating: 0.1\n'),
      expected: [
        "evaluation.yaml:166:15: unknown key(s) 'uprating': not part of the rule format; the keys here are id, label, source, assumed, note, from, to, kind, when, points, groups (at adjustments.1.uprating)",
      ],
    },
    {
      description: 'overlapping dates for the same item',
      texts: () =>
        edited(
          'pricing.yaml',
          '（连续D类加价）\n    from: 2025-07-01\n',
          '（连续D类加价）\n    from: 2025-06-01\n',
        ),
      expected: [
        "pricing.yaml:18:11: surcharges 'class_electricity' from 2025-06-01 overlaps the version from 2016-01-01 to 2025-07-01 (pricing.yaml:4) (at surcharges.1.from)",
      ],
    },
    {
      description: 'an override of a non-overridable section',
      texts: () =>
        edited(
          'counties/cixi-2024-electricity.yaml',
          'replace:\n',
          'replace:\n  targets:\n    - { id: x, label: x, from: 2024-07-01, metric: enterprises_closed, value: 1, unit: 家, source: { document: x } }\n',
        ),
      expected: [
        "counties/cixi-2024-electricity.yaml:14:3: section 'targets' is not overridable by counties (overridable: surcharges, stacking, sectorTables, adjustments, measures, groups, indicators, scoring, vetoes, classes, plots) (at replace.targets)",
      ],
    },
    {
      description: 'an override for an unknown id',
      texts: () =>
        edited(
          'counties/cixi-2024-electricity.yaml',
          '    - id: class_electricity\n',
          '    - id: class_electric\n',
        ),
      expected: [
        "counties/cixi-2024-electricity.yaml:15:11: override replaces unknown surcharges id 'class_electric'; use 'add' for a new item (at replace.surcharges.0.id)",
      ],
    },
    {
      description: 'a filed override without its filing record',
      texts: () =>
        edited(
          'counties/cixi-2024-electricity.yaml',
          null,
          FILED_CIXI.replace(
            '  filing: { ref: 浙发改备〔2024〕示例号, date: 2024-06-15, by: 浙江省人民政府 }\n',
            '',
          ),
        ),
      expected: [
        "counties/cixi-2024-electricity.yaml:8:11: status 'filed' needs the 'filing' record (reference and date) (at override.status)",
      ],
    },
    {
      description: 'an unknown class in a rate',
      texts: () =>
        edited(
          'pricing.yaml',
          '- { class: D, rate: "1.00" }\n\nstacking',
          '- { class: E, rate: "1.00" }\n\nstacking',
        ),
      expected: ["pricing.yaml:128:18: unknown class 'E' (at surcharges.9.rates.0.class)"],
    },
    {
      description: 'rank shares that do not add up to 1',
      texts: () =>
        edited('evaluation.yaml', '{ class: D, share: 0.05 }', '{ class: D, share: 0.1 }'),
      expected: ['evaluation.yaml:243:5: band shares add up to 1.05, not 1 (at classes.0.bands)'],
    },
    {
      description: 'a bare number as a benchmark says how to write a fixed one',
      texts: () =>
        edited(
          'evaluation.yaml',
          'weight: 50, benchmark: { peer: mean, over: [county, group] }, cap: 3, floor: 0 }\n      - { indicator: tax_per_10mwh',
          'weight: 50, benchmark: 15, cap: 3, floor: 0 }\n      - { indicator: tax_per_10mwh',
        ),
      expected: [
        'evaluation.yaml:147:57: a benchmark is { fixed: N } or { peer: mean|median, over: [county, sector, group …] } (got 15); for a fixed value write { fixed: 15 } (at scoring.2.items.0.benchmark)',
      ],
    },
    {
      description: 'a misspelt indicator in a scoring item gets a "did you mean"',
      texts: () =>
        edited(
          'evaluation.yaml',
          '{ indicator: tax_per_mu, weight: 50,',
          '{ indicator: tax_per_muu, weight: 50,',
        ),
      expected: [
        "evaluation.yaml:147:22: unknown indicator 'tax_per_muu'; did you mean 'tax_per_mu'? (at scoring.2.items.0.indicator)",
      ],
    },
    {
      description: 'a typographic division sign names the ASCII one',
      texts: () => edited('evaluation.yaml', 'formula: tax / land_mu', 'formula: tax ÷ land_mu'),
      expected: [
        "evaluation.yaml:34:17: formula 'tax ÷ land_mu': '÷' is not an operator in a formula; write '/' (at indicators.0.formula)",
      ],
    },
    {
      description: 'bands listed worst class first',
      texts: () =>
        edited(
          'evaluation.yaml',
          '      - { class: A, share: 0.2 }\n      - { class: B, share: 0.4 }',
          '      - { class: B, share: 0.4 }\n      - { class: A, share: 0.2 }',
        ),
      expected: [
        "evaluation.yaml:245:18: bands are listed best class first (A, B, C, D, T): 'A' cannot follow 'B' (at classes.0.bands.1.class)",
      ],
    },
    {
      description: 'score bands in ascending order, and a last band with a minScore',
      texts: () =>
        editedAll('evaluation.yaml', [
          ['method: rank-share', 'method: score'],
          [
            '      - { class: A, share: 0.2 }\n      - { class: B, share: 0.4 }\n      - { class: C, share: 0.35 }\n      - { class: D, share: 0.05 }',
            '      - { class: A, minScore: 90 }\n      - { class: B, minScore: 100 }\n      - { class: C, minScore: 30 }',
          ],
        ]),
      expected: [
        "evaluation.yaml:245:31: minScore 100 is not below the previous band's 90: score bands go from the highest threshold down (at classes.0.bands.1.minScore)",
        "evaluation.yaml:246:31: the last score band takes every score below the band before it, so it has no minScore: a firm under 30 would get 'C' anyway. Add a band for lower scores, or remove this minScore (at classes.0.bands.2.minScore)",
      ],
    },
    {
      description: 'a category value that does not exist',
      texts: () =>
        edited(
          'sector-tables.yaml',
          'when: furnace_use == "steel_billet"',
          'when: furnace_use == "steel_ingot"',
        ),
      expected: [
        `sector-tables.yaml:71:15: formula 'furnace_use == "steel_ingot"': 'steel_ingot' is not one of the allowed values (none, castings, steel_billet) (at sectorTables.1.rows.4.when)`,
      ],
    },
    {
      description:
        'a key cut short gets the key it begins (issue "The evaluation as Zhejiang runs it")',
      texts: () => edited('sector-tables.yaml', '    hitPolicy: first\n', '    hit: first\n'),
      expected: [
        "sector-tables.yaml:4:5: missing required field 'hitPolicy' (at sectorTables.0.hitPolicy)",
        "sector-tables.yaml:8:10: unknown key(s) 'hit': not part of the rule format; did you mean 'hitPolicy'? (at sectorTables.0.hit)",
      ],
    },
    {
      description: 'a surcharge basis that is no tariff kind',
      texts: () => edited('pricing.yaml', '    basis: intensity\n', '    basis: intensive\n'),
      expected: [
        'pricing.yaml:71:12: unknown basis "intensive": one of class, category, intensity, quota, percent (at surcharges.5.basis)',
      ],
    },
    {
      description: "a tariff kind's fields under another kind",
      texts: () => edited('pricing.yaml', '    basis: intensity\n', '    basis: quota\n'),
      expected: [
        "pricing.yaml:66:5: missing required field 'quota' (at surcharges.5.quota)",
        "pricing.yaml:74:5: unknown key(s) 'intensity': not part of the rule format; the keys here are id, label, source, assumed, note, from, to, resource, sectors, list, basis, quota (at surcharges.5.intensity)",
      ],
    },
    {
      description: "a tariff kind's own check (quota bands must be contiguous)",
      texts: () =>
        edited(
          'pricing.yaml',
          '    basis: intensity\n',
          '    basis: quota\n    quota: { quotaInput: land_mu, basePrice: "0.60", bands: [{ overFrom: 0, overTo: 0.1, extraMultiple: "0.5" }, { overFrom: 0.2, extraMultiple: "1" }] }\n',
        ).map((t) =>
          t.path === 'pricing.yaml'
            ? { ...t, text: t.text.replace(/ {4}intensity:\n( {6}.*\n){5}/, '') }
            : t,
        ),
      expected: [
        'pricing.yaml:72:126: bands must be contiguous: expected overFrom 0.1 (at surcharges.5.quota.bands.1.overFrom)',
      ],
    },
    {
      description:
        'a percentage row naming both a class and a category, and one naming an unknown category',
      texts: () =>
        edited(
          'pricing.yaml',
          '        - { class: C, percent: "15" }\n        - { class: D, percent: "30" }\n',
          '        - { class: C, category: restrict, percent: "15" }\n        - { category: eliminte, percent: "30" }\n',
        ),
      expected: [
        'pricing.yaml:117:11: a row names either a class or a category, not both or neither (at surcharges.8.percent.rates.0)',
        "pricing.yaml:118:23: unknown category 'eliminte'; did you mean 'eliminate'? (at surcharges.8.percent.rates.1.category)",
      ],
    },
    {
      description: 'a percentage written as a number',
      texts: () =>
        edited(
          'pricing.yaml',
          '        - { class: C, percent: "15" }\n',
          '        - { class: C, percent: 15 }\n',
        ),
      expected: [
        'pricing.yaml:117:32: a percentage is a decimal string such as "15" (quoted), never a bare number (got 15) (at surcharges.8.percent.rates.0.percent)',
      ],
    },
  ])('$description', ({ texts, expected }) => {
    expect(problemsOf(texts())).toEqual(expected)
  })

  it('reports every schema problem at once, across files', () => {
    const texts = edited(
      'evaluation.yaml',
      'points: 3\n    assumed: true\n    note: the guideline',
      'points: three\n    assumed: true\n    note: the guideline',
    ).map((t) =>
      t.path === 'pricing.yaml' ? { ...t, text: t.text.replace('mode: sum', 'mode: biggest') } : t,
    )
    const problems = problemsOf(texts)
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(/^evaluation\.yaml:156:13: .*"three"/)
    expect(problems[1]).toMatch(
      /^pricing\.yaml:\d+:\d+: Invalid option: expected one of "sum"\|"max" \(got "biggest"\)/,
    )
  })

  it('reports schema and cross-reference problems in one run, and no echo of a broken item', () => {
    const texts = edited(
      'evaluation.yaml',
      'points: 3\n    assumed: true\n    note: the guideline',
      'points: three\n    assumed: true\n    note: the guideline',
    ).map((t) =>
      t.path === 'pricing.yaml'
        ? { ...t, text: t.text.replace('measure: electricity_per_t', 'measure: kwh_per_t') }
        : t,
    )
    expect(problemsOf(texts)).toEqual([
      'evaluation.yaml:156:13: Invalid input: expected number, received string (got "three") (at adjustments.0.points)',
      "pricing.yaml:75:16: unknown indicator 'kwh_per_t' (at surcharges.5.intensity.measure)",
    ])
    // The first indicator fails its schema: the scoring items, formulas and tie-breaks that name it (or the
    // indicators after it) are not reported as unknown on top.
    expect(
      problemsOf(
        edited(
          'evaluation.yaml',
          '    unit: 万元/亩\n    from: 2015-01-13\n    formula: tax / land_mu',
          '    unit: 5\n    from: 2015-01-13\n    formula: tax / land_mu',
        ),
      ),
    ).toEqual([
      'evaluation.yaml:32:11: Invalid input: expected string, received number (got 5) (at indicators.0.unit)',
    ])
  })

  it('reports every cross-reference problem at once, across files', () => {
    const texts = edited(
      'evaluation.yaml',
      'formula: tax / land_mu',
      'formula: tax / land_area',
    ).map((t) =>
      t.path === 'pricing.yaml'
        ? { ...t, text: t.text.replace('measure: electricity_per_t', 'measure: kwh_per_t') }
        : t,
    )
    expect(problemsOf(texts)).toEqual([
      "evaluation.yaml:34:14: formula 'tax / land_area': unknown variable 'land_area'; the 50 variables a formula here may use (nearest first): land_mu, cod_t, gas_m3, rd_spend, tenant, value_added, employees, high_tech, nh3n_t, nox_t, revenue, so2_t, tax, tax_per_mu, water_m3, above_scale, energy_tce, env_accident, env_penalty, furnace_use, output_t, sewage_m3, tech_centre, furnace_type, evaluation_year, rd_intensity, revenue_per_mu, safety_accident, tax_per_10mwh, water_quota_m3, banned_by_policy, catalogue_class, new_enterprise, cupola_melt_tph, public_utility, value_added_per_mu, electricity_kwh, electricity_per_t, value_added_per_tce, energy_kgce_per_t, energy_task_missed, furnace_capacity_t, labour_productivity, production_start_year, above_scale_from_year, value_added_per_emission, energy_limit_kwh_per_t, energy_limit_kgce_per_t, unfixable_noncompliance, major_project_under_construction (at indicators.0.formula)",
      "pricing.yaml:75:16: unknown indicator 'kwh_per_t' (at surcharges.5.intensity.measure)",
    ])
  })
})

describe('resolve', () => {
  it('never applies the shipped Cixi draft', () => {
    const rb = ningbo()
    expect(
      ratesOf(
        resolve(rb, '330282', '2025-03-01').sections.surcharges.find(
          (s) => s.id === 'class_electricity',
        ),
      )?.map((r) => `${r.class}:${r.rate}`),
    ).toEqual(['C:0.15', 'D:0.30'])
  })

  it('applies a filed override only from its date, and never a submitted one', () => {
    const rb = compileRulebook(ningboWithFiledCixi())
    const rateOf = (county: string, date: string, section: 'surcharges', id: string) =>
      ratesOf(resolve(rb, county, date).sections[section].find((s) => s.id === id))?.map(
        (r) => `${r.class}:${r.rate}`,
      )
    expect(rateOf('330282', '2024-06-30', 'surcharges', 'class_electricity')).toEqual([
      'C:0.15',
      'D:0.30',
    ])
    expect(rateOf('330282', '2024-07-01', 'surcharges', 'class_electricity')).toEqual([
      'C:0.20',
      'D:0.40',
    ])
    expect(rateOf('330203', '2024-07-01', 'surcharges', 'class_electricity')).toEqual([
      'C:0.15',
      'D:0.30',
    ])
    expect(rateOf('330281', '2026-03-01', 'surcharges', 'class_gas')).toEqual(['D:1.00'])
    const preview = resolve(rb, '330281', '2026-03-01', { preview: 'yuyao_2026_gas' })
    expect(
      ratesOf(preview.sections.surcharges.find((s) => s.id === 'class_gas'))?.map((r) => r.rate),
    ).toEqual(['0.50', '1.50'])
    expect(preview.overrides).toEqual([
      { id: 'yuyao_2026_gas', status: 'submitted', preview: true },
    ])
  })
})

describe('mujun rules check', () => {
  const io = () => {
    const out: string[] = []
    const err: string[] = []
    return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } }
  }

  it('accepts the shipped rules, writing nothing into the folder it checks; `rules schema` writes the JSON Schema', async () => {
    const dir = tempDir('test')
    cpSync(NINGBO_DIR, join(dir, 'ningbo'), { recursive: true })
    const listing = () =>
      (readdirSync(dir, { recursive: true }) as string[])
        .map((f) => join(dir, f))
        .filter((path) => statSync(path).isFile())
        .map((path) => `${path} ${statSync(path).mtimeMs} ${readFileSync(path, 'utf8')}`)
        .sort()
    const before = listing()
    const { out, io: cio } = io()
    expect(await runCli(['rules', 'check', dir], cio)).toBe(0)
    expect(out[0]).toMatch(/ningbo: ok — 9 files, 41 inputs/)
    // It wrote rulebook.schema.json into the folder it checked (issue "The evaluation as Zhejiang runs it").
    expect(listing()).toEqual(before)
    expect(existsSync(join(dir, 'rulebook.schema.json'))).toBe(false)
    expect(await runCli(['rules', 'schema', '--out', join(dir, 'schema.json')], cio)).toBe(0)
    const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'))
    expect(schema.anyOf).toHaveLength(2)
    expect(JSON.stringify(schema)).toContain('"additionalProperties":false')
  })

  it('exits 1 and prints every problem with its path', async () => {
    const dir = tempDir('test')
    mkdirSync(join(dir, 'ningbo', 'counties'), { recursive: true })
    for (const t of edited('evaluation.yaml', 'formula: tax / land_mu', 'formula: tax / land_area'))
      writeFileSync(join(dir, 'ningbo', t.path), t.text)
    const { err, io: cio } = io()
    expect(await runCli(['rules', 'check', dir], cio)).toBe(1)
    expect(err[0]).toBe(
      `${join(dir, 'ningbo', 'evaluation.yaml')}:34:14: formula 'tax / land_area': unknown variable 'land_area'; the 50 variables a formula here may use (nearest first): land_mu, cod_t, gas_m3, rd_spend, tenant, value_added, employees, high_tech, nh3n_t, nox_t, revenue, so2_t, tax, tax_per_mu, water_m3, above_scale, energy_tce, env_accident, env_penalty, furnace_use, output_t, sewage_m3, tech_centre, furnace_type, evaluation_year, rd_intensity, revenue_per_mu, safety_accident, tax_per_10mwh, water_quota_m3, banned_by_policy, catalogue_class, new_enterprise, cupola_melt_tph, public_utility, value_added_per_mu, electricity_kwh, electricity_per_t, value_added_per_tce, energy_kgce_per_t, energy_task_missed, furnace_capacity_t, labour_productivity, production_start_year, above_scale_from_year, value_added_per_emission, energy_limit_kwh_per_t, energy_limit_kgce_per_t, unfixable_noncompliance, major_project_under_construction (at indicators.0.formula)`,
    )
  })

  it('exits 2 on a usage error', async () => {
    const { io: cio } = io()
    expect(await runCli(['rules', 'check', '/no/such/dir'], cio)).toBe(2)
    expect(await runCli(['frobnicate'], cio)).toBe(2)
  })
})

it('the committed rules/rulebook.schema.json matches the zod schema (run `mujun rules schema` after changing it)', () => {
  const committed = JSON.parse(
    readFileSync(new URL('../rules/rulebook.schema.json', import.meta.url), 'utf8'),
  )
  expect(committed).toEqual(JSON.parse(JSON.stringify(ruleFileJsonSchema())))
})

it('ningbo texts are all read', () => {
  expect(ningboTexts().map((t) => t.path)).toEqual([
    'counties/cixi-2024-electricity.yaml',
    'evaluation.yaml',
    'high-energy.yaml',
    'measures.yaml',
    'pricing.yaml',
    'rulebook.yaml',
    'sector-tables.yaml',
    'targets.yaml',
    'version-4.0.yaml',
  ])
})

describe('the command line as a bureau official meets it (issue "Domain fidelity")', () => {
  const io = () => {
    const out: string[] = []
    const err: string[] = []
    return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } }
  }

  it.each([
    ['rate', '  mujun rate --enterprises'],
    ['rules show', '  mujun rules show'],
    ['rules diff', '  mujun rules diff --county'],
    ['tokens', '  mujun tokens create'],
    ['evaluate', '  mujun evaluate --year'],
  ])('`mujun %s --help` prints that command’s usage and exits 0', async (command, first) => {
    const { out, io: cio } = io()
    expect(await runCli([...command.split(' '), '--help'], cio)).toBe(0)
    expect(out[0].startsWith(first)).toBe(true)
    expect(out[0]).not.toContain('mujun serve')
  })

  it('`rules check DIR` only reads: it writes nothing in the folder it checks (issue "The evaluation as Zhejiang runs it")', async () => {
    const dir = tempDir('test')
    cpSync(NINGBO_DIR, join(dir, 'ningbo'), { recursive: true })
    const before = readdirSync(dir, { recursive: true }).sort()
    const { io: cio } = io()
    expect(await runCli(['rules', 'check', join(dir, 'ningbo')], cio)).toBe(0)
    expect(await runCli(['rules', 'check', dir], cio)).toBe(0)
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(before)
  })

  it('`rules show` says when a section has nothing in force, and which day it shows', async () => {
    const { out, io: cio } = io()
    expect(
      await runCli(['rules', 'show', '--rules', NINGBO_DIR, '--date', '2009-01-01'], cio),
    ).toBe(0)
    expect(out[0]).toContain('GROUPS\n  (nothing in force on 2009-01-01)')
    const today = io()
    expect(await runCli(['rules', 'show', '--rules', NINGBO_DIR], today.io)).toBe(0)
    expect(today.out.join('\n')).toMatch(/rules in force today, \d{4}-\d{2}-\d{2}; --date/)
  })

  it('`rate --year` before any evaluation rule is in force is an error, not a list of out-of-scope firms', async () => {
    const dir = tempDir('test')
    const csv = join(dir, 'f.csv')
    writeFileSync(
      csv,
      'credit_code,name,county_code,industry_code,land_mu,tax,electricity_kwh,above_scale\n91330203MA2000001C,甲,330203,1711,10,1,1000000,false\n',
    )
    const { err, io: cio } = io()
    expect(
      await runCli(['rate', '--enterprises', csv, '--year', '2012', '--rules', NINGBO_DIR], cio),
    ).toBe(1)
    expect(err.join('\n')).toContain('no evaluation rules are in force on 2012-12-31')
  })
})

describe('a rating-only rulebook leaves out what it does not use', () => {
  it('compiles without overridable, categories, resources, sectors or `over`, and rates by score bands', () => {
    const text = `
rulebook:
  id: demo_city
  label: 某市亩均评价（仅评价）
  jurisdiction: { code: "330100", name: 某市 }
  counties: [{ code: "330102", name: 上城区 }]
  classes: [{ id: A, label: 优 }, { id: B, label: 良 }, { id: C, label: 中 }, { id: D, label: 差 }]
  source: { document: 某市评价办法 }
inputs:
  - { id: land_mu, label: 用地面积, unit: 亩, type: number, min: 0 }
  - { id: tax, label: 实缴税金, unit: 万元, type: number, min: 0 }
groups:
  - { id: all, label: 全部企业, from: 2020-01-01, when: land_mu > 0, source: { document: 某市评价办法 } }
indicators:
  - { id: tax_per_mu, label: 亩均税收, unit: 万元/亩, from: 2020-01-01, formula: tax / land_mu, source: { document: 某市评价办法 } }
scoring:
  - id: s
    label: 评分
    from: 2020-01-01
    group: all
    source: { document: 某市评价办法 }
    items: [{ indicator: tax_per_mu, weight: 100, benchmark: { fixed: 1 } }]
classes:
  - id: by_score
    label: 按得分
    from: 2020-01-01
    groups: [all]
    method: score
    source: { document: 某市评价办法 }
    bands: [{ class: A, minScore: 90 }, { class: B, minScore: 60 }, { class: C, minScore: 30 }, { class: D }]
`
    const rb = compileRulebook([{ path: 'city.yaml', text }])
    const firm = (code: string, tax: number) => ({
      creditCode: code,
      name: code,
      county: '330102',
      industryCode: '3411',
      figures: { land_mu: 10, tax },
    })
    // tax_per_mu = tax / 10 against a fixed 1; points = ratio × 100: 25 → D, 95 → A (score bands, not ranks).
    const [a, d] = rate([firm('X1', 9.5), firm('X2', 2.5)], rb, 2024)
    expect([a.score, a.class, d.score, d.class]).toEqual([95, 'A', 25, 'D'])
  })
})

it('evaluation_year is known where a year is rated (groups, adjustments, vetoes), refused where a firm is priced', () => {
  // The shipped protection already uses it in a veto (production_start_year >= evaluation_year - 2).
  expect(problemsOf(ningboTexts())).toEqual([])
  const inTable = problemsOf(
    edited(
      'sector-tables.yaml',
      'when: furnace_use == "steel_billet"',
      'when: furnace_use == "steel_billet" and evaluation_year > 2020',
    ),
  )
  expect(inTable).toHaveLength(1)
  expect(inTable[0]).toMatch(
    /^sector-tables\.yaml:\d+:\d+: 'evaluation_year' may be used only in a group's, an adjustment's or a veto's `when`/,
  )
})

describe('gaps and overlaps between evaluation groups (warnings from `mujun rules check`)', () => {
  it('Ningbo: below-scale firms under 3 mu and tenants fall in no group until 4.0, then only a firm with no land that is not a tenant; no two groups overlap', () => {
    const warnings = groupCoverage(ningbo())
    expect(warnings.map((w) => [w.file, w.from])).toEqual([
      ['evaluation.yaml', '2015-01-13'],
      ['evaluation.yaml', '2022-01-01'],
    ])
    expect(warnings[0].message).toMatch(/^220 of \d+ sampled firms fall in no group /)
    // From 4.0 the gap is only land_mu = 0 (12 samples: one per combination of the other values told apart).
    expect(warnings[1].message).toMatch(
      /^12 of \d+ sampled firms fall in no group .* above_scale=false, tenant=false, land_mu=0 /,
    )
  })

  it('a below-scale group written without `not above_scale` overlaps the above-scale group; closing the gap ends that warning', () => {
    const overlapping = groupCoverage(
      compileRulebook(
        edited(
          'evaluation.yaml',
          'when: not above_scale and not tenant and land_mu >= 3',
          'when: not tenant and land_mu >= 3',
        ),
      ),
    )
    expect(overlapping.map((w) => w.message)).toEqual([
      expect.stringContaining('fall in no group'),
      expect.stringMatching(
        /^groups 'above_scale' and 'below_scale' both take \d+ of \d+ sampled firms from 2015-01-13, e\.g\. .*above_scale=true, tenant=false, land_mu=3\b.*'above_scale' is listed first/,
      ),
      expect.stringContaining('fall in no group'),
      expect.stringMatching(/^groups 'above_scale' and 'below_scale' both take .* from 2022-01-01/),
    ])
    // 4.0's list under 3 mu taking land_mu = 0 too leaves only the gap before 4.0.
    const covered = groupCoverage(
      compileRulebook(edited('version-4.0.yaml', 'land_mu > 0 and land_mu < 3', 'land_mu < 3')),
    )
    expect(covered.map((w) => w.from)).toEqual(['2015-01-13'])
  })
})

it('`mujun rules show` lists the programme’s targets, deadlines and fund in force', async () => {
  const out: string[] = []
  const code = await runCli(['rules', 'show', '--rules', NINGBO_DIR, '--date', '2016-06-01'], {
    out: (s) => out.push(s),
    err: (s) => out.push(s),
  })
  expect(code).toBe(0)
  const text = out.join('\n')
  expect(text).toMatch(
    /PROGRAMME DEADLINES\n {2}project_list_later +project_list +due 12-31 of the year before, at least 1/,
  )
  expect(text).toContain('rectification_fund     60000000.00 yuan a year: content 0.2')
  expect(text).toMatch(/productivity_gain +labour_productivity_gain +0\.3 比2014年/)
})
