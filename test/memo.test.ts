import { describe, expect, it } from 'vitest'
import { memoized, remember } from '../src/memo.ts'

describe('memo tables', () => {
  it('makes a value once, including falsy ones such as 0', () => {
    const table = new WeakMap<object, number>()
    const key = {}
    let made = 0
    const make = () => made++
    expect(memoized(table, key, make)).toBe(0)
    expect(memoized(table, key, make)).toBe(0)
    expect(made).toBe(1)
  })

  it('starts over once a bounded memo passes its limit', () => {
    const memo = new Map<number, string>()
    for (let i = 0; i < 4; i++) remember(memo, i, String, 3)
    expect([...memo.keys()]).toEqual([0, 1, 2, 3])
    // The fifth distinct key finds 4 > 3 entries: the memo is emptied and keeps only the new one.
    expect(remember(memo, 4, String, 3)).toBe('4')
    expect([...memo.keys()]).toEqual([4])
  })
})
