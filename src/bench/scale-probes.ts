/**
 * `node --import tsx src/bench/scale-probes.ts DIR`: the measurements behind the README's account of where
 * bench:scale's time goes, over a folder that `npm run bench:scale -- --keep` left (its database, evaluated):
 * stepping through a year's population and parsing its figures; a point lookup against a range read per firm; a
 * bare insert of a million compact result rows; one bill in-process, its firm not yet cached.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { createServices } from '../app/services.ts'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'
import { createApp } from '../mount.ts'

const dir = process.argv[2]
const print = (s: string) => process.stdout.write(`${s}\n`)
const db = new Database(join(dir, 'm.db'), { readonly: true })
db.pragma('cache_size = -65536')
const population = `SELECT e.credit_code, e.name, e.county, e.industry_code, f.data, f.version
  FROM figures f JOIN enterprises e ON e.credit_code = f.credit_code WHERE f.year = 2024 ORDER BY f.credit_code`
let t = performance.now()
const rows: unknown[][] = []
for (const r of db.prepare(population).raw().iterate() as Iterable<unknown[]>) rows.push(r)
const stepMs = performance.now() - t
t = performance.now()
for (const r of rows) JSON.parse(r[4] as string)
print(
  `population of 2024: ${rows.length} rows stepped in ${(stepMs / 1000).toFixed(2)} s; figures parsed in ${((performance.now() - t) / 1000).toFixed(2)} s`,
)
const codes = rows.slice(0, 200_000).map((r) => r[0] as string)
rows.length = 0
const point = db.prepare(
  'SELECT credit_code, name, county, industry_code, version, updated_at, updated_by FROM enterprises WHERE credit_code = ?',
)
t = performance.now()
for (let i = 0; i < 40_000; i++) point.get(codes[100_000 + i])
const pointUs = ((performance.now() - t) * 1000) / 40_000
const range = db
  .prepare(
    'SELECT credit_code, name, county, industry_code FROM enterprises WHERE credit_code IN (SELECT value FROM json_each(?))',
  )
  .raw()
t = performance.now()
for (let i = 0; i < 40; i++)
  range.all(JSON.stringify(codes.slice(140_000 + i * 1000, 141_000 + i * 1000)))
print(
  `an enterprise row: ${pointUs.toFixed(2)} µs by point lookup, ${(((performance.now() - t) * 1000) / 40_000).toFixed(2)} µs a firm read 1,000 at a time`,
)
db.close()

// The floor of storing a run: a million compact rows (constant values) by a bare prepared INSERT.
const scratch = join(dir, 'insert-probe.db')
rmSync(scratch, { force: true })
const w = new Database(scratch)
w.pragma('journal_mode = WAL')
w.pragma('synchronous = NORMAL')
w.pragma('cache_size = -65536')
w.exec(`CREATE TABLE r (run_id INTEGER NOT NULL, credit_code TEXT NOT NULL, county TEXT NOT NULL, name TEXT NOT NULL,
  industry_code TEXT NOT NULL, sector TEXT NOT NULL, figures_version INTEGER, status TEXT NOT NULL, group_id TEXT,
  score REAL, rank INTEGER, group_size INTEGER, initial_class TEXT, class TEXT, category TEXT, points BLOB,
  PRIMARY KEY (run_id, credit_code)) WITHOUT ROWID`)
const insert = w.prepare('INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
const points = Buffer.alloc(48, 1)
t = performance.now()
w.transaction(() => {
  for (let i = 0; i < 1_000_000; i++)
    insert.run(
      3,
      `91330200MA${String(i).padStart(8, '0')}`,
      '330203',
      '宁波某某机械制造有限公司',
      '3391',
      'general',
      1,
      'rated',
      'above_scale',
      87.1234,
      i % 5000,
      5000,
      'B',
      'B',
      null,
      points,
    )
})()
print(
  `a bare insert of 1,000,000 compact result rows: ${((performance.now() - t) / 1000).toFixed(2)} s`,
)
w.close()
rmSync(scratch, { force: true })

// One bill in-process (POST /v1/bills through the app object), 50,000 firms not yet cached.
const store = new Store(createDb(join(dir, 'm.db')))
const services = createServices(store)
const token = store.createToken('utility', '', 'probe', { by: 'probe' }).token
const app = createApp({ store, services, log: () => {} })
const body = codes
  .slice(0, 50_000)
  .map((c) =>
    JSON.stringify({
      creditCode: c,
      resource: 'electricity',
      quantity: '12000',
      from: '2025-10-01',
      to: '2025-11-01',
    }),
  )
  .join('\n')
t = performance.now()
const res = await app.request('/v1/bills', {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
  body,
})
const n = (await res.text()).split('\n').length - 1
print(
  `a bill in-process, its firm not cached: ${(((performance.now() - t) * 1000) / n).toFixed(1)} µs (${n} bills)`,
)
