/**
 * County evaluation methods (属地评价): a county override setting indicators, weights, shares, rounding, scope or
 * vetoes is checked as the city's rules are, rates that county's firms alone, names itself on each result, and its
 * preview names the firms whose class would change.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Enterprise } from '../src/enterprise/enterprise.ts'
import { previewOverride } from '../src/pricing/override-preview.ts'
import { rate } from '../src/rating/rate.ts'
import { compileRulebook, type RuleText } from '../src/rulebook/compile.ts'
import { resolve } from '../src/rulebook/resolve.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { edited, editedAll, ningboTexts, problemsOf } from './support/rulebook.ts'
import { sessionCookie } from './support/session.ts'

const fixture = (f: string) =>
  readFileSync(new URL(`./fixtures/overrides/${f}`, import.meta.url), 'utf8')
const HAISHU = fixture('haishu-method-test.yaml')
const JIANGBEI = fixture('jiangbei-method-test.yaml')
const withCounty = (texts: RuleText[], path: string, text: string): RuleText[] => [
  ...texts,
  { path: `counties/${path}`, text },
]
const problemsWith = (text: string) => problemsOf(withCounty(ningboTexts(), 'm.yaml', text))

/** Five below-scale firms of `county` (the figures of golden case 23): F1 best on tax per mu, F5 on tax per kWh. */
function five(county: string, prefix: string): Enterprise[] {
  const rows: [number, number][] = [
    [30, 375000],
    [24, 160000],
    [20, 100000],
    [16, 64000],
    [10, 31250],
  ]
  return rows.map(([tax, kwh], i) => ({
    creditCode: `${prefix}${i + 1}`,
    name: `${county}-${i + 1}`,
    county,
    industryCode: '1711',
    figures: { above_scale: false, land_mu: 10, tax, electricity_kwh: kwh },
  }))
}

describe('a county method is checked as the city rules are', () => {
  it('names the file, line and field of a method that would leave a group unclassed', () => {
    const text = JIANGBEI.replace(
      'groups: [above_scale, below_scale, below_scale_small, tenant_firms]',
      'groups: [above_scale, below_scale, below_scale_small]',
    )
    expect(problemsWith(text)).toEqual([
      "counties/m.yaml:20:7: class scheme 'class_by_rank' leaves out group 'tenant_firms', and no other class scheme takes it on 2024-05-01: its firms could not be classed (at replace.classes.0.groups)",
    ])
  })

  it('refuses shares that do not add up to 1, a cycle of indicators, and a group added without scoring', () => {
    expect(
      problemsWith(JIANGBEI.replace('{ class: D, share: 0.2 }', '{ class: D, share: 0.1 }')),
    ).toEqual([
      'counties/m.yaml:26:7: band shares add up to 0.9, not 1 (at replace.classes.0.bands)',
    ])
    const cycle = `${HAISHU}  indicators:
    - { id: tax_per_mu, label: 亩均税收, unit: 万元/亩, from: 2024-05-01, formula: value_added_per_mu / 2, source: { document: x } }
    - { id: value_added_per_mu, label: 亩均增加值, unit: 万元/亩, from: 2024-05-01, formula: tax_per_mu * 2, source: { document: x } }
`
    const cycleProblems = problemsWith(cycle)
    expect(cycleProblems).toHaveLength(1)
    expect(cycleProblems[0]).toMatch(
      /^counties\/m\.yaml:\d+:\d+: indicators form a cycle: .*tax_per_mu.*value_added_per_mu.* \(at replace\.indicators\.\d\.formula\)$/,
    )
    const addedGroup = `${HAISHU}add:
  groups:
    - { id: haishu_leased, label: 租赁, from: 2024-05-01, when: tenant, source: { document: x } }
`
    // The added group's line: the fixture's lines, then `add:` and `groups:`.
    const line = HAISHU.split('\n').length + 2
    expect(problemsWith(addedGroup)).toEqual([
      `counties/m.yaml:${line}:13: group 'haishu_leased' has no scoring in force on 2024-05-01: its firms could not be rated (add a scoring for it) (at add.groups.0.id)`,
      `counties/m.yaml:${line}:13: group 'haishu_leased' is in no class scheme in force on 2024-05-01: its firms could not be classed (list it in a class scheme's groups) (at add.groups.0.id)`,
    ])
  })

  it('accepts the two test methods', () => {
    expect(problemsWith(HAISHU)).toEqual([])
    expect(problemsWith(JIANGBEI)).toEqual([])
  })
})

