import { beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../src/principal.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { ningboTexts } from './support/rulebook.ts'

let t: TestApp
let other: string
/** A demo project and disposition of the demo county (慈溪 330282), and a disposition of another county. */
let project: number
let disposition: number
let foreignDisposition: number
beforeAll(() => {
  t = createTestApp({ size: 120 })
  other = t.store
    .listEnterprises({ limit: 200, offset: 0 })
    .rows.find((e) => e.county !== '330282')!.creditCode
  const economy = t.services.tokens.principal(t.tokens.economy)!
  project = t.services.programme.listProjects(economy, { county: '330282' })[0].id
  disposition = t.services.programme.projectDetail(economy, project).dispositions[0].id
  const elsewhere = t.services.programme.listProjects(economy, { county: '330203' })[0].id
  foreignDisposition = t.services.programme.projectDetail(economy, elsewhere).dispositions[0].id
})

const ALL: Role[] = ['bureau', 'economy', 'county', 'utility', 'enterprise', 'observer']
/** The city's offices: the pricing bureau (发改), the economy-and-IT office (经信), read-only departments. */
const CITY: Role[] = ['bureau', 'economy', 'observer']
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
  { method: 'GET', path: (c) => `/v1/enterprises/${c}/classes`, allowed: ALL },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}/provenance?date=2025-03-01`,
    allowed: ALL,
  },
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
  { method: 'GET', path: () => '/v1/enterprises', allowed: [...CITY, 'county'] },
  {
    method: 'POST',
    path: () => '/v1/enterprises',
    body: (c) => ({ creditCode: c, name: 'x', county: '330282', industryCode: '3411' }),
    allowed: ['bureau', 'economy'],
  },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}`,
    allowed: [...CITY, 'county', 'enterprise'],
  },
  {
    method: 'PUT',
    path: (c) => `/v1/enterprises/${c}`,
    body: () => ({ name: 'x', county: '330282', industryCode: '3411' }),
    allowed: ['bureau', 'economy'],
  },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}/figures/2024`,
    allowed: [...CITY, 'county', 'enterprise'],
  },
  {
    method: 'PUT',
    path: (c) => `/v1/enterprises/${c}/figures/2024`,
    body: () => ({ land_mu: 1 }),
    allowed: ['bureau', 'economy'],
  },
  {
    method: 'POST',
    path: () => '/v1/enterprises:import?year=2024',
    raw: 'credit_code,name,county_code,industry_code\n',
    headers: { 'content-type': 'text/csv' },
    allowed: ['bureau', 'economy'],
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
    allowed: ['economy'],
  },
  { method: 'GET', path: () => '/v1/evaluations', allowed: [...CITY, 'county', 'utility'] },
  { method: 'GET', path: () => '/v1/evaluations/1', allowed: [...CITY, 'county', 'utility'] },
  { method: 'GET', path: () => '/v1/evaluations/1/results', allowed: [...CITY, 'county'] },
  { method: 'GET', path: () => '/v1/evaluations/1/results.csv', allowed: [...CITY, 'utility'] },
  { method: 'POST', path: () => '/v1/evaluations/1/publish', allowed: ['economy'] },
  { method: 'POST', path: () => '/v1/evaluations/1/notice', allowed: ['economy'] },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}/provisional?year=2024`,
    allowed: [...CITY, 'county', 'enterprise'],
  },
  {
    method: 'POST',
    path: () => '/v1/evaluations/1/objections',
    body: (c) => ({ creditCode: c, reason: 'the land area is wrong', evidence: 'deed' }),
    allowed: ['economy', 'enterprise'],
  },
  {
    method: 'GET',
    path: () => '/v1/evaluations/1/objections',
    allowed: [...CITY, 'county', 'enterprise'],
  },
  {
    method: 'POST',
    path: () => '/v1/objections/1/decision',
    body: () => ({ upheld: false, reason: 'the figures stand' }),
    allowed: ['economy'],
  },
  { method: 'GET', path: () => '/v1/overrides', allowed: [...CITY, 'county'] },
  {
    method: 'GET',
    path: () => '/v1/overrides/cixi_2024_electricity',
    allowed: [...CITY, 'county'],
  },
  {
    method: 'GET',
    path: () => '/v1/overrides/cixi_2024_electricity/preview?year=2024',
    allowed: [...CITY, 'county'],
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
  { method: 'GET', path: () => '/v1/audit', allowed: ['bureau', 'economy'] },
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
    allowed: ['bureau', 'economy'],
  },
  // A token id that does not exist: the demo tokens the other cases use stay valid.
  { method: 'DELETE', path: () => '/v1/tokens/999', allowed: ['bureau'] },
  // The rectification programme: counties keep their records; the city's offices read; 经信 fixes the fund.
  {
    method: 'POST',
    path: () => '/v1/projects',
    body: () => ({
      county: '330282',
      year: 2017,
      kind: 'sector',
      name: '矩阵测试项目',
      township: '观海卫镇',
      startsOn: '2017-01-01',
      endsOn: '2017-12-31',
    }),
    allowed: ['county'],
  },
  { method: 'GET', path: () => '/v1/projects', allowed: [...CITY, 'county'] },
  { method: 'GET', path: () => `/v1/projects/${project}`, allowed: [...CITY, 'county'] },
  {
    method: 'PATCH',
    path: () => `/v1/projects/${project}`,
    body: () => ({ township: '观海卫镇' }),
    headers: { 'if-match': '"p1"' },
    allowed: ['county'],
  },
  {
    method: 'POST',
    path: () => `/v1/projects/${project}/dispositions`,
    body: (c) => ({ creditCode: c, kind: 'compliance', deadline: '2017-12-31' }),
    allowed: ['county'],
  },
  {
    method: 'PATCH',
    path: () => `/v1/dispositions/${disposition}`,
    body: () => ({ evidence: '补充验收材料' }),
    headers: { 'if-match': '"d1"' },
    allowed: ['county'],
  },
  {
    method: 'POST',
    path: () => `/v1/projects/${project}/dispositions:import`,
    raw: 'credit_code,kind,deadline\n',
    headers: { 'content-type': 'text/csv' },
    allowed: ['county'],
  },
  {
    method: 'POST',
    path: () => `/v1/dispositions/${disposition}/verify`,
    body: () => ({}),
    headers: { 'if-match': '"d1"' },
    allowed: ['economy'],
  },
  {
    method: 'GET',
    path: (c) => `/v1/enterprises/${c}/dispositions`,
    allowed: [...CITY, 'county', 'enterprise'],
  },
  { method: 'GET', path: () => '/v1/programme/progress', allowed: [...CITY, 'county'] },
  { method: 'GET', path: () => '/v1/programme/lists/2016', allowed: [...CITY, 'county'] },
  {
    method: 'GET',
    path: () => '/v1/programme/reports?quarter=2016Q1',
    allowed: [...CITY, 'county'],
  },
  {
    method: 'GET',
    path: () => '/v1/programme/reports/330282/2016Q1',
    allowed: [...CITY, 'county'],
  },
  {
    method: 'GET',
    path: () => '/v1/programme/reports/330282/2016Q1/report.csv',
    allowed: [...CITY, 'county'],
  },
  {
    method: 'POST',
    path: () => '/v1/programme/reports/330282/2016Q1',
    body: () => ({ submittedOn: '2016-04-08', historicReason: 'the matrix resubmits' }),
    allowed: ['county'],
  },
  { method: 'GET', path: () => '/v1/programme/backdate-requests', allowed: [...CITY, 'county'] },
  {
    method: 'POST',
    path: () => '/v1/programme/backdate-requests/1/decision',
    body: () => ({ decision: 'refused', reason: 'the matrix decides nothing' }),
    allowed: ['economy'],
  },
  { method: 'GET', path: () => '/v1/funds/2017/preview', allowed: [...CITY, 'county'] },
  { method: 'POST', path: () => '/v1/funds/2017', allowed: ['economy'] },
  { method: 'GET', path: () => '/v1/funds/2015', allowed: [...CITY, 'county'] },
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

  it('a county keeps only its own programme records; an enterprise reads only its own', async () => {
    const county = t.tokens.county
    const elsewhere = await call(t.app, 'POST', '/v1/projects', {
      token: county,
      body: {
        county: '330203',
        year: 2017,
        kind: 'sector',
        name: '别县项目',
        township: 'x',
        startsOn: '2017-01-01',
        endsOn: '2017-12-31',
      },
    })
    expect(elsewhere.status).toBe(403)
    const foreign = await call(t.app, 'PATCH', `/v1/dispositions/${foreignDisposition}`, {
      token: county,
      body: { evidence: 'not mine' },
      headers: { 'if-match': '"d1"' },
    })
    expect(foreign.status).toBe(403)
    const read = await call(t.app, 'GET', '/v1/programme/reports/330203/2016Q1', { token: county })
    expect(read.status).toBe(403)
    const list = (await (
      await call(t.app, 'GET', '/v1/projects?county=330282', { token: county })
    ).json()) as { rows: { county: string }[] }
    expect(new Set(list.rows.map((r) => r.county))).toEqual(new Set(['330282']))
    expect(
      (
        await call(t.app, 'GET', `/v1/enterprises/${other}/dispositions`, {
          token: t.tokens.enterprise,
        })
      ).status,
    ).toBe(403)
    // A read-only department changes nothing, whatever it sends.
    expect(
      (
        await call(t.app, 'PATCH', `/v1/dispositions/${disposition}`, {
          token: t.tokens.observer,
          body: { evidence: 'x' },
          headers: { 'if-match': '"d1"' },
        })
      ).status,
    ).toBe(403)
  })

  it('tokens are stored hashed, never in clear', () => {
    const rows = t.store.db.$client.prepare('select token_hash from api_tokens').all() as {
      token_hash: string
    }[]
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true)
    expect(JSON.stringify(rows)).not.toContain(t.tokens.bureau)
  })
})
