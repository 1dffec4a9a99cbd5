// Issue "Hostile input, second round", row JSON-array billing body: a 100 MB `[[0,…]]` sent to POST /v1/bills as
// application/json took a real server from 341 to 1,148 MiB and stalled tier lookups up to 2.0 s before its 422.
// Now such a body is refused once its size is known (declared) or once the limit is read (chunked), never buffered
// past it; the server's resident memory and a tier lookup running meanwhile are measured on a real process.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { MAX_ARRAY } from '../../src/http/routes/bills.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { tempDir } from '../support/tmp.ts'

let s: Server
let tokens: DemoTokens
beforeAll(async () => {
  const dir = tempDir('bodies')
  s = await startServer({ DB_PATH: join(dir, 'm.db') })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 60_000)
afterAll(stopAll)

const MiB = 1024 * 1024
/** The server process's resident memory now, MiB (Linux /proc). */
const rss = () =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${s.pid}/status`, 'utf8'))![1]) / 1024

/** 100 MB of `[[0,0,…,0]]`, handed out in 1 MiB pieces. */
const HUGE = 100 * 1000 * 1000
function* pieces() {
  yield Buffer.from('[[')
  const zeros = Buffer.from('0,'.repeat(MiB / 2))
  for (let sent = 4; sent + zeros.length < HUGE; sent += zeros.length) yield zeros
  yield Buffer.from('0]]')
}

/**
 * Runs `send` while sampling the server's RSS every few ms and asking for a tier over and over; returns the peak
 * growth of RSS over the baseline and the slowest tier lookup.
 */
async function watch(send: () => Promise<Response>) {
  const tierUrl = `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01`
  for (let i = 0; i < 20; i++) await api(s.base, 'GET', tierUrl, tokens.utility)
  const base = rss()
  let peak = base
  let done = false
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss())
  }, 5)
  const lookups = (async () => {
    let slowest = 0
    while (!done) {
      const t = performance.now()
      const tier = await api(s.base, 'GET', tierUrl, tokens.utility)
      expect(tier.status).toBe(200)
      slowest = Math.max(slowest, performance.now() - t)
    }
    return slowest
  })()
  const res = await send()
  const body = await res.json()
  // A moment more: whatever the server still does with the rest of the upload is measured too.
  await new Promise((r) => setTimeout(r, 300))
  done = true
  clearInterval(sampler)
  peak = Math.max(peak, rss())
  return { res, body, grewMiB: peak - base, slowestTierMs: await lookups }
}

const jsonPost = (body: BodyInit) =>
  fetch(`${s.base}/v1/bills`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.utility}`, 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit)

describe('JSON-array billing body', () => {
  it('100 MB declared: 413 naming NDJSON; RSS grows < 64 MiB; a tier lookup meanwhile stays fast', async () => {
    const whole = Buffer.concat([...pieces()])
    const { res, body, grewMiB, slowestTierMs } = await watch(() => jsonPost(whole))
    expect([res.status, body.code]).toEqual([413, 'BODY_TOO_LARGE'])
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(body.detail).toMatch(/application\/x-ndjson/)
    expect(grewMiB).toBeLessThan(64)
    expect(slowestTierMs).toBeLessThan(1000)
  }, 60_000)

  it('100 MB chunked (no declared length): refused while streaming, never buffered whole', async () => {
    const it = pieces()
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = it.next()
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
    })
    const { res, body, grewMiB, slowestTierMs } = await watch(() => jsonPost(stream))
    expect([res.status, body.code]).toEqual([413, 'BODY_TOO_LARGE'])
    expect(body.detail).toMatch(/application\/x-ndjson/)
    expect(grewMiB).toBeLessThan(64)
    expect(slowestTierMs).toBeLessThan(1000)
  }, 60_000)

  it(`a JSON array of ${MAX_ARRAY} plain requests still fits and is answered in full`, async () => {
    const one = {
      creditCode: tokens.creditCode,
      resource: 'electricity',
      quantity: '12000',
      from: '2025-03-01',
      to: '2025-04-01',
    }
    const res = await jsonPost(JSON.stringify(Array.from({ length: MAX_ARRAY }, () => one)))
    const answers = await res.json()
    expect(res.status).toBe(200)
    expect(answers).toHaveLength(MAX_ARRAY)
    expect(answers[MAX_ARRAY - 1]).toEqual(answers[0])
  }, 60_000)
})
