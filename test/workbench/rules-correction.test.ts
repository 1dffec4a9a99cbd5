/**
 * A correction of the past through the pages: the bureau changes the D-class electricity rate from a day before
 * today. Without a reason it is refused; with one, the preview reaches back to that day, the confirmation names it a
 * correction, and the bill of a month already past changes only then. Checked through the JSON API: the quote of
 * that month, and the audit entry recorded as a correction with its reason and document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'

const D_CELL = 'class_electricity|rates[class=D][minConsecutiveYears=].rate'
const DOC = '甬发改价格〔2026〕1号'
const REASON = '原文件误将 D 类加价写为 0.30 元，应为 0.40 元'

describe.skipIf(!browserAvailable)('a correction of the past in the browser', () => {
  let s: Served
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 300 })
  }, 120_000)
  afterAll(async () => s?.close())

  it('is refused without a reason; with one it is previewed back to its day, confirmed as a correction, and re-prices that month', async () => {
    const { t, base } = s
    const page = await loggedIn(s, t.tokens.bureau)
    await page.goto(`${base}/rules/change?lang=zh`)
    await page.selectOption('#f-cell', D_CELL)
    await page.fill('#f-value', '0.40')
    await page.fill('#f-from', '2025-09-01')
    await page.fill('#f-document', DOC)
    await page.click('#preview-button')
    await page.waitForSelector('#refusal')
    expect(await page.textContent('#refusal')).toContain('更正理由')

    await page.fill('#f-correction', REASON)
    await page.click('#preview-button')
    await page.waitForSelector('#preview-result', { timeout: 60_000 })
    const notice = (await page.textContent('#correction-notice'))!
    expect(notice).toContain('此项为更正')
    expect(notice).toContain('2025-09-01')
    expect(notice).toContain(REASON)
    const csv = await (
      await page.request.get(
        new URL((await page.getAttribute('#preview-csv', 'href'))!, base).toString(),
      )
    ).text()
    const firm = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .slice(1)
      .map((l) => l.split(','))
      .find((f) => f[2] === 'D' && f[4] === '电')
    expect(firm, 'a D-class firm whose electricity changes').toBeDefined()
    const quoteSep2025 = async () => {
      const res = await call(t.app, 'POST', '/v1/quotes', {
        token: t.tokens.utility,
        body: {
          creditCode: firm![0],
          resource: 'electricity',
          quantity: '10000',
          from: '2025-09-01',
          to: '2025-10-01',
        },
      })
      const q = (await res.json()) as {
        lines: { rate: string; scheduleId: string; amount: string }[]
      }
      expect(res.status, JSON.stringify(q)).toBe(200)
      return q.lines
        .filter((l) => l.scheduleId === 'class_electricity')
        .map((l) => [l.rate, l.amount])
    }
    // Before the correction the month was billed at 0.30: 10,000 kWh × 0.30 = 3,000.00.
    expect(await quoteSep2025()).toEqual([['0.3', '3000.00']])
    await shot(page, 'wb-rules-correction-preview-zh')

    await page.check('#confirm')
    await page.click('#confirm-button')
    await page.waitForSelector('#change-made')
    // After it: 10,000 kWh × 0.40 = 4,000.00.
    expect(await quoteSep2025()).toEqual([['0.4', '4000.00']])
    const audit = (await (
      await call(t.app, 'GET', '/v1/audit?limit=5', { token: t.tokens.bureau })
    ).json()) as unknown
    const text = JSON.stringify(audit)
    expect(text).toContain(REASON)
    expect(text).toContain(DOC)
    expect(text).toContain('correction')
    await page.context().close()
  }, 180_000)
})
