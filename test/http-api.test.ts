import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { publishRun } from '../src/app/evaluation-rules.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { ningboTexts } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

let t: TestApp
beforeAll(() => {
  t = createTestApp()
})

describe('service basics', () => {
  it('GET /healthz reports the active rulebook', async () => {
    const res = await call(t.app, 'GET', '/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', rulebookVersion: 1 })
  })

  it('serves an OpenAPI 3.1 document and a docs page listing every route', async () => {
    const doc = (await (await call(t.app, 'GET', '/openapi.json')).json()) as {
      openapi: string
      paths: Record<string, unknown>
    }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/enterprises/{creditCode}/tier',
        '/v1/quotes',
        '/v1/tiers:batch',
        '/v1/evaluations/{id}/results.csv',
        '/v1/self-check',
        '/v1/enterprises:import',
        '/v1/rulebook/versions',
      ]),
    )
    const html = await (await call(t.app, 'GET', '/docs')).text()
    expect(html).toContain('/v1/quotes')
  })

  it('the demo start-up on an empty database publishes two evaluations', () => {
    expect(t.store.listRuns().map((r) => [r.year, r.status])).toEqual([
      [2024, 'published'],
      [2023, 'published'],
    ])
    // 300 firms, and the 20 small workshops the demo programme closes (registered with 2014 figures only).
    expect(t.store.listEnterprises({ limit: 1, offset: 0 }).total).toBe(320)
  })

  it('unknown routes are problem+json 404', async () => {
    const res = await call(t.app, 'GET', '/v1/nothing', { token: t.tokens.bureau })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 })
  })
})

