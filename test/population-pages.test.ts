/**
 * The population is read in pages of firms by credit code: across pages, every firm once, in order, and every page
 * from one state of the database, whatever another connection commits between two pages.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
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

it('reads every page from one state of the database: a commit made between two pages is not half seen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mujun-pages-'))
  try {
    const path = join(dir, 'm.db')
    const t = createTestApp({ size: 5_300, path })
    const other = new Database(path)
    other.pragma('busy_timeout = 5000')
    const versions = new Set<number>()
    let commits = 0
    const population = t.store.population(2024, () => {
      // Another connection (an import in another process, say) revises every firm's figures at once.
      other.prepare('UPDATE figures SET version = version + 1 WHERE year = 2024').run()
      commits++
    })
    expect(commits).toBeGreaterThan(0)
    for (const e of population) versions.add(e.figuresVersion ?? -1)
    // All firms as they stood before the commit (one version), not the first page before and the rest after.
    expect([...versions]).toHaveLength(1)
    // The commit did land: a read after it sees the new versions.
    const after = new Set(t.store.population(2024).map((e) => e.figuresVersion))
    expect([...after]).not.toEqual([...versions])
    other.close()
    t.store.db.$client.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}, 120_000)
