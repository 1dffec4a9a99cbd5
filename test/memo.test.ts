import { describe, expect, it } from 'vitest'
import { Derived, getOrMake, getOrMakeBounded } from '../src/rulebook/derived.ts'
import { loadRulebook } from '../src/rulebook/load.ts'

describe('derived data of a rulebook', () => {
  it('makes a value once, including falsy ones such as 0', () => {
    const table = new WeakMap<object, number>()
    const key = {}
    let made = 0
    const make = () => made++
    expect(getOrMake(table, key, make)).toBe(0)
    expect(getOrMake(table, key, make)).toBe(0)
    expect(made).toBe(1)
  })

  it('starts over once a bounded table passes its limit', () => {
    const memo = new Map<number, string>()
    for (let i = 0; i < 4; i++) getOrMakeBounded(memo, i, String, 3)
    expect([...memo.keys()]).toEqual([0, 1, 2, 3])
    // The fifth distinct key finds 4 > 3 entries: the table is emptied and keeps only the new one.
    expect(getOrMakeBounded(memo, 4, String, 3)).toBe('4')
    expect([...memo.keys()]).toEqual([4])
  })

  it('makes each part once per rulebook, and one rulebook never sees another one’s', () => {
    let made = 0
    const kind = { name: 'test', make: () => ({ n: made++ }) }
    const a = new Derived()
    const b = new Derived()
    expect(a.of(kind)).toBe(a.of(kind))
    expect(b.of(kind)).not.toBe(a.of(kind))
    expect(made).toBe(2)
  })

  it('is carried by every compiled rulebook, outside its value', () => {
    const dir = new URL('../rules/ningbo', import.meta.url).pathname
    const one = loadRulebook(dir)
    const two = loadRulebook(dir)
    expect(one.derived).toBeInstanceOf(Derived)
    expect(one.derived).not.toBe(two.derived)
    expect(Object.keys(one)).not.toContain('derived')
  })
})
