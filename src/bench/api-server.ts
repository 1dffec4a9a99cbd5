/**
 * The server `npm run bench:api` loads: the real app over a fresh demo database, plus a bare hono JSON route in
 * the same process as the baseline. Prints "ready <port>" and the demo's utility token and credit codes.
 */

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { RulebookService } from '../app/rulebooks.ts'
import { createServices } from '../app/services.ts'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'
import { seedDemo } from '../demo/seed.ts'
import { directPaths, serverWith } from '../http/direct-paths.ts'
import { createApp } from '../mount.ts'
import { readRuleTexts } from '../rulebook/load.ts'

const dir = mkdtempSync(join(tmpdir(), 'mujun-bench-'))
const dbPath = join(dir, 'bench.db')
// As the server opens it: a request's write waits at most 100 ms for a job's (WRITE_WAIT_MS).
const store = new Store(createDb(dbPath, { busyTimeoutMs: 100 }))
new RulebookService(store).loadInitial(
  readRuleTexts(new URL('../../rules/ningbo', import.meta.url).pathname),
  'bench',
)
// As the server runs it: evaluations and imports in worker threads on the same file.
const services = createServices(store, { jobsDbPath: dbPath })
// 3,000 firms unless BENCH_DEMO_SIZE says otherwise (startBenchServer's demoSize).
const tokens = seedDemo(services, Number(process.env.BENCH_DEMO_SIZE ?? 3000))
const codes = store
  .runResults(store.publishedRun(2024)!.id)
  .filter((r) => r.status === 'rated')
  .map((r) => r.creditCode)
const root = new Hono()
root.get('/bare', (c) => c.json({ ok: true, at: 'bare' }))
// Reference for the size of an answer: a bare route whose body is as long as a tier answer's (bytes).
const tierBytes = Buffer.byteLength(
  services.pricing.tierJson(services.tokens.principal(tokens.utility), codes[0], '2025-03-01'),
)
const big = JSON.stringify({ pad: 'x'.repeat(tierBytes - 10) })
root.get('/bare-big', (c) =>
  c.body(big, 200, { 'content-type': 'application/json; charset=utf-8' }),
)
// Reference for POST routes: what reading a small JSON body costs before any work is done.
root.post('/bare-post', async (c) =>
  c.json({ ok: true, got: ((await c.req.json()) as { creditCode?: string }).creditCode }),
)
// Benchmark-only: a full GC, then the retained heap, so the soak can tell a leak from V8 keeping heap it grew.
root.get('/gc', (c) => {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return c.json({
    heapUsedMiB: Math.round(m.heapUsed / 2 ** 20),
    rssMiB: Math.round(m.rss / 2 ** 20),
  })
})
root.route('/', createApp({ store, services, log: () => {} }))
// As npm start serves it: tier lookups and plain bills meet the direct paths first (http/direct-paths).
const createServer = serverWith(directPaths(services))
serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1', createServer }, (info) => {
  process.stdout.write(
    `${JSON.stringify({ port: info.port, token: tokens.utility, bureau: tokens.bureau, economy: tokens.economy, county: tokens.county, countyCode: tokens.countyCode, codes })}\n`,
  )
})
// The demo database is the run's own: it goes with the server (a benchmark stops it with SIGTERM).
process.on('SIGTERM', () => {
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
