/**
 * `npm run bench:api`: starts the server pinned to core 0 and loads it from core 1 with autocannon on loopback,
 * for a bounded time per scenario: the bare route (baseline), tier lookups, quotes. Prints req/s, p99 and ratios.
 * Targets: tier ≥ 70 % of bare req/s with p99 ≤ 1.5× bare p99; quote ≥ 50 % of bare req/s.
 */
import autocannon from 'autocannon'
import { startBenchServer } from './start-server.ts'

// Seconds per scenario: `npm run bench:api -- 5`.
const SECONDS = Number(process.argv[2] ?? 10)
const CONNECTIONS = 50
const { process: server, base, token, codes } = await startBenchServer()
const info = { token, codes }
const auth = { authorization: `Bearer ${info.token}` }

async function load(
  title: string,
  request: () => { method: string; path: string; body?: string; headers?: Record<string, string> },
) {
  let i = 0
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req) => {
          const r = request()
          i++
          return { ...req, ...r, headers: { ...req.headers, ...r.headers } }
        },
      },
    ],
  })
  const errors = result.errors + result.non2xx
  return {
    title,
    rps: result.requests.average,
    p99: result.latency.p99,
    errors,
    total: result.requests.total,
    i,
  }
}

// Warm up the JIT of the server before measuring.
await load('warm-up', () => ({ method: 'GET', path: '/bare' }))
let k = 0
const code = () => info.codes[k++ % info.codes.length]
const bare = await load('bare hono JSON route', () => ({ method: 'GET', path: '/bare' }))
const tier = await load('GET /v1/enterprises/{code}/tier', () => ({
  method: 'GET',
  path: `/v1/enterprises/${code()}/tier?date=2025-03-01`,
  headers: auth,
}))
const quote = await load('POST /v1/quotes', () => ({
  method: 'POST',
  path: '/v1/quotes',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({
    creditCode: code(),
    resource: 'electricity',
    quantity: '120000',
    from: '2025-01-01',
    to: '2025-03-01',
  }),
}))
server.kill('SIGTERM')

const row = (r: typeof bare) =>
  `| ${r.title} | ${Math.round(r.rps).toLocaleString('en')} | ${r.p99} ms | ${(r.rps / bare.rps).toFixed(2)}× | ${(r.p99 / Math.max(bare.p99, 1)).toFixed(2)}× | ${r.errors} |`
process.stdout.write(
  [
    `mujun API benchmark — ${CONNECTIONS} connections, ${SECONDS} s per scenario, server on core 0, load on core 1, Node ${process.version}`,
    '| scenario | req/s | p99 | req/s vs bare | p99 vs bare | errors |',
    '|---|---|---|---|---|---|',
    row(bare),
    row(tier),
    row(quote),
    `targets: tier ≥ 0.70× req/s and ≤ 1.5× p99 → ${tier.rps / bare.rps >= 0.7 && tier.p99 <= 1.5 * Math.max(bare.p99, 1) ? 'met' : 'NOT met'}; quote ≥ 0.50× req/s → ${quote.rps / bare.rps >= 0.5 ? 'met' : 'NOT met'}`,
    '',
  ].join('\n'),
)
process.exit(0)
