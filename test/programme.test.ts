/**
 * The rectification programme's records: what a verified closure does to billing, what bad input gets (and that it
 * stores nothing), who changed what (the audit), optimistic locking, the fund's fen split and its rule checks; and
 * the same scoping against a real server process.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { allocateFund, type CriterionMeasure } from '../src/programme/fund.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { type FundMetric, FundMetricSchema } from '../src/rulebook/schema.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { edited, ningboTexts, problemsOf } from './support/rulebook.ts'
import { api, type Server, startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

const json = async (r: Response) => (await r.json()) as any

let t: TestApp
let project: number
beforeAll(() => {
  t = createTestApp({ size: 200 })
  const economy = t.services.tokens.principal(t.tokens.economy)!
  project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0].id
})

const quoteOf = async (from: string, to: string, quantity: string) =>
  json(
    await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: { creditCode: t.tokens.creditCode, resource: 'electricity', quantity, from, to },
    }),
  )

describe('a closure verified as a correction ends the firm’s surcharges from its completion day', () => {
  it('the quote stops at the closure day; the tier says closed; nothing before it changes', async () => {
    const firm = t.tokens.creditCode
    // Before the closure is recorded: March 1–15 (15 of March's 31 days: 31,000 kWh × 15/31 = 15,000) and February.
    const firstHalf = await quoteOf('2025-03-01', '2025-03-16', '15000')
    const february = await quoteOf('2025-02-01', '2025-03-01', '28000')
    expect(Number(firstHalf.total)).toBeGreaterThan(0)
    const added = await call(t.app, 'POST', `/v1/projects/${project}/dispositions`, {
      token: t.tokens.county,
      body: {
        creditCode: firm,
        kind: 'closure',
        deadline: '2025-06-30',
        status: 'done',
        completedOn: '2025-03-16',
        evidence: '断电、设备拆除验收单',
        energyFreedTce: '120.5',
        waterFreedM3: 3000,
        landFreedMu: '8.2',
        jobsReduced: 30,
      },
    })
    expect(added.status).toBe(201)
    // The county's record alone changes no bill: the closure counts once the economy office has verified it.
    const unverified = await quoteOf('2025-03-01', '2025-04-01', '31000')
    expect(unverified.total).toBe((await quoteOf('2025-03-01', '2025-04-01', '31000')).total)
    expect(unverified.notes.join(' ')).not.toContain('closed on')
    expect(Number(unverified.total)).toBeGreaterThan(Number(firstHalf.total))
    const id = (await added.json()).id
    const byCounty = await call(t.app, 'POST', `/v1/dispositions/${id}/verify`, {
      token: t.tokens.county,
      body: {},
      headers: { 'if-match': '"d1"' },
    })
    expect(byCounty.status).toBe(403)
    const early = await call(t.app, 'POST', `/v1/dispositions/${id}/verify`, {
      token: t.tokens.economy,
      body: { verifiedOn: '2025-03-10' },
      headers: { 'if-match': '"d1"' },
    })
    expect(early.status).toBe(422)
    // Checked on site on 2025-03-20 but recorded today (2026-01-01): dated then, it is a correction of 2025's bills,
    // refused without its reason and document.
    const backdated = await call(t.app, 'POST', `/v1/dispositions/${id}/verify`, {
      token: t.tokens.economy,
      body: { verifiedOn: '2025-03-20' },
      headers: { 'if-match': '"d1"' },
    })
    expect(backdated.status).toBe(422)
    expect(await backdated.json()).toMatchObject({
      code: 'CORRECTION_REQUIRED',
      firstDayAffected: '2025-03-20',
    })
    const verified = await call(t.app, 'POST', `/v1/dispositions/${id}/verify`, {
      token: t.tokens.economy,
      body: { verifiedOn: '2025-03-20', reason: '现场核验记录补录', ref: '慈经信〔2025〕12号' },
      headers: { 'if-match': '"d1"' },
    })
    expect(verified.status).toBe(200)
    expect(await verified.json()).toMatchObject({ verifiedOn: '2025-03-20', version: 2 })
    const march = await quoteOf('2025-03-01', '2025-04-01', '31000')
    expect(march.total).toBe(firstHalf.total)
    expect(march.lines.map((l: any) => [l.from, l.to, l.amount])).toEqual(
      firstHalf.lines.map((l: any) => [l.from, l.to, l.amount]),
    )
    expect(march.notes.join(' ')).toContain('closed on 2025-03-16')
    const april = await quoteOf('2025-04-01', '2025-05-01', '1000')
    expect([april.total, april.lines]).toEqual(['0.00', []])
    expect((await quoteOf('2025-02-01', '2025-03-01', '28000')).total).toBe(february.total)
    const tier = async (date: string) =>
      json(
        await call(t.app, 'GET', `/v1/enterprises/${firm}/tier?date=${date}`, {
          token: t.tokens.utility,
        }),
      )
    const after = await tier('2025-04-01')
    expect(after.closure).toMatchObject({ on: '2025-03-16', inForce: true })
    expect(after.rates).toEqual([])
    const before = await tier('2025-03-01')
    expect(before.closure.inForce).toBe(false)
    expect(before.rates.length).toBeGreaterThan(0)
    // The class history ends the day before the closure: the 2024 class bound from 2025-01-01 to 2025-03-15.
    const history = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm}/classes`, { token: t.tokens.enterprise }),
    )
    expect(history.classes.map((c: any) => [c.evaluationYear, c.validFrom, c.validTo])).toEqual([
      [2023, '2024-01-01', '2024-12-31'],
      [2024, '2025-01-01', '2025-03-15'],
    ])
    expect(history.closure).toMatchObject({ on: '2025-03-16', projectId: project })
    // The enterprise reads its own record.
    const own = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm}/dispositions`, {
        token: t.tokens.enterprise,
      }),
    )
    expect(own.closure).toMatchObject({ on: '2025-03-16', projectId: project })
    // Why April costs nothing: the closure, recorded by the county and verified by the economy office.
    const why = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm}/provenance?date=2025-04-01`, {
        token: t.tokens.utility,
      }),
    )
    const label = (role: string) => {
      const x = t.store.listTokens().find((k) => k.role === role)!
      return `${x.label} [${role}${x.scope ? ` ${x.scope}` : ''}, token #${x.id}]`
    }
    expect(why.rates).toEqual([])
    expect(why.closure).toMatchObject({
      on: '2025-03-16',
      inForce: true,
      dispositionId: id,
      projectId: project,
      completedOn: '2025-03-16',
      evidence: '断电、设备拆除验收单',
      updatedBy: label('economy'),
      verifiedOn: '2025-03-20',
      verifiedBy: label('economy'),
      correction: { reason: '现场核验记录补录', ref: '慈经信〔2025〕12号' },
    })
    // A county that changes the verified record clears the check: billing resumes until it is verified again.
    const moved = await call(t.app, 'PATCH', `/v1/dispositions/${id}`, {
      token: t.tokens.county,
      body: { completedOn: '2025-03-20' },
      headers: { 'if-match': '"d2"' },
    })
    expect(await moved.json()).toMatchObject({ verifiedOn: null, verifiedBy: null, version: 3 })
    expect(Number((await quoteOf('2025-04-01', '2025-05-01', '1000')).total)).toBeGreaterThan(0)
    const audit = t.store.listAudit({ subject: `disposition/${id}` })
    expect(audit.map((a) => a.action)).toEqual([
      'disposition.update',
      'disposition.verify.correction',
      'disposition.create',
    ])
    expect(audit[1].detail).toMatchObject({
      effectiveFrom: '2025-03-16',
      firstDayAffected: '2025-03-16',
      ref: '慈经信〔2025〕12号',
    })
    expect((audit[0].detail as any).changes).toMatchObject({
      completedOn: ['2025-03-16', '2025-03-20'],
      verifiedOn: ['2025-03-20', null],
    })
  })
})

describe('bad input gets a clear error and stores nothing', () => {
  const someFirm = () =>
    t.store.listEnterprises({ limit: 500, offset: 0, county: '330282' }).rows.at(-1)!.creditCode
  const other = () =>
    t.store.listEnterprises({ limit: 500, offset: 0 }).rows.find((e) => e.county === '330203')!
      .creditCode
  const cases: [string, () => { path: string; body: unknown }, number, string][] = [
    [
      'a negative freed quantity',
      () => ({
        path: `/v1/projects/${project}/dispositions`,
        body: {
          creditCode: someFirm(),
          kind: 'closure',
          deadline: '2017-12-31',
          landFreedMu: '-3',
        },
      }),
      422,
      'landFreedMu',
    ],
    [
      'a done disposition without its completion day',
      () => ({
        path: `/v1/projects/${project}/dispositions`,
        body: {
          creditCode: someFirm(),
          kind: 'compliance',
          deadline: '2017-12-31',
          status: 'done',
          evidence: 'x',
        },
      }),
      422,
      'needs completedOn',
    ],
    [
      'a completion in the future',
      () => ({
        path: `/v1/projects/${project}/dispositions`,
        body: {
          creditCode: someFirm(),
          kind: 'closure',
          deadline: '2017-12-31',
          status: 'done',
          completedOn: '2099-01-01',
          evidence: 'x',
        },
      }),
      422,
      'in the future',
    ],
    [
      'a done upgrade that says nothing of what changed',
      () => ({
        path: `/v1/projects/${project}/dispositions`,
        body: {
          creditCode: someFirm(),
          kind: 'upgrade',
          deadline: '2017-12-31',
          status: 'done',
          completedOn: '2017-05-01',
          evidence: '验收',
        },
      }),
      422,
      'needs changes',
    ],
    [
      'a firm of another county',
      () => ({
        path: `/v1/projects/${project}/dispositions`,
        body: { creditCode: other(), kind: 'upgrade', deadline: '2017-12-31' },
      }),
      422,
      'is registered in county 330203',
    ],
    [
      'a wrong credit code',
      () => ({
        path: `/v1/projects/${project}/dispositions`,
        body: { creditCode: '91330282MA2000001X', kind: 'upgrade', deadline: '2017-12-31' },
      }),
      422,
      'fails its check character',
    ],
    [
      'a project of a year no programme rule covers',
      () => ({
        path: '/v1/projects',
        body: {
          county: '330282',
          year: 2025,
          kind: 'sector',
          name: '新项目',
          township: '某镇',
          startsOn: '2025-01-01',
          endsOn: '2025-12-31',
        },
      }),
      422,
      'no project-list deadline is in force for 2025',
    ],
    [
      'a list filed in the past without saying why',
      () => ({
        path: '/v1/projects',
        body: {
          county: '330282',
          year: 2017,
          kind: 'sector',
          name: '补录项目',
          township: '某镇',
          startsOn: '2017-01-01',
          endsOn: '2017-12-31',
          filedOn: '2016-12-01',
        },
      }),
      422,
      'needs historicReason',
    ],
  ]
  it.each(cases)('%s', async (_name, make, status, message) => {
    const before = t.store.listAudit({ limit: 1 })[0].id
    const count = t.services.programme.projectDetail(
      t.services.tokens.principal(t.tokens.economy)!,
      project,
    ).dispositions.length
    const { path, body } = make()
    const res = await call(t.app, 'POST', path, { token: t.tokens.county, body })
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(JSON.stringify(await res.json())).toContain(message)
    expect(t.store.listAudit({ limit: 1 })[0].id).toBe(before)
    expect(
      t.services.programme.projectDetail(t.services.tokens.principal(t.tokens.economy)!, project)
        .dispositions.length,
    ).toBe(count)
  })
})

describe('each figure’s records', () => {
  it('the city’s offices see the records behind a city figure; a county only its own county’s', () => {
    const economy = t.services.tokens.principal(t.tokens.economy)!
    const county = t.services.tokens.principal(t.tokens.county)!
    const city = t.services.programme.basis(economy, 'energy_freed_tce')
    expect(city.dispositions.map((d) => d.id)).toEqual(
      (city.figure.basis as { dispositions: number[] }).dispositions,
    )
    const sum = city.dispositions.reduce((a, d) => a + Number(d.energyFreedTce) * 100, 0)
    expect(Math.round(sum)).toBe(Math.round(Number(city.figure.value) * 100))
    const own = t.services.programme.basis(county, 'energy_freed_tce', { county: '330203' })
    expect(own.county).toBe('330282')
    expect(new Set(own.dispositions.map((d) => d.county))).toEqual(new Set(['330282']))
    expect(t.services.programme.basis(economy, 'clusters_built').projects.length).toBe(
      Number(t.services.programme.basis(economy, 'clusters_built').figure.value),
    )
  })
})

describe('a county’s ledger as a spreadsheet', () => {
  it('imports every row or none; each bad row names its row and column', async () => {
    const economy = t.services.tokens.principal(t.tokens.economy)!
    const made = await json(
      await call(t.app, 'POST', '/v1/projects', {
        token: t.tokens.county,
        body: {
          county: '330282',
          year: 2017,
          kind: 'sector',
          name: '台账导入项目',
          township: '周巷镇',
          startsOn: '2017-01-01',
          endsOn: '2017-12-31',
          filedOn: '2016-12-28',
          historicReason: 'entered from the paper list',
        },
      }),
    )
    const firms = t.store
      .listEnterprises({ limit: 500, offset: 0, county: '330282' })
      .rows.slice(0, 3)
      .map((e) => e.creditCode)
    const other = t.store
      .listEnterprises({ limit: 500, offset: 0 })
      .rows.find((e) => e.county === '330203')!.creditCode
    const send = (csv: string) =>
      call(t.app, 'POST', `/v1/projects/${made.id}/dispositions:import`, {
        token: t.tokens.county,
        raw: csv,
        headers: { 'content-type': 'text/csv' },
      })
    const header =
      '统一社会信用代码,处置类型,期限,状态,完成日期,佐证材料,腾出用能（吨标煤）,盘活土地（亩）,减少用工（人）'
    const bad = await send(
      [
        header,
        `${firms[0]},改造提升,2017-12-31,计划,,,,,`,
        `91330282MA2000001X,淘汰关停,2017-12-31,,,,,,`,
        `${firms[1]},淘汰关停,2017-12-31,已完成,2017-09-01,验收单,12.5,-2,8`,
        `${firms[0]},整治规范,2017-12-31,,,,,,`,
        `${other},改造提升,2017-12-31,,,,,,`,
        `${firms[2]},拆除,2017-12-31,,,,,,`,
      ].join('\r\n'),
    )
    expect(bad.status).toBe(422)
    const problem = await json(bad)
    expect(problem.code).toBe('CSV_INVALID')
    expect(problem.errors.map((e: any) => [e.path, e.message])).toEqual([
      ['row 3.credit_code', expect.stringContaining('fails its check character')],
      ['row 4.land_freed_mu', expect.stringContaining('non-negative decimal')],
      ['row 5.credit_code', expect.stringContaining('already has row 2 of this file')],
      ['row 6.credit_code', expect.stringContaining('is registered in county 330203')],
      ['row 7.kind', expect.any(String)],
    ])
    expect(t.services.programme.projectDetail(economy, made.id).dispositions).toEqual([])
    const good = await send(
      [
        header,
        `${firms[0]},改造提升,2017-12-31,计划,,,,,`,
        `${firms[1]},淘汰关停,2017-12-31,已完成,2017-09-01,断电拆除验收单,12.5,2,8`,
      ].join('\r\n'),
    )
    expect(good.status).toBe(201)
    expect(await json(good)).toMatchObject({ created: 2, encoding: 'utf-8' })
    const stored = t.services.programme.projectDetail(economy, made.id).dispositions
    expect(
      stored.map((d) => [d.creditCode, d.kind, d.status, d.landFreedMu, d.jobsReduced]),
    ).toEqual([
      [firms[0], 'upgrade', 'planned', '0', 0],
      [firms[1], 'closure', 'done', '2', 8],
    ])
    expect(t.store.listAudit({ subject: `disposition/${stored[1].id}` })[0].action).toBe(
      'disposition.create',
    )
  })
})

describe('the report CSV', () => {
  it('a name a county typed as a formula stays text in the spreadsheet', async () => {
    const made = await call(t.app, 'POST', '/v1/projects', {
      token: t.tokens.county,
      body: {
        county: '330282',
        year: 2017,
        kind: 'block',
        name: '@SUM(1+1)*cmd',
        township: '=HYPERLINK("x")',
        startsOn: '2017-01-01',
        endsOn: '2017-12-31',
        filedOn: '2016-12-20',
        historicReason: 'entered from the paper list',
      },
    })
    expect(made.status).toBe(201)
    // Filed on 2016-12-20 once the economy office accepts it: only then is it in the 2017Q1 report.
    const request = (await made.json()).backdateRequest
    t.services.programme.decideBackdate(principalOf(t, t.tokens.economy), request.id, {
      decision: 'accepted',
      reason: 'the paper list was received on 2016-12-20',
      ref: '甬腾换办〔2016〕9号',
    })
    const csv = await (
      await call(t.app, 'GET', '/v1/programme/reports/330282/2017Q1/report.csv', {
        token: t.tokens.county,
      })
    ).text()
    expect(csv).toContain(",'@SUM(1+1)*cmd,")
    expect(csv).not.toMatch(/(^|,)@SUM/m)
  })
})

describe('changes are versioned and audited', () => {
  it('If-Match is required and checked; each change is audited with its before and after; done stays done', async () => {
    const firm = t.store
      .listEnterprises({ limit: 500, offset: 0, county: '330282' })
      .rows.at(-2)!.creditCode
    const made = await json(
      await call(t.app, 'POST', `/v1/projects/${project}/dispositions`, {
        token: t.tokens.county,
        body: { creditCode: firm, kind: 'compliance', deadline: '2017-12-31' },
      }),
    )
    const patch = (body: unknown, ifMatch?: string) =>
      call(t.app, 'PATCH', `/v1/dispositions/${made.id}`, {
        token: t.tokens.county,
        body,
        headers: ifMatch ? { 'if-match': ifMatch } : {},
      })
    expect((await patch({ status: 'in_progress', startedOn: '2017-03-01' })).status).toBe(428)
    const ok = await patch({ status: 'in_progress', startedOn: '2017-03-01' }, '"d1"')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('etag')).toBe('"d2"')
    // A second writer still holding version 1 is refused, and nothing of its change is stored.
    const stale = await patch({ evidence: 'stale' }, '"d1"')
    expect(stale.status).toBe(412)
    const done = await patch(
      { status: 'done', completedOn: '2017-09-30', evidence: '环保、安监联合验收', jobsReduced: 3 },
      '"d2"',
    )
    expect(done.status).toBe(200)
    const back = await patch({ status: 'in_progress' }, '"d3"')
    expect(back.status).toBe(409)
    const audit = t.store.listAudit({ subject: `disposition/${made.id}` })
    expect(audit.map((a) => a.action).sort()).toEqual([
      'disposition.create',
      'disposition.update',
      'disposition.update',
    ])
    const last = audit.find((a) => (a.detail as any).version === 3)!
    expect(last.actor).toContain('county 330282')
    expect((last.detail as any).changes).toMatchObject({
      status: ['in_progress', 'done'],
      completedOn: [null, '2017-09-30'],
      jobsReduced: [0, 3],
    })
  })

  it('a fixed fund allocation is never replaced, and its amounts add up to the fen', async () => {
    const again = await call(t.app, 'POST', '/v1/funds/2015', { token: t.tokens.economy })
    expect(again.status).toBe(409)
    const fixed = await json(
      await call(t.app, 'GET', '/v1/funds/2015', { token: t.tokens.observer }),
    )
    expect(fixed.allocation.total).toBe('60000000.00')
    expect(fixed.fixedBy).toBe('demo')
    const sum = fixed.allocation.counties.reduce(
      (a: bigint, c: any) => a + BigInt(c.allocated.replace('.', '')),
      0n,
    )
    expect(sum).toBe(6_000_000_000n)
  })
})

describe('tokens for the new offices', () => {
  it('the bureau makes an economy-office token and a read-only department token; each does only its part', async () => {
    const make = async (body: object) =>
      json(await call(t.app, 'POST', '/v1/tokens', { token: t.tokens.bureau, body }))
    const economy = await make({ role: 'economy', label: '市经信局' })
    const observer = await make({ role: 'observer', label: '市生态环境局' })
    expect([economy.role, observer.role]).toEqual(['economy', 'observer'])
    const scoped = await call(t.app, 'POST', '/v1/tokens', {
      token: t.tokens.bureau,
      body: { role: 'observer', county: '330282', label: 'x' },
    })
    expect(scoped.status).toBe(422)
    const get = (token: string, path: string) => call(t.app, 'GET', path, { token })
    expect((await get(observer.token, '/v1/programme/progress')).status).toBe(200)
    expect((await get(observer.token, '/v1/audit')).status).toBe(403)
    expect((await get(economy.token, '/v1/audit?subject=fund/')).status).toBe(200)
    const run = await call(t.app, 'POST', '/v1/evaluations', {
      token: observer.token,
      body: { year: 2024 },
    })
    expect(run.status).toBe(403)
    // The pricing bureau owns the tariff rules; the economy office cannot post a rulebook version.
    const rules = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: economy.token,
      body: { note: 'x', files: ningboTexts().filter((f) => !f.path.startsWith('counties/')) },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(rules.status).toBe(403)
  })
})

describe('productivity against the base year', () => {
  it('follows a change of the figures (kept only until the register or the figures change)', async () => {
    const progress = async () =>
      (
        await json(await call(t.app, 'GET', '/v1/programme/progress', { token: t.tokens.economy }))
      ).city.find((f: any) => f.metric === 'labour_productivity_gain')
    const before = await progress()
    expect(before.basis.baseYear).toBe(2014)
    expect(before.basis.year).toBe(2017)
    const above = t.store
      .population(2017)
      .find((e) => e.figures.above_scale === true && Number(e.figures.value_added) > 0)!
    const res = await call(t.app, 'PUT', `/v1/enterprises/${above.creditCode}/figures/2017`, {
      token: t.tokens.economy,
      body: { ...above.figures, value_added: Number(above.figures.value_added) + 100_000 },
      headers: { 'if-match': '"f1"' },
    })
    expect(res.status).toBe(200)
    const after = await progress()
    expect(after.basis.current.valueAdded).toBeCloseTo(before.basis.current.valueAdded + 100_000, 6)
    expect(Number(after.value)).toBeGreaterThan(Number(before.value))
  })
})

describe('a year’s productivity pass, step by step', () => {
  it('steps of any size add up to the totals of the year’s above-scale firms, per county', () => {
    const ids = ['value_added', 'employees']
    const expected = new Map<string, { firms: number; value_added: number; employees: number }>()
    for (const e of t.store.population(2017)) {
      if (e.figures.above_scale !== true) continue
      const r = expected.get(e.county) ?? { firms: 0, value_added: 0, employees: 0 }
      r.firms += 1
      r.value_added += Number(e.figures.value_added)
      r.employees += Number(e.figures.employees)
      expected.set(e.county, r)
    }
    expect(expected.size).toBeGreaterThan(1)
    for (const size of [1, 7, 1_000_000]) {
      const got = new Map<string, { firms: number; value_added: number; employees: number }>()
      let after = ''
      let steps = 0
      for (;;) {
        const step = t.store.aboveScaleTotalsStep(2017, ids, after, size)
        steps += 1
        for (const [county, x] of step.byCounty) {
          const r = got.get(county) ?? { firms: 0, value_added: 0, employees: 0 }
          r.firms += x.firms
          r.value_added += x.sums.value_added
          r.employees += x.sums.employees
          got.set(county, r)
        }
        if (step.next === null) break
        after = step.next
      }
      expect([...got.keys()].sort(), `size ${size}`).toEqual([...expected.keys()].sort())
      for (const [county, r] of expected) {
        expect(got.get(county)!.firms, `${county} size ${size}`).toBe(r.firms)
        expect(got.get(county)!.value_added).toBeCloseTo(r.value_added, 6)
        expect(got.get(county)!.employees).toBe(r.employees)
      }
      if (size === 1_000_000) expect(steps).toBe(1)
      else expect(steps).toBeGreaterThan(1)
    }
  })

  it('`ready` lets other work in between its steps, and progress then reads its totals without a pass', async () => {
    const app = createTestApp({ size: 200 })
    const economy = app.services.tokens.principal(app.tokens.economy)!
    const step = app.store.aboveScaleTotalsStep.bind(app.store)
    let steps = 0
    // Steps of 5 firms, so the pass of a year takes several.
    const spy = vi
      .spyOn(app.store, 'aboveScaleTotalsStep')
      .mockImplementation((year, ids, after) => {
        steps += 1
        return step(year, ids, after, 5)
      })
    let stepsWhenOtherWorkRan = -1
    setImmediate(() => {
      stepsWhenOtherWorkRan = steps
    })
    await app.services.programme.ready(economy)
    const total = steps
    expect(stepsWhenOtherWorkRan).toBeGreaterThan(0)
    expect(stepsWhenOtherWorkRan).toBeLessThan(total)
    const progress = app.services.programme.progress(economy)
    expect(steps).toBe(total)
    const figure = progress.city.find((f) => f.metric === 'labour_productivity_gain')!
    expect(figure.value).not.toBeNull()
    // The same figure as a pass made in one go (a fresh service, no `ready`).
    spy.mockRestore()
    const fresh = createTestApp({ size: 200 })
    const inOneGo = fresh.services.programme
      .progress(fresh.services.tokens.principal(fresh.tokens.economy)!)
      .city.find((f) => f.metric === 'labour_productivity_gain')!
    expect(figure.value).toBe(inOneGo.value)
    // A token that may not read progress starts no pass.
    const utility = app.services.tokens.principal(app.tokens.utility)!
    await expect(app.services.programme.ready(utility)).rejects.toThrow()
  })
})

describe('the fund’s rules and its fen split', () => {
  it('thirds of 100.00 yuan: each rounds to 33.33, the largest remainder (first county on a tie) takes the last fen', () => {
    const fund = compileRulebook(edited('targets.yaml', null, '')).sections.funds[0]
    expect(fund).toBeUndefined()
    const rules = compileRulebook(
      edited('targets.yaml', 'amount: "60000000.00"', 'amount: "100.00"'),
    ).sections.funds[0]
    const counties = ['330203', '330205', '330206'].map((code) => ({ code, name: code }))
    const one: CriterionMeasure = { value: '1', projects: [], dispositions: [] }
    const measures = new Map(
      counties.map((c) => [
        c.code,
        Object.fromEntries(FundMetricSchema.options.map((m) => [m, one])) as Record<
          FundMetric,
          CriterionMeasure
        >,
      ]),
    )
    const a = allocateFund(rules, 2016, counties, measures)
    expect(a.counties.map((c) => c.allocated)).toEqual(['33.34', '33.33', '33.33'])
    expect(a.total).toBe('100.00')
  })

  it('any records: the amounts add up to the fund to the fen, none is negative, and more of every criterion never earns less', () => {
    const rules = compileRulebook(
      edited('targets.yaml', 'amount: "60000000.00"', 'amount: "1234567.89"'),
    ).sections.funds[0]
    const quantity = fc.oneof(
      fc.constant('0'),
      fc.integer({ min: 0, max: 10_000 }).map(String),
      fc
        .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 9999 }))
        .map(([a, b]) => `${a}.${String(b).padStart(4, '0')}`),
    )
    const county = fc.record(
      Object.fromEntries(FundMetricSchema.options.map((m) => [m, quantity])) as Record<
        FundMetric,
        typeof quantity
      >,
    )
    fc.assert(
      fc.property(fc.array(county, { minLength: 1, maxLength: 12 }), (values) => {
        const counties = values.map((_, i) => ({ code: String(330200 + i), name: `c${i}` }))
        const measuresOf = (vs: typeof values) =>
          new Map(
            vs.map((v, i) => [
              counties[i].code,
              Object.fromEntries(
                FundMetricSchema.options.map((m): [FundMetric, CriterionMeasure] => [
                  m,
                  { value: v[m], projects: [], dispositions: [] },
                ]),
              ) as Record<FundMetric, CriterionMeasure>,
            ]),
          )
        const a = allocateFund(rules, 2016, counties, measuresOf(values))
        const fen = a.counties.map((c) => BigInt(c.allocated.replace('.', '')))
        expect(fen.reduce((x, y) => x + y, 0n)).toBe(123456789n)
        expect(fen.every((f) => f >= 0n)).toBe(true)
        // The first county doubles every figure: its share of each criterion cannot fall, so neither can its score.
        const doubled = values.map((v, i) =>
          i === 0
            ? (Object.fromEntries(
                FundMetricSchema.options.map((m) => [m, String(Number(v[m]) * 2)]),
              ) as typeof v)
            : v,
        )
        const b = allocateFund(rules, 2016, counties, measuresOf(doubled))
        expect(Number(b.counties[0].score)).toBeGreaterThanOrEqual(
          Number(a.counties[0].score) - 1e-9,
        )
      }),
      { numRuns: 300 },
    )
  })

  it('weights that do not sum to 1 and a list deadline without its due day are rule errors with file and line', () => {
    const problems = problemsOf(
      edited(
        'targets.yaml',
        '      - { id: land, label: 新腾出用地空间, metric: land_freed_mu, weight: 0.1 }',
        '      - { id: land, label: 新腾出用地空间, metric: land_freed_mu, weight: 0.2 }',
      ),
    )
    expect(problems.join('\n')).toMatch(
      /targets\.yaml:\d+:\d+: criteria weights sum to 1\.1, not 1/,
    )
    const noDue = problemsOf(
      edited('targets.yaml', ', due: { yearOffset: 0, month: 4, day: 30 }', ''),
    )
    expect(noDue.join('\n')).toMatch(/targets\.yaml:\d+:\d+: a project_list deadline needs 'due'/)
  })
})

describe('the command line', () => {
  it('progress, deadlines, a report as CSV, and the fund previewed then fixed once', async () => {
    const dir = tempDir('programme-cli')
    const db = join(dir, 'm.db')
    const app = createTestApp({ size: 100, path: db })
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const err: string[] = []
      const code = await runCli([...argv, '--db', db], {
        out: (x) => out.push(x),
        err: (x) => err.push(x),
      })
      return { code, out: out.join('\n'), err: err.join('\n') }
    }
    const progress = await run('programme', 'progress', '--format', 'json')
    expect(progress.code).toBe(0)
    const api = await json(
      await call(app.app, 'GET', '/v1/programme/progress', { token: app.tokens.economy }),
    )
    expect(JSON.parse(progress.out).city).toEqual(api.city)
    const lists = await run('programme', 'lists', '--year', '2017')
    expect(lists.out).toMatch(/2017 330225 missing/)
    const reports = await run('programme', 'reports', '--quarter', '2017Q1')
    expect(reports.out).toMatch(/2017Q1 330226 宁海县 late/)
    const out = join(dir, 'r.csv')
    const report = await run(
      'programme',
      'report',
      '--county',
      '330282',
      '--quarter',
      '2016Q4',
      '--out',
      out,
    )
    expect(report.code).toBe(0)
    // Byte for byte what the API serves (its byte-order mark included).
    const served = await call(app.app, 'GET', '/v1/programme/reports/330282/2016Q4/report.csv', {
      token: app.tokens.county,
    })
    expect(readFileSync(out)).toEqual(Buffer.from(await served.arrayBuffer()))
    const preview = await run('programme', 'fund', '--year', '2017')
    expect(preview.out).toContain('preview (nothing stored)')
    expect(preview.out).toContain('total 60000000.00')
    expect((await run('programme', 'fund', '--year', '2017', '--fix')).code).toBe(0)
    const again = await run('programme', 'fund', '--year', '2017', '--fix')
    expect([again.code, again.err]).toEqual([1, expect.stringContaining('CONFLICT')])
    expect(app.store.listAudit({ subject: 'fund/2017' })[0].actor).toMatch(/^cli:/)
    expect((await run('programme', 'lists')).code).toBe(2)
  })
})

describe('against a real server process', () => {
  let s: Server
  let tokens: DemoTokens
  beforeAll(async () => {
    const dir = tempDir('programme')
    s = await startServer({ DB_PATH: join(dir, 'm.db') })
    tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
  }, 60_000)
  afterAll(stopAll)

  it('each office does only its part: a county its own records, 经信 the fund, the pricing bureau none of these', async () => {
    const projects = await api(s.base, 'GET', '/v1/projects?county=330203', tokens.economy)
    expect(projects.status).toBe(200)
    const foreign = projects.body.rows[0].id
    const detail = await api(s.base, 'GET', `/v1/projects/${foreign}`, tokens.economy)
    const d = detail.body.dispositions[0]
    // The demo county (慈溪) tries another county's project and record, by id and with the right version.
    for (const [method, path, body, headers] of [
      [
        'PATCH',
        `/v1/projects/${foreign}`,
        { status: 'withdrawn' },
        { 'if-match': `"p${detail.body.version}"` },
      ],
      [
        'PATCH',
        `/v1/dispositions/${d.id}`,
        { evidence: '篡改' },
        { 'if-match': `"d${d.version}"` },
      ],
      [
        'POST',
        `/v1/projects/${foreign}/dispositions`,
        { creditCode: tokens.creditCode, kind: 'closure', deadline: '2017-12-31' },
        {},
      ],
    ] as const) {
      const r = await api(s.base, method, path, tokens.county, body, headers)
      expect([path, r.status]).toEqual([path, 403])
    }
    // The pricing bureau and a read-only department cannot fix the fund; 经信 can, once.
    expect((await api(s.base, 'POST', '/v1/funds/2017', tokens.bureau)).status).toBe(403)
    expect((await api(s.base, 'POST', '/v1/funds/2017', tokens.observer)).status).toBe(403)
    expect((await api(s.base, 'POST', '/v1/funds/2017', tokens.economy)).status).toBe(201)
    expect((await api(s.base, 'POST', '/v1/funds/2017', tokens.economy)).status).toBe(409)
    // The record the county could not touch is as it was.
    const after = await api(s.base, 'GET', `/v1/projects/${foreign}`, tokens.economy)
    expect(after.body).toEqual(detail.body)
  })
})
