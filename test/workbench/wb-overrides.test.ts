/**
 * County overrides and access tokens in the browser: the bureau rejects one override and files another, a county
 * proposes one (first with a mistake shown at its line), sees its preview and submits it, the bureau creates a token
 * that then works on the API and revokes it. Effects are checked through the JSON API. Refusals in-process.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, createTestApp, type TestApp } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'
import { draftOverride } from '../support/overrides.ts'
import { csrfOf, sessionCookie } from '../support/session.ts'

const statusOf = async (t: TestApp, id: string, token: string) => {
  const res = await call(t.app, 'GET', `/v1/overrides/${id}`, { token })
  expect(res.status).toBe(200)
  return ((await res.json()) as { status: string }).status
}

/** Ticks the act's confirmation and sends its form; waits for the page that answers. */
async function act(page: Page, name: string, fields: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(fields))
    await page.fill(`#act-${name} [name=${name}_${k}]`, v)
  await page.check(`#act-${name} input[name=${name}_confirm]`)
  await Promise.all([page.waitForNavigation(), page.click(`#act-${name} button[type=submit]`)])
}

describe.skipIf(!browserAvailable)('county overrides and tokens in a real browser', () => {
  let s: Served
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 300 })
  }, 120_000)
  afterAll(async () => {
    await s?.close()
  })

  it('the bureau rejects one override with a reason and files another with the province’s reference', async () => {
    const { t } = s
    // A Cixi proposal submitted through the API, for the bureau to reject.
    const text = draftOverride('cixi_2026_gas', '330282', '2026-03-01', { resource: 'gas' })
    expect(
      (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } }))
        .status,
    ).toBe(201)
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides/cixi_2026_gas/submit', {
          token: t.tokens.county,
          body: {},
        })
      ).status,
    ).toBe(200)
    const page = await loggedIn(s, t.tokens.bureau)
    await page.goto(`${s.base}/overrides`)
    expect(await page.locator('#overrides a[data-override]').count()).toBeGreaterThanOrEqual(3)
    await shot(page, 'overrides-list')
    await page.goto(`${s.base}/overrides?lang=en`)
    await shot(page, 'overrides-list-en')
    await Promise.all([page.waitForNavigation(), page.click('a[data-override="cixi_2026_gas"]')])
    // Rejected without a reason: refused, the error beside the field, the reference kept.
    await act(page, 'reject', { ref: 'Ref 2026-1' })
    expect(await page.textContent('#act-reject .field-error')).toBe('Required')
    expect(await page.inputValue('#act-reject [name=reject_ref]')).toBe('Ref 2026-1')
    await page.goto(`${s.base}/overrides/cixi_2026_gas`)
    await act(page, 'reject', { reason: '与全市气价政策不一致', ref: '甬发改价〔2026〕7号' })
    expect(await page.textContent('#done')).toContain('已驳回')
    expect(await page.textContent('#events')).toContain('与全市气价政策不一致')
    expect(await statusOf(t, 'cixi_2026_gas', t.tokens.bureau)).toBe('rejected')
    // The submitted Yuyao gas override: approved, then filed with the province's reference.
    await page.goto(`${s.base}/overrides/yuyao_2026_gas`)
    await page.waitForSelector('#preview-table', { timeout: 60_000 })
    await shot(page, 'override-detail')
    await act(page, 'approve', { ref: '甬发改价〔2026〕8号' })
    expect(await page.textContent('#done')).toContain('已批准')
    expect(await statusOf(t, 'yuyao_2026_gas', t.tokens.bureau)).toBe('approved')
    await act(page, 'file', { ref: '浙发改价备〔2026〕3号' })
    expect(await page.textContent('#done')).toContain('已备案')
    expect(await statusOf(t, 'yuyao_2026_gas', t.tokens.bureau)).toBe('filed')
    const filed = (await (
      await call(t.app, 'GET', '/v1/overrides/yuyao_2026_gas', { token: t.tokens.bureau })
    ).json()) as { events: { action: string; ref: string | null }[] }
    expect(filed.events.at(-1)).toMatchObject({ action: 'file', ref: '浙发改价备〔2026〕3号' })
    await page.goto(`${s.base}/overrides/yuyao_2026_gas?lang=en`)
    await page.waitForSelector('#preview-table', { timeout: 60_000 })
    await shot(page, 'override-detail-en')
    await page.context().close()
  }, 180_000)

  it('a county proposes an override (a mistake shown at its line, then corrected), sees its preview and submits it', async () => {
    const { t } = s
    const page = await loggedIn(s, t.tokens.county)
    await page.goto(`${s.base}/overrides`)
    await Promise.all([page.waitForNavigation(), page.click('#propose')])
    const template = await page.inputValue('#f-text')
    expect(template).toContain('id: cixi_')
    expect(template).toContain('county: "330282"')
    // A key the format does not know, on line 7: refused, the problem shown at that line, the text kept.
    const lines = template.split('\n')
    const wrong = [...lines.slice(0, 6), '  bogus: 1', ...lines.slice(6)].join('\n')
    await page.fill('#f-text', wrong)
    await Promise.all([page.waitForNavigation(), page.click('#save')])
    expect(await page.locator('#problems [data-line="7"]').count()).toBe(1)
    expect(await page.textContent('.field-error')).toContain('第 7 行')
    expect(await page.inputValue('#f-text')).toBe(wrong)
    await shot(page, 'override-propose-error')
    await page.goto(`${s.base}/overrides/new?lang=en`)
    await shot(page, 'override-propose-en')
    await page.goto(`${s.base}/overrides/new`)
    await page.fill('#f-text', template)
    await Promise.all([page.waitForNavigation(), page.click('#save')])
    expect(await page.textContent('#done')).toContain('草稿已保存')
    const id = /^ {2}id: (\S+)$/m.exec(template)![1]
    expect(page.url()).toContain(`/overrides/${id}`)
    expect(await statusOf(t, id, t.tokens.county)).toBe('draft')
    // Its preview, computed off the request thread: the page reloads until it is there.
    await page.waitForSelector('#preview-table', { timeout: 60_000 })
    expect(await page.locator('#preview-chart svg').count()).toBe(1)
    await shot(page, 'override-county-draft')
    await act(page, 'submit')
    expect(await page.textContent('#done')).toContain('已报送')
    expect(await statusOf(t, id, t.tokens.county)).toBe('submitted')
    await page.context().close()
  }, 180_000)

  it('the bureau creates a token (shown once) that works on the API, then revokes it', async () => {
    const { t } = s
    const page = await loggedIn(s, t.tokens.bureau)
    await page.goto(`${s.base}/tokens`)
    await shot(page, 'tokens')
    // A county token without its county: refused beside the field, the label kept.
    await page.selectOption('#f-role', 'county')
    await page.fill('#f-label', '慈溪市发改局价格科')
    await Promise.all([page.waitForNavigation(), page.click('#create-token')])
    expect(await page.textContent('#create .field-error')).toContain('须选择县')
    expect(await page.inputValue('#f-label')).toBe('慈溪市发改局价格科')
    await page.selectOption('#f-county', '330282')
    await Promise.all([page.waitForNavigation(), page.click('#create-token')])
    const token = (await page.textContent('#new-token'))!.trim()
    expect(token.length).toBeGreaterThan(20)
    await shot(page, 'token-created')
    expect((await call(t.app, 'GET', '/v1/overrides', { token })).status).toBe(200)
    const id = (await page.textContent('#token-facts dd'))!.trim()
    await page.goto(`${s.base}/tokens?lang=en`)
    await shot(page, 'tokens-en')
    await page.goto(`${s.base}/tokens`)
    await Promise.all([
      page.waitForNavigation(),
      page.click(`#tokens tr:has([data-token="${id}"]) a.revoke`),
    ])
    await shot(page, 'token-revoke-confirm')
    await Promise.all([page.waitForNavigation(), page.click('#confirm-revoke')])
    expect(await page.textContent('#done')).toContain(`#${id}`)
    expect((await call(t.app, 'GET', '/v1/overrides', { token })).status).toBe(401)
    await page.context().close()
  }, 120_000)
})

