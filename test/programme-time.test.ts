/**
 * Issue 23 for the programme, "nothing silently rewrites what was billed, published or reported": a county's
 * backdated list or report is a request the economy office decides (accepting is a correction), the fund counts
 * only verified dispositions freeing no more than the firm had, and a closure's verification is an act of its own
 * day unless recorded as a correction, asked as known at any instant. Observation 6 against a real server process.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { createDb, MIGRATIONS_DIR } from '../src/db/client.ts'
import { ProgrammeStore } from '../src/db/programme-store.ts'
import { Store } from '../src/db/store.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { api, type Server, startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

const json = async (r: Response) => (await r.json()) as any
afterAll(stopAll)

/** A demo firm's latest figures (2024), if it has any (the closed workshops have only 2014's). */
const latest = (t: TestApp, code: string) => {
  try {
    return { year: 2024, data: t.store.getFigures(code, 2024).data }
  } catch {
    return undefined
  }
}

describe('a county’s backdated day is a request the economy office decides', () => {
  let t: TestApp
  beforeAll(() => {
    // 2026-12-01 in Ningbo.
    t = createTestApp({ size: 100, clockStart: '2026-12-01T02:00:00Z' })
  })
  const county = (code: string) =>
    t.services.tokens.principal(
      t.store.createToken('county', code, `county ${code}`, { by: 'test' }).token,
    )!

  it('a report dated before it was sent counts as sent today (late) until accepted, with its document', async () => {
    const xiangshan = county('330225')
    const state = () =>
      t.services.programme
        .reportStates(principalOf(t, t.tokens.economy), '2017Q4')
        .find((r) => r.county === '330225')!
    expect(state().state).toBe('missing')
    const sub = t.services.programme.submitReport(xiangshan, '330225', '2017Q4', {
      submittedOn: '2018-01-09',
      historicReason: 'submitted on paper',
    })
    expect(state()).toMatchObject({ state: 'late', firstSubmittedOn: '2026-12-01' })
    expect(sub.submittedOn).toBe('2026-12-01')
    expect(sub.backdateRequest).toMatchObject({
      kind: 'report',
      claimedOn: '2018-01-09',
      sentOn: '2026-12-01',
      status: 'pending',
    })
    const id = sub.backdateRequest!.id
    const decide = (token: string, body: unknown) =>
      call(t.app, 'POST', `/v1/programme/backdate-requests/${id}/decision`, { token, body })
    // The county cannot certify its own history.
    expect(
      (
        await decide(t.tokens.county, {
          decision: 'accepted',
          reason: 'we say so ourselves',
          ref: '慈经信〔2026〕1号',
        })
      ).status,
    ).toBe(403)
    const noRef = await decide(t.tokens.economy, {
      decision: 'accepted',
      reason: 'the paper copy bears the receipt stamp',
    })
    expect(noRef.status).toBe(422)
    expect(noRef.headers.get('content-type')).toContain('application/problem+json')
    expect(await json(noRef)).toMatchObject({
      code: 'CORRECTION_REQUIRED',
      firstDayAffected: '2018-01-09',
    })
    expect(state().state).toBe('late')
    const accepted = await decide(t.tokens.economy, {
      decision: 'accepted',
      reason: 'the paper copy bears the receipt stamp',
      ref: '甬腾换办〔2018〕3号',
    })
    expect(accepted.status).toBe(200)
    expect(await json(accepted)).toMatchObject({
      status: 'accepted',
      decision: { ref: '甬腾换办〔2018〕3号' },
    })
    expect(state()).toMatchObject({ state: 'on_time', firstSubmittedOn: '2018-01-09' })
    const audit = t.store.listAudit({ subject: 'report/330225/2017Q4/' })
    expect(audit.map((a) => a.action)).toEqual([
      'backdate-request.accept.correction',
      'backdate-request.create',
      'report.submit',
    ])
    expect(audit[0].detail).toMatchObject({
      firstDayAffected: '2018-01-09',
      ref: '甬腾换办〔2018〕3号',
    })
    // Decided once.
    const again = await decide(t.tokens.economy, { decision: 'refused', reason: 'second thoughts' })
    expect(again.status).toBe(409)
  })

  it('a project list filed “before” stays late when the office refuses; the CLI lists and decides', async () => {
    const jiangbei = county('330205')
    const list = () => t.services.programme.lists(principalOf(t, t.tokens.economy), 2016)
    expect(list().find((l) => l.county === '330205')!.status).toBe('late')
    const made = await call(t.app, 'POST', '/v1/projects', {
      token: t.store.createToken('county', '330205', 'jiangbei', { by: 'test' }).token,
      body: {
        county: '330205',
        year: 2016,
        kind: 'sector',
        name: '补报项目',
        township: '庄桥街道',
        startsOn: '2016-01-01',
        endsOn: '2016-12-31',
        filedOn: '2015-12-01',
        historicReason: 'filed on paper in 2015',
      },
    })
    expect(made.status).toBe(201)
    const project = await json(made)
    expect(list().find((l) => l.county === '330205')!.status).toBe('late')
    expect(project).toMatchObject({
      filedOn: '2026-12-01',
      backdateRequest: { kind: 'project', claimedOn: '2015-12-01', status: 'pending' },
    })
    // A county sees only its own requests.
    const own = t.services.programme.backdateRequests(jiangbei)
    expect(new Set(own.map((r) => r.county))).toEqual(new Set(['330205']))
    expect(() => t.services.programme.backdateRequests(jiangbei, { county: '330282' })).toThrow(
      'scoped to 330205',
    )
    const cli = async (...argv: string[]) => {
      const out: string[] = []
      const code = await runCli([...argv, '--db', ':memory:'], {
        out: (x) => out.push(x),
        err: (x) => out.push(x),
      })
      return { code, out: out.join('\n') }
    }
    expect((await cli('programme', 'requests', '--accept', '1', '--refuse', '1')).code).toBe(2)
    const refused = t.services.programme.decideBackdate(
      principalOf(t, t.tokens.economy),
      project.backdateRequest.id,
      { decision: 'refused', reason: 'no receipt of the 2015 list was found' },
    )
    expect(refused).toMatchObject({ status: 'refused', decision: { ref: null } })
    expect(list().find((l) => l.county === '330205')!.status).toBe('late')
    expect(
      (
        await json(
          await call(t.app, 'GET', `/v1/projects/${project.id}`, { token: t.tokens.economy }),
        )
      ).filedOn,
    ).toBe('2026-12-01')
    expect(t.store.listAudit({ subject: `project/${project.id}` })[0].action).toBe(
      'backdate-request.refuse',
    )
  })

  it('mujun programme requests lists the pending ones and accepts one with its document', async () => {
    const dir = tempDir('requests')
    const db = join(dir, 'm.db')
    const app = createTestApp({ size: 60, path: db, clockStart: '2026-12-01T02:00:00Z' })
    const cixi = principalOf(app, app.tokens.county)
    const sub = app.services.programme.submitReport(cixi, '330282', '2017Q4', {
      submittedOn: '2018-01-05',
      historicReason: 'submitted on paper',
    })
    const run = async (...argv: string[]) => {
      const out: string[] = []
      const code = await runCli([...argv, '--db', db], {
        out: (x) => out.push(x),
        err: (x) => out.push(x),
      })
      return { code, out: out.join('\n') }
    }
    const pending = await run('programme', 'requests', '--status', 'pending')
    expect(pending.code).toBe(0)
    expect(pending.out).toContain(
      `#${sub.backdateRequest!.id} pending  330282 2017Q4 report #2 submitted on 2018-01-05, sent 2026-12-01`,
    )
    const noRef = await run(
      'programme',
      'requests',
      '--accept',
      String(sub.backdateRequest!.id),
      '--reason',
      'stamped copy',
    )
    expect([noRef.code, noRef.out]).toEqual([1, expect.stringContaining('CORRECTION_REQUIRED')])
    const ok = await run(
      'programme',
      'requests',
      '--accept',
      String(sub.backdateRequest!.id),
      '--reason',
      'stamped copy',
      '--ref',
      '甬腾换办〔2018〕5号',
    )
    expect([ok.code, ok.out]).toEqual([0, expect.stringContaining('accepted')])
    const audit = app.store.listAudit({ subject: 'report/330282/2017Q4/2' })[0]
    expect([audit.action, audit.actor]).toEqual([
      'backdate-request.accept.correction',
      expect.stringMatching(/^cli:/),
    ])
  })
})

