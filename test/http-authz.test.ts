import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { ACTIONS, COLUMNS, permissionsMarkdown, rolesFor } from '../src/app/permissions.ts'
import { ROLES } from '../src/db/schema.ts'
import { ROUTE_ACTIONS } from '../src/http/route-actions.ts'
import type { Role } from '../src/principal.ts'
import { PAGE_ACTIONS } from '../src/web/page-actions.ts'
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

type Req = {
  /** The route as registered (`METHOD path`), a key of ROUTE_ACTIONS. */
  route: string
  path: (own: string) => string
  body?: (own: string) => unknown
  raw?: string
  headers?: Record<string, string>
}

const ROUTES: Req[] = [
  {
    path: (c) => `/v1/enterprises/${c}/tier?date=2025-03-01`,
    route: 'GET /v1/enterprises/:creditCode/tier',
  },
  { path: (c) => `/v1/enterprises/${c}/classes`, route: 'GET /v1/enterprises/:creditCode/classes' },
  {
    path: (c) => `/v1/enterprises/${c}/provenance?date=2025-03-01`,
    route: 'GET /v1/enterprises/:creditCode/provenance',
  },
  {
    path: () => '/v1/tiers:batch',
    body: (c) => ({ date: '2025-03-01', creditCodes: [c] }),
    route: 'POST /v1/tiers:batch',
  },
  {
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
    route: 'POST /v1/bills',
  },
  {
    path: () => '/v1/quotes',
    body: (c) => ({
      creditCode: c,
      resource: 'electricity',
      quantity: 10,
      from: '2025-01-01',
      to: '2025-02-01',
    }),
    route: 'POST /v1/quotes',
  },
  {
    path: () => '/v1/self-check',
    body: (c) => ({
      creditCode: c,
      county: '330282',
      industryCode: '3411',
      year: 2024,
      figures: { above_scale: false, land_mu: 5, tax: 3, electricity_kwh: 10000 },
    }),
    route: 'POST /v1/self-check',
  },
  { path: () => '/v1/enterprises', route: 'GET /v1/enterprises' },
  {
    path: () => '/v1/enterprises',
    body: (c) => ({ creditCode: c, name: 'x', county: '330282', industryCode: '3411' }),
    route: 'POST /v1/enterprises',
  },
  {
    path: (c) => `/v1/enterprises/${c}`,
    route: 'GET /v1/enterprises/:creditCode',
  },
  {
    path: (c) => `/v1/enterprises/${c}`,
    body: () => ({ name: 'x', county: '330282', industryCode: '3411' }),
    route: 'PUT /v1/enterprises/:creditCode',
  },
  {
    path: (c) => `/v1/enterprises/${c}/figures/2024`,
    route: 'GET /v1/enterprises/:creditCode/figures/:year',
  },
  {
    path: (c) => `/v1/enterprises/${c}/figures/2024`,
    body: () => ({ land_mu: 1 }),
    route: 'PUT /v1/enterprises/:creditCode/figures/:year',
  },
  {
    path: () => '/v1/enterprises:import?year=2024',
    raw: 'credit_code,name,county_code,industry_code\n',
    headers: { 'content-type': 'text/csv' },
    route: 'POST /v1/enterprises:import',
  },
  { path: () => '/v1/rulebook', route: 'GET /v1/rulebook' },
  { path: () => '/v1/rulebook/versions', route: 'GET /v1/rulebook/versions' },
  { path: () => '/v1/rulebook/versions/1', route: 'GET /v1/rulebook/versions/:id' },
  {
    path: () => '/v1/rulebook/versions',
    body: () => ({
      note: 'same',
      files: ningboTexts().filter((f) => !f.path.startsWith('counties/')),
    }),
    headers: { 'if-match': '"rb1.1"' },
    route: 'POST /v1/rulebook/versions',
  },
  {
    path: () => '/v1/evaluations',
    body: () => ({ year: 2024 }),
    route: 'POST /v1/evaluations',
  },
  { path: () => '/v1/evaluations', route: 'GET /v1/evaluations' },
  { path: () => '/v1/evaluations/1', route: 'GET /v1/evaluations/:id' },
  { path: () => '/v1/evaluations/1/results', route: 'GET /v1/evaluations/:id/results' },
  { path: () => '/v1/evaluations/1/results.csv', route: 'GET /v1/evaluations/:id/results.csv' },
  { path: () => '/v1/evaluations/1/publish', route: 'POST /v1/evaluations/:id/publish' },
  { path: () => '/v1/evaluations/1/notice', route: 'POST /v1/evaluations/:id/notice' },
  {
    path: (c) => `/v1/enterprises/${c}/provisional?year=2024`,
    route: 'GET /v1/enterprises/:creditCode/provisional',
  },
  {
    path: () => '/v1/evaluations/1/objections',
    body: (c) => ({ creditCode: c, reason: 'the land area is wrong', evidence: 'deed' }),
    route: 'POST /v1/evaluations/:id/objections',
  },
  {
    path: () => '/v1/evaluations/1/objections',
    route: 'GET /v1/evaluations/:id/objections',
  },
  {
    path: () => '/v1/objections/1/decision',
    body: () => ({ upheld: false, reason: 'the figures stand' }),
    route: 'POST /v1/objections/:id/decision',
  },
  { path: () => '/v1/overrides', route: 'GET /v1/overrides' },
  {
    path: () => '/v1/overrides/cixi_2024_electricity',
    route: 'GET /v1/overrides/:id',
  },
  {
    path: () => '/v1/overrides/cixi_2024_electricity/preview?year=2024',
    route: 'GET /v1/overrides/:id/preview',
  },
  {
    path: () => '/v1/overrides/cixi_2024_electricity/approve',
    body: () => ({ ref: 'x' }),
    route: 'POST /v1/overrides/:id/:action',
  },
  {
    path: () => '/v1/overrides/cixi_2024_electricity/withdraw',
    body: () => ({ reason: 'x' }),
    route: 'POST /v1/overrides/:id/:action',
  },
  { path: () => '/v1/audit', route: 'GET /v1/audit' },
  { path: () => '/v1/rulebook/versions/1/diff/1', route: 'GET /v1/rulebook/versions/:a/diff/:b' },
  { path: () => '/v1/tokens', route: 'GET /v1/tokens' },
  {
    path: () => '/v1/tokens',
    body: () => ({ role: 'utility', label: 'matrix' }),
    route: 'POST /v1/tokens',
  },
  {
    path: () => '/v1/jobs/00000000-0000-4000-8000-000000000000',
    route: 'GET /v1/jobs/:id',
  },
  // A token id that does not exist: the demo tokens the other cases use stay valid.
  { path: () => '/v1/tokens/999', route: 'DELETE /v1/tokens/:id' },
  // The rectification programme: counties keep their records; the city's offices read; 经信 fixes the fund.
  {
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
    route: 'POST /v1/projects',
  },
  { path: () => '/v1/projects', route: 'GET /v1/projects' },
  { path: () => `/v1/projects/${project}`, route: 'GET /v1/projects/:id' },
  {
    path: () => `/v1/projects/${project}`,
    body: () => ({ township: '观海卫镇' }),
    headers: { 'if-match': '"p1"' },
    route: 'PATCH /v1/projects/:id',
  },
  {
    path: () => `/v1/projects/${project}/dispositions`,
    body: (c) => ({ creditCode: c, kind: 'compliance', deadline: '2017-12-31' }),
    route: 'POST /v1/projects/:id/dispositions',
  },
  {
    path: () => `/v1/dispositions/${disposition}`,
    body: () => ({ evidence: '补充验收材料' }),
    headers: { 'if-match': '"d1"' },
    route: 'PATCH /v1/dispositions/:id',
  },
  {
    path: () => `/v1/projects/${project}/dispositions:import`,
    raw: 'credit_code,kind,deadline\n',
    headers: { 'content-type': 'text/csv' },
    route: 'POST /v1/projects/:id/dispositions:import',
  },
  {
    path: () => `/v1/dispositions/${disposition}/verify`,
    body: () => ({}),
    headers: { 'if-match': '"d1"' },
    route: 'POST /v1/dispositions/:id/verify',
  },
  {
    path: (c) => `/v1/enterprises/${c}/dispositions`,
    route: 'GET /v1/enterprises/:creditCode/dispositions',
  },
  { path: () => '/v1/programme/progress', route: 'GET /v1/programme/progress' },
  { path: () => '/v1/programme/lists/2016', route: 'GET /v1/programme/lists/:year' },
  {
    path: () => '/v1/programme/reports?quarter=2016Q1',
    route: 'GET /v1/programme/reports',
  },
  {
    path: () => '/v1/programme/reports/330282/2016Q1',
    route: 'GET /v1/programme/reports/:county/:quarter',
  },
  {
    path: () => '/v1/programme/reports/330282/2016Q1/report.csv',
    route: 'GET /v1/programme/reports/:county/:quarter/report.csv',
  },
  {
    path: () => '/v1/programme/reports/330282/2016Q1',
    body: () => ({ submittedOn: '2016-04-08', historicReason: 'the matrix resubmits' }),
    route: 'POST /v1/programme/reports/:county/:quarter',
  },
  { path: () => '/v1/programme/backdate-requests', route: 'GET /v1/programme/backdate-requests' },
  {
    path: () => '/v1/programme/backdate-requests/1/decision',
    body: () => ({ decision: 'refused', reason: 'the matrix decides nothing' }),
    route: 'POST /v1/programme/backdate-requests/:id/decision',
  },
  { path: () => '/v1/funds/2017/preview', route: 'GET /v1/funds/:year/preview' },
  { path: () => '/v1/funds/2017', route: 'POST /v1/funds/:year' },
  { path: () => '/v1/funds/2015', route: 'GET /v1/funds/:year' },
  // Designated lists (名单): 经信 proposes, the pricing bureau decides and records; an unknown list is a 404 past the
  // role check.
  { path: () => '/v1/lists', route: 'GET /v1/lists' },
  {
    path: () => '/v1/lists',
    body: (c) => ({
      id: 'authz_list',
      label: '权限名单',
      schedule: 'stainless_electricity',
      document: '甬经信〔2026〕1号',
      startOn: '2027-01-01',
      entries: [{ creditCode: c }],
    }),
    route: 'POST /v1/lists',
  },
  { path: () => '/v1/lists/no_list', route: 'GET /v1/lists/:id' },
  {
    path: () => '/v1/lists/no_list/entries',
    body: (c) => ({ creditCode: c, addedOn: '2027-01-01', ref: '第二批' }),
    route: 'POST /v1/lists/:id/entries',
  },
  {
    path: () => '/v1/lists/no_list/removals',
    body: (c) => ({ creditCode: c, removedOn: '2027-02-01', ref: '复查' }),
    route: 'POST /v1/lists/:id/removals',
  },
  ...(['approve', 'reject', 'withdraw'] as const).map((a) => ({
    path: () => `/v1/lists/no_list/${a}`,
    body: () => ({ ref: '甬发改〔2027〕1号', reason: 'authz check' }),
    route: 'POST /v1/lists/:id/:action',
  })),
  {
    path: () => '/v1/collections',
    body: (c) => [
      {
        creditCode: c,
        resource: 'electricity',
        quantity: '10',
        from: '2025-01-01',
        to: '2025-02-01',
      },
    ],
    route: 'POST /v1/collections',
  },
  {
    path: () => '/v1/collections:import',
    raw: 'credit_code,month,resource,amount\n91330282MA000000A9,2025-01,electricity,1.00\n',
    headers: { 'content-type': 'text/csv' },
    route: 'POST /v1/collections:import',
  },
  { path: () => '/v1/collections', route: 'GET /v1/collections' },
  { path: () => '/v1/ledger', route: 'GET /v1/ledger' },
  { path: () => '/v1/refunds', body: () => ({ year: 2025 }), route: 'POST /v1/refunds' },
  { path: () => '/v1/refunds', route: 'GET /v1/refunds' },
  { path: () => '/v1/refunds/999', route: 'GET /v1/refunds/:id' },
  { path: () => '/v1/refunds/999/notice', route: 'POST /v1/refunds/:id/notice' },
  { path: () => '/v1/refunds/999/publish', route: 'POST /v1/refunds/:id/publish' },
  {
    path: (c) => `/v1/enterprises/${c}/measures?date=2025-08-01`,
    route: 'GET /v1/enterprises/:creditCode/measures',
  },
  // The demo department token is the power company's (power_supply): this list is its own.
  {
    path: () => '/v1/measures/orderly_power_use/firms?date=2025-08-01&format=csv',
    route: 'GET /v1/measures/:measureId/firms',
  },
  // The demo department token is the power company's: it submits its own column (the economy office any).
  {
    path: () => '/v1/figures/2030/power_supply',
    raw: '统一社会信用代码,年用电量\n',
    headers: { 'content-type': 'text/csv' },
    route: 'POST /v1/figures/:year/:department',
  },
  { path: () => '/v1/figures/2024/completeness', route: 'GET /v1/figures/:year/completeness' },
  {
    path: () => '/v1/figures/2031/land-publication',
    route: 'POST /v1/figures/:year/land-publication',
  },
  {
    path: (c) => `/v1/enterprises/${c}/sheets/2024`,
    route: 'GET /v1/enterprises/:creditCode/sheets/:year',
  },
  {
    path: (c) => `/v1/enterprises/${c}/sheets/2024/confirmation`,
    route: 'POST /v1/enterprises/:creditCode/sheets/:year/confirmation',
  },
  {
    path: (c) => `/v1/enterprises/${c}/sheets/2024/disputes`,
    body: () => ({ input: 'land_mu', claimed: '10', reason: '用地面积有误' }),
    route: 'POST /v1/enterprises/:creditCode/sheets/:year/disputes',
  },
  { path: () => '/v1/sheet-disputes?year=2024', route: 'GET /v1/sheet-disputes' },
  {
    path: () => '/v1/sheet-disputes/999/resolution',
    body: () => ({ upheld: false, reason: '维持原数据' }),
    route: 'POST /v1/sheet-disputes/:id/resolution',
  },
  { path: () => '/v1/tiers/changes', route: 'GET /v1/tiers/changes' },
  { path: () => '/v1/tiers/export?month=2025-09', route: 'GET /v1/tiers/export' },
  {
    path: () => '/v1/bills:month?month=2025-09',
    raw: 'credit_code,resource,quantity\n91330282MA000000A9,electricity,1\n',
    headers: { 'content-type': 'text/csv' },
    route: 'POST /v1/bills:month',
  },
]

