/**
 * `npm run profile:api -- tier|quote [seconds]`: the benchmark server under `node --cpu-prof`, loaded with one
 * scenario, then the functions with the most self time (where a request's time goes, measured, not guessed).
 */
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import { startBenchServer } from './start-server.ts'

const scenario = process.argv[2] === 'quote' ? 'quote' : 'tier'
const seconds = Number(process.argv[3] ?? 8)
const dir = mkdtempSync(join(tmpdir(), 'mujun-prof-'))
const {
  process: server,
  base,
  token,
  codes,
} = await startBenchServer(['--cpu-prof', `--cpu-prof-dir=${dir}`])
let i = 0
const request = () => {
  const code = codes[i++ % codes.length]
  if (scenario === 'tier')
    return { method: 'GET' as const, path: `/v1/enterprises/${code}/tier?date=2025-03-01` }
  const month = 1 + (i % 12)
  return {
    method: 'POST' as const,
    path: '/v1/quotes',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      creditCode: code,
      resource: 'electricity',
      quantity: String(10_000 + (i % 5000)),
      from: `2025-${String(month).padStart(2, '0')}-01`,
      to: month === 12 ? '2026-01-01' : `2025-${String(month + 1).padStart(2, '0')}-01`,
    }),
  }
}
const auth = { authorization: `Bearer ${token}` }
const result = await autocannon({
  url: base,
  connections: 50,
  duration: seconds,
  requests: [
    {
      setupRequest: (req) => {
        const r = request()
        return { ...req, ...r, headers: { ...req.headers, ...auth, ...r.headers } }
      },
    },
  ],
})
server.kill('SIGTERM')
await once(server, 'exit')

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
  endTime: number
  startTime: number
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const self = new Map<string, number>()
// Only the load window counts, not start-up and the demo seeding before it.
let at = profile.startTime
const from = profile.endTime - seconds * 1e6
const inWindow: number[] = []
profile.samples.forEach((id, k) => {
  at += profile.timeDeltas[k]
  if (at >= from) inWindow.push(id)
})
for (const id of inWindow) {
  const f = byId.get(id)!.callFrame
  const where = f.url.replace(/^.*\/(node_modules|src)\//, '$1/')
  const key = `${f.functionName || '(anonymous)'}  ${where}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + 1)
}
const total = inWindow.length
process.stdout.write(
  `${scenario}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx; ${total} samples; top self time:\n`,
)
for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30))
  process.stdout.write(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${k}\n`)
process.stdout.write(`profile: ${join(dir, file)}\n`)
