// Issue "Domain fidelity": a run goes through public notice (公示), objections (异议) and review (复核) before it is
// published, and binds only from its publication. A golden case computed by hand:
//
// Year 2025, 宁海县 (330226): case 01's twenty firms (firm i pays tax i on 10 mu, 1,000,000 kWh; reference firms 11–20
//   pay 1.5 … 8.5, 11, 12). As in case 01 firm 1 ranks 20 of 20 → D (score 2 × round4(50 × 1/5.9) = 2 × 8.4746
//   = 16.9492), firm 2 ranks 18 → C.
// The clock starts on 2026-01-01 (Ningbo). The rulebook's notice is 7 days: 2026-01-01 to 2026-01-07.
//   Firm 1 objects on 2026-01-01; the economy office upholds it: class D → C (a re-grade, reason recorded).
//   Firm 2 objects; the economy office rejects it: class stays C.
//   8 days later (2026-01-09) the run is published: it binds from max(2026-01-01, 2026-01-09) = 2026-01-09.
// Quote for firm 1, electricity, 2026-01-01..2026-02-01 (31 days), 31,000 kWh, prorated by days:
//   2026-01-01..2026-01-08 (8 days, 8,000 kWh): no evaluation binds yet (firm 1 has none before 2025) → nothing
//   2026-01-09..2026-01-31 (23 days, 23,000 kWh): evaluation 2025, class C after review: class_electricity (the
//   version from 2025-07-01) C 0.15 → 23,000 × 0.15 = 3,450.00. Had the objection failed (D 0.30): 6,900.00.
import { beforeAll, describe, expect, it } from 'vitest'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { caseOneFirms } from './support/population.ts'

let t: TestApp
let runId: number
let firm1: string
let firm2: string
let token1: string
let token2: string
const json = async (r: Response) => (await r.json()) as any

beforeAll(async () => {
  t = createTestApp({ size: 60, clockStart: '2026-01-01T00:00:00Z' })
  const firms = caseOneFirms('330226')
  firm1 = firms[0].creditCode
  firm2 = firms[1].creditCode
  const bureau = { role: 'bureau' as const, scope: '', label: 'test', tokenId: 0 }
  t.services.enterprises.importRows(bureau as never, firms, 2025)
  token1 = t.store.createToken('enterprise', firm1, 'firm 1', { by: 'test' }).token
  token2 = t.store.createToken('enterprise', firm2, 'firm 2', { by: 'test' }).token
  const run = await call(t.app, 'POST', '/v1/evaluations', {
    token: t.tokens.economy,
    body: { year: 2025 },
  })
  runId = (await json(run)).id
})

