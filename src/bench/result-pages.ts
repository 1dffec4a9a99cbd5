/**
 * A run stored as fewer, wider rows, measured: the "pages" that would cut the evaluation's store (a million result
 * rows, one b-tree insert each) to a few thousand. Each page holds PAGE firms' results as one JSON text, in
 * credit-code order, keyed by (run, first code); a view over json_each gives the rows back to SQL. Timed on a
 * million results of the stored row's shape: the store (made in JavaScript, inserted in one transaction), the
 * view's scan of a run (as the pricing snapshot reads it), 2,000 single firms looked up (as a tier on the database
 * path, the page found by its first code) and the run's counts by county, sector and class (the overview). Beside
 * it, the same million rows in the table as it is (evaluation_results' columns, WITHOUT ROWID), the same four ways.
 * Usage: node --import tsx src/bench/result-pages.ts DIR [PAGE...]   (default pages of 200 and 1,000 firms)
 * @module bench/result-pages
 */
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { categoryTexts } from '../db/evaluation-store.ts'
import { COUNTIES as DEMO_COUNTIES } from '../demo/population.ts'
import { scratchDb } from './scratch-db.ts'

const [dir, ...pageArgs] = process.argv.slice(2)
const pages = pageArgs.length > 0 ? pageArgs.map(Number) : [200, 1000]
const n = 1_000_000
const { db, remove } = scratchDb(join(dir, 'result-pages.db'))
const COLUMNS = `county text NOT NULL, name text NOT NULL, industry_code text NOT NULL, sector text NOT NULL,
  figures_version integer, status text NOT NULL, group_id text, score real, rank integer, group_size integer,
  initial_class text, class text, category text, points blob`
db.exec(`CREATE TABLE rows_now (run_id integer NOT NULL, credit_code text NOT NULL, ${COLUMNS},
  PRIMARY KEY (run_id, credit_code)) WITHOUT ROWID`)
db.exec(`CREATE TABLE pages (run_id integer NOT NULL, first_code text NOT NULL, last_code text NOT NULL,
  firms integer NOT NULL, rows text NOT NULL, PRIMARY KEY (run_id, first_code)) WITHOUT ROWID`)
db.exec(`CREATE VIEW paged AS SELECT p.run_id, j.value->>0 AS credit_code, j.value->>1 AS county,
  j.value->>2 AS name, j.value->>3 AS industry_code, j.value->>4 AS sector, j.value->>5 AS figures_version,
  j.value->>6 AS status, j.value->>7 AS group_id, j.value->>8 AS score, j.value->>9 AS rank,
  j.value->>10 AS group_size, j.value->>11 AS initial_class, j.value->>12 AS class, j.value->>13 AS category,
  unhex(j.value->>14) AS points FROM pages p, json_each(p.rows) j`)

interface Result {
  creditCode: string
  county: string
  name: string
  industryCode: string
  sector: string
  figuresVersion: number
  status: string
  group: string
  score: number
  rank: number
  groupSize: number
  initialClass: string
  class: string
  category: { table: string; row: string | null; category: string; label: string }
  points: number[]
}
const COUNTIES = DEMO_COUNTIES.map(([county]) => county)
const CATEGORIES = [
  { table: 'general', row: null, category: 'B', label: '一般行业' },
  { table: 'stainless', row: 'cold_rolled', category: 'C', label: '不锈钢冷轧' },
]
const results: Result[] = []
for (let i = 1; i <= n; i++)
  results.push({
    creditCode: `91330200${String(i).padStart(10, '0')}`,
    county: COUNTIES[i % COUNTIES.length],
    name: `宁波市某某机械制造有限公司${i}`,
    industryCode: 'C3311',
    sector: 'general',
    figuresVersion: 1,
    status: 'rated',
    group: `g-${COUNTIES[i % COUNTIES.length]}-general`,
    score: ((i * 7919) % 10_000) / 97,
    rank: i % 5000,
    groupSize: 5000,
    initialClass: 'ABCD'[i % 4],
    class: 'ABCD'[i % 4],
    category: CATEGORIES[i % 2],
    points: [i % 13, 1.5, 2.25, (i % 7) / 3, 4, 5],
  })
