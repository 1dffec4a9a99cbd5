/**
 * The floor under the evaluation's store: a million rows the shape and size of evaluation results inserted in one
 * transaction into a table like evaluation_results (WAL, synchronous FULL, as the service opens its file): by SQLite
 * alone (the rows made by a recursive query: no JavaScript, no binding), then one statement a row from JavaScript
 * with two values bound (the rest in the statement), then with all 17 bound as the store does. The first is
 * SQLite's own share, the second adds a call's, the third the values'.
 * Usage: node --import tsx src/bench/store-floor.ts DIR [N]
 * @module bench/store-floor
 */
import { join } from 'node:path'
import { scratchDb } from './scratch-db.ts'

const dir = process.argv[2]
const n = Number(process.argv[3] ?? 1_000_000)
const { db, remove } = scratchDb(join(dir, 'store-floor.db'))
db.exec(`CREATE TABLE results (run_id integer NOT NULL, credit_code text NOT NULL, county text NOT NULL,
  name text NOT NULL, industry_code text NOT NULL, sector text NOT NULL, figures_version integer, status text NOT NULL,
  group_id text, score real, rank integer, group_size integer, initial_class text, class text, category text,
  points blob, legacy text, PRIMARY KEY (run_id, credit_code)) WITHOUT ROWID`)
const timed = (label: string, run: number, f: () => void) => {
  const t0 = performance.now()
  db.transaction(f).immediate()
  console.log(`${label.padEnd(34)} run ${run}: ${((performance.now() - t0) / 1000).toFixed(2)} s`)
}
const points = Buffer.alloc(96)
/** Row `i` of run `run`: the 17 values as the store binds them. */
const rowOf = (run: number, i: number) => [
  run,
  `91330200${String(i).padStart(10, '0')}`,
  '330203',
  `宁波市某某机械制造有限公司${i}`,
  'C3311',
  'stainless',
  1,
  'rated',
  'g-330203-stainless',
  87.123456,
  1234,
  5000,
  'B',
  'B',
  '{"id":"x","label":"y"}',
  points,
  null,
]
const ROWS_A_CALL = 50
const insert = db.prepare(
  'INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
)
// The same rows with only the credit code and the name bound: a call's own cost apart from its values'.
const two = (run: number) =>
  db.prepare(`INSERT INTO results VALUES (${run}, ?, '330203', ?, 'C3311', 'stainless', 1, 'rated',
    'g-330203-stainless', 87.123456, 1234, 5000, 'B', 'B', '{"id":"x","label":"y"}', zeroblob(96), NULL)`)
for (const round of [1, 2]) {
  const run = 3 * round
  timed('SQLite alone (recursive query)', run - 2, () =>
    db.exec(`WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${n})
      INSERT INTO results SELECT ${run - 2}, printf('91330200%010d', i), '330203', '宁波市某某机械制造有限公司' || i,
        'C3311', 'stainless', 1, 'rated', 'g-330203-stainless', 87.123456, 1234, 5000, 'B', 'B',
        '{"id":"x","label":"y"}', zeroblob(96), NULL FROM s`),
  )
  const twoBound = two(run - 1)
  timed('two values bound, a row a call', run - 1, () => {
    for (let i = 1; i <= n; i++)
      twoBound.run(`91330200${String(i).padStart(10, '0')}`, `宁波市某某机械制造有限公司${i}`)
  })
  timed('all 17 values bound, a row a call', run, () => {
    for (let i = 1; i <= n; i++) insert.run(rowOf(run, i))
  })
  const many = db.prepare(
    `INSERT INTO results VALUES ${Array(ROWS_A_CALL).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
  )
  timed(`all 17 bound, ${ROWS_A_CALL} rows a call`, run + 100, () => {
    const values: unknown[] = []
    for (let i = 1; i <= n; i++) {
      values.push(...rowOf(run + 100, i))
      if (values.length === 17 * ROWS_A_CALL) {
        many.run(values)
        values.length = 0
      }
    }
  })
}
db.close()
remove()
