/**
 * The county office's programme work in the browser, as a person at 慈溪 would do it: register a project (a missing
 * field is said beside it in Chinese and the rest is kept), upload the ledger from the downloaded template, correct
 * one disposition, submit a quarterly report; each effect checked through the JSON API. Then the refusals in-process:
 * a wrong field keeps its input, a POST without the CSRF token is refused.
 */
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statusLabel } from '../../src/web/kit/labels.ts'
import { call, createTestApp, type TestApp } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'

const json = async (res: Response) => (await res.json()) as any

describe.skipIf(!browserAvailable)('a county does its programme work in the browser', () => {
  let s: Served
  let page: Page
  const api = async (method: string, path: string) =>
    json(await call(s.t.app, method, path, { token: s.t.tokens.county }))
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 400 })
    page = await loggedIn(s, s.t.tokens.county)
  }, 120_000)
  afterAll(async () => {
    await s?.close()
  })

  const name = '坎墩街道针织行业整治'
  let projectId = 0
  let firms: string[] = []

  it('registers a project: a missing field is said beside it in Chinese, the rest is kept', async () => {
    await page.goto(`${s.base}/programme`)
    await Promise.all([page.waitForNavigation(), page.click('#new-project')])
    await page.selectOption('#register [name=year]', '2017')
    await page.selectOption('#register [name=kind]', 'block')
    await page.fill('#register [name=name]', name)
    await page.fill('#register [name=startsOn]', '2017-03-01')
    await page.fill('#register [name=endsOn]', '2017-12-31')
    await Promise.all([page.waitForNavigation(), page.click('#register button[type=submit]')])
    expect(await page.textContent('#message')).toBe('请更正标红的字段')
    expect(await page.textContent('#f-township-err')).toBe('必填')
    expect(await page.inputValue('#register [name=name]')).toBe(name)
    expect(await page.inputValue('#register [name=endsOn]')).toBe('2017-12-31')
    expect(await page.inputValue('#register [name=kind]')).toBe('block')
    await shot(page, 'wb-county-new-project-refused')
    await page.fill('#register [name=township]', '坎墩街道')
    await Promise.all([page.waitForNavigation(), page.click('#register button[type=submit]')])
    expect(page.url()).toMatch(/\/programme\/project\?id=\d+/)
    projectId = Number(new URL(page.url()).searchParams.get('id'))
    const listed = await api('GET', '/v1/projects?county=330282&year=2017')
    const made = listed.rows.find((r: { id: number }) => r.id === projectId)
    expect(made).toMatchObject({ name, township: '坎墩街道', kind: 'block', endsOn: '2017-12-31' })
    const back = page.url()
    await page.goto(`${s.base}/programme/project/new?lang=en`)
    await shot(page, 'wb-county-new-project-en')
    await page.goto(back)
  })

  it('uploads the ledger from the downloaded template; a bad file stores nothing and names its rows in Chinese', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#ledger-upload a.template'),
    ])
    const template = readFileSync((await download.path())!, 'utf8')
    expect(template.startsWith('\uFEFF统一社会信用代码,处置类型,期限,状态')).toBe(true)
    firms = s.t.store
      .listEnterprises({ limit: 1000, offset: 0, county: '330282' })
      .rows.filter((e) => e.creditCode.startsWith('91'))
      .map((e) => e.creditCode)
      .slice(-2)
    const columns = template.replace('\uFEFF', '').trim().split(',')
    const row = (values: Record<string, string>) => columns.map((c) => values[c] ?? '').join(',')
    const upload = async (rows: Record<string, string>[]) => {
      const csv = `${template.trimEnd()}\r\n${rows.map(row).join('\r\n')}\r\n`
      await page.setInputFiles('#ledger-upload input[type=file]', {
        name: 'ledger.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      })
      await Promise.all([
        page.waitForNavigation(),
        page.click('#ledger-upload button[type=submit]'),
      ])
    }
    const a = { 统一社会信用代码: firms[0], 处置类型: '提升改造', 期限: '2017-12-31', 状态: '计划' }
    await upload([a, { 统一社会信用代码: firms[1], 处置类型: '拆除', 期限: '2017-13-01' }])
    expect(await page.textContent('#message')).toContain('未导入任何记录')
    const problems = await page.textContent('#ledger-problems')
    expect(problems).toContain('第 3 行')
    expect(problems).toContain('处置类型应为')
    expect((await api('GET', `/v1/projects/${projectId}`)).dispositions).toHaveLength(0)
    await shot(page, 'wb-county-ledger-refused')
    await upload([a, { 统一社会信用代码: firms[1], 处置类型: '关停淘汰', 期限: '2017-12-31' }])
    expect(await page.textContent('#message')).toBe('已导入 2 条处置记录')
    const stored = (await api('GET', `/v1/projects/${projectId}`)).dispositions
    expect(stored.map((d: { creditCode: string; kind: string }) => [d.creditCode, d.kind])).toEqual(
      [
        [firms[0], 'upgrade'],
        [firms[1], 'closure'],
      ],
    )
    await shot(page, 'wb-county-project')
    await page.goto(`${s.base}/programme/project?id=${projectId}&lang=en`)
    await shot(page, 'wb-county-project-en')
  })

  it('corrects one disposition: a confirmation, the refusal beside the field, then the change and its note', async () => {
    const before = (await api('GET', `/v1/projects/${projectId}`)).dispositions[0]
    await page.goto(`${s.base}/programme/project?id=${projectId}`)
    await Promise.all([
      page.waitForNavigation(),
      page.click(`#ledger tr[data-disposition="${before.id}"] a.correct`),
    ])
    await page.selectOption('#disposition [name=kind]', 'closure')
    await page.selectOption('#disposition [name=status]', 'done')
    await page.fill('#disposition [name=completedOn]', '2017-11-30')
    const save = () =>
      Promise.all([page.waitForNavigation(), page.click('#disposition button[type=submit]')])
    await save()
    expect(await page.textContent('#f-confirm-err')).toBe('请勾选确认后再保存')
    expect(await page.inputValue('#disposition [name=completedOn]')).toBe('2017-11-30')
    await page.check('#disposition [name=confirm]')
    await save()
    expect(await page.textContent('#f-evidence-err')).toBe('已完成或已放弃的处置须写明佐证材料')
    expect(await page.inputValue('#disposition [name=kind]')).toBe('closure')
    await shot(page, 'wb-county-disposition-refused')
    expect((await api('GET', `/v1/projects/${projectId}`)).dispositions[0].version).toBe(
      before.version,
    )
    await page.fill('#disposition [name=evidence]', '断电拆除验收单')
    await save()
    expect(await page.textContent('#message')).toContain(`已保存处置记录 #${before.id}`)
    expect(await page.textContent('#backdated')).toContain('只计入经市经信局核验的处置')
    await shot(page, 'wb-county-disposition')
    const after = (await api('GET', `/v1/projects/${projectId}`)).dispositions[0]
    expect(after).toMatchObject({
      id: before.id,
      kind: 'closure',
      status: 'done',
      completedOn: '2017-11-30',
      evidence: '断电拆除验收单',
      verifiedOn: null,
      version: before.version + 1,
    })
    await page.goto(`${s.base}/programme/disposition?id=${before.id}&lang=en`)
    await shot(page, 'wb-county-disposition-en')
  })

  it('submits a quarterly report: an earlier day needs its reason and becomes a request; the state is shown', async () => {
    const before = await api('GET', '/v1/programme/reports/330282/2017Q4')
    await page.goto(`${s.base}/programme/report?county=330282&quarter=2017Q4`)
    await page.selectOption('#submit-report [name=quarter]', '2017Q4')
    await page.fill('#submit-report [name=submittedOn]', '2018-01-05')
    const submit = () =>
      Promise.all([page.waitForNavigation(), page.click('#submit-report button[type=submit]')])
    await submit()
    expect(await page.textContent('#f-confirm-err')).toBe('请勾选确认后再报送')
    expect(await page.inputValue('#submit-report [name=submittedOn]')).toBe('2018-01-05')
    await page.check('#submit-report [name=confirm]')
    await submit()
    expect(await page.textContent('#f-historicReason-err')).toBe('日期早于今天，须写明补录说明')
    expect(await page.inputValue('#submit-report [name=submittedOn]')).toBe('2018-01-05')
    expect((await api('GET', '/v1/programme/reports/330282/2017Q4')).submissions).toHaveLength(
      before.submissions.length,
    )
    await page.fill('#submit-report [name=historicReason]', '纸质季报已于 2018-01-05 报送市腾换办')
    await submit()
    expect(await page.textContent('#message')).toContain('已报送2017年第4季度季报（第 2 次）')
    expect(await page.textContent('#backdated')).toContain('已作为补录请求提交市经信局认定')
    const now = await api('GET', '/v1/programme/reports/330282/2017Q4')
    expect(now.submissions).toHaveLength(before.submissions.length + 1)
    expect(await page.textContent('#report-state .badge')).toBe(statusLabel('zh', now.state))
    const pending = await api('GET', '/v1/programme/backdate-requests?county=330282&status=pending')
    expect(pending.rows).toContainEqual(
      expect.objectContaining({ kind: 'report', quarter: '2017Q4', claimedOn: '2018-01-05' }),
    )
    expect(await page.locator('#report-chart svg').count()).toBe(1)
    await shot(page, 'wb-county-report')
    await page.goto(`${s.base}/programme/report?county=330282&quarter=2017Q4&lang=en`)
    expect(await page.textContent('#report-chart')).toContain('Closure')
    await shot(page, 'wb-county-report-en')
  })
})