describe('the fund counts verified dispositions freeing no more than the firm had', () => {
  let t: TestApp
  beforeAll(() => {
    t = createTestApp({ size: 200 })
  })

  it('a quantity above the firm’s own figures is refused at entry, by API, PATCH and ledger, naming field and bound', async () => {
    const economy = principalOf(t, t.tokens.economy)
    const project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0]
    const taken = new Set(
      t.services.programme.projectDetail(economy, project.id).dispositions.map((d) => d.creditCode),
    )
    const [a, b] = t.store
      .listEnterprises({ limit: 500, offset: 0, county: '330282' })
      .rows.map((e) => e.creditCode)
      .filter((c) => !taken.has(c) && latest(t, c))
    const figures = latest(t, a)!
    const huge = await call(t.app, 'POST', `/v1/projects/${project.id}/dispositions`, {
      token: t.tokens.county,
      body: {
        creditCode: a,
        kind: 'closure',
        deadline: '2017-12-31',
        status: 'done',
        completedOn: '2017-06-30',
        evidence: '验收单',
        energyFreedTce: '999999999999.9999',
        jobsReduced: 1,
      },
    })
    expect(huge.status).toBe(422)
    const problem = await json(huge)
    expect(problem.code).toBe('FREED_EXCEEDS_FIGURES')
    expect(problem.detail).toContain(
      `energyFreedTce 999999999999.9999 is more than the firm's recorded energy_tce of ${figures.year} (${figures.data.energy_tce})`,
    )
    // Exactly the firm's figure is allowed; a later change above it is refused like an entry.
    const ok = await call(t.app, 'POST', `/v1/projects/${project.id}/dispositions`, {
      token: t.tokens.county,
      body: {
        creditCode: a,
        kind: 'closure',
        deadline: '2017-12-31',
        energyFreedTce: String(figures.data.energy_tce),
      },
    })
    expect(ok.status).toBe(201)
    const more = await call(t.app, 'PATCH', `/v1/dispositions/${(await json(ok)).id}`, {
      token: t.tokens.county,
      body: { jobsReduced: Number(figures.data.employees) + 1 },
      headers: { 'if-match': '"d1"' },
    })
    expect([more.status, (await json(more)).detail]).toEqual([
      422,
      expect.stringContaining(
        `jobsReduced ${Number(figures.data.employees) + 1} is more than the firm's recorded employees`,
      ),
    ])
    const ledger = await call(t.app, 'POST', `/v1/projects/${project.id}/dispositions:import`, {
      token: t.tokens.county,
      raw: `credit_code,kind,deadline,land_freed_mu\n${b},closure,2017-12-31,99999\n`,
      headers: { 'content-type': 'text/csv' },
    })
    expect(ledger.status).toBe(422)
    expect((await json(ledger)).errors).toEqual([
      { path: 'row 2.land_freed_mu', code: 'csv', message: expect.stringContaining('land_mu') },
    ])
  })

  it('a done disposition the economy office has not verified moves no money; verified, it does', () => {
    const economy = principalOf(t, t.tokens.economy)
    const cixi = principalOf(t, t.tokens.county)
    const share = () =>
      t.services.programme.fundPreview(economy, 2017).counties.find((c) => c.county === '330282')!
    const before = share()
    const project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0]
    const taken = new Set(
      t.services.programme.projectDetail(economy, project.id).dispositions.map((d) => d.creditCode),
    )
    const firm = t.store
      .listEnterprises({ limit: 500, offset: 0, county: '330282' })
      .rows.map((e) => e.creditCode)
      .find((c) => !taken.has(c))!
    const energy = latest(t, firm)!.data.energy_tce as number
    const d = t.services.programme.addDisposition(cixi, project.id, {
      creditCode: firm,
      kind: 'closure',
      deadline: '2017-12-31',
      status: 'done',
      completedOn: '2017-08-01',
      evidence: '断电拆除验收单',
      energyFreedTce: String(energy),
    })
    const unverified = share()
    const criterion = (a: typeof before, id: string) => a.criteria.find((c) => c.id === id)!
    expect(criterion(unverified, 'energy').value).toBe(criterion(before, 'energy').value)
    expect(criterion(unverified, 'enterprises').value).toBe(criterion(before, 'enterprises').value)
    expect(criterion(unverified, 'energy').measure.dispositions).not.toContain(d.id)
    t.services.programme.verifyDisposition(economy, d.id, {}, d.version)
    const verified = share()
    expect(criterion(verified, 'energy').measure.dispositions).toContain(d.id)
    expect(Number(criterion(verified, 'energy').value)).toBeCloseTo(
      Number(criterion(before, 'energy').value) + energy,
      6,
    )
    expect(criterion(verified, 'enterprises').measure.dispositions).toContain(d.id)
  })
})

