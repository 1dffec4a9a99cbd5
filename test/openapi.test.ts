// /openapi.json describes every response body: real responses of every operation are checked against the
// document's own schemas, and against TypeScript types generated from it (openapi-typescript) by the compiler.
import { readFileSync } from 'node:fs'
import openapiTS, { astToString } from 'openapi-typescript'
import ts from 'typescript'
import { beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { draftOverride } from './support/overrides.ts'
import { ningboTexts } from './support/rulebook.ts'

interface Seen {
  method: string
  /** The path as the document names it, e.g. /v1/overrides/{id}. */
  template: string
  status: number
  type: string
  body: unknown
}

let t: TestApp
let doc: any
const seen: Seen[] = []

/** Makes a request and keeps its answer for the checks below. */
async function record(
  method: string,
  template: string,
  path: string,
  opts: Parameters<typeof call>[3] = {},
) {
  const res = await call(t.app, method, path, opts)
  const type = (res.headers.get('content-type') ?? '').split(';')[0]
  const body = type.endsWith('json') ? await res.json() : await res.text()
  seen.push({ method: method.toLowerCase(), template, status: res.status, type, body })
  return { res, body: body as any }
}

const PROPOSAL = draftOverride('cixi_openapi', '330282', '2027-01-01', {
  resource: 'gas',
  rate: '1.00',
})

beforeAll(async () => {
  t = createTestApp({ size: 120 })
  doc = await (await call(t.app, 'GET', '/openapi.json')).json()
  const { bureau, economy, utility, county, enterprise, observer, creditCode } = t.tokens
  await record('GET', '/healthz', '/healthz')
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/tier',
    `/v1/enterprises/${creditCode}/tier?date=2025-03-01`,
    { token: utility },
  )
  await record('POST', '/v1/tiers:batch', '/v1/tiers:batch', {
    token: utility,
    body: { date: '2025-03-01', creditCodes: [creditCode, 'not-a-code'] },
  })
  await record('POST', '/v1/quotes', '/v1/quotes', {
    token: utility,
    body: {
      creditCode,
      resource: 'electricity',
      quantity: '120000',
      from: '2024-12-01',
      to: '2025-02-01',
    },
  })
  await record('POST', '/v1/bills', '/v1/bills', {
    token: utility,
    body: [
      {
        creditCode,
        resource: 'electricity',
        quantity: '120000',
        from: '2025-01-01',
        to: '2025-02-01',
      },
      { creditCode, resource: 'steam', quantity: '1', from: '2025-01-01', to: '2025-02-01' },
    ],
  })
  await record('POST', '/v1/self-check', '/v1/self-check', {
    token: enterprise,
    body: {
      creditCode,
      county: '330282',
      industryCode: '3411',
      year: 2024,
      figures: { land_mu: 10, tax: 50, electricity_kwh: 1e6, above_scale: false },
    },
  })
  await record('GET', '/v1/enterprises', '/v1/enterprises?limit=3', { token: bureau })
  const code = withCheckChar('91330282MA2ABCD01')
  await record('POST', '/v1/enterprises', '/v1/enterprises', {
    token: bureau,
    body: { creditCode: code, name: '接口测试企业', county: '330282', industryCode: '3411' },
  })
  const e = await record('GET', '/v1/enterprises/{creditCode}', `/v1/enterprises/${creditCode}`, {
    token: bureau,
  })
  await record('PUT', '/v1/enterprises/{creditCode}', `/v1/enterprises/${creditCode}`, {
    token: bureau,
    body: { name: e.body.name, county: e.body.county, industryCode: e.body.industryCode },
    headers: { 'if-match': e.res.headers.get('etag')! },
  })
  const f = await record(
    'GET',
    '/v1/enterprises/{creditCode}/figures/{year}',
    `/v1/enterprises/${creditCode}/figures/2024`,
    { token: bureau },
  )
  await record(
    'PUT',
    '/v1/enterprises/{creditCode}/figures/{year}',
    `/v1/enterprises/${creditCode}/figures/2024`,
    {
      token: bureau,
      body: f.body.data,
      headers: { 'if-match': f.res.headers.get('etag')! },
    },
  )
  await record('POST', '/v1/enterprises:import', '/v1/enterprises:import?year=2024&skipBad=true', {
    token: bureau,
    raw: readFileSync(new URL('./fixtures/firms-gbk.csv', import.meta.url)) as never,
    headers: { 'content-type': 'text/csv' },
  })
  await record('GET', '/v1/rulebook', '/v1/rulebook?county=330282&date=2025-03-01', {
    token: utility,
  })
  const versions = await record('GET', '/v1/rulebook/versions', '/v1/rulebook/versions', {
    token: utility,
  })
  const city = ningboTexts()
    .filter((x) => !x.path.startsWith('counties/'))
    .map((x) =>
      x.path === 'pricing.yaml'
        ? { ...x, text: x.text.replace('basePrice: "4.00"', 'basePrice: "4.10"') }
        : x,
    )
  // The base price since 2016 reaches back: previewed, then made as a correction.
  const preview = await record('POST', '/v1/rulebook/previews', '/v1/rulebook/previews', {
    token: bureau,
    body: { files: city, months: 1 },
  })
  const imported = await record('POST', '/v1/rulebook/versions', '/v1/rulebook/versions', {
    token: bureau,
    body: {
      note: 'openapi test',
      files: city,
      correction: {
        reason: 'openapi test',
        document: '测试〔2026〕1号',
        preview: preview.body.digest,
      },
    },
    headers: { 'if-match': versions.res.headers.get('etag')! },
  })
  await record('POST', '/v1/rulebook/changes', '/v1/rulebook/changes', {
    token: bureau,
    body: {
      section: 'surcharges',
      id: 'class_gas',
      from: '2027-01-01',
      set: [{ path: 'rates[class=D].rate', value: '1.20' }],
      document: '测试〔2026〕2号',
    },
    headers: { 'if-match': imported.res.headers.get('etag')! },
  })
  await record('GET', '/v1/rulebook/versions/{id}', '/v1/rulebook/versions/1', { token: utility })
  await record('GET', '/v1/rulebook/versions/{a}/diff/{b}', '/v1/rulebook/versions/1/diff/2', {
    token: utility,
  })
  const run = await record('POST', '/v1/evaluations', '/v1/evaluations', {
    token: economy,
    body: { year: 2024 },
  })
  const job = await record('POST', '/v1/evaluations', '/v1/evaluations', {
    token: economy,
    body: { year: 2023 },
    headers: { prefer: 'respond-async' },
  })
  await new Promise((r) => setTimeout(r, 50))
  await record('GET', '/v1/jobs/{id}', `/v1/jobs/${job.body.id}`, { token: economy })
  await record(
    'POST',
    '/v1/evaluations/{id}/publication-preview',
    `/v1/evaluations/${run.body.id}/publication-preview`,
    { token: economy, body: { months: 1 } },
  )
  await record('GET', '/v1/evaluations', '/v1/evaluations', { token: economy })
  await record('GET', '/v1/evaluations/{id}', `/v1/evaluations/${run.body.id}`, { token: economy })
  await record(
    'GET',
    '/v1/evaluations/{id}/results',
    `/v1/evaluations/${run.body.id}/results?limit=3`,
    { token: economy },
  )
  // Notice → objection → review → final publication.
  await record('POST', '/v1/evaluations/{id}/notice', `/v1/evaluations/${run.body.id}/notice`, {
    token: economy,
  })
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/provisional',
    `/v1/enterprises/${creditCode}/provisional?year=2024`,
    { token: enterprise },
  )
  const objection = await record(
    'POST',
    '/v1/evaluations/{id}/objections',
    `/v1/evaluations/${run.body.id}/objections`,
    {
      token: enterprise,
      body: {
        creditCode,
        reason: 'our 2024 tax was understated',
        evidence: 'tax certificate 2024',
      },
    },
  )
  await record(
    'GET',
    '/v1/evaluations/{id}/objections',
    `/v1/evaluations/${run.body.id}/objections`,
    { token: county },
  )
  await record(
    'POST',
    '/v1/objections/{id}/decision',
    `/v1/objections/${objection.body.id}/decision`,
    { token: economy, body: { upheld: false, reason: 'the certificate matches the figures used' } },
  )
  t.advanceDays(8)
  await record('POST', '/v1/evaluations/{id}/publish', `/v1/evaluations/${run.body.id}/publish`, {
    token: economy,
  })
  await record(
    'GET',
    '/v1/evaluations/{id}/results.csv',
    `/v1/evaluations/${run.body.id}/results.csv`,
    { token: utility },
  )
  const proposed = await record('POST', '/v1/overrides', '/v1/overrides', {
    token: county,
    body: { text: PROPOSAL },
  })
  await record('GET', '/v1/overrides', '/v1/overrides', { token: bureau })
  await record('GET', '/v1/overrides/{id}', '/v1/overrides/cixi_openapi', { token: county })
  await record('PUT', '/v1/overrides/{id}', '/v1/overrides/cixi_openapi', {
    token: county,
    body: { text: PROPOSAL.replace('"0.30"', '"0.40"') },
    headers: { 'if-match': proposed.res.headers.get('etag')! },
  })
  await record('POST', '/v1/overrides/{id}/{action}', '/v1/overrides/cixi_openapi/submit', {
    token: county,
    body: {},
  })
  await record(
    'GET',
    '/v1/overrides/{id}/preview',
    '/v1/overrides/cixi_openapi/preview?year=2024',
    { token: bureau },
  )
  await record('POST', '/v1/overrides/{id}/repair', '/v1/overrides/cixi_openapi/repair', {
    token: bureau,
    body: { to: '2028-01-01', correction: { reason: 'openapi test', document: '测试〔2026〕3号' } },
  })
  await record('GET', '/v1/audit', '/v1/audit?limit=5', { token: bureau })
  const made = await record('POST', '/v1/tokens', '/v1/tokens', {
    token: bureau,
    body: { role: 'utility', label: '接口测试' },
  })
  await record('GET', '/v1/tokens', '/v1/tokens', { token: bureau })
  await record('DELETE', '/v1/tokens/{id}', `/v1/tokens/${made.body.id}`, { token: bureau })
  // The rectification programme: a Cixi project, a disposition, progress, reports and the fund.
  const project = await record('POST', '/v1/projects', '/v1/projects', {
    token: county,
    body: {
      county: '330282',
      year: 2017,
      kind: 'block',
      name: '周巷镇村级工业区块整治',
      township: '周巷镇',
      startsOn: '2017-01-01',
      endsOn: '2017-12-31',
      filedOn: '2016-12-20',
      historicReason: 'filed on paper in 2016',
    },
  })
  // Filed "on 2016-12-20": a backdate request, which the economy office accepts as a correction.
  await record('GET', '/v1/programme/backdate-requests', '/v1/programme/backdate-requests', {
    token: county,
  })
  await record(
    'POST',
    '/v1/programme/backdate-requests/{id}/decision',
    `/v1/programme/backdate-requests/${project.body.backdateRequest.id}/decision`,
    {
      token: economy,
      body: {
        decision: 'accepted',
        reason: 'the paper list was stamped',
        ref: '甬腾换办〔2016〕9号',
      },
    },
  )
  await record('GET', '/v1/projects', '/v1/projects?year=2017', { token: economy })
  await record('PATCH', '/v1/projects/{id}', `/v1/projects/${project.body.id}`, {
    token: county,
    body: { township: '周巷镇（含天元）' },
    headers: { 'if-match': project.res.headers.get('etag')! },
  })
  const disposition = await record(
    'POST',
    '/v1/projects/{id}/dispositions',
    `/v1/projects/${project.body.id}/dispositions`,
    { token: county, body: { creditCode, kind: 'upgrade', deadline: '2017-12-31' } },
  )
  await record(
    'POST',
    '/v1/projects/{id}/dispositions:import',
    `/v1/projects/${project.body.id}/dispositions:import`,
    {
      token: county,
      raw: 'credit_code,kind,deadline\n',
      headers: { 'content-type': 'text/csv' },
    },
  )
  await record('PATCH', '/v1/dispositions/{id}', `/v1/dispositions/${disposition.body.id}`, {
    token: county,
    body: {
      status: 'done',
      completedOn: '2017-11-30',
      evidence: '验收意见',
      changes: '自动化生产线',
      energyFreedTce: '12.5',
    },
    headers: { 'if-match': disposition.res.headers.get('etag')! },
  })
  await record(
    'POST',
    '/v1/dispositions/{id}/verify',
    `/v1/dispositions/${disposition.body.id}/verify`,
    { token: economy, body: {}, headers: { 'if-match': '"d2"' } },
  )
  await record('GET', '/v1/projects/{id}', `/v1/projects/${project.body.id}`, { token: economy })
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/dispositions',
    `/v1/enterprises/${creditCode}/dispositions`,
    { token: enterprise },
  )
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/classes',
    `/v1/enterprises/${creditCode}/classes`,
    { token: utility },
  )
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/provenance',
    `/v1/enterprises/${creditCode}/provenance?date=2025-03-01`,
    { token: utility },
  )
  await record('GET', '/v1/programme/progress', '/v1/programme/progress', { token: economy })
  await record('GET', '/v1/programme/lists/{year}', '/v1/programme/lists/2017', { token: economy })
  await record('GET', '/v1/programme/reports', '/v1/programme/reports?quarter=2017Q4', {
    token: economy,
  })
  await record(
    'GET',
    '/v1/programme/reports/{county}/{quarter}',
    '/v1/programme/reports/330282/2017Q4',
    { token: county },
  )
  await record(
    'GET',
    '/v1/programme/reports/{county}/{quarter}/report.csv',
    '/v1/programme/reports/330282/2017Q4/report.csv',
    { token: county },
  )
  await record(
    'POST',
    '/v1/programme/reports/{county}/{quarter}',
    '/v1/programme/reports/330282/2017Q4',
    { token: county, body: {} },
  )
  await record('GET', '/v1/funds/{year}/preview', '/v1/funds/2017/preview', { token: economy })
  await record('POST', '/v1/funds/{year}', '/v1/funds/2017', { token: economy })
  await record('GET', '/v1/funds/{year}', '/v1/funds/2017', { token: economy })
  // Designated lists (名单): proposed by 经信, approved by the bureau, an addition and a removal after 复查.
  const another = t.store
    .listEnterprises({ limit: 50, offset: 0 })
    .rows.find((e) => e.creditCode !== creditCode)!.creditCode
  await record('POST', '/v1/lists', '/v1/lists', {
    token: economy,
    body: {
      id: 'openapi_list',
      label: '接口名单',
      schedule: 'stainless_electricity',
      document: '甬经信〔2026〕1号',
      startOn: '2027-01-01',
      transitionUntil: '2027-03-31',
      entries: [{ creditCode }],
    },
  })
  await record('POST', '/v1/lists/{id}/{action}', '/v1/lists/openapi_list/approve', {
    token: bureau,
    body: { ref: '甬发改价格〔2026〕1号' },
  })
  await record('POST', '/v1/lists/{id}/entries', '/v1/lists/openapi_list/entries', {
    token: bureau,
    body: { creditCode: another, addedOn: '2027-02-01', ref: '第二批' },
  })
  await record('POST', '/v1/lists/{id}/removals', '/v1/lists/openapi_list/removals', {
    token: bureau,
    body: { creditCode, removedOn: '2027-06-01', ref: '复查〔2027〕1号' },
  })
  await record('GET', '/v1/lists', '/v1/lists', { token: utility })
  await record('GET', '/v1/lists/{id}', '/v1/lists/openapi_list', { token: observer })
  await record('POST', '/v1/collections', '/v1/collections', {
    token: utility,
    body: [
      {
        creditCode,
        resource: 'electricity',
        quantity: '1000',
        from: '2024-03-01',
        to: '2024-04-01',
      },
    ],
  })
  await record('POST', '/v1/collections:import', '/v1/collections:import', {
    token: utility,
    raw: `credit_code,month,resource,amount\n${creditCode},2024-04,electricity,12.34\n`,
    headers: { 'content-type': 'text/csv' },
  })
  await record('GET', '/v1/collections', '/v1/collections', { token: utility })
  await record('GET', '/v1/ledger', '/v1/ledger?by=firm', { token: bureau })
  const refund = await record('POST', '/v1/refunds', '/v1/refunds', {
    token: economy,
    body: { year: 2024 },
  })
  await record('GET', '/v1/refunds', '/v1/refunds', { token: economy })
  await record('GET', '/v1/refunds/{id}', `/v1/refunds/${refund.body.id}`, { token: county })
  await record('POST', '/v1/refunds/{id}/notice', `/v1/refunds/${refund.body.id}/notice`, {
    token: economy,
  })
  t.advanceDays(30)
  await record('POST', '/v1/refunds/{id}/publish', `/v1/refunds/${refund.body.id}/publish`, {
    token: economy,
  })
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/measures',
    `/v1/enterprises/${creditCode}/measures?date=2025-08-01`,
    { token: enterprise },
  )
  for (const format of ['json', 'csv'])
    await record(
      'GET',
      '/v1/measures/{measureId}/firms',
      `/v1/measures/orderly_power_use/firms?date=2025-08-01&format=${format}`,
      { token: t.tokens.department },
    )
  // Figures by department: submissions, completeness, the land areas published, a sheet confirmed and disputed.
  const csv = { 'content-type': 'text/csv' }
  await record('POST', '/v1/figures/{year}/{department}', '/v1/figures/2025/natural_resources', {
    token: economy,
    raw: `统一社会信用代码,用地面积\n${creditCode},10\n`,
    headers: csv,
  })
  await record('POST', '/v1/figures/{year}/{department}', '/v1/figures/2025/power_supply', {
    token: t.tokens.department,
    raw: `credit_code,electricity_kwh\n${creditCode},100000\n`,
    headers: csv,
  })
  await record('GET', '/v1/figures/{year}/completeness', '/v1/figures/2025/completeness', {
    token: county,
  })
  await record('POST', '/v1/figures/{year}/land-publication', '/v1/figures/2025/land-publication', {
    token: economy,
  })
  const sheet = `/v1/enterprises/${creditCode}/sheets/2025`
  await record('GET', '/v1/enterprises/{creditCode}/sheets/{year}', sheet, { token: enterprise })
  await record(
    'POST',
    '/v1/enterprises/{creditCode}/sheets/{year}/confirmation',
    `${sheet}/confirmation`,
    {
      token: enterprise,
    },
  )
  const dispute = await record(
    'POST',
    '/v1/enterprises/{creditCode}/sheets/{year}/disputes',
    `${sheet}/disputes`,
    {
      token: enterprise,
      body: { input: 'land_mu', claimed: '12', reason: '不动产权证记载面积不符' },
    },
  )
  await record('GET', '/v1/sheet-disputes', '/v1/sheet-disputes?year=2025', { token: economy })
  await record(
    'POST',
    '/v1/sheet-disputes/{id}/resolution',
    `/v1/sheet-disputes/${dispute.body.id}/resolution`,
    {
      token: economy,
      body: { upheld: true, reason: '经核实不动产权证' },
    },
  )
  // The change feed, the month's tiers (NDJSON and CSV) and a billing month from readings.
  const start = await record('GET', '/v1/tiers/changes', '/v1/tiers/changes', { token: utility })
  await record(
    'GET',
    '/v1/tiers/changes',
    `/v1/tiers/changes?since=${Number(start.body.cursor) - 40}`,
    {
      token: utility,
    },
  )
  await recordLines('GET', '/v1/tiers/export', '/v1/tiers/export?month=2025-09', { token: county })
  await record('GET', '/v1/tiers/export', '/v1/tiers/export?month=2025-09&format=csv', {
    token: county,
  })
  await recordLines('POST', '/v1/bills:month', '/v1/bills:month?month=2025-09', {
    token: utility,
    raw: `credit_code,resource,quantity\n${creditCode},electricity,1200\n${creditCode},water,30\n`,
    headers: { 'content-type': 'text/csv' },
  })
  // Errors answer in the one problem shape.
  await record(
    'GET',
    '/v1/enterprises/{creditCode}/tier',
    '/v1/enterprises/91330282MA2000001X/tier',
    { token: utility },
  )
  await record('GET', '/v1/overrides/{id}', '/v1/overrides/no_such', { token: bureau })
  await record('GET', '/v1/tokens', '/v1/tokens')
})