describe('an evaluation rates each county by its method in force', () => {
  it('ranks a county with a method of its own alone, even where the city ranks city-wide', () => {
    // The city's scheme ranked over the whole city: the counties without a method of their own rank together.
    const city = edited(
      'evaluation.yaml',
      'method: rank-share\n    over: [county, group]',
      'method: rank-share\n    over: [group]',
    )
    const rb = compileRulebook(withCounty(city, 'haishu-method-test.yaml', HAISHU))
    const population = [...five('330203', 'H'), ...five('330212', 'Y'), ...five('330206', 'B')]
    const results = rate(population, rb, 2024)
    const of = (code: string) => results.find((r) => r.creditCode === code)!
    for (const code of ['Y1', 'B5'])
      expect([of(code).groupSize, of(code).method]).toEqual([10, null])
    // Haishu: its five alone, by its own weights (80/20): F1 first.
    expect([of('H1').groupSize, of('H1').rank, of('H1').method]).toEqual([
      5,
      1,
      'haishu_test_method',
    ])
    expect(of('H1').score).toBe(128)
    // Its benchmarks are its own too (keys of the peer frame begin with its method).
    const frame = { stats: new Map<string, number>(), scores: new Map<string, Float64Array>() }
    rate(population, rb, 2024, { record: frame })
    expect([...frame.scores.keys()].filter((k) => k.startsWith('haishu_test_method/'))).toEqual([
      'haishu_test_method/class_by_rank|below_scale|',
    ])
    expect(frame.scores.get('class_by_rank|below_scale|')).toHaveLength(10)
  })

  it('uses the method in force on the rule date (Y-12-31), not one that starts later', () => {
    const later = HAISHU.replaceAll('2024-05-01', '2025-01-01')
      .replace('2024-03-20', '2024-11-20')
      .replace('2024-04-10', '2024-12-10')
    const rb = compileRulebook(withCounty(ningboTexts(), 'h.yaml', later))
    expect(resolve(rb, '330203', '2024-12-31').method).toBeNull()
    expect(resolve(rb, '330203', '2025-12-31').method).toBe('haishu_test_method')
    const [h1] = rate(five('330203', 'H'), rb, 2024)
    expect([h1.method, h1.score]).toEqual([null, 95])
    const [h1next] = rate(five('330203', 'H'), rb, 2025)
    expect([h1next.method, h1next.score]).toEqual(['haishu_test_method', 128])
  })
})

describe('the preview of a county method', () => {
  it('names each firm whose class would change, before and after', () => {
    const draft = JIANGBEI.replace('status: filed', 'status: draft')
      .replace(/ {2}submitted:.*\n {2}approval:.*\n {2}filing:.*\n/, '')
      .replace('jiangbei_test_method', 'jiangbei_draft_method')
    const rb = compileRulebook(withCounty(ningboTexts(), 'j.yaml', draft))
    const p = previewOverride(
      rb,
      'jiangbei_draft_method',
      [...five('330205', 'J'), ...five('330212', 'Y')],
      2024,
    )
    // City: F5 A, F4 B, F3 B, F2 C, F1 C; the method: F5 A capped to B, F4 B, F3 C, F2 C, F1 D (golden case 23).
    expect(
      p.enterprises
        .filter((e) => e.classBefore !== e.classAfter)
        .map((e) => [e.creditCode, e.classBefore, e.classAfter]),
    ).toEqual([
      ['J1', 'C', 'D'],
      ['J3', 'B', 'C'],
      ['J5', 'A', 'B'],
    ])
    expect(p.rules.map((r) => `${r.section}.${r.id}`).sort()).toEqual([
      'classes.class_by_rank',
      'vetoes.jiangbei_low_tax_cap',
    ])
  })

  it('tries a method that starts after the year rated on that year’s figures', () => {
    const later = JIANGBEI.replace('status: filed', 'status: draft')
      .replace(/ {2}submitted:.*\n {2}approval:.*\n {2}filing:.*\n/, '')
      .replaceAll('2024-05-01', '2025-07-01')
    const rb = compileRulebook(withCounty(ningboTexts(), 'j.yaml', later))
    const p = previewOverride(rb, 'jiangbei_test_method', five('330205', 'J'), 2024)
    expect(
      p.enterprises
        .filter((e) => e.classBefore !== e.classAfter)
        .map((e) => [e.creditCode, e.classBefore, e.classAfter]),
    ).toEqual([
      ['J1', 'C', 'D'],
      ['J3', 'B', 'C'],
      ['J5', 'A', 'B'],
    ])
    // The evaluation of 2024 itself is not touched by it.
    expect(rate(five('330205', 'J'), rb, 2024).map((r) => r.class)).toEqual([
      'C',
      'C',
      'B',
      'B',
      'A',
    ])
  })
})

