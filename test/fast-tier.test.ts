// The server's direct path for tier lookups (src/http/fast-tier.ts) answers exactly as the app does. Two node servers
// over one test app, one with the direct path and one without, are asked the same requests: every demo firm on
// three days, each role's token in and out of its scope, every malformed part, other forms of the URL, a HEAD; the
// status, the body and the headers a client reads agree, and the direct path answered every plain 200 lookup and
// nothing else. A token revoked, or a firm's tier changed by an act, reaches the direct path's next answer. A real
// server process answers a lookup the direct path takes as it answers one the path leaves to the app.
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { fastTier, serverWith } from '../src/http/fast-tier.ts'
import { createTestApp, type TestApp } from './support/app.ts'
import { startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

let t: TestApp
let direct: string
let plain: string
let answered = 0
const servers: { close: () => void }[] = []

function listen(createServer?: ReturnType<typeof serverWith>): Promise<string> {
  return new Promise((resolve) => {
    const s = serve(
      { fetch: t.app.fetch, port: 0, hostname: '127.0.0.1', createServer },
      (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`),
    )
    servers.push(s)
  })
}

beforeAll(async () => {
  t = createTestApp({ size: 60 })
  const fast = fastTier(t.services)
  direct = await listen(
    serverWith((req, res) => {
      const done = fast(req, res)
      if (done) answered++
      return done
    }),
  )
  plain = await listen()
})
afterAll(async () => {
  for (const s of servers) s.close()
  await stopAll()
})

/** What a client reads of an answer. */
async function ask(base: string, path: string, token?: string, method = 'GET') {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: token === undefined ? {} : { authorization: token },
  })
  return {
    status: r.status,
    type: r.headers.get('content-type'),
    revision: r.headers.get('mujun-revision'),
    length: r.headers.get('content-length'),
    body: await r.text(),
  }
}

const firms = () =>
  t.store.listEnterprises({ limit: 1000, offset: 0 }).rows.map((r) => ({
    code: r.creditCode,
    county: r.county,
  }))

describe('the direct tier path', () => {
  it('answers as the app does, and only the lookups the app answers 200', async () => {
    const bearer = (token: string) => `Bearer ${token}`
    const all = firms()
    const own = all.find((f) => f.county === t.tokens.countyCode)!.code
    const other = all.find((f) => f.county !== t.tokens.countyCode)!.code
    const unknown = withCheckChar('91330200MA9YYY001')
    // Each request, with the status the app answers it: `taken` marks those the direct path answers.
    const cases: { path: string; token?: string; method?: string; status: number; taken?: true }[] =
      []
    const lookup = (code: string, query = '?date=2025-03-01') =>
      `/v1/enterprises/${code}/tier${query}`
    for (const f of all)
      for (const day of ['2025-03-01', '2026-01-01', '2024-12-31'])
        cases.push({
          path: lookup(f.code, `?date=${day}`),
          token: bearer(t.tokens.utility),
          status: 200,
          taken: true,
        })
    const utility = bearer(t.tokens.utility)
    cases.push(
      // Plain lookups of other roles, and without a date (today in Ningbo).
      { path: lookup(own, ''), token: utility, status: 200, taken: true },
      { path: lookup(own), token: bearer(t.tokens.county), status: 200, taken: true },
      {
        path: lookup(t.tokens.creditCode),
        token: bearer(t.tokens.enterprise),
        status: 200,
        taken: true,
      },
      { path: lookup(own), token: bearer(t.tokens.bureau), status: 200, taken: true },
      // Out of scope, unknown, malformed, no token: the app's problems.
      { path: lookup(other), token: bearer(t.tokens.county), status: 403 },
      { path: lookup(other), token: bearer(t.tokens.enterprise), status: 403 },
      { path: lookup(unknown), token: utility, status: 404 },
      { path: lookup(`${own.slice(0, 17)}X`), token: utility, status: 422 },
      { path: lookup(own.toLowerCase()), token: utility, status: 422 },
      { path: lookup(own, '?date=2025-13-01'), token: utility, status: 422 },
      { path: lookup(own, '?date=2025-3-1'), token: utility, status: 422 },
      { path: lookup(own, '?date='), token: utility, status: 422 },
      { path: lookup(own), status: 401 },
      { path: lookup(own), token: 'Basic abc', status: 401 },
      { path: lookup(own), token: bearer('mj_not-a-token'), status: 401 },
      // Other forms of the URL, which the direct path leaves to the app.
      { path: `${lookup(own)}&`, token: utility, status: 200 },
      { path: `${lookup(own)}&knownAt=${t.store.now()}`, token: utility, status: 200 },
      { path: lookup(`%39${own.slice(1)}`), token: utility, status: 200 },
      { path: `/v1/enterprises/${own}/tier/?date=2025-03-01`, token: utility, status: 404 },
      { path: lookup(own), token: utility, method: 'HEAD', status: 200 },
    )
    for (const [i, c] of cases.entries()) {
      // Either server first: the answer a lookup caches is then made by either path.
      const before = answered
      let x: Awaited<ReturnType<typeof ask>>
      let y: typeof x
      if (i % 2) {
        x = await ask(direct, c.path, c.token, c.method)
        y = await ask(plain, c.path, c.token, c.method)
      } else {
        y = await ask(plain, c.path, c.token, c.method)
        x = await ask(direct, c.path, c.token, c.method)
      }
      const what = `${c.method ?? 'GET'} ${c.path} ${c.token}`
      expect(x, what).toEqual(y)
      expect([y.status, answered - before], what).toEqual([c.status, c.taken ? 1 : 0])
    }
  })

  it('refuses a token at once when it is revoked, and answers the next revision after an act', async () => {
    const code = firms()[0].code
    const path = `/v1/enterprises/${code}/tier?date=2025-03-01`
    const made = await t.app.request('/v1/tokens', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.bureau}`, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'utility', label: 'fast-tier test' }),
    })
    expect(made.status).toBe(201)
    const { id, token } = (await made.json()) as { id: number; token: string }
    const before = await ask(direct, path, `Bearer ${token}`)
    expect(before.status).toBe(200)
    const revoked = await t.app.request(`/v1/tokens/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${t.tokens.bureau}` },
    })
    expect(revoked.status).toBe(200)
    const after = await ask(direct, path, `Bearer ${token}`)
    expect(after.status).toBe(401)
    // The revocation was an act: a lookup now names a later revision.
    const now = await ask(direct, path, `Bearer ${t.tokens.utility}`)
    expect(Number(now.revision)).toBeGreaterThan(Number(before.revision))
    expect(now).toEqual(await ask(plain, path, `Bearer ${t.tokens.utility}`))
  })

  it('is served by `npm start`: a real server answers a lookup it takes as one it leaves to the app', async () => {
    const dir = tempDir('fast-tier')
    const s = await startServer({ DB_PATH: join(dir, 'm.db') })
    const tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
    const list = JSON.parse(
      (await ask(s.base, '/v1/enterprises?limit=200', `Bearer ${tokens.bureau}`)).body,
    )
    expect(list.rows.length).toBeGreaterThanOrEqual(60)
    for (const { creditCode } of list.rows as { creditCode: string }[]) {
      const path = `/v1/enterprises/${creditCode}/tier?date=2025-03-01`
      const taken = await ask(s.base, path, `Bearer ${tokens.utility}`)
      expect(taken.status).toBe(200)
      // A trailing '&' is the same request to the app, and one the direct path leaves to it.
      expect(taken).toEqual(await ask(s.base, `${path}&`, `Bearer ${tokens.utility}`))
    }
    await s.stop()
  })
})
