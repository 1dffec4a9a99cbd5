/**
 * Every core serving (`WORKERS`): the primary process prepares the database once (migrations, rules, the demo) and
 * forks the workers, each serving HTTP on the one port over its own connection to the one WAL database, with its
 * own revision-keyed caches (a commit by any process moves every process's revision: Store.sync). Jobs run in one
 * process only: the first worker is the job process, and the others hand it every request that starts or reads a
 * job, over a private loopback port (so a job is queued, run and polled in one place, whichever worker was asked).
 * @module cluster
 */
import cluster, { type Worker } from 'node:cluster'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'

/** The requests that start or read a job: served by the job process. */
const JOB_REQUESTS: [string, RegExp][] = [
  ['GET', /^\/v1\/jobs\/[^/]+$/],
  ['POST', /^\/v1\/evaluations$/],
  ['POST', /^\/v1\/evaluations\/[^/]+\/publication-preview$/],
  ['POST', /^\/v1\/enterprises:import$/],
  ['POST', /^\/v1\/refunds$/],
  ['POST', /^\/v1\/rulebook\/previews$/],
  ['GET', /^\/v1\/overrides\/[^/]+\/preview$/],
  ['POST', /^\/evaluation\/run$/],
  ['GET', /^\/evaluation\/job$/],
  ['POST', /^\/rules\/change\/preview$/],
  ['GET', /^\/rules\/preview(\.csv)?$/],
]

export function isJobRequest(method: string, path: string): boolean {
  return JOB_REQUESTS.some(([m, re]) => m === method && re.test(path))
}

/** What the primary and a worker tell each other. */
type Message = { type: 'jobs-port'; port: number }

/**
 * The primary: forks `n` workers (the first the job process), replaces one that dies, tells every worker the job
 * process's private port, and calls `listening` once every worker listens.
 */
export function runPrimary(
  n: number,
  secret: string,
  say: (s: string) => void,
  listening: (address: { address: string | null; port: number }) => void,
): void {
  let jobsPort: number | undefined
  let jobsWorker: Worker | undefined
  let stopping = false
  let up = 0
  const fork = (jobs: boolean) => {
    const w = cluster.fork({ MUJUN_WORKER_SECRET: secret, MUJUN_JOB_PROCESS: jobs ? '1' : '0' })
    if (jobs) jobsWorker = w
    w.on('message', (m: Message) => {
      if (m?.type !== 'jobs-port') return
      jobsPort = m.port
      for (const x of Object.values(cluster.workers ?? {})) x?.send(m)
    })
    // Told once it listens, not when it comes online: a message that arrives before the worker has set its
    // handler (while it still loads its modules) is lost, and the worker would answer job requests 503 for good.
    w.on('listening', () => {
      if (jobsPort !== undefined) w.send({ type: 'jobs-port', port: jobsPort } satisfies Message)
    })
    return w
  }
  cluster.on('listening', (_w, address) => {
    if (++up === n) listening({ address: address.address ?? null, port: address.port })
  })
  cluster.on('exit', (w, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
      return
    }
    const jobs = w === jobsWorker
    say(
      `worker ${w.process.pid} exited (${signal ?? code}); starting another${jobs ? ' (the job process)' : ''}`,
    )
    if (jobs) jobsPort = undefined
    fork(jobs)
  })
  for (let i = 0; i < n; i++) fork(i === 0)
  const stop = () => {
    stopping = true
    const alive = Object.values(cluster.workers ?? {})
    if (alive.length === 0) process.exit(0)
    for (const w of alive) w?.process.kill('SIGTERM')
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

type Fetch = (req: Request, env: unknown) => Response | Promise<Response>

const HOP = ['host', 'connection', 'keep-alive', 'transfer-encoding', 'expect', 'upgrade']

/**
 * A worker's request handler: its own app, but for the job requests of a worker that is not the job process,
 * which are passed to the job process (503 with Retry-After until its port is known). Answers name the worker.
 */
export function workerFetch(
  app: { fetch: Fetch },
  { secret, jobsHere }: { secret: string; jobsHere: boolean },
): Fetch {
  const id = String(cluster.worker?.id ?? 0)
  let jobsPort: number | undefined
  process.on('message', (m: Message) => {
    if (m?.type === 'jobs-port') jobsPort = m.port
  })
  const named = (res: Response) => {
    try {
      res.headers.set('mujun-worker', id)
    } catch {
      // A response with immutable headers (a fetched one) keeps them.
    }
    return res
  }
  return async (req, env) => {
    const url = new URL(req.url)
    if (jobsHere || !isJobRequest(req.method, url.pathname)) return named(await app.fetch(req, env))
    if (jobsPort === undefined)
      return new Response(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          code: 'JOBS_STARTING',
          detail: 'the job process is starting; try again shortly',
        }),
        {
          status: 503,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '1' },
        },
      )
    const headers = new Headers(req.headers)
    for (const h of HOP) headers.delete(h)
    headers.set('mujun-internal', secret)
    const client = (env as { incoming?: { socket?: { remoteAddress?: string } } })?.incoming?.socket
      ?.remoteAddress
    headers.set('mujun-client', client ?? 'unknown')
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    // The job process being replaced (it died): the port is stale until the new one says its own.
    return fetch(`http://127.0.0.1:${jobsPort}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: hasBody ? req.body : undefined,
      redirect: 'manual',
      ...(hasBody && { duplex: 'half' }),
    } as RequestInit).catch(jobsStarting)
  }
}

/** 503 with Retry-After: the job process is not (yet) reachable. */
function jobsStarting(): Response {
  return new Response(
    JSON.stringify({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      code: 'JOBS_STARTING',
      detail: 'the job process is starting; try again shortly',
    }),
    { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' } },
  )
}

/**
 * The job process's private port (loopback, not shared with the other workers): the other workers' job requests,
 * each with the worker secret and the client's address (the failed-login limit counts the client, not the worker).
 */
export function listenForJobs(app: { fetch: Fetch }, secret: string): Promise<number> {
  const server = createAdaptorServer({
    fetch: (req: Request, env: { incoming: { headers: Record<string, unknown> } }) => {
      if (!secret || req.headers.get('mujun-internal') !== secret)
        return new Response('forbidden', { status: 403 })
      const incoming = env.incoming
      const client = req.headers.get('mujun-client') ?? 'unknown'
      return app.fetch(req, {
        ...env,
        incoming: { headers: incoming.headers, socket: { remoteAddress: client } },
      })
    },
  })
  return new Promise((resolve) => {
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () =>
      resolve((server.address() as AddressInfo).port),
    )
  })
}
