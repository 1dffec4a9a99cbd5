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