/** The roles the permission table allows the action a request performs (by its route and path). */
function allowedFor(route: string, path: string): readonly Role[] {
  const entry = ROUTE_ACTIONS[route]
  if (entry === undefined) throw new Error(`${route} has no entry in ROUTE_ACTIONS`)
  if (entry === 'public') return ROLES
  if (typeof entry === 'string') return rolesFor(entry)
  const segments = route.split(' ')[1].split('/')
  const value = path.split('?')[0].split('/')[segments.indexOf(`:${entry.param}`)]
  return rolesFor(entry.actions[value])
}

const cases = ROUTES.flatMap((r) =>
  [undefined, ...ROLES].map((role) => ({
    ...r,
    method: r.route.split(' ')[0],
    allowed: allowedFor(r.route, r.path('{code}')),
    role,
    name: `${r.route.split(' ')[0]} ${r.path('{code}')} as ${role ?? 'no token'}`,
  })),
)

describe('every route has an entry in the permission table', () => {
  const registered = () => [
    ...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)),
  ]
  it('every API route and page names its action, and every entry is a registered route', () => {
    const known = { ...ROUTE_ACTIONS, ...PAGE_ACTIONS }
    expect(registered().filter((r) => !(r in known))).toEqual([])
    expect(Object.keys(known).filter((k) => !registered().includes(k))).toEqual([])
  })
  it('every documented path is a registered route with an entry', () => {
    const doc = t.app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: '', version: '' } })
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, ops]) =>
      Object.keys(ops ?? {}).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    expect(documented.length).toBeGreaterThan(50)
    expect(documented.filter((r) => !(r in ROUTE_ACTIONS))).toEqual([])
  })
  it('every action of an API route is exercised by the matrix below', () => {
    const exercised = new Set(ROUTES.map((r) => r.route))
    const actions = (k: string) => {
      const e = ROUTE_ACTIONS[k]
      return typeof e === 'string' ? [e] : Object.values(e.actions)
    }
    const covered = new Set([...exercised].flatMap(actions))
    const missing = Object.keys(ROUTE_ACTIONS)
      .flatMap(actions)
      .filter((a) => a !== 'public' && !covered.has(a))
    // Actions whose routes need a multi-step set-up (a job, an override draft) are tested in their own files.
    expect([...new Set(missing)].sort()).toEqual([
      'evaluation.preview',
      'override.propose',
      'override.repair',
      'rulebook.preview',
    ])
  })
})

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

