// Issue "Hostile input, second round", rows "one role fills the job queue" and "queued jobs outlive their token",
// against a real server process on a database file (jobs run in its worker thread).
//
// Fair jobs: a county kept 40 previews in flight; 3 of 7 economy/bureau jobs were refused 503 JOBS_BUSY and the
// accepted ones waited 3.4–5.7 s (0.1–0.2 s alone). Now each owner (role, and county) has a queue and a limit of its
// own and the next job is the owner's served longest ago: the county's flood gets 503 itself, the city offices'
// jobs are accepted and wait at most for the one job running. Measured as a ratio to the same job alone.
//
// Revoked tokens: two evaluations queued by an economy token ran after the token was revoked. Now its queued jobs
// are cancelled (status `cancelled`, the reason in `error`), audited, and a running import of a revoked token stops
// inside its transaction, keeping nothing.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { withCheckChar } from '../../src/enterprise/credit-code.ts'
import { draftOverride } from '../support/overrides.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { sessionCookie } from '../support/session.ts'
import { tempDir } from '../support/tmp.ts'

let s: Server
let tokens: DemoTokens
beforeAll(async () => {
  const dir = tempDir('jobs-fair')
  // More drafts than MAX_OPEN_OVERRIDES' default: the flood needs 40 distinct previews (two years of 20 drafts and a probe).
  s = await startServer({ DB_PATH: join(dir, 'm.db'), DEMO_SIZE: '2000', MAX_OPEN_OVERRIDES: '30' })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 120_000)
afterAll(stopAll)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** How long a call takes, ms, with its answer. */
async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; r: T }> {
  const t = performance.now()
  const r = await f()
  return { ms: performance.now() - t, r }
}

const evaluate = (token: string) => api(s.base, 'POST', '/v1/evaluations', token, { year: 2024 })
const preview = (token: string, id: string, year = 2024) =>
  api(s.base, 'GET', `/v1/overrides/${id}/preview?year=${year}`, token)

describe('one role fills the job queue', () => {
  const DRAFTS = 20
  beforeAll(async () => {
    for (let i = 0; i < DRAFTS; i++) {
      const r = await api(s.base, 'POST', '/v1/overrides', tokens.county, {
        text: draftOverride(`cixi_flood_${i}`, tokens.countyCode, '2027-01-01'),
      })
      expect(r.status).toBe(201)
    }
    const probe = await api(s.base, 'POST', '/v1/overrides', tokens.county, {
      text: draftOverride('cixi_probe', tokens.countyCode, '2027-01-01'),
    })
    expect(probe.status).toBe(201)
  }, 60_000)

  it('a county keeping 40 previews in flight gets 503 itself; the economy office and the bureau are served promptly', async () => {
    // Alone: each evaluation moves the data, so the bureau's preview after it is computed afresh (not cached).
    // The first round warms the worker up and is not counted.
    const aloneEval: number[] = []
    const alonePreview: number[] = []
    // One of the county's own previews alone: the job a city office may find running when it arrives.
    const aloneCounty: number[] = []
    for (let round = 0; round < 6; round++) {
      const e = await timed(() => evaluate(tokens.economy))
      expect(e.r.status).toBe(201)
      const p = await timed(() => preview(tokens.bureau, 'cixi_probe'))
      expect(p.r.status).toBe(200)
      const c = await timed(() => preview(tokens.county, 'cixi_flood_0', 2023 + (round % 2)))
      expect(c.r.status).toBe(200)
      if (round > 0) aloneEval.push(e.ms) && alonePreview.push(p.ms) && aloneCounty.push(c.ms)
    }

    // The county: 40 previews at once (20 drafts × 2 years), each asked again as soon as it is answered or
    // refused, until the test ends.
    let stop = false
    const county = {
      answered: 0,
      busy: 0,
      retryAfter: null as string | null,
      other: [] as number[],
    }
    const flood = Promise.all(
      Array.from({ length: DRAFTS * 2 }, async (_, i) => {
        while (!stop) {
          const r = await preview(tokens.county, `cixi_flood_${i >> 1}`, 2023 + (i % 2))
          if (r.status === 503 && r.body.code === 'JOBS_BUSY') {
            county.busy++
            county.retryAfter = r.headers.get('retry-after')
            // Sooner than Retry-After says, yet not so often that the requests themselves load the machine.
            await sleep(250)
          } else if (r.status === 200) {
            county.answered++
            await sleep(200)
          } else county.other.push(r.status)
        }
      }),
    )
    /** Waits until the county is refused again: its queue is full at that moment. */
    const countyFull = async () => {
      const seen = county.busy
      for (let i = 0; i < 400 && county.busy === seen; i++) await sleep(25)
      expect(county.busy, JSON.stringify(county)).toBeGreaterThan(seen)
    }
    try {
      const during: { evaluate: number[]; preview: number[] } = { evaluate: [], preview: [] }
      for (let round = 0; round < 3; round++) {
        await countyFull()
        const e = await timed(() => evaluate(tokens.economy))
        expect([e.r.status, e.r.body.code]).toEqual([201, undefined])
        during.evaluate.push(e.ms)
        await countyFull()
        const p = await timed(() => preview(tokens.bureau, 'cixi_probe'))
        expect([p.r.status, p.r.body.code]).toEqual([200, undefined])
        during.preview.push(p.ms)
      }
      // The most a job should wait now is the county preview already running when it arrives: the ratio is to
      // the job alone plus one county preview alone. First come, first served it was the county's whole queue ahead (32
      // previews, or a 503): a ratio of 20 or more; served in turn, about 1–2 on this machine under load, 5.4 once in
      // the full suite on a slowed host (bound: 8, still well below first come, first served).
      const ratios = {
        evaluate: median(during.evaluate) / (median(aloneEval) + median(aloneCounty)),
        preview: median(during.preview) / (median(alonePreview) + median(aloneCounty)),
      }
      const measured = JSON.stringify({ aloneEval, alonePreview, aloneCounty, during, ratios })
      expect(ratios.evaluate, measured).toBeLessThan(8)
      expect(ratios.preview, measured).toBeLessThan(8)
    } finally {
      stop = true
      await flood
    }
    expect(county.other).toEqual([])
    expect(county.answered).toBeGreaterThan(0)
    expect(Number(county.retryAfter)).toBeGreaterThan(0)
  }, 180_000)
})