/** An NDJSON answer: each line kept as an answer of its own, of the route's NDJSON schema. */
async function recordLines(
  method: string,
  template: string,
  path: string,
  opts: Parameters<typeof call>[3] = {},
) {
  const res = await call(t.app, method, path, opts)
  const type = (res.headers.get('content-type') ?? '').split(';')[0]
  expect(type).toBe('application/x-ndjson')
  const lines = (await res.text()).split('\n').filter(Boolean)
  expect(lines.length).toBeGreaterThan(0)
  for (const line of lines)
    seen.push({
      method: method.toLowerCase(),
      template,
      status: res.status,
      type,
      body: JSON.parse(line),
    })
}

/** The document's schema for one answer, with its component references made local. */
function schemaFor(s: Seen): unknown {
  const op = doc.paths[s.template]?.[s.method]
  if (!op) throw new Error(`no operation ${s.method} ${s.template} in the document`)
  const r = op.responses[String(s.status)] ?? op.responses.default
  const content = r?.content?.[s.type]
  if (!content)
    throw new Error(`${s.method} ${s.template} → ${s.status} ${s.type}: not in the document`)
  const local = JSON.parse(
    JSON.stringify(content.schema).replaceAll('#/components/schemas/', '#/$defs/'),
  )
  return {
    ...local,
    $defs: JSON.parse(
      JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'),
    ),
  }
}

