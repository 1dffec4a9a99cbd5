import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { actDigest } from '../../src/app/correction.ts'
import { createServices, type Services } from '../../src/app/services.ts'
import { createDb, type Db, MIGRATIONS_DIR } from '../../src/db/client.ts'
import * as schema from '../../src/db/schema.ts'
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

/**
 * The seeded databases made so far in this process, by what decides their contents (size, rules, clock
 * start, money): the image of the database right after seeding, the demo tokens, and the clock's tick then.
 */
const seeded = new Map<string, { image: Buffer; tokens: DemoTokens; tick: number }>()
/** The pragmas createDb sets on a connection, read from one it opened, to set them on a connection to an image. */
const PRAGMAS = ['foreign_keys', 'busy_timeout', 'cache_size', 'synchronous'] as const
let reference: Record<string, unknown> | undefined

/** A database holding a copy of `image`: in memory, opened as createDb opens one, or a file createDb opens. */
function dbFromImage(image: Buffer, path?: string): Db {
  if (path) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, image, { mode: 0o600 })
    return createDb(path)
  }
  reference ??= (() => {
    const ref = createDb(':memory:').$client
    const values = Object.fromEntries(PRAGMAS.map((p) => [p, ref.pragma(p, { simple: true })]))
    ref.close()
    return values
  })()
  const sqlite = new Database(image)
  for (const p of PRAGMAS) sqlite.pragma(`${p} = ${reference[p]}`)
  const db = drizzle(sqlite, { schema }) as Db
  migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  return db
}

/** The database as an image, marked as not in WAL mode (bytes 18 and 19 of the header), which opens in memory too. */
function imageOf(db: Db): Buffer {
  const image = db.$client.serialize()
  image[18] = 1
  image[19] = 1
  return image
}

/**
 * An app over a database (in memory unless `path` names a new file) with the Ningbo rules and a small seeded demo
 * population. Seeding the same demo again (same size, rules, clock start and money) copies the database seeded first in this process instead: the
 * same rows, the same tokens, and the clock where seeding left it; the services start as after a restart.
 */
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
  const rules = options.rules ?? ningboTexts()
  const size = options.size ?? 300
  const money = options.money ?? false
  const key = createHash('sha256')
    .update(JSON.stringify([size, options.clockStart, money, rules]))
    .digest('hex')
  // A file that exists already is the test's own database, not a new demo.
  const image = options.path && existsSync(options.path) ? undefined : seeded.get(key)
  const db = image ? dbFromImage(image.image, options.path) : createDb(options.path ?? ':memory:')
  let tick = 0
  let skipped = 0
  // A deterministic clock keeps audit entries ordered and comparable.
  const start = Date.parse(options.clockStart ?? '2026-01-01T00:00:00Z')
  const store = new Store(db, () => new Date(start + skipped + tick++ * 1000).toISOString())
  const services = createServices(store)
  let tokens: DemoTokens
  if (image) {
    tick = image.tick
    tokens = { ...image.tokens }
  } else {
    services.rulebooks.loadInitial(rules, 'test')
    tokens = seedDemo(services, size, undefined, { money })
    seeded.set(key, { image: imageOf(db), tokens: { ...tokens }, tick })
  }
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