describe('tiers and quotes', () => {
  it('returns the class, validity and surcharge rate per resource for a utility', async () => {
    const res = await call(
      t.app,
      'GET',
      `/v1/enterprises/${t.tokens.creditCode}/tier?date=2025-03-01`,
      { token: t.tokens.utility },
    )
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      class: string
      evaluationYear: number
      validFrom: string
      rates: { resource: string; rate: string }[]
    }
    expect(body.evaluationYear).toBe(2024)
    expect(body.validFrom).toBe('2025-01-01')
    expect(['C', 'D']).toContain(body.class)
    const electricity = body.rates.find((r) => r.resource === 'electricity')!
    // The city's class rates C 0.15, D 0.30 (the shipped Cixi override is a draft), plus any sector rate (stacking sum).
    expect(Number(electricity.rate)).toBeGreaterThanOrEqual(body.class === 'D' ? 0.3 : 0.15)
  })

  it('rejects a credit code with a bad check character, naming the parameter', async () => {
    const bad = `${t.tokens.creditCode.slice(0, 17)}${t.tokens.creditCode[17] === '0' ? '1' : '0'}`
    const res = await call(t.app, 'GET', `/v1/enterprises/${bad}/tier`, { token: t.tokens.utility })
    expect(res.status).toBe(422)
    const p = (await res.json()) as { code: string; errors: { path: string; message: string }[] }
    expect(p.code).toBe('VALIDATION_FAILED')
    expect(p.errors[0].path).toBe('param.creditCode')
    expect(p.errors[0].message).toContain('fails its check character')
  })

  it('quotes an itemised surcharge split at the new year', async () => {
    const res = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: {
        creditCode: t.tokens.creditCode,
        resource: 'electricity',
        quantity: '62000',
        from: '2024-12-01',
        to: '2025-02-01',
      },
    })
    expect(res.status).toBe(200)
    const q = (await res.json()) as {
      lines: { from: string; to: string; amount: string }[]
      total: string
    }
    expect(q.lines.map((l) => l.from)).toContain('2025-01-01')
    const sum = q.lines.reduce((a, l) => a + Math.round(Number(l.amount) * 100), 0)
    expect(sum).toBe(Math.round(Number(q.total) * 100))
  })

  it.each([
    {
      description: 'negative quantity',
      body: { quantity: -5 },
      status: 422,
      code: 'VALIDATION_FAILED',
    },
    {
      description: 'reversed period',
      body: { from: '2025-02-01', to: '2025-01-01' },
      status: 422,
      code: 'QUOTE_INVALID',
    },
    {
      description: 'unknown resource',
      body: { resource: 'steam' },
      status: 422,
      code: 'QUOTE_INVALID',
    },
    { description: 'not JSON', raw: '{"creditCode":', status: 400, code: 'BAD_REQUEST' },
  ])('refuses a quote with $description', async ({ body, raw, status, code }) => {
    const base = {
      creditCode: t.tokens.creditCode,
      resource: 'electricity',
      quantity: 100,
      from: '2025-01-01',
      to: '2025-02-01',
    }
    const res = raw
      ? await call(t.app, 'POST', '/v1/quotes', {
          token: t.tokens.utility,
          raw,
          headers: { 'content-type': 'application/json' },
        })
      : await call(t.app, 'POST', '/v1/quotes', {
          token: t.tokens.utility,
          body: { ...base, ...body },
        })
    expect(res.status).toBe(status)
    const p = (await res.json()) as { code: string; detail: string }
    expect(p.code).toBe(code)
    expect(JSON.stringify(p)).not.toMatch(/at .*\.ts:\d+|SELECT|sqlite/i)
  })

  it('a cached tier answer still checks the caller: another firm or county gets 403', async () => {
    const results = t.store.runResults(t.store.publishedRun(2024)!.id)
    const other = results.find(
      (r) => r.creditCode !== t.tokens.creditCode && r.county !== t.tokens.countyCode,
    )!
    const url = `/v1/enterprises/${other.creditCode}/tier?date=2025-03-01`
    // The first answer caches the JSON under the URL; the next ones are served from there.
    expect((await call(t.app, 'GET', url, { token: t.tokens.utility })).status).toBe(200)
    expect((await call(t.app, 'GET', url, { token: t.tokens.utility })).status).toBe(200)
    expect((await call(t.app, 'GET', url, { token: t.tokens.enterprise })).status).toBe(403)
    expect((await call(t.app, 'GET', url, { token: t.tokens.county })).status).toBe(403)
    expect((await call(t.app, 'GET', url)).status).toBe(401)
    expect((await call(t.app, 'GET', url, { token: 'nope' })).status).toBe(401)
  })

  it('a quote body must be JSON: another media type is 415, a missing field 422 with its path', async () => {
    const text = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      raw: 'creditCode=x',
      headers: { 'content-type': 'text/plain' },
    })
    expect(text.status).toBe(415)
    expect(text.headers.get('content-type')).toContain('application/problem+json')
    expect(((await text.json()) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const missing = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: { creditCode: t.tokens.creditCode, resource: 'electricity', from: '2025-01-01' },
    })
    expect(missing.status).toBe(422)
    const p = (await missing.json()) as { errors: { path: string }[] }
    expect(p.errors.map((e) => e.path)).toEqual(['body.to'])
  })

  it('batch tiers answer per code, with errors for bad and unknown codes', async () => {
    const unknown = withCheckChar('91330203MAZZZZZZ0'.replace(/Z/g, 'Y'))
    const res = await call(t.app, 'POST', '/v1/tiers:batch', {
      token: t.tokens.utility,
      body: { date: '2025-03-01', creditCodes: [t.tokens.creditCode, 'BAD', unknown] },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      tiers: { creditCode: string; class?: string; error?: { code: string } }[]
    }
    expect(body.tiers.map((x) => x.error?.code ?? 'ok')).toEqual([
      'ok',
      'CREDIT_CODE_INVALID',
      'NOT_FOUND',
    ])
  })

  it('batch tiers are limited to 10,000 codes', async () => {
    const res = await call(t.app, 'POST', '/v1/tiers:batch', {
      token: t.tokens.utility,
      body: { date: '2025-03-01', creditCodes: Array(10_001).fill(t.tokens.creditCode) },
    })
    expect(res.status).toBe(422)
  })

  it('exports results as CSV with a BOM for Excel', async () => {
    const run = t.store.listRuns()[0]
    const res = await call(t.app, 'GET', `/v1/evaluations/${run.id}/results.csv`, {
      token: t.tokens.utility,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/csv')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    expect(text.split('\r\n')[0]).toBe(
      '\ufeffcredit_code,name,county_code,industry_code,evaluation_year,status,group,score,rank,group_size,initial_class,class,category',
    )
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(301)
  })

  /** The demo enterprise's self-check of `figures` for 2024 (a 慈溪 firm, industry 3411). */
  const selfCheckOf = (figures: Record<string, number | boolean>) =>
    call(t.app, 'POST', '/v1/self-check', {
      token: t.tokens.enterprise,
      body: {
        creditCode: t.tokens.creditCode,
        county: '330282',
        industryCode: '3411',
        year: 2024,
        figures,
      },
    })

  it('self-check rates submitted figures against the published peers with a full trace, storing nothing', async () => {
    const before = t.store.listAudit({}).length
    const res = await selfCheckOf({
      above_scale: true,
      land_mu: 20,
      tax: 900,
      revenue: 12000,
      value_added: 3000,
      energy_tce: 500,
      electricity_kwh: 2_000_000,
      employees: 100,
      rd_spend: 500,
    })
    expect(res.status).toBe(200)
    const r = (await res.json()) as {
      class: string
      trace: { indicators: { id: string; points: number }[] }
    }
    expect(r.class).toBe('A')
    expect(r.trace.indicators.map((i) => i.id)).toEqual([
      'tax_per_mu',
      'value_added_per_mu',
      'value_added_per_tce',
      'value_added_per_emission',
      'labour_productivity',
      'rd_intensity',
    ])
    expect(t.store.listAudit({}).length).toBe(before)
  })

  it('a tenant (Ningbo 4.0) is checked against the published tenant list, through the API and the page', async () => {
    const figures = {
      above_scale: false,
      tenant: true,
      land_mu: 2,
      tax: 30,
      electricity_kwh: 300_000,
    }
    const res = await selfCheckOf(figures)
    expect(res.status).toBe(200)
    const r = (await res.json()) as {
      group: string
      score: number
      trace: { indicators: { id: string }[] }
    }
    expect(r.group).toBe('tenant_firms')
    expect(r.trace.indicators.map((i) => i.id)).toEqual(['tax_per_mu'])
    // The page's form has the tenant box, and a form with it ticked is rated the same way.
    const form = await t.app.request('/self-check?lang=zh')
    expect(await form.text()).toContain('租赁企业（名下无工业用地）')
    const page = await t.app.request('/self-check?lang=en', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        county: '330282',
        industryCode: '3411',
        year: '2024',
        land_mu: '2',
        tax: '30',
        electricity_kwh: '300000',
        tenant: 'on',
        monthly: '0',
      }),
    })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`Score ${r.score.toFixed(2)}`)
    expect(html).not.toContain('value_added_per_mu')
  })
})

