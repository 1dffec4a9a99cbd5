/**
 * Tenants sharing one land plot (租赁厂房, 多家企业共用一宗地) rated as one where the plot rule says so: the rule is
 * checked with file, line and field; the plot is rated as one unit and each tenant's result names the plot and its
 * firms; a county may rate them alone; files whose tenants give one plot different areas are refused by row and
 * column; and an evaluation run gives each tenant the plot's class, with a trace recomputed from the whole plot.
 */
import { describe, expect, it } from 'vitest'
import { parseEnterprisesCsv } from '../src/enterprise/csv.ts'
import type { Enterprise } from '../src/enterprise/enterprise.ts'
import { parseDepartmentCsv } from '../src/enterprise/intake.ts'
import { rate } from '../src/rating/rate.ts'
import { resultToJson } from '../src/rating/result-json.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { createTestApp, principalOf } from './support/app.ts'
import { edited, ningbo, ningboTexts, problemsOf } from './support/rulebook.ts'
import { sessionCookie } from './support/session.ts'

const firm = (
  code: string,
  figures: Record<string, number | boolean | string>,
  industryCode = '1711',
  county = '330206',
): Enterprise => ({
  creditCode: code,
  name: `企业${code.slice(-3)}`,
  county,
  industryCode,
  figures: { above_scale: false, land_mu: 10, electricity_kwh: 1_000_000, ...figures },
})

/** Golden case 24's Beilun population: a plot of three tenants (taxes 6, 3, 1) and four single firms. */
function beilun(): Enterprise[] {
  return [
    firm('91330206MA2P000013', { plot: 'NB-BL-0001', tax: 6, electricity_kwh: 200_000 }),
    firm('91330206MA2P000026', { plot: 'NB-BL-0001', tax: 3, electricity_kwh: 300_000 }),
    firm('91330206MA2P000039', { plot: 'NB-BL-0001', tax: 1, electricity_kwh: 500_000 }),
    firm('91330206MA2P00004C', { tax: 2 }),
    firm('91330206MA2P00005F', { tax: 4 }),
    firm('91330206MA2P00006J', { tax: 6 }),
    firm('91330206MA2P00007M', { tax: 12 }),
  ]
}

const PLOT_RULE = '  - id: shared_plot\n'
const plotRule = (edit: string) =>
  edited('evaluation.yaml', '    plot: plot\n    together: true\n', edit)

describe('the plot rule is checked as every rule is', () => {
  it('refuses a plot named by a number input, a flag summed, an input listed twice and an unknown one', () => {
    const line = ningboTexts()
      .find((t) => t.path === 'evaluation.yaml')!
      .text.split('\n')
      .indexOf(PLOT_RULE.trimEnd())
    expect(line).toBeGreaterThan(0)
    expect(problemsOf(plotRule('    plot: water_quota_m3\n    together: true\n'))).toEqual([
      `evaluation.yaml:${line + 4}:11: the plot is named by a text input; 'water_quota_m3' is a number (at plots.0.plot)`,
    ])
    const texts = edited(
      'evaluation.yaml',
      '    min: [production_start_year]\n',
      '    min: [production_start_year, above_scale, tax, land_area]\n',
    )
    expect(problemsOf(texts)).toEqual([
      `evaluation.yaml:${line + 9}:34: 'above_scale' is a flag input; \`min\` takes number inputs (at plots.0.min.1)`,
      `evaluation.yaml:${line + 9}:34: 'above_scale' is already in \`any\`: each input combines one way (at plots.0.min.1)`,
      `evaluation.yaml:${line + 9}:47: 'tax' is already in \`sum\`: each input combines one way (at plots.0.min.2)`,
      `evaluation.yaml:${line + 9}:52: unknown input 'land_area' (at plots.0.min.3)`,
    ])
  })

  it('keeps a text input out of formulas', () => {
    const problems = problemsOf(
      edited('evaluation.yaml', 'formula: tax / land_mu\n', 'formula: tax / land_mu + plot\n'),
    )
    expect(problems.join('\n')).toMatch(/unknown variable 'plot'/)
  })
})

