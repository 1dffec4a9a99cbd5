/**
 * The benchmarks are the README's evidence, so they must keep running: each is run here at a small size and must
 * print every one of its figures with no failed request. Timings are not asserted (machines are noisy; the
 * figures live in the README, from full-size runs).
 */
import { execFileSync } from 'node:child_process'
import { expect, it } from 'vitest'

// --smoke: the fixed measuring windows shortened, the jobs bench's demo smaller and one evaluation round of the scale
// bench's three; every step and phase still runs.
const run = (script: string, n: string) =>
  execFileSync(process.execPath, ['--import', 'tsx', `src/bench/${script}`, n, '--smoke'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // Far above a quiet machine's minute or so: a loaded CI machine must not fail it on time alone.
    timeout: 300_000,
  })

it('bench:scale runs every step end to end (import, evaluation as the economy office, storage, billing, export)', () => {
  const out = run('scale-bench.ts', '2000')
  for (const step of ['import ', 'evaluation ', 'storage ', 'billing ', 'export '])
    expect(out, step).toMatch(new RegExp(`^${step}`, 'm'))
  expect(out).toMatch(
    /2,000 bills of 2025-10 through POST \/v1\/bills .*\(\d[\d,]*\/s, [1-9][\d,]* with a surcharge line, 0 answered with an error\)/,
  )
  // An evaluation round gives its CPU-time ratio beside the wall-time one (the smoke run makes one round of three).
  expect(
    out.match(/^evaluation {3}run \d: .*: \d+\.\d\d× \(CPU time .*: \d+\.\d\d×\)/gm),
  ).toHaveLength(1)
  expect(out).toMatch(/^evaluation {3}runs 2 and 3: not run \(--smoke\)$/m)
}, 330_000)

it('bench:jobs runs every phase, the programme’s progress included, with no failed lookup', () => {
  const out = run('jobs-bench.ts', '2000')
  const rows = out.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| while'))
  expect(rows).toHaveLength(5)
  const phases = [
    /^\| nothing runs \(baseline\) \|/,
    /^\| a 1,000-row CSV import job \(/,
    /^\| a 2,000-row CSV import job \(/,
    /^\| the evaluation of those 2,000 firms as a job \(/,
    /^\| the programme's progress opened 8 times/,
  ]
  for (const [i, phase] of phases.entries()) expect(rows[i]).toMatch(phase)
  // The last column of each phase: failed lookups.
  for (const row of rows) expect(row.trim().split('|').at(-2)!.trim(), row).toBe('0')
}, 330_000)

it('bench:startup times every start-up scenario and both loads of each library', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/bench/startup.ts', '1'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  })
  const rows = out
    .split('\n')
    .filter((l) => /^\| .* \| [\d,]+ ms \| \d+–\d+ ms \| \d+\.\d\d× \|$/.test(l))
  expect(rows).toHaveLength(8) // the loader, three of the tree, two loads of each library
  expect(out).toMatch(/^mathjs: the single-file build loads in \d+\.\d\d× /m)
  expect(out).toMatch(/^echarts: the single-file build loads in \d+\.\d\d× /m)
  // The module count names mujun's own files, and neither library's module entry is among them.
  const graph = /^the server's module graph: (\d+) files \((.*)\)$/m.exec(out)
  expect(graph?.[2]).toMatch(/\bsrc \d+/)
  expect(graph?.[2]).not.toMatch(/\b(echarts|zrender|mathjs) /)
}, 330_000)
