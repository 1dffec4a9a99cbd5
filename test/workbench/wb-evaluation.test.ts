/**
 * The economy office's workbench: the evaluation cycle (run as a job, notice, an objection decided, publication),
 * the fund fixed after its confirmation, and a disposition verified after seeing its evidence. Each journey is done
 * in a real browser as a person would, and its effect is checked through the JSON API and the services.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, createTestApp, principalOf, type TestApp } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'

const json = async (r: Response) => (await r.json()) as any

/** Adds a done closure of `creditCode` to a 慈溪 project (the county's record), through the API. */
async function doneClosure(t: TestApp, project: number, creditCode: string) {
  const res = await call(t.app, 'POST', `/v1/projects/${project}/dispositions`, {
    token: t.tokens.county,
    body: {
      creditCode,
      kind: 'closure',
      deadline: '2025-06-30',
      status: 'done',
      completedOn: '2025-03-16',
      evidence: '断电、设备拆除验收单（慈溪市经信局 2025-03-18 现场核查）',
      energyFreedTce: '120.5',
      waterFreedM3: 3000,
      landFreedMu: '8.2',
      jobsReduced: 30,
    },
  })
  expect(res.status).toBe(201)
  return (await json(res)).id as number
}

/** Other firms of 慈溪, for dispositions beside the demo firm's. */
function cixiFirms(t: TestApp, n: number) {
  return t.store
    .listEnterprises({ limit: 500, offset: 0 })
    .rows.filter((e) => e.county === '330282' && e.creditCode !== t.tokens.creditCode)
    .slice(0, n)
    .map((e) => e.creditCode)
}