describe('tenants of one plot are rated as one', () => {
  it('gives each tenant the plot’s score, rank and class, and says which plot and firms it was rated with', () => {
    const results = rate(beilun(), ningbo(), 2024)
    const tenants = results.filter((r) => r.plot !== null)
    expect(tenants.map((r) => r.creditCode)).toEqual([
      '91330206MA2P000013',
      '91330206MA2P000026',
      '91330206MA2P000039',
    ])
    for (const r of tenants) {
      expect([r.status, r.score!.toFixed(2), r.rank, r.groupSize, r.class]).toEqual([
        'rated',
        '147.06',
        2,
        5,
        'B',
      ])
      expect(r.plot!.id).toBe('NB-BL-0001')
      expect(r.plot!.firms.map((f) => f.creditCode)).toEqual(tenants.map((t) => t.creditCode))
      expect(r.plot!.figures).toMatchObject({ tax: 10, electricity_kwh: 1_000_000, land_mu: 10 })
      expect(r.plot!.rule).toMatchObject({ section: 'plots', id: 'shared_plot', assumed: true })
      expect(r.rules.map((x) => x.id)).toContain('shared_plot')
      // The indicators are the plot's: 10 万元 on 10 mu.
      expect(r.indicators.find((i) => i.id === 'tax_per_mu')!.value).toBe(1)
      // Each result is still the firm's own: its code, name and figures.
      expect(resultToJson(r)).toMatchObject({
        creditCode: r.creditCode,
        plot: { id: 'NB-BL-0001' },
      })
      expect(r.figures).not.toEqual(r.plot!.figures)
    }
    const singles = results.filter((r) => r.plot === null)
    expect(singles.map((r) => r.class)).toEqual(['C', 'C', 'B', 'A'])
  })

  it('keeps each tenant’s sector and sector category its own', () => {
    const pop = beilun()
    // The second tenant runs a cupola (冲天炉) in a foundry: its category is its own, not the plot's.
    pop[1] = {
      ...pop[1],
      industryCode: '3391',
      figures: { ...pop[1].figures, furnace_type: 'cupola', furnace_use: 'castings' },
    }
    const alone = rate([{ ...pop[1], figures: { ...pop[1].figures, plot: '' } }], ningbo(), 2024)[0]
    const [a, b] = rate(pop, ningbo(), 2024)
    expect(b.sector).toBe('foundry')
    expect(b.category).toEqual(alone.category)
    expect(a.sector).toBe('general')
    expect(a.category?.table ?? null).not.toBe(b.category?.table)
    expect(b.class).toBe(a.class)
  })

  it('does not depend on the order of the population', () => {
    const view = (rs: ReturnType<typeof rate>) =>
      rs.map((r) => [r.creditCode, r.score, r.rank, r.class])
    expect(view(rate(beilun().reverse(), ningbo(), 2024))).toEqual(
      view(rate(beilun(), ningbo(), 2024)),
    )
  })

  it('refuses a plot whose tenants are in different counties or one that lacks a summed figure some give', () => {
    const pop = beilun()
    pop[0] = { ...pop[0], county: '330211' }
    const [a] = rate(pop, ningbo(), 2024)
    expect(a.status).toBe('invalid')
    expect(a.problems[0]).toMatch(/^plot NB-BL-0001: its tenants are entered in different counties/)
    const lacking = beilun()
    delete lacking[2].figures.tax
    const r = rate(lacking, ningbo(), 2024)
    expect(r[0].problems).toEqual([
      'plot NB-BL-0001: 91330206MA2P000039 gives no tax, which is summed over the plot',
    ])
  })

  it('rates each tenant alone before the rule’s day and where a county’s rule says so', () => {
    const before = rate(beilun(), ningbo(), 2014)
    expect(before.every((r) => r.plot === null)).toBe(true)
    const alone = compileRulebook([
      ...ningboTexts(),
      {
        path: 'counties/beilun-plots.yaml',
        text: `override:
  id: beilun_plots_test
  county: "330206"
  label: 北仑区共用宗地企业分别评价（测试用）
  status: filed
  from: 2024-01-01
  submitted: { date: 2023-11-01, by: 北仑区（测试） }
  approval: { ref: 测试批复, date: 2023-11-20, by: 宁波市人民政府 }
  filing: { ref: 测试备案, date: 2023-12-10, by: 浙江省人民政府 }
  source: { document: 测试用（虚构） }
replace:
  plots:
    - { id: shared_plot, label: 共用宗地企业分别评价, from: 2024-01-01, plot: plot, together: false, source: { document: 测试用（虚构） } }
`,
      },
    ])
    const results = rate(beilun(), alone, 2024)
    expect(results.every((r) => r.plot === null)).toBe(true)
    // Seven firms ranked alone: the tenant paying 1 万元 on its 10 mu is last.
    expect(results.find((r) => r.creditCode === '91330206MA2P000039')!.rank).toBe(7)
    expect(results[0].method).toBe('beilun_plots_test')
  })
})

