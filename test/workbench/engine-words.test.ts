/**
 * The pricing engine explains charges and notes in English (the API's words). The pages rewrite each in Chinese:
 * every reason and note the demo population produces over three dates must be rewritten, not shown raw.
 */
import { describe, expect, it } from 'vitest'
import { EngineWords } from '../../src/web/kit/engine-words.tsx'
import { call, createTestApp } from '../support/app.ts'

describe('engine explanations in Chinese', () => {
  it('every reason and note of the demo, on four dates, reads in Chinese (English only inside code)', async () => {
    const t = createTestApp({ size: 300 })
    const list = (await (
      await call(t.app, 'GET', '/v1/enterprises?limit=300', { token: t.tokens.bureau })
    ).json()) as { rows: { creditCode: string }[] }
    const firms = list.rows.map((f) => f.creditCode)
    expect(firms.length).toBeGreaterThan(100)
    const texts = new Set<string>()
    for (const code of firms)
      for (const date of ['2024-06-01', '2025-03-01', '2026-01-01', '2027-02-01']) {
        const res = await call(t.app, 'GET', `/v1/enterprises/${code}/tier?date=${date}`, {
          token: t.tokens.utility,
        })
        if (res.status !== 200) continue
        const tier = (await res.json()) as {
          notes: string[]
          rates: { schedules: { reason: string }[] }[]
        }
        for (const n of tier.notes) texts.add(n)
        for (const r of tier.rates) for (const s of r.schedules) texts.add(s.reason)
      }
    expect(texts.size).toBeGreaterThan(3)
    const raw: string[] = []
    for (const text of texts) {
      const html = String(EngineWords({ lang: 'zh', text }))
      // Outside <code>, no English word.
      const outside = html.replace(/<code>.*?<\/code>/g, '').replace(/<[^>]+>/g, '')
      if (!html.includes('class="engine"') || /[A-Za-z]{2,}/.test(outside)) raw.push(text)
    }
    expect(raw).toEqual([])
  }, 120_000)
})
