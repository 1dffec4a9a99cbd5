/**
 * Measures beyond price in a real browser: the self-check page lists every measure the class it gives brings (as
 * the rule file lists them for that class), in Chinese and in English; the enterprise's own page shows its
 * measures; a department token lands on its measures and downloads its list.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from './support/browser.ts'

const FILE = parse(
  readFileSync(new URL('../rules/ningbo/measures.yaml', import.meta.url), 'utf8'),
) as { measures: { id: string; from: string; values: { class: string }[] }[] }
/** The ids of the measures the file gives `cls` on `date`, in file order. */
const expectedIds = (cls: string, date: string) =>
  FILE.measures
    .filter((m) => m.from <= date && m.values.some((v) => v.class === cls))
    .map((m) => m.id)

describe.skipIf(!browserAvailable)('measures in a real browser', () => {
  let s: Served
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 150 })
  }, 60_000)
  afterAll(async () => {
    await s?.close()
  })

  it('self-check: the result lists every measure the class brings, with its department and source', async () => {
    const today = s.t.store.today()
    for (const [lang, title] of [
      ['zh', '该类别带来的资源要素差别化措施'],
      ['en', 'Measures beyond price this class brings'],
    ] as const) {
      const page = await s.browser.newPage({ viewport: { width: 1100, height: 1600 } })
      await page.goto(`${s.base}/self-check?lang=${lang}`)
      await page.selectOption('#county', '330282')
      await page.fill('#industryCode', '3411')
      // A small firm paying little tax on much land: it ranks low (C or D), where most measures bite.
      const figures = { land_mu: '40', tax: '1', electricity_kwh: '2000000', employees: '10' }
      for (const [id, v] of Object.entries(figures)) await page.fill(`#${id}`, v)
      await page.click('#submit')
      await page.waitForSelector('#result-class')
      const cls = (await page.textContent('#result-class'))!.trim().slice(0, 1)
      expect(['A', 'B', 'C', 'D', 'T']).toContain(cls)
      expect(await page.textContent('#measures h3')).toContain(title)
      const ids = await page.$$eval('#measures-table [data-measure]', (els) =>
        els.map((e) => e.getAttribute('data-measure')),
      )
      expect(ids).toEqual(expectedIds(cls, today))
      expect(ids.length).toBeGreaterThan(2)
      // Each row names its department and its source, and says when the value is assumed.
      const rows = await page.$$eval('#measures-table tbody tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
      )
      for (const r of rows) {
        expect(r[2].length).toBeGreaterThan(1)
        expect(r[3]).toMatch(lang === 'zh' ? /假定值/ : /Assumed value/)
      }
      if (cls === 'D' && lang === 'zh')
        expect(await page.textContent('[data-measure-value="orderly_power_use"]')).toContain(
          '第1序位',
        )
      await shot(page, `self-check-measures-${lang}`)
      await page.close()
    }
  })

  it('the enterprise sees its own measures on /my', async () => {
    const page = await loggedIn(s, s.t.tokens.enterprise)
    await page.goto(`${s.base}/my`)
    const ids = await page.$$eval('#firm-measures [data-measure]', (els) =>
      els.map((e) => e.getAttribute('data-measure')),
    )
    const answer = s.t.services.measures.of(
      s.t.services.tokens.principal(s.t.tokens.enterprise),
      s.t.tokens.creditCode,
      s.t.store.today(),
    )
    expect(ids).toEqual(answer.measures.map((m) => m.id))
    expect(ids.length).toBeGreaterThan(0)
    await shot(page, 'my-measures')
    // The provenance page names the same measures beside the price, in English too.
    await page.goto(`${s.base}/provenance?lang=en`)
    expect(
      await page.$$eval('#firm-measures [data-measure]', (els) =>
        els.map((e) => e.getAttribute('data-measure')),
      ),
    ).toEqual(ids)
    expect(await page.textContent('#firm-measures h3')).toContain('Measures beyond price')
    await page.context().close()
  })

  it('a department lands on its measures, opens its list and downloads it', async () => {
    const page = await loggedIn(s, s.t.tokens.department)
    expect(page.url()).toContain('/measures')
    const ids = await page.$$eval('#measure-lists [data-measure]', (els) =>
      els.map((e) => e.getAttribute('data-measure')),
    )
    expect(ids).toEqual(['orderly_power_use'])
    await Promise.all([
      page.waitForNavigation(),
      page.click('#measure-lists a[href^="/measures/list?"]'),
    ])
    const count = Number(await page.textContent('#list-count'))
    expect(count).toBeGreaterThan(0)
    expect(await page.locator('#list-firms tbody tr').count()).toBe(count)
    const href = await page.getAttribute('a[href^="/measures/list.csv"]', 'href')
    const csv = await page.request.get(`${s.base}${href}`)
    expect(csv.status()).toBe(200)
    const text = await csv.text()
    expect(text).toContain('有序用电序位')
    expect(text.trim().split('\r\n')).toHaveLength(count + 1)
    // Another department's list is refused.
    const other = await page.request.get(`${s.base}/measures/list.csv?id=land_use_tax_relief`)
    expect(other.status()).toBe(403)
    await shot(page, 'department-measures')
    await page.context().close()
  })

  it('the bureau makes a department token on /tokens, which then reads that department’s list only', async () => {
    const page = await loggedIn(s, s.t.tokens.bureau)
    await page.goto(`${s.base}/tokens`)
    await page.selectOption('#f-role', 'department')
    await page.fill('#f-label', '税务局土地使用税科')
    await Promise.all([page.waitForNavigation(), page.click('#create-token')])
    expect(await page.textContent('#create .field-error')).toContain('部门令牌须选择')
    expect(await page.inputValue('#f-label')).toBe('税务局土地使用税科')
    await page.selectOption('#f-department', 'tax')
    await Promise.all([page.waitForNavigation(), page.click('#create-token')])
    const token = (await page.textContent('#new-token'))!.trim()
    expect(await page.textContent('#token-facts')).toContain('国家税务总局宁波市税务局')
    const get = (id: string) =>
      page.request.get(`${s.base}/v1/measures/${id}/firms?date=2025-08-01`, {
        headers: { authorization: `Bearer ${token}` },
      })
    expect((await get('land_use_tax_relief')).status()).toBe(200)
    expect((await get('orderly_power_use')).status()).toBe(403)
    await page.context().close()
  })
})
