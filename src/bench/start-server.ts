/**
 * Starts the benchmark server (api-server.ts), pinned to core 0 unless told otherwise, and waits for its ready line.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'

export interface BenchServer {
  process: ChildProcessWithoutNullStreams
  base: string
  token: string
  bureau: string
  /** The economy office (经信): runs and publishes evaluations, reads the programme. */
  economy: string
  /** The demo county (慈溪市) and its code. */
  county: string
  countyCode: string
  codes: string[]
}

export async function startBenchServer(
  nodeFlags: string[] = [],
  options: { pinned?: boolean; root?: string; demoSize?: number } = {},
): Promise<BenchServer> {
  // Another checkout's server (`bench:api -- --against REF`) is started from its own tree.
  const here = options.root ? `${options.root}/src/bench/` : new URL('.', import.meta.url).pathname
  const node = [process.execPath, ...nodeFlags, '--import', 'tsx', `${here}api-server.ts`]
  // Pinned (the default) for throughput ratios; unpinned where the server's worker thread must have a core.
  const child = spawn(
    options.pinned === false ? node[0] : 'taskset',
    options.pinned === false ? node.slice(1) : ['-c', '0', ...node],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: options.demoSize
        ? { ...process.env, BENCH_DEMO_SIZE: String(options.demoSize) }
        : process.env,
    },
  ) as unknown as ChildProcessWithoutNullStreams
  const info = await new Promise<{
    port: number
    token: string
    bureau: string
    economy: string
    county: string
    countyCode: string
    codes: string[]
  }>((resolve, reject) => {
    let buf = ''
    child.stdout.on('data', (d) => {
      buf += d
      const line = buf.split('\n').find((l) => l.startsWith('{'))
      if (line) resolve(JSON.parse(line))
    })
    child.on('exit', (code) => reject(new Error(`bench server exited ${code}`)))
  })
  return {
    process: child,
    base: `http://127.0.0.1:${info.port}`,
    token: info.token,
    bureau: info.bureau,
    economy: info.economy,
    county: info.county,
    countyCode: info.countyCode,
    codes: info.codes,
  }
}
