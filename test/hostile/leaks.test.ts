// Issue 26, "Hostile input, second round": nothing a visitor sends decides whose data is read, and no answer tells
// whether another scope's record exists. Against a real server process (src/server.ts).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { withCheckChar } from '../../src/enterprise/credit-code.ts'
import { draftOverride } from '../support/overrides.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { csrfOf, sessionCookie } from '../support/session.ts'
import { tempDir } from '../support/tmp.ts'

let dir: string
let s: Server
let tokens: DemoTokens
/** A county token of 余姚 (330281), beside the demo's 慈溪 (330282) one. */
let yuyao: string

beforeAll(async () => {
  dir = tempDir('leaks')
  s = await startServer({ DB_PATH: join(dir, 'm.db'), DEMO_SIZE: '300' })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
  yuyao = (
    await api(s.base, 'POST', '/v1/tokens', tokens.bureau, {
      role: 'county',
      county: '330281',
      label: '余姚市',
    })
  ).body.token
}, 60_000)
afterAll(stopAll)

const request = (path: string, init: RequestInit = {}) =>
  fetch(`${s.base}${path}`, { redirect: 'manual', ...init })

interface Row {
  creditCode: string
  county: string
  industryCode: string
  status: string
  group: string
  sector: string
  score: number
  rank: number
  groupSize: number
  figures: Record<string, number | boolean>
}

/** The published 2024 results, as the bureau reads them. */
async function published(): Promise<Row[]> {
  const runs = (await api(s.base, 'GET', '/v1/evaluations', tokens.bureau)).body
  const run = (runs.runs ?? runs).find(
    (r: { year: number; status: string }) => r.year === 2024 && r.status === 'published',
  )
  const rows: Row[] = []
  for (let offset = 0; ; offset += 500) {
    const page = await api(
      s.base,
      'GET',
      `/v1/evaluations/${run.id}/results?limit=500&offset=${offset}`,
      tokens.bureau,
    )
    const got = (page.body.results ?? page.body.rows ?? page.body) as Row[]
    rows.push(...got)
    if (got.length < 500) return rows
  }
}

/** The self-check page's form for `row`'s county, industry and figures. */
function formOf(row: Row): Record<string, string> {
  const fields: Record<string, string> = {
    county: row.county,
    industryCode: row.industryCode,
    year: '2024',
    monthly: '0',
  }
  for (const [k, v] of Object.entries(row.figures))
    if (typeof v === 'boolean') {
      if (v) fields[k] = 'on'
    } else fields[k] = String(v)
  return fields
}

/** Rank and group size the self-check page shows for `fields` (with the session `cookie`, if any). */
async function selfCheck(fields: Record<string, string>, cookie = '') {
  const res = await request('/self-check?lang=en', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(fields).toString(),
  })
  const html = await res.text()
  expect(res.status, html.slice(0, 2000)).toBe(200)
  const m = /id="result-score">[^<]*?(\d+)\/(\d+)/.exec(html)
  expect(m, 'the page shows a rank').not.toBeNull()
  return { rank: Number(m![1]), groupSize: Number(m![2]) }
}

describe('Another firm’s score through /self-check', () => {
  let rows: Row[]
  let own: Row
  beforeAll(async () => {
    rows = (await published()).filter((r) => r.status === 'rated')
    own = rows.find((r) => r.creditCode === tokens.creditCode)!
    expect(own).toBeDefined()
  })
  /** A rated firm of another county than the demo enterprise, in a group of a few firms at least. */
  const victim = () => rows.find((r) => r.county !== own.county && r.groupSize >= 5 && r.rank > 1)!

  it('a hidden creditCode removes no one from the group: the figures are a firm added to it (anonymous)', async () => {
    const x = victim()
    const plain = await selfCheck(formOf(x))
    // The figures joined the group: one more than the run rated.
    expect(plain.groupSize).toBe(x.groupSize + 1)
    const named = await selfCheck({ ...formOf(x), creditCode: x.creditCode })
    expect(named).toEqual(plain)
  })

  it('a logged-in enterprise’s own score gives way to its figures (its own rank, honestly), never another firm’s', async () => {
    const cookie = await sessionCookie(request, tokens.enterprise)
    const _csrf = await csrfOf(request, cookie, '/self-check')
    const mine = await selfCheck({ ...formOf(own), _csrf }, cookie)
    // Its own published result is replaced by the figures it checks: the group keeps its size.
    expect(mine.groupSize).toBe(own.groupSize)
    const x = victim()
    const named = await selfCheck({ ...formOf(x), creditCode: x.creditCode, _csrf }, cookie)
    expect(named.groupSize).toBe(x.groupSize + 1)
  })

  it('the API does the same: a token that may not read a firm’s result cannot take it out of the group', async () => {
    const x = victim()
    const check = async (token: string, creditCode?: string) =>
      (
        await api(s.base, 'POST', '/v1/self-check', token, {
          ...(creditCode ? { creditCode } : {}),
          county: x.county,
          industryCode: x.industryCode,
          year: 2024,
          figures: x.figures,
        })
      ).body as { groupSize: number; rank: number }
    const plain = await check(tokens.utility)
    expect(plain.groupSize).toBe(x.groupSize + 1)
    expect(await check(tokens.utility, x.creditCode)).toMatchObject({
      groupSize: plain.groupSize,
      rank: plain.rank,
    })
    // The bureau reads every result: its check of a named firm stands in for it.
    expect((await check(tokens.bureau, x.creditCode)).groupSize).toBe(x.groupSize)
  })
})

