/**
 * `node --import tsx src/bench/profile-top.ts DIR [N] [FROM TO]`: the functions with the most self time, and with the
 * most inclusive time, in the .cpuprofile that `node --cpu-prof --cpu-prof-dir=DIR …` wrote (e.g. of a bench:scale
 * step). FROM and TO (seconds from the profile's start) keep only the samples between them: a billing run's window of
 * a server profile, without the snapshot build before it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
const [dir, top = '25', from, to] = process.argv.slice(2)
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
if (!file) throw new Error(`no .cpuprofile in ${dir}`)
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const name = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'}  ${n.callFrame.url.replace(/^.*\/(node_modules|src)\//, '$1/')}`
const self = new Map<string, number>()
const inclusive = new Map<string, number>()
// Each sample's time from the start, in seconds; outside [FROM, TO] it is left out.
const kept: number[] = []
let at = 0
for (let i = 0; i < profile.samples.length; i++) {
  at += profile.timeDeltas[i] / 1e6
  if (from !== undefined && (at < Number(from) || at > Number(to ?? Infinity))) continue
  kept.push(profile.samples[i])
}
for (const id of kept) {
  const k = name(byId.get(id)!)
  self.set(k, (self.get(k) ?? 0) + 1)
  const seen = new Set<string>()
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
    const kk = name(byId.get(x)!)
    if (!seen.has(kk)) inclusive.set(kk, (inclusive.get(kk) ?? 0) + 1)
    seen.add(kk)
  }
}
const total = kept.length
for (const [title, map] of [
  ['self time', self],
  ['inclusive time', inclusive],
] as const) {
  process.stdout.write(`${title} (${total} samples):\n`)
  for (const [k, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
    process.stdout.write(`${((100 * n) / total).toFixed(1).padStart(5)} %  ${k}\n`)
}
