/**
 * Measures beyond price: rule-file checks (unknown class, sector, department, a value that does not fit its kind,
 * each named with file, line and field), and the core answer (date, sector, county override, trace).
 */
import { describe, expect, it } from 'vitest'
import { measureList, measuresFor } from '../src/pricing/measures.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { edited, ningbo, ningboTexts, problemsOf } from './support/rulebook.ts'

describe('measures in the rule files', () => {
  it.each([
    {
      description: 'an unknown department, with a suggestion',
      texts: () => edited('measures.yaml', 'department: power_supply', 'department: power_suply'),
      expected: [
        "measures.yaml:36:17: unknown department 'power_suply' (departments: natural_resources, development_reform, power_supply, ecology_environment, finance, tax, economy_it, statistics); did you mean 'power_supply'? (at measures.2.department)",
      ],
    },
    {
      description: 'an unknown class in a value',
      texts: () => edited('measures.yaml', '- { class: D, group: 1 }', '- { class: E, group: 1 }'),
      expected: [
        "measures.yaml:42:18: unknown class 'E' (classes: A, B, C, D, T) (at measures.2.values.0.class)",
      ],
    },
    {
      description: 'a class listed twice',
      texts: () => edited('measures.yaml', '- { class: T, group: 3 }', '- { class: B, group: 5 }'),
      expected: ["measures.yaml:45:18: class 'B' is listed twice (at measures.2.values.3.class)"],
    },
    {
      description: 'an unknown sector',
      texts: () =>
        edited(
          'measures.yaml',
          '    department: tax\n',
          '    department: tax\n    sectors: [stainles]\n',
        ),
      expected: [
        "measures.yaml:78:15: unknown sector 'stainles'; did you mean 'stainless'? (at measures.5.sectors.0)",
      ],
    },
  ])('reports $description with file, line and field', ({ texts, expected }) => {
    expect(problemsOf(texts())).toEqual(expected)
  })

  it('refuses a value that does not fit the kind of measure', () => {
    const problems = problemsOf(
      edited('measures.yaml', '{ class: C, changePercent: -10 }', '{ class: C, group: 2 }'),
    )
    expect(problems).toEqual([
      "measures.yaml:31:9: missing required field 'changePercent' (at measures.1.values.0.changePercent)",
      "measures.yaml:31:28: unknown key(s) 'group': not part of the rule format; the keys here are class, changePercent (at measures.1.values.0.group)",
    ])
  })

  it('refuses a department declared twice', () => {
    const problems = problemsOf(
      edited(
        'rulebook.yaml',
        '    - { id: tax, label: 国家税务总局宁波市税务局',
        '    - { id: finance, label: 重复 }\n    - { id: tax, label: 国家税务总局宁波市税务局',
      ),
    )
    expect(problems.join('\n')).toContain("duplicate department 'finance'")
  })
})

describe('measuresFor', () => {
  const rb = ningbo()
  it('gives a class the values the rules list for it, in force on the day, with source and trace', () => {
    const before = measuresFor(
      rb,
      { class: 'D', sector: 'general', county: '330203' },
      '2025-06-30',
    )
    const after = measuresFor(rb, { class: 'D', sector: 'general', county: '330203' }, '2025-07-01')
    expect(before.measures.map((m) => m.id)).not.toContain('orderly_power_use')
    const rationing = after.measures.find((m) => m.id === 'orderly_power_use')!
    expect(rationing).toMatchObject({
      kind: 'power_rationing',
      value: { group: 1 },
      department: { id: 'power_supply', label: '国网宁波供电公司' },
      assumed: true,
      from: '2025-07-01',
    })
    expect(rationing.source.document).toContain('海宁')
    expect(rationing.origin.file).toBe('measures.yaml')
    expect(
      after.trace.some((t) => t.startsWith('orderly_power_use') && t.includes('group 1')),
    ).toBe(true)
    // A not listed: the trace says why the energy quota cut does not apply.
    const a = measuresFor(rb, { class: 'A', county: '330203' }, '2025-07-01')
    expect(a.measures.map((m) => m.id)).not.toContain('energy_quota_cut')
    expect(a.trace.find((t) => t.startsWith('energy_quota_cut'))).toContain('class A is not listed')
  })

  it('gives nothing when no class binds', () => {
    const none = measuresFor(rb, { class: null, county: '330203' }, '2025-07-01')
    expect(none.measures).toEqual([])
    expect(none.trace[0]).toContain('no class binds')
  })

  it('limits a measure to its sectors', () => {
    const texts = edited(
      'measures.yaml',
      '    department: tax\n',
      '    department: tax\n    sectors: [foundry]\n',
    )
    const r = compileRulebook(texts)
    const general = measuresFor(
      r,
      { class: 'A', sector: 'general', county: '330203' },
      '2025-07-01',
    )
    const foundry = measuresFor(
      r,
      { class: 'A', sector: 'foundry', county: '330203' },
      '2025-07-01',
    )
    expect(general.measures.map((m) => m.id)).not.toContain('land_use_tax_relief')
    expect(general.trace.find((t) => t.startsWith('land_use_tax_relief'))).toContain(
      'sector general is not one of foundry',
    )
    expect(foundry.measures.find((m) => m.id === 'land_use_tax_relief')?.value).toEqual({
      reliefPercent: 100,
    })
  })

  it('follows a filed county override from its date, for that county only', () => {
    const override = `override:
  id: cixi_2026_land_tax
  county: "330282"
  label: 慈溪市城镇土地使用税减免（示例）
  status: filed
  from: 2026-01-01
  source: { document: 示例（虚构） }
  submitted: { date: 2025-10-01 }
  approval: { ref: 示例, date: 2025-11-01 }
  filing: { ref: 示例, date: 2025-12-01 }
replace:
  measures:
    - id: land_use_tax_relief
      label: 慈溪市城镇土地使用税减免（示例）
      from: 2026-01-01
      department: tax
      kind: land_use_tax
      source: { document: 示例（虚构） }
      values:
        - { class: A, reliefPercent: 80 }
        - { class: B, reliefPercent: 40 }
        - { class: C, reliefPercent: 10 }
`
    const r = compileRulebook([
      ...ningboTexts(),
      { path: 'counties/cixi-2026-land-tax.yaml', text: override },
    ])
    const relief = (county: string, date: string) =>
      measuresFor(r, { class: 'C', county }, date).measures.find(
        (m) => m.id === 'land_use_tax_relief',
      )
    expect(relief('330282', '2025-12-31')).toBeUndefined()
    expect(relief('330282', '2026-01-01')?.value).toEqual({ reliefPercent: 10 })
    expect(relief('330282', '2026-01-01')?.origin.overrideId).toBe('cixi_2026_land_tax')
    expect(relief('330203', '2026-01-01')).toBeUndefined()
    expect(measuresFor(r, { class: 'C', county: '330282' }, '2026-01-01').overrides).toEqual([
      'cixi_2026_land_tax',
    ])
  })

  it('lists the firms of a measure in rationing order', () => {
    const firms = [
      { creditCode: 'X3', name: 'a', class: 'A', county: '330203' },
      { creditCode: 'X2', name: 'd', class: 'D', county: '330203' },
      { creditCode: 'X1', name: 'b', class: 'B', county: '330203' },
      { creditCode: 'X0', name: 't', class: null, county: '330203' },
    ]
    expect(
      measureList(rb, 'orderly_power_use', firms, '2025-08-01').map((r) => [
        r.creditCode,
        (r.value as { group: number }).group,
      ]),
    ).toEqual([
      ['X2', 1],
      ['X1', 3],
      ['X3', 4],
    ])
  })
})
