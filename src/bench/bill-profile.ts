/**
 * `node --expose-gc --import tsx src/bench/bill-profile.ts DIR [N]`: the billing run in-process (no HTTP) over a folder that
 * `npm run bench:scale -- N --keep` left: N bills answered as POST /v1/bills answers them (parse, quote, JSON),
 * in chunks of 2,000 lines, timed, after the pricing snapshot is built (its build time and memory printed; NO_SNAPSHOT=1
 * measures the database path; ROUNDS=K runs it K times and reports the fastest); run under `node --cpu-prof` to see
 * where a bill's time goes.
 * @module bench/bill-profile
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { cliPrincipal } from '../app/authorize.ts'
import { quoteAll } from '../app/billing.ts'
import { createServices } from '../app/services.ts'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'

const [dir, nArg] = process.argv.slice(2)
const db = new Database(join(dir, 'm.db'), { readonly: true })
const codes = db
  .prepare('SELECT credit_code FROM figures WHERE year = 2024 ORDER BY credit_code')
  .pluck()
  .all() as string[]
db.close()
const n = Number(nArg ?? codes.length)
const lines: string[] = []
for (let i = 0; i < n; i++)
  lines.push(
    JSON.stringify({
      creditCode: codes[i % codes.length],
      resource: 'electricity',
      quantity: String(10_000 + (i % 90_000)),
      from: '2025-10-01',
      to: '2025-11-01',
    }),
  )
const store = new Store(createDb(join(dir, 'm.db')))
const services = createServices(store)
const p = cliPrincipal('bench', 'utility')
const warm = performance.now()
quoteAll(services, p, [{ value: JSON.parse(lines[0]) }])
const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const before = process.memoryUsage()
const tBuild = performance.now()
const snapshot = process.env.NO_SNAPSHOT ? undefined : await services.pricing.snapshots?.ready()
const buildMs = performance.now() - tBuild
gc?.()
const after = process.memoryUsage()
const mib = (b: number) => Math.round(b / 2 ** 20)
const warmMs = performance.now() - warm
// ROUNDS=K: the run K times over, its fastest round reported (this machine's noise is larger than a change's gain).
const rounds = Math.max(1, Number(process.env.ROUNDS ?? 1))
let ms = Number.POSITIVE_INFINITY
let bytes = 0
let errors = 0
for (let round = 0; round < rounds; round++) {
  const t0 = performance.now()
  bytes = 0
  errors = 0
  for (let i = 0; i < n; i += 2000) {
    const items = lines.slice(i, i + 2000).map((l) => ({ value: JSON.parse(l) }))
    for (const x of quoteAll(services, p, items)) {
      if ('error' in x) errors++
      bytes += (
        'text' in x ? x.text.json : JSON.stringify('quote' in x ? x.quote : String(x.error))
      ).length
    }
  }
  ms = Math.min(ms, performance.now() - t0)
}
console.log(
  JSON.stringify({
    n,
    firms: snapshot?.firms,
    profiles: snapshot?.profiles.length,
    snapshotTypedMiB: mib(snapshot?.byteLength() ?? 0),
    snapshotHeapMiB: mib(
      after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers,
    ),
    buildMs: Math.round(buildMs),
    warmMs: Math.round(warmMs),
    ms: Math.round(ms),
    usPerBill: (ms * 1000) / n,
    errors,
    bytes,
    rssMiB: mib(process.resourceUsage().maxRSS * 1024),
  }),
)
