/**
 * Real server processes for tests: `src/server.ts` started with `node --import tsx` on a port of its own, and a
 * small fetch helper. Every attack and every multi-process claim is tested against these, not the app object.
 */
import { type ChildProcess, spawn } from 'node:child_process'

const SERVER = new URL('../../src/server.ts', import.meta.url).pathname
const running: ChildProcess[] = []

export interface Server {
  base: string
  /** Everything the process printed so far. */
  lines: string[]
  pid: number
  stop: () => Promise<void>
}

/** Starts a server with `env` over the defaults (any free port, a 60-firm demo) and waits until it listens. */
export function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    // One process unless a test asks for more (WORKERS defaults to the number of cores).
    env: { ...process.env, PORT: '0', DEMO_SIZE: '60', LOG_LEVEL: 'info', WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.push(child)
  const lines: string[] = []
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        lines.push(line)
        const m = /mujun listening on (http:\/\/\S+)/.exec(line)
        if (m)
          resolve({
            base: m[1],
            lines,
            pid: child.pid!,
            stop: () =>
              new Promise((done) => {
                if (child.exitCode !== null) return done()
                child.once('exit', () => done())
                child.kill('SIGTERM')
              }),
          })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited ${code}:\n${lines.join('\n')}`)))
  })
}

/** Kills whatever a test left running, and waits until it is gone (its folder can then be removed). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done()
          c.once('exit', () => done())
          c.kill('SIGKILL')
        }),
    ),
  )
}

/** A JSON request; the body is sent as JSON unless `raw` is given. */
export async function api(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const send = () =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  // A test that ran the CLI in-process kept this process busy past the server's keep-alive timeout: the pooled
  // connection the server closed meanwhile is found closed on first use ("other side closed"). That socket carried
  // no request; the request is sent once more on a new one.
  const res = await send().catch((e: Error & { cause?: { code?: string } }) => {
    if (e.cause?.code === 'UND_ERR_SOCKET') return send()
    throw e
  })
  const text = await res.text()
  let json: any
  try {
    json = JSON.parse(text)
  } catch {
    json = text
  }
  return { status: res.status, etag: res.headers.get('etag'), headers: res.headers, body: json }
}

/** One tier lookup of `creditCode` as a utility does, on a day of 2025 chosen by `i`: its status and time in ms. */
export async function timedTier(
  base: string,
  tokens: { creditCode: string; utility: string },
  i: number,
): Promise<{ status: number; ms: number }> {
  const t = performance.now()
  const r = await api(
    base,
    'GET',
    `/v1/enterprises/${tokens.creditCode}/tier?date=2025-0${1 + (i % 9)}-01`,
    tokens.utility,
  )
  return { status: r.status, ms: performance.now() - t }
}
