// Issue "One source of truth": each numbered observation, replayed against the app. The multi-process ones
// (restart, CLI, two servers) are in processes.test.ts.

import { describe, expect, it } from 'vitest'
import type { Enterprise } from '../src/enterprise/enterprise.ts'
import { rate } from '../src/rating/rate.ts'
import { resultToJson } from '../src/rating/result-json.ts'
import { applyDatedChange } from '../src/rulebook/dated-change.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { draftOverride } from './support/overrides.ts'
import { caseOneFirms } from './support/population.ts'
import { ningbo, ningboTexts, ningboWithFiledCixi } from './support/rulebook.ts'

const cityFiles = () => ningboTexts().filter((f) => !f.path.startsWith('counties/'))
const json = async <T = any>(res: Response) => (await res.json()) as T

/** The demo enterprise (a 慈溪 firm) is billed for 120,000 kWh in January 2025. */
async function januaryQuote(t: TestApp): Promise<{ total: string; overrides: string[] }> {
  const res = await call(t.app, 'POST', '/v1/quotes', {
    token: t.tokens.utility,
    body: {
      creditCode: t.tokens.creditCode,
      resource: 'electricity',
      quantity: '120000',
      from: '2025-01-01',
      to: '2025-02-01',
    },
  })
  expect(res.status).toBe(200)
  return json(res)
}

async function propose(t: TestApp, token: string, text: string) {
  return call(t.app, 'POST', '/v1/overrides', { token, body: { text } })
}

const draft = (id: string, county: string, from: string, extra = '') =>
  draftOverride(id, county, from, { extra })

async function walk(t: TestApp, id: string, county: string, steps: [string, object][]) {
  const out: Response[] = []
  for (const [action, body] of steps)
    out.push(
      await call(t.app, 'POST', `/v1/overrides/${id}/${action}`, {
        token: action === 'approve' || action === 'reject' ? t.tokens.bureau : county,
        body,
      }),
    )
  return out
}

describe('1. a county cannot delete or replace a filed override', () => {
  it('a draft whose id differs from a filed one only by - and _ is a record of its own', async () => {
    // The Cixi override filed (a test fixture; the shipped one is a draft).
    const t = createTestApp({ size: 200, rules: ningboWithFiledCixi() })
    const before = await januaryQuote(t)
    // The demo firm is a 慈溪 D firm (or C): the filed Cixi override prices it (D 0.40 × 120,000 = 48,000.00).
    expect(before.overrides).toEqual(['cixi_2024_electricity'])
    const res = await propose(
      t,
      t.tokens.county,
      draft('cixi-2024-electricity', '330282', '2027-01-01'),
    )
    expect(res.status).toBe(201)
    const filed = await call(t.app, 'GET', '/v1/overrides/cixi_2024_electricity', {
      token: t.tokens.bureau,
    })
    expect(filed.status).toBe(200)
    expect((await json(filed)).status).toBe('filed')
    expect(await januaryQuote(t)).toEqual(before)
    // The same id again is refused: ids are chosen once.
    const again = await propose(
      t,
      t.tokens.county,
      draft('cixi_2024_electricity', '330282', '2027-01-01'),
    )
    expect(again.status).toBe(409)
  })
})

describe('2. the versions API cannot bypass the override workflow', () => {
  it('refuses county files in a city version, whatever their status', async () => {
    const t = createTestApp({ size: 200 })
    const before = await januaryQuote(t)
    const cixi = ningboTexts().find((f) => f.path === 'counties/cixi-2024-electricity.yaml')!
    const attempts = [
      // Editing the rate inside the filed override.
      [...cityFiles(), { ...cixi, text: cixi.text.replace('rate: "0.40"', 'rate: "0.10"') }],
      // A new county file that claims to be filed.
      [
        ...cityFiles(),
        {
          path: 'counties/sneaky.yaml',
          text: draft('sneaky', '330282', '2025-01-01').replace('status: draft', 'status: filed'),
        },
      ],
    ]
    for (const files of attempts) {
      const res = await call(t.app, 'POST', '/v1/rulebook/versions', {
        token: t.tokens.bureau,
        body: { note: 'bypass', files },
        headers: { 'if-match': '"rb1.1"' },
      })
      expect(res.status).toBe(422)
      const p = await json(res)
      expect(p.code).toBe('COUNTY_FILE_IN_CITY_VERSION')
      expect(p.detail).toContain('POST /v1/overrides')
    }
    expect(await januaryQuote(t)).toEqual(before)
    expect(t.store.listRulebookVersions()).toHaveLength(1)
  })
})

