import { createDb } from '../../src/db/client.ts'
import { Store } from '../../src/db/store.ts'
import { type DemoTokens, seedDemo } from '../../src/demo/seed.ts'
import { createApp } from '../../src/http/app.ts'
import { ningboTexts } from './rulebook.ts'

export interface TestApp {
  app: ReturnType<typeof createApp>
  store: Store
  tokens: DemoTokens
  logs: string[]
}

/** An app over an in-memory database with the Ningbo rules and a small seeded demo population. */
export function createTestApp(
  options: { size?: number; path?: string; maxBodyBytes?: number } = {},
): TestApp {
  const db = createDb(options.path ?? ':memory:')
  let tick = 0
  // A deterministic clock keeps audit entries ordered and comparable.
  const store = new Store(db, () => new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString())
  store.saveRulebookVersion(ningboTexts(), 'test', 'shipped rules')
  const tokens = seedDemo(store, options.size ?? 300)
  const logs: string[] = []
  const app = createApp({ store, maxBodyBytes: options.maxBodyBytes, log: (m) => logs.push(m) })
  return { app, store, tokens, logs }
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
