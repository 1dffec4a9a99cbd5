/**
 * Every page of both languages, walked in a real browser as each role: from the nav, every same-site link is
 * followed (two steps deep). A Chinese page shows no English word outside code, units and bureau-written data; an
 * English page shows no Chinese outside bureau-written data (marked lang="zh-CN") and no raw identifier.
 */
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { browserAvailable, loggedIn, type Served, serveWithBrowser } from '../support/browser.ts'

/** Latin words a Chinese page may show: units, file formats and the switch to English. */
const ZH_ALLOWED = new Set([
  'kWh',
  'm³',
  'CSV',
  'English',
  'GB',
  'T',
  'ID',
  'API',
  'tce',
  'YAML',
  'NDJSON',
])

/** What the page shows a reader that the check applies to: text outside code, scripts, styles and data. */
async function readerText(page: Page, lang: 'zh' | 'en'): Promise<string[]> {
  return page.evaluate((lang) => {
    const skip =
      lang === 'zh'
        ? 'code,pre,textarea,script,style,.data'
        : 'code,pre,textarea,script,style,[lang="zh-CN"]:not(html)'
    const out: string[] = []
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement
      if (!el || el.closest(skip)) continue
      const text = n.textContent?.trim()
      if (text) out.push(text)
    }
    for (const el of document.querySelectorAll<HTMLInputElement>(
      'input[placeholder],textarea[placeholder]',
    ))
      if (!el.closest(skip)) out.push(el.placeholder)
    for (const el of document.querySelectorAll<HTMLInputElement>(
      'input[type=submit],input[type=button]',
    ))
      if (!el.closest(skip)) out.push(el.value)
    // Code is for identifiers, file names and rule text; an English sentence set as code is still English.
    if (lang === 'zh')
      for (const el of document.querySelectorAll('code'))
        if (
          /[A-Za-z]{2,}\s+[A-Za-z]{2,}\s+[A-Za-z]{2,}/.test(el.textContent ?? '') &&
          !el.closest('pre,textarea')
        )
          out.push(`(code) ${el.textContent}`)
    return out
  }, lang)
}

function problemsOf(texts: string[], lang: 'zh' | 'en'): string[] {
  const found: string[] = []
  for (const raw of texts) {
    // Unified social credit codes (18 characters) are identifiers of firms, the same in both languages.
    const text = raw.replace(/\b[0-9A-Z]{18}\b/g, '')
    // Times in Beijing time, not as stored (UTC, ISO with T and Z); numbers of 10,000 or more with 千分位.
    if (/\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text))
      found.push(`an ISO/UTC time in "${text.slice(0, 80)}"`)
    for (const n of text.match(
      /(?<![\d,.\-#])\d{5,}(?:\.\d+)?(?=\s*(?:元|家|吨|亩|人|千瓦时|立方米|kWh|m³))/g,
    ) ?? [])
      found.push(`"${n}" without separators in "${text.slice(0, 80)}"`)
    if (lang === 'zh') {
      for (const word of text.match(/[A-Za-z][A-Za-z_]+/g) ?? [])
        if (!ZH_ALLOWED.has(word)) found.push(`English "${word}" in "${text.slice(0, 80)}"`)
    } else {
      if (/[\u4e00-\u9fff]/.test(text) && text !== '中文')
        found.push(`Chinese in "${text.slice(0, 80)}"`)
      for (const id of text.match(/\b[a-z]+(?:_[a-z0-9]+)+\b/g) ?? [])
        found.push(`raw id "${id}" in "${text.slice(0, 80)}"`)
    }
  }
  return found
}

const ROLES: (keyof DemoTokens)[] = [
  'bureau',
  'economy',
  'county',
  'enterprise',
  'observer',
  'utility',
  'department',
]

// The walks only read pages, each in a browser context of its own: three run at once (the page is rendered in this
// process while the browser lays out another).
describe
  .skipIf(!browserAvailable)
  .concurrent('both languages on every page, for every role', () => {
    let s: Served
    beforeAll(async () => {
      s = await serveWithBrowser({ size: 300 })
    }, 120_000)
    afterAll(async () => s?.close())

    for (const lang of ['zh', 'en'] as const)
      for (const role of ['anonymous', ...ROLES] as const)
        it(`${role}, ${lang === 'zh' ? 'Chinese' : 'English'}`, async ({ expect }) => {
          const page =
            role === 'anonymous'
              ? await (await s.browser.newContext()).newPage()
              : await loggedIn(s, s.t.tokens[role] as string, lang)
          const seen = new Set<string>()
          const kinds = new Map<string, number>()
          const queue: [string, number][] = [[`/self-check?lang=${lang}`, 0]]
          await page.goto(`${s.base}/self-check?lang=${lang}`)
          for (const href of await page.$$eval('header nav a', (as) =>
            as.map((a) => a.getAttribute('href') ?? ''),
          ))
            queue.push([href, 0])
          const problems: string[] = []
          while (queue.length > 0 && seen.size < 40) {
            const [href, depth] = queue.shift()!
            const url = new URL(href, s.base)
            if (url.origin !== s.base || /\.(csv|json|ndjson|ya?ml|png)$/.test(url.pathname))
              continue
            if (url.pathname === '/logout' || url.pathname === '/login') continue
            url.searchParams.set('lang', lang)
            const key = url.pathname + url.search
            if (seen.has(key)) continue
            // Pages of one kind (the same path and query keys: forty projects) are one template: three of each do.
            const kind = `${url.pathname}?${[...url.searchParams.keys()].sort().join('&')}`
            const ofKind = kinds.get(kind) ?? 0
            if (ofKind >= 3) continue
            kinds.set(kind, ofKind + 1)
            seen.add(key)
            const res = await page.goto(url.toString())
            // A page the nav offers opens for the role (the nav offered pages a role got 403 on).
            if (!res || res.status() >= 500 || (depth === 0 && res.status() !== 200)) {
              problems.push(`${key}: ${res?.status()}`)
              continue
            }
            for (const p of problemsOf(await readerText(page, lang), lang))
              problems.push(`${key}: ${p}`)
            if (depth < 2)
              for (const next of await page.$$eval('main a[href]', (as) =>
                as.map((a) => a.getAttribute('href') ?? ''),
              ))
                queue.push([next, depth + 1])
          }
          expect(seen.size).toBeGreaterThan(0)
          expect([...new Set(problems)]).toEqual([])
          await page.context().close()
        }, 120_000)
  })