describe('a county method that fails a method check', () => {
  let g: TestApp
  beforeAll(() => {
    g = createTestApp({ size: 60, clockStart: '2024-12-20T00:00:00Z' })
  })

  it('refuses a method that fails a method check (a group left unclassed) when it is proposed or edited, storing nothing', async () => {
    const gap = (text: string) =>
      text.replace(
        'groups: [above_scale, below_scale, below_scale_small, tenant_firms]',
        'groups: [above_scale, below_scale, below_scale_small]',
      )
    const draft = JIANGBEI.replace(/ {2}submitted:.*\n {2}approval:.*\n {2}filing:.*\n/, '')
      .replace('status: filed', 'status: draft')
      .replaceAll('jiangbei_test_method', 'cixi_2024_gap')
      .replace('county: "330205"', 'county: "330282"')
      .replaceAll('2024-05-01', '2024-12-21')
    expect(gap(draft)).not.toBe(draft)
    const words =
      /^counties\/cixi_2024_gap\.yaml:\d+:\d+: class scheme 'class_by_rank' leaves out group 'tenant_firms', and no other class scheme takes it on 2024-12-21: its firms could not be classed \(at replace\.classes\.0\.groups\)$/
    const ids = async () =>
      (
        (await (await call(g.app, 'GET', '/v1/overrides', { token: g.tokens.county })).json()) as {
          overrides: { id: string }[]
        }
      ).overrides.map((o) => o.id)
    const before = await ids()
    // Proposed: refused with the check's words, and no override is stored.
    const proposed = await call(g.app, 'POST', '/v1/overrides', {
      token: g.tokens.county,
      body: { text: gap(draft) },
    })
    expect(proposed.status).toBe(422)
    const refusal = (await proposed.json()) as { code: string; errors: { message: string }[] }
    expect(refusal.code).toBe('RULEBOOK_INVALID')
    expect(refusal.errors.map((e) => e.message)).toEqual([expect.stringMatching(words)])
    expect(await ids()).toEqual(before)
    // A sound draft edited into the same gap: refused, and the draft keeps its text.
    expect(
      (
        await call(g.app, 'POST', '/v1/overrides', {
          token: g.tokens.county,
          body: { text: draft },
        })
      ).status,
    ).toBe(201)
    const read = await call(g.app, 'GET', '/v1/overrides/cixi_2024_gap', { token: g.tokens.county })
    const stored = ((await read.json()) as { text: string }).text
    const edited = await call(g.app, 'PUT', '/v1/overrides/cixi_2024_gap', {
      token: g.tokens.county,
      body: { text: gap(draft) },
      headers: { 'if-match': read.headers.get('etag')! },
    })
    expect(edited.status).toBe(422)
    expect(
      ((await edited.json()) as { errors: { message: string }[] }).errors.map((e) => e.message),
    ).toEqual([expect.stringMatching(words)])
    const after = await call(g.app, 'GET', '/v1/overrides/cixi_2024_gap', {
      token: g.tokens.county,
    })
    expect(((await after.json()) as { text: string }).text).toBe(stored)
  })
})

