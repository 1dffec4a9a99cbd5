/**
 * The pricing bureau keeps a designated list (名单) in the browser: it opens the demo's stainless list, takes a firm
 * off after 复查 with a date before today — refused beside the correction's field, its input kept — then again with
 * the correction's reason and document; the removal shows on the page and through the JSON API.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call } from '../support/app.ts'
import {
  browserAvailable,
  loggedIn,
  type Served,
  serveWithBrowser,
  shot,
} from '../support/browser.ts'

describe.skipIf(!browserAvailable)('the bureau records a 复查 removal in the browser', () => {
  let s: Served
  let page: Page
  beforeAll(async () => {
    s = await serveWithBrowser({ size: 400 })
    page = await loggedIn(s, s.t.tokens.bureau)
  }, 120_000)
  afterAll(async () => {
    await s?.close()
  })

  it('a backdated removal asks for its correction beside the field, then is recorded', async () => {
    await page.goto(`${s.base}/lists`)
    await Promise.all([page.waitForNavigation(), page.click('[data-list=ningbo_stainless_2011]')])
    expect(await page.textContent('#list-facts')).toContain('2012-09-30')
    const firm = await page.$eval(
      '#remove-entry select[name=creditCode] option:nth-child(2)',
      (o) => (o as HTMLOptionElement).value,
    )
    await page.selectOption('#remove-entry [name=creditCode]', firm)
    // Today is 2026-01-01 in the test clock: a removal from 2025-06-01 reaches back.
    await page.fill('#remove-entry [name=on]', '2025-06-01')
    await page.fill('#remove-entry [name=ref]', '复查〔2025〕12号')
    await Promise.all([page.waitForNavigation(), page.click('#remove-submit')])
    expect(await page.textContent('#refusal')).toBe('请按字段旁的提示更正')
    expect(await page.textContent('#remove-entry #f-correction-err')).toBe(
      '日期早于今天，属更正：请填写更正理由和依据文号',
    )
    expect(await page.inputValue('#remove-entry [name=ref]')).toBe('复查〔2025〕12号')
    expect(await page.inputValue('#remove-entry [name=on]')).toBe('2025-06-01')
    expect(await page.inputValue('#remove-entry [name=creditCode]')).toBe(firm)
    await shot(page, 'wb-lists-removal-refused')
    await page.fill('#remove-entry [name=correction]', '复查结论漏录，补录')
    await page.fill('#remove-entry [name=correctionDocument]', '甬发改价格〔2026〕3号')
    await Promise.all([page.waitForNavigation(), page.click('#remove-submit')])
    expect(await page.textContent('#done')).toBe('已移出名单，自移出之日起停止计收')
    const row = await page.textContent(`#entries tr:has([data-entry="${firm}"])`)
    expect(row).toContain('2025-06-01')
    expect(row).toContain('复查〔2025〕12号')
    await shot(page, 'wb-lists-removed')
    const res = await call(s.t.app, 'GET', '/v1/lists/ningbo_stainless_2011', {
      token: s.t.tokens.utility,
    })
    const list = (await res.json()) as {
      entries: { creditCode: string; removedOn: string | null; removedCorrection: string | null }[]
    }
    expect(list.entries.find((e) => e.creditCode === firm)).toMatchObject({
      removedOn: '2025-06-01',
      removedCorrection: '复查结论漏录，补录 (甬发改价格〔2026〕3号)',
    })
  }, 60_000)
})