describe('a closure’s verification is an act of its own day (observation 7)', () => {
  it('months billed before it keep their charges; dated earlier it is a correction; asked as known at an instant', async () => {
    // 2026-12-03, 10:00 in Ningbo.
    const t = createTestApp({ size: 200, clockStart: '2026-12-03T02:00:00Z' })
    const economy = principalOf(t, t.tokens.economy)
    const cixi = principalOf(t, t.tokens.county)
    const project = t.services.programme.listProjects(economy, { county: '330282', year: 2017 })[0]
    const taken = new Set(
      t.services.programme.projectDetail(economy, project.id).dispositions.map((d) => d.creditCode),
    )
    const run = t.store.publishedRun(2024)!
    const firm = t.store
      .runResults(run.id, { county: '330282', class: 'D', limit: 100, offset: 0 })
      .find((r) => !taken.has(r.creditCode))!.creditCode
    const bill = (from: string, to: string) =>
      t.services.pricing.quote(economy, {
        creditCode: firm,
        resource: 'electricity',
        quantity: '600000',
        from,
        to,
      }).total
    const juneToNovember = bill('2026-06-01', '2026-12-01')
    expect(Number(juneToNovember)).toBeGreaterThan(0)
    const december = bill('2026-12-01', '2027-01-01')
    const d = t.services.programme.addDisposition(cixi, project.id, {
      creditCode: firm,
      kind: 'closure',
      deadline: '2026-12-31',
      status: 'done',
      completedOn: '2026-06-01',
      evidence: '断电、设备拆除验收单',
    })
    const verify = (body: object, version: number) =>
      call(t.app, 'POST', `/v1/dispositions/${d.id}/verify`, {
        token: t.tokens.economy,
        body,
        headers: { 'if-match': `"d${version}"` },
      })
    // The verification date can no longer be set in the past.
    const past = await verify({ verifiedOn: '2026-06-10' }, 1)
    expect(past.status).toBe(422)
    expect(await json(past)).toMatchObject({
      code: 'CORRECTION_REQUIRED',
      firstDayAffected: '2026-06-10',
    })
    const halfCorrection = await verify({ reason: 'checked on site in June' }, 1)
    expect(await json(halfCorrection)).toMatchObject({
      code: 'CORRECTION_REQUIRED',
      firstDayAffected: '2026-06-01',
    })
    const beforeVerifying = t.store.now()
    const today = await verify({}, 1)
    expect(today.status).toBe(200)
    expect(await json(today)).toMatchObject({
      verifiedOn: '2026-12-03',
      verifiedAt: expect.stringMatching(/^2026-12-03T/),
    })
    const verifiedToday = t.store.now()
    // Surcharges stop from the verification day: June–November, billed before, keeps every fen.
    expect(t.services.programme.closureOf(firm)).toMatchObject({
      on: '2026-12-03',
      completedOn: '2026-06-01',
      dispositionId: d.id,
      projectId: project.id,
      correction: null,
    })
    expect(bill('2026-06-01', '2026-12-01')).toBe(juneToNovember)
    expect(Number(bill('2026-12-01', '2027-01-01'))).toBeLessThan(Number(december))
    expect(bill('2026-12-03', '2027-01-01')).toBe('0.00')
    expect(t.store.listAudit({ subject: `disposition/${d.id}` })[0].action).toBe(
      'disposition.verify',
    )
    // As known before the verification was recorded, the firm was not closed.
    expect(t.services.programme.closureOf(firm, beforeVerifying)).toBeUndefined()
    expect(t.services.programme.closureOf(firm, verifiedToday)).toMatchObject({ on: '2026-12-03' })
    // The county corrects its record: the verification is cleared, but what was known then stays known.
    const moved = await call(t.app, 'PATCH', `/v1/dispositions/${d.id}`, {
      token: t.tokens.county,
      body: { evidence: '断电、设备拆除验收单（补充照片）' },
      headers: { 'if-match': '"d2"' },
    })
    expect(await json(moved)).toMatchObject({ verifiedOn: null, verifiedAt: null, version: 3 })
    expect(t.services.programme.closureOf(firm)).toBeUndefined()
    expect(t.services.programme.closureOf(firm, verifiedToday)).toMatchObject({ on: '2026-12-03' })
    // Ending June–November's charges is a correction, with its reason and document, audited and named.
    const corrected = await verify(
      { verifiedOn: '2026-06-10', reason: '6月10日现场核验，记录补录', ref: '慈经信〔2026〕88号' },
      3,
    )
    expect(corrected.status).toBe(200)
    const afterCorrection = t.store.now()
    expect(t.services.programme.closureOf(firm)).toMatchObject({
      on: '2026-06-01',
      verifiedOn: '2026-06-10',
      correction: { reason: '6月10日现场核验，记录补录', ref: '慈经信〔2026〕88号' },
    })
    expect(bill('2026-06-01', '2026-12-01')).toBe('0.00')
    const audit = t.store.listAudit({ subject: `disposition/${d.id}` })[0]
    expect([audit.action, audit.detail]).toEqual([
      'disposition.verify.correction',
      expect.objectContaining({ effectiveFrom: '2026-06-01', firstDayAffected: '2026-06-01' }),
    ])
    const tier = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm}/provenance?date=2026-07-01`, {
        token: t.tokens.utility,
      }),
    )
    expect(tier.closure).toMatchObject({
      on: '2026-06-01',
      inForce: true,
      correction: { ref: '慈经信〔2026〕88号' },
    })
    // Each instant answers with what was recorded by then.
    expect(t.services.programme.closureOf(firm, verifiedToday)).toMatchObject({ on: '2026-12-03' })
    expect(t.services.programme.closureOf(firm, afterCorrection)).toMatchObject({
      on: '2026-06-01',
    })
    expect(() => t.services.programme.closureOf(firm, 'yesterday')).toThrow('not an ISO timestamp')
  })
})

describe('migration 0018', () => {
  it('a closure verified before it keeps the day it was billed from, named for what it is, and is kept as it is', () => {
    const dir = tempDir('0018')
    // The migrations up to 0016, as a database written before 0018 has them.
    const before = join(dir, 'migrations')
    cpSync(MIGRATIONS_DIR, before, { recursive: true })
    const journal = JSON.parse(readFileSync(join(before, 'meta/_journal.json'), 'utf8'))
    journal.entries = journal.entries.filter((e: { tag: string }) => e.tag < '0017')
    writeFileSync(join(before, 'meta/_journal.json'), JSON.stringify(journal))
    const path = join(dir, 'old.db')
    const old = new Database(path)
    migrate(drizzle(old), { migrationsFolder: before })
    old.exec(`
      INSERT INTO enterprises VALUES ('92330282MA0000001X', '作坊', '330282', '3311', 1, '2025-01-01T00:00:00.000Z', 'x');
      INSERT INTO projects (id, county, year, kind, name, township, starts_on, ends_on, status, filed_on,
        registered_at, registered_by, version, updated_at, updated_by)
        VALUES (1, '330282', 2025, 'sector', '项目', '镇', '2025-01-01', '2025-12-31', 'active', '2024-12-01',
        '2024-12-01T00:00:00.000Z', 'x', 1, '2024-12-01T00:00:00.000Z', 'x');
      INSERT INTO dispositions (id, project_id, credit_code, county, kind, deadline, status, completed_on, evidence,
        verified_on, verified_by, version, created_at, created_by, updated_at, updated_by)
        VALUES (7, 1, '92330282MA0000001X', '330282', 'closure', '2025-12-31', 'done', '2025-03-16', '验收单',
        '2025-03-20', '经信', 2, '2025-03-16T00:00:00.000Z', 'county', '2025-11-02T03:00:00.000Z', '经信');`)
    old.close()
    const db = createDb(path)
    const closures = new ProgrammeStore(new Store(db)).closures()
    expect(closures.get('92330282MA0000001X')).toEqual({
      on: '2025-03-16',
      dispositionId: 7,
      projectId: 1,
      completedOn: '2025-03-16',
      verifiedOn: '2025-03-20',
      verifiedAt: '2025-11-02T03:00:00.000Z',
      verifiedBy: '经信',
      correction: {
        reason: 'verified before migration 0018, from the completion day as billed then',
        ref: null,
      },
    })
    expect(new ProgrammeStore(new Store(db)).closures('2025-11-01T00:00:00.000Z').size).toBe(0)
    // Kept, never rewritten (test/backup.test.ts tries every append-only table from a second connection).
    expect(() =>
      db.$client.prepare('UPDATE disposition_verifications SET effective_from = NULL').run(),
    ).toThrow('disposition_verifications is append-only: a row is never changed')
    db.$client.close()
  })
})

describe('against a real server: counties cannot certify their own history (observation 6)', () => {
  let s: Server
  let tokens: DemoTokens
  beforeAll(async () => {
    const dir = tempDir('programme-time')
    s = await startServer({ DB_PATH: join(dir, 'm.db') })
    tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
  }, 60_000)

  it('a backdated report and list stay late until the economy office accepts; backdated, unverified, unbounded dispositions move no fund', async () => {
    const countyToken = async (county: string) =>
      (
        await api(s.base, 'POST', '/v1/tokens', tokens.bureau, {
          role: 'county',
          county,
          label: county,
        })
      ).body.token as string
    const xiangshan = await countyToken('330225')
    const jiangbei = await countyToken('330205')
    const reportState = async () =>
      (
        await api(s.base, 'GET', '/v1/programme/reports?quarter=2017Q4', tokens.economy)
      ).body.rows.find((r: any) => r.county === '330225').state
    const listState = async () =>
      (await api(s.base, 'GET', '/v1/programme/lists/2016', tokens.economy)).body.rows.find(
        (r: any) => r.county === '330205',
      ).status
    const cixiShare = async () =>
      (await api(s.base, 'GET', '/v1/funds/2017/preview', tokens.economy)).body.counties.find(
        (c: any) => c.county === '330282',
      ).allocated
    expect([await reportState(), await listState()]).toEqual(['missing', 'late'])
    const shareBefore = await cixiShare()

    // 象山's missing 2017Q4 report, “submitted on paper” on 2018-01-09.
    const report = await api(s.base, 'POST', '/v1/programme/reports/330225/2017Q4', xiangshan, {
      submittedOn: '2018-01-09',
      historicReason: 'submitted on paper',
    })
    expect(report.status).toBe(201)
    expect(await reportState()).toBe('late')
    expect(report.body.backdateRequest).toMatchObject({
      claimedOn: '2018-01-09',
      status: 'pending',
    })
    // 江北's late 2016 list, through a project “filed” on 2015-12-01.
    const project = await api(s.base, 'POST', '/v1/projects', jiangbei, {
      county: '330205',
      year: 2016,
      kind: 'sector',
      name: '2016年度补报项目',
      township: '庄桥街道',
      startsOn: '2016-01-01',
      endsOn: '2016-12-31',
      filedOn: '2015-12-01',
      historicReason: 'filed on paper',
    })
    expect(project.status).toBe(201)
    expect(await listState()).toBe('late')
    expect(project.body.backdateRequest).toMatchObject({
      claimedOn: '2015-12-01',
      status: 'pending',
    })

    // 慈溪: thirty dispositions done “in 2017”, each freeing 999999999999.9999 of everything.
    const firms = (
      await api(s.base, 'GET', '/v1/enterprises?county=330282&limit=500', tokens.county)
    ).body.rows.map((e: any) => e.creditCode) as string[]
    const projects = (await api(s.base, 'GET', '/v1/projects?county=330282', tokens.county)).body
      .rows as { id: number }[]
    const slots: [number, string][] = []
    for (const p of projects) {
      const taken = new Set(
        (await api(s.base, 'GET', `/v1/projects/${p.id}`, tokens.county)).body.dispositions.map(
          (d: any) => d.creditCode,
        ),
      )
      for (const f of firms) if (!taken.has(f) && slots.length < 30) slots.push([p.id, f])
    }
    expect(slots.length).toBe(30)
    const HUGE = '999999999999.9999'
    const add = (projectId: number, creditCode: string, freed: string) =>
      api(s.base, 'POST', `/v1/projects/${projectId}/dispositions`, tokens.county, {
        creditCode,
        kind: 'closure',
        deadline: '2017-12-31',
        status: 'done',
        completedOn: '2017-06-30',
        evidence: '验收单',
        energyFreedTce: freed,
        waterFreedM3: freed,
        landFreedMu: freed,
      })
    for (const [projectId, creditCode] of slots) {
      const r = await add(projectId, creditCode, HUGE)
      expect([r.status, r.body.code]).toEqual([422, 'FREED_EXCEEDS_FIGURES'])
      expect(r.body.detail).toMatch(
        /energyFreedTce 999999999999\.9999 is more than the firm's recorded energy_tce of \d{4} \(/,
      )
    }
    // Within the firms' figures they are taken, and count for nothing until the economy office verifies them.
    for (const [projectId, creditCode] of slots)
      expect((await add(projectId, creditCode, '0.5')).status).toBe(201)
    expect(await cixiShare()).toBe(shareBefore)
    const fixed = await api(s.base, 'POST', '/v1/funds/2017', tokens.economy)
    expect(fixed.status).toBe(201)
    expect(fixed.body.allocation.counties.find((c: any) => c.county === '330282').allocated).toBe(
      shareBefore,
    )
    expect(fixed.body.allocation.total).toBe('60000000.00')

    // The economy office decides the requests: accepting needs the document, and is a correction.
    const pending = (
      await api(s.base, 'GET', '/v1/programme/backdate-requests?status=pending', tokens.economy)
    ).body.rows as any[]
    expect(pending.map((r) => [r.county, r.kind, r.claimedOn])).toEqual([
      ['330225', 'report', '2018-01-09'],
      ['330205', 'project', '2015-12-01'],
    ])
    const decide = (id: number, token: string, body: object) =>
      api(s.base, 'POST', `/v1/programme/backdate-requests/${id}/decision`, token, body)
    expect(
      (
        await decide(pending[0].id, xiangshan, {
          decision: 'accepted',
          reason: 'we say so ourselves',
          ref: '象经信〔2026〕1号',
        })
      ).status,
    ).toBe(403)
    const bare = await decide(pending[0].id, tokens.economy, {
      decision: 'accepted',
      reason: 'the report arrived on paper',
    })
    expect([bare.status, bare.body.code, bare.body.firstDayAffected]).toEqual([
      422,
      'CORRECTION_REQUIRED',
      '2018-01-09',
    ])
    expect(await reportState()).toBe('late')
    const accepted = await decide(pending[0].id, tokens.economy, {
      decision: 'accepted',
      reason: 'the paper report bears the office’s receipt stamp of 2018-01-09',
      ref: '象经信〔2018〕2号',
    })
    expect(accepted.status).toBe(200)
    expect(await reportState()).toBe('on_time')
    const refused = await decide(pending[1].id, tokens.economy, {
      decision: 'refused',
      reason: 'no record of a 2015 filing',
    })
    expect(refused.body.status).toBe('refused')
    expect(await listState()).toBe('late')
    const audit = await api(s.base, 'GET', '/v1/audit?subject=report/330225/2017Q4', tokens.economy)
    expect(audit.body.entries[0]).toMatchObject({
      action: 'backdate-request.accept.correction',
      detail: { firstDayAffected: '2018-01-09', ref: '象经信〔2018〕2号' },
    })
  })
})
