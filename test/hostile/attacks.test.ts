// Issue "Abuse resistance": the observations, replayed against a real server process (src/server.ts), each with
// the answer a hostile client now gets. Long work off the event loop is not covered here yet (see the issue).
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { withCheckChar } from '../../src/enterprise/credit-code.ts'
import { draftOverride } from '../support/overrides.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { tempDir } from '../support/tmp.ts'

let dir: string
let db: string
let s: Server
let tokens: DemoTokens

beforeAll(async () => {
  dir = tempDir('hostile')
  db = join(dir, 'm.db')
  s = await startServer({ DB_PATH: db })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 60_000)
afterAll(stopAll)

describe('1. memory does not grow per unique URL', () => {
  it('unique padded tier URLs leave the cache at one entry per firm and date', async () => {
    const url = `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01`
    expect((await api(s.base, 'GET', url, tokens.enterprise)).status).toBe(200)
    const before = (await api(s.base, 'GET', '/healthz')).body.cache
    const pad = 'x'.repeat(7000)
    for (let i = 0; i < 300; i++) {
      const r = await api(
        s.base,
        'GET',
        `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01&n=${i}&p=${pad}`,
        tokens.enterprise,
      )
      expect(r.status).toBe(200)
    }
    const after = (await api(s.base, 'GET', '/healthz')).body.cache
    // The answer is cached under the credit code and the date: a few entries, a few KB, whatever the URLs.
    expect(after).toEqual(before)
  })
})

describe('2. anonymous requests are refused before any work', () => {
  it('a /v1 request without a token is 401 whatever its body, before the body is validated', async () => {
    const big = JSON.stringify({ county: '330282', figures: { junk: 'y'.repeat(6_500_000) } })
    const res = await fetch(`${s.base}/v1/self-check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    })
    expect(res.status).toBe(401)
    const tier = await api(s.base, 'GET', '/v1/enterprises/not-a-code/tier')
    expect([tier.status, tier.body.code]).toEqual([401, 'UNAUTHORIZED'])
  })

  it('the anonymous self-check page is limited per address, with Retry-After', async () => {
    const form = new URLSearchParams({
      county: '330282',
      industryCode: '3411',
      year: '2024',
      land_mu: '10',
    })
    const statuses: number[] = []
    let retry: string | null = null
    for (let i = 0; i < 22; i++) {
      const res = await fetch(`${s.base}/self-check`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      })
      statuses.push(res.status)
      if (res.status === 429) retry = res.headers.get('retry-after')
      await res.arrayBuffer()
    }
    expect(statuses.slice(0, 20).every((x) => x === 200 || x === 422)).toBe(true)
    expect(statuses.slice(20)).toEqual([429, 429])
    expect(Number(retry)).toBeGreaterThan(0)
  })
})

describe('4. failed-login limiting', () => {
  it('30 bad tokens lock out bad tokens only: the valid one still passes; 429 says when to retry', async () => {
    for (let i = 0; i < 30; i++)
      expect((await api(s.base, 'GET', '/v1/rulebook/versions', `bad-${i}`)).status).toBe(401)
    const locked = await api(s.base, 'GET', '/v1/rulebook/versions', 'bad-again')
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await api(s.base, 'GET', '/v1/rulebook/versions', tokens.utility)).status).toBe(200)
  })

  it('/login is limited the same way, and a malformed form is 400', async () => {
    const login = (token: string) =>
      fetch(`${s.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
        redirect: 'manual',
      })
    // The API test above already counted 31 failures for this address.
    const guess = await login('guess')
    expect(guess.status).toBe(429)
    expect(Number(guess.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await login(tokens.bureau)).status).toBe(302)
    const broken = await fetch(`${s.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
      body: '--zzz\r\nContent-Disposition: form-data; name="token"\r\n\r\nabc',
    })
    expect(broken.status).toBe(400)
  })
})

describe('5. bad YAML is a 422 with its position', () => {
  beforeAll(async () => {
    const draft = draftOverride('cixi_yaml', '330282', '2027-01-01')
    expect(
      (await api(s.base, 'POST', '/v1/overrides', tokens.county, { text: draft })).status,
    ).toBe(201)
  })
  it.each([
    {
      name: 'a syntax error',
      text: 'override:\n  id: [unclosed\n',
      position: 'not valid YAML at line 3, column 1',
    },
    {
      name: 'an alias bomb',
      text: `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\noverride: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
    },
    { name: '5,000-deep nesting', text: `override: ${'['.repeat(5000)}${']'.repeat(5000)}\n` },
  ])('$name', async ({ text, position }: { text: string; position?: string }) => {
    for (const [method, path] of [
      ['POST', '/v1/overrides'],
      ['PUT', '/v1/overrides/cixi_yaml'],
    ] as const) {
      const r = await api(s.base, method, path, tokens.bureau, { text }, { 'if-match': '*' })
      expect(r.status, `${method} ${path}`).toBe(422)
      expect(r.body.code).toMatch(/RULEBOOK_INVALID|OVERRIDE_INVALID/)
    }
    const posted = await api(s.base, 'POST', '/v1/overrides', tokens.bureau, { text })
    if (position) expect(posted.body.detail).toContain(position)
  })
})

describe('6. numbers stay within their limits', () => {
  it('a quantity sent as the JSON number 1e308 is refused like a 16-digit string', async () => {
    for (const quantity of [1e308, '1234567890123456']) {
      const r = await api(s.base, 'POST', '/v1/quotes', tokens.utility, {
        creditCode: tokens.creditCode,
        resource: 'electricity',
        quantity,
        from: '2025-01-01',
        to: '2025-02-01',
      })
      expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_FAILED'])
    }
  })
})

describe('7. small leaks', () => {
  it('an enterprise token gets 403 for any other code, registered or not (tier and provenance)', async () => {
    const unknown = withCheckChar('91330282MA2YYYYY1')
    const other = (
      await api(s.base, 'GET', '/v1/enterprises?limit=50', tokens.bureau)
    ).body.rows.find((e: { creditCode: string }) => e.creditCode !== tokens.creditCode).creditCode
    for (const code of [unknown, other])
      for (const what of ['tier', 'provenance']) {
        const r = await api(
          s.base,
          'GET',
          `/v1/enterprises/${code}/${what}?date=2025-03-01`,
          tokens.enterprise,
        )
        expect(r.status, `${what} ${code}`).toBe(403)
      }
    // Its own provenance names who published the run its class rests on.
    const own = await api(
      s.base,
      'GET',
      `/v1/enterprises/${tokens.creditCode}/provenance?date=2025-03-01`,
      tokens.enterprise,
    )
    expect(own.status).toBe(200)
    expect(own.body.evaluation.publishedBy).toEqual(expect.any(String))
  })

  it('a county token gets 403 for any override id not its own, existing or not', async () => {
    for (const id of ['yuyao_2026_gas', 'no_such_override'])
      expect((await api(s.base, 'GET', `/v1/overrides/${id}`, tokens.county)).status).toBe(403)
    const mine = await api(s.base, 'POST', '/v1/overrides', tokens.county, {
      text: draftOverride('cixi_hostile', '330282', '2027-01-01'),
    })
    expect(mine.status).toBe(201)
  })

  it('the database file is 0600, and tokens are not printed when the output is not a terminal', () => {
    expect(statSync(db).mode & 0o777).toBe(0o600)
    expect(s.lines.join('\n')).not.toContain('mj_')
    expect(s.lines.join('\n')).toContain(`demo tokens: in ${join(dir, 'demo-tokens.json')}`)
  })

  it('the import route takes text/csv only', async () => {
    const r = await fetch(`${s.base}/v1/enterprises:import?year=2024`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.bureau}`, 'content-type': 'application/json' },
      body: 'credit_code,name,county_code,industry_code\n',
    })
    expect(r.status).toBe(415)
  })
})
