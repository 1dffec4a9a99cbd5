/**
 * `npm run soak`: a bounded soak on loopback. The server (core 0) takes 60 s of mixed tier lookups and quotes
 * (core 1) while one evaluation is run and published half-way. Prints errors and the server's RSS over time.
 * Passes with zero errors, RSS at most 256 MiB over the warm-up, and the heap retained after a full GC flat
 * (±32 MiB over the last 15 s, ≤ 64 MiB over the warm-up).
 */
import { readFileSync } from 'node:fs'
import autocannon from 'autocannon'
import { startBenchServer } from './start-server.ts'

// Duration in seconds: `npm run soak -- 30`.
const SECONDS = Number(process.argv[2] ?? 60)
// V8 keeps heap it grew (e.g. for the evaluation run half-way), so the RSS bound is generous; a leak shows instead in
// the heap retained after a full GC, which must stay flat.
const RSS_BOUND_MIB = 256
const FLAT_MIB = 32
const { process: server, base, token, bureau, codes } = await startBenchServer(['--expose-gc'])
const info = { token, bureau, codes }
// taskset execs node, so the child's pid is the server's.
const rssMiB = () =>
  Math.round(
    Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024,
  )
let k = 0
const code = () => info.codes[k++ % info.codes.length]
const mixed = () =>
  k % 3 === 0
    ? {
        method: 'POST',
        path: '/v1/quotes',
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          creditCode: code(),
          resource: 'water',
          quantity: '5000',
          from: '2025-01-01',
          to: '2025-04-01',
        }),
      }
    : {
        method: 'GET',
        path: `/v1/enterprises/${code()}/tier?date=2025-0${1 + (k % 9)}-01`,
        headers: { authorization: `Bearer ${info.token}` },
      }
const load = (duration: number) =>
  autocannon({
    url: base,
    connections: 20,
    duration,
    requests: [{ setupRequest: (req) => ({ ...req, ...mixed() }) }],
  })

const retained = async () =>
  ((await (await fetch(`${base}/gc`)).json()) as { heapUsedMiB: number }).heapUsedMiB
await load(10)
const warm = rssMiB()
const samples: number[] = [warm]
const heaps: number[] = [await retained()]
const sampler = setInterval(async () => {
  samples.push(rssMiB())
  heaps.push(await retained())
}, 5000)
let publishNote = ''
const publisher = setTimeout(
  async () => {
    const auth = { authorization: `Bearer ${info.bureau}`, 'content-type': 'application/json' }
    const run = (await (
      await fetch(`${base}/v1/evaluations`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ year: 2024 }),
      })
    ).json()) as { id: number }
    const pub = await fetch(`${base}/v1/evaluations/${run.id}/publish`, {
      method: 'POST',
      headers: auth,
    })
    publishNote = `published evaluation ${run.id} at ${SECONDS / 2} s: HTTP ${pub.status}`
  },
  (SECONDS / 2) * 1000,
)
const result = await load(SECONDS)
clearInterval(sampler)
clearTimeout(publisher)
samples.push(rssMiB())
heaps.push(await retained())
server.kill('SIGTERM')
const errors = result.errors + result.non2xx + result.timeouts
const growth = Math.max(...samples.slice(1)) - warm
// Leak check on the heap retained after a full GC: flat over the last 15 s, and not far above the warm-up.
const tail = heaps.slice(-4)
const flat =
  Math.max(...tail) - Math.min(...tail) <= FLAT_MIB && Math.max(...heaps) - heaps[0] <= FLAT_MIB * 2
const ok = errors === 0 && growth <= RSS_BOUND_MIB && flat && publishNote.endsWith('200')
process.stdout.write(
  [
    `mujun soak — ${SECONDS} s mixed tier lookups and quotes, 20 connections, one publish half-way`,
    `| requests | req/s | errors | RSS after warm-up | RSS max | growth (bound ${RSS_BOUND_MIB} MiB) |`,
    '|---|---|---|---|---|---|',
    `| ${result.requests.total.toLocaleString('en')} | ${Math.round(result.requests.average).toLocaleString('en')} | ${errors} | ${warm} MiB | ${Math.max(...samples)} MiB | ${growth} MiB |`,
    publishNote,
    `RSS samples (MiB, every 5 s): ${samples.join(' ')}`,
    `heap retained after full GC (MiB, every 5 s): ${heaps.join(' ')}; last 15 s within ${Math.max(...tail) - Math.min(...tail)} MiB (flat if ≤ ${FLAT_MIB}), ${Math.max(...heaps) - heaps[0]} MiB over warm-up (≤ ${FLAT_MIB * 2})`,
    ok ? 'soak: PASS' : 'soak: FAIL',
    '',
  ].join('\n'),
)
process.exit(ok ? 0 : 1)
