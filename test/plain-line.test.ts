/**
 * A billing run reads the plain bill's lines without JSON.parse (http/routes/bills plainLine): what it reads must be
 * what JSON.parse reads, and every other line must be left to JSON.parse.
 */
import { expect, it } from 'vitest'
import { plainLine } from '../src/http/routes/bills.ts'

const plain = {
  creditCode: '91330203MA2000001C',
  resource: 'electricity',
  quantity: '12000.5',
  from: '2025-10-01',
  to: '2025-11-01',
}

it('reads a plain bill in any order of its members as JSON.parse does, members in the same order', () => {
  type Key = keyof typeof plain
  const keys = Object.keys(plain) as Key[]
  const orders: Key[][] = [
    keys,
    [...keys].reverse(),
    ['to', 'quantity', 'creditCode', 'from', 'resource'],
  ]
  for (const order of orders) {
    const line = JSON.stringify(Object.fromEntries(order.map((k) => [k, plain[k]])))
    const read = plainLine(line)
    expect(read, line).toStrictEqual(JSON.parse(line))
    expect(Object.keys(read!)).toEqual(order)
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype)
  }
  // Any character JSON leaves unescaped is read as it stands, Chinese and a lone surrogate too.
  for (const resource of ['电', 'a\u007fb', '\ud800', '']) {
    // (JSON.stringify would write the lone surrogate as an escape: put in as it stands.)
    const line = JSON.stringify(plain).replace('electricity', resource)
    expect(plainLine(line), line).toStrictEqual(JSON.parse(line))
  }
})

it.each([
  ['a number for quantity', JSON.stringify({ ...plain, quantity: 12000 })],
  ['an escape in a value', JSON.stringify({ ...plain, resource: 'elec"tricity' })],
  ['a unicode escape', JSON.stringify(plain).replace('electricity', '\\u0065lectricity')],
  ['a sixth member', JSON.stringify({ ...plain, knownAt: '2025-10-01T00:00:00Z' })],
  ['four members', JSON.stringify({ ...plain, to: undefined })],
  ['a repeated member', JSON.stringify(plain).replace('"from"', '"to"')],
  ['__proto__ for a member', JSON.stringify(plain).replace('"from"', '"__proto__"')],
  ['an unknown member', JSON.stringify(plain).replace('"from"', '"fromm"')],
  ['spaces between tokens', JSON.stringify(plain, null, 1).replace(/\n/g, '')],
  ['something after the object', `${JSON.stringify(plain)}x`],
  ['an array', `[${JSON.stringify(plain)}]`],
  ['two objects', `${JSON.stringify(plain)},${JSON.stringify(plain)}`],
  ['a broken line', JSON.stringify(plain).slice(0, -3)],
])('leaves %s to JSON.parse', (_, line) => {
  expect(plainLine(line)).toBeUndefined()
})