describe('today is Ningbo’s today', () => {
  it('a tier asked without a date at 01:00 in Ningbo (17:00 UTC the day before) is the tier of the Ningbo day', async () => {
    const late = createTestApp({ size: 60, clockStart: '2025-06-30T17:00:00Z' })
    const res = await call(late.app, 'GET', `/v1/enterprises/${late.tokens.creditCode}/tier`, {
      token: late.tokens.utility,
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { date: string }).date).toBe('2025-07-01')
  })
})

describe('enterprises, figures and If-Match', () => {
  const code = withCheckChar('91330206MAT000001')
  it('creates, reads with an ETag, and replaces only with the current ETag', async () => {
    const created = await call(t.app, 'POST', '/v1/enterprises', {
      token: t.tokens.bureau,
      body: { creditCode: code, name: '测试企业', county: '330206', industryCode: '3411' },
    })
    expect(created.status).toBe(201)
    const etag = created.headers.get('etag')!
    expect(etag).toBe('"e1"')
    const dup = await call(t.app, 'POST', '/v1/enterprises', {
      token: t.tokens.bureau,
      body: { creditCode: code, name: 'x', county: '330206', industryCode: '3411' },
    })
    expect(dup.status).toBe(409)
    const body = { name: '测试企业（更名）', county: '330206', industryCode: '3411' }
    expect(
      (await call(t.app, 'PUT', `/v1/enterprises/${code}`, { token: t.tokens.bureau, body }))
        .status,
    ).toBe(428)
    expect(
      (
        await call(t.app, 'PUT', `/v1/enterprises/${code}`, {
          token: t.tokens.bureau,
          body,
          headers: { 'if-match': '"e7"' },
        })
      ).status,
    ).toBe(412)
    expect(t.store.getEnterprise(code).name).toBe('测试企业')
    const ok = await call(t.app, 'PUT', `/v1/enterprises/${code}`, {
      token: t.tokens.bureau,
      body,
      headers: { 'if-match': etag },
    })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('etag')).toBe('"e2"')
    expect(t.store.getEnterprise(code).name).toBe('测试企业（更名）')
  })

  it('stores figures after checking them against the rulebook inputs', async () => {
    const bad = await call(t.app, 'PUT', `/v1/enterprises/${code}/figures/2024`, {
      token: t.tokens.bureau,
      body: { land_mu: -3, tax: 'x' },
    })
    expect(bad.status).toBe(422)
    expect(((await bad.json()) as { detail: string }).detail).toBe(
      'land_mu must be at least 0, got -3; tax must be a number, got "x"',
    )
    const ok = await call(t.app, 'PUT', `/v1/enterprises/${code}/figures/2024`, {
      token: t.tokens.bureau,
      body: { land_mu: 5, tax: 10, above_scale: false, electricity_kwh: 1000 },
    })
    expect(ok.status).toBe(200)
    const again = await call(t.app, 'PUT', `/v1/enterprises/${code}/figures/2024`, {
      token: t.tokens.bureau,
      body: { land_mu: 6 },
    })
    expect(again.status).toBe(428)
  })

  it('a CSV import with a bad row changes nothing and names the row and column', async () => {
    const c1 = withCheckChar('91330206MAT000002')
    const csv = `credit_code,name,county_code,industry_code,land_mu,tax,above_scale\n${c1},甲,330206,3411,10,5,false\n91330206MAT0000039,乙,330206,3411,-1,5,false\n`
    const res = await call(t.app, 'POST', '/v1/enterprises:import?year=2024', {
      token: t.tokens.bureau,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    })
    expect(res.status).toBe(422)
    const detail = ((await res.json()) as { detail: string }).detail
    expect(detail).toContain('row 3 column credit_code')
    expect(detail).toContain('row 3 column land_mu: land_mu must be at least 0, got -1')
    expect(() => t.store.getEnterprise(c1)).toThrow('not found')
    const good = await call(t.app, 'POST', '/v1/enterprises:import?year=2024', {
      token: t.tokens.bureau,
      raw: csv.split('\n').slice(0, 2).join('\n'),
      headers: { 'content-type': 'text/csv' },
    })
    expect(await good.json()).toEqual({
      year: 2024,
      rows: 1,
      encoding: 'utf-8',
      created: 1,
      updated: 0,
      skipped: [],
    })
  })

  it('over a real socket, a declared or a chunked over-large body is 413 and a quote still works', async () => {
    const small = createTestApp({ size: 20, maxBodyBytes: 2048, maxImportBytes: 2048 })
    const server = serve({ fetch: small.app.fetch, port: 0, hostname: '127.0.0.1' })
    await new Promise((r) => server.once('listening', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const auth = { authorization: `Bearer ${small.tokens.bureau}` }
    try {
      const declared = await fetch(`${base}/v1/enterprises:import?year=2024`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: 'x'.repeat(5000),
      })
      expect(declared.status).toBe(413)
      expect(((await declared.json()) as { code: string }).code).toBe('BODY_TOO_LARGE')
      // A stream has no Content-Length: it goes out chunked and is counted as it arrives.
      const chunked = await fetch(`${base}/v1/enterprises:import?year=2024`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/csv' },
        body: new Blob(['x'.repeat(5000)]).stream(),
        duplex: 'half',
      } as RequestInit)
      expect(chunked.status).toBe(413)
      const quoted = await fetch(`${base}/v1/quotes`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          creditCode: small.tokens.creditCode,
          resource: 'electricity',
          quantity: '1000',
          from: '2025-01-01',
          to: '2025-02-01',
        }),
      })
      expect(quoted.status).toBe(200)
      expect(((await quoted.json()) as { creditCode: string }).creditCode).toBe(
        small.tokens.creditCode,
      )
    } finally {
      server.close()
    }
  })

  it('refuses an over-large body with 413', async () => {
    const small = createTestApp({ size: 20, maxBodyBytes: 2048, maxImportBytes: 2048 })
    const res = await call(small.app, 'POST', '/v1/enterprises:import?year=2024', {
      token: small.tokens.bureau,
      raw: 'x'.repeat(5000),
      headers: { 'content-type': 'text/csv', 'content-length': '5000' },
    })
    expect(res.status).toBe(413)
    expect(((await res.json()) as { code: string }).code).toBe('BODY_TOO_LARGE')
  })

  it('a CSV import may be larger than other bodies, but only from a bureau token', async () => {
    const small = createTestApp({ size: 20, maxBodyBytes: 2048, maxImportBytes: 8192 })
    const send = (token: string) =>
      call(small.app, 'POST', '/v1/enterprises:import?year=2024', {
        token,
        raw: 'x'.repeat(5000),
        headers: { 'content-type': 'text/csv', 'content-length': '5000' },
      })
    const utility = await send(small.tokens.utility)
    expect(utility.status).toBe(413)
    expect(((await utility.json()) as { detail: string }).detail).toContain('2048 bytes')
    // The bureau's body is read and refused for what it is: a CSV without the required columns.
    const bureau = await send(small.tokens.bureau)
    expect(bureau.status).toBe(422)
    const tooBig = await call(small.app, 'POST', '/v1/enterprises:import?year=2024', {
      token: small.tokens.bureau,
      raw: 'x'.repeat(9000),
      headers: { 'content-type': 'text/csv', 'content-length': '9000' },
    })
    expect(tooBig.status).toBe(413)
  })
})

