/**
 * One step of `npm run bench:scale`, in a process of its own so its wall time and peak RSS are its own. Prints one
 * JSON line: { step, ms, rssMiB, ... }. Steps: prepare DIR N | insert-baseline DIR | import DIR YEAR | rate DIR YEAR |
 * evaluate DIR YEAR | size DIR | serve DIR.
 * @module bench/scale-step
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import Database from 'better-sqlite3'
import { cliPrincipal } from '../app/authorize.ts'
import { createServices } from '../app/services.ts'
import { nextMonth } from '../dates.ts'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'
import { decodeCsvBytes, parseEnterprisesCsv } from '../enterprise/csv.ts'
import { directPaths, serverWith } from '../http/direct-paths.ts'
import { createApp } from '../mount.ts'
import { rate } from '../rating/rate.ts'
import { readRuleTexts } from '../rulebook/load.ts'
import { importCsv } from './hostile.ts'

const [step, dir, arg] = process.argv.slice(2)
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024)
const now = () => performance.now()
/**
 * CPU time of the process in ms (every thread: the garbage collector's helpers too). Unlike wall time, not stretched
 * while the machine's other tenants hold the cores.
 */
const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const p = cliPrincipal('bench')
/** The economy office (经信) runs and publishes evaluations. */
const economy = cliPrincipal('bench', 'economy')
const dbPath = join(dir, 'm.db')
const csvPath = (year: string) => join(dir, `firms-${year}.csv`)
const open = () => {
  const store = new Store(createDb(dbPath))
  return { store, services: createServices(store) }
}
const report = (o: Record<string, unknown>) =>
  console.log(JSON.stringify({ step, ...o, rssMiB: rssMiB() }))

