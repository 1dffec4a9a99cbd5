/**
 * Designated lists (名单) for sector pricing, through the use cases and the API: a schedule naming a list charges a
 * firm only while it is on the list and past the transition; a removal after 复查 stops the charge from its day (a
 * quote across the day is split there, and the cached tier sees it); acts that reach back are corrections; bad
 * entries are refused with a code saying what is wrong; only the roles of the permission table act.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { cliPrincipal } from '../src/app/authorize.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import type { RatedFacts } from '../src/pricing/facts.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { edited } from './support/rulebook.ts'
import { csrfOf, sessionCookie } from './support/session.ts'

// The stainless schedule of 2017 on, made to name a list (a test rulebook: the shipped one names a list only for
// the 2011 Ningbo opinion's years, before the demo's evaluations).
const RULES = edited(
  'pricing.yaml',
  '    label: 不锈钢行业差别电价（钢铁淘汰类0.50）\n    from: 2017-01-01\n    resource: electricity\n    sectors: [stainless]\n',
  '    label: 不锈钢行业差别电价（钢铁淘汰类0.50）\n    from: 2017-01-01\n    resource: electricity\n    sectors: [stainless]\n    list: test_stainless\n',
)

let t: TestApp
/** Stainless firms the demo's 2024 evaluation puts in a category with a rate (淘汰类 or 限制类). */
let firms: { code: string; rate: string }[]
const economy = cliPrincipal('test', 'economy')
const bureau = cliPrincipal('test', 'bureau')

beforeAll(() => {
  // Today is 2026-01-01 in Ningbo (the test clock); the demo's 2024 classes bind through 2026.
  t = createTestApp({ size: 400, rules: RULES })
  const rows = t.store.listEnterprises({ limit: 1000, offset: 0 }).rows
  firms = []
  for (const e of rows) {
    const h = t.services.evaluations.history(e.creditCode, 2025) as readonly RatedFacts[]
    const last = h.find((x) => x.year === 2024)
    const cat = last?.sector === 'stainless' ? last.category?.category : undefined
    if (cat === 'eliminate') firms.push({ code: e.creditCode, rate: '0.5' })
    if (cat === 'restrict') firms.push({ code: e.creditCode, rate: '0.1' })
  }
})

const quote = (code: string, from: string, to: string, quantity: number) =>
  t.services.pricing.quote(bureau, {
    creditCode: code,
    resource: 'electricity',
    from,
    to,
    quantity,
  })
const lines = (q: ReturnType<typeof quote>) =>
  q.lines
    .filter((l) => l.scheduleId === 'stainless_electricity')
    .map((l) => ({ from: l.from, to: l.to, rate: l.rate, amount: l.amount }))

