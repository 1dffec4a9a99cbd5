/**
 * The pricing snapshot (issue "Utilities at city scale"): for every demo firm, every resource and a sample of
 * periods, a quote answered from the snapshot equals the quote of the database path, before and after acts that
 * move the revision (a filed override, a verified closure, a re-publication); a snapshot read before an act is
 * never used; writes that change no price leave it in use; the code index holds a population's codes exactly.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { PricingService } from '../src/app/pricing.ts'
import { SNAPSHOT_DEMAND } from '../src/app/pricing-snapshot.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { CodeIndex } from '../src/pricing/code-index.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { draftOverride } from './support/overrides.ts'
import { tempDir } from './support/tmp.ts'

const PERIODS: [string, string][] = [
  ['2024-03-01', '2024-04-01'],
  ['2025-01-01', '2025-02-01'],
  ['2025-06-15', '2026-02-10'],
  ['2026-11-01', '2026-12-01'],
  ['2027-01-01', '2027-02-01'],
  ['2027-03-01', '2027-04-01'],
]

/** The database path alone: the same use case with no snapshots. */
function databasePath(t: TestApp): PricingService {
  const s = t.services
  return new PricingService(
    s.cache,
    s.rulebooks,
    s.enterprises,
    s.evaluations,
    s.programme,
    () => t.store.today(),
    (code, at) => s.lists.standingsOf(code, at),
  )
}

/** An act as far as a snapshot can tell: a write with an audit entry whose action may change a price. */
function act(t: TestApp) {
  t.store.write((tx) =>
    t.store.audit(tx, 'test', 'evaluation.publish.correction', 'evaluation/0', {}),
  )
}

const outcome = (f: () => unknown) => {
  try {
    return JSON.stringify(f())
  } catch (e) {
    return `error: ${(e as Error).message}`
  }
}

/** Quantities a bill is answered for from a quote template: strings and JSON numbers, the smallest and largest. */
const QUANTITIES: (string | number)[] = [
  '123456.789',
  1,
  7.5,
  '0.000000001',
  '999999999999999.999999999',
]

/**
 * Every firm × resource × period: the snapshot's answers equal the database path's, and so does the JSON text of a
 * billing run's answer from a quote template, for each quantity; returns how many each served.
 */
function compareAll(
  t: TestApp,
  codes: string[],
  /** False: compare with the snapshot in use now (one with firms set apart), not one built for the comparison. */
  build = true,
): {
  served: number
  templated: number
  /** Templated answers with lines split at a day (a publication, a rule change). */
  split: number
  answers: Map<string, string>
} {
  const snapshots = t.services.pricing.snapshots!
  const snap = build ? snapshots.buildNow() : snapshots.current()!
  expect(snapshots.current()).toBe(snap)
  if (build) expect(snap.revision).toBe(t.store.cachedRevision)
  const utility = principalOf(t, t.tokens.utility)
  const plain = databasePath(t)
  const { rulebook } = t.services.rulebooks.active()
  let served = 0
  let templated = 0
  let split = 0
  const answers = new Map<string, string>()
  const bill = t.services.pricing.billTexts(utility)!
  expect(bill).toBeDefined()
  for (const code of codes)
    for (const resource of ['electricity', 'water', 'gas'])
      for (const [from, to] of PERIODS) {
        const req = { creditCode: code, resource, quantity: '123456.789', from, to }
        const fast = outcome(() => t.services.pricing.quote(utility, req))
        expect(fast).toBe(outcome(() => plain.quote(utility, req)))
        answers.set(`${code}|${resource}|${from}`, fast)
        for (const quantity of QUANTITIES) {
          const b = bill({ ...req, quantity })
          if (b === undefined) continue
          templated++
          const q = JSON.parse(b.json)
          if (new Set(q.lines.map((l: { from: string }) => l.from)).size > 1) split++
          expect(b.json).toBe(outcome(() => plain.quote(utility, { ...req, quantity })))
          // What a billing file reports of it, from the template: the quote's own.
          expect([b.total, b.lines, b.rulebookVersion, b.overrides]).toEqual([
            q.total,
            q.lines.length,
            q.rulebookVersion,
            q.overrides,
          ])
        }
        // Not plain (a zero quantity, a member more, readings): left to the full quote.
        expect(bill({ ...req, quantity: '0' })).toBeUndefined()
        expect(bill({ ...req, note: 'x' })).toBeUndefined()
        const h = snap.historyOf(code, Number(to.slice(0, 4)) - 1)
        if (
          h &&
          snap.figureFree(rulebook, h, resource, Number(from.slice(0, 4)), Number(to.slice(0, 4)))
        )
          served++
      }
  return { served, templated, split, answers }
}

