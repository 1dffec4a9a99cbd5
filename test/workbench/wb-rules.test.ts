/**
 * The pricing bureau's rules pages, as a person uses them: the rules in force with their sources, a dated change of
 * the D-class electricity rate previewed and confirmed (a quote over the day then splits at it), a change that
 * reaches back refused in Chinese with the form kept, versions compared and rolled back, a rule file checked in the
 * editor. Effects are checked through the JSON API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, createTestApp, type TestApp } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'

const D_CELL = 'class_electricity|rates[class=D][minConsecutiveYears=].rate'
const DOC = '甬发改价格〔2026〕9号'

describe.skipIf(!browserAvailable)('the bureau edits the tariff rules in the browser', () => {
  let s: Served
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 300 })
  }, 120_000)
  afterAll(async () => s?.close())

  it('sees the D-class rate with its source, changes it from 2027-01-01 after its preview, and a quote splits there', async () => {
    const { t, base } = s
    const page = await loggedIn(s, t.tokens.bureau)
    await page.goto(`${base}/rules?lang=zh`)
    const dCell = page.locator(
      `#surcharges [data-schedule="class_electricity"][data-path="rates[class=D][minConsecutiveYears=].rate"]`,
    )
    expect((await dCell.textContent())?.trim()).toBe('0.30 元/kWh')
    const dRow = page.locator('#surcharges tbody tr', {
      has: page.locator(
        '[data-schedule="class_electricity"][data-path="rates[class=D][minConsecutiveYears=].rate"]',
      ),
    })
    expect(await dRow.textContent()).toContain('推定')
    // The row's schedule is the one from 2025-07-01, whose source is Haining's draft.
    expect(await page.locator('#surcharges').textContent()).toContain(
      '海宁《深化工业"亩均论英雄"实施意见(2025年修订)》征求意见稿',
    )
    await shot(page, 'wb-rules-in-force-zh')

    await dRow.locator('a', { hasText: '调整' }).click()
    await page.waitForSelector('#change-form')
    expect(await page.inputValue('#f-cell')).toBe(D_CELL)
    await page.fill('#f-value', '0.35')
    await page.fill('#f-from', '2027-01-01')
    await page.fill('#f-document', DOC)
    await shot(page, 'wb-rules-change-form-zh')
    await page.click('#preview-button')
    await page.waitForSelector('#preview-result', { timeout: 60_000 })
    expect(await page.textContent('#preview-facts')).toContain('2027-01-01')
    // What changes, said in full: the item, its value now and the new one, with the unit.
    const summary = (await page.textContent('#change-summary'))!
    expect(summary).toContain('现行 0.30 元/kWh')
    expect(summary).toContain('拟改为 0.35 元/kWh')
    expect(await page.locator('#chart-month svg').count()).toBe(1)
    expect(await page.locator('#chart-county svg').count()).toBe(1)
    expect(await page.locator('#preview-firms tbody tr').count()).toBeGreaterThan(0)
    await shot(page, 'wb-rules-preview-zh')

    // The affected firms, downloaded as a person would (Chinese headers).
    const csv = await (
      await page.request.get(
        new URL((await page.getAttribute('#preview-csv', 'href'))!, base).toString(),
      )
    ).text()
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(header.split(',').slice(0, 3)).toEqual(['统一社会信用代码', '县（市、区）', '评价类别'])
    const firm = lines.map((l) => l.split(',')).find((f) => f[2] === 'D' && f[4] === '电')
    expect(firm, 'a D-class firm whose electricity charge changes').toBeDefined()
    const creditCode = firm![0]

    await page.goto(page.url().replace('lang=zh', 'lang=en'))
    await page.waitForSelector('#preview-result')
    await shot(page, 'wb-rules-preview-en')
    await page.goto(page.url().replace('lang=en', 'lang=zh'))
    await page.check('#confirm')
    await page.click('#confirm-button')
    await page.waitForSelector('#change-made')
    expect(await page.textContent('#change-made')).toContain('已生成规则版本 2')
    await shot(page, 'wb-rules-change-made-zh')

    // The effect through the API: the rules in force in 2027 say 0.35 from the document, and a quote splits.
    const rules = (await (
      await call(t.app, 'GET', '/v1/rulebook?date=2027-02-01', { token: t.tokens.bureau })
    ).json()) as {
      version: number
      surcharges: {
        id: string
        from: string
        rates?: { class: string; minConsecutiveYears?: number; rate: string }[]
        source: { document: string }
      }[]
    }
    expect(rules.version).toBe(2)
    const item = rules.surcharges.find((x) => x.id === 'class_electricity')!
    expect([item.from, item.source.document]).toEqual(['2027-01-01', DOC])
    expect(item.rates!.find((r) => r.class === 'D' && !r.minConsecutiveYears)!.rate).toBe('0.35')
    const res = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: {
        creditCode,
        resource: 'electricity',
        quantity: '62000',
        from: '2026-12-01',
        to: '2027-02-01',
      },
    })
    const q = (await res.json()) as {
      lines: { from: string; to: string; rate: string; scheduleId: string }[]
    }
    expect(res.status, JSON.stringify(q)).toBe(200)
    const lines2 = q.lines.filter((l) => l.scheduleId === 'class_electricity')
    expect(lines2.map((l) => [l.from, l.to, l.rate])).toEqual([
      ['2026-12-01', '2027-01-01', '0.3'],
      ['2027-01-01', '2027-02-01', '0.35'],
    ])
    await page.context().close()
  }, 180_000)

  it('a change that reaches back is refused in Chinese with the first day affected, and the form keeps its input', async () => {
    const { t, base } = s
    const page = await loggedIn(s, t.tokens.bureau)
    await page.goto(`${base}/rules/change?lang=zh`)
    await page.selectOption('#f-cell', D_CELL)
    await page.fill('#f-value', '0.36')
    await page.fill('#f-from', '2025-09-01')
    await page.fill('#f-document', '甬发改价格〔2026〕10号')
    await page.click('#preview-button')
    await page.waitForSelector('#refusal')
    const refusal = (await page.textContent('#refusal'))!
    expect(refusal).toContain('只能以更正方式办理')
    expect(refusal).toContain('首个受影响日为 2025-09-01')
    expect(await page.textContent('#f-from-err')).toContain('2025-09-01')
    expect(await page.inputValue('#f-value')).toBe('0.36')
    expect(await page.inputValue('#f-from')).toBe('2025-09-01')
    expect(await page.inputValue('#f-document')).toBe('甬发改价格〔2026〕10号')
    expect(await page.inputValue('#f-cell')).toBe(D_CELL)
    await shot(page, 'wb-rules-retroactive-zh')
    // Nothing was made.
    const versions = (await (
      await call(t.app, 'GET', '/v1/rulebook/versions', { token: t.tokens.bureau })
    ).json()) as {
      versions: { id: number }[]
    }
    expect(versions.versions.length).toBe(2)
    await page.context().close()
  }, 120_000)

  it('compares two versions side by side, checks a broken file at its line, and rolls back with a confirmation', async () => {
    const { t, base } = s
    const page = await loggedIn(s, t.tokens.bureau)
    await page.goto(`${base}/rules/versions?lang=zh`)
    expect(await page.locator('#versions tbody tr').count()).toBe(2)
    // Version 1 was in force until version 2 replaced it: superseded, not "never in force".
    const states = (await page.locator('#versions tbody tr').allTextContents()).join('|')
    expect(states).toContain('在用')
    expect(states).toContain('已被取代')
    expect(states).not.toContain('未启用')
    await shot(page, 'wb-rules-versions-zh')
    await page.selectOption('#compare-a', '1')
    await page.selectOption('#compare-b', '2')
    await page.click('#compare-form button')
    await page.waitForSelector('.file-diff')
    expect(await page.getAttribute('.file-diff', 'data-path')).toBe('pricing.yaml')
    expect(await page.locator('.file-diff td.add').count()).toBeGreaterThan(0)
    expect(await page.textContent('#item-changes')).toContain('class_electricity')
    await shot(page, 'wb-rules-diff-zh')
    await page.goto(page.url().replace('lang=zh', 'lang=en'))
    await shot(page, 'wb-rules-diff-en')

    await page.goto(`${base}/rules/edit?lang=zh&path=pricing.yaml`)
    const text = await page.inputValue('#f-text')
    const broken = text.replace('{ class: C, rate: "0.15" }', '{ class: C, rate: 0.15 }')
    expect(broken).not.toBe(text)
    await page.fill('#f-text', broken)
    await page.click('#check-button')
    await page.waitForSelector('#problems')
    const line = broken.split('\n').findIndex((l) => l.includes('rate: 0.15 }')) + 1
    expect(await page.textContent('#problems tbody')).toContain(String(line))
    expect(await page.inputValue('#f-text')).toBe(broken)
    await shot(page, 'wb-rules-editor-check-zh')
    await page.goto(`${base}/rules/edit?lang=en&path=pricing.yaml`)
    await shot(page, 'wb-rules-editor-en')

    // Roll back to version 1: it changes answers only from 2027-01-01, so it is no correction.
    await page.goto(`${base}/rules/versions?lang=zh`)
    await page.click('#act-1')
    await page.fill('#f-note', '撤回 2027 年起的调整')
    await page.check('#act-confirm')
    await page.click('#act-button')
    await page.waitForSelector('#act-done')
    expect(await page.textContent('#act-done')).toContain('版本 1 已启用')
    const v = (await (
      await call(t.app, 'GET', '/v1/rulebook/versions', { token: t.tokens.bureau })
    ).json()) as {
      versions: { id: number; active: boolean }[]
    }
    expect(v.versions.find((x) => x.active)!.id).toBe(1)
    await page.goto(`${base}/rules/versions?lang=en`)
    await shot(page, 'wb-rules-versions-en')
    await page.goto(`${base}/rules?lang=en`)
    await shot(page, 'wb-rules-in-force-en')
    await page.goto(`${base}/rules/change?lang=en`)
    await shot(page, 'wb-rules-change-form-en')
    await page.context().close()
  }, 180_000)
})

describe('rules forms in process', () => {
  let t: TestApp
  let cookie: string
  let csrf: string
  beforeAll(async () => {
    t = createTestApp({ size: 60 })
    const login = await t.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: t.tokens.bureau }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    cookie = login.headers.get('set-cookie')!.split(';')[0]
    const form = await (await t.app.request('/rules/change', { headers: { cookie } })).text()
    csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]
  })
  const post = (path: string, fields: Record<string, string>) =>
    t.app.request(path, {
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    })

  it('a wrong value keeps what was typed and says what is wrong in Chinese beside the field', async () => {
    const res = await post('/rules/change/preview', {
      _csrf: csrf,
      cell: D_CELL,
      value: '三毛五',
      from: '2027-01-01',
      document: DOC,
    })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('value="三毛五"')
    expect(html).toMatch(/id="f-value-err"[^>]*>请填写数字/)
    expect(html).toContain(`value="${DOC}"`)
    expect(html).toContain('请更正标红的字段')
  })

  it('a form without its CSRF token is refused and changes nothing', async () => {
    const res = await post('/rules/change', {
      cell: D_CELL,
      value: '0.35',
      from: '2027-01-01',
      document: DOC,
      confirm: 'yes',
    })
    expect(res.status).toBe(403)
    expect(t.services.rulebooks.versions(t.services.tokens.principal(t.tokens.bureau)).length).toBe(
      1,
    )
  })

  it('the change is not made without the confirmation', async () => {
    const res = await post('/rules/change', {
      _csrf: csrf,
      cell: D_CELL,
      value: '0.35',
      from: '2027-01-01',
      document: DOC,
    })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('请勾选确认')
    expect(t.services.rulebooks.versions(t.services.tokens.principal(t.tokens.bureau)).length).toBe(
      1,
    )
  })

  it('other roles may read the rules but not change them', async () => {
    expect((await t.app.request('/rules')).status).toBe(401)
    const login = await t.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ token: t.tokens.economy }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const other = login.headers.get('set-cookie')!.split(';')[0]
    expect((await t.app.request('/rules', { headers: { cookie: other } })).status).toBe(200)
    expect((await t.app.request('/rules/change', { headers: { cookie: other } })).status).toBe(403)
  })
})