describe('a designated list with a transition period', () => {
  it('has stainless firms with a category to list', () => {
    expect(firms.length).toBeGreaterThanOrEqual(2)
  })

  it('charges a listed firm only past the transition, and stops from the day of its removal after 复查', async () => {
    const [a, b] = firms
    // Before any list exists the schedule charges nobody: it names a list.
    expect(lines(quote(a.code, '2026-03-01', '2026-04-01', 31000))).toEqual([])
    t.services.lists.propose(economy, {
      id: 'test_stainless',
      label: '测试不锈钢名单',
      schedule: 'stainless_electricity',
      document: '甬经信〔2026〕1号',
      startOn: '2026-02-01',
      transitionUntil: '2026-02-28',
      entries: [{ creditCode: a.code }, { creditCode: b.code }],
    })
    // A proposed list charges nobody either.
    expect(lines(quote(a.code, '2026-03-01', '2026-04-01', 31000))).toEqual([])
    const approved = t.services.lists.decide(bureau, 'test_stainless', 'approve', {
      ref: '甬发改价格〔2026〕2号',
    })
    expect(approved.status).toBe('approved')
    expect(approved.firstChargedDay).toBe('2026-03-01')

    // February is the transition: nothing; March: 31,000 kWh at the category rate.
    const amount = (rate: string, kwh: number) => (Number(rate) * kwh).toFixed(2)
    expect(lines(quote(a.code, '2026-02-01', '2026-04-01', 59000))).toEqual([
      { from: '2026-03-01', to: '2026-04-01', rate: a.rate, amount: amount(a.rate, 31000) },
    ])
    const tierBefore = t.services.pricing.tierOf(b.code, '2026-03-20')
    const rateOf = (tier: typeof tierBefore) =>
      tier.rates
        .find((r) => r.resource === 'electricity')!
        .schedules.find((s) => s.scheduleId === 'stainless_electricity')?.rate
    expect(rateOf(tierBefore)).toBe(b.rate)
    // The cached JSON tier too (it must see the removal below).
    const cached = () =>
      JSON.parse(t.services.pricing.tierJson(bureau, b.code, '2026-03-20')) as typeof tierBefore
    expect(rateOf(cached())).toBe(b.rate)

    // 复查 passed: b is off the list from 2026-03-16 (15 days charged in March, then nothing).
    const knownBefore = t.store.now()
    const after = t.services.lists.remove(bureau, 'test_stainless', {
      creditCode: b.code,
      removedOn: '2026-03-16',
      ref: '复查〔2026〕3号',
    })
    expect(after.entries.find((e) => e.creditCode === b.code)?.removedOn).toBe('2026-03-16')
    const q = quote(b.code, '2026-03-01', '2026-04-01', 31000)
    expect(lines(q)).toEqual([
      { from: '2026-03-01', to: '2026-03-16', rate: b.rate, amount: amount(b.rate, 15000) },
    ])
    expect(q.notes.join('\n')).toContain('removed from list test_stainless')
    expect(rateOf(cached())).toBeUndefined()
    expect(rateOf(t.services.pricing.tierOf(b.code, '2026-03-15'))).toBe(b.rate)
    // As known before the removal was recorded, March is charged in full (a bill issued then is reproduced).
    const asBilled = t.services.pricing.quote(bureau, {
      creditCode: b.code,
      resource: 'electricity',
      from: '2026-03-01',
      to: '2026-04-01',
      quantity: 31000,
      knownAt: knownBefore,
    })
    expect(lines(asBilled)).toEqual([
      { from: '2026-03-01', to: '2026-04-01', rate: b.rate, amount: amount(b.rate, 31000) },
    ])
    // a is still charged; the removal was audited.
    expect(lines(quote(a.code, '2026-03-01', '2026-04-01', 31000))).toHaveLength(1)
    const audit = t.services.audit.list(bureau, { subject: 'list/test_stainless' })
    expect(audit.map((e) => e.action)).toEqual([
      'list.entry.remove',
      'list.approve',
      'list.propose',
    ])
  })

  it('refuses an unknown credit code, a removal before the addition and a backdated act without correction', () => {
    const [a] = firms
    const err = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return { code: (e as { code: string }).code, message: (e as Error).message }
      }
      throw new Error('not refused')
    }
    const malformed = err(() =>
      t.services.lists.add(bureau, 'test_stainless', {
        creditCode: '91330200MA2XXXXXX0',
        addedOn: '2026-05-01',
        ref: '第二批',
      }),
    )
    expect(malformed.code).toBe('CREDIT_CODE_INVALID')
    // A well-formed code no enterprise has.
    const stranger = withCheckChar('91330200MA2ZZZZZZ'.replace(/Z/g, '9'))
    const unknown = err(() =>
      t.services.lists.add(bureau, 'test_stainless', {
        creditCode: stranger,
        addedOn: '2026-05-01',
        ref: '第二批',
      }),
    )
    expect(unknown.code).toBe('LIST_ENTRY_UNKNOWN_FIRM')
    expect(unknown.message).toContain(stranger)
    const early = err(() =>
      t.services.lists.remove(bureau, 'test_stainless', {
        creditCode: a.code,
        removedOn: '2026-01-15',
        ref: '复查',
      }),
    )
    expect(early).toMatchObject({ code: 'LIST_REMOVAL_BEFORE_ADDITION' })
    expect(early.message).toContain('2026-02-01')
    // Today is 2026-01-01: a list starting in 2025 and approved now reaches back.
    t.services.lists.propose(economy, {
      id: 'test_backdated',
      label: '补录名单',
      schedule: 'stainless_electricity',
      document: '甬经信〔2025〕9号',
      startOn: '2025-06-01',
      entries: [{ creditCode: a.code }],
    })
    const back = err(() =>
      t.services.lists.decide(bureau, 'test_backdated', 'approve', { ref: '甬发改〔2025〕1号' }),
    )
    expect(back.code).toBe('CORRECTION_REQUIRED')
    expect(back.message).toContain('2025-06-01')
    const done = t.services.lists.decide(bureau, 'test_backdated', 'approve', {
      ref: '甬发改〔2025〕1号',
      correction: { reason: '名单漏录，补录', document: '甬发改〔2026〕5号' },
    })
    expect(done.status).toBe('approved')
    const entry = t.services.audit
      .list(bureau, { subject: 'list/test_backdated' })
      .find((x) => x.action === 'list.approve')!
    expect(entry.detail).toMatchObject({
      correction: { document: '甬发改〔2026〕5号', firstDay: '2025-06-01' },
    })
  })
})

