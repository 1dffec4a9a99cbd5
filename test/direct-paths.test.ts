// The server's direct paths (src/http/direct-paths.ts) answer exactly as the app does. Two node servers over one test
// app, one with the direct paths and one without, are asked the same requests, and the status, the body and the
// headers a client reads agree:
// - tier lookups: every demo firm on three days, each role's token in and out of its scope, every malformed part,
//   other forms of the URL, a HEAD; the direct path answered every lookup the app answers 200 in the plain form and
//   nothing else;
// - quotes: every demo firm's monthly bills of 2025 for each resource, then the requests that are not plain bills
//   (another role, a quantity of zero, `knownAt`, malformed JSON, another media type, a chunked or a large body, no
//   token...); the direct path answered exactly the bills a template answers (PricingService.billTexts).
// A token revoked, or an act, reaches the direct path's next answer. A real server process answers the requests the
// direct paths take as it answers the same requests they leave to the app.
import { readFileSync } from 'node:fs'
import { type AddressInfo, connect } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { directPaths, serverWith } from '../src/http/direct-paths.ts'
import { createTestApp, principalOf, type TestApp } from './support/app.ts'
import { startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

let t: TestApp
let direct: string
let plain: string
/** Requests the direct paths answered themselves. */
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
  const paths = directPaths(t.services)
  direct = await listen(
    serverWith((req, res, next) => {
      let handedOn = false
      res.on('finish', () => {
        if (!handedOn) answered++
      })
      paths(req, res, () => {
        handedOn = true
        next()
      })
    }),
  )
  plain = await listen()
})
afterAll(async () => {
  for (const s of servers) s.close()
  await stopAll()
})

type Answer = Awaited<ReturnType<typeof ask>>
/** What a client reads of an answer. */
async function ask(
  base: string,
  path: string,
  token?: string,
  method = 'GET',
  body?: { text: string; type?: string; chunked?: true },
) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: token }),
      ...(body ? { 'content-type': body.type ?? 'application/json' } : {}),
    },
    body: body?.chunked
      ? new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode(body.text))
            c.close()
          },
        })
      : body?.text,
    ...(body?.chunked ? { duplex: 'half' } : {}),
  } as RequestInit)
  const answer = {
    status: r.status,
    type: r.headers.get('content-type'),
    revision: r.headers.get('mujun-revision'),
    length: r.headers.get('content-length'),
    body: await r.text(),
  }
  // The server's 'finish' of this answer (counted in `answered`) has run.
  await new Promise((done) => setImmediate(done))
  return answer
}

/**
 * A request written on a socket with `headers` exactly as given, repeated names included (node's client and fetch
 * would refuse or join them): its status and the text after the header block.
 */