if (step === 'prepare') {
  // Two years of the same firms (different figures): the second import replaces nothing, the evaluation of each
  // year reads its own.
  const n = Number(arg)
  for (const [year, seed] of [
    ['2023', 23],
    ['2024', 23],
  ] as const)
    if (!existsSync(csvPath(year))) writeFileSync(csvPath(year), importCsv(n, seed))
  const { services } = open()
  services.rulebooks.loadInitial(
    readRuleTexts(new URL('../../rules/ningbo', import.meta.url).pathname),
    'bench',
  )
  report({ n })
} else if (step === 'insert-baseline') {
  // The floor any import stands on: the parsed rows of one year written by a bare prepared INSERT in one transaction,
  // into a table with the figures table's key, no checks, no upsert, no history.
  const rb = open().services.rulebooks.active().rulebook
  const parsed = parseEnterprisesCsv(decodeCsvBytes(readBytes(csvPath(arg))).text, rb).enterprises
  const db = new Database(join(dir, 'baseline.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(
    'DROP TABLE IF EXISTS t; CREATE TABLE t (credit_code TEXT NOT NULL, year INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (credit_code, year))',
  )
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)')
  const t0 = now()
  db.transaction(() => {
    for (const e of parsed) insert.run(e.creditCode, Number(arg), JSON.stringify(e.figures))
  })()
  report({ ms: now() - t0, rows: parsed.length })
} else if (step === 'import') {
  const { services } = open()
  const bytes = readBytes(csvPath(arg))
  const t0 = now()
  const r = services.enterprises.importCsv(p, bytes, Number(arg), false)
  report({ ms: now() - t0, rows: r.rows, created: r.created })
} else if (step === 'rate') {
  // rate() alone on the population as the evaluation reads it (the read is not timed).
  const { store, services } = open()
  const population = store.population(Number(arg))
  const rb = services.rulebooks.active().rulebook
  const t0 = now()
  const c0 = cpu()
  const results = rate(population, rb, Number(arg), { trusted: true })
  report({ ms: now() - t0, cpuMs: cpu() - c0, rows: results.length })
} else if (step === 'evaluate') {
  // End to end: read the year's figures from SQLite, rate, store the results and peer statistics, publish. The
  // rules are compiled before the clock starts, as for rate() alone (and as a server has them before a run).
  const { services } = open()
  services.rulebooks.active()
  const t0 = now()
  const c0 = cpu()
  const phases: Record<string, number> = {}
  const heap: Record<string, number> = {}
  const run = services.evaluations.run(economy, Number(arg), undefined, (phase) => {
    phases[phase] = Math.round(now() - t0)
    heap[phase] = Math.round(process.memoryUsage().heapUsed / 2 ** 20)
  })
  const tRun = now() - t0
  services.evaluations.recordPastPublication(
    economy,
    run.id,
    `${Number(arg) + 1}-09-01`,
    'bench: the record of a publication',
    'bench',
  )
  report({
    ms: now() - t0,
    cpuMs: cpu() - c0,
    runMs: tRun,
    phases,
    heapMiB: heap,
    counts: run.counts,
  })
} else if (step === 'preview') {
  // A preview of a city change over every firm (bench:preview): `arg` names it.
  const { store, services } = open()
  const bureau = cliPrincipal('bench', 'bureau')
  const today = store.today()
  const change =
    arg === 'correction'
      ? // D electricity from 2025-07-01: a correction reaching back over the months already billed.
        { from: '2025-07-01', path: 'rates[class=D][minConsecutiveYears=].rate', value: '0.35' }
      : // D electricity from the first day of next month: the normal dated change.
        {
          from: `${nextMonth(today.slice(0, 7))}-01`,
          path: 'rates[class=D][minConsecutiveYears=].rate',
          value: '0.35',
        }
  const files = services.rulebooks.changedFiles({
    section: 'surcharges',
    id: 'class_electricity',
    from: change.from,
    set: [{ path: change.path, value: change.value }],
    document: 'bench',
  })
  const t0 = now()
  const pv = services.changes.previewCity(bureau, files)
  report({
    ms: now() - t0,
    from: change.from,
    fromMonth: pv.preview.fromMonth,
    toMonth: pv.preview.toMonth,
    firmsChanged: pv.preview.firmsChanged,
    firmMonths: pv.preview.firmMonths,
    change: pv.preview.total.change,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
  })
} else if (step === 'size') {
  const db = new Database(dbPath)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const tables = db
    .prepare(
      `SELECT s.name, sum(s.pgsize) AS bytes FROM dbstat s GROUP BY s.name ORDER BY bytes DESC`,
    )
    .all() as { name: string; bytes: number }[]
  const count = (sql: string) => db.prepare(sql).pluck().get() as number
  const firmYears = count('SELECT count(*) FROM figures')
  const results = count('SELECT count(*) FROM evaluation_results')
  const payload = count(`SELECT sum(payload) FROM dbstat WHERE name = 'evaluation_results'`)
  report({
    fileBytes: statSync(dbPath).size,
    firmYears,
    results,
    resultPayloadPerRow: payload / results,
    tables: Object.fromEntries(tables.map((t) => [t.name, t.bytes])),
  })
} else if (step === 'serve') {
  // The service over this database (no demo), with a utility token for the billing run.
  const { store, services } = open()
  const token = store.createToken('utility', '', 'bench utility', { by: 'bench' }).token
  const app = createApp({ store, services, log: () => {} })
  // Exit on SIGTERM (so a --cpu-prof profile is written).
  process.on('SIGTERM', () => process.exit(0))
  // The pricing snapshot of this revision, built as a server builds it when the revision moves (in chunks, off the
  // request path), here before serving: a monthly run comes long after the revision it bills at.
  const heapBefore = process.memoryUsage()
  const t0 = now()
  const snapshot = await services.pricing.snapshots?.ready()
  const snapshotMs = now() - t0
  const heapAfter = process.memoryUsage()
  const snapshotMiB =
    (heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers) /
    2 ** 20
  // As npm start serves: tier lookups and plain bills meet the direct paths first (http/direct-paths).
  const createServer = serverWith(directPaths(services))
  serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1', createServer }, (info) =>
    console.log(
      JSON.stringify({
        port: info.port,
        token,
        snapshotMs,
        snapshotMiB,
        snapshotTypedMiB: (snapshot?.byteLength() ?? 0) / 2 ** 20,
        profiles: snapshot?.profiles.length,
      }),
    ),
  )
} else throw new Error(`unknown step ${step}`)

function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}
