/**
 * `npm run bench:startup [ROUNDS]` (default 5): how long a process of mujun takes to start, beside the TypeScript
 * loader starting with nothing to load, in the same run, rounds interleaved. Every process of the service pays it:
 * `npm start` and each of its workers, every `mujun` command, each job and rule-check thread, each step of the
 * benchmarks and each server process of the tests.
 *
 *   loader alone     `node --import tsx -e 0`: the floor
 *   mujun --help     the command line, as a person runs it (src/cli/bin.js)
 *   module graph     importing what the server imports (services and the app), timed inside the process
 *   server           `src/server.ts` on a database already set up (the demo seeded before the rounds), to listening
 *   mathjs, two ways the formula parser's library as an ES module (`mathjs/number`, some three hundred files) and as
 *                    the single-file build src/formula/compile.ts loads, each timed inside a process
 *   echarts, two ways the charts' library (with zrender, some six hundred files) the same two ways; src/web/kit/charts.ts
 *                    loads the single-file build when it draws its first chart
 * @module bench/startup
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5)
const src = new URL('..', import.meta.url).pathname
const node = (args: string[], env: Record<string, string> = {}) =>
  execFileSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
/** Wall time of a whole process, in ms. */
const wall = (args: string[]) => {
  const t0 = performance.now()
  node(args)
  return performance.now() - t0
}
/** A time the process measured itself and printed as its last line. */
const inside = (code: string) =>
  Number(node(['--import', 'tsx', '--input-type=module', '-e', code]).trim())

const dir = mkdtempSync(join(tmpdir(), 'mujun-startup-'))
const serverEnv = {
  DB_PATH: join(dir, 'm.db'),
  PORT: '0',
  DEMO_SIZE: '60',
  WORKERS: '1',
  LOG_LEVEL: 'info',
}
/** `src/server.ts` from spawn to its "listening" line, in ms; then stopped. */
const server = () =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, ['--import', 'tsx', join(src, 'server.ts')], {
      env: { ...process.env, ...serverEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      if (/mujun listening on/.test(out)) {
        const ms = performance.now() - t0
        child.once('exit', () => resolve(ms))
        child.kill('SIGTERM')
      }
    })
    child.once('exit', (c) => {
      if (!/mujun listening on/.test(out)) reject(new Error(`server exited ${c}:\n${out}`))
    })
  })

const timeImport = (what: string) =>
  `const t = performance.now(); ${what}; console.log(performance.now() - t)`
const scenarios: [string, () => number | Promise<number>][] = [
  ['loader alone (`node --import tsx -e 0`)', () => wall(['--import', 'tsx', '-e', '0'])],
  ['`mujun --help`', () => wall([join(src, 'cli/bin.js'), '--help'])],
  [
    "the server's module graph, imported",
    () =>
      inside(
        timeImport(
          `await import(${JSON.stringify(join(src, 'app/services.ts'))}); await import(${JSON.stringify(join(src, 'mount.ts'))})`,
        ),
      ),
  ],
  ['`src/server.ts` to listening (database set up)', server],
  [
    'mathjs as an ES module (`mathjs/number`)',
    () => inside(timeImport(`await import('mathjs/number')`)),
  ],
  [
    'mathjs as the single-file build (as loaded)',
    () =>
      inside(
        timeImport(
          `const { createRequire } = await import('node:module'); createRequire(${JSON.stringify(join(src, 'formula/compile.ts'))})('mathjs/lib/browser/math.js')`,
        ),
      ),
  ],
  ['echarts as an ES module', () => inside(timeImport(`await import('echarts')`))],
  [
    'echarts as the single-file build (as loaded, on the first chart)',
    () =>
      inside(
        timeImport(
          `const { createRequire } = await import('node:module'); createRequire(${JSON.stringify(join(src, 'web/kit/charts.ts'))})('echarts')`,
        ),
      ),
  ],
]

process.stdout.write(
  `bench:startup — ${rounds} rounds, scenarios interleaved, Node ${process.version}\n`,
)
await server() // the first start seeds the demo; the rounds measure starts on the set-up database
const times = scenarios.map(() => [] as number[])
for (let r = 0; r < rounds; r++)
  for (const [i, [, run]] of scenarios.entries()) times[i].push(await run())
rmSync(dir, { recursive: true, force: true })

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const floor = median(times[0])
process.stdout.write('| scenario | median | min–max | ÷ loader alone |\n|---|---|---|---|\n')
for (const [i, [label]] of scenarios.entries()) {
  const m = median(times[i])
  process.stdout.write(
    `| ${label} | ${Math.round(m).toLocaleString('en')} ms | ${Math.round(Math.min(...times[i]))}–${Math.round(Math.max(...times[i]))} ms | ${(m / floor).toFixed(2)}× |\n`,
  )
}
for (const [name, esm, single] of [
  ['mathjs', 4, 5],
  ['echarts', 6, 7],
] as const)
  process.stdout.write(
    `${name}: the single-file build loads in ${(median(times[single]) / median(times[esm])).toFixed(2)}× the time of the ES module entry (${Math.round(median(times[esm]) - median(times[single]))} ms less)\n`,
  )