const codes = Array.from({ length: 2000 }, (_, k) => results[(k * 7919) % n].creditCode)
const scratch = Buffer.alloc(8 * 16)
const pointsOf = (r: Result) => {
  for (let k = 0; k < r.points.length; k++) scratch.writeDoubleLE(r.points[k], 8 * k)
  return scratch.subarray(0, 8 * r.points.length)
}
const categoryText = categoryTexts()

/** A result's values in the stored row's order (after the run), with its points as given. */
const valuesOf = (r: Result, points: Buffer | string) => [
  r.creditCode,
  r.county,
  r.name,
  r.industryCode,
  r.sector,
  r.figuresVersion,
  r.status,
  r.group,
  r.score,
  r.rank,
  r.groupSize,
  r.initialClass,
  r.class,
  categoryText(r.category),
  points,
]

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(2)} s`
const timed = <T>(f: () => T): [T, string] => {
  const t0 = performance.now()
  const out = f()
  return [out, seconds(t0)]
}
/** The four reads of a run, over `from` (a table or the view) and a statement finding one firm. */
function reads(run: number, from: string, one: Database.Statement) {
  const [scan, scanTime] = timed(
    () =>
      db
        .prepare(
          `SELECT credit_code, county, class, category, sector FROM ${from} WHERE run_id = ?`,
        )
        .raw()
        .all(run).length,
  )
  const [found, oneTime] = timed(() => codes.filter((code) => one.get({ run, code })).length)
  const [groups, countTime] = timed(
    () =>
      db
        .prepare(
          `SELECT county, sector, class, count(*) AS n FROM ${from} WHERE run_id = ? GROUP BY 1, 2, 3`,
        )
        .all(run).length,
  )
  return `scan of the run ${scanTime} (${scan.toLocaleString('en')} rows), ${found.toLocaleString('en')} firms looked up ${oneTime}, counts ${countTime} (${groups} groups)`
}
const bytes = (table: string) =>
  (db.prepare('SELECT sum(pgsize) FROM dbstat WHERE name = ?').pluck().get(table) as number) / n

let run = 0
for (const round of [1, 2]) {
  run++
  const insert = db.prepare(`INSERT INTO rows_now VALUES (${Array(16).fill('?').join(', ')})`)
  const [, storeTime] = timed(() =>
    db
      .transaction(() => {
        for (const r of results) insert.run(run, ...valuesOf(r, pointsOf(r)))
      })
      .immediate(),
  )
  const one = db.prepare(
    'SELECT class, score FROM rows_now WHERE run_id = @run AND credit_code = @code',
  )
  console.log(`rows as now, round ${round}: store ${storeTime}, ${reads(run, 'rows_now', one)}`)
  for (const page of pages) {
    run++
    const insertPage = db.prepare('INSERT INTO pages VALUES (?, ?, ?, ?, ?)')
    const [, pageStore] = timed(() =>
      db
        .transaction(() => {
          for (let i = 0; i < n; i += page) {
            const slice = results.slice(i, i + page)
            const rows = slice.map((r) => valuesOf(r, pointsOf(r).toString('hex')))
            insertPage.run(
              run,
              slice[0].creditCode,
              slice.at(-1)!.creditCode,
              slice.length,
              JSON.stringify(rows),
            )
          }
        })
        .immediate(),
    )
    const onePaged =
      db.prepare(`SELECT j.value->>12 AS class, j.value->>8 AS score FROM pages p, json_each(p.rows) j
      WHERE p.run_id = @run AND p.first_code = (SELECT max(first_code) FROM pages WHERE run_id = @run
        AND first_code <= @code) AND j.value->>0 = @code`)
    console.log(
      `pages of ${page}, round ${round}: store ${pageStore}, ${reads(run, 'paged', onePaged)}`,
    )
  }
}
// Two rounds: two runs in the table as now, two of each page size in pages.
console.log(
  `bytes a result: rows as now ${(bytes('rows_now') / 2).toFixed(0)} B; pages ${(bytes('pages') / (2 * pages.length)).toFixed(0)} B (the mean over the page sizes)`,
)
db.close()
remove()