describe.skipIf(!browserAvailable)('economy office in the browser', () => {
  let s: Served
  let page: Page
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 160 })
    page = await loggedIn(s, s.t.tokens.economy)
  }, 120_000)
  afterAll(async () => {
    await s?.close()
  })

  it('runs 2024, puts it to notice, decides an objection, and publishes', async () => {
    const { t, base } = s
    await page.goto(`${base}/evaluation?year=2024`)
    await shot(page, 'wb-evaluation-cycle-zh')
    await Promise.all([page.waitForURL(/\/evaluation\/job/), page.click('#start-run')])
    await page.waitForSelector('#to-run', { timeout: 30_000 })
    expect(await page.textContent('#message')).toContain('评价完成')
    await shot(page, 'wb-evaluation-job-zh')
    await Promise.all([page.waitForURL(/run=\d+/), page.click('#to-run')])
    const runId = Number(await page.getAttribute('#run', 'data-run'))
    expect(await page.getAttribute('#run', 'data-status')).toBe('draft')
    expect(await page.locator('#classes-chart svg').count()).toBe(1)
    // Put to notice: refused without the tick, the reason beside it; then confirmed.
    await Promise.all([page.waitForNavigation(), page.click('#do-notice')])
    expect(await page.textContent('#f-confirm-err')).toBe('请勾选确认')
    await page.check('#f-confirm')
    await Promise.all([page.waitForURL(/done=notice/), page.click('#do-notice')])
    expect(await page.getAttribute('#run', 'data-status')).toBe('notice')
    expect(await page.textContent('#message')).toContain('已公示')

    // The demo firm objects (as itself, through the API), naming the figure it disputes.
    const filed = await call(t.app, 'POST', `/v1/evaluations/${runId}/objections`, {
      token: t.tokens.enterprise,
      body: {
        creditCode: t.tokens.creditCode,
        reason: '用地面积登记有误，应扣除已出租部分',
        evidence: '不动产权证书及租赁合同；land_mu: 12.5',
      },
    })
    expect(filed.status).toBe(201)
    const objection = (await json(filed)).id as number
    await page.reload()
    const card = page.locator(`article[data-objection="${objection}"]`)
    expect(await card.locator('[data-claimed="land_mu"]').textContent()).toBe('12.5')
    // A decision without its reason keeps what was chosen and says what is missing beside the field.
    await card.locator(`select[name="decision-${objection}"]`).selectOption('rejected')
    await card.locator(`textarea[name="reason-${objection}"]`).fill('短')
    await Promise.all([page.waitForNavigation(), card.locator('button.decide').click()])
    expect(await page.textContent(`#f-reason-${objection}-err`)).toContain('请写明理由')
    expect(await page.inputValue(`select[name="decision-${objection}"]`)).toBe('rejected')
    expect(await page.inputValue(`textarea[name="reason-${objection}"]`)).toBe('短')
    await shot(page, 'wb-evaluation-objection-zh')
    await page.fill(
      `textarea[name="reason-${objection}"]`,
      '经核查不动产登记，出租部分仍计入企业用地，维持原类别',
    )
    await Promise.all([
      page.waitForURL(/done=decided/),
      page.click(`article[data-objection="${objection}"] button.decide`),
    ])
    expect(await page.getAttribute(`article[data-objection="${objection}"]`, 'data-status')).toBe(
      'rejected',
    )

    // Publishing with a past date is refused in Chinese beside the date; after the notice it publishes.
    await page.fill('#f-publishedOn', '2025-12-31')
    await page.check('#f-confirm')
    await Promise.all([page.waitForNavigation(), page.click('#do-publish')])
    expect(await page.textContent('#f-publishedOn-err')).toContain('只有在本系统之外已发布')
    expect(await page.inputValue('#f-publishedOn')).toBe('2025-12-31')
    await shot(page, 'wb-evaluation-publish-refused-zh')
    t.advanceDays(8)
    // Eight days idle end any session: the office logs in again.
    await page.context().close()
    page = await loggedIn(s, t.tokens.economy)
    await page.goto(`${base}/evaluation?year=2024&run=${runId}`)
    await page.check('#f-confirm')
    await Promise.all([page.waitForURL(/done=published/), page.click('#do-publish')])
    expect(await page.getAttribute('#run', 'data-status')).toBe('published')

    const run = await json(
      await call(t.app, 'GET', `/v1/evaluations/${runId}`, { token: t.tokens.economy }),
    )
    expect(run).toMatchObject({ status: 'published', year: 2024 })
    const objections = await json(
      await call(t.app, 'GET', `/v1/evaluations/${runId}/objections`, { token: t.tokens.economy }),
    )
    expect(objections.objections[0]).toMatchObject({ id: objection, status: 'rejected' })
    expect(objections.objections[0].decision).toContain('维持原类别')
    const tier = await json(
      await call(t.app, 'GET', `/v1/enterprises/${t.tokens.creditCode}/tier`, {
        token: t.tokens.economy,
      }),
    )
    expect(tier.evaluationId).toBe(runId)

    // The notice list: printable, in both languages, and as CSV with Chinese headers.
    await page.goto(`${base}/evaluation/notice-list?run=${runId}`)
    expect(await page.locator('#notice-list tbody tr').count()).toBeGreaterThan(10)
    await shot(page, 'wb-evaluation-notice-list-zh')
    const csv = await page.request.get(`${base}/evaluation/notice-list.csv?run=${runId}`)
    expect(csv.headers()['content-type']).toContain('text/csv')
    const csvText = await csv.text()
    expect(csvText.split('\r\n')[0]).toBe(
      '\ufeff统一社会信用代码,企业名称,县（市、区）,评价类别,综合得分,组内排名,评价办法',
    )
    expect(csvText).toContain(t.tokens.creditCode)
    await page.goto(`${base}/evaluation/notice-list?run=${runId}&lang=en`)
    await shot(page, 'wb-evaluation-notice-list-en')
    await page.goto(`${base}/evaluation?year=2024&run=${runId}&lang=en`)
    expect(await page.textContent('#run h2')).toContain('Published')
    await shot(page, 'wb-evaluation-cycle-en')
  })

  it('fixes the 2017 fund after a confirmation that shows the amounts', async () => {
    const { t, base } = s
    await page.goto(`${base}/evaluation/fund?year=2017&lang=en`)
    await shot(page, 'wb-evaluation-fund-en')
    await page.goto(`${base}/evaluation/fund?year=2017`)
    const total = (await page.textContent('#fund-total'))!
    // Each criterion with its unit, progress as a percentage (it showed 0.67, and summed shares to 6.5), and the
    // table inside the page's width.
    const table = (await page.textContent('#allocation'))!
    expect(table).toMatch(/\d+\.\d%/)
    expect(table).toContain('吨标准煤')
    expect(table).toContain('立方米')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      1200,
    )
    expect(total).toMatch(/^[\d,]+\.\d\d 元$/)
    await shot(page, 'wb-evaluation-fund-zh')
    await Promise.all([page.waitForNavigation(), page.click('#do-fix')])
    expect(await page.textContent('#f-confirm-err')).toBe('请勾选确认')
    expect((await call(t.app, 'GET', '/v1/funds/2017', { token: t.tokens.economy })).status).toBe(
      404,
    )
    await page.check('#f-confirm')
    await Promise.all([page.waitForNavigation(), page.click('#do-fix')])
    expect(await page.textContent('#message')).toContain('资金分配已定案')
    await shot(page, 'wb-evaluation-fund-fixed-zh')
    const fixed = await json(
      await call(t.app, 'GET', '/v1/funds/2017', { token: t.tokens.economy }),
    )
    expect(fixed.year).toBe(2017)
    expect(Number(total.replace(/[,元\s]/g, ''))).toBe(Number(fixed.total))
  })

  it('verifies a disposition after seeing its evidence and confirming', async () => {
    const { t, base } = s
    const economy = principalOf(t, t.tokens.economy)
    const project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0]
      .id
    const [firmA, firmB] = cixiFirms(t, 2)
    const id = await doneClosure(t, project, firmA)
    const other = await doneClosure(t, project, firmB)
    await page.goto(`${base}/programme/project?id=${project}`)
    await Promise.all([
      page.waitForURL(/\/programme\/verify/),
      page.click(`tr[data-disposition="${id}"] button.verify`),
    ])
    const evidence = (await page.textContent('#evidence'))!
    expect(evidence).toContain('断电、设备拆除验收单')
    expect(evidence).toContain('120.5 吨标准煤')
    expect(evidence).toContain('2025-03-16')
    await shot(page, 'wb-evaluation-verify-zh')
    await Promise.all([page.waitForNavigation(), page.click('#do-verify')])
    expect(await page.textContent('#f-confirm-err')).toBe('请勾选确认')
    const before = t.services.programme.projectDetail(economy, project).dispositions
    expect(before.find((d) => d.id === id)!.verifiedOn).toBeNull()
    await page.check('#f-confirm')
    await Promise.all([page.waitForNavigation(), page.click('#do-verify')])
    expect(await page.textContent('#message')).toContain('已核验')
    await shot(page, 'wb-evaluation-verified-zh')
    const after = t.services.programme.projectDetail(economy, project).dispositions
    expect(after.find((d) => d.id === id)!.verifiedOn).toBe(t.services.provenance.today())
    expect(after.find((d) => d.id === other)!.verifiedOn).toBeNull()
    await page.goto(`${base}/programme/verify?disposition=${other}&project=${project}&lang=en`)
    expect(await page.textContent('#evidence')).toContain('120.5 tce')
    await shot(page, 'wb-evaluation-verify-en')
  })
})

