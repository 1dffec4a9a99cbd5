/**
 * `npm run soak`: a bounded soak on loopback. The server (core 0) takes 60 s of tier lookups and quotes (core 1)
 * while hostile traffic runs beside them (unique padded URLs, anonymous self-checks, a failed-login storm), a
 * 20,000-row CSV import runs as a job at a third and one evaluation is run and published half-way; a county proposes
 * drafts as large as allowed all along (withdrawing at its limit, previewing some), and a 50,000-row import runs as a
 * job at a twelfth while the bureau keeps proposing (the writer stall; see soak-counties). Prints errors and the
 * server's RSS over time. Passes with zero errors on the normal traffic and the county traffic (every answer one the
 * API documents, in under a second), tier p99 under 50 ms, RSS at most 256 MiB over the warm-up, the heap retained
 * after a full GC flat (±32 MiB over the last 15 s, ≤ 64 MiB over the warm-up), and the imports and the publish done.
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { hostileRequests, importCsv } from './hostile.ts'
import { countyDrafts, writerStall } from './soak-counties.ts'
import { startBenchServer } from './start-server.ts'

// Duration in seconds: `npm run soak -- 30`.
const SECONDS = Number(process.argv[2] ?? 60)
// V8 keeps heap it grew (e.g. for the evaluation run half-way), so the RSS bound is generous; a leak shows instead in
// the heap retained after a full GC, which must stay flat.
const RSS_BOUND_MIB = 256
const FLAT_MIB = 32
const {
  process: server,
  base,
  token,
  bureau,
  economy,
  county,
  countyCode,
  codes,
} = await startBenchServer([
  '--expose-gc',
  // SOAK_PROFILE=DIR: the server's threads profiled (node --cpu-prof), for src/bench/profile-top.ts.
  ...(process.env.SOAK_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SOAK_PROFILE}`] : []),
])
const info = { token, bureau, economy, codes }
// taskset execs node, so the child's pid is the server's.
const rssMiB = () =>
  Math.round(
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024,
  )
let k = 0
const code = () => info.codes[k++ % info.codes.length]
const auth = { authorization: `Bearer ${info.token}` }
const tier = () => ({
  method: 'GET',
  path: `/v1/enterprises/${code()}/tier?date=2025-0${1 + (k % 9)}-01`,
  headers: auth,
})
const quote = () => ({
  method: 'POST',
  path: '/v1/quotes',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({
    creditCode: code(),
    resource: 'water',
    quantity: '5000',
    from: '2025-01-01',
    to: '2025-04-01',
  }),
})
const load = (duration: number, connections: number, next: () => object, latencies?: number[]) => {
  const run = autocannon({
    url: base,
    connections,
    duration,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  })
  if (latencies) run.on('response', (_c, _s, _b, ms) => latencies.push(ms))
  return run
}
const normal = (duration: number, tierLatencies?: number[]) =>
  Promise.all([load(duration, 14, tier, tierLatencies), load(duration, 6, quote)])

const retained = async () =>
  ((await (await fetch(`${base}/gc`)).json()) as { heapUsedMiB: number }).heapUsedMiB
await normal(10)
const warm = rssMiB()
const samples: number[] = [warm]
const heaps: number[] = [await retained()]
const sampler = setInterval(async () => {
  samples.push(rssMiB())
  heaps.push(await retained())
}, 5000)
let publishNote = ''
let countyQuiet = false
let published: () => void = () => {}
const publication = new Promise<void>((done) => {
  published = done
})
const soakStart = performance.now()
const publisher = setTimeout(
  async () => {
    // The economy office (经信) runs and publishes the evaluation. The county pauses from here (see below), so the
    // run waits at most for the county's preview already running.
    countyQuiet = true
    const auth = { authorization: `Bearer ${info.economy}`, 'content-type': 'application/json' }
    // Where the publication is, said if the soak ends before it does.
    const began = performance.now()
    const at = (what: string) => {
      publishNote = `publication not done at the end: ${what} (${((performance.now() - began) / 1000).toFixed(1)} s after it began)`
    }
    at('running the evaluation')
    const run = (await (
      await fetch(`${base}/v1/evaluations`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ year: 2024 }),
      })
    ).json()) as { id: number }
    // Recorded as a past publication: a notice would take days (see test/notice.test.ts for that path). That is a
    // correction, sent with the digest of its preview, which any write makes stale: the county pauses meanwhile.
    // A write that meets a job's is answered 503 WRITER_BUSY: asked again after its Retry-After, as a client does.
    let pub: Response
    for (let attempt = 0; ; attempt++) {
      at(`previewing the publication (attempt ${attempt + 1}) of evaluation ${run.id}`)
      const preview = await fetch(`${base}/v1/evaluations/${run.id}/publication-preview`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ publishedOn: '2025-01-01', months: 1 }),
      })
      const { digest } = (await preview.json()) as { digest: string }
      at(`publishing (attempt ${attempt + 1}), preview HTTP ${preview.status}`)
      pub = await fetch(`${base}/v1/evaluations/${run.id}/publish`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          publishedOn: '2025-01-01',
          correction: {
            reason: 'soak: re-run recorded',
            document: '甬经信〔2025〕1号',
            preview: digest,
          },
        }),
      })
      if (pub.ok || attempt === 5) break
      await new Promise((r) => setTimeout(r, Number(pub.headers.get('retry-after') ?? 1) * 1000))
    }
    countyQuiet = false
    const end = (performance.now() - soakStart) / 1000
    publishNote = `published evaluation ${run.id}, begun at ${SECONDS / 2} s, done at ${end.toFixed(1)} s${end > SECONDS ? ' (after the load: jobs yield the core to requests)' : ''}: HTTP ${pub.status}`
    published()
  },
  (SECONDS / 2) * 1000,
)
let importNote = 'import not started'
const importer = setTimeout(
  async () => {
    const headers = {
      authorization: `Bearer ${info.bureau}`,
      'content-type': 'text/csv',
      prefer: 'respond-async',
    }
    const started = await fetch(`${base}/v1/enterprises:import?year=2024`, {
      method: 'POST',
      headers,
      body: importCsv(20_000, 77),
    })
    const job = (await started.json()) as { id: string }
    for (;;) {
      await new Promise((r) => setTimeout(r, 500))
      const j = (await (
        await fetch(`${base}/v1/jobs/${job.id}`, {
          headers: { authorization: headers.authorization },
        })
      ).json()) as { status: string; result?: { rows: number } }
      if (j.status !== 'running') {
        importNote = `import of 20,000 rows as a job at ${Math.round(SECONDS / 3)} s: ${j.status}${j.result ? ` (${j.result.rows} rows)` : ''}`
        return
      }
    }
  },
  (SECONDS / 3) * 1000,
)
// Built before the load starts: generating the rows takes the client's own time.
const stallCsv = importCsv(50_000, 26)
let soakOver = false
const drafts = countyDrafts(
  base,
  { token: county, code: countyCode },
  () => soakOver,
  () => countyQuiet,
)
const stall = new Promise<Awaited<ReturnType<typeof writerStall>>>((done) =>
  setTimeout(() => done(writerStall(base, bureau, '330281', stallCsv)), (SECONDS / 12) * 1000),
)
const tierLatencies: number[] = []
const [[tiers, quotes], hostile] = await Promise.all([
  normal(SECONDS, tierLatencies),
  load(SECONDS, 4, hostileRequests(info.token, info.codes)),
])
soakOver = true
const [draftTally, stalled] = await Promise.all([drafts, stall])
// The publication must complete: begun under the load, it may end after it, for jobs yield the core to requests
// (app/background-thread). Waited for a bounded time.
await Promise.race([publication, new Promise((r) => setTimeout(r, 90_000))])
clearInterval(sampler)
clearTimeout(publisher)
clearTimeout(importer)
const result = {
  errors: tiers.errors + quotes.errors,
  non2xx: tiers.non2xx + quotes.non2xx,
  timeouts: tiers.timeouts + quotes.timeouts,
  requests: {
    total: tiers.requests.total + quotes.requests.total,
    average: tiers.requests.average + quotes.requests.average,
  },
}
const sorted = Float64Array.from(tierLatencies).sort()
const tierP99 = sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? 0
samples.push(rssMiB())
heaps.push(await retained())
server.kill('SIGTERM')
const errors = result.errors + result.non2xx + result.timeouts
const growth = Math.max(...samples.slice(1)) - warm
// Leak check on the heap retained after a full GC: flat over the last 15 s, and not far above the warm-up.
const tail = heaps.slice(-4)
const flat =
  Math.max(...tail) - Math.min(...tail) <= FLAT_MIB && Math.max(...heaps) - heaps[0] <= FLAT_MIB * 2
const ok =
  errors === 0 &&
  growth <= RSS_BOUND_MIB &&
  flat &&
  publishNote.endsWith('200') &&
  importNote.includes(': done') &&
  stalled.job.startsWith('done') &&
  draftTally.errors + stalled.tally.errors === 0 &&
  tierP99 < 50
process.stdout.write(
  [
    `mujun soak — ${SECONDS} s of tier lookups (14 connections) and quotes (6) beside hostile traffic (4), an import and a publish`,
    `| requests | req/s | errors | tier p99 (bound 50 ms) | RSS after warm-up | RSS max | growth (bound ${RSS_BOUND_MIB} MiB) | hostile requests |`,
    '|---|---|---|---|---|---|---|---|',
    `| ${result.requests.total.toLocaleString('en')} | ${Math.round(result.requests.average).toLocaleString('en')} | ${errors} | ${tierP99.toFixed(2)} ms | ${warm} MiB | ${Math.max(...samples)} MiB | ${growth} MiB | ${hostile.requests.total.toLocaleString('en')} (${hostile.non2xx.toLocaleString('en')} refused) |`,
    publishNote,
    importNote,
    `county drafts (63 KB each) all along: ${JSON.stringify(draftTally.answers)}, ${draftTally.errors} errors, slowest answer ${Math.round(draftTally.slowest)} ms`,
    `writer stall: import of 50,000 rows (2025) as a job at ${Math.round(SECONDS / 12)} s: ${stalled.job}; proposals meanwhile ${JSON.stringify(stalled.tally.answers)}, ${stalled.tally.errors} errors, slowest answer ${Math.round(stalled.tally.slowest)} ms`,
    `RSS samples (MiB, every 5 s): ${samples.join(' ')}`,
    `heap retained after full GC (MiB, every 5 s): ${heaps.join(' ')}; last 15 s within ${Math.max(...tail) - Math.min(...tail)} MiB (flat if ≤ ${FLAT_MIB}), ${Math.max(...heaps) - heaps[0]} MiB over warm-up (≤ ${FLAT_MIB * 2})`,
    ok ? 'soak: PASS' : 'soak: FAIL',
    '',
  ].join('\n'),
)
process.exit(ok ? 0 : 1)