describe('5. rollback', () => {
  it('posting the files of an older version makes it the version in force again, audited', async () => {
    const t = createTestApp({ size: 100 })
    const post = (files: { path: string; text: string }[], etag: string) =>
      call(t.app, 'POST', '/v1/rulebook/versions', {
        token: t.tokens.bureau,
        body: { note: 'water base price', files },
        headers: { 'if-match': etag },
      })
    // A change from a later day (no answer before it changes), so the rollback reaches back no further.
    const v2 = applyDatedChange(cityFiles(), {
      section: 'surcharges',
      id: 'water_above_quota',
      from: '2027-01-01',
      set: [{ path: 'quota.basePrice', value: '4.20' }],
      document: '甬价〔2026〕1号',
    })
    const created = await post(v2, '"rb1.1"')
    expect(created.status).toBe(201)
    expect(await json(created)).toMatchObject({ id: 2, created: true, activated: true })
    const back = await post(cityFiles(), created.headers.get('etag')!)
    expect(back.status).toBe(201)
    expect(await json(back)).toMatchObject({ id: 1, created: false, activated: true })
    expect(back.headers.get('etag')).toBe('"rb1.3"')
    expect((await json(await call(t.app, 'GET', '/healthz'))).rulebookVersion).toBe(1)
    const versions = await json(
      await call(t.app, 'GET', '/v1/rulebook/versions', { token: t.tokens.utility }),
    )
    expect(versions.versions.map((v: any) => [v.id, v.active])).toEqual([
      [2, false],
      [1, true],
    ])
    // The same files once more change nothing (200, not a new activation).
    const same = await post(cityFiles(), '"rb1.3"')
    expect(same.status).toBe(200)
    expect(await json(same)).toMatchObject({ id: 1, created: false, activated: false })
    const audit = await json(
      await call(t.app, 'GET', '/v1/audit?subject=rulebook/', { token: t.tokens.bureau }),
    )
    expect(audit.entries.map((e: any) => `${e.action} ${e.subject}`).slice(0, 3)).toEqual([
      'rulebook.version.activate rulebook/1',
      'rulebook.version.activate rulebook/2',
      'rulebook.version.create rulebook/2',
    ])
    expect(audit.entries[0].actor).toBe('demo bureau [bureau, token #1]')
  })

  it('a stale If-Match is refused after a rollback (no ABA)', async () => {
    const t = createTestApp({ size: 100 })
    const v2 = cityFiles().map((f) =>
      f.path === 'pricing.yaml' ? { ...f, text: `${f.text}\n# v2\n` } : f,
    )
    const go = (files: typeof v2, etag: string) =>
      call(t.app, 'POST', '/v1/rulebook/versions', {
        token: t.tokens.bureau,
        body: { note: 'x', files },
        headers: { 'if-match': etag },
      })
    expect((await go(v2, '"rb1.1"')).status).toBe(201)
    expect((await go(cityFiles(), '"rb2.2"')).status).toBe(201)
    // Version 1 is in force again, but a client that read it before versions 2 must read it again.
    expect((await go(v2, '"rb1.1"')).status).toBe(412)
  })
})

describe('6. overrides never apply retroactively; supersedes stays within a county', () => {
  it('filing refuses a `from` before the filing date, and quotes stay as they were', async () => {
    const t = createTestApp({ size: 200 })
    const before = await januaryQuote(t)
    expect(
      (await propose(t, t.tokens.county, draft('cixi_retro', '330282', '2015-01-01'))).status,
    ).toBe(201)
    const [submit, approve, file] = await walk(t, 'cixi_retro', t.tokens.county, [
      ['submit', {}],
      ['approve', { ref: '甬政函〔2026〕1号' }],
      ['file', { ref: '浙发改备〔2026〕1号' }],
    ])
    expect([submit.status, approve.status]).toEqual([200, 200])
    expect(file.status).toBe(422)
    const p = await json(file)
    expect(p.code).toBe('OVERRIDE_RETROACTIVE')
    expect(p.detail).toContain(
      'would take effect from 2015-01-01, before its filing date 2026-01-01',
    )
    expect(await januaryQuote(t)).toEqual(before)
  })

  it('a decision cannot be dated before the step it answers, nor in the future', async () => {
    const t = createTestApp({ size: 100 })
    expect(
      (await propose(t, t.tokens.county, draft('cixi_late', '330282', '2026-06-01'))).status,
    ).toBe(201)
    const [submit, backdated, future] = await walk(t, 'cixi_late', t.tokens.county, [
      ['submit', {}],
      ['approve', { ref: 'x', date: '2015-01-01' }],
      ['approve', { ref: 'x', date: '2026-12-31' }],
    ])
    expect(submit.status).toBe(200)
    expect(backdated.status).toBe(422)
    expect((await json(backdated)).detail).toBe(
      'the approve date 2015-01-01 is before the previous step (submit, recorded 2026-01-01)',
    )
    expect(future.status).toBe(422)
    expect((await json(future)).code).toBe('DECISION_DATE_INVALID')
  })

  it('decision dates are Ningbo calendar dates (UTC+8)', async () => {
    // 20:00 UTC on 25 November is 04:00 on 26 November in Ningbo: a decision dated the 26th is not in the future.
    const t = createTestApp({ size: 100, clockStart: '2026-11-25T20:00:00Z' })
    expect(
      (await propose(t, t.tokens.county, draft('cixi_tz', '330282', '2027-01-01'))).status,
    ).toBe(201)
    const [submit, approve] = await walk(t, 'cixi_tz', t.tokens.county, [
      ['submit', {}],
      ['approve', { ref: 'x', date: '2026-11-26' }],
    ])
    expect([submit.status, approve.status]).toEqual([200, 200])
  })

  it('supersedes may name only an override of the same county', async () => {
    const t = createTestApp({ size: 100 })
    const res = await propose(
      t,
      t.tokens.bureau,
      draft('yuyao_takeover', '330281', '2027-01-01', '  supersedes: cixi_2024_electricity\n'),
    )
    expect(res.status).toBe(422)
    expect((await json(res)).detail).toBe(
      "override yuyao_takeover supersedes 'cixi_2024_electricity', which is not an override of county 330281",
    )
  })
})

