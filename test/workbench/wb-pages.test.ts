/**
 * The enterprise's journey in a real browser (log in, its published result at once with the honest rank, object,
 * the receipt), the login refusal, and refusals in process: a wrong field keeps its input with a Chinese error
 * beside it; a form post without the session's CSRF token is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, createTestApp, principalOf } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'

describe.skipIf(!browserAvailable)(
  'wb-pages: the enterprise and the pages every role sees, in the browser',
  () => {
    let s: Served
    beforeAll(async () => {
      s = await serveWithBrowser({ size: 400 })
    }, 120_000)
    afterAll(async () => {
      await s?.close()
    })

    it('an enterprise logs in, sees its published class and honest rank on /my, objects and gets a receipt', async () => {
      const { t } = s
      const economy = principalOf(t, t.tokens.economy)
      const run = t.services.evaluations.run(economy, 2024)
      t.services.evaluations.notice(economy, run.id)
      const page = await loggedIn(s, t.tokens.enterprise)
      expect(new URL(page.url()).pathname).toBe('/my')
      const pub = t.services.selfChecks.published(principalOf(t, t.tokens.enterprise))!
      const { rank, groupSize } = pub.result
      expect(await page.textContent('#my-class')).toMatch(/^[ABCD] 类/)
      const rankText = (await page.textContent('#my-rank'))!
      expect(rankText).toContain(`组内第 ${rank} 名 / 共 ${groupSize} 名`)
      const top = rank! <= groupSize! / 2
      const share = Math.max(
        1,
        Math.round(((top ? rank! : groupSize! - rank! + 1) / groupSize!) * 100),
      )
      expect(rankText).toContain(`位于${top ? '前' : '后'} ${share}%`)
      expect(await page.locator('#my-indicators tbody tr').count()).toBe(
        pub.result.trace.indicators.length,
      )
      expect(await page.locator('#my-indicators thead th').count()).toBe(5)
      expect(await page.textContent('[data-cost="electricity"]')).toMatch(/^[\d,]+\.\d\d 元$/)
      await shot(page, 'wb-my')
      await page.fill('#objection textarea[name=reason]', '用地面积含出租给他人的4亩')
      await page.fill('#objection textarea[name=evidence]', '租赁合同 2023-17')
      await Promise.all([page.waitForNavigation(), page.click('#objection button[type=submit]')])
      expect(new URL(page.url()).pathname).toBe('/my/objection')
      expect(await page.textContent('#receipt-no')).toMatch(/^YY-2024-\d{6}$/)
      expect(await page.textContent('#receipt-state')).toBe('待处理')
      expect(await page.textContent('#receipt-reason')).toBe('用地面积含出租给他人的4亩')
      expect(await page.textContent('#receipt-evidence')).toBe('租赁合同 2023-17')
      expect(await page.textContent('main')).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）/)
      await shot(page, 'wb-receipt')
      await page.goto(`${page.url()}&lang=en`)
      await shot(page, 'wb-receipt-en')
      // Stored, as the API tells the enterprise.
      const res = await call(t.app, 'GET', `/v1/evaluations/${run.id}/objections`, {
        token: t.tokens.enterprise,
      })
      expect(res.status).toBe(200)
      const { objections } = (await res.json()) as { objections: Record<string, unknown>[] }
      expect(objections).toMatchObject([
        {
          creditCode: t.tokens.creditCode,
          status: 'open',
          reason: '用地面积含出租给他人的4亩',
          evidence: '租赁合同 2023-17',
        },
      ])
      const no = (await page.textContent('#receipt-no'))!
      expect(no.endsWith(String(objections[0].id).padStart(6, '0'))).toBe(true)
      await page.goto(`${s.base}/my?lang=en`)
      expect(await page.textContent('#my-objections')).toContain(no)
      expect(await page.textContent('#my-rank')).toMatch(
        /rank \d+ of \d+ in the group, in the (top|bottom) \d+%/,
      )
      await shot(page, 'wb-my-en')
      await page.goto(`${s.base}/self-check`)
      expect(await page.textContent('#published-class')).toMatch(/[ABCD] 类/)
      await shot(page, 'wb-self-check')
      await page.goto(`${s.base}/self-check?lang=en`)
      await shot(page, 'wb-self-check-en')
      await page.goto(`${s.base}/provenance`)
      await shot(page, 'wb-provenance')
      await page.goto(`${s.base}/provenance?lang=en`)
      await shot(page, 'wb-provenance-en')
      await page.context().close()
    })

    it('a wrong token on /login keeps the form and says why in Chinese beside the field', async () => {
      const page = await s.browser.newPage()
      await page.goto(`${s.base}/login`)
      await page.fill('input[name=token]', 'not-a-token')
      await page.click('button[type=submit]')
      await page.waitForSelector('.field-error')
      expect(await page.textContent('.field-error')).toContain('令牌无效')
      expect(await page.locator('form#login input[name=token]').count()).toBe(1)
      expect(await page.textContent('body')).not.toContain('401')
      await shot(page, 'wb-login-refused')
      await page.goto(`${s.base}/login?lang=en`)
      await shot(page, 'wb-login-en')
      await page.close()
    })

    it('the bureau sees the overview and the county the programme with charts, in both languages', async () => {
      const bureau = await loggedIn(s, s.t.tokens.bureau)
      expect(new URL(bureau.url()).pathname).toBe('/overview')
      expect(await bureau.locator('#by-county svg').count()).toBe(1)
      await shot(bureau, 'wb-overview')
      await bureau.goto(`${s.base}/overview?lang=en`)
      await shot(bureau, 'wb-overview-en')
      await bureau.context().close()
      const county = await loggedIn(s, s.t.tokens.county, 'en')
      expect(new URL(county.url()).pathname).toBe('/programme')
      await shot(county, 'wb-programme-en')
      await county.goto(`${s.base}/programme?lang=zh`)
      await shot(county, 'wb-programme')
      await county.context().close()
    })
  },
)

describe('wb-pages: refusals in process', () => {
  const t = createTestApp({ size: 120 })
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
  const session = async (token: string) => {
    const res = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: form({ token }),
    })
    const cookie = res.headers.get('set-cookie')!.split(';')[0]
    const page = await (await t.app.request('/my', { headers: { cookie } })).text()
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? ''
    return { cookie, csrf, location: res.headers.get('location') }
  }

  it('a wrong token answers 401 with the login form and a Chinese message beside the field', async () => {
    const res = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      body: form({ token: 'wrong' }),
    })
    expect(res.status).toBe(401)
    const html = await res.text()
    expect(html).toContain('id="f-token"')
    expect(html).toMatch(/class="field-error"[^>]*>令牌无效/)
  })

  it('an objection with too short a reason keeps what was typed and says what is wrong beside the field', async () => {
    const economy = principalOf(t, t.tokens.economy)
    const run = t.services.evaluations.run(economy, 2024)
    t.services.evaluations.notice(economy, run.id)
    const { cookie, csrf, location } = await session(t.tokens.enterprise)
    expect(location).toBe('/my?lang=zh')
    const res = await t.app.request('/objection', {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://localhost',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form({
        _csrf: csrf,
        runId: String(run.id),
        reason: '太低',
        evidence: '租赁合同 2023-17',
      }),
    })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toContain('租赁合同 2023-17')
    expect(html).toMatch(/id="f-reason-err"[^>]*>请写明理由/)
    expect(html).toContain('class="notice error"')
    expect(t.store.listObjections({ runId: run.id })).toEqual([])
  })

  it('an objection posted without the session’s CSRF token is refused and stores nothing', async () => {
    const run = t.store.listRuns().find((r) => r.status === 'notice')!
    const { cookie } = await session(t.tokens.enterprise)
    const res = await t.app.request('/objection', {
      method: 'POST',
      headers: {
        cookie,
        origin: 'http://localhost',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form({ runId: String(run.id), reason: '用地面积含出租', evidence: '合同' }),
    })
    expect(res.status).toBe(403)
    expect(t.store.listObjections({ runId: run.id })).toEqual([])
  })
})
