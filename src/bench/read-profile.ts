/**
 * Where the evaluation's read goes: the population query stepped alone (rows as arrays), then with each firm's
 * figures parsed, then store.population() itself. Usage: node --import tsx src/bench/read-profile.ts DIR YEAR
 * @module bench/read-profile
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createDb } from '../db/client.ts'
import { POPULATION_PAGE, POPULATION_PAGE_SQL } from '../db/enterprise-store.ts'
import { Store } from '../db/store.ts'

const [dir, yearText] = process.argv.slice(2)
const year = Number(yearText)
const path = join(dir, 'm.db')
const db = new Database(path, { readonly: true })
// The population's own query, stepped as it steps it.
const page = db.prepare(POPULATION_PAGE_SQL).raw()
const time = (label: string, f: () => number) => {
  const t0 = performance.now()
  const n = f()
  console.log(
    `${label.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(2)} s  (${n.toLocaleString('en')})`,
  )
}
const walk = (each: (r: unknown[]) => void) => {
  let after = ''
  let n = 0
  for (;;) {
    const rows = page.all(year, after) as unknown[][]
    for (const r of rows) each(r)
    n += rows.length
    if (rows.length < POPULATION_PAGE) return n
    after = rows[rows.length - 1][0] as string
  }
}
const store = new Store(createDb(path))
for (let round = 1; round <= 2; round++) {
  time('step the query', () => walk(() => {}))
  time(
    'figures table alone, in one call',
    () =>
      (
        db
          .prepare('SELECT credit_code, data, version FROM figures WHERE year = ?')
          .raw()
          .all(year) as unknown[]
      ).length,
  )
  // The parsed figures are kept, as the read keeps them: the collector's work is part of the cost.
  let keep: unknown[] = []
  time('step and JSON.parse', () => walk((r) => keep.push(JSON.parse(r[4] as string))))
  keep = []
  time('store.population()', () => store.population(year).length)
}