describe('override and token pages refuse as a person reads it', () => {
  let t: TestApp
  let cookie: string
  let csrf: string
  const request = (path: string, init: RequestInit) => t.app.request(path, init)
  const post = (path: string, form: Record<string, string>) =>
    t.app.request(path, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    })
  beforeAll(async () => {
    t = createTestApp({ size: 120 })
    cookie = await sessionCookie(request, t.tokens.bureau)
    csrf = await csrfOf(request, cookie, '/overrides/new')
  })

  it('a proposal with a mistake keeps its text and says in Chinese at which line', async () => {
    const bad = draftOverride('cixi_2026_x', '330282', '2026-03-01').replace(
      'status: draft\n',
      'status: draft\n  colour: red\n',
    )
    const res = await post('/overrides/new', { _csrf: csrf, text: bad })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('colour: red')
    expect(html).toMatch(/class="field-error"[^>]*>第 6 行有问题/)
    expect(html).toContain('个性化措施文本有错误')
  })

  it('a rejection without a reason is refused with 必填 beside the field; nothing changes', async () => {
    const res = await post('/overrides/yuyao_2026_gas/reject', {
      _csrf: csrf,
      reject_ref: '文号1',
      reject_confirm: 'yes',
    })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toMatch(/name="reject_reason"[\s\S]{0,400}class="field-error"[^>]*>必填/)
    expect(html).toContain('value="文号1"')
    expect(await statusOf(t, 'yuyao_2026_gas', t.tokens.bureau)).toBe('submitted')
  })

  it('a draft is edited through its form (with its ETag); the API then reads the new text', async () => {
    const text = draftOverride('cixi_2026_y', '330282', '2026-03-01')
    expect(
      (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } }))
        .status,
    ).toBe(201)
    const form = await (
      await t.app.request('/overrides/cixi_2026_y/edit', { headers: { cookie } })
    ).text()
    const etag = /name="etag" value="([^"]*)"/.exec(form)![1].replace(/&quot;/g, '"')
    const res = await post('/overrides/cixi_2026_y/edit', {
      _csrf: csrf,
      etag,
      text: text.replace('rate: "2.00"', 'rate: "1.20"'),
    })
    expect(res.status).toBe(303)
    const now = (await (
      await call(t.app, 'GET', '/v1/overrides/cixi_2026_y', { token: t.tokens.county })
    ).json()) as { version: number; text: string; status: string }
    expect(now).toMatchObject({ version: 2, status: 'draft' })
    expect(now.text).toContain('rate: "1.20"')
  })

  it('an act or a token form without the CSRF token is refused', async () => {
    const res = await post('/overrides/yuyao_2026_gas/approve', {
      approve_ref: '文号',
      approve_confirm: 'yes',
    })
    expect(res.status).toBe(403)
    expect(await statusOf(t, 'yuyao_2026_gas', t.tokens.bureau)).toBe('submitted')
    const token = await post('/tokens', { role: 'economy', label: 'x' })
    expect(token.status).toBe(403)
  })

  it('a county cannot open the token page; a visitor without a session is asked to log in', async () => {
    const county = await sessionCookie(request, t.tokens.county)
    expect((await t.app.request('/tokens', { headers: { cookie: county } })).status).toBe(403)
    expect((await t.app.request('/overrides')).status).toBe(401)
  })
})
