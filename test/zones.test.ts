/**
 * Evaluation units that are not administrative divisions (甬政办发〔2014〕235号 二(一): 杭州湾新区, 保税区, 大榭 and 高新区
 * rate their own firms): a firm names its zone, is entered under the county the zone lies in, and is benchmarked and
 * ranked with the zone's firms alone; a zone that is unknown, not yet a unit, or in another county is refused.
 */
import { describe, expect, it } from 'vitest'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { parseEnterprisesCsv } from '../src/enterprise/csv.ts'
import type { Enterprise } from '../src/enterprise/enterprise.ts'
import { rate } from '../src/rating/rate.ts'
import { createTestApp, principalOf } from './support/app.ts'
import { edited, ningbo, problemsOf } from './support/rulebook.ts'
import { sessionCookie } from './support/session.ts'

const firm = (n: number, tax: number, zone?: string, county = '330206'): Enterprise => ({
  creditCode: withCheckChar(`9133020600000${String(n).padStart(4, '0')}`),
  name: `企业${n}`,
  county,
  industryCode: '1711',
  figures: {
    above_scale: false,
    land_mu: 10,
    tax,
    electricity_kwh: 1_000_000,
    ...(zone !== undefined && { zone }),
  },
})

/** Five Beilun firms (taxes 2…10) and three of the 保税区 (taxes 1, 2, 3), which lies in Beilun. */
const beilun = () => [
  ...[2, 4, 6, 8, 10].map((t, i) => firm(i + 1, t)),
  ...[1, 2, 3].map((t, i) => firm(i + 11, t, 'bonded_zone')),
]