describe('7. each override has its own ETag; proposals make no city versions; drafts stay with their county', () => {
  it('one county’s edit leaves another county’s ETag valid, and nothing else grows', async () => {
    const t = createTestApp({ size: 100 })
    const yuyao = await json(
      await call(t.app, 'POST', '/v1/tokens', {
        token: t.tokens.bureau,
        body: { role: 'county', county: '330281', label: '余姚市经信局' },
      }),
    )
    const a = await propose(t, t.tokens.county, draft('cixi_a', '330282', '2027-01-01'))
    const b = await propose(t, yuyao.token, draft('yuyao_b', '330281', '2027-01-01'))
    expect([a.status, b.status]).toEqual([201, 201])
    const editA = await call(t.app, 'PUT', '/v1/overrides/cixi_a', {
      token: t.tokens.county,
      body: { text: draft('cixi_a', '330282', '2027-02-01') },
      headers: { 'if-match': a.headers.get('etag')! },
    })
    expect(editA.status).toBe(200)
    expect(editA.headers.get('etag')).toBe('"cixi_a.v2"')
    const editB = await call(t.app, 'PUT', '/v1/overrides/yuyao_b', {
      token: yuyao.token,
      body: { text: draft('yuyao_b', '330281', '2027-02-01') },
      headers: { 'if-match': b.headers.get('etag')! },
    })
    expect(editB.status).toBe(200)
    // Up to the county's limit of open overrides (MAX_OPEN_OVERRIDES, 20; the demo's draft and cixi_a count).
    for (let i = 0; i < 18; i++)
      expect(
        (await propose(t, t.tokens.county, draft(`cixi_pad_${i}`, '330282', '2027-01-01'))).status,
      ).toBe(201)
    expect(t.store.listRulebookVersions()).toHaveLength(1)
    // The city version holds no county file; a draft is read only by its county and the bureau.
    const v1 = await json(
      await call(t.app, 'GET', '/v1/rulebook/versions/1', { token: t.tokens.utility }),
    )
    expect(v1.files.some((f: { path: string }) => f.path.startsWith('counties/'))).toBe(false)
    for (const token of [t.tokens.utility, t.tokens.enterprise, yuyao.token])
      expect((await call(t.app, 'GET', '/v1/overrides/cixi_a', { token })).status).toBe(403)
    // Existing or not, a county learns nothing about another county's ids.
    const missing = await call(t.app, 'GET', '/v1/overrides/no_such_thing', { token: yuyao.token })
    expect(missing.status).toBe(403)
    expect(
      (await call(t.app, 'GET', '/v1/overrides/cixi_a', { token: t.tokens.bureau })).status,
    ).toBe(200)
  })
})

