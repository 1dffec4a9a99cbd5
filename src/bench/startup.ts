/**
 * `npm run bench:startup [ROUNDS] [--against REF]` (default 5 rounds): how long a process of mujun takes to start,
 * beside the TypeScript loader starting with nothing to load, in the same run, rounds interleaved. Every process of
 * the service pays it: `npm start` and each of its workers, every `mujun` command, each job and rule-check thread,
 * each step of the benchmarks and each server process of the tests.
 *
 *   loader alone     `node --import tsx -e 0`: the floor
 *   mujun --help     the command line, as a person runs it (src/cli/bin.js)
 *   module graph     importing what the server imports (services and the app), timed inside the process
 *   server           `src/server.ts` on a database already set up (the demo seeded before the rounds), to listening
 *   mathjs, two ways the formula parser's library as an ES module (`mathjs/number`, some 660 files) and as
 *                    the single-file build src/formula/compile.ts loads, each timed inside a process
 *   echarts, two ways the charts' library (with zrender, some six hundred files) the same two ways; src/web/kit/charts.ts
 *                    loads the single-file build when it draws its first chart
 *
 * `--against REF`: the three scenarios of the tree (the command line, the module graph, the server) also for REF, a
 * temporary worktree of that commit sharing node_modules, in the same rounds.
 * @module bench/startup
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { worktreeOf } from './worktree.ts'

const args = parseArgs({ allowPositionals: true, options: { against: { type: 'string' } } })
const rounds = Number(args.positionals.find((a) => /^\d+$/.test(a)) ?? 5)
const root = new URL('../..', import.meta.url).pathname
const node = (argv: string[]) =>
  execFileSync(process.execPath, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
/** Wall time of a whole process, in ms. */
const wall = (argv: string[]) => {
  const t0 = performance.now()
  node(argv)
  return performance.now() - t0
}
/** A time the process measured itself and printed as its last line. */
const inside = (code: string) =>
  Number(node(['--import', 'tsx', '--input-type=module', '-e', code]).trim())
const timeImport = (what: string) =>
  `const t = performance.now(); ${what}; console.log(performance.now() - t)`

const dir = mkdtempSync(join(tmpdir(), 'mujun-startup-'))
/** `src/server.ts` of `tree` from spawn to its "listening" line, in ms; then stopped. */
const server = (tree: string, db: string) =>
  new Promise<number>((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, ['--import', 'tsx', join(tree, 'src/server.ts')], {
      cwd: tree,
      env: {
        ...process.env,
        DB_PATH: db,
        PORT: '0',
        DEMO_SIZE: '60',
        WORKERS: '1',
        LOG_LEVEL: 'info',
      },
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

/** Code importing what the server imports (its services and its app), from the tree at `tree`. */
const importGraph = (tree: string) =>
  `await import(${JSON.stringify(join(tree, 'src/app/services.ts'))}); await import(${JSON.stringify(join(tree, 'src/mount.ts'))})`

type Scenario = [label: string, run: () => number | Promise<number>]
/** The scenarios that depend on the code: those of the tree at `tree`, labelled with `tag`. */
function ofTree(tree: string, tag: string): Scenario[] {
  const db = join(dir, `${tag.replace(/\W/g, '') || 'this'}.db`)
  return [
    [`\`mujun --help\`${tag}`, () => wall([join(tree, 'src/cli/bin.js'), '--help'])],
    [`the server's module graph, imported${tag}`, () => inside(timeImport(importGraph(tree)))],
    [`\`src/server.ts\` to listening (database set up)${tag}`, () => server(tree, db)],
  ]
}
/** A library's two loads: `esModule` imported, `single` required from `file` as it loads it. */
const library = (name: string, esModule: string, file: string, single: string): Scenario[] => [
  [`${name} as an ES module`, () => inside(timeImport(`await import('${esModule}')`))],
  [
    `${name} as the single-file build (as loaded)`,
    () =>
      inside(
        timeImport(
          `const { createRequire } = await import('node:module'); createRequire(${JSON.stringify(join(root, 'src', file))})('${single}')`,
        ),
      ),
  ],
]

const ref = args.values.against
const other = ref ? worktreeOf(ref) : undefined
const scenarios: Scenario[] = [
  ['loader alone (`node --import tsx -e 0`)', () => wall(['--import', 'tsx', '-e', '0'])],
  ...ofTree(root, ''),
  ...(other ? ofTree(other.tree, ` — ${ref}`) : []),
  ...library('mathjs', 'mathjs/number', 'formula/compile.ts', 'mathjs/lib/browser/math.js'),
  ...library('echarts', 'echarts', 'web/kit/charts.ts', 'echarts'),
]

process.stdout.write(
  `bench:startup — ${rounds} rounds, scenarios interleaved, Node ${process.version}${ref ? `; against ${ref}` : ''}\n`,
)
try {
  // The first start of each server seeds its demo: the rounds measure starts on a database already set up.
  for (const [label, run] of scenarios) if (label.includes('to listening')) await run()
  const times = scenarios.map(() => [] as number[])
  for (let r = 0; r < rounds; r++)
    for (const [i, [, run]] of scenarios.entries()) times[i].push(await run())

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const of = (label: string) => median(times[scenarios.findIndex(([l]) => l === label)])
  const floor = median(times[0])
  process.stdout.write('| scenario | median | min–max | ÷ loader alone |\n|---|---|---|---|\n')
  for (const [i, [label]] of scenarios.entries()) {
    const m = median(times[i])
    process.stdout.write(
      `| ${label} | ${Math.round(m).toLocaleString('en')} ms | ${Math.round(Math.min(...times[i]))}–${Math.round(Math.max(...times[i]))} ms | ${(m / floor).toFixed(2)}× |\n`,
    )
  }
  for (const name of ['mathjs', 'echarts']) {
    const esm = of(`${name} as an ES module`)
    const single = of(`${name} as the single-file build (as loaded)`)
    process.stdout.write(
      `${name}: the single-file build loads in ${(single / esm).toFixed(2)}× the time of the ES module entry (${Math.round(esm - single)} ms less)\n`,
    )
  }
  if (other)
    for (const [label] of ofTree(root, ''))
      process.stdout.write(
        `${label}: this tree ${(of(label) / of(`${label} — ${ref}`)).toFixed(2)}× ${ref}'s time\n`,
      )
  process.stdout.write(`${modulesOfTheGraph()}\n`)
} finally {
  other?.remove()
  rmSync(dir, { recursive: true, force: true })
}

/**
 * How many module files the server's graph loads, by package (mujun's own as "src"): a loader hook, registered
 * before tsx, writes the address of each file it is asked to load.
 */
function modulesOfTheGraph(): string {
  const list = join(dir, 'modules.txt')
  const hook = join(dir, 'count-hook.mjs')
  writeFileSync(
    hook,
    `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  appendFileSync(${JSON.stringify(list)}, url + '\\n')
  return next(url, context)
}`,
  )
  const register = join(dir, 'count-register.mjs')
  writeFileSync(
    register,
    `import { register } from 'node:module'\nregister(${JSON.stringify(`file://${hook}`)})\n`,
  )
  node(['--import', register, '--import', 'tsx', '--input-type=module', '-e', importGraph(root)])
  const files = readFileSync(list, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file://'))
  const byPackage = new Map<string, number>()
  for (const url of files) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)
    const name = m ? m[1] : url.startsWith(`file://${root}src/`) ? 'src' : 'other'
    byPackage.set(name, (byPackage.get(name) ?? 0) + 1)
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 6)
  return `the server's module graph: ${files.length} files (${top.map(([k, v]) => `${k} ${v}`).join(', ')})`
}
