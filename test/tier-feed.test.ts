// The change feed lists exactly the firms whose tier changed: every demo firm's tier is asked before and after a
// publication (a new 2025 evaluation of twenty 宁海 firms), a filed 慈溪 override (class D electricity 2.00) and a
// verified closure of one 慈溪 firm, all on the same day; the firms whose answers differ are the feed's, no more, no
// fewer, over pages of a few firms each; a county token sees its own county's part; the cursor then answers nothing
// new. The tier export for the month and the billing month from readings are checked against the single answers.
import { beforeAll, describe, expect, it } from 'vitest'
import { tierKey } from '../src/app/tier-feed.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { draftOverride } from './support/overrides.ts'
import { caseOneFirms } from './support/population.ts'

let t: TestApp
const json = async (r: Response) => (await r.json()) as any
let codes: { code: string; county: string }[]
let today: string
let cursor0: string
let before: Map<string, string>
let after: Map<string, string>
let closedFirm: string
const caseFirms = caseOneFirms('330226')

async function tiers(day: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const f of codes) {
    const r = await call(t.app, 'GET', `/v1/enterprises/${f.code}/tier?date=${day}`, {
      token: t.tokens.utility,
    })
    expect(r.status).toBe(200)
    out.set(f.code, tierKey(await json(r)))
  }
  return out
}

async function feed(token: string, since: string, limit: number) {
  const listed: any[] = []
  let cursor = since
  for (let pages = 0; pages < 500; pages++) {
    const r = await call(t.app, 'GET', `/v1/tiers/changes?since=${cursor}&limit=${limit}`, {
      token,
    })
    expect(r.status).toBe(200)
    const page = await json(r)
    expect(page.changes.length).toBeLessThanOrEqual(limit)
    listed.push(...page.changes)
    cursor = page.cursor
    if (!page.more) return { listed, cursor }
  }
  throw new Error('the feed never ended')
}

beforeAll(async () => {
  t = createTestApp({ size: 150, clockStart: '2026-01-01T00:00:00Z' })
  const bureau = principalOf(t, t.tokens.bureau)
  t.services.enterprises.importRows(bureau, caseFirms, 2025)
  const run = await json(
    await call(t.app, 'POST', '/v1/evaluations', { token: t.tokens.economy, body: { year: 2025 } }),
  )
  expect(
    (await call(t.app, 'POST', `/v1/evaluations/${run.id}/notice`, { token: t.tokens.economy }))
      .status,
  ).toBe(200)
  t.advanceDays(8)
  today = t.store.today()
  codes = t.store.firmCounties()
  const start = await json(
    await call(t.app, 'GET', '/v1/tiers/changes', { token: t.tokens.utility }),
  )
  expect(start).toMatchObject({ changes: [], more: false })
  cursor0 = start.cursor
  before = await tiers(today)

  // 1. The publication: the run binds from today.
  const pub = await call(t.app, 'POST', `/v1/evaluations/${run.id}/publish`, {
    token: t.tokens.economy,
  })
  expect(pub.status).toBe(200)
  // 2. A 慈溪 override filed today: class D electricity at 2.00.
  const id = 'cixi_feed'
  const text = draftOverride(id, '330282', today)
  expect(
    (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } })).status,
  ).toBe(201)
  const step = (action: string, token: string, body: object = {}) =>
    call(t.app, 'POST', `/v1/overrides/${id}/${action}`, { token, body })
  expect((await step('submit', t.tokens.county)).status).toBe(200)
  expect((await step('approve', t.tokens.bureau, { ref: '甬政函〔试〕1' })).status).toBe(200)
  expect((await step('file', t.tokens.county, { ref: '浙发改备〔试〕1' })).status).toBe(200)
  // 3. A closure verified today, of a 慈溪 firm.
  const economy = principalOf(t, t.tokens.economy)
  const cixi = principalOf(t, t.tokens.county)
  const project = t.services.programme.listProjects(economy, { county: '330282' })[0]
  const taken = new Set(
    t.services.programme.projectDetail(economy, project.id).dispositions.map((d) => d.creditCode),
  )
  closedFirm = codes.find((f) => f.county === '330282' && !taken.has(f.code))!.code
  const d = t.services.programme.addDisposition(cixi, project.id, {
    creditCode: closedFirm,
    kind: 'closure',
    deadline: '2017-12-31',
    status: 'done',
    completedOn: '2017-08-01',
    evidence: '断电拆除验收单',
  })
  t.services.programme.verifyDisposition(economy, d.id, {}, d.version)
  after = await tiers(today)
}, 120_000)