describe('rulebook versions', () => {
  it('a new version is validated exactly as `mujun rules check` and nothing is stored when invalid', async () => {
    const files = cityTexts().map((f) =>
      f.path === 'evaluation.yaml'
        ? { ...f, text: f.text.replace('formula: tax / land_mu', 'formula: tax / land_area') }
        : f,
    )
    const res = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: t.tokens.bureau,
      body: { note: 'typo', files },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(res.status).toBe(422)
    const p = (await res.json()) as { code: string; errors: { path: string; message: string }[] }
    expect(p.code).toBe('RULEBOOK_INVALID')
    expect(p.errors[0].message).toBe(
      "evaluation.yaml:34:14: formula 'tax / land_area': unknown variable 'land_area'; the 50 variables a formula here may use (nearest first): land_mu, cod_t, gas_m3, rd_spend, tenant, value_added, employees, high_tech, nh3n_t, nox_t, revenue, so2_t, tax, tax_per_mu, water_m3, above_scale, energy_tce, env_accident, env_penalty, furnace_use, output_t, sewage_m3, tech_centre, furnace_type, evaluation_year, rd_intensity, revenue_per_mu, safety_accident, tax_per_10mwh, water_quota_m3, banned_by_policy, catalogue_class, new_enterprise, cupola_melt_tph, public_utility, value_added_per_mu, electricity_kwh, electricity_per_t, value_added_per_tce, energy_kgce_per_t, energy_task_missed, furnace_capacity_t, labour_productivity, production_start_year, above_scale_from_year, value_added_per_emission, energy_limit_kwh_per_t, energy_limit_kgce_per_t, unfixable_noncompliance, major_project_under_construction (at indicators.0.formula)",
    )
    expect(t.store.listRulebookVersions()).toHaveLength(1)
  })

  it('a valid version needs the active ETag and becomes active', async () => {
    const files = cityTexts().map((f) =>
      f.path === 'pricing.yaml'
        ? { ...f, text: f.text.replace('basePrice: "4.00"', 'basePrice: "4.20"') }
        : f,
    )
    expect(
      (
        await call(t.app, 'POST', '/v1/rulebook/versions', {
          token: t.tokens.bureau,
          body: { note: 'water base price', files },
        })
      ).status,
    ).toBe(428)
    expect(
      (
        await call(t.app, 'POST', '/v1/rulebook/versions', {
          token: t.tokens.bureau,
          body: { note: 'water base price', files },
          headers: { 'if-match': '"rb9.9"' },
        })
      ).status,
    ).toBe(412)
    // The base price of an item in force since 2018 reaches back: refused unless made as a correction.
    const retro = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: t.tokens.bureau,
      body: { note: 'water base price', files },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(retro.status).toBe(422)
    const retroBody = await retro.json()
    expect(retroBody).toMatchObject({
      code: 'CITY_RETROACTIVE',
      details: { firstDay: '2018-01-01' },
    })
    const preview = await call(t.app, 'POST', '/v1/rulebook/previews', {
      token: t.tokens.bureau,
      body: { files, months: 1 },
    })
    expect(preview.status).toBe(200)
    const { digest, correctionRequired } = (await preview.json()) as {
      digest: string
      correctionRequired: boolean
    }
    expect(correctionRequired).toBe(true)
    const res = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: t.tokens.bureau,
      body: {
        note: 'water base price',
        files,
        correction: {
          reason: 'the 2016 notice set 4.20',
          document: '甬价〔2016〕1号',
          preview: digest,
        },
      },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(res.status).toBe(201)
    expect(t.services.rulebooks.active().id).toBe(2)
    const resolved = (await (
      await call(t.app, 'GET', '/v1/rulebook?county=330203&date=2025-01-01', {
        token: t.tokens.utility,
      })
    ).json()) as { surcharges: { id: string; quota?: { basePrice: string } }[] }
    expect(resolved.surcharges.find((s) => s.id === 'water_above_quota')?.quota?.basePrice).toBe(
      '4.20',
    )
  })
})

