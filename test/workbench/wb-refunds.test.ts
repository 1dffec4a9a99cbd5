/**
 * The economy office's page for the money (/refunds): collected, returned and held per county, a refund run made,
 * put to notice and published through its forms (each with the CSRF token and a confirmation), in Chinese and in
 * English; and the overview's table of the money per county.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { call, createTestApp, type TestApp } from '../support/app.ts'
import { csrfOf, sessionCookie } from '../support/session.ts'

let t: TestApp
let cookie: string
let csrf: string
const request = (path: string, init: RequestInit) => t.app.request(path, init)
const page = async (path: string, c = cookie) =>
  (await request(path, { headers: { cookie: c } })).text()
const post = (path: string, form: Record<string, string>) =>
  request(path, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
    redirect: 'manual',
  })

beforeAll(async () => {
  t = createTestApp({ size: 120 })
  // Cixi's firms billed for March 2024 and recorded as collected by the utility.
  const cixi = t.store
    .listEnterprises({ limit: 200, offset: 0 })
    .rows.filter((e) => e.county === '330282')
    .map((e) => e.creditCode)
  const asked = cixi.map((creditCode) => ({
    creditCode,
    resource: 'electricity',
    quantity: '20000',
    from: '2024-03-01',
    to: '2024-04-01',
  }))
  const answers = (await (
    await call(t.app, 'POST', '/v1/bills', { token: t.tokens.utility, body: asked })
  ).json()) as { total?: string }[]
  const res = await call(t.app, 'POST', '/v1/collections', {
    token: t.tokens.utility,
    body: asked.filter((_, i) => answers[i].total !== undefined),
  })
  expect(res.status).toBe(201)
  cookie = await sessionCookie(request, t.tokens.economy)
  csrf = await csrfOf(request, cookie, '/refunds')
})

describe('the refunds page', () => {
  it('shows the money per county with 千分位, Chinese first and English complete', async () => {
    const zh = await page('/refunds')
    expect(zh).toContain('各县（市、区）征收、返还与结存')
    expect(zh).toContain('慈溪市')
    expect(zh).toMatch(/\d{1,3}(,\d{3})*\.\d{2} 元/)
    const en = await page('/refunds?lang=en')
    expect(en).toContain('Collected, returned and held by county')
    expect(en).toMatch(/¥\d{1,3}(,\d{3})*\.\d{2}/)
    expect(en).not.toMatch(/[征收返还结存]/)
  })

  it('refuses a year whose next evaluation is not published, beside the field, keeping the input', async () => {
    const res = await post('/refunds/run?lang=zh', { year: '2025' })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('该年度尚未发布评价结果')
    expect(html).toContain('value="2025"')
    expect(html).toMatch(/field-error[^>]*>[^<]*该年度尚未发布评价结果/)
  })

  it('makes a run, puts it to notice, and publishes it after the notice; the overview shows it returned', async () => {
    const made = await post('/refunds/run?lang=zh', { year: '2024' })
    expect(made.status).toBe(303)
    const at = made.headers.get('location')!
    const id = Number(/run=(\d+)/.exec(at)![1])
    const detail = await page(at)
    expect(detail).toContain('公示')
    expect(detail).toMatch(/data-refund="[^"]+">[\d,]+\.\d{2} 元/)
    // In English, nothing Chinese but the data as written (the rule's title and document).
    const en = (await page(at.replace('lang=zh', 'lang=en')))
      .replace(/<span class="data"[^>]*>[\s\S]*?<\/span>/g, '')
      .replace('>中文<', '><') // the link to the Chinese page
    expect(en).toContain('Refund runs')
    expect(en.replace(/<[^>]+>/g, ' ').match(/.{0,30}[\u4e00-\u9fff]+.{0,10}/g)).toBeNull()
    // No confirmation ticked: refused beside the box, nothing changed.
    const unconfirmed = await post('/refunds/notice?lang=zh', { run: String(id) })
    expect(unconfirmed.status).toBe(422)
    expect(t.services.refunds.list(t.services.tokens.principal(t.tokens.economy)!)[0].status).toBe(
      'draft',
    )
    expect(
      (await post('/refunds/notice?lang=zh', { run: String(id), confirm: 'yes' })).status,
    ).toBe(303)
    const early = await post('/refunds/publish?lang=en', { run: String(id), confirm: 'yes' })
    expect(early.status).toBe(409)
    t.advanceDays(30)
    // A month later: a new session (the old one has timed out).
    cookie = await sessionCookie(request, t.tokens.economy)
    csrf = await csrfOf(request, cookie, '/refunds')
    const published = await post('/refunds/publish?lang=zh', { run: String(id), confirm: 'yes' })
    expect(published.status).toBe(303)
    const run = t.services.refunds.get(t.services.tokens.principal(t.tokens.economy)!, id)
    expect(run.status).toBe('published')
    const bureau = await sessionCookie(request, t.tokens.bureau)
    const overview = await page('/overview', bureau)
    const row = /<tr><td[^>]*><span data-county="330282">[\s\S]*?<\/tr>/.exec(overview)?.[0] ?? ''
    expect(row).toContain(`${run.total.replace(/\B(?=(\d{3})+(?!\d))/g, ',')} 元`)
  })

  it('is refused to a role the table does not allow, and without the CSRF token', async () => {
    const utility = await sessionCookie(request, t.tokens.utility)
    expect((await request('/refunds', { headers: { cookie: utility } })).status).toBe(403)
    const noToken = await request('/refunds/run', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'year=2024',
    })
    expect(noToken.status).toBe(403)
  })
})