describe("a county's drafts on the bureau's /overview", () => {
  it("the page's previews of them wait in the county's queue, not the bureau's: the bureau's own job is still accepted", async () => {
    const yuyao = await api(s.base, 'POST', '/v1/tokens', tokens.bureau, {
      role: 'county',
      county: '330281',
      label: '余姚 drafts',
    })
    expect(yuyao.status).toBe(201)
    for (let i = 0; i < 12; i++)
      expect(
        (
          await api(s.base, 'POST', '/v1/overrides', yuyao.body.token, {
            text: draftOverride(`yuyao_overview_${i}`, '330281', '2027-01-01'),
          })
        ).status,
      ).toBe(201)
    // The bureau opens its overview: it previews every pending override it may read (waiting at most 2 s).
    const request = (path: string, init: RequestInit = {}) =>
      fetch(`${s.base}${path}`, { redirect: 'manual', ...init })
    const cookie = await sessionCookie(request, tokens.bureau)
    const page = request('/overview', { headers: { cookie } })
    // While the page's previews are queued (a few hundred ms in), its own preview (not computed before) is accepted:
    // the bureau's queue holds none of them.
    await sleep(300)
    const own = await preview(tokens.bureau, 'yuyao_2026_gas', 2023)
    expect([own.status, own.body.code]).toEqual([200, undefined])
    expect((await page).status).toBe(200)
  }, 180_000)
})