describe('the permission table', () => {
  it('has one column per token role', () => {
    expect([...COLUMNS].sort()).toEqual([...ROLES].sort())
  })
  it('renders as a markdown table, one row per action and one column per role', () => {
    const md = permissionsMarkdown()
    const lines = md.split('\n')
    expect(lines[0]).toBe(`| action | ${COLUMNS.join(' | ')} |`)
    expect(lines.filter((l) => l.startsWith('| `'))).toHaveLength(ACTIONS.length)
    expect(lines).toContain('| `tier.read` | ✓ | ✓ | ✓ | own county | ✓ | own firm |  |')
    expect(lines).toContain('| `tiers.batch` | ✓ |  |  |  | ✓ |  |  |')
    expect(lines).toContain('| `measures.list` | ✓ | ✓ |  |  |  |  | own department |')
    expect(md).toContain('- `county`: county office (own county)')
  })
  it('is the table docs/api.md shows', () => {
    const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8')
    const shown = /<!-- permissions:[^\n]*\n([\s\S]*?)<!-- \/permissions -->/.exec(doc)?.[1]
    expect(shown).toBe(permissionsMarkdown())
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

  it('a department token reads only the lists of the measures its department applies', async () => {
    const own = await call(t.app, 'GET', '/v1/measures/orderly_power_use/firms?date=2025-08-01', {
      token: t.tokens.department,
    })
    expect(own.status).toBe(200)
    const tax = await call(t.app, 'GET', '/v1/measures/land_use_tax_relief/firms?date=2025-08-01', {
      token: t.tokens.department,
    })
    expect(tax.status).toBe(403)
    expect(((await tax.json()) as { detail: string }).detail).toContain('power_supply')
    // The bureau reads every list; an unknown measure is 404 for it.
    for (const id of ['orderly_power_use', 'land_use_tax_relief'])
      expect(
        (await call(t.app, 'GET', `/v1/measures/${id}/firms`, { token: t.tokens.bureau })).status,
      ).toBe(200)
    expect(
      (await call(t.app, 'GET', '/v1/measures/no_such/firms', { token: t.tokens.bureau })).status,
    ).toBe(404)
    // A firm's measures are scoped as its tier: an enterprise token reads its own only.
    expect(
      (
        await call(t.app, 'GET', `/v1/enterprises/${other}/measures`, {
          token: t.tokens.enterprise,
        })
      ).status,
    ).toBe(403)
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