describe('the change feed', () => {
  it('a tier, a quote and a billing run name the revision they rest on: the feed head, moved by an act', async () => {
    const code = codes.find((f) => f.county === '330282')!.code
    const head = async () =>
      (await json(await call(t.app, 'GET', '/v1/tiers/changes', { token: t.tokens.utility })))
        .cursor
    const revisions = async () => {
      const tier = await call(t.app, 'GET', `/v1/enterprises/${code}/tier?date=${today}`, {
        token: t.tokens.utility,
      })
      const body = {
        creditCode: code,
        resource: 'electricity',
        quantity: '100',
        from: today,
        to: '2027-01-01',
      }
      const quote = await call(t.app, 'POST', '/v1/quotes', { token: t.tokens.utility, body })
      const bills = await call(t.app, 'POST', '/v1/bills', {
        token: t.tokens.utility,
        raw: `${JSON.stringify(body)}\n`,
        headers: { 'content-type': 'application/x-ndjson' },
      })
      await bills.text()
      return [tier, quote, bills].map((r) => r.headers.get('mujun-revision'))
    }
    const h0 = await head()
    expect(await revisions()).toEqual([h0, h0, h0])
    // An act (a token issued, audited) moves the head, and the next answers name the new one.
    const made = await call(t.app, 'POST', '/v1/tokens', {
      token: t.tokens.bureau,
      body: { role: 'utility', label: 'revision test' },
    })
    expect(made.status).toBe(201)
    const h1 = await head()
    expect(Number(h1)).toBeGreaterThan(Number(h0))
    expect(await revisions()).toEqual([h1, h1, h1])
  })

  it('lists exactly the firms whose tier changed, with why and from which day, over pages', async () => {
    const changed = codes.filter((f) => before.get(f.code) !== after.get(f.code)).map((f) => f.code)
    // Each act changed someone's tier, and not every firm's.
    expect(changed).toEqual(expect.arrayContaining([closedFirm, caseFirms[0].creditCode]))
    expect(changed.length).toBeLessThan(codes.length)
    const { listed, cursor } = await feed(t.tokens.utility, cursor0, 7)
    expect(listed.map((c) => c.creditCode)).toEqual([...changed].sort())
    for (const c of listed) expect(c.from).toBe(today)
    const byCode = new Map(listed.map((c) => [c.creditCode, c]))
    expect(byCode.get(closedFirm).why.map((w: any) => w.kind)).toContain('closure')
    expect(byCode.get(closedFirm).after.closed).toBe(true)
    const published = byCode.get(caseFirms[0].creditCode)
    expect(published.why.map((w: any) => w.kind)).toEqual(['publication'])
    expect([published.before.class, published.after.class]).toEqual([null, 'D'])
    // 慈溪's firms of the classes the override prices changed by it alone; the closed firm by its closure too.
    const cixi = listed.filter((c) => c.county === '330282' && c.creditCode !== closedFirm)
    expect(cixi.length).toBeGreaterThan(0)
    for (const c of cixi) expect(c.why.map((w: any) => w.kind)).toEqual(['override'])
    expect(byCode.get(closedFirm).why.map((w: any) => w.kind)).not.toContain('publication')
    // Asked again from the cursor it answered: nothing new.
    const again = await feed(t.tokens.utility, cursor, 7)
    expect(again).toEqual({ listed: [], cursor })
  })

  it('a county token sees its own county’s part; a bad cursor is a 400', async () => {
    const { listed } = await feed(t.tokens.county, cursor0, 1000)
    const changed = codes
      .filter((f) => f.county === '330282' && before.get(f.code) !== after.get(f.code))
      .map((f) => f.code)
    expect(listed.map((c) => c.creditCode)).toEqual(changed.sort())
    const bad = await call(t.app, 'GET', '/v1/tiers/changes?since=abc', { token: t.tokens.utility })
    expect([bad.status, (await json(bad)).code]).toEqual([400, 'CURSOR_INVALID'])
    const ahead = await call(t.app, 'GET', '/v1/tiers/changes?since=99999999', {
      token: t.tokens.utility,
    })
    expect((await json(ahead)).code).toBe('CURSOR_INVALID')
  })
})

