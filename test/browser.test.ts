/**
 * The web pages in a real browser (Debian's chromium driven by playwright-core). .ci/run installs chromium when it
 * is absent; without it this file is skipped with a notice. Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, principalOf, type TestApp } from './support/app.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname
const available = existsSync(CHROMIUM)
if (!available)
  process.stderr.write(
    `browser tests skipped: ${CHROMIUM} is not installed (.ci/run installs it)\n`,
  )

describe.skipIf(!available)('pages in a real browser', () => {
  let t: TestApp
  let browser: Browser
  let base: string
  let server: ReturnType<typeof serve>
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    t = createTestApp({ size: 400 })
    await new Promise<void>((resolve) => {
      server = serve(
        { fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' },
        (info: AddressInfo) => {
          base = `http://127.0.0.1:${info.port}`
          resolve()
        },
      )
    })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    server?.close()
  })

  it('self-check: fill the form, submit, see the class, the trace and what would move the firm up', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } })
    await page.goto(`${base}/self-check`)
    await page.selectOption('#county', '330282')
    await page.fill('#industryCode', '3411')
    const figures: Record<string, string> = {
      land_mu: '20',
      tax: '100',
      revenue: '1000',
      value_added: '300',
      energy_tce: '100',
      electricity_kwh: '500000',
      employees: '30',
      rd_spend: '10',
      cod_t: '1',
    }
    for (const [id, v] of Object.entries(figures)) await page.fill(`#${id}`, v)
    await page.check('#above_scale')
    await page.fill('#monthly', '100000')
    await page.click('#submit')
    await page.waitForSelector('#result-class')
    const cls = (await page.textContent('#result-class'))!.trim()
    expect(cls).toMatch(/^[ABCD] 类（(重点发展|鼓励提升|帮扶整治|淘汰关停)）$/)
    expect(await page.locator('#trace tbody tr').count()).toBe(6)
    expect(await page.getAttribute('#trace tbody tr:first-child', 'data-indicator')).toBe(
      'tax_per_mu',
    )
    expect(await page.textContent('#result-rank')).toMatch(
      /组内第 \d+ 名 \/ 共 \d+ 名，位于[前后] \d+%/,
    )
    expect(await page.textContent('#result-score')).toMatch(/综合得分 \d+\.\d\d · 排名 \d+\/\d+/)
    expect(await page.textContent('#monthly-cost')).toMatch(/^[\d,]+\.\d\d 元$/)
    await page.screenshot({ path: `${ARTIFACTS}self-check.png`, fullPage: true })
    await page.close()
  })

  it('self-check: a bad figure is reported next to its field', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}/self-check?lang=en`)
    await page.fill('#land_mu', '-3')
    await page.fill('#tax', 'lots')
    await page.click('#submit')
    expect(await page.textContent('[data-error-for="tax"]')).toBe('enter a number')
    expect(await page.textContent('[data-error-for="land_mu"]')).toBe('must be at least 0')
    expect(await page.locator('#result').count()).toBe(0)
    await page.screenshot({ path: `${ARTIFACTS}self-check-errors.png`, fullPage: true })
    await page.close()
  })

  it('overview: a bureau logs in and sees class charts per county and sector, pending overrides and targets', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } })
    await page.goto(`${base}/overview`)
    expect(await page.textContent('body')).toContain('请用市级部门（发改、经信或其他部门）令牌登录')
    await page.goto(`${base}/login`)
    await page.fill('input[name=token]', t.tokens.bureau)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/overview/)
    expect(await page.getAttribute('#by-county', 'data-bars')).toBe('10')
    expect(await page.locator('#by-county svg').count()).toBe(1)
    expect(Number(await page.getAttribute('#by-sector', 'data-bars'))).toBeGreaterThan(1)
    expect(await page.textContent('#pending')).toContain('yuyao_2026_gas')
    // The plan's seven targets, measured from the programme's records; productivity against 2014's figures.
    expect(await page.locator('#targets tr[data-metric]').count()).toBe(7)
    const gain = await page.getAttribute(
      '#targets tr[data-metric="labour_productivity_gain"] td[data-value]',
      'data-value',
    )
    expect(Number(gain)).toBeGreaterThan(0.2)
    // Read as a percentage, not as a ratio.
    expect(
      await page.textContent('#targets tr[data-metric="labour_productivity_gain"] td[data-value]'),
    ).toMatch(/^\d+\.\d%$/)
    expect(await page.textContent('#overdue')).toContain('2017 项目清单')
    // Per county and over time, with the dispositions still open past their deadline.
    expect(await page.locator('#targets tr[data-county]').count()).toBe(10)
    expect(await page.locator('#targets #monthly-chart svg').count()).toBe(1)
    expect(await page.locator('#open-dispositions tbody tr').count()).toBeGreaterThan(0)
    // Pending overrides open their own page.
    expect(await page.locator('#pending a[href^="/overrides/yuyao_2026_gas"]').count()).toBe(1)
    await page.screenshot({ path: `${ARTIFACTS}overview.png`, fullPage: true })
    await page.close()
  })

  it('programme: a county logs in, sees targets, its flagged deadlines and the chart, and downloads its quarterly report', async () => {
    const page = await browser.newPage({
      viewport: { width: 1100, height: 1600 },
      acceptDownloads: true,
    })
    await page.goto(`${base}/login`)
    await page.fill('input[name=token]', t.tokens.county)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/programme/)
    expect(await page.locator('#targets tbody tr').count()).toBe(7)
    expect(await page.locator('#counties tr[data-county]').count()).toBe(10)
    // The monthly chart draws both series over the programme's months, with its legend.
    expect(await page.locator('#monthly-chart svg').count()).toBe(1)
    expect(await page.textContent('#monthly-chart svg')).toContain('淘汰关停（累计）')
    // Each figure opens the records it counts; a county sees its own county's (慈溪's closures).
    await page.click('#targets tr[data-metric="enterprises_closed"] a.basis')
    await page.waitForURL(/\/programme\/basis\?/)
    const own = t.services.programme.basis(principalOf(t, t.tokens.county), 'enterprises_closed')
    expect(own.county).toBe('330282')
    expect(Number(own.figure.value)).toBeGreaterThan(0)
    expect(await page.locator('#basis-dispositions tr[data-disposition]').count()).toBe(
      Number(own.figure.value),
    )
    await page.goBack()
    // A county sees its own series beside the city's.
    expect(await page.textContent('#county-chart-title')).toBe('慈溪市')
    expect(await page.locator('#county-chart svg').count()).toBe(1)
    // 象山 filed no 2017 list and stopped reporting in 2017: flagged.
    expect(await page.textContent('#deadlines')).toContain('未报送')
    await page.selectOption('#quarter', '2017Q2')
    await page.click('#reports button[type=submit]')
    await page.waitForURL(/quarter=2017Q2/)
    expect(await page.textContent('#reports tr[data-county="330225"]')).toContain('未报送')
    expect(await page.textContent('#reports tr[data-county="330226"]')).toContain('逾期报送')
    // A county downloads only its own report.
    expect(await page.locator('#reports a.download').count()).toBe(1)
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#reports tr[data-county="330282"] a.download'),
    ])
    expect(download.suggestedFilename()).toBe('report-330282-2017Q2.csv')
    const csv = readFileSync((await download.path())!, 'utf8')
    expect(csv.startsWith('\uFEFF县（市）区,慈溪市 330282')).toBe(true)
    expect(csv).toContain('2017-06,')
    // The report as a page: a bar per month and the same figures as the CSV.
    await page.click('#reports tr[data-county="330282"] a.report')
    await page.waitForURL(/\/programme\/report\?/)
    expect(await page.locator('#report-chart svg').count()).toBe(1)
    expect(await page.textContent('#report-chart')).toContain('关停淘汰')
    const june = csv
      .split('\r\n')
      .find((l) => l.startsWith('2017-06,'))!
      .split(',')
    expect(
      (await page.locator('#report-months tr[data-month="2017-06"] td').allTextContents()).map(
        (c) => c.replaceAll(',', ''),
      ),
    ).toEqual(['2017-06', june[1], june[2], june[3], june[4], june[6], june[7]])
    await page.screenshot({ path: `${ARTIFACTS}programme-report.png`, fullPage: true })
    await page.goBack()
    // The county registers a project from the page: a list filed in the past without a reason is refused there.
    const register = async (fields: Record<string, string>) => {
      await page.selectOption('#register select[name=year]', '2017')
      for (const [name, value] of Object.entries(fields))
        await page.fill(`#register [name=${name}]`, value)
      await page.click('#register button[type=submit]')
    }
    const listed = {
      name: '观海卫镇五金区块整治',
      township: '观海卫镇',
      startsOn: '2017-03-01',
      endsOn: '2017-12-31',
      filedOn: '2016-12-15',
    }
    await page.goto(`${base}/programme`)
    await register(listed)
    // Refused beside the field, in Chinese, with what was typed kept.
    expect(await page.textContent('#f-historicReason-err')).toBe('日期早于今天，须写明补录说明')
    expect(await page.inputValue('#register [name=name]')).toBe(listed.name)
    await register({ ...listed, historicReason: '纸质清单补录' })
    await page.waitForURL(/\/programme\/project\?id=/)
    expect(await page.textContent('h1')).toContain('观海卫镇五金区块整治')
    // Its earlier filing day waits for the economy office; until then it counts from the day it was sent.
    expect(await page.textContent('.backdate-request')).toContain('2016-12-15')
    // A project's ledger: the county uploads a spreadsheet of two firms; a bad file stores nothing and says why.
    const economy = principalOf(t, t.tokens.economy)
    const project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0]
    const before = t.services.programme.projectDetail(economy, project.id).dispositions.length
    const taken = new Set(
      t.services.programme.projectDetail(economy, project.id).dispositions.map((d) => d.creditCode),
    )
    const [a, b] = t.store
      .listEnterprises({ limit: 1000, offset: 0, county: '330282' })
      .rows.filter((e) => !taken.has(e.creditCode) && e.creditCode.startsWith('91'))
      .map((e) => e.creditCode)
    await page.goto(`${base}/programme/project?id=${project.id}`)
    const upload = async (csv: string) => {
      await page.setInputFiles('#ledger-upload input[type=file]', {
        name: 'ledger.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      })
      await page.click('#ledger-upload button[type=submit]')
      await page.waitForSelector('#message')
    }
    await upload(`统一社会信用代码,处置类型,期限\n${a},改造提升,2017-12-31\n${b},拆除,2017-12-31\n`)
    expect(await page.textContent('#ledger-problems')).toContain('第 3 行')
    expect(t.services.programme.projectDetail(economy, project.id).dispositions.length).toBe(before)
    await upload(
      `统一社会信用代码,处置类型,期限,状态,完成日期,佐证材料,腾出用能（吨标煤）\n${a},改造提升,2017-12-31,计划,,,\n${b},淘汰关停,2017-12-31,已完成,2017-10-01,断电拆除验收单,33.5\n`,
    )
    expect(await page.textContent('#message')).toBe('已导入 2 条处置记录')
    expect(await page.locator('#ledger tr[data-disposition]').count()).toBe(before + 2)
    await page.screenshot({ path: `${ARTIFACTS}programme-project.png`, fullPage: true })
    await page.goto(`${base}/programme`)
    // The 2017 fund is a preview (the demo fixed 2015 and 2016); its allocations add up to the amount.
    expect(await page.textContent('#fund-status')).toContain('预览')
    expect(await page.textContent('#fund-total')).toBe('60,000,000.00 元')
    await page.screenshot({ path: `${ARTIFACTS}programme.png`, fullPage: true })
    await page.close()
  })

  it('verification: the economy office verifies a done closure on the project page; its surcharges stop from that day', async () => {
    const economy = principalOf(t, t.tokens.economy)
    const county = principalOf(t, t.tokens.county)
    const project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0]
    const taken = new Set(
      t.services.programme.projectDetail(economy, project.id).dispositions.map((d) => d.creditCode),
    )
    // A Cixi firm rated D in 2024, so its 2025 bills carry a surcharge.
    const run = t.store.publishedRun(2024)!
    const firm = t.store
      .runResults(run.id, { county: '330282', class: 'D', limit: 100, offset: 0 })
      .find((r) => !taken.has(r.creditCode) && r.creditCode !== t.tokens.creditCode)!.creditCode
    const june = () =>
      t.services.pricing.quote(economy, {
        creditCode: firm,
        resource: 'electricity',
        quantity: '10000',
        from: '2025-06-01',
        to: '2025-07-01',
      }).total
    const d = t.services.programme.addDisposition(county, project.id, {
      creditCode: firm,
      kind: 'closure',
      deadline: '2025-12-31',
      status: 'done',
      completedOn: '2025-06-01',
      evidence: '断电拆除验收单',
    })
    const billed = june()
    expect(Number(billed)).toBeGreaterThan(0)
    const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } })
    await page.goto(`${base}/login`)
    await page.fill('input[name=token]', t.tokens.economy)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/programme/)
    await page.goto(`${base}/programme/project?id=${project.id}`)
    await page.click(`#ledger tr[data-disposition="${d.id}"] button.verify`)
    // 核验 leads to the record's evidence and a confirmation; nothing is verified until it is confirmed.
    await page.waitForURL(/\/programme\/verify\?/)
    expect(await page.textContent('#evidence')).toContain('断电拆除验收单')
    await page.check('#f-confirm')
    await page.click('#do-verify')
    await page.waitForSelector('#message')
    await page.click('#back')
    await page.waitForURL(/\/programme\/project\?id=/)
    const today = t.store.today()
    expect(await page.textContent(`#ledger tr[data-disposition="${d.id}"] td.verified`)).toBe(today)
    // Verified today, it ends the surcharges from today: June 2025, billed before, keeps its charge.
    expect(t.services.programme.closureOf(firm)).toMatchObject({
      on: today,
      completedOn: '2025-06-01',
      dispositionId: d.id,
    })
    expect(june()).toBe(billed)
    await page.close()
  })

  it('notice: an enterprise sees its provisional result on the self-check page and files an objection there', async () => {
    const economy = principalOf(t, t.tokens.economy)
    const run = t.services.evaluations.run(economy, 2024)
    t.services.evaluations.notice(economy, run.id)
    const page = await browser.newPage({ viewport: { width: 1100, height: 1200 } })
    await page.goto(`${base}/login`)
    await page.fill('input[name=token]', t.tokens.enterprise)
    await page.click('button[type=submit]')
    await page.goto(`${base}/self-check`)
    const section = page.locator(`[data-notice-run="${run.id}"]`)
    expect(await section.textContent()).toContain('2024年度评价结果公示')
    expect(['C', 'D']).toContain(
      await section.locator('[data-provisional-class]').getAttribute('data-provisional-class'),
    )
    await page.fill('#objection textarea[name=reason]', '用地面积含出租给他人的4亩')
    await page.fill('#objection textarea[name=evidence]', '租赁合同 2023-17')
    await page.click('#objection button[type=submit]')
    // Filed, the enterprise gets its receipt; the self-check page then shows the objection open, without a form.
    await page.waitForURL(/\/my\/objection\?id=/)
    expect(await page.textContent('#receipt-state')).toBe('待处理')
    await page.goto(`${base}/self-check`)
    await page.waitForSelector('[data-objection-status="open"]')
    expect(await page.locator('#objection').count()).toBe(0)
    await page.screenshot({ path: `${ARTIFACTS}notice-objection.png`, fullPage: true })
    const filed = t.store.listObjections({ runId: run.id })
    expect(filed).toMatchObject([
      { creditCode: t.tokens.creditCode, status: 'open', reason: '用地面积含出租给他人的4亩' },
    ])
    await page.close()
  })
})