describe('queued jobs outlive their token', () => {
  /** A token made by the bureau for this test. */
  async function token(role: 'economy' | 'bureau', label: string) {
    const made = await api(s.base, 'POST', '/v1/tokens', tokens.bureau, { role, label })
    expect(made.status).toBe(201)
    return made.body as { id: number; token: string }
  }
  const job = async (id: string) => (await api(s.base, 'GET', `/v1/jobs/${id}`, tokens.bureau)).body
  const revoke = async (id: number) =>
    expect((await api(s.base, 'DELETE', `/v1/tokens/${id}`, tokens.bureau)).status).toBe(200)
  /** Polls a job until it has left `running`. */
  async function settled(id: string) {
    let last = await job(id)
    for (let i = 0; i < 2400 && last.status === 'running'; i++, last = await job(id))
      await sleep(25)
    return last
  }
  const runCount = async () =>
    (await api(s.base, 'GET', '/v1/evaluations', tokens.bureau)).body.runs.length
  /** The audit log's job.cancel entries for these jobs, by job id. */
  async function audited(ids: string[]) {
    const entries = (await api(s.base, 'GET', '/v1/audit?subject=job/', tokens.bureau)).body.entries
    return new Map(
      entries
        .filter((e: { action: string; subject: string }) => e.action === 'job.cancel')
        .filter((e: { subject: string }) => ids.includes(e.subject.slice(4)))
        .map((e: { subject: string }) => [e.subject.slice(4), e]),
    )
  }
  const byBureau = '.*\\[bureau, token #1\\]'

  it('revoking a token cancels its queued evaluations, each audited with the reason in the job; its running preview stops', async () => {
    const previewer = await token('bureau', 'previewer to be revoked while its preview runs')
    const economy = await token('economy', 'economy token to be revoked')
    const runsBefore = await runCount()
    const draftRun = (await evaluate(tokens.economy)).body.id

    // A publication preview (read-only, several seconds here) keeps the worker busy.
    const started = await api(
      s.base,
      'POST',
      `/v1/evaluations/${draftRun}/publication-preview`,
      previewer.token,
      { months: 12 },
      { prefer: 'respond-async' },
    )
    expect(started.status).toBe(202)
    const previewId = started.body.id
    for (let i = 0; i < 400 && (await job(previewId)).startedAt === null; i++) await sleep(25)

    const queued: string[] = []
    for (let i = 0; i < 2; i++) {
      const r = await api(
        s.base,
        'POST',
        '/v1/evaluations',
        economy.token,
        { year: 2024 },
        {
          prefer: 'respond-async',
        },
      )
      expect(r.status).toBe(202)
      queued.push(r.body.id)
    }
    for (const id of queued)
      expect(await job(id)).toMatchObject({ status: 'running', startedAt: null })

    await revoke(economy.id)
    // At once, while the preview still runs: the evaluations are cancelled in the queue.
    expect(await job(previewId)).toMatchObject({ status: 'running', startedAt: expect.any(String) })
    for (const id of queued)
      expect(await job(id)).toMatchObject({
        status: 'cancelled',
        startedAt: null,
        result: null,
        error: {
          code: 'JOB_CANCELLED',
          message: expect.stringMatching(
            new RegExp(`before it started: token ${economy.id} was revoked by ${byBureau} at `),
          ),
        },
      })

    await revoke(previewer.id)
    expect(await settled(previewId)).toMatchObject({
      status: 'cancelled',
      result: null,
      error: { code: 'JOB_CANCELLED', message: expect.stringContaining('while it ran') },
    })
    // No evaluation of the revoked token ran: only the one made above is new.
    expect(await runCount()).toBe(runsBefore + 1)

    const entries = await audited([...queued, previewId])
    expect([...entries.keys()].sort()).toEqual([...queued, previewId].sort())
    for (const id of queued)
      expect(entries.get(id)).toMatchObject({
        actor: expect.stringMatching(/\[bureau, token #1\]$/),
        detail: {
          kind: 'evaluate',
          started: false,
          token: economy.id,
          reason: expect.stringMatching(
            new RegExp(`^token ${economy.id} was revoked by ${byBureau} at \\d{4}-`),
          ),
        },
      })
    expect(entries.get(previewId)).toMatchObject({
      detail: { kind: 'publication-preview', started: true, token: previewer.id },
    })
  }, 120_000)

  it('a running import of a revoked token stops inside its transaction: nothing of it is kept', async () => {
    const importer = await token('bureau', 'importer to be revoked mid-way')
    // 200,000 new firms' 2026 figures, in one transaction.
    const header =
      'credit_code,name,county_code,industry_code,land_mu,tax,electricity_kwh,above_scale'
    const rows: string[] = []
    const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
    for (let i = 0; i < 200_000; i++) {
      let tail = ''
      for (let n = i, k = 0; k < 7; k++, n = Math.floor(n / 31)) tail = CHARS[n % 31] + tail
      rows.push(`${withCheckChar(`91330282MB${tail}`)},试验企业${i},330282,3411,10,100,1000,false`)
    }
    const imported = await fetch(`${s.base}/v1/enterprises:import?year=2026`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${importer.token}`,
        'content-type': 'text/csv',
        prefer: 'respond-async',
      },
      body: `${header}\n${rows.join('\n')}\n`,
    })
    expect(imported.status).toBe(202)
    const importId = ((await imported.json()) as { id: string }).id
    // Inside its transaction once it reports rows stored.
    for (let i = 0; i < 1200 && (await job(importId)).progress.done === 0; i++) await sleep(10)
    const progress = (await job(importId)).progress
    expect(progress.done).toBeGreaterThan(0)
    expect(progress.done).toBeLessThan(progress.total)

    // The revocation asks the import to stop before it writes (the import holds the write lock until it ends).
    await revoke(importer.id)
    expect(await settled(importId)).toMatchObject({
      status: 'cancelled',
      startedAt: expect.any(String),
      error: {
        code: 'JOB_CANCELLED',
        message: expect.stringMatching(
          new RegExp(
            `while it ran \\(nothing it did was kept\\): token ${importer.id} was revoked by ${byBureau} at `,
          ),
        ),
      },
    })
    const firstFirm = rows[0].split(',')[0]
    expect((await api(s.base, 'GET', `/v1/enterprises/${firstFirm}`, tokens.bureau)).status).toBe(
      404,
    )
    expect((await audited([importId])).get(importId)).toMatchObject({
      action: 'job.cancel',
      detail: { kind: 'import', started: true, token: importer.id },
    })
  }, 120_000)
})