describe('a county method through propose → approve → file, then an evaluation', () => {
  let t: TestApp
  beforeAll(() => {
    // December 2024: a method filed now, from 2024-12-21, is in force on the 2024 evaluation's rule date.
    t = createTestApp({ size: 300, clockStart: '2024-12-20T00:00:00Z' })
  })
  const METHOD = HAISHU.replace(/ {2}submitted:.*\n {2}approval:.*\n {2}filing:.*\n/, '')
    .replace('status: filed', 'status: draft')
    .replaceAll('haishu_test_method', 'cixi_2024_method')
    .replace('county: "330203"', 'county: "330282"')
    .replaceAll('2024-05-01', '2024-12-21')
  const step = (action: string, token: string, body: Record<string, string> = {}) =>
    call(t.app, 'POST', `/v1/overrides/cixi_2024_method/${action}`, { token, body })

  it('refuses a method that would break the county rules at proposal, naming file, line and field', async () => {
    const bad = METHOD.replace('weight: 80', 'weight: -80')
    const res = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text: bad },
    })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { code: string; errors: { message: string }[] }
    expect(body.code).toBe('RULEBOOK_INVALID')
    expect(body.errors[0].message).toMatch(
      /^counties\/cixi_2024_method\.yaml:\d+:\d+: .*\(at replace\.scoring\.0\.items\.0\.weight\)$/,
    )
  })

  it('previews, then rates Cixi by its method once filed, and every other county by the city’s', async () => {
    const proposed = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text: METHOD },
    })
    expect(proposed.status).toBe(201)
    const preview = await call(t.app, 'GET', '/v1/overrides/cixi_2024_method/preview?year=2024', {
      token: t.tokens.county,
    })
    expect(preview.status).toBe(200)
    const p = (await preview.json()) as {
      enterprises: { creditCode: string; name: string; classBefore: string; classAfter: string }[]
      rules: { section: string; id: string }[]
    }
    expect(p.rules.map((r) => `${r.section}.${r.id}`)).toEqual(['scoring.below_scale_scoring'])
    const moved = p.enterprises.filter((e) => e.classBefore !== e.classAfter)
    expect(moved.length).toBeGreaterThan(0)
    // Its page says how many firms change class and lists them first, whether or not a surcharge changes.
    const request = (path: string, init: RequestInit) => t.app.request(path, init)
    const cookie = await sessionCookie(request, t.tokens.county)
    for (const [lang, words] of [
      ['zh', `按此办法评价，${moved.length} 家企业类别变化（2024 年度数据）`],
      ['en', `Rated by this method, ${moved.length} firms change class (2024 figures)`],
    ]) {
      const html = await (
        await request(`/overrides/cixi_2024_method?lang=${lang}`, { headers: { cookie } })
      ).text()
      expect(html).toContain(words)
      const table = html.slice(html.indexOf('id="preview-firms"'))
      expect(table).toContain(moved[0].name)
    }

    expect((await step('submit', t.tokens.county)).status).toBe(200)
    expect((await step('approve', t.tokens.bureau, { ref: '甬政函〔2024〕测试号' })).status).toBe(
      200,
    )
    expect((await step('file', t.tokens.county, { ref: '浙发改备〔2024〕测试号' })).status).toBe(
      200,
    )
    const run = t.services.evaluations.run(principalOf(t, t.tokens.economy), 2024)
    const results = t.services.evaluations.results(principalOf(t, t.tokens.economy), run.id, {
      limit: 1000,
      offset: 0,
    })
    const cixi = results.filter((r) => r.county === '330282' && r.group === 'below_scale')
    const other = results.filter((r) => r.county !== '330282' && r.status === 'rated')
    expect(cixi.length).toBeGreaterThan(0)
    expect(new Set(cixi.map((r) => r.method))).toEqual(new Set(['cixi_2024_method']))
    expect(new Set(other.map((r) => r.method))).toEqual(new Set([null]))
    // The firms the preview said would move get the class it said.
    for (const e of moved) {
      const r = results.find((x) => x.creditCode === e.creditCode)!
      expect(r.class, e.creditCode).toBe(e.classAfter)
    }
    // Published, its provenance names the method that rated each firm.
    const economy = principalOf(t, t.tokens.economy)
    t.services.evaluations.notice(economy, run.id)
    t.advanceDays(10)
    t.services.evaluations.publish(economy, run.id)
    const methodOf = async (code: string) => {
      const res = await call(t.app, 'GET', `/v1/enterprises/${code}/provenance?date=2025-03-01`, {
        token: t.tokens.bureau,
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { evaluation: { id: number; method: string | null } }
      expect(body.evaluation.id).toBe(run.id)
      return body.evaluation.method
    }
    expect(await methodOf(moved[0].creditCode)).toBe('cixi_2024_method')
    expect(await methodOf(other[0].creditCode)).toBeNull()
    // The results list and the firm's own result page name the method too, in both languages.
    const rowOf = (html: string, code: string) => {
      const at = html.indexOf(`<code>${code}</code>`)
      expect(at, code).toBeGreaterThan(0)
      return html.slice(at, html.indexOf('</tr>', at))
    }
    const economyCookie = await sessionCookie(request, t.tokens.economy)
    const enterpriseCookie = await sessionCookie(request, t.tokens.enterprise)
    for (const [lang, head, county, city] of [
      ['zh', '>评价办法</th>', '本县（市、区）评价办法', '全市统一评价办法'],
      ['en', '>Method</th>', 'The county’s own method', 'The city’s method'],
    ]) {
      const list = await (
        await request(`/evaluation/notice-list?run=${run.id}&lang=${lang}`, {
          headers: { cookie: economyCookie },
        })
      ).text()
      const table = list.slice(list.indexOf('id="notice-list"'))
      expect(table.slice(0, table.indexOf('</thead>'))).toContain(head)
      expect(rowOf(list, moved[0].creditCode)).toContain(
        `<span data-method="cixi_2024_method">${county} <code>cixi_2024_method</code></span>`,
      )
      expect(rowOf(list, other[0].creditCode)).toContain(`<span data-method="city">${city}</span>`)
      if (lang === 'zh') {
        // The CSV download names it too, in its last column.
        const csv = await (
          await request(`/evaluation/notice-list.csv?run=${run.id}`, {
            headers: { cookie: economyCookie },
          })
        ).text()
        const line = (code: string) => csv.split('\r\n').find((l) => l.startsWith(code))!
        expect(csv.split('\r\n')[0].endsWith(',评价办法')).toBe(true)
        expect(line(moved[0].creditCode).endsWith(`,${county} cixi_2024_method`)).toBe(true)
        expect(line(other[0].creditCode).endsWith(`,${city}`)).toBe(true)
      }
      const my = await (
        await request(`/my?lang=${lang}`, { headers: { cookie: enterpriseCookie } })
      ).text()
      expect(my).toContain(
        `<span id="my-method"><span data-method="cixi_2024_method">${county} <code>cixi_2024_method</code></span></span>`,
      )
    }
  })
  it('a city change that would leave a county method on record unable to class a group is refused, naming it', async () => {
    const shares = JIANGBEI.replace(/ {2}submitted:.*\n {2}approval:.*\n {2}filing:.*\n/, '')
      .replace('status: filed', 'status: draft')
      .replaceAll('jiangbei_test_method', 'cixi_2024_shares')
      .replace('county: "330205"', 'county: "330282"')
      .replaceAll('2024-05-01', '2024-12-21')
    const act = (action: string, token: string, body: Record<string, string> = {}) =>
      call(t.app, 'POST', `/v1/overrides/cixi_2024_shares/${action}`, { token, body })
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides', {
          token: t.tokens.county,
          body: { text: shares },
        })
      ).status,
    ).toBe(201)
    expect((await act('submit', t.tokens.county)).status).toBe(200)
    // Meanwhile the city adds a list from 2025, ranked by a new version of class_by_rank.
    const city = editedAll('evaluation.yaml', [
      [
        '    from: 2015-01-13\n    groups: [above_scale',
        '    from: 2015-01-13\n    to: 2025-01-01\n    groups: [above_scale',
      ],
    ]).map((f) =>
      f.path === 'version-4.0.yaml'
        ? {
            ...f,
            text:
              f.text.replace(
                'groups:\n',
                `groups:
  - { id: micro_firms, label: 微型企业, from: 2025-01-01, when: not above_scale and land_mu == 0, source: { document: x } }
`,
              ) +
              `  - id: micro_scoring
    label: 微型企业评分
    from: 2025-01-01
    group: micro_firms
    source: { document: x }
    items:
      - { indicator: tax_per_10mwh, weight: 100, benchmark: { peer: mean, over: [county, group] } }
classes:
  - id: class_by_rank
    label: 按县（市、区）内排名比例分类（含微型企业）
    from: 2025-01-01
    groups: [above_scale, below_scale, below_scale_small, tenant_firms, micro_firms]
    method: rank-share
    source: { document: x }
    bands:
      - { class: A, share: 0.2 }
      - { class: B, share: 0.4 }
      - { class: C, share: 0.35 }
      - { class: D, share: 0.05 }
`,
          }
        : f,
    )
    // The city's change is refused: it would leave the county's method on record unable to class the new list.
    let refusal: unknown
    try {
      t.services.rulebooks.importCity(
        principalOf(t, t.tokens.bureau),
        city,
        'micro firms from 2025',
        {
          countyFiles: 'ignore',
        },
      )
    } catch (e) {
      refusal = e
    }
    expect(refusal).toMatchObject({ code: 'OVERRIDES_WOULD_BREAK', status: 422 })
    expect((refusal as { details: unknown }).details).toEqual([
      expect.objectContaining({
        file: 'counties/cixi_2024_shares.yaml',
        path: 'replace.classes.0.groups',
        message: expect.stringContaining(
          "class scheme 'class_by_rank' leaves out group 'micro_firms', and no other class scheme takes it on 2025-01-01",
        ),
      }),
    ])
    // The method as proposed still fits the rules in force: the city approves it.
    expect((await act('approve', t.tokens.bureau, { ref: '甬政函〔2024〕测试3号' })).status).toBe(
      200,
    )
  })
})

