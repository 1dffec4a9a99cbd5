/**
 * `npm start`: migrate the database, load RULES_DIR into an empty database (or report how it differs), seed the
 * demo on an empty database, serve the API: in this process, or (WORKERS > 1, a database file) in as many worker
 * processes, forked after all of that is done once (see cluster).
 * @module server
 */
import cluster from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { serve } from '@hono/node-server'
import { createServices } from './app/services.ts'
import { listenForJobs, runPrimary, workerFetch } from './cluster.ts'
import { createDb } from './db/client.ts'
import { Store } from './db/store.ts'
import { type DemoTokens, seedDemo } from './demo/seed.ts'
import { AUTH_FAILURE_LIMIT, AuthFailureLimiter } from './edge-shared/auth-limiter.ts'
import { parseEnv } from './env.ts'
import { formatRuleProblem, RulebookError } from './errors.ts'
import { directPaths, serverWith } from './http/direct-paths.ts'
import { createApp } from './mount.ts'
import { readRuleTexts } from './rulebook/load.ts'

let env: ReturnType<typeof parseEnv>
try {
  env = parseEnv()
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`)
  process.exit(1)
}
const say = (s: string) => env.LOG_LEVEL !== 'silent' && process.stdout.write(`${s}\n`)
if (cluster.isWorker) await serveWorker()
else await prepareAndServe()

/** A worker: the database is ready (the primary prepared it); serve the shared port until told to stop. */
async function serveWorker() {
  const db = createDb(env.DB_PATH, { busyTimeoutMs: env.WRITE_WAIT_MS })
  const store = new Store(db)
  const services = createServices(store, {
    jobsDbPath: env.DB_PATH,
    overrideLimits: { maxTextBytes: env.MAX_OVERRIDE_BYTES, maxOpen: env.MAX_OPEN_OVERRIDES },
  })
  const app = createApp({
    store,
    services,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxImportBytes: env.MAX_IMPORT_BYTES,
    cookieSecure: env.COOKIE_SECURE,
    // Each worker counts its own failed logins: a client's connections spread over the workers, so each allows
    // its share of the limit and a client gets the limit in all, not the limit at each worker.
    authLimiter: new AuthFailureLimiter(Math.ceil(AUTH_FAILURE_LIMIT / env.WORKERS)),
  })
  const secret = env.MUJUN_WORKER_SECRET
  if (env.MUJUN_JOB_PROCESS)
    process.send?.({ type: 'jobs-port', port: await listenForJobs(app as never, secret) })
  const server = serve({
    fetch: workerFetch(app as never, { secret, jobsHere: env.MUJUN_JOB_PROCESS }) as never,
    port: env.PORT,
    hostname: env.HOST,
    // Tier lookups and plain bills answered before the app, named by the worker as workerFetch names the app's answers.
    createServer: serverWith(directPaths(services, { 'mujun-worker': String(cluster.worker!.id) })),
  })
  const stop = () =>
    server.close(() => {
      db.$client.close()
      process.exit(0)
    })
  process.on('SIGTERM', stop)
  process.on('SIGINT', () => {})
  // The primary went away: so does the worker.
  process.on('disconnect', () => process.exit(0))
}

async function prepareAndServe() {
  const db = createDb(env.DB_PATH, { busyTimeoutMs: env.WRITE_WAIT_MS })
  const store = new Store(db)
  // Long work runs in a worker thread on the same database file (not possible for an in-memory database).
  const services = createServices(store, {
    jobsDbPath: env.DB_PATH === ':memory:' ? undefined : env.DB_PATH,
    overrideLimits: { maxTextBytes: env.MAX_OVERRIDE_BYTES, maxOpen: env.MAX_OPEN_OVERRIDES },
  })
  // The database is the system of record: the rule files are loaded only into an empty database. Later they are
  // compared and any difference is reported, never applied (that is `mujun rules import`, explicit and audited).
  try {
    const texts = readRuleTexts(env.RULES_DIR)
    const legacy = services.rulebooks.upgradeLegacy('upgrade')
    if (legacy.moved.length > 0)
      say(
        `upgraded: ${legacy.moved.length} county override(s) moved out of the city rules into records (${legacy.moved.join(', ')}); city version ${legacy.versionId} in force`,
      )
    if (services.rulebooks.isEmpty()) {
      const v = services.rulebooks.loadInitial(texts, `rules-dir ${env.RULES_DIR}`)
      say(
        `empty database: loaded ${env.RULES_DIR} as rulebook version ${v.id} (city files sha256 ${v.hash.slice(0, 12)}) and ${v.overrides.length} county override record(s)`,
      )
    } else {
      const d = services.rulebooks.drift(texts)
      say(`rulebook version ${d.versionId} in force (from the database)`)
      // A record the rules cannot be read with (written before every write was checked): named, set aside, served
      // without, until the bureau repairs it.
      for (const x of services.rulebooks.active().setAside)
        say(
          `warning: override record ${x.path.replace(/^counties\/|\.yaml$/g, '')} is set aside: the rules cannot be read with it (${x.problem.split('\n')[0]}); the bureau repairs it with POST /v1/overrides/{id}/repair`,
        )
      if (d.city.length + d.overrides.length > 0) {
        say(`note: ${env.RULES_DIR} differs from the database, which was not changed:`)
        for (const f of d.city) say(`  ${f.change.padEnd(8)} ${f.path}`)
        for (const o of d.overrides)
          say(`  ${o.change.padEnd(8)} ${o.path} (override ${o.id || '?'})`)
        if (d.city.length > 0)
          say(
            `  to make the city files the version in force: mujun rules import ${env.RULES_DIR} --db ${env.DB_PATH}`,
          )
        if (d.overrides.length > 0)
          say('  county overrides change only through their workflow: POST /v1/overrides')
      }
    }
  } catch (e) {
    if (!(e instanceof RulebookError)) throw e
    process.stderr.write(
      `${e.problems.map(formatRuleProblem).join('\n')}\nthe rules in ${env.RULES_DIR} are invalid; not starting\n`,
    )
    process.exit(1)
  }

  const tokenFile = join(
    env.DB_PATH === ':memory:' ? 'data' : dirname(env.DB_PATH),
    'demo-tokens.json',
  )
  let tokens: DemoTokens | undefined
  if (env.DEMO && store.listEnterprises({ limit: 1, offset: 0 }).total === 0) {
    say(
      `empty database: loading a demo population of ${env.DEMO_SIZE} enterprises (2023 and 2024, both published; the 2015–2017 rectification programme with its 2014 and 2017 figures)…`,
    )
    const t = Date.now()
    // The file is written inside the seeding transaction: no demo data is committed without its tokens.
    tokens = seedDemo(services, env.DEMO_SIZE, (t) => {
      if (env.DB_PATH !== ':memory:')
        writeFileSync(tokenFile, `${JSON.stringify(t, null, 2)}\n`, { mode: 0o600 })
    })
    say(`demo loaded in ${((Date.now() - t) / 1000).toFixed(1)} s`)
  } else if (env.DEMO && existsSync(tokenFile)) {
    tokens = JSON.parse(readFileSync(tokenFile, 'utf8')) as DemoTokens
  }
  if (store.listTokens().every((t) => t.revokedAt))
    say(
      `no API token exists yet: create the first with  mujun tokens create --role bureau --label "…" --db ${env.DB_PATH}`,
    )

  const workers = env.DB_PATH === ':memory:' ? 1 : env.WORKERS
  const announce = (address: { address: string; port: number }) => {
    const base = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`
    say(`mujun listening on ${base}${workers > 1 ? ` (${workers} worker processes)` : ''}`)
    say(`  API reference  ${base}/docs   (OpenAPI: ${base}/openapi.json)`)
    // Tokens go to a terminal only, never into a log a service manager keeps; the file is always named.
    if (tokens && process.stdout.isTTY) {
      say(`  demo tokens (also in ${tokenFile}):`)
      say(`    bureau      ${tokens.bureau}   (发改/物价: tariff rules, tokens)`)
      if (tokens.economy)
        say(`    economy     ${tokens.economy}   (经信: evaluations, the programme)`)
      if (tokens.observer) say(`    observer    ${tokens.observer}   (read-only department)`)
      say(`    utility     ${tokens.utility}`)
      say(`    county      ${tokens.county}   (慈溪市 ${tokens.countyCode})`)
      say(`    enterprise  ${tokens.enterprise}   (${tokens.creditCode})`)
      if (tokens.department)
        say(`    department  ${tokens.department}   (国网宁波供电公司: its rationing order)`)
      say(
        `  try: curl -H "Authorization: Bearer ${tokens.utility}" "${base}/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01"`,
      )
    } else if (tokens) say(`  demo tokens: in ${tokenFile} (mode 0600)`)
  }

  if (workers > 1) {
    // Everything above ran once, here; the workers open the database ready.
    db.$client.close()
    runPrimary(workers, randomBytes(24).toString('base64url'), say, (a) =>
      announce({ ...a, address: a.address ?? env.HOST }),
    )
    return
  }

  const app = createApp({
    store,
    services,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxImportBytes: env.MAX_IMPORT_BYTES,
    cookieSecure: env.COOKIE_SECURE,
  })
  const server = serve(
    {
      fetch: app.fetch,
      port: env.PORT,
      hostname: env.HOST,
      createServer: serverWith(directPaths(services)),
    },
    (info) => announce(info),
  )

  const stop = () => {
    server.close(() => {
      db.$client.close()
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}
