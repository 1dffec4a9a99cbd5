import { describe, expect, it } from 'vitest'
import { RevisionCache } from '../src/app/cache.ts'

describe('RevisionCache', () => {
  it('stays within its entry and byte limits however many keys pass through it; the newest are kept', () => {
    const cache = new RevisionCache(() => 1, { entries: 100, bytes: 1_000_000 })
    for (let i = 0; i < 10_000; i++)
      cache.get(
        `k${i}`,
        () => i,
        () => 100,
      )
    expect(cache.stats().entries).toBeLessThanOrEqual(100)
    expect(cache.stats().bytes).toBeLessThanOrEqual(1_000_000)
    for (let i = 9_950; i < 10_000; i++) expect(cache.peek(`k${i}`)).toBe(i)
    expect(cache.peek('k0')).toBeUndefined()
    const small = new RevisionCache(() => 1, { entries: 1_000, bytes: 20_000 })
    for (let i = 0; i < 1_000; i++)
      small.get(
        `k${i}`,
        () => i,
        () => 500,
      )
    expect(small.stats().bytes).toBeLessThanOrEqual(20_000)
  })

  it('an entry used again outlives the turnover of the entries around it', () => {
    const cache = new RevisionCache(() => 1, { entries: 10, bytes: 1_000_000 })
    cache.get('kept', () => 'v')
    for (let i = 0; i < 100; i++) {
      cache.get(`k${i}`, () => i)
      expect(cache.get('kept', () => 'made again')).toBe('v')
    }
  })

  it('a new revision empties it', () => {
    let rev = 1
    const cache = new RevisionCache(() => rev)
    cache.get('a', () => 1)
    rev = 2
    expect(cache.peek('a')).toBeUndefined()
    expect(cache.get('a', () => 2)).toBe(2)
  })
})

describe('what moves the cache', () => {
  it("a county's draft leaves the cached tiers in place; a filing drops them (a draft changes no price)", async () => {
    const { createTestApp, call } = await import('./support/app.ts')
    const { draftOverride } = await import('./support/overrides.ts')
    const t = createTestApp({ size: 60 })
    const tier = () =>
      call(t.app, 'GET', `/v1/enterprises/${t.tokens.creditCode}/tier?date=2025-03-01`, {
        token: t.tokens.utility,
      })
    expect((await tier()).status).toBe(200)
    const warm = t.services.cache.stats().entries
    expect(warm).toBeGreaterThan(0)
    const before = t.store.cachedRevision
    const text = draftOverride('cixi_cache_draft', '330282', '2031-01-01')
    expect(
      (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } }))
        .status,
    ).toBe(201)
    const submitted = await call(t.app, 'POST', '/v1/overrides/cixi_cache_draft/submit', {
      token: t.tokens.county,
      body: {},
    })
    expect(submitted.status).toBe(200)
    expect((await tier()).status).toBe(200)
    // Nothing dropped: the entries before (the county token's principal came in beside them).
    expect(t.store.cachedRevision).toBe(before)
    expect(t.services.cache.stats().entries).toBeGreaterThanOrEqual(warm)
    const revision = t.store.cachedRevision
    for (const [step, body] of [
      ['approve', { ref: '甬发改价格〔2030〕1号' }],
      ['file', { ref: '浙发改价格备〔2030〕1号' }],
    ] as const) {
      const r = await call(t.app, 'POST', `/v1/overrides/cixi_cache_draft/${step}`, {
        token: t.tokens.bureau,
        body,
      })
      expect(r.status).toBe(200)
    }
    // Approving changes no price either; filing does.
    expect(t.store.cachedRevision).toBe(revision + 1)
  })
})