function rawAsk(base: string, method: string, path: string, headers: string[], body = '') {
  const url = new URL(base)
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close']
  for (let i = 0; i < headers.length; i += 2) lines.push(`${headers[i]}: ${headers[i + 1]}`)
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    let text = ''
    const socket = connect(Number(url.port), url.hostname, () =>
      socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`),
    )
    socket.setEncoding('utf8')
    socket.on('data', (d) => {
      text += d
    })
    socket.on('error', reject)
    socket.on('end', () =>
      setImmediate(() =>
        resolve({
          status: Number(text.split(' ')[1]),
          body: text.slice(text.indexOf('\r\n\r\n') + 4),
        }),
      ),
    )
  })
}

/** Both servers' answers, either asked first (the answer a lookup caches is then made by either path). */
async function both(
  first: boolean,
  ...a: Parameters<typeof ask> extends [string, ...infer R] ? R : never
) {
  let x: Answer
  let y: Answer
  const before = answered
  if (first) {
    x = await ask(direct, ...a)
    y = await ask(plain, ...a)
  } else {
    y = await ask(plain, ...a)
    x = await ask(direct, ...a)
  }
  return { direct: x, app: y, taken: answered - before }
}

const firms = () =>
  t.store.listEnterprises({ limit: 1000, offset: 0 }).rows.map((r) => ({
    code: r.creditCode,
    county: r.county,
  }))

describe('the direct paths', () => {
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
      const r = await both(i % 2 === 1, c.path, c.token, c.method)
      const what = `${c.method ?? 'GET'} ${c.path} ${c.token}`
      expect(r.direct, what).toEqual(r.app)
      expect([r.app.status, r.taken], what).toEqual([c.status, c.taken ? 1 : 0])
    }
  })

  it('answers a plain bill as the app does, and only the bills a template answers', async () => {
    const utility = `Bearer ${t.tokens.utility}`
    // The quotes a template answers need this revision's pricing snapshot (after the requests' first look at it).
    t.store.sync()
    t.services.pricing.snapshots!.buildNow()
    const texts = t.services.pricing.billTexts(principalOf(t, t.tokens.utility))!
    expect(texts).toBeDefined()
    const month = (m: number) =>
      `${2025 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`
    let plainBills = 0
    let taken = 0
    const byResource: Record<string, number> = {}
    for (const [i, f] of firms().entries())
      for (const resource of ['electricity', 'water', 'gas'])
        for (const m of [0, 5, 11]) {
          const bill = {
            creditCode: f.code,
            resource,
            quantity: `${1000 + ((i * 7919 + m) % 90_000)}.${m}`,
            from: month(m),
            to: month(m + 1),
          }
          const r = await both(plainBills++ % 2 === 0, '/v1/quotes', utility, 'POST', {
            text: JSON.stringify(bill),
          })
          const what = JSON.stringify(bill)
          expect(r.direct, what).toEqual(r.app)
          // Taken exactly when the firm's template answers it (a firm the app refuses has none).
          expect(r.taken, what).toBe(texts(bill) === undefined ? 0 : 1)
          if (r.taken) expect(r.app.status, what).toBe(200)
          taken += r.taken
          byResource[resource] = (byResource[resource] ?? 0) + r.taken
        }
    // Most electricity and gas bills are templated; no water bill is (the above-quota surcharge reads the firm's
    // figures), nor those of firms a template cannot answer.
    const each = plainBills / 3
    expect(byResource.electricity).toBeGreaterThan(each / 2)
    expect(byResource.gas).toBeGreaterThan(each / 2)
    expect([byResource.water, taken]).toEqual([0, byResource.electricity + byResource.gas])

    const own = firms().find((f) => f.county === t.tokens.countyCode)!.code
    const bill = {
      creditCode: own,
      resource: 'electricity',
      quantity: '1200',
      from: '2025-03-01',
      to: '2025-04-01',
    }
    const text = (b: object) => ({ text: JSON.stringify(b) })
    const cases: [
      string,
      string | undefined,
      { text: string; type?: string; chunked?: true },
      number,
    ][] = [
      ['a plain bill', utility, text(bill), 200],
      ["the county's own firm", `Bearer ${t.tokens.county}`, text(bill), 200],
      ['the bureau', `Bearer ${t.tokens.bureau}`, text(bill), 200],
      ['a quantity of zero', utility, text({ ...bill, quantity: '0' }), 200],
      ['a negative quantity', utility, text({ ...bill, quantity: '-5' }), 422],
      ['as known at a moment', utility, text({ ...bill, knownAt: t.store.now() }), 200],
      ['a field missing', utility, text({ ...bill, resource: undefined }), 422],
      [
        'an unknown firm',
        utility,
        text({ ...bill, creditCode: withCheckChar('91330200MA9YYY001') }),
        404,
      ],
      ['a malformed code', utility, text({ ...bill, creditCode: `${own.slice(0, 17)}X` }), 422],
      ['malformed JSON', utility, { text: '{"creditCode":' }, 400],
      ['another media type', utility, { text: JSON.stringify(bill), type: 'text/plain' }, 415],
      ['a chunked body', utility, { text: JSON.stringify(bill), chunked: true }, 200],
      [
        'a body larger than a bill',
        utility,
        { text: JSON.stringify(bill) + ' '.repeat(20_000) },
        200,
      ],
      ['no token', undefined, text(bill), 401],
      ['an unknown token', 'Bearer mj_not-a-token', text(bill), 401],
      [
        'an enterprise',
        `Bearer ${t.tokens.enterprise}`,
        text({ ...bill, creditCode: t.tokens.creditCode }),
        200,
      ],
    ]
    for (const [i, [what, token, body, status]] of cases.entries()) {
      const r = await both(i % 2 === 0, '/v1/quotes', token, 'POST', body)
      expect(r.direct, what).toEqual(r.app)
      // Only the plain bill of a city-wide token is the direct path's.
      expect([r.app.status, r.taken], what).toEqual([status, i === 0 || i === 2 ? 1 : 0])
    }
  })

  it('answers a request that repeats a header it reads as the app does (both read the first)', async () => {
    const code = firms()[0].code
    const bill = JSON.stringify({
      creditCode: code,
      resource: 'electricity',
      quantity: '10',
      from: '2025-03-01',
      to: '2025-04-01',
    })
    const cases: [string, string, string[], string?][] = [
      [
        'GET',
        `/v1/enterprises/${code}/tier?date=2025-03-01`,
        [
          'authorization',
          `Bearer ${t.tokens.utility}`,
          'authorization',
          `Bearer ${t.tokens.county}`,
        ],
      ],
      [
        'POST',
        '/v1/quotes',
        [
          'authorization',
          `Bearer ${t.tokens.utility}`,
          'content-type',
          'application/json',
          'Content-Type',
          'text/plain',
          'content-length',
          String(Buffer.byteLength(bill)),
        ],
        bill,
      ],
    ]
    for (const [method, path, headers, body] of cases) {
      const x = await rawAsk(direct, method, path, headers, body)
      const y = await rawAsk(plain, method, path, headers, body)
      expect(x, path).toEqual(y)
      expect(y.status, path).toBe(200)
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

  it('is served by `npm start`: a real server answers what they take as what they leave to the app', async () => {
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
      // A plain bill, and the same bill sent chunked, which the direct path leaves to the app.
      const bill = JSON.stringify({
        creditCode,
        resource: 'electricity',
        quantity: '1234.5',
        from: '2025-03-01',
        to: '2025-04-01',
      })
      const quote = await ask(s.base, '/v1/quotes', `Bearer ${tokens.utility}`, 'POST', {
        text: bill,
      })
      const chunked = await ask(s.base, '/v1/quotes', `Bearer ${tokens.utility}`, 'POST', {
        text: bill,
        chunked: true,
      })
      expect(quote).toEqual(chunked)
    }
    await s.stop()
  })
})