describe('the OpenAPI document', () => {
  it('names a schema for every success response (no bare record<string, any>)', () => {
    for (const [path, ops] of Object.entries<any>(doc.paths))
      for (const [method, op] of Object.entries<any>(ops))
        for (const [status, r] of Object.entries<any>(op.responses)) {
          const json = r.content?.['application/json']?.schema
          if (json)
            expect(json.$ref, `${method} ${path} ${status}`).toMatch(/^#\/components\/schemas\//)
        }
  })

  it('every operation was exercised and every answer matches its schema in the document', () => {
    const operations = Object.entries<any>(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    )
    const exercised = new Set(
      seen.filter((s) => s.status < 300).map((s) => `${s.method} ${s.template}`),
    )
    expect(operations.filter((o) => !exercised.has(o))).toEqual([])
    for (const s of seen) {
      if (s.type === 'text/csv') continue
      const parsed = z.fromJSONSchema(schemaFor(s) as never).safeParse(s.body)
      expect(
        parsed.success ? 'ok' : z.prettifyError(parsed.error),
        `${s.method} ${s.template} → ${s.status}`,
      ).toBe('ok')
    }
    expect(seen.filter((s) => s.status >= 400).map((s) => s.status)).toEqual([422, 404, 401])
  })

  it('types generated from it (openapi-typescript) accept every real answer, checked by the compiler', async () => {
    const types = astToString(await openapiTS(doc))
    const checks = seen
      .filter((s) => s.type.endsWith('json'))
      .map((s, i) => {
        const op = doc.paths[s.template][s.method]
        const key = op.responses[String(s.status)] ? s.status : '"default"'
        return `export const r${i}: paths[${JSON.stringify(s.template)}][${JSON.stringify(s.method)}]['responses'][${key}]['content'][${JSON.stringify(s.type)}] = ${JSON.stringify(s.body)}`
      })
    const files: Record<string, string> = {
      '/api.ts': types,
      '/check.ts': `import type { paths } from './api'\n${checks.join('\n')}\n`,
    }
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    }
    const host = ts.createCompilerHost(options)
    const read = host.readFile.bind(host)
    host.readFile = (f) => files[f] ?? read(f)
    host.fileExists = (
      (exists) => (f: string) =>
        f in files || exists(f)
    )(host.fileExists.bind(host))
    host.getSourceFile = (
      (get) =>
      (f: string, v: ts.ScriptTarget, ...rest: any[]) =>
        f in files ? ts.createSourceFile(f, files[f], v) : (get as any)(f, v, ...rest)
    )(host.getSourceFile.bind(host))
    const program = ts.createProgram(['/check.ts'], options, host)
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 400)}`,
      )
    expect(checks.length).toBeGreaterThan(30)
    expect(problems).toEqual([])
  }, 60_000)
})