describe('Existence oracles', () => {
  /** A problem answer without what differs by the id asked for: status, code, and the shape of the body. */
  const shape = (r: { status: number; body: any }, id: string) => ({
    status: r.status,
    code: r.body.code,
    keys: Object.keys(r.body).sort(),
    detail: String(r.body.detail).replaceAll(id, '<id>'),
  })

  it('a county gets one answer for another county’s override and for none, reading or proposing', async () => {
    const taken = 'yuyao_2026_gas'
    const free = 'yuyao_2099_nothing'
    const get = (id: string) => api(s.base, 'GET', `/v1/overrides/${id}`, tokens.county)
    expect(shape(await get(taken), taken)).toEqual(shape(await get(free), free))
    expect((await get(taken)).status).toBe(403)
    const propose = (id: string) =>
      api(s.base, 'POST', '/v1/overrides', tokens.county, {
        text: draftOverride(id, '330282', '2027-01-01'),
      })
    const a = await propose(taken)
    const b = await propose(free)
    expect(shape(a, taken)).toEqual(shape(b, free))
    expect(a.status).toBe(422)
  })

  it('a county gets one answer for another county’s programme project and for none, reading or changing', async () => {
    const all = (await api(s.base, 'GET', '/v1/projects', tokens.bureau)).body.rows as {
      id: number
      county: string
    }[]
    const other = String(all.find((p) => p.county !== tokens.countyCode)!.id)
    const none = String(Math.max(...all.map((p) => p.id)) + 1000)
    const get = (id: string) => api(s.base, 'GET', `/v1/projects/${id}`, tokens.county)
    expect(shape(await get(other), other)).toEqual(shape(await get(none), none))
    expect((await get(other)).status).toBe(403)
    const patch = (id: string) =>
      api(s.base, 'PATCH', `/v1/projects/${id}`, tokens.county, { name: 'x', version: 1 })
    expect(shape(await patch(other), other)).toEqual(shape(await patch(none), none))
  })

  it('override ids are namespaced by county: none can be squatted by another county', async () => {
    // 慈溪 cannot take an id in 余姚's namespace, so 余姚 still gets it.
    const id = 'yuyao_2027_squat'
    const squat = await api(s.base, 'POST', '/v1/overrides', tokens.county, {
      text: draftOverride(id, '330282', '2027-01-01'),
    })
    expect(squat.status).toBe(422)
    expect(squat.body.detail).toContain('cixi_')
    const rightful = await api(s.base, 'POST', '/v1/overrides', yuyao, {
      text: draftOverride(id, '330281', '2027-01-01'),
    })
    expect(rightful.status).toBe(201)
    // Nor may the bureau file one county's override under another's prefix.
    const crossed = await api(s.base, 'POST', '/v1/overrides', tokens.bureau, {
      text: draftOverride('cixi_2027_crossed', '330281', '2027-01-01'),
    })
    expect(crossed.status).toBe(422)
  })

  it('during a notice, a county gets one answer for another county’s firm and for an unregistered code', async () => {
    const run = await api(s.base, 'POST', '/v1/evaluations', tokens.economy, { year: 2024 })
    expect(run.status).toBe(201)
    expect(
      (await api(s.base, 'POST', `/v1/evaluations/${run.body.id}/notice`, tokens.economy, {}))
        .status,
    ).toBe(200)
    const firms = (await api(s.base, 'GET', '/v1/enterprises?limit=500', tokens.bureau)).body
      .rows as { creditCode: string; county: string }[]
    const other = firms.find((f) => f.county === '330281')!.creditCode
    const mine = firms.find((f) => f.county === '330282')!.creditCode
    const unknown = withCheckChar('91330282MA2YYYYY1')
    const provisional = (code: string) =>
      api(s.base, 'GET', `/v1/enterprises/${code}/provisional?year=2024`, tokens.county)
    const a = await provisional(other)
    expect(shape(a, other)).toEqual(shape(await provisional(unknown), unknown))
    expect(a.status).toBe(403)
    expect((await provisional(mine)).status).toBe(200)
  })
})