describe('notice → objection → review → publication', () => {
  it('puts the run to notice for the rulebook’s 7 days; each firm sees its provisional result', async () => {
    const notice = await call(t.app, 'POST', `/v1/evaluations/${runId}/notice`, {
      token: t.tokens.economy,
    })
    expect(await json(notice)).toEqual({
      id: runId,
      year: 2025,
      noticeFrom: '2026-01-01',
      noticeTo: '2026-01-07',
    })
    const mine = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm1}/provisional?year=2025`, { token: token1 }),
    )
    expect(mine).toMatchObject({ status: 'notice', noticeTo: '2026-01-07' })
    expect(mine.result).toMatchObject({ class: 'D', score: 16.9492, rank: 20, groupSize: 20 })
    // Another firm's provisional result is not an enterprise's to read.
    const other = await call(t.app, 'GET', `/v1/enterprises/${firm2}/provisional?year=2025`, {
      token: token1,
    })
    expect(other.status).toBe(403)
  })

  it('nothing binds during the notice, and the tier says a run is in notice', async () => {
    const tier = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm1}/tier?date=2026-01-05`, { token: token1 }),
    )
    expect(tier).toMatchObject({ evaluationId: null, class: null, evaluationStatus: null })
    expect(tier.notes.join(' ')).toContain(
      `evaluation ${runId} of 2025 is in public notice until 2026-01-07`,
    )
  })

  it('publication waits for the notice to end and for every objection to be decided', async () => {
    const early = await call(t.app, 'POST', `/v1/evaluations/${runId}/publish`, {
      token: t.tokens.economy,
    })
    expect(early.status).toBe(409)
    expect((await json(early)).detail).toContain('runs until 2026-01-07')
  })

  it('firms object with reason and evidence; only for themselves', async () => {
    const forOther = await call(t.app, 'POST', `/v1/evaluations/${runId}/objections`, {
      token: token1,
      body: { creditCode: firm2, reason: 'not mine to file', evidence: '-' },
    })
    expect(forOther.status).toBe(403)
    const o1 = await call(t.app, 'POST', `/v1/evaluations/${runId}/objections`, {
      token: token1,
      body: {
        creditCode: firm1,
        reason: 'the land area includes 4 mu leased to another firm',
        evidence: 'lease contract 2023-17',
      },
    })
    expect(o1.status).toBe(201)
    expect(await json(o1)).toMatchObject({ status: 'open', classBefore: 'D' })
    const o2 = await call(t.app, 'POST', `/v1/evaluations/${runId}/objections`, {
      token: token2,
      body: {
        creditCode: firm2,
        reason: 'our tax should count VAT refunds',
        evidence: 'tax letter',
      },
    })
    expect(o2.status).toBe(201)
    const again = await call(t.app, 'POST', `/v1/evaluations/${runId}/objections`, {
      token: token1,
      body: { creditCode: firm1, reason: 'a second one meanwhile', evidence: '-' },
    })
    expect(again.status).toBe(409)
  })

  it('the economy office (经信) decides each objection: an upheld one re-grades the firm; a county cannot decide', async () => {
    const list = (await json(
      await call(t.app, 'GET', `/v1/evaluations/${runId}/objections`, { token: t.tokens.economy }),
    )) as { objections: { id: number; creditCode: string }[] }
    const id1 = list.objections.find((o) => o.creditCode === firm1)!.id
    const id2 = list.objections.find((o) => o.creditCode === firm2)!.id
    const open = await call(t.app, 'POST', `/v1/evaluations/${runId}/publish`, {
      token: t.tokens.economy,
    })
    expect(open.status).toBe(409)
    const byCounty = await call(t.app, 'POST', `/v1/objections/${id1}/decision`, {
      token: t.tokens.county,
      body: { upheld: true, class: 'A', reason: 'a county may not decide' },
    })
    expect(byCounty.status).toBe(403)
    const noClass = await call(t.app, 'POST', `/v1/objections/${id1}/decision`, {
      token: t.tokens.economy,
      body: { upheld: true, reason: 'upheld without saying the class' },
    })
    expect(noClass.status).toBe(422)
    const upheld = await call(t.app, 'POST', `/v1/objections/${id1}/decision`, {
      token: t.tokens.economy,
      body: { upheld: true, class: 'C', reason: 'leased land excluded on review: class C' },
    })
    expect(await json(upheld)).toMatchObject({
      status: 'upheld',
      classBefore: 'D',
      classAfter: 'C',
    })
    const rejected = await call(t.app, 'POST', `/v1/objections/${id2}/decision`, {
      token: t.tokens.economy,
      body: { upheld: false, reason: 'VAT refunds are not tax paid' },
    })
    expect(await json(rejected)).toMatchObject({ status: 'rejected', classAfter: 'C' })
    const result = t.store.runResult(runId, firm1)!
    expect(result.class).toBe('C')
    expect(t.services.evaluations.stored(t.store.getRun(runId), result)).toMatchObject({
      class: 'C',
      initialClass: 'D',
      regrade: { objection: id1, from: 'D', to: 'C' },
    })
    const actions = t.store.listAudit({}).map((a) => a.action)
    expect(actions).toEqual(
      expect.arrayContaining([
        'evaluation.notice',
        'objection.file',
        'objection.uphold',
        'objection.reject',
      ]),
    )
  })

  it('published after the notice, the run binds from its publication date, and the quote follows the review', async () => {
    t.advanceDays(8)
    const late = await call(t.app, 'POST', `/v1/evaluations/${runId}/objections`, {
      token: token1,
      body: { creditCode: firm1, reason: 'after the notice ended', evidence: '-' },
    })
    expect(late.status).toBe(409)
    const pub = await call(t.app, 'POST', `/v1/evaluations/${runId}/publish`, {
      token: t.tokens.economy,
    })
    expect(await json(pub)).toMatchObject({ id: runId, year: 2025, bindingFrom: '2026-01-09' })
    const q = await json(
      await call(t.app, 'POST', '/v1/quotes', {
        token: token1,
        body: {
          creditCode: firm1,
          resource: 'electricity',
          quantity: '31000',
          from: '2026-01-01',
          to: '2026-02-01',
        },
      }),
    )
    expect(q.lines.map((l: any) => [l.from, l.to, l.quantity, l.rate, l.amount])).toEqual([
      ['2026-01-09', '2026-02-01', '23000', '0.15', '3450.00'],
    ])
    expect(q.total).toBe('3450.00')
    const tier = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm1}/tier?date=2026-01-10`, { token: token1 }),
    )
    expect(tier).toMatchObject({
      class: 'C',
      evaluationYear: 2025,
      evaluationId: runId,
      evaluationStatus: 'published',
      validFrom: '2026-01-09',
      validTo: null,
    })
  })

  it('the price’s provenance names the run, who noticed and published it, and the objection that changed it', async () => {
    const res = await call(t.app, 'GET', `/v1/enterprises/${firm1}/provenance?date=2026-01-10`, {
      token: token1,
    })
    expect(res.status).toBe(200)
    const why = await json(res)
    // Every act is named by its actor: the token's label, role and id.
    const actor = (role: string, label?: string) => {
      const x = t.store.listTokens().find((k) => k.role === role && (!label || k.label === label))!
      return `${x.label} [${role}${x.scope ? ` ${x.scope}` : ''}, token #${x.id}]`
    }
    const economy = actor('economy')
    expect(why.class).toBe('C')
    expect(why.evaluation).toMatchObject({
      id: runId,
      year: 2025,
      status: 'published',
      createdBy: economy,
      notice: { from: '2026-01-01', to: '2026-01-07', by: economy },
      publishedBy: economy,
      bindingFrom: '2026-01-09',
      result: { initialClass: 'D', class: 'C', rank: 20, groupSize: 20 },
      figures: { year: 2025, version: 1, updatedBy: 'test' },
    })
    expect(why.evaluation.objections).toEqual([
      expect.objectContaining({
        status: 'upheld',
        filedBy: actor('enterprise', 'firm 1'),
        reason: expect.any(String),
        classBefore: 'D',
        classAfter: 'C',
        decision: 'leased land excluded on review: class C',
        decidedBy: economy,
      }),
    ])
    expect(why.rates.find((r: any) => r.resource === 'electricity').schedules).toEqual([
      expect.objectContaining({
        scheduleId: 'class_electricity',
        rate: '0.15',
        charged: true,
        origin: expect.objectContaining({ file: 'pricing.yaml', kind: 'city' }),
        assumed: true,
      }),
    ])
  })
})
