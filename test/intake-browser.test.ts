/**
 * Figures by department in a real browser: the economy office publishes the land areas, a firm disputes its land
 * area on its sheet (a bad value is refused beside the field, what was typed kept), the economy office resolves it,
 * and the firm sees the decision; in Chinese and in English.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toCsv } from '../src/enterprise/csv.ts'
import { principalOf } from './support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from './support/browser.ts'

const YEAR = 2025

describe.skipIf(!browserAvailable)('figures by department in a real browser', () => {
  let s: Served
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 60, clockStart: '2026-03-01T02:00:00Z' })
    // Every department but the power company submits the 2024 figures as 2025's; the power company uploads its own.
    const rb = s.t.services.rulebooks.active().rulebook
    const population = s.t.store.population(2024)
    const economy = principalOf(s.t, s.t.tokens.economy)
    for (const d of s.t.services.intake.departments()) {
      if (d.id === 'power_supply') continue
      const csv = toCsv(
        ['统一社会信用代码', ...d.inputs.map((i) => rb.inputById.get(i.id)!.label)],
        population.map((e) => [e.creditCode, ...d.inputs.map((i) => e.figures[i.id] ?? '')]),
      )
      s.t.services.intake.submitCsv(economy, d.id, YEAR, new TextEncoder().encode(csv))
    }
  }, 60_000)
  afterAll(async () => {
    await s?.close()
  })

  it('a department uploads its column and sees who lacks which figure', async () => {
    const page = await loggedIn(s, s.t.tokens.department)
    await page.goto(`${s.base}/figures?year=${YEAR}&lang=zh`)
    expect(await page.textContent('#completeness')).toContain('慈溪市')
    const csv = `统一社会信用代码,年用电量\n${s.t.tokens.creditCode},123456\n`
    await page.setInputFiles('#f-file', {
      name: 'kwh.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    })
    await Promise.all([page.waitForNavigation(), page.click('#submit-figures button[type=submit]')])
    expect(await page.textContent('#flash')).toContain('新版本 1 个')
    await shot(page, 'figures-department-zh')
    await page.goto(`${s.base}/figures?year=${YEAR}&lang=en`)
    expect(await page.textContent('h1')).toBe('Figures by department')
    await shot(page, 'figures-department-en')
  })

  it('land areas published, a firm disputes its land area, the economy office resolves it', async () => {
    const economy = await loggedIn(s, s.t.tokens.economy)
    await economy.goto(`${s.base}/figures?year=${YEAR}&lang=zh`)
    await Promise.all([economy.waitForNavigation(), economy.click('#land button[type=submit]')])
    expect(await economy.textContent('#land')).toContain('异议期至')
    await shot(economy, 'figures-economy-zh')

    const firm = await loggedIn(s, s.t.tokens.enterprise)
    await firm.goto(`${s.base}/my?lang=zh`)
    await Promise.all([firm.waitForNavigation(), firm.click('#sheet-link')])
    await firm.goto(`${s.base}/my/sheet?year=${YEAR}&lang=zh`)
    expect(await firm.textContent('#sheet')).toContain('用地面积')
    expect(await firm.textContent('#sheet')).toContain('市自然资源和规划局')
    await firm.selectOption('#f-input', 'land_mu')
    await firm.fill('#f-claimed', '十亩')
    await firm.fill('#f-reason', '不动产权证记载面积与公示不符')
    await Promise.all([firm.waitForNavigation(), firm.click('#dispute button[type=submit]')])
    expect(await firm.textContent('#f-claimed-err')).toBeTruthy()
    expect(await firm.inputValue('#f-reason')).toBe('不动产权证记载面积与公示不符')
    await firm.fill('#f-claimed', '12.5')
    await Promise.all([firm.waitForNavigation(), firm.click('#dispute button[type=submit]')])
    expect(await firm.textContent('#flash')).toContain('异议已提交')
    expect(await firm.textContent('#sheet-facts')).toContain('有异议待处理')
    await shot(firm, 'figures-sheet-zh')
    await firm.goto(`${s.base}/my/sheet?year=${YEAR}&lang=en`)
    expect(await firm.textContent('#sheet-facts')).toContain('disputed')
    await shot(firm, 'figures-sheet-en')

    await economy.goto(`${s.base}/figures/disputes?year=${YEAR}&lang=zh`)
    expect(await economy.textContent('#disputes')).toContain('12.5')
    await economy.fill('#disputes #f-reason', '经核实不动产权证')
    await Promise.all([economy.waitForNavigation(), economy.click('#disputes button[type=submit]')])
    expect(await economy.textContent('#flash')).toContain('异议已处理')
    await shot(economy, 'figures-disputes-zh')
    await economy.goto(`${s.base}/figures/disputes?year=${YEAR}&lang=en`)
    expect(await economy.textContent('#disputes')).toContain('upheld')
    await shot(economy, 'figures-disputes-en')

    await firm.goto(`${s.base}/my/sheet?year=${YEAR}&lang=zh`)
    expect(await firm.textContent('#my-disputes')).toContain('已采纳')
    expect(await firm.textContent('#sheet')).toContain('12.5')
  })
})
