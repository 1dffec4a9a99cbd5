/**
 * `npm run bench:preview [N]` (default 1,000,000): the preview of a city change at city scale beside the evaluation
 * of the same population, measured in the same run, each step in a process of its own (scale-step.ts).
 *
 *   evaluation   read a year's figures from SQLite, rate, store, publish (the baseline: "the order of an evaluation")
 *   change       D electricity from next month: every firm's tariff over the next 12 months, before and after
 *   correction   D electricity from 2025-07-01: the same, plus every month back to July 2025
 *
 * Target (issue "Nothing silently rewrites…"): a preview at a million firms in the order of an evaluation (≤ 2×).
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const args = process.argv.slice(2)
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'mujun-preview-'))
const here = new URL('.', import.meta.url).pathname
const step = (...a: string[]): Record<string, any> => {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', `${here}scale-step.ts`, a[0], dir, ...a.slice(1)],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return JSON.parse(out.trim().split('\n').at(-1)!)
}
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const print = (line: string) => process.stdout.write(`${line}\n`)

print(`bench:preview — ${N.toLocaleString('en')} firms; data in ${dir}`)
step('prepare', String(N))
step('import', '2024')
const ev = step('evaluate', '2024')
print(`evaluation   ${s(ev.ms)} end to end, peak RSS ${ev.rssMiB} MiB (the baseline)`)
for (const kind of ['change', 'correction']) {
  const pv = step('preview', kind)
  const ratio = pv.ms / ev.ms
  print(
    `preview ${kind.padEnd(10)} ${s(pv.ms)} for ${pv.fromMonth}…${pv.toMonth} (from ${pv.from}): ${pv.firmsChanged.toLocaleString('en')} firms change, ${pv.firmMonths.toLocaleString('en')} firm-months priced, revenue change ${pv.change} yuan, peak RSS ${pv.rssMiB} MiB; ${ratio.toFixed(2)}× the evaluation  — target ≤ 2×: ${ratio <= 2 ? 'met' : 'NOT MET'}`,
  )
}
rmSync(dir, { recursive: true, force: true })