describe('county forms refuse in-process', () => {
  let t: TestApp
  let cookie = ''
  let csrf = ''
  beforeAll(async () => {
    t = createTestApp({ size: 200 })
    const login = await t.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.tokens.county }).toString(),
    })
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
    const form = await (
      await t.app.request('/programme/project/new', { headers: { cookie } })
    ).text()
    csrf = /name="_csrf" value="([^"]+)"/.exec(form)?.[1] ?? ''
    expect(csrf).not.toBe('')
  }, 120_000)
  const post = (path: string, fields: Record<string, string>) =>
    t.app.request(path, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    })
  const fields = {
    county: '330282',
    year: '2017',
    kind: 'sector',
    name: '宗汉街道五金行业整治',
    township: '',
    startsOn: '2017-03-01',
    endsOn: '2017-02-01',
  }

  it('a missing field keeps the input and is said in Chinese beside it', async () => {
    const res = await post('/programme/project', { ...fields, _csrf: csrf })
    expect(res.status).toBe(422)
    const html = await res.text()
    expect(html).toMatch(/id="f-township-err"[^>]*>必填</)
    expect(html).toContain('value="宗汉街道五金行业整治"')
    expect(html).not.toContain('Invalid input')
  })

  it('a refusal of the use case is said beside its field', async () => {
    const res = await post('/programme/project', { ...fields, township: '宗汉街道', _csrf: csrf })
    expect(res.status).toBe(422)
    expect(await res.text()).toMatch(/id="f-endsOn-err"[^>]*>不能早于开始日期</)
    const listed = await json(
      await call(t.app, 'GET', '/v1/projects?county=330282', { token: t.tokens.county }),
    )
    expect(listed.rows.map((r: { name: string }) => r.name)).not.toContain(fields.name)
  })

  it('a POST without the CSRF token is refused and changes nothing', async () => {
    const before = await json(
      await call(t.app, 'GET', '/v1/programme/reports/330282/2017Q4', { token: t.tokens.county }),
    )
    const res = await post('/programme/report', {
      county: '330282',
      quarter: '2017Q4',
      confirm: 'yes',
    })
    expect(res.status).toBe(403)
    const project = await post('/programme/project', {
      ...fields,
      township: '宗汉街道',
      endsOn: '2017-12-31',
    })
    expect(project.status).toBe(403)
    const after = await json(
      await call(t.app, 'GET', '/v1/programme/reports/330282/2017Q4', { token: t.tokens.county }),
    )
    expect(after.submissions).toHaveLength(before.submissions.length)
  })

  it('the ledger template has the Chinese headers the upload reads', async () => {
    const res = await t.app.request('/programme/ledger-template.csv', { headers: { cookie } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('统一社会信用代码,处置类型,期限')
  })
})
