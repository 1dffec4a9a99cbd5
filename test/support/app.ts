import { actDigest } from '../../src/app/correction.ts'
import { createServices, type Services } from '../../src/app/services.ts'
import { createDb } from '../../src/db/client.ts'
import { Store } from '../../src/db/store.ts'
import { type DemoTokens, seedDemo } from '../../src/demo/seed.ts'
import { createApp } from '../../src/mount.ts'
import type { RuleText } from '../../src/rulebook/compile.ts'
import { ningboTexts } from './rulebook.ts'

export interface TestApp {
  app: ReturnType<typeof createApp>
  store: Store
  services: Services
  tokens: DemoTokens
  logs: string[]
  /** Moves the store's clock forward by whole days (notice periods, expiries). */
  advanceDays: (days: number) => void
  /** The same by minutes (idle sessions). */
  advanceMinutes: (minutes: number) => void
}

/** An app over an in-memory database with the Ningbo rules and a small seeded demo population. */
export function createTestApp(
  options: {
    size?: number
    path?: string
    maxBodyBytes?: number
    maxImportBytes?: number
    clockStart?: string
    /** The rule files loaded (default: the shipped Ningbo files). */
    rules?: RuleText[]
    /** The demo's collected surcharges and refund run (the server's demo has them; most tests start without). */
    money?: boolean
  } = {},
): TestApp {
  const db = createDb(options.path ?? ':memory:')
  let tick = 0
  let skipped = 0
  // A deterministic clock keeps audit entries ordered and comparable.
  const start = Date.parse(options.clockStart ?? '2026-01-01T00:00:00Z')
  const store = new Store(db, () => new Date(start + skipped + tick++ * 1000).toISOString())
  const services = createServices(store)
  services.rulebooks.loadInitial(options.rules ?? ningboTexts(), 'test')
  const tokens = seedDemo(services, options.size ?? 300, undefined, {
    money: options.money ?? false,
  })
  const logs: string[] = []
  const app = createApp({
    store,
    services,
    maxBodyBytes: options.maxBodyBytes,
    maxImportBytes: options.maxImportBytes,
    log: (m) => logs.push(m),
  })
  const advanceDays = (days: number) => {
    skipped += days * 86_400_000
  }
  const advanceMinutes = (minutes: number) => {
    skipped += minutes * 60_000
  }
  return { app, store, services, tokens, logs, advanceDays, advanceMinutes }
}

/** A request helper: JSON body, Bearer token, extra headers. */
export function call(
  app: TestApp['app'],
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
) {
  const headers: Record<string, string> = { ...opts.headers }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`
  let body: string | undefined
  if (opts.raw !== undefined) body = opts.raw
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['content-type'] = 'application/json'
  }
  return app.request(path, { method, headers, body })
}

/** The principal a demo token stands for, to call a use case directly. */
export function principalOf(t: TestApp, token: string) {
  const p = t.services.tokens.principal(token)
  if (!p) throw new Error('unknown token')
  return p
}

/**
 * Makes city files the version in force as a correction (tests that change rules dated in the past, where the
 * point is not the correction itself): the digest a preview would answer with, taken directly.
 */
export function importAsCorrection(
  t: TestApp,
  p: Parameters<Services['rulebooks']['importCity']>[0],
  texts: RuleText[],
  note: string,
) {
  const { act } = t.services.rulebooks.cityChange(texts)
  return t.services.rulebooks.importCity(p, texts, note, {
    countyFiles: 'ignore',
    correction: { reason: note, document: 'test', preview: actDigest(t.store, act) },
  })
}