describe('evaluations', () => {
  it('runs a draft, then publishes it atomically, superseding the previous run', async () => {
    const run = await call(t.app, 'POST', '/v1/evaluations', {
      token: t.tokens.economy,
      body: { year: 2024 },
    })
    expect(run.status).toBe(201)
    const { id } = (await run.json()) as { id: number }
    expect(t.store.publishedRun(2024)?.id).not.toBe(id)
    // A draft is not published as it is: it goes to notice first, or is recorded as a past publication.
    const bare = await call(t.app, 'POST', `/v1/evaluations/${id}/publish`, {
      token: t.tokens.economy,
    })
    expect(bare.status).toBe(409)
    expect(((await bare.json()) as { detail: string }).detail).toContain('put it to notice first')
    // Recorded as published outside mujun: a correction, previewed first.
    const reasonOnly = await call(t.app, 'POST', `/v1/evaluations/${id}/publish`, {
      token: t.tokens.economy,
      body: { publishedOn: '2025-01-01', reason: 'published on paper, recorded here' },
    })
    expect(reasonOnly.status).toBe(422)
    expect(((await reasonOnly.json()) as { code: string }).code).toBe('PUBLICATION_RETROACTIVE')
    const preview = await call(t.app, 'POST', `/v1/evaluations/${id}/publication-preview`, {
      token: t.tokens.economy,
      body: { publishedOn: '2025-01-01', months: 1 },
    })
    expect(preview.status).toBe(200)
    const { digest } = (await preview.json()) as { digest: string }
    const pub = await call(t.app, 'POST', `/v1/evaluations/${id}/publish`, {
      token: t.tokens.economy,
      body: {
        publishedOn: '2025-01-01',
        correction: {
          reason: 'published on paper, recorded here',
          document: '甬经信〔2025〕1号',
          preview: digest,
        },
      },
    })
    expect(pub.status).toBe(200)
    expect(await pub.json()).toMatchObject({ bindingFrom: '2025-01-01' })
    expect(t.store.publishedRun(2024)?.id).toBe(id)
    expect(
      (await call(t.app, 'POST', `/v1/evaluations/${id}/publish`, { token: t.tokens.economy }))
        .status,
    ).toBe(409)
    expect(
      t.store
        .listRuns()
        .filter((r) => r.year === 2024)
        .map((r) => r.status),
    ).toEqual(['published', 'superseded'])
  })

  it('readers on another connection see the old published run until the publish commits', () => {
    const dir = tempDir('db')
    const path = join(dir, 'm.db')
    const a = createTestApp({ size: 40, path })
    const reader = new Database(path, { readonly: true })
    const published = reader.prepare(
      "select id from evaluation_runs where year = 2024 and status = 'published'",
    )
    const classOf = reader.prepare(
      "select r.class from evaluation_results r join evaluation_runs e on e.id = r.run_id where e.year = 2024 and e.status = 'published' and r.credit_code = ?",
    )
    const before = published.all()
    const run = a.services.evaluations.run(principalOf(a, a.tokens.economy), 2024)
    reader.exec('begin')
    const during = published.all()
    publishRun(a.store, run.id, a.store.today(), 'test', {
      publishedOn: '2025-01-01',
      correction: { reason: 'test', document: 'test' },
    })
    // The reader's transaction still sees the snapshot taken before the publish: exactly one published run.
    expect(published.all()).toEqual(during)
    expect(classOf.all(a.tokens.creditCode)).toHaveLength(1)
    reader.exec('commit')
    expect(published.all()).toEqual([{ id: run.id }])
    expect(before).toEqual(during)
    reader.close()
  })
})

function cityTexts() {
  return ningboTexts().filter((f) => !f.path.startsWith('counties/'))
}
