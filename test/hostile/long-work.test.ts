// Issue "Abuse resistance", observation 3: long work does not block everyone. Against a real server on a database
// file, an evaluation and an import run as jobs in worker threads; tier lookups are answered while they run.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { tempDir } from '../support/tmp.ts'

let s: Server
let tokens: DemoTokens
beforeAll(async () => {
  const dir = tempDir('long')
  s = await startServer({ DB_PATH: join(dir, 'm.db'), DEMO_SIZE: '20000' })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 120_000)
afterAll(stopAll)

/** Polls the job, asking for a tier between polls; counts the tiers answered while the job still ran. */
async function whileRunning(jobId: string) {
  let answered = 0
  for (;;) {
    const job = await api(s.base, 'GET', `/v1/jobs/${jobId}`, tokens.bureau)
    if (job.body.status !== 'running') return { job: job.body, answered }
    const tier = await api(
      s.base,
      'GET',
      `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01`,
      tokens.utility,
    )
    expect(tier.status).toBe(200)
    answered++
  }
}

it('an evaluation of 20,000 firms runs as a job; tiers are answered meanwhile; its run is then served', async () => {
  const started = await api(
    s.base,
    'POST',
    '/v1/evaluations',
    tokens.economy,
    { year: 2024 },
    {
      prefer: 'respond-async',
    },
  )
  expect(started.status).toBe(202)
  expect(started.headers.get('location')).toBe(`/v1/jobs/${started.body.id}`)
  const { job, answered } = await whileRunning(started.body.id)
  expect(job.status).toBe('done')
  expect(answered).toBeGreaterThan(0)
  expect(job.progress.done).toBe(job.progress.total)
  const runs = (await api(s.base, 'GET', '/v1/evaluations', tokens.bureau)).body.runs
  expect(runs[0]).toMatchObject({ id: job.result.id, status: 'draft', year: 2024 })
}, 120_000)

it('an import runs as a job too, and a bad row fails the job with the row named, storing nothing', async () => {
  const header =
    'credit_code,name,county_code,industry_code,land_mu,tax,electricity_kwh,above_scale'
  const res = await fetch(`${s.base}/v1/enterprises:import?year=2025`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens.bureau}`,
      'content-type': 'text/csv',
      prefer: 'respond-async',
    },
    body: `${header}\n${tokens.creditCode},某企业,330282,3411,10,-5,1000,false\n`,
  })
  expect(res.status).toBe(202)
  const { job } = await whileRunning(((await res.json()) as { id: string }).id)
  expect(job.status).toBe('failed')
  expect(job.error).toMatchObject({ code: 'CSV_INVALID', status: 422 })
  expect(job.error.message).toContain('row 2')
  const figures = await api(
    s.base,
    'GET',
    `/v1/enterprises/${tokens.creditCode}/figures/2025`,
    tokens.bureau,
  )
  expect(figures.status).toBe(404)
})

it('an override preview is computed as a job off the request thread, then served from the cache', async () => {
  const path = '/v1/overrides/yuyao_2026_gas/preview?year=2024'
  const first = await api(s.base, 'GET', path, tokens.bureau)
  expect(first.status).toBe(200)
  expect(first.body.rules.map((r: { id: string }) => r.id)).toEqual(['class_gas'])
  expect(Number(first.body.revenue.gas.change)).toBeGreaterThan(0)
  expect((await api(s.base, 'GET', path, tokens.bureau)).body).toEqual(first.body)
  // A county reads its own county's previews only, in a job or not.
  expect((await api(s.base, 'GET', path, tokens.county)).status).toBe(403)
})