describe('an override filed today from a later day', () => {
  it('is listed from its own first day, exactly for the firms whose tier changes that day', async () => {
    const later = addDay(today, 20)
    const cursor = (
      await json(await call(t.app, 'GET', '/v1/tiers/changes', { token: t.tokens.utility }))
    ).cursor
    const was = await tiers(later)
    const id = 'cixi_feed_later'
    const text = draftOverride(id, '330282', later, { resource: 'gas' })
    expect(
      (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } }))
        .status,
    ).toBe(201)
    for (const [action, token, body] of [
      ['submit', t.tokens.county, {}],
      ['approve', t.tokens.bureau, { ref: '甬政函〔试〕2' }],
      ['file', t.tokens.county, { ref: '浙发改备〔试〕2' }],
    ] as const)
      expect(
        (await call(t.app, 'POST', `/v1/overrides/${id}/${action}`, { token, body })).status,
      ).toBe(200)
    const is = await tiers(later)
    const changed = codes.filter((f) => was.get(f.code) !== is.get(f.code)).map((f) => f.code)
    expect(changed.length).toBeGreaterThan(0)
    const { listed } = await feed(t.tokens.utility, cursor, 1000)
    expect(listed.map((c) => c.creditCode)).toEqual(changed.sort())
    for (const c of listed) {
      expect(c.from).toBe(later)
      expect(c.why).toEqual([expect.objectContaining({ kind: 'override', act: `override/${id}` })])
    }
  })
})