describe('pricing snapshot', () => {
  it('answers every demo firm as the database path does, across an override, a closure and a re-publication; never from a stale snapshot', async () => {
    const t = createTestApp({ size: 200, clockStart: '2026-12-03T02:00:00Z' })
    const codes = t.store.population(2024).map((e) => e.creditCode)
    const unknown = withCheckChar('91330282MA2YYYYY1')
    const all = [...codes, unknown]
    const first = compareAll(t, all)
    // Most quotes were answered from the snapshot (the rest read figures: water quotas, aluminium intensity), and
    // most bills from a template.
    expect(first.served).toBeGreaterThan(all.length * PERIODS.length)
    expect(first.templated).toBeGreaterThan(first.served * 3)
    // Ningbo adds surcharges up (no waived line; test/quote.test.ts has `max` stacking); lines split at days do occur.
    expect(first.split).toBeGreaterThan(0)

    // A county override filed: the revision moves; the old snapshot serves on with the county's firms set apart
    // (the database path answers them), and every firm is answered alike; then a new one, built, answers alike.
    const old = t.services.pricing.snapshots!.current()!
    const text = draftOverride('cixi_snapshot', '330282', '2027-01-01', { rate: '3.00' })
    expect(
      (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } }))
        .status,
    ).toBe(201)
    for (const [step, token, body] of [
      ['submit', t.tokens.county, {}],
      ['approve', t.tokens.bureau, { ref: '甬发改价格〔2030〕1号' }],
      ['file', t.tokens.bureau, { ref: '浙发改价格备〔2030〕1号' }],
    ] as const) {
      const r = await call(t.app, 'POST', `/v1/overrides/cixi_snapshot/${step}`, { token, body })
      expect(r.status).toBe(200)
    }
    expect(t.services.pricing.snapshots!.current()).toBe(old)
    expect(old.partial).toBe(true)
    const byCounty = (county: string) =>
      codes.find((c) => t.store.getEnterprise(c)?.county === county)!
    expect(old.historyOf(byCounty('330282'), 2024)).toBeUndefined()
    expect(old.historyOf(byCounty('330226'), 2024)).toBeDefined()
    const during = compareAll(t, all, false)
    expect(during.served).toBeGreaterThan(0)
    const second = compareAll(t, all)
    expect(t.services.pricing.snapshots!.current()).not.toBe(old)
    expect([...during.answers]).toEqual([...second.answers])
    const changed = [...second.answers].filter(([k, v]) => first.answers.get(k) !== v)
    expect(changed.length).toBeGreaterThan(0)
    expect(changed.every(([k]) => k.includes('|2027-'))).toBe(true)

    // A closure verified today: the firm's later months charge nothing, from the snapshot as from the database.
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
    const d = t.services.programme.addDisposition(cixi, project.id, {
      creditCode: firm,
      kind: 'closure',
      deadline: '2026-12-31',
      status: 'done',
      completedOn: '2026-06-01',
      evidence: '断电、设备拆除验收单',
    })
    const verified = await call(t.app, 'POST', `/v1/dispositions/${d.id}/verify`, {
      token: t.tokens.economy,
      body: {},
      headers: { 'if-match': '"d1"' },
    })
    expect(verified.status).toBe(200)
    // The firm alone is set apart from the snapshot in use.
    const before = t.services.pricing.snapshots!.current()!
    expect([before.historyOf(firm, 2024), before.partial]).toEqual([undefined, true])
    expect(compareAll(t, all, false).served).toBeGreaterThan(0)
    const third = compareAll(t, all)
    expect(t.services.pricing.snapshots!.current()!.closureOf(firm)?.on).toBe('2026-12-03')
    expect(third.answers.get(`${firm}|electricity|2027-01-01`)).toContain('"total":"0.00"')
    expect(second.answers.get(`${firm}|electricity|2027-01-01`)).not.toContain('"total":"0.00"')

    // The 2024 evaluation run again and published: a second run of the year, binding from its day.
    const again = t.services.evaluations.run(economy, 2024)
    t.services.evaluations.recordPastPublication(
      economy,
      again.id,
      '2026-06-01',
      'test: a re-publication of 2024',
      'test',
    )
    const fourth = compareAll(t, all)
    expect(fourth.served).toBeGreaterThan(all.length * PERIODS.length)

    // A snapshot built before an act is never used after it.
    const snapshots = t.services.pricing.snapshots!
    const built = snapshots.buildNow()
    expect(snapshots.current()).toBe(built)
    act(t)
    expect(snapshots.current()).toBeUndefined()
    expect(snapshots.buildNow()).not.toBe(built)

    // Off the request path: demand at a new revision starts a build in steps between turns of the event loop;
    // until it is done the database path answers.
    act(t)
    expect(snapshots.current(SNAPSHOT_DEMAND)).toBeUndefined()
    const background = await snapshots.ready()
    expect(background.revision).toBe(t.store.cachedRevision)
    expect(snapshots.current()).toBe(background)
  })

  it('a single POST /v1/quotes of a plain bill is answered from a template with the text the database path writes', async () => {
    const t = createTestApp({ size: 200, clockStart: '2026-12-03T02:00:00Z' })
    const codes = t.store.population(2024).map((e) => e.creditCode)
    t.services.pricing.snapshots!.buildNow()
    const utility = principalOf(t, t.tokens.utility)
    const plain = databasePath(t)
    const bill = t.services.pricing.billTexts(utility)!
    let templated = 0
    for (const creditCode of codes.slice(0, 40)) {
      const req = {
        creditCode,
        resource: 'electricity',
        quantity: 4321.5,
        from: '2025-06-15',
        to: '2025-08-01',
      }
      const r = await call(t.app, 'POST', '/v1/quotes', { token: t.tokens.utility, body: req })
      expect(r.status).toBe(200)
      expect(r.headers.get('content-type')).toMatch(/^application\/json/)
      expect(await r.text()).toBe(outcome(() => plain.quote(utility, req)))
      if (bill(req) !== undefined) templated++
    }
    expect(templated).toBeGreaterThan(30)
    // Not a valid credit code: still the schema's 422, not a template's answer.
    const wrong = `${codes[0].slice(0, 17)}${codes[0].endsWith('0') ? '1' : '0'}`
    const r = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: {
        creditCode: wrong,
        resource: 'electricity',
        quantity: 1,
        from: '2025-06-15',
        to: '2025-08-01',
      },
    })
    expect(r.status).toBe(422)
  })

  it('the code index finds every code it holds and no other', () => {
    const index = new CodeIndex(4)
    const codes = Array.from({ length: 5000 }, (_, i) =>
      withCheckChar(`91330200MA${String(i).padStart(7, '0')}`),
    )
    codes.push('odd-code', '短')
    for (const [i, c] of codes.entries()) expect(index.add(c)).toBe(i)
    for (const [i, c] of codes.entries()) expect(index.get(c)).toBe(i)
    expect(index.add(codes[17])).toBe(17)
    expect(index.size).toBe(codes.length)
    expect(index.get(withCheckChar('91330200MA9999999'))).toBe(-1)
    expect(index.get('other')).toBe(-1)
  })

  it('outlives writes that change no price (a token made and revoked, a write by another process with no act), not an act or a new day', async () => {
    const path = join(tempDir('snapshot-neutral'), 'm.db')
    const t = createTestApp({ size: 100, path })
    const snapshots = t.services.pricing.snapshots!
    const built = snapshots.buildNow()
    const bureau = {
      authorization: `Bearer ${t.tokens.bureau}`,
      'content-type': 'application/json',
    }
    const made = await t.app.request('/v1/tokens', {
      method: 'POST',
      headers: bureau,
      body: JSON.stringify({ role: 'utility', label: 'neutral' }),
    })
    expect(made.status).toBe(201)
    const revoked = await t.app.request(
      `/v1/tokens/${((await made.json()) as { id: number }).id}`,
      {
        method: 'DELETE',
        headers: bureau,
      },
    )
    expect(revoked.status).toBe(200)
    // Another connection's write with no audit entry (as a web session's use in another worker records it).
    const other = new Database(path)
    other.prepare("UPDATE api_tokens SET label = label || ' (seen)' WHERE id = 1").run()
    other.close()
    const revision = t.store.cachedRevision
    t.store.sync()
    expect(t.store.cachedRevision).toBeGreaterThan(revision)
    expect(snapshots.current()).toBe(built)
    // Still the same snapshot, answering as the database path does.
    const utility = principalOf(t, t.tokens.utility)
    const code = t.store.population(2024)[0].creditCode
    const req = {
      creditCode: code,
      resource: 'electricity',
      quantity: '10',
      from: '2025-03-01',
      to: '2025-04-01',
    }
    expect(outcome(() => t.services.pricing.quote(utility, req))).toBe(
      outcome(() => databasePath(t).quote(utility, req)),
    )
    // An act ends it; so does a new day in Ningbo.
    act(t)
    expect(snapshots.current()).toBeUndefined()
    const next = snapshots.buildNow()
    expect(next).not.toBe(built)
    t.advanceDays(1)
    t.store.sync()
    expect(snapshots.current()).toBeUndefined()
  })
})
