import { beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/db/store.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { ningboTexts } from './support/rulebook.ts'

let t: TestApp
let other: string
beforeAll(() => {
  t = createTestApp({ size: 120 })
  other = t.store
    .listEnterprises({ limit: 200, offset: 0 })
    .rows.find((e) => e.county !== '330282')!.creditCode
})

const ALL: Role[] = ['bureau', 'county', 'utility', 'enterprise']
type Req = {
  method: string
  path: (own: string) => string
  body?: (own: string) => unknown
  raw?: string
  headers?: Record<string, string>
  allowed: Role[]
}

const ROUTES: Req[] = [
  { method: 'GET', path: (c) => `/v1/enterprises/${c}/tier?date=2025-03-01`, allowed: ALL },
  {
    method: 'POST',
    path: () => '/v1/tiers:batch',
    body: (c) => ({ date: '2025-03-01', creditCodes: [c] }),
    allowed: ['bureau', 'utility'],
  },
  {
    method: 'POST',
    path: () => '/v1/bills',
    body: (c) => [
      {
        creditCode: c,
        resource: 'electricity',
        quantity: '10',
        from: '2025-01-01',
        to: '2025-02-01',
      },
    ],
    allowed: ['bureau', 'utility'],
  },
  {
    method: 'POST',
    path: () => '/v1/quotes',
    body: (c) => ({
      creditCode: c,
      resource: 'electricity',
      quantity: 10,
      from: '2025-01-01',
      to: '2025-02-01',
    }),
    allowed: ALL,
  },
  {
    method: 'POST',
    path: () => '/v1/self-check',
    body: (c) => ({
      creditCode: c,
      county: '330282',
      industryCode: '3411',
      year: 2024,
      figures: { above_scale: false, land_mu: 5, tax: 3, electricity_kwh: 10000 },
    }),
    allowed: ALL,
  },
  { method: 'GET', path: () => '/v1/enterprises', allowed: ['bureau', 'county'] },
  {
    method: 'POST',
    path: () => '/v1/enterprises',
    body: (c) => ({ creditCode: c, name: 'x', county: '330282', industryCode: '3411' }),
    allowed: ['bureau'],
  },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}`,
    allowed: ['bureau', 'county', 'enterprise'],
  },
  {
    method: 'PUT',
    path: (c) => `/v1/enterprises/${c}`,
    body: () => ({ name: 'x', county: '330282', industryCode: '3411' }),
    allowed: ['bureau'],
  },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}/figures/2024`,
    allowed: ['bureau', 'county', 'enterprise'],
  },
  {
    method: 'PUT',
    path: (c) => `/v1/enterprises/${c}/figures/2024`,
    body: () => ({ land_mu: 1 }),
    allowed: ['bureau'],
  },
  {
    method: 'POST',
    path: () => '/v1/enterprises:import?year=2024',
    raw: 'credit_code,name,county_code,industry_code\n',
    headers: { 'content-type': 'text/csv' },
    allowed: ['bureau'],
  },
  { method: 'GET', path: () => '/v1/rulebook', allowed: ALL },
  { method: 'GET', path: () => '/v1/rulebook/versions', allowed: ALL },
  { method: 'GET', path: () => '/v1/rulebook/versions/1', allowed: ALL },
  {
    method: 'POST',
    path: () => '/v1/rulebook/versions',
    body: () => ({
      note: 'same',
      files: ningboTexts().filter((f) => !f.path.startsWith('counties/')),
    }),
    headers: { 'if-match': '"rb1.1"' },
    allowed: ['bureau'],
  },
  {
    method: 'POST',
    path: () => '/v1/evaluations',
    body: () => ({ year: 2024 }),
    allowed: ['bureau'],
  },
  { method: 'GET', path: () => '/v1/evaluations', allowed: ['bureau', 'county', 'utility'] },
  { method: 'GET', path: () => '/v1/evaluations/1', allowed: ['bureau', 'county', 'utility'] },
  { method: 'GET', path: () => '/v1/evaluations/1/results', allowed: ['bureau', 'county'] },
  { method: 'GET', path: () => '/v1/evaluations/1/results.csv', allowed: ['bureau', 'utility'] },
  { method: 'POST', path: () => '/v1/evaluations/1/publish', allowed: ['bureau'] },
  { method: 'POST', path: () => '/v1/evaluations/1/notice', allowed: ['bureau'] },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}/provisional?year=2024`,
    allowed: ['bureau', 'county', 'enterprise'],
  },
  {
    method: 'POST',
    path: () => '/v1/evaluations/1/objections',
    body: (c) => ({ creditCode: c, reason: 'the land area is wrong', evidence: 'deed' }),
    allowed: ['bureau', 'enterprise'],
  },
  {
    method: 'GET',
    path: () => '/v1/evaluations/1/objections',
    allowed: ['bureau', 'county', 'enterprise'],
  },
  {
    method: 'POST',
    path: () => '/v1/objections/1/decision',
    body: () => ({ upheld: false, reason: 'the figures stand' }),
    allowed: ['bureau'],
  },
  { method: 'GET', path: () => '/v1/overrides', allowed: ['bureau', 'county'] },
  {
    method: 'GET',
    path: () => '/v1/overrides/cixi_2024_electricity',
    allowed: ['bureau', 'county'],
  },
  {
    method: 'GET',
    path: () => '/v1/overrides/cixi_2024_electricity/preview?year=2024',
    allowed: ['bureau', 'county'],
  },
  {
    method: 'POST',
    path: () => '/v1/overrides/cixi_2024_electricity/approve',
    body: () => ({ ref: 'x' }),
    allowed: ['bureau'],
  },
  {
    method: 'POST',
    path: () => '/v1/overrides/cixi_2024_electricity/withdraw',
    body: () => ({ reason: 'x' }),
    allowed: ['bureau', 'county'],
  },
  { method: 'GET', path: () => '/v1/audit', allowed: ['bureau'] },
  { method: 'GET', path: () => '/v1/rulebook/versions/1/diff/1', allowed: ALL },
  { method: 'GET', path: () => '/v1/tokens', allowed: ['bureau'] },
  {
    method: 'POST',
    path: () => '/v1/tokens',
    body: () => ({ role: 'utility', label: 'matrix' }),
    allowed: ['bureau'],
  },
  {
    method: 'GET',
    path: () => '/v1/jobs/00000000-0000-4000-8000-000000000000',
    allowed: ['bureau'],
  },
  // A token id that does not exist: the demo tokens the other cases use stay valid.
  { method: 'DELETE', path: () => '/v1/tokens/999', allowed: ['bureau'] },
]

const cases = ROUTES.flatMap((r) =>
  [undefined, ...ALL].map((role) => ({
    ...r,
    role,
    name: `${r.method} ${r.path('{code}')} as ${role ?? 'no token'}`,
  })),
)

describe('role × route matrix', () => {
  it.each(cases)('$name', async (r) => {
    const own = t.tokens.creditCode
    const token = r.role ? t.tokens[r.role] : undefined
    const res = await call(t.app, r.method, r.path(own), {
      token,
      body: r.body?.(own),
      raw: r.raw,
      headers: r.headers,
    })
    if (!r.role) expect(res.status).toBe(401)
    else if (r.allowed.includes(r.role)) expect([401, 403]).not.toContain(res.status)
    else expect(res.status).toBe(403)
    if (res.status >= 400)
      expect(res.headers.get('content-type')).toContain('application/problem+json')
  })
})

describe('scopes', () => {
  it('a county token cannot read another county’s enterprise; an enterprise token only its own', async () => {
    for (const role of ['county', 'enterprise'] as const) {
      const res = await call(t.app, 'GET', `/v1/enterprises/${other}/tier`, {
        token: t.tokens[role],
      })
      expect(res.status).toBe(403)
    }
    expect(
      (await call(t.app, 'GET', `/v1/enterprises/${other}/tier`, { token: t.tokens.utility }))
        .status,
    ).toBe(200)
  })

  it('a county token lists only its own county', async () => {
    const res = await call(t.app, 'GET', '/v1/enterprises?county=330203&limit=1000', {
      token: t.tokens.county,
    })
    const body = (await res.json()) as { rows: { county: string }[] }
    expect(body.rows.length).toBeGreaterThan(0)
    expect(new Set(body.rows.map((r) => r.county))).toEqual(new Set(['330282']))
  })

  it('a wrong token is 401, and repeated failures are rate limited', async () => {
    const fresh = createTestApp({ size: 20 })
    const statuses: number[] = []
    for (let i = 0; i < 32; i++)
      statuses.push((await call(fresh.app, 'GET', '/v1/rulebook', { token: `wrong-${i}` })).status)
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(30)).toEqual([429, 429])
  })

  it('tokens are stored hashed, never in clear', () => {
    const rows = t.store.db.$client.prepare('select token_hash from api_tokens').all() as {
      token_hash: string
    }[]
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true)
    expect(JSON.stringify(rows)).not.toContain(t.tokens.bureau)
  })
})