describe('Drafts', () => {
  const draft = 'cixi_2028_draft'
  beforeAll(async () => {
    const made = await api(s.base, 'POST', '/v1/overrides', tokens.county, {
      text: draftOverride(draft, '330282', '2028-01-01'),
    })
    expect(made.status).toBe(201)
  })
  const ids = async (token: string) =>
    (await api(s.base, 'GET', '/v1/overrides', token)).body.overrides.map(
      (o: { id: string }) => o.id,
    ) as string[]
  const overview = async (token: string) => {
    const cookie = await sessionCookie(request, token)
    return (await request('/overview', { headers: { cookie } })).text()
  }

  it('the economy office and observers do not see a county’s draft: not listed, not read, not previewed, not on /overview', async () => {
    for (const token of [tokens.economy, tokens.observer]) {
      const listed = await ids(token)
      expect(listed).not.toContain(draft)
      expect(listed).not.toContain('cixi_2024_electricity')
      // A submitted one they do see.
      expect(listed).toContain('yuyao_2026_gas')
      const get = await api(s.base, 'GET', `/v1/overrides/${draft}`, token)
      const none = await api(s.base, 'GET', '/v1/overrides/cixi_no_such', token)
      expect([get.status, get.body.code]).toEqual([404, 'NOT_FOUND'])
      expect([none.status, none.body.code]).toEqual([404, 'NOT_FOUND'])
      const preview = await api(s.base, 'GET', `/v1/overrides/${draft}/preview?year=2024`, token)
      expect(preview.status).toBe(404)
      const html = await overview(token)
      expect(html).toContain('yuyao_2026_gas')
      expect(html).not.toContain(draft)
      expect(html).not.toContain('cixi_2024_electricity')
    }
  })

  it('nor in the audit log: a draft’s entries are left out for the economy office, kept for the bureau', async () => {
    const subjects = async (token: string) =>
      (await api(s.base, 'GET', '/v1/audit?subject=override/&limit=500', token)).body.entries.map(
        (e: { subject: string }) => e.subject,
      ) as string[]
    const economy = await subjects(tokens.economy)
    expect(economy).not.toContain(`override/${draft}`)
    expect(economy).not.toContain('override/cixi_2024_electricity')
    // A submitted override's history is the economy office's to read.
    expect(economy).toContain('override/yuyao_2026_gas')
    expect(await subjects(tokens.bureau)).toContain(`override/${draft}`)
  })

  it('its county and the bureau do: listed, read, previewed, on the bureau’s /overview', async () => {
    for (const token of [tokens.county, tokens.bureau]) {
      expect(await ids(token)).toContain(draft)
      expect((await api(s.base, 'GET', `/v1/overrides/${draft}`, token)).status).toBe(200)
      expect(
        (await api(s.base, 'GET', `/v1/overrides/${draft}/preview?year=2024`, token)).status,
      ).toBe(200)
    }
    expect(await overview(tokens.bureau)).toContain(draft)
  })

  it('once submitted, the city’s offices read it', async () => {
    const submitted = await api(s.base, 'POST', `/v1/overrides/${draft}/submit`, tokens.county, {})
    expect(submitted.status).toBe(200)
    for (const token of [tokens.economy, tokens.observer]) {
      expect(await ids(token)).toContain(draft)
      expect((await api(s.base, 'GET', `/v1/overrides/${draft}`, token)).status).toBe(200)
    }
  })
})
