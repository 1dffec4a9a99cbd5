/**
 * The county traffic `npm run soak` adds (issue "Hostile input, second round"): a county proposing drafts as large as
 * MAX_OVERRIDE_BYTES allows (64 KiB), withdrawing its oldest when DRAFT_LIMIT refuses one and asking a preview now and then;
 * and proposals made while a large import job writes (the writer stall). Each answer is counted by status; an
 * answer that is not one the API documents for the situation (a 500, a 503 without Retry-After) is an error, and so
 * is a small proposal that took `slowMs` or more (the stall took 5 s). A large text's check and a preview (a job,
 * waiting its turn behind the imports and the evaluation) may take longer: their slowest answer is reported.
 */
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { countyPrefix } from '../rulebook/schema.ts'
import { largeOverride } from './hostile.ts'

/** The shipped rulebook's counties, whose slugs prefix their override ids. */
const NINGBO_COUNTIES: { code: string; slug?: string }[] = parse(
  readFileSync(new URL('../../rules/ningbo/rulebook.yaml', import.meta.url), 'utf8'),
).rulebook.counties

export interface CountyTally {
  answers: Record<string, number>
  errors: number
  slowest: number
}

const tally = (): CountyTally => ({ answers: {}, errors: 0, slowest: 0 })

async function send(
  t: CountyTally,
  allowed: string[],
  url: string,
  init: RequestInit,
  slowMs = Number.POSITIVE_INFINITY,
): Promise<{ status: number; body: { code?: string } }> {
  const started = performance.now()
  const res = await fetch(url, init)
  const body = (await res.json().catch(() => ({}))) as { code?: string }
  const ms = performance.now() - started
  const key = res.status < 300 ? String(res.status) : `${res.status} ${body.code ?? ''}`
  t.answers[key] = (t.answers[key] ?? 0) + 1
  t.slowest = Math.max(t.slowest, ms)
  // A 503 must say when to come back.
  const retry = res.status !== 503 || res.headers.get('retry-after') !== null
  if (!allowed.includes(key) || ms >= slowMs || !retry) t.errors++
  return { status: res.status, body }
}

const json = (token: string, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

/**
 * A county proposing 63 KB drafts (400 surcharge items, just under MAX_OVERRIDE_BYTES) in a loop until `stop()` is true; at the draft limit it
 * withdraws its oldest open one. Every fifth draft is previewed.
 */
export async function countyDrafts(
  base: string,
  county: { token: string; code: string },
  stop: () => boolean,
  /** While true the county waits (a correction elsewhere needs a preview of an unchanged state). */
  quiet: () => boolean = () => false,
): Promise<CountyTally> {
  const t = tally()
  const open: string[] = []
  const allowed = [
    '200',
    '201',
    '409 DRAFT_LIMIT',
    '503 WRITER_BUSY',
    '503 CHECKS_BUSY',
    '503 JOBS_BUSY',
  ]
  for (let i = 0; !stop(); i++) {
    while (quiet() && !stop()) await new Promise((r) => setTimeout(r, 100))
    const id = `${slugOf(county.code)}_soak_draft_${i}`
    const r = await send(
      t,
      allowed,
      `${base}/v1/overrides`,
      json(county.token, { text: largeOverride(id, county.code, 400) }),
    )
    if (r.status === 201) open.push(id)
    if (r.body.code === 'DRAFT_LIMIT' && open.length > 0)
      await send(
        t,
        allowed,
        `${base}/v1/overrides/${open.shift()}/withdraw`,
        json(county.token, { reason: 'soak: make room' }),
      )
    if (i % 5 === 4 && open.length > 0)
      await send(t, allowed, `${base}/v1/overrides/${open.at(-1)}/preview?year=2024`, {
        headers: { authorization: `Bearer ${county.token}` },
      })
    await new Promise((r) => setTimeout(r, 100))
  }
  return t
}

/**
 * The writer stall: a large import as a job and, while it runs, the bureau proposing small drafts for county `code`
 * every 50 ms (each withdrawn once stored), each to be answered within 2 s. Returns when the job is done.
 */
export async function writerStall(
  base: string,
  bureau: string,
  code: string,
  csv: string,
): Promise<{ tally: CountyTally; job: string }> {
  const t = tally()
  const auth = { authorization: `Bearer ${bureau}` }
  // Another year than the one evaluated half-way: the evaluation rates the demo's firms, as without this traffic.
  const started = await fetch(`${base}/v1/enterprises:import?year=2025`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'text/csv', prefer: 'respond-async' },
    body: csv,
  })
  const jobId = ((await started.json()) as { id: string }).id
  const allowed = ['200', '201', '503 WRITER_BUSY', '503 CHECKS_BUSY']
  for (let i = 0; ; i++) {
    const job = (await (await fetch(`${base}/v1/jobs/${jobId}`, { headers: auth })).json()) as {
      status: string
      result?: { rows: number }
    }
    if (job.status !== 'running')
      return { tally: t, job: `${job.status}${job.result ? ` (${job.result.rows} rows)` : ''}` }
    const id = `${slugOf(code)}_soak_stall_${i}`
    const text = largeOverride(id, code, 1)
    const r = await send(t, allowed, `${base}/v1/overrides`, json(bureau, { text }), 2000)
    if (r.status === 201)
      await send(
        t,
        allowed,
        `${base}/v1/overrides/${id}/withdraw`,
        json(bureau, { reason: 'soak: stall probe' }),
        2000,
      )
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The prefix a county's override ids begin with, as the shipped rulebook names it. */
function slugOf(code: string): string {
  const county = NINGBO_COUNTIES.find((c) => c.code === code)
  return county ? countyPrefix(county) : `c${code}`
}