describe('the API', () => {
  it('proposes, approves and records over HTTP, with problem+json refusals', async () => {
    const [, , c] = firms
    const code = c?.code ?? firms[0].code
    const proposed = await call(t.app, 'POST', '/v1/lists', {
      token: t.tokens.economy,
      body: {
        id: 'api_list',
        label: '接口名单',
        schedule: 'stainless_electricity',
        document: '甬经信〔2026〕7号',
        startOn: '2026-06-01',
        entries: [{ creditCode: code }],
      },
    })
    expect(proposed.status).toBe(201)
    const byEconomy = await call(t.app, 'POST', '/v1/lists/api_list/approve', {
      token: t.tokens.economy,
      body: { ref: 'x1' },
    })
    expect(byEconomy.status).toBe(403)
    const ok = await call(t.app, 'POST', '/v1/lists/api_list/approve', {
      token: t.tokens.bureau,
      body: { ref: '甬发改价格〔2026〕8号' },
    })
    expect(ok.status).toBe(200)
    const bad = await call(t.app, 'POST', '/v1/lists/api_list/removals', {
      token: t.tokens.bureau,
      body: { creditCode: code, removedOn: '2026-05-01', ref: '复查' },
    })
    expect(bad.status).toBe(422)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    expect(((await bad.json()) as { code: string }).code).toBe('LIST_REMOVAL_BEFORE_ADDITION')
    // An If-Match older than the list is refused (412) and changes nothing; the current ETag passes.
    const etag = ok.headers.get('etag')!
    expect(etag).toMatch(/^"l\d+"$/)
    const removed = await call(t.app, 'POST', '/v1/lists/api_list/removals', {
      token: t.tokens.bureau,
      body: { creditCode: code, removedOn: '2026-09-01', ref: '复查〔2026〕5号' },
      headers: { 'if-match': etag },
    })
    expect(removed.status).toBe(200)
    const stale = await call(t.app, 'POST', '/v1/lists/api_list/entries', {
      token: t.tokens.bureau,
      body: { creditCode: code, addedOn: '2026-10-01', ref: '第二批' },
      headers: { 'if-match': etag },
    })
    expect(stale.status).toBe(412)
    const read = await call(t.app, 'GET', '/v1/lists/api_list', { token: t.tokens.utility })
    expect(read.headers.get('etag')).toBe(removed.headers.get('etag'))
    const body = (await read.json()) as { status: string; entries: { creditCode: string }[] }
    expect(body.status).toBe('approved')
    expect(body.entries.map((e) => e.creditCode)).toEqual([code])
    expect(body.entries[0]).toMatchObject({
      removedOn: '2026-09-01',
      removedRef: '复查〔2026〕5号',
    })
    expect((await call(t.app, 'GET', '/v1/lists', { token: t.tokens.enterprise })).status).toBe(403)
  })
})