/** Logs in through the form in-process; returns the session cookie and the CSRF token of a page's forms. */
async function session(t: TestApp, token: string) {
  const res = await t.app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  })
  const cookie = res.headers.get('set-cookie')!.split(';')[0]
  const html = await (await t.app.request('/evaluation', { headers: { cookie } })).text()
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
  return { cookie, csrf }
}

const post = (t: TestApp, path: string, cookie: string, fields: Record<string, string>) =>
  t.app.request(path, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })

describe('refusals of the evaluation forms', () => {
  let t: TestApp
  let runId: number
  let objection: number
  beforeAll(() => {
    t = createTestApp({ size: 80 })
    const economy = principalOf(t, t.tokens.economy)
    runId = t.services.evaluations.run(economy, 2024).id
    t.services.evaluations.notice(economy, runId)
    objection = t.services.evaluations.object(principalOf(t, t.tokens.enterprise), runId, {
      creditCode: t.tokens.creditCode,
      reason: '纳税额漏报了一笔',
      evidence: '完税证明',
    }).id
  })

  it('a decision without a reason keeps what was typed and says so in Chinese beside the field', async () => {
    const { cookie, csrf } = await session(t, t.tokens.economy)
    const res = await post(t, '/evaluation/decision', cookie, {
      _csrf: csrf,
      objection: String(objection),
      run: String(runId),
      [`decision-${objection}`]: 'upheld',
      [`class-${objection}`]: '',
      [`reason-${objection}`]: '',
    })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toMatch(/id="f-reason-\d+-err"[^>]*>请写明理由（5 至 4,000 字）/)
    expect(html).toMatch(/id="f-class-\d+-err"[^>]*>采纳时须选择调整后类别/)
    expect(html).toMatch(/<option value="upheld" selected/)
    expect(html).toContain('class="notice error"')
    expect(
      t.services.evaluations.objections(principalOf(t, t.tokens.economy), { runId })[0].status,
    ).toBe('open')
  })

  it('publishing during the notice is refused in Chinese and nothing is published', async () => {
    const { cookie, csrf } = await session(t, t.tokens.economy)
    const res = await post(t, '/evaluation/publish', cookie, {
      _csrf: csrf,
      run: String(runId),
      confirm: 'yes',
    })
    expect(res.status).toBe(409)
    const html = await res.text()
    expect(html).toContain('操作未完成')
    // Why, in words: the notice runs on (the page said "someone changed the record").
    expect(html).toMatch(/公示期至 \d{4}-\d\d-\d\d，自 \d{4}-\d\d-\d\d 起方可发布/)
    expect(html).not.toContain('记录已被他人修改')
    expect(t.services.evaluations.get(principalOf(t, t.tokens.economy), runId).status).toBe(
      'notice',
    )
  })

  it('a form posted without the session’s CSRF token is refused and does nothing', async () => {
    const { cookie } = await session(t, t.tokens.economy)
    const res = await post(t, '/evaluation/decision', cookie, {
      objection: String(objection),
      run: String(runId),
      [`decision-${objection}`]: 'rejected',
      [`reason-${objection}`]: '没有令牌的请求不应生效',
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('data-reason="csrf"')
    const cross = await t.app.request('/evaluation/publish', {
      method: 'POST',
      headers: {
        cookie,
        origin: 'https://evil.example',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ run: String(runId), confirm: 'yes' }).toString(),
    })
    expect(cross.status).toBe(403)
    expect(
      t.services.evaluations.objections(principalOf(t, t.tokens.economy), { runId })[0].status,
    ).toBe('open')
  })

  it('the bureau reads the cycle but gets no form; a county is refused', async () => {
    const bureau = await session(t, t.tokens.bureau)
    const html = await (
      await t.app.request(`/evaluation?run=${runId}`, { headers: { cookie: bureau.cookie } })
    ).text()
    expect(html).toContain('公示中')
    expect(html).not.toContain('id="publish-form"')
    expect(html).not.toContain('class="decision-form"')
    const county = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.tokens.county }).toString(),
    })
    const cookie = county.headers.get('set-cookie')!.split(';')[0]
    expect((await t.app.request('/evaluation', { headers: { cookie } })).status).toBe(403)
  })
})