describe('the tier export of a billing month', () => {
  it('streams one row a firm and part of the month with one tier, each the tier route’s answer; CSV with Chinese headers', async () => {
    const month = today.slice(0, 7)
    const r = await call(t.app, 'GET', `/v1/tiers/export?month=${month}`, {
      token: t.tokens.county,
    })
    expect(r.status).toBe(200)
    expect(r.headers.get('mujun-cursor')).toMatch(/^\d+$/)
    const rows = (await r.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const cixi = codes.filter((f) => f.county === '330282').map((f) => f.code)
    expect([...new Set(rows.map((x) => x.creditCode))]).toEqual(cixi)
    // The closed firm's month: open until the day before today's closure, closed from today.
    const closed = rows.filter((x) => x.creditCode === closedFirm)
    expect(closed.map((x) => [x.from, x.to, x.closed])).toEqual([
      [`${month}-01`, addDay(today, -1), false],
      [today, `${month}-31`, true],
    ])
    // Every part is the tier route's answer on its first and last day; the override split the D firms' month.
    for (const x of rows)
      for (const day of [x.from, x.to]) {
        const tier = await json(
          await call(t.app, 'GET', `/v1/enterprises/${x.creditCode}/tier?date=${day}`, {
            token: t.tokens.utility,
          }),
        )
        expect([x.class, x.closed]).toEqual([tier.class, !!tier.closure?.inForce])
        expect(x.rates).toEqual(
          Object.fromEntries(tier.rates.map((q: any) => [q.resource, q.rate])),
        )
      }
    const split = rows.filter(
      (x) => x.class === 'C' && x.from === today && x.rates.electricity === '0.3',
    )
    expect(split.length).toBeGreaterThan(0)
    for (const x of split)
      expect(
        rows.find((y) => y.creditCode === x.creditCode && y.to === addDay(today, -1)),
      ).toBeDefined()
    const csv = await call(t.app, 'GET', `/v1/tiers/export?month=${month}&format=csv`, {
      token: t.tokens.utility,
    })
    const bytes = new Uint8Array(await csv.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = new TextDecoder().decode(bytes).split('\r\n')
    expect(lines[0]).toMatch(/^统一社会信用代码,区县代码,起始日期,截止日期,评价年度,类别/)
    expect(lines[0]).toContain('电加价（元/kWh）')
    expect(lines.filter(Boolean).length - 1).toBeGreaterThanOrEqual(codes.length)
    const enterprise = await call(t.app, 'GET', `/v1/tiers/export?month=${month}`, {
      token: t.tokens.enterprise,
    })
    expect(enterprise.status).toBe(403)
    const badMonth = await call(t.app, 'GET', '/v1/tiers/export?month=2025-13', {
      token: t.tokens.utility,
    })
    expect(badMonth.status).toBe(400)
  })
})

describe('a billing month from meter readings', () => {
  const month = '2025-09'
  it('bills each reading as the single quote of the month, in upload order', async () => {
    const firms = codes.slice(0, 30).map((f) => f.code)
    const csv = `统一社会信用代码,资源,用量\n${firms.map((c, i) => `${c},${i % 2 ? '电' : 'water'},${1000 + i}.5`).join('\n')}\n`
    const r = await call(t.app, 'POST', `/v1/bills:month?month=${month}`, {
      token: t.tokens.utility,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    })
    expect(r.status).toBe(200)
    const bills = (await r.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(bills).toHaveLength(firms.length)
    for (const [i, c] of firms.entries()) {
      const single = await call(t.app, 'POST', '/v1/quotes', {
        token: t.tokens.utility,
        body: {
          creditCode: c,
          resource: i % 2 ? 'electricity' : 'water',
          quantity: `${1000 + i}.5`,
          from: '2025-09-01',
          to: '2025-10-01',
        },
      })
      expect(bills[i]).toEqual(await json(single))
    }
    const ndjson = firms
      .slice(0, 3)
      .map((c) => JSON.stringify({ creditCode: c, resource: 'gas', quantity: '12' }))
      .join('\n')
    const n = await call(t.app, 'POST', `/v1/bills:month?month=${month}`, {
      token: t.tokens.utility,
      raw: ndjson,
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect((await n.text()).trim().split('\n')).toHaveLength(3)
    // A CSV saved by Excel on a Chinese system is GBK: read as the imports read it.
    const gbk = new Uint8Array([
      ...[
        0xcd, 0xb3, 0xd2, 0xbb, 0xc9, 0xe7, 0xbb, 0xe1, 0xd0, 0xc5, 0xd3, 0xc3, 0xb4, 0xfa, 0xc2,
        0xeb,
      ], // 统一社会信用代码
      ...Buffer.from(','),
      ...[0xd7, 0xca, 0xd4, 0xb4], // 资源
      ...Buffer.from(','),
      ...[0xd3, 0xc3, 0xc1, 0xbf], // 用量
      ...Buffer.from(`\n${firms[0]},electricity,5\n`),
    ])
    const g = await t.app.request(`/v1/bills:month?month=${month}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.utility}`, 'content-type': 'text/csv' },
      body: gbk,
    })
    expect(g.status).toBe(200)
    expect(JSON.parse((await g.text()).trim())).toMatchObject({ creditCode: firms[0] })
  })

  it('bad lines are each named and nothing is billed', async () => {
    const [a, b] = codes.map((f) => f.code)
    const csv = [
      'credit_code,resource,quantity',
      `${a},electricity,100`,
      '91330200XXXXXXXXX1,electricity,100',
      `${b},electricity,-5`,
      `${b},steam,5`,
      `${a},electricity,7`,
    ].join('\n')
    const r = await call(t.app, 'POST', `/v1/bills:month?month=${month}`, {
      token: t.tokens.utility,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    })
    expect(r.status).toBe(422)
    const body = await json(r)
    expect(body.code).toBe('READINGS_INVALID')
    expect(body.errors.map((e: any) => e.path)).toEqual([
      'row 3.credit_code',
      'row 4.quantity',
      'row 5.resource',
      'row 6',
    ])
    expect(body.errors[1].message).toContain('negative reading -5')
    expect(body.errors[2].message).toContain("unknown resource 'steam'")
    expect(body.errors[3].message).toContain('first on line 2')
    const county = await call(t.app, 'POST', `/v1/bills:month?month=${month}`, {
      token: t.tokens.county,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    })
    expect(county.status).toBe(403)
  })
})

function addDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
}
