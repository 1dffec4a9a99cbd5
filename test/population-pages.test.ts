/** The population is read in pages of 5,000 firms by credit code: across pages, every firm once, in order. */
import { expect, it } from 'vitest'
import { createTestApp } from './support/app.ts'

it('reads every firm with figures for the year exactly once, in credit-code order, across pages', () => {
  const t = createTestApp({ size: 5_300 })
  const db = t.store.db.$client
  const expected = db
    .prepare(
      'SELECT f.credit_code, f.version FROM figures f JOIN enterprises e ON e.credit_code = f.credit_code WHERE f.year = 2024 ORDER BY f.credit_code',
    )
    .raw()
    .all() as [string, number][]
  expect(expected.length).toBeGreaterThan(5_000)
  const population = t.store.population(2024)
  expect(population.map((e) => [e.creditCode, e.figuresVersion])).toEqual(expected)
  const one = population[5_000]
  const row = db
    .prepare('SELECT data FROM figures WHERE year = 2024 AND credit_code = ?')
    .pluck()
    .get(one.creditCode) as string
  expect(one.figures).toEqual(JSON.parse(row))
}, 120_000)