describe('a firm rated by min–max scoring sees the peers’ minimum labelled as such', () => {
  it('its result page heads and labels the min–max benchmark as the peers’ minimum, not 基准值', async () => {
    const t = createTestApp({ size: 300, clockStart: '2024-12-20T00:00:00Z' })
    const code = t.tokens.creditCode
    const row = t.store.runResults(t.store.publishedRun(2024)!.id, { county: '330282' })
    const group = row.find((r) => r.creditCode === code)!.group!
    const { rulebook } = t.services.rulebooks.active()
    const scoring = resolve(rulebook, '330282', '2024-12-31').sections.scoring.find(
      (s) => s.group === group,
    )!
    // The demo firm's group scored as before, but its first item on min–max over county × group.
    const items = scoring.items.map((it, k) =>
      JSON.stringify(
        k === 0
          ? {
              indicator: it.indicator,
              weight: it.weight,
              benchmark: { peer: 'min-max', over: ['county', 'group'], base: 20, span: 80 },
            }
          : {
              indicator: it.indicator,
              weight: it.weight,
              benchmark: it.benchmark,
              cap: 3,
              floor: 0,
            },
      ),
    )
    const text = `override:
  id: cixi_2024_minmax
  county: "330282"
  label: 慈溪市评分（测试用：最小–最大法）
  status: draft
  from: 2024-12-21
  note: test fixture; the method is invented
  source: { document: 测试用县级评价办法（虚构） }
replace:
  scoring:
    - id: ${scoring.id}
      label: 测试用评分（最小–最大法）
      from: 2024-12-21
      group: ${group}
      source: { document: 测试用县级评价办法（虚构） }
      items:
${items.map((i) => `        - ${i}`).join('\n')}
`
    const proposed = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text },
    })
    expect(proposed.status, await proposed.clone().text()).toBe(201)
    const act = (action: string, token: string, body: Record<string, string> = {}) =>
      call(t.app, 'POST', `/v1/overrides/cixi_2024_minmax/${action}`, { token, body })
    expect((await act('submit', t.tokens.county)).status).toBe(200)
    expect((await act('approve', t.tokens.bureau, { ref: '甬政函〔2024〕测试号' })).status).toBe(
      200,
    )
    expect((await act('file', t.tokens.county, { ref: '浙发改备〔2024〕测试号' })).status).toBe(200)
    const economy = principalOf(t, t.tokens.economy)
    const run = t.services.evaluations.run(economy, 2024)
    t.services.evaluations.notice(economy, run.id)
    t.advanceDays(10)
    t.services.evaluations.publish(economy, run.id)
    const mixed = scoring.items.length > 1
    const cookie = await sessionCookie((p, i) => t.app.request(p, i), t.tokens.enterprise)
    for (const [lang, head, label] of [
      ['zh', mixed ? '基准值／同组最小值' : '同组最小值', '同组最小值'],
      ['en', mixed ? 'Benchmark / peers’ minimum' : 'Peers’ minimum', 'peers’ minimum'],
    ]) {
      const html = await (await t.app.request(`/my?lang=${lang}`, { headers: { cookie } })).text()
      const table = html.slice(html.indexOf('id="my-indicators"'))
      expect(table.slice(0, table.indexOf('</thead>'))).toContain(`>${head}</th>`)
      expect(table).toContain(`<span data-benchmark="peer-min">${label} `)
      expect(html).toContain('data-hint="min-max"')
    }
  })
})