describe('8. tokens are created, listed and revoked', () => {
  it('by the bureau over the API; shown once, stored hashed, expiring, audited with the label', async () => {
    const t = createTestApp({ size: 100 })
    const create = (token: string, body: object) =>
      call(t.app, 'POST', '/v1/tokens', { token, body })
    expect((await create(t.tokens.county, { role: 'utility', label: 'x' })).status).toBe(403)
    const bad = await create(t.tokens.bureau, { role: 'county', county: '999999', label: 'x' })
    expect(bad.status).toBe(422)
    expect((await json(bad)).code).toBe('TOKEN_INVALID')
    const made = await create(t.tokens.bureau, { role: 'utility', label: '国网宁波供电公司' })
    expect(made.status).toBe(201)
    const u = await json(made)
    expect(u.token).toMatch(/^mj_/)
    const tier = () =>
      call(t.app, 'GET', `/v1/enterprises/${t.tokens.creditCode}/tier?date=2025-03-01`, {
        token: u.token,
      })
    expect((await tier()).status).toBe(200)
    const list = await json(await call(t.app, 'GET', '/v1/tokens', { token: t.tokens.bureau }))
    expect(JSON.stringify(list)).not.toContain(u.token)
    expect(list.tokens.find((x: any) => x.id === u.id)).toMatchObject({
      role: 'utility',
      label: '国网宁波供电公司',
      status: 'active',
      createdBy: 'demo bureau [bureau, token #1]',
    })
    const revoked = await call(t.app, 'DELETE', `/v1/tokens/${u.id}`, { token: t.tokens.bureau })
    expect(revoked.status).toBe(200)
    expect((await json(revoked)).status).toBe('revoked')
    expect((await tier()).status).toBe(401)
    // An expired token fails too (the test clock stands in 2026).
    // Ten minutes from the test clock's now (seeding the demo already moved it).
    const expiring = t.store.createToken('utility', '', 'short-lived', {
      expiresAt: new Date(Date.parse(t.store.now()) + 600_000).toISOString(),
    })
    const before = await call(t.app, 'GET', '/v1/rulebook/versions', { token: expiring.token })
    expect(before.status).toBe(200)
    for (let i = 0; i < 700; i++) t.store.now() // the test clock ticks a second per call
    expect(
      (await call(t.app, 'GET', '/v1/rulebook/versions', { token: expiring.token })).status,
    ).toBe(401)
    const audit = await json(
      await call(t.app, 'GET', `/v1/audit?subject=token/${u.id}`, { token: t.tokens.bureau }),
    )
    expect(audit.entries.map((e: any) => e.action)).toEqual(['token.revoke', 'token.create'])
  })
})

describe('9. rate() keeps no state between calls', () => {
  it('a call that throws mid-way leaves nothing behind', () => {
    const rb = ningbo()
    const pop = caseOneFirms('330203')
    // Compared in full, reported compactly: each firm's score and class.
    const brief = (json: string) =>
      (JSON.parse(json) as { score: number; class: string }[]).map((r) => `${r.score} ${r.class}`)
    const first = JSON.stringify(rate(pop, rb, 2024).map(resultToJson))
    // The same peers plus one firm whose figures fail to read after its peers' sums were taken.
    const broken: Enterprise = {
      ...pop[0],
      creditCode: '91330203MA2999999X',
      figures: new Proxy(
        { ...pop[0].figures, tax: 500 },
        {
          get(target, key) {
            if (key === 'tax') throw new Error('disk read failed')
            return (target as any)[key]
          },
        },
      ) as Enterprise['figures'],
    }
    expect(() =>
      rate([...pop.map((e) => ({ ...e, figures: { ...e.figures, tax: 100 } })), broken], rb, 2024, {
        trusted: true,
      }),
    ).toThrow('disk read failed')
    const again = JSON.stringify(rate(pop, rb, 2024).map(resultToJson))
    expect(brief(again)).toEqual(brief(first))
    expect(again).toBe(first)
  })
})

describe('10. writes say who and what', () => {
  it('propose and edit are audited; an override read names the city version; PUT answers the new updatedAt', async () => {
    const t = createTestApp({ size: 100 })
    const a = await propose(t, t.tokens.county, draft('cixi_audit', '330282', '2027-01-01'))
    expect((await json(a)).rulebookVersion).toBe(1)
    await call(t.app, 'PUT', '/v1/overrides/cixi_audit', {
      token: t.tokens.county,
      body: { text: draft('cixi_audit', '330282', '2027-03-01') },
      headers: { 'if-match': a.headers.get('etag')! },
    })
    const audit = await json(
      await call(t.app, 'GET', '/v1/audit?subject=override/cixi_audit', { token: t.tokens.bureau }),
    )
    expect(audit.entries.map((e: any) => [e.action, e.actor])).toEqual([
      ['override.edit', 'demo county 慈溪市 [county 330282, token #3]'],
      ['override.propose', 'demo county 慈溪市 [county 330282, token #3]'],
    ])
    const code = t.tokens.creditCode
    const read = await call(t.app, 'GET', `/v1/enterprises/${code}`, { token: t.tokens.bureau })
    const e = await json(read)
    const put = await call(t.app, 'PUT', `/v1/enterprises/${code}`, {
      token: t.tokens.bureau,
      body: { name: `${e.name}（更名）`, county: e.county, industryCode: e.industryCode },
      headers: { 'if-match': read.headers.get('etag')! },
    })
    expect(put.status).toBe(200)
    const after = await json(put)
    expect(after.updatedAt > e.updatedAt).toBe(true)
    const again = await json(
      await call(t.app, 'GET', `/v1/enterprises/${code}`, { token: t.tokens.bureau }),
    )
    expect(after.updatedAt).toBe(again.updatedAt)
  })
})
