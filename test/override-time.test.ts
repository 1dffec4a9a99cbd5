/**
 * Issue 23, observations 4 and 5, against real server processes (a temporary database, the shipped rules, the real
 * clock: today is today in Ningbo). 4: a county's filing broke the whole city. A successor filed from today that
 * supersedes an override starting tomorrow ended it before it began; the write was committed, and from then on every
 * county's answers were 422, a restart too, with nothing in the API to repair it. 5: a successor moved its
 * predecessor's approved end later. The pre-fix code is `git show f3d16ad:src/app/overrides.ts`. Each test names
 * the assertion that failed there.
 */
import { cpSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { addDays, ningboDate } from '../src/dates.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { endOverride } from '../src/rulebook/override-workflow.ts'
import { untilNingboDayHasRoom } from './support/clock.ts'
import { draftOverride } from './support/overrides.ts'
import { NINGBO_DIR } from './support/rulebook.ts'
import { api, type Server, startServer, stopAll } from './support/server.ts'
import { sessionCookie } from './support/session.ts'
import { tempDir } from './support/tmp.ts'

afterAll(stopAll)
// The whole file takes about two minutes; today and tomorrow must stay what they were when it began.
await untilNingboDayHasRoom(6 * 60_000)

const CIXI = '330282'
const COUNTIES = [
  '330203',
  '330205',
  '330206',
  '330211',
  '330212',
  '330213',
  '330225',
  '330226',
  '330281',
  CIXI,
]

describe('override writes keep the rules valid for every county (issue 23, observations 4 and 5)', () => {
  const today = ningboDate()
  const tomorrow = addDays(today, 1)
  let dir: string
  let db: string
  let rules: string
  let tokens: DemoTokens
  let s: Server
  /** One demo firm per county that has one (a 60-firm demo may leave a county without). */
  let firms: { county: string; creditCode: string }[]

  const start = async () => {
    s = await startServer({ DB_PATH: db, RULES_DIR: rules })
  }

  beforeAll(async () => {
    dir = tempDir('override-time')
    db = join(dir, 'm.db')
    rules = join(dir, 'rules')
    cpSync(NINGBO_DIR, rules, { recursive: true })
    await start()
    tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
    firms = []
    for (const county of COUNTIES) {
      const rows = (
        await api(s.base, 'GET', `/v1/enterprises?county=${county}&limit=1`, tokens.bureau)
      ).body.rows as { creditCode: string }[]
      if (rows.length > 0) firms.push({ county, creditCode: rows[0].creditCode })
    }
    expect(firms.map((f) => f.county)).toContain(CIXI)
  }, 60_000)

  const ov = (id: string) => api(s.base, 'GET', `/v1/overrides/${id}`, tokens.bureau)
  const step = (id: string, action: string, token: string, body: Record<string, unknown> = {}) =>
    api(s.base, 'POST', `/v1/overrides/${id}/${action}`, token, body)
  /** Proposes `text` as the county, submits it, has the bureau approve it and (unless told not to) files it. */
  const approveAndFile = async (id: string, text: string, file = true) => {
    expect((await api(s.base, 'POST', '/v1/overrides', tokens.county, { text })).status).toBe(201)
    expect((await step(id, 'submit', tokens.county)).status).toBe(200)
    expect((await step(id, 'approve', tokens.bureau, { ref: `甬政函〔试〕${id}` })).status).toBe(
      200,
    )
    if (!file) return
    const filed = await step(id, 'file', tokens.county, { ref: `浙发改备〔试〕${id}` })
    expect([filed.status, filed.body.status]).toEqual([200, 'filed'])
  }
  const quote = (creditCode: string, resource: 'electricity' | 'gas', from: string, to: string) =>
    api(s.base, 'POST', '/v1/quotes', tokens.utility, {
      creditCode,
      resource,
      quantity: '120000',
      from,
      to,
    })
  /** Which county overrides a quote for the Cixi demo firm charged. */
  const cited = async (resource: 'electricity' | 'gas', from: string, to: string) => {
    const q = await quote(tokens.creditCode, resource, from, to)
    expect(q.status).toBe(200)
    return q.body.overrides as string[]
  }
  /** Every county's rules, a tier and a quote of one of its firms, and the bureau's overview page answer 200. */
  const servesEveryCounty = async () => {
    for (const county of COUNTIES) {
      const rb = await api(s.base, 'GET', `/v1/rulebook?county=${county}`, tokens.utility)
      expect([county, rb.status]).toEqual([county, 200])
    }
    for (const { county, creditCode } of firms) {
      const tier = await api(
        s.base,
        'GET',
        `/v1/enterprises/${creditCode}/tier?date=${today}`,
        tokens.utility,
      )
      expect([county, tier.status]).toEqual([county, 200])
      const q = await quote(creditCode, 'electricity', today, addDays(today, 30))
      expect([county, q.status]).toEqual([county, 200])
    }
    const cookie = await sessionCookie((p, i) => fetch(`${s.base}${p}`, i), tokens.bureau)
    const overview = await api(s.base, 'GET', '/overview', undefined, undefined, { cookie })
    expect(overview.status).toBe(200)
  }
  const health = async () => {
    const h = await api(s.base, 'GET', '/healthz')
    expect(h.status).toBe(200)
    return h.body as { status: string; setAside: { path: string; problem: string }[] }
  }

  it('4. a successor that would end an unstarted override before it begins is refused, and nothing is committed', async () => {
    const A = 'cixi_t4_a'
    const B = 'cixi_t4_b'
    await approveAndFile(A, draftOverride(A, CIXI, tomorrow))
    const a = await ov(A)
    expect([a.body.status, a.body.from, a.body.to]).toEqual(['filed', tomorrow, null])
    await approveAndFile(
      B,
      draftOverride(B, CIXI, today, { rate: '3.00', extra: `  supersedes: ${A}\n` }),
      false,
    )
    // Before the fix this answered 422 RULEBOOK_INVALID (the answer's own read of the rules failed) after B was
    // committed filed and A given `to: today`: this first assertion and every one after it failed.
    const filed = await step(B, 'file', tokens.county, { ref: '浙发改备〔试〕b' })
    expect([filed.status, filed.body.code]).toEqual([422, 'OVERRIDE_SUPERSEDES_UNSTARTED'])
    const b = await ov(B)
    expect(b.body.status).toBe('approved')
    expect(b.body.events.map((e: { action: string }) => e.action)).toEqual([
      'propose',
      'submit',
      'approve',
    ])
    const aAfter = await ov(A)
    expect(aAfter.etag).toBe(a.etag)
    expect([aAfter.body.version, aAfter.body.to]).toEqual([a.body.version, null])

    // The city is served: before the fix /healthz, /v1/rulebook, tiers, quotes and /overview answered 422.
    const check = async () => {
      expect(await health()).toMatchObject({ status: 'ok', setAside: [] })
      await servesEveryCounty()
      expect((await ov(A)).etag).toBe(a.etag)
      expect((await ov(B)).body.status).toBe('approved')
    }
    await check()
    // The same after a restart on the same database.
    await s.stop()
    await start()
    await check()

    // A filed override not yet in force can be withdrawn by its county (before the fix: 409, `withdraw` needed
    // draft, submitted or approved); then its successor can be filed, and is in force from today.
    const withdrawn = await step(A, 'withdraw', tokens.county, { reason: '由新方案接替，尚未施行' })
    expect([withdrawn.status, withdrawn.body.status]).toEqual([200, 'withdrawn'])
    const filedB = await step(B, 'file', tokens.county, { ref: '浙发改备〔试〕b' })
    expect([filedB.status, filedB.body.status]).toEqual([200, 'filed'])
    expect(await cited('electricity', today, addDays(today, 30))).toContain(B)
    expect(await health()).toMatchObject({ status: 'ok', setAside: [] })
  }, 90_000)

  // Dates relative to today when today is past the issue's own (2027-06-01 and 2028-01-01).
  const aTo = today < '2027-05-01' ? '2027-06-01' : addDays(today, 30)
  const bFrom = today < '2027-05-01' ? '2028-01-01' : addDays(aTo, 214)
  // 2027-09-01 to 2027-10-01 with the dates: after A's end, before B's start.
  const between = [addDays(aTo, 92), addDays(aTo, 122)] as const
  const A5 = 'cixi_t5_a'
  const B5 = 'cixi_t5_b'

  it("5. a successor never moves its predecessor's approved end later", async () => {
    await approveAndFile(
      A5,
      draftOverride(A5, CIXI, tomorrow, { resource: 'gas', extra: `  to: ${aTo}\n` }),
    )
    const a = await ov(A5)
    expect([a.body.status, a.body.from, a.body.to]).toEqual(['filed', tomorrow, aTo])
    await approveAndFile(
      B5,
      draftOverride(B5, CIXI, bFrom, {
        resource: 'gas',
        rate: '3.00',
        extra: `  supersedes: ${A5}\n`,
      }),
    )
    // Before the fix B's filing wrote a 'supersede' revision of A with `to: ${bFrom}`: these failed.
    const aAfter = await ov(A5)
    expect(aAfter.body.to).toBe(aTo)
    expect(aAfter.etag).toBe(a.etag)
    expect(aAfter.body.events.map((e: { action: string }) => e.action)).not.toContain('supersede')
    // Between A's end and B's start the city rate applies: before the fix this gas bill cited A.
    expect(await cited('gas', ...between)).toEqual([])
    // Each applies in its own dates (so the empty list above is not a quote that cites nothing ever).
    expect(await cited('gas', tomorrow, addDays(tomorrow, 30))).toEqual([A5])
    expect(await cited('gas', bFrom, addDays(bFrom, 31))).toEqual([B5])
  })

  it('4. an override write that would leave the rules invalid is refused and commits nothing', async () => {
    const before = await ov(A5)
    // The bureau's repair ending A before it begins. Before the fix there was no repair: the path matched
    // /v1/overrides/{id}/{action} and answered VALIDATION_FAILED, so the code assertion failed.
    const refused = await api(s.base, 'POST', `/v1/overrides/${A5}/repair`, tokens.bureau, {
      to: tomorrow,
      correction: { reason: '试图在开始之日结束', document: '甬发改〔试〕1号' },
    })
    expect([refused.status, refused.body.code]).toEqual([422, 'RULES_WOULD_BREAK'])
    expect(refused.body.detail).toContain(`'to' (${tomorrow}) must be after 'from' (${tomorrow})`)
    const after = await ov(A5)
    expect(after.etag).toBe(before.etag)
    expect([after.body.to, after.body.events.length]).toEqual([aTo, before.body.events.length])
    expect(await health()).toMatchObject({ status: 'ok', setAside: [] })
  })

  it('4. a database already holding the broken state is served, names the record, and the bureau repairs it', async () => {
    // The state the pre-fix code committed: a filed override from tomorrow, ended today by a successor. Written
    // straight into the database while no server runs (the record's text only; its revisions are append-only).
    const C = 'cixi_t4_broken'
    await approveAndFile(C, draftOverride(C, CIXI, tomorrow, { rate: '4.00' }))
    const filed = await ov(C)
    await s.stop()
    const raw = new Database(db)
    const row = raw.prepare('SELECT text FROM overrides WHERE id = ?').get(C) as { text: string }
    raw.prepare('UPDATE overrides SET text = ? WHERE id = ?').run(endOverride(row.text, today), C)
    raw.close()

    // Before the fix the start-up did not name the record (the first assertion that failed), and /healthz and
    // every county's answers were 422 from here on.
    await start()
    expect(s.lines.join('\n')).toContain(`override record ${C} is set aside`)
    const degraded = await health()
    expect(degraded.status).toBe('degraded')
    expect(degraded.setAside).toEqual([
      {
        path: `counties/${C}.yaml`,
        problem: expect.stringContaining(`'to' (${today}) must be after 'from' (${tomorrow})`),
      },
    ])
    await servesEveryCounty()
    // Only the broken record is set aside: the others still apply in their dates.
    expect(await cited('gas', tomorrow, addDays(tomorrow, 30))).toEqual([A5])
    const broken = await ov(C)
    expect([broken.body.status, broken.body.to, broken.etag]).toEqual(['filed', today, filed.etag])

    // The repair is the bureau's, and a correction.
    const repair = (token: string, body: unknown) =>
      api(s.base, 'POST', `/v1/overrides/${C}/repair`, token, body)
    const correction = { reason: '旧版本写入的错误终止日期', document: '甬发改〔试〕2号' }
    expect((await repair(tokens.county, { withdraw: true, correction })).status).toBe(403)
    const noDocument = await repair(tokens.bureau, {
      withdraw: true,
      correction: { reason: correction.reason },
    })
    // Refused by the route's schema (VALIDATION_FAILED) before the service's own CORRECTION_INVALID check.
    expect(noDocument.status).toBe(422)
    expect(noDocument.body.errors.map((e: { path: string }) => e.path)).toContain(
      'body.correction.document',
    )
    // A repair that leaves the record unreadable is refused; nothing changes.
    const stillBroken = await repair(tokens.bureau, { to: tomorrow, correction })
    expect([stillBroken.status, stillBroken.body.code]).toEqual([422, 'RULES_WOULD_BREAK'])
    expect((await ov(C)).etag).toBe(filed.etag)
    expect((await health()).status).toBe('degraded')

    const repaired = await repair(tokens.bureau, { withdraw: true, correction })
    expect([repaired.status, repaired.body.status]).toEqual([200, 'withdrawn'])
    expect(repaired.body.events.at(-1)).toMatchObject({
      action: 'repair',
      fromStatus: 'filed',
      toStatus: 'withdrawn',
      ref: correction.document,
    })
    expect(await health()).toMatchObject({ status: 'ok', setAside: [] })
    await servesEveryCounty()
    // The repaired record still reads as a rule file: the database exports to files `rules check` accepts.
    const out = tempDir('export')
    const io = { out: () => {}, err: () => {} }
    expect(await runCli(['rules', 'export', '--db', db, '--out', out], io)).toBe(0)
    expect(await runCli(['rules', 'check', out], io)).toBe(0)
    await s.stop()
  }, 90_000)
})
