/**
 * The billing run (issue "City scale"): POST /v1/bills answers every request exactly as POST /v1/quotes answers it
 * alone, as NDJSON and as a JSON array; `mujun bill` does the same offline.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { parseCsv } from '../src/enterprise/csv.ts'
import { MAX_LINE } from '../src/http/routes/bills.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { type Server, startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

const UNKNOWN = withCheckChar('91330282MA2YYYYY1')
let t: TestApp
let codes: string[]
beforeAll(() => {
  t = createTestApp({ size: 120 })
  codes = t.store.population(2024).map((e) => e.creditCode)
})

const ndjson = (app: TestApp['app'], token: string, text: string) =>
  app.request('/v1/bills', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body: text,
  })

const lines = async (res: Response) =>
  (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))

/** A quote request, valid or not in every way the single route distinguishes. */
const request = () =>
  fc.record(
    {
      creditCode: fc.oneof(
        fc.constantFrom(...codes.slice(0, 30)),
        fc.constant(UNKNOWN),
        fc.constant('not-a-code'),
      ),
      resource: fc.constantFrom('electricity', 'water', 'gas', 'steam'),
      from: fc.oneof(
        fc
          .date({ min: new Date('2024-06-01'), max: new Date('2026-06-01'), noInvalidDate: true })
          .map((d) => d.toISOString().slice(0, 10)),
        fc.constant('2025-02-30'),
      ),
      to: fc
        .date({ min: new Date('2024-07-01'), max: new Date('2026-08-01'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      quantity: fc.oneof(
        fc.integer({ min: 0, max: 5_000_000 }).map(String),
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.constant('12.5'),
        fc.constant('-3'),
        fc.constant('1234567890123456'),
      ),
    },
    { requiredKeys: ['creditCode', 'resource', 'from', 'to'] },
  )

describe('POST /v1/bills', () => {
  it('every batched answer equals the single answer, as NDJSON and as a JSON array (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(request(), { minLength: 1, maxLength: 25 }), async (reqs) => {
        const single = await Promise.all(
          reqs.map(async (r) =>
            (await call(t.app, 'POST', '/v1/quotes', { token: t.tokens.utility, body: r })).json(),
          ),
        )
        const streamed = await ndjson(
          t.app,
          t.tokens.utility,
          reqs.map((r) => JSON.stringify(r)).join('\n'),
        )
        expect(streamed.status).toBe(200)
        expect(await lines(streamed)).toEqual(single)
        const array = await call(t.app, 'POST', '/v1/bills', {
          token: t.tokens.utility,
          body: reqs,
        })
        expect(await array.json()).toEqual(single)
      }),
      { numRuns: 40 },
    )
  })

  it('with the pricing snapshot built, the NDJSON answer is byte for byte the single answers’ bodies, a line each', async () => {
    await t.services.pricing.snapshots?.ready()
    expect(t.services.pricing.snapshots?.current(0)).toBeDefined()
    const reqs = codes.flatMap((creditCode, i) =>
      ['2025-03', '2025-10', '2026-01'].map((m) => ({
        creditCode,
        resource: i % 3 === 0 ? 'gas' : 'electricity',
        quantity: i % 2 ? String(1000 + i) : `${i}.${String(i * 7).padStart(3, '0')}`,
        from: `${m}-01`,
        to:
          m === '2026-01'
            ? '2026-02-01'
            : `2025-${String(Number(m.slice(5)) + 1).padStart(2, '0')}-01`,
      })),
    )
    const single: string[] = []
    for (const r of reqs)
      single.push(
        await (
          await call(t.app, 'POST', '/v1/quotes', { token: t.tokens.utility, body: r })
        ).text(),
      )
    const streamed = await ndjson(
      t.app,
      t.tokens.utility,
      reqs.map((r) => JSON.stringify(r)).join('\n'),
    )
    expect(await streamed.text()).toBe(`${single.join('\n')}\n`)
    // Not vacuous: bills with surcharge lines, whose labels and documents are Chinese (UTF-8 of several bytes).
    expect(
      single.filter((b) => b.includes('"lines":[{') && /[\u4e00-\u9fff]/.test(b)).length,
    ).toBeGreaterThan(20)
  })

  it('the answers include quotes and several kinds of error (the property is not vacuous)', async () => {
    const reqs = [
      {
        creditCode: codes[0],
        resource: 'electricity',
        from: '2025-03-01',
        to: '2025-04-01',
        quantity: '100000',
      },
      {
        creditCode: UNKNOWN,
        resource: 'electricity',
        from: '2025-03-01',
        to: '2025-04-01',
        quantity: '1',
      },
      {
        creditCode: codes[0],
        resource: 'electricity',
        from: '2025-02-30',
        to: '2025-04-01',
        quantity: '1',
      },
    ]
    const answers = await lines(
      await ndjson(t.app, t.tokens.utility, `${reqs.map((r) => JSON.stringify(r)).join('\n')}\n`),
    )
    expect(answers.map((a) => a.code ?? 'quote')).toEqual([
      'quote',
      'NOT_FOUND',
      'VALIDATION_FAILED',
    ])
    expect(answers[0].total).toMatch(/^\d+\.\d{2}$/)
  })

  it('a line that is not JSON gets the single route’s 400; blank lines are skipped; CRLF is accepted', async () => {
    const good = {
      creditCode: codes[1],
      resource: 'electricity',
      from: '2025-01-01',
      to: '2025-02-01',
      quantity: '5000',
    }
    const single = await (
      await t.app.request('/v1/quotes', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${t.tokens.utility}`,
          'content-type': 'application/json',
        },
        body: '{"creditCode":',
      })
    ).json()
    const answers = await lines(
      await ndjson(t.app, t.tokens.utility, `{"creditCode":\r\n\r\n${JSON.stringify(good)}\r\n`),
    )
    expect(answers).toHaveLength(2)
    expect(answers[0]).toEqual(single)
    expect(answers[0].status).toBe(400)
    expect([answers[1].creditCode, answers[1].total]).toEqual([good.creditCode, expect.any(String)])
  })

  it('an over-long line is answered with 413 in its place and the lines after it still are', async () => {
    const good = JSON.stringify({
      creditCode: codes[2],
      resource: 'electricity',
      from: '2025-01-01',
      to: '2025-02-01',
      quantity: '1',
    })
    const long = `{"creditCode":"${'x'.repeat(MAX_LINE * 3)}"}`
    const answers = await lines(
      await ndjson(t.app, t.tokens.utility, `${good}\n${long}\n${good}\n`),
    )
    expect(answers.map((a) => a.code ?? 'quote')).toEqual(['quote', 'BODY_TOO_LARGE', 'quote'])
  })

  it('a streamed body over the size limit: the lines read are answered, then one BODY_TOO_LARGE line', async () => {
    const small = createTestApp({ size: 60, maxBodyBytes: 10_000, maxImportBytes: 20_000 })
    const firm = small.store.population(2024)[0].creditCode
    const line = `${JSON.stringify({ creditCode: firm, resource: 'electricity', from: '2025-01-01', to: '2025-02-01', quantity: '1' })}\n`
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 300; i++) controller.enqueue(new TextEncoder().encode(line))
        controller.close()
      },
    })
    const res = await small.app.request('/v1/bills', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${small.tokens.utility}`,
        'content-type': 'application/x-ndjson',
      },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(200)
    const answers = await lines(res)
    const last = answers.pop()
    expect(last).toMatchObject({ status: 413, code: 'BODY_TOO_LARGE' })
    expect(answers.length).toBe(Math.floor(20_000 / line.length))
    expect(answers.every((a) => a.creditCode === firm)).toBe(true)
  })

  it('only bureau and utility tokens; a JSON array over 10,000 is refused whole; other types are 415', async () => {
    for (const token of [t.tokens.enterprise, t.tokens.county])
      expect((await ndjson(t.app, token, '{}')).status).toBe(403)
    const tooMany = Array.from({ length: 10_001 }, () => ({}))
    const res = await call(t.app, 'POST', '/v1/bills', { token: t.tokens.bureau, body: tooMany })
    expect(res.status).toBe(422)
    const csv = await t.app.request('/v1/bills', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.utility}`, 'content-type': 'text/csv' },
      body: 'a,b',
    })
    expect(csv.status).toBe(415)
  })
})

describe('POST /v1/bills on a real server', () => {
  let s: Server
  let tokens: DemoTokens
  let serverCodes: string[]
  beforeAll(async () => {
    const dir = tempDir('bills')
    s = await startServer({ DB_PATH: join(dir, 'm.db') })
    tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
    const list = await fetch(`${s.base}/v1/enterprises?limit=50`, {
      headers: { authorization: `Bearer ${tokens.bureau}` },
    })
    serverCodes = ((await list.json()) as { rows: { creditCode: string }[] }).rows.map(
      (e) => e.creditCode,
    )
  }, 60_000)
  afterAll(async () => {
    await s?.stop()
    stopAll()
  })

  it('streams the answers of a chunked 20,000-line body, one per line, in order', async () => {
    expect(serverCodes).toHaveLength(50)
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder()
        for (let i = 0; i < 20; i++) {
          let chunk = ''
          for (let j = 0; j < 1000; j++)
            chunk += `${JSON.stringify({ creditCode: serverCodes[(i * 1000 + j) % 50], resource: 'electricity', from: '2025-03-01', to: '2025-04-01', quantity: String(i * 1000 + j) })}\n`
          controller.enqueue(enc.encode(chunk))
        }
        controller.close()
      },
    })
    const res = await fetch(`${s.base}/v1/bills`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokens.utility}`,
        'content-type': 'application/x-ndjson',
      },
      body,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(200)
    const answers = await lines(res)
    expect(answers).toHaveLength(20_000)
    // Answer k is request k's: its own firm and quantity.
    for (const k of [0, 999, 1000, 12_345, 19_999])
      expect([answers[k].creditCode, answers[k].quantity]).toEqual([serverCodes[k % 50], String(k)])
  }, 60_000)
})