describe('the bureau page', () => {
  const request = (path: string, init: RequestInit) => t.app.request(path, init)
  const post = (path: string, cookie: string, fields: Record<string, string>) =>
    request(path, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    })

  it('shows the lists and a list with its entries, in Chinese and in English', async () => {
    const cookie = await sessionCookie(request, t.tokens.utility)
    const zh = await (await request('/lists', { headers: { cookie } })).text()
    expect(zh).toContain('差别电价企业名单')
    expect(zh).toContain('宁波市不锈钢企业差别电价名单（第一批）')
    const en = await (
      await request('/lists/test_stainless?lang=en', { headers: { cookie } })
    ).text()
    expect(en).toContain('Transition until (inclusive)')
    expect(en).toContain('2026-02-28')
    expect(en).toContain(firms[1].code)
    // A utility reads; it has no form to change a list.
    expect(en).not.toContain('id="add-entry"')
  })

  it('records a 复查 removal with the CSRF token, and keeps the input beside its error when refused', async () => {
    const cookie = await sessionCookie(request, t.tokens.bureau)
    const csrf = await csrfOf(request, cookie, '/lists/test_stainless')
    const page = await (await request('/lists/test_stainless', { headers: { cookie } })).text()
    expect(page).toContain('id="remove-entry"')
    // Without the token: refused, nothing recorded.
    const forged = await post('/lists/test_stainless/remove', cookie, {
      creditCode: firms[0].code,
      on: '2026-06-01',
      ref: '复查〔2026〕9号',
    })
    expect(forged.status).toBe(403)
    // A removal before the addition: the form again, the input kept, the error beside the date.
    const early = await post('/lists/test_stainless/remove', cookie, {
      _csrf: csrf,
      creditCode: firms[0].code,
      on: '2026-01-20',
      ref: '复查〔2026〕9号',
    })
    expect(early.status).toBe(422)
    const html = await early.text()
    expect(html).toContain('移出日期须晚于列入日期')
    expect(html).toContain('value="复查〔2026〕9号"')
    expect(html).toContain('value="2026-01-20"')
    const ok = await post('/lists/test_stainless/remove', cookie, {
      _csrf: csrf,
      creditCode: firms[0].code,
      on: '2026-06-01',
      ref: '复查〔2026〕9号',
    })
    expect(ok.status).toBe(303)
    const after = t.services.lists.get(bureau, 'test_stainless')
    expect(after.entries.find((e) => e.creditCode === firms[0].code)?.removedOn).toBe('2026-06-01')
    // An addition dated before today without the correction's reason: said beside the reason field.
    const other = t.store
      .listEnterprises({ limit: 50, offset: 0 })
      .rows.find((e) => !firms.some((f) => f.code === e.creditCode))!.creditCode
    // (on the list approved above as a correction, which starts 2025-06-01)
    const back = await post('/lists/test_backdated/add?lang=en', cookie, {
      _csrf: csrf,
      creditCode: other,
      on: '2025-12-01',
      ref: '第三批',
    })
    expect(back.status).toBe(422)
    const said = await back.text()
    expect(/id="f-correction-err"[^>]*>([^<]*)/.exec(said)?.[1]).toBe(
      'A date before today is a correction: give its reason and document',
    )
  })

  it('refuses the forms to any role but the bureau', async () => {
    const cookie = await sessionCookie(request, t.tokens.economy)
    // The economy office's page of the list has no form; its session's token is on every page's logout form.
    expect(
      await (await request('/lists/test_stainless', { headers: { cookie } })).text(),
    ).not.toContain('id="add-entry"')
    const csrf = await csrfOf(request, cookie)
    const res = await post('/lists/test_stainless/add', cookie, {
      _csrf: csrf,
      creditCode: firms[1].code,
      on: '2026-09-01',
      ref: '第三批',
    })
    expect(res.status).toBe(403)
  })
})
