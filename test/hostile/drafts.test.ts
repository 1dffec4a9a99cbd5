// Issue "Hostile input, second round", row "county override texts on the request thread": four county drafts of
// 3,000 surcharge items took 3.0–5.7 s each to propose on the request thread, tier lookups waited as long, every
// later override change cost the next request a 3.1 s recompile, drafts were unlimited, and /overview took 6 s after
// each change. Against a real server on a database file (the texts allowed up to 500 KB here, as the issue sent).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { draftOverride, largeOverride } from '../support/overrides.ts'
import { api, type Server, startServer, stopAll, timedTier } from '../support/server.ts'
import { tempDir } from '../support/tmp.ts'

let s: Server
let tokens: DemoTokens
beforeAll(async () => {
  const dir = tempDir('drafts')
  s = await startServer({
    DB_PATH: join(dir, 'm.db'),
    DEMO_SIZE: '300',
    MAX_OVERRIDE_BYTES: '500000',
  })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 120_000)
afterAll(stopAll)

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length * 0.99) - 1]

/** Tier lookups, `loops` at a time, until `until` settles (or `count` each when given); their latencies in ms. */
async function tiers(loops: number, until?: Promise<unknown>, count = 50): Promise<number[]> {
  let done = false
  until?.finally(() => {
    done = true
  })
  const ms: number[] = []
  await Promise.all(
    Array.from({ length: loops }, async () => {
      for (let i = 0; until ? !done : i < count; i++) {
        const r = await timedTier(s.base, tokens, i)
        ms.push(r.ms)
        expect(r.status).toBe(200)
      }
    }),
  )
  return ms
}

const propose = (text: string) => api(s.base, 'POST', '/v1/overrides', tokens.county, { text })

describe('county override texts on the request thread', () => {
  it('four drafts of 3,000 items are checked off the request thread: tier lookups stay fast meanwhile', async () => {
    await tiers(2, undefined, 50) // warm: every date asked
    const alone = p99(await tiers(2, undefined, 100))
    const texts = [0, 1, 2, 3].map((i) => largeOverride(`cixi_big_${i}`, tokens.countyCode, 3000))
    expect(Buffer.byteLength(texts[0])).toBeGreaterThan(400_000)
    const started = performance.now()
    const proposing = Promise.all(texts.map(propose))
    const during = await tiers(2, proposing)
    const answers = await proposing
    const took = performance.now() - started
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201])
    // The proposals took seconds (compiling 470 KB of YAML each); the lookups answered meanwhile stayed fast. Before,
    // the request thread compiled: the lookups waited 3–6 s.
    expect(took).toBeGreaterThan(1000)
    expect(during.length).toBeGreaterThan(20)
    // A ratio to the lookups alone (this box is shared and noisy), capped far below the old seconds.
    expect(p99(during)).toBeLessThan(Math.min(1000, Math.max(250, 5 * alone)))
  }, 180_000)

  it('a later override change costs no request a recompile, and /overview answers in bounded time', async () => {
    // A small change after the large drafts: the next lookup is not slowed (before: a 3.1 s recompile of all drafts).
    const small = await propose(draftOverride('cixi_small_0', tokens.countyCode, '2031-01-01'))
    expect(small.status).toBe(201)
    const t = performance.now()
    expect(
      (
        await api(
          s.base,
          'GET',
          `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01`,
          tokens.utility,
        )
      ).status,
    ).toBe(200)
    expect(performance.now() - t).toBeLessThan(250)
    // The overview waits a bounded time for the previews of the pending overrides (each re-rates the county off
    // the request thread); tier lookups meanwhile stay fast. Before: 6 s, the lookups stalled with it.
    const login = await fetch(`${s.base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: s.base },
      body: new URLSearchParams({ token: tokens.bureau }).toString(),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
    expect(cookie).not.toBe('')
    const started = performance.now()
    const overview = fetch(`${s.base}/overview?lang=en`, { headers: { cookie } })
    const during = await tiers(2, overview)
    const page = await overview
    expect(page.status).toBe(200)
    expect(performance.now() - started).toBeLessThan(4000)
    const html = await page.text()
    for (const id of ['cixi_big_0', 'cixi_big_3', 'cixi_small_0']) expect(html).toContain(id)
    expect(p99(during)).toBeLessThan(250)
  }, 120_000)

  it('a county keeps at most MAX_OPEN_OVERRIDES (20) awaiting a decision: one more is refused DRAFT_LIMIT', async () => {
    const open = (await api(s.base, 'GET', '/v1/overrides', tokens.county)).body.overrides.filter(
      (o: { status: string }) => ['draft', 'submitted'].includes(o.status),
    ).length
    for (let i = open; i < 20; i++)
      expect(
        (await propose(draftOverride(`cixi_many_${i}`, tokens.countyCode, '2031-01-01'))).status,
      ).toBe(201)
    const refused = await propose(draftOverride('cixi_many_20', tokens.countyCode, '2031-01-01'))
    expect(refused.status).toBe(409)
    expect(refused.body).toMatchObject({ code: 'DRAFT_LIMIT', details: { limit: 20, open: 20 } })
    expect((await api(s.base, 'GET', '/v1/overrides/cixi_many_20', tokens.bureau)).status).toBe(404)
    // Withdrawing one frees its place.
    const w = await api(s.base, 'POST', '/v1/overrides/cixi_big_0/withdraw', tokens.county, {
      reason: 'too large',
    })
    expect(w.status).toBe(200)
    expect(
      (await propose(draftOverride('cixi_many_20', tokens.countyCode, '2031-01-01'))).status,
    ).toBe(201)
  }, 120_000)

  it('a text over MAX_OVERRIDE_BYTES is refused OVERRIDE_TOO_LARGE with the limit, before it is read', async () => {
    const text = largeOverride('cixi_huge', tokens.countyCode, 3300)
    expect(Buffer.byteLength(text)).toBeGreaterThan(500_000)
    const t = performance.now()
    const r = await propose(text)
    expect(performance.now() - t).toBeLessThan(500)
    expect(r.status).toBe(413)
    expect(r.body).toMatchObject({
      code: 'OVERRIDE_TOO_LARGE',
      details: { limit: 500_000, size: Buffer.byteLength(text) },
    })
    expect((await api(s.base, 'GET', '/v1/overrides/huge', tokens.bureau)).status).toBe(404)
  })
})