describe('mujun bill', () => {
  it('answers a requests CSV offline exactly as POST /v1/bills answers the same requests', async () => {
    const dir = tempDir('bill')
    const db = join(dir, 'm.db')
    const app = createTestApp({ size: 60, path: db })
    const firms = app.store.population(2024).map((e) => e.creditCode)
    const reqs = [
      ...firms.slice(0, 40).map((c, i) => ({
        creditCode: c,
        resource: ['electricity', 'water', 'gas'][i % 3],
        from: '2025-03-01',
        to: '2025-04-01',
        quantity: String(1000 * (i + 1)),
      })),
      {
        creditCode: UNKNOWN,
        resource: 'electricity',
        from: '2025-03-01',
        to: '2025-04-01',
        quantity: '1',
      },
      {
        creditCode: firms[0],
        resource: 'electricity',
        from: '2025-03-01',
        to: '2025-04-01',
        quantity: '-1',
      },
      {
        creditCode: firms[0],
        resource: 'steam',
        from: '2025-03-01',
        to: '2025-04-01',
        quantity: '1',
      },
    ]
    const csv = `credit_code,resource,from,to,quantity\n${reqs.map((r) => [r.creditCode, r.resource, r.from, r.to, r.quantity].join(',')).join('\n')}\n`
    writeFileSync(join(dir, 'req.csv'), csv)
    const out: string[] = []
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) }
    const code = await runCli(
      ['bill', '--db', db, '--in', join(dir, 'req.csv'), '--out', join(dir, 'bills.csv')],
      io,
    )
    expect(code, out.join('\n')).toBe(0)
    const answers = await lines(
      await ndjson(app.app, app.tokens.utility, reqs.map((r) => JSON.stringify(r)).join('\n')),
    )
    const rows = parseCsv(readFileSync(join(dir, 'bills.csv'), 'utf8')).slice(1)
    expect(rows).toHaveLength(reqs.length)
    const total = (r: string[]) => r[6]
    const errorCode = (r: string[]) => r[10]
    expect(rows.map((r) => [total(r), errorCode(r)])).toEqual(
      answers.map((a) => [a.total ?? '', a.code ?? '']),
    )
    expect(answers.filter((a) => a.code).map((a) => a.code)).toEqual([
      'NOT_FOUND',
      'VALIDATION_FAILED',
      expect.any(String),
    ])
    expect(out.at(-1)).toMatch(/answered 43 requests .* 40 quoted, 3 refused/)
  })
})
