// Every core serving: a server started with WORKERS=2 answers from two processes over the one database. A write
// made through either (a county override filed through one worker, another through the other) is seen by the next
// read through the other, in the tier and in the change feed; a job started through one is polled through the
// other (jobs run in one process). Each client keeps one connection, so each talks to one worker, named by the
// answer's `mujun-worker` header.

import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ningboDate } from '../src/dates.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { untilNingboDayHasRoom } from './support/clock.ts'
import { draftOverride } from './support/overrides.ts'
import { type Server, startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

interface Answer {
  status: number
  worker: string | undefined
  body: any
}

/**
 * A client on one kept-alive connection, standing for the worker that answered it first. The server closes a
 * connection idle for 5 s (a loaded machine makes the other client's steps that slow); the next one may be accepted
 * by the other worker: a read answered there is sent again on a new connection until this client's worker answers.
 */
function client(base: string) {
  let agent = new Agent({ keepAlive: true, maxSockets: 1 })
  let worker: string | undefined
  const url = new URL(base)
  const send = async (
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    for (let i = 0; ; i++) {
      const r = await sendOnce(method, path, token, body, headers)
      worker ??= r.worker
      if (method !== 'GET' || r.worker === worker || i >= 20) return r
      agent.destroy()
      agent = new Agent({ keepAlive: true, maxSockets: 1 })
    }
  }
  const sendOnce = (
    method: string,
    path: string,
    token: string,
    body: unknown,
    headers: Record<string, string>,
  ) =>
    new Promise<Answer>((resolve, reject) => {
      const text = body === undefined ? undefined : JSON.stringify(body)
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${token}`,
            ...(text && {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(text),
            }),
            ...headers,
          },
        },
        (res) => {
          let data = ''
          res.setEncoding('utf8')
          res.on('data', (d) => {
            data += d
          })
          res.on('end', () => {
            let json: unknown = data
            try {
              json = JSON.parse(data)
            } catch {}
            resolve({
              status: res.statusCode!,
              worker: res.headers['mujun-worker'] as string | undefined,
              body: json,
            })
          })
        },
      )
      req.on('error', reject)
      req.end(text)
    })
  return { send, close: () => agent.destroy() }
}

let s: Server
let tokens: DemoTokens
let a: ReturnType<typeof client>
let b: ReturnType<typeof client>
let wa: string
let wb: string
let today: string
let firm: string

beforeAll(async () => {
  await untilNingboDayHasRoom(5 * 60_000)
  const dir = tempDir('workers')
  s = await startServer({ DB_PATH: join(dir, 'm.db'), WORKERS: '2' })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
  today = ningboDate()
  // Two clients answered by two different workers.
  const clients = Array.from({ length: 4 }, () => client(s.base))
  const seen = new Map<string, ReturnType<typeof client>>()
  for (const c of clients) {
    const r = await c.send('GET', '/v1/tiers/changes', tokens.utility)
    expect(r.status).toBe(200)
    if (!seen.has(r.worker!)) seen.set(r.worker!, c)
  }
  expect(seen.size).toBe(2)
  ;[[wa, a], [wb, b]] = [...seen]
  // A 慈溪 firm of class C (the override below prices it).
  const list = await a.send('GET', '/v1/enterprises?county=330282&limit=200', tokens.bureau)
  for (const e of list.body.rows as { creditCode: string }[]) {
    const t = await a.send(
      'GET',
      `/v1/enterprises/${e.creditCode}/tier?date=${today}`,
      tokens.utility,
    )
    if (t.body.class === 'C') {
      firm = e.creditCode
      break
    }
  }
  expect(firm).toBeDefined()
}, 180_000)

afterAll(async () => {
  a?.close()
  b?.close()
  await s?.stop()
  stopAll()
})

/** The county proposes, submits and files, the bureau approves: each step through `c`, answered by `worker`. */
async function fileOverride(
  c: ReturnType<typeof client>,
  worker: string,
  id: string,
  text: string,
) {
  const steps: [string, string, string, unknown][] = [
    ['POST', '/v1/overrides', tokens.county, { text }],
    ['POST', `/v1/overrides/${id}/submit`, tokens.county, {}],
    ['POST', `/v1/overrides/${id}/approve`, tokens.bureau, { ref: `甬政函〔试〕${id}` }],
    ['POST', `/v1/overrides/${id}/file`, tokens.county, { ref: `浙发改备〔试〕${id}` }],
  ]
  for (const [method, path, token, body] of steps) {
    const r = await c.send(method, path, token, body)
    expect([r.status, r.worker], `${path}: ${JSON.stringify(r.body)}`).toEqual([
      path === '/v1/overrides' ? 201 : 200,
      worker,
    ])
  }
}

const rate = (t: Answer, resource: string) =>
  (t.body.rates as { resource: string; rate: string }[]).find((r) => r.resource === resource)?.rate

describe('two workers over one database', () => {
  it('a write through one is read through the other at once, in the tier and the change feed', async () => {
    const since = (await b.send('GET', '/v1/tiers/changes', tokens.utility)).body.cursor
    const before = await b.send('GET', `/v1/enterprises/${firm}/tier?date=${today}`, tokens.utility)
    expect(rate(before, 'electricity')).not.toBe('0.3')
    // Warm both workers' caches on the answer before the write.
    await a.send('GET', `/v1/enterprises/${firm}/tier?date=${today}`, tokens.utility)

    await fileOverride(a, wa, 'cixi_workers_e', draftOverride('cixi_workers_e', '330282', today))
    const after = await b.send('GET', `/v1/enterprises/${firm}/tier?date=${today}`, tokens.utility)
    expect(after.worker).toBe(wb)
    expect(rate(after, 'electricity')).toBe('0.3')
    const feed = await b.send('GET', `/v1/tiers/changes?since=${since}`, tokens.utility)
    expect(feed.worker).toBe(wb)
    const mine = feed.body.changes.find((c: any) => c.creditCode === firm)
    expect(mine.why.map((w: any) => w.kind)).toEqual(['override'])

    // And the other way: through the second worker, read through the first.
    const gasBefore = await a.send(
      'GET',
      `/v1/enterprises/${firm}/tier?date=${today}`,
      tokens.utility,
    )
    expect(rate(gasBefore, 'gas')).not.toBe('0.3')
    await fileOverride(
      b,
      wb,
      'cixi_workers_g',
      draftOverride('cixi_workers_g', '330282', today, { resource: 'gas' }),
    )
    const gas = await a.send('GET', `/v1/enterprises/${firm}/tier?date=${today}`, tokens.utility)
    expect([gas.worker, rate(gas, 'gas'), rate(gas, 'electricity')]).toEqual([wa, '0.3', '0.3'])
  })

  it('a token revoked through one is refused by the other at once, on the direct tier path too', async () => {
    const made = await a.send('POST', '/v1/tokens', tokens.bureau, {
      role: 'utility',
      label: 'revoked across workers',
    })
    expect([made.status, made.worker]).toEqual([201, wa])
    const path = `/v1/enterprises/${firm}/tier?date=${today}`
    // Known to the other worker (its token cache holds it) before it is revoked.
    const before = await b.send('GET', path, made.body.token)
    expect([before.status, before.worker]).toEqual([200, wb])
    const revoked = await a.send('DELETE', `/v1/tokens/${made.body.id}`, tokens.bureau)
    expect([revoked.status, revoked.worker]).toEqual([200, wa])
    const after = await b.send('GET', path, made.body.token)
    expect([after.status, after.worker]).toEqual([401, wb])
  })

  it('a job started through one worker is polled through the other (jobs run in one process)', async () => {
    const started = await a.send(
      'POST',
      '/v1/evaluations',
      tokens.economy,
      { year: 2024 },
      {
        prefer: 'respond-async',
      },
    )
    expect(started.status).toBe(202)
    const id = started.body.id as string
    let job: Answer
    for (let i = 0; ; i++) {
      job = await b.send('GET', `/v1/jobs/${id}`, tokens.economy)
      expect(job.status).toBe(200)
      if (job.body.status !== 'running' || i > 200) break
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(job.body).toMatchObject({ id, kind: 'evaluate', status: 'done' })
  })
})

describe('the failed-login limit across workers', () => {
  it('counts one client’s bad tokens against one limit, however the workers share its connections', async () => {
    // 30 failures a minute per client (AuthFailureLimiter): each of two workers allows half, so a client alternating
    // between them is refused (429) after 30 failures in all, not 30 at each.
    let refusedBefore = 0
    for (let i = 0; i < 70; i++) {
      const r = await (i % 2 ? b : a).send('GET', '/v1/tiers/changes', `bad-token-${i}`)
      if (r.status === 429) break
      expect(r.status).toBe(401)
      refusedBefore++
    }
    expect(refusedBefore).toBeLessThanOrEqual(30)
    expect(refusedBefore).toBeGreaterThanOrEqual(28)
    // A valid token still passes.
    expect((await a.send('GET', '/v1/tiers/changes', tokens.utility)).status).toBe(200)
  })
})