describe('a zone rates its own firms', () => {
  it('benchmarks and ranks the zone’s firms alone, beside its county’s', () => {
    const results = rate(beilun(), ningbo(), 2024)
    const view = (r: (typeof results)[number]) => [r.zone, r.rank, r.groupSize, r.class]
    // Beilun alone: 5 firms, A ≤ round(1), B ≤ round(3), C ≤ round(4.75) = 5.
    expect(results.slice(0, 5).map(view)).toEqual([
      [null, 5, 5, 'C'],
      [null, 4, 5, 'C'],
      [null, 3, 5, 'B'],
      [null, 2, 5, 'B'],
      [null, 1, 5, 'A'],
    ])
    // The zone alone: 3 firms, A ≤ round(0.6) = 1, B ≤ round(1.8) = 2, C ≤ round(2.85) = 3.
    expect(results.slice(5).map(view)).toEqual([
      ['bonded_zone', 3, 3, 'C'],
      ['bonded_zone', 2, 3, 'B'],
      ['bonded_zone', 1, 3, 'A'],
    ])
    // Its benchmark is the zone's own mean tax per mu: (1 + 2 + 3) / 10 / 3 = 0.2.
    expect(results[7].indicators.find((i) => i.id === 'tax_per_mu')!.benchmark).toBe(0.2)
    expect(results[4].indicators.find((i) => i.id === 'tax_per_mu')!.benchmark).toBe(0.6)
    // Without a zone the same firms are one county of eight.
    const together = rate(
      beilun().map((e) => ({ ...e, figures: { ...e.figures, zone: '' } })),
      ningbo(),
      2024,
    )
    expect(together.map((r) => r.groupSize)).toEqual(new Array(8).fill(8))
  })

  it('refuses a zone that is unknown, in another county, or not yet a unit in the year rated', () => {
    const [unknown, elsewhere] = rate(
      [firm(1, 2, 'meishan'), firm(2, 2, 'hangzhou_bay')],
      ningbo(),
      2024,
    )
    expect(unknown.status).toBe('invalid')
    expect(unknown.problems[0]).toMatch(
      /^zone 'meishan' is not an evaluation unit of 宁波市 \(zones: hangzhou_bay, /,
    )
    expect(elsewhere.problems).toEqual([
      "zone 'hangzhou_bay' (杭州湾新区) lies in county 330282; the firm is entered under 330206",
    ])
    const [early] = rate([firm(1, 2, 'daxie')], ningbo(), 2014)
    expect(early.problems).toEqual([
      "zone 'daxie' (大榭开发区) is an evaluation unit only from 2015-01-13, not on 2014-12-31",
    ])
  })

  it('keeps the tenants of one plot in their zone', () => {
    const pop = [
      ...beilun(),
      {
        ...firm(21, 4, 'bonded_zone'),
        figures: { ...firm(21, 4, 'bonded_zone').figures, plot: 'BZ-1' },
      },
      {
        ...firm(22, 4, 'bonded_zone'),
        figures: { ...firm(22, 4, 'bonded_zone').figures, plot: 'BZ-1' },
      },
    ]
    const results = rate(pop, ningbo(), 2024)
    const tenants = results.filter((r) => r.plot !== null)
    expect(tenants.map((r) => [r.zone, r.rank, r.groupSize])).toEqual([
      ['bonded_zone', 1, 4],
      ['bonded_zone', 1, 4],
    ])
  })
})

describe('an evaluation run', () => {
  it('ranks a zone’s firms alone, recomputes their stored trace in the zone and names it on the firm’s page', async () => {
    const t = createTestApp({ size: 20 })
    const bureau = principalOf(t, t.tokens.bureau)
    const header =
      'credit_code,name,county_code,industry_code,zone,land_mu,tax,electricity_kwh,above_scale'
    const lines = beilun().map((e) =>
      [
        e.creditCode,
        e.name,
        e.county,
        e.industryCode,
        e.figures.zone ?? '',
        10,
        e.figures.tax,
        1_000_000,
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
    const zoneFirm = t.store.runResult(id, beilun()[7].creditCode)!
    expect([zoneFirm.rank, zoneFirm.groupSize, zoneFirm.class]).toEqual([1, 3, 'A'])
    const shown = t.services.evaluations.stored(run, zoneFirm)
    expect(shown.zone).toBe('bonded_zone')
    expect(shown.trace.indicators.find((i) => i.id === 'tax_per_mu')!.benchmark).toBe(0.2)
    expect(
      t.services.evaluations.stored(run, t.store.runResult(id, beilun()[0].creditCode)!).zone,
    ).toBeNull()

    // Published, the firm's own page names its zone beside its county.
    const economy = principalOf(t, t.tokens.economy)
    t.services.evaluations.notice(economy, id)
    t.advanceDays(8)
    t.services.evaluations.publish(economy, id)
    const request = (path: string, init?: RequestInit) => t.app.request(path, init)
    const page = async (code: string, lang: string) => {
      const { token } = t.store.createToken('enterprise', code, 'test', { by: 'test' })
      const cookie = await sessionCookie(request, token)
      const html = await (await request(`/my?lang=${lang}`, { headers: { cookie } })).text()
      const at = html.indexOf('id="my-county"')
      return html.slice(at, html.indexOf('</span>', html.indexOf('</span>', at) + 1))
    }
    expect(await page(beilun()[7].creditCode, 'zh')).toMatch(
      /北仑区（<[^>]+>保税区<\/[^>]+>，单独评价排名）/,
    )
    expect(await page(beilun()[7].creditCode, 'en')).toContain(
      'rated and ranked as a unit of its own',
    )
    expect(await page(beilun()[0].creditCode, 'zh')).not.toContain('单独评价排名')
  })
})

describe('zones are checked where they are written', () => {
  it('names the file, line and field of a zone in an unknown county, and of zones with no zone input', () => {
    const bad = problemsOf(
      edited('rulebook.yaml', 'name: 保税区, county: "330206"', 'name: 保税区, county: "330299"'),
    )
    expect(bad).toHaveLength(1)
    expect(bad[0]).toMatch(
      /^rulebook\.yaml:\d+:\d+: unknown county '330299' \(at rulebook\.zones\.1\.county\)$/,
    )
    const noInput = problemsOf(
      edited(
        'rulebook.yaml',
        '  - { id: zone, label: 所属功能区（评价单元）, type: text,',
        '  - { id: zone_x, label: 所属功能区（评价单元）, type: text,',
      ),
    )
    // The plot rule's `same: [… zone]` names it too.
    expect(noInput).toHaveLength(2)
    expect(noInput[1]).toMatch(
      /unknown input 'zone'; did you mean 'zone_x'\? \(at plots\.0\.same\.2\)$/,
    )
    expect(noInput[0]).toMatch(
      /zones need a text input 'zone' naming each firm's zone \(blank: none\) \(at rulebook\.zones\)$/,
    )
  })

  it('refuses an unknown zone in a figures file by row and column', () => {
    const csv = [
      '统一社会信用代码,企业名称,县市区代码,行业代码,所属功能区（评价单元）,用地面积,实缴税金',
      '91330206MA2P000013,甲,330206,1711,bonded_zone,10,6',
      '91330206MA2P000026,乙,330206,1711,beilun_port,10,3',
    ].join('\n')
    const parsed = parseEnterprisesCsv(csv, ningbo())
    expect(parsed.problems).toEqual([
      {
        row: 3,
        column: '所属功能区（评价单元）',
        message:
          "unknown zone 'beilun_port' (zones: hangzhou_bay 杭州湾新区, bonded_zone 保税区, daxie 大榭开发区, high_tech_zone 高新区)",
      },
    ])
    expect(parsed.enterprises.map((e) => e.figures.zone)).toEqual(['bonded_zone'])
  })
})