describe('a file whose tenants give one plot different areas', () => {
  const rb = ningbo()
  it('is refused row by row, naming the column, in the figures CSV', () => {
    const csv = [
      '统一社会信用代码,企业名称,县市区代码,行业代码,宗地编号,用地面积,实缴税金,规模以上工业企业',
      '91330206MA2P000013,甲,330206,1711,NB-BL-0001,10,6,否',
      '91330206MA2P000026,乙,330206,1711,NB-BL-0001,12,3,否',
      '91330206MA2P000039,丙,330206,1711,NB-BL-0001,10,1,否',
      '91330206MA2P00004C,丁,330206,1711,,8,2,否',
    ].join('\n')
    const parsed = parseEnterprisesCsv(csv, rb)
    const message =
      'plot NB-BL-0001: its tenants give different 用地面积 (row 2: 10, row 3: 12, row 4: 10); it is the plot’s, one figure for every tenant'.replace(
        '’',
        "'",
      )
    expect(parsed.problems).toEqual([2, 3, 4].map((row) => ({ row, column: '用地面积', message })))
    expect(parsed.enterprises.map((e) => e.creditCode)).toEqual(['91330206MA2P00004C'])
  })

  it('is refused in the land department’s own file too', () => {
    const csv = [
      '统一社会信用代码,宗地编号,用地面积',
      '91330206MA2P000013,NB-BL-0001,10',
      '91330206MA2P000026,NB-BL-0001,10',
      '91330206MA2P000039,NB-BL-0002,7',
      '91330206MA2P00004C,NB-BL-0002,7.5',
    ].join('\n')
    const parsed = parseDepartmentCsv(csv, rb, 'natural_resources')
    expect(parsed.problems.map((p) => [p.row, p.column])).toEqual([
      [4, '用地面积'],
      [5, '用地面积'],
    ])
    expect(parsed.rows.map((r) => r.figures)).toEqual([
      { plot: 'NB-BL-0001', land_mu: 10 },
      { plot: 'NB-BL-0001', land_mu: 10 },
    ])
  })
})

describe('the rules page', () => {
  it('shows how the tenants of one plot are rated, in Chinese and in English', async () => {
    const t = createTestApp({ size: 20 })
    const request = (path: string, init?: RequestInit) => t.app.request(path, init)
    const cookie = await sessionCookie(request, t.tokens.bureau)
    const zh = await (await request('/rules', { headers: { cookie } })).text()
    const section = (html: string) => html.slice(html.indexOf('<section id="plots">'))
    expect(section(zh)).toContain('同一宗地上的企业合并为一个评价单元，各企业取该单元的评价结果')
    expect(section(zh)).toMatch(
      /宗地数据（计一次，各租户须一致）<\/td><td>(<[^>]+>)*用地面积、租赁企业（名下无工业用地）/,
    )
    const en = await (await request('/rules?lang=en', { headers: { cookie } })).text()
    expect(section(en)).toContain(
      'the firms on one plot are rated as one unit, and each gets its result',
    )
  })
})

describe('an evaluation run', () => {
  it('gives each tenant the plot’s class, stores one row per firm, recomputes a tenant’s trace from the plot and shows it on the firm’s page', async () => {
    const t = createTestApp({ size: 20 })
    const bureau = principalOf(t, t.tokens.bureau)
    const header =
      'credit_code,name,county_code,industry_code,plot,land_mu,tax,electricity_kwh,above_scale'
    const lines = beilun().map((e) =>
      [
        e.creditCode,
        e.name,
        e.county,
        e.industryCode,
        e.figures.plot ?? '',
        10,
        e.figures.tax,
        e.figures.electricity_kwh,
        'false',
      ].join(','),
    )
    t.services.enterprises.importCsv(
      bureau,
      new TextEncoder().encode([header, ...lines].join('\n')),
      2025,
      false,
    )
    const { id } = t.services.evaluations.run(principalOf(t, t.tokens.economy), 2025)
    const run = t.store.getRun(id)
    const row = (code: string) => t.store.runResult(id, code)!
    const tenants = ['91330206MA2P000013', '91330206MA2P000026', '91330206MA2P000039']
    expect(tenants.map((c) => [row(c).class, row(c).rank, row(c).score])).toEqual(
      tenants.map(() => ['B', 2, row(tenants[0]).score]),
    )
    for (const code of tenants) {
      const shown = t.services.evaluations.stored(run, row(code))
      expect(shown.plot).toMatchObject({
        id: 'NB-BL-0001',
        firms: tenants.map((c) => ({ creditCode: c })),
      })
      expect(shown.trace.indicators.find((i) => i.id === 'tax_per_mu')!.value).toBe(1)
    }
    expect(t.services.evaluations.stored(run, row('91330206MA2P00007M')).plot).toBeNull()

    // Published, the tenant's own page says which plot and firms it was rated with, in Chinese and in English.
    const economy = principalOf(t, t.tokens.economy)
    t.services.evaluations.notice(economy, id)
    t.advanceDays(8)
    t.services.evaluations.publish(economy, id)
    const { token } = t.store.createToken('enterprise', tenants[1], 'test tenant', { by: 'test' })
    const request = (path: string, init?: RequestInit) => t.app.request(path, init)
    const cookie = await sessionCookie(request, token)
    const zh = await (await request('/my', { headers: { cookie } })).text()
    expect(zh).toMatch(
      /id="my-plot"[^>]*>\s*本企业与同一宗地（宗地编号 <code>NB-BL-0001<\/code>）上的/,
    )
    expect(zh).toContain('<code>91330206MA2P000013</code>')
    expect(zh).toContain('<code>91330206MA2P000039</code>')
    expect(zh).not.toMatch(/id="my-plot"[^<]*<code>91330206MA2P000026/)
    const en = await (await request('/my?lang=en', { headers: { cookie } })).text()
    expect(en).toContain('shares land plot <code>NB-BL-0001</code> with')
    const single = t.store.createToken('enterprise', '91330206MA2P00007M', 'test single', {
      by: 'test',
    })
    const alone = await (
      await request('/my', { headers: { cookie: await sessionCookie(request, single.token) } })
    ).text()
    expect(alone).not.toContain('my-plot')
  })
})

describe('a credit code given twice', () => {
  it('leaves its plot as single firms, and rating refuses the duplicate', () => {
    const pop = beilun()
    pop.push({ ...pop[1], figures: { ...pop[1].figures, plot: '' } })
    const results = rate(pop, ningbo(), 2024)
    const dup = results.filter((r) => r.creditCode === pop[1].creditCode)
    expect(dup.map((r) => r.status).sort()).toEqual(['invalid', 'rated'])
    expect(dup.find((r) => r.status === 'invalid')!.problems).toEqual([
      `duplicate credit code ${pop[1].creditCode} in the population`,
    ])
    expect(results.every((r) => r.plot === null)).toBe(true)
  })
})
