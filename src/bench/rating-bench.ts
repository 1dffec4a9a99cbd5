/**
 * `npm run bench`: rates a deterministic 1,000,000-enterprise population and compares compiled formulas with
 * hand-written TypeScript computing the same indicators, in the same run. Prints figures for the README.
 * Targets: the million rated in ≤ 5 s of compute, ≤ 1 GiB peak RSS, formulas within 2× of hand-written code, and a
 * self-check against the stored peer statistics of the million well under a millisecond.
 */
import { syntheticPopulation } from '../demo/population.ts'
import { compileBatch, type FormulaScope } from '../formula/compile.ts'
import { emptyFrame, makeResolver, rate } from '../rating/rate.ts'
import { selfCheck } from '../rating/self-check.ts'
import { loadRulebook } from '../rulebook/load.ts'

const N = Number(process.argv[2] ?? 1_000_000)
const rb = loadRulebook(new URL('../../rules/ningbo', import.meta.url).pathname)
const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024)
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6

let t = process.hrtime.bigint()
const population = syntheticPopulation(N)
const genMs = ms(t)

// Same indicators, three ways, over the same scopes.
const ids = [
  'tax_per_mu',
  'value_added_per_mu',
  'value_added_per_tce',
  'value_added_per_emission',
  'labour_productivity',
  'rd_intensity',
  'tax_per_10mwh',
]
const compiled = ids.map((id) => rb.sections.indicators.find((i) => i.id === id)!.fn)
// Both read the same figure objects; absent figures take the rulebook's default (0) in both.
const scopes: FormulaScope[] = population.map((e) => e.figures)
const resolver = makeResolver({}, rb, rb.sections.indicators)
const hand = (v: any, out: Float64Array) => {
  out[0] = v.tax / v.land_mu
  out[1] = v.value_added / v.land_mu
  out[2] = v.value_added / v.energy_tce
  out[3] = v.value_added / ((v.cod_t ?? 0) + (v.nh3n_t ?? 0) + (v.so2_t ?? 0) + (v.nox_t ?? 0))
  out[4] = v.value_added / v.employees
  out[5] = (100 * (v.rd_spend ?? 0)) / v.revenue
  out[6] = v.tax / (v.electricity_kwh / 10000)
}
const out = new Float64Array(ids.length)
let sink = 0
const runHand = () => {
  const t0 = process.hrtime.bigint()
  for (const s of scopes) {
    hand(s, out)
    sink += out[0]
  }
  return ms(t0)
}
// As rating runs them: the seven formulas compiled into one batch, one call per enterprise.
const batch = compileBatch(compiled)
const runFormula = () => {
  const t0 = process.hrtime.bigint()
  for (const s of scopes) {
    if (batch(s, resolver, out, 0) >= 0) throw new Error('a formula faulted')
    sink += out[0]
  }
  return ms(t0)
}
// For reference: each formula called on its own (what a self-check or a quote does).
const runSingles = () => {
  const t0 = process.hrtime.bigint()
  for (const s of scopes) {
    for (let k = 0; k < compiled.length; k++) out[k] = compiled[k].evaluate(s, resolver) as number
    sink += out[0]
  }
  return ms(t0)
}
// Warm both up, then take the best of five alternating runs (noisy machines).
runHand()
runFormula()
runSingles()
let handMs = Number.POSITIVE_INFINITY
let formulaMs = Number.POSITIVE_INFINITY
let singlesMs = Number.POSITIVE_INFINITY
for (let k = 0; k < 5; k++) {
  handMs = Math.min(handMs, runHand())
  formulaMs = Math.min(formulaMs, runFormula())
  singlesMs = Math.min(singlesMs, runSingles())
}

globalThis.gc?.()

const rssBefore = rssMiB()
// Production path: figures stored in the database were validated at import (trusted); then the same with checks.
t = process.hrtime.bigint()
const results = rate(population, rb, 2024, { trusted: true })
const rateMs = ms(t)
const rssAfter = rssMiB()
globalThis.gc?.()
t = process.hrtime.bigint()
// This pass also records the peer statistics a run stores, which self-checks are rated against.
const frame = emptyFrame()
const checked = rate(population, rb, 2024, { record: frame })
const checkedMs = ms(t)
if (
  JSON.stringify(checked.slice(0, 1000).map((r) => [r.score, r.class])) !==
  JSON.stringify(results.slice(0, 1000).map((r) => [r.score, r.class]))
)
  throw new Error('trusted and checked ratings differ')
// mathjs's own evaluator on a sample, for reference: why formulas are compiled to plain functions.
// Loaded only now: the full library is not part of the rating process whose RSS is measured above.
const { all, create } = await import('mathjs')
const math = create(all)
const mj = ids.map((id) => math.compile(rb.sections.indicators.find((i) => i.id === id)!.formula))
const SAMPLE = Math.min(50_000, N)
let t0 = process.hrtime.bigint()
for (let i = 0; i < SAMPLE; i++)
  for (const c of mj)
    sink += c.evaluate({
      cod_t: 0,
      nh3n_t: 0,
      so2_t: 0,
      nox_t: 0,
      rd_spend: 0,
      ...scopes[i],
    }) as number
const mathjsPerEnterprise = ms(t0) / SAMPLE
t0 = process.hrtime.bigint()
for (let i = 0; i < SAMPLE; i++) {
  hand(scopes[i], out)
  sink += out[0]
}
const handSamplePerEnterprise = ms(t0) / SAMPLE
// Self-check: one firm against the stored statistics of the whole population, beside rating that firm alone (the
// floor: one firm's formulas, no peers) and re-rating its county (how a self-check was answered before).
const CHECKS = 2_000
const pick = (i: number) => population[(i * 7919) % N]
for (let i = 0; i < 200; i++) selfCheck(frame, rb, 2024, pick(i))
// Three alternating rounds, medians: whichever loop runs first otherwise pays for the garbage of the ratings above.
const checkRounds: number[] = []
const aloneRounds: number[] = []
for (let round = 0; round < 3; round++) {
  t0 = process.hrtime.bigint()
  for (let i = 0; i < CHECKS; i++) sink += selfCheck(frame, rb, 2024, pick(i)).score ?? 0
  checkRounds.push(ms(t0) / CHECKS)
  t0 = process.hrtime.bigint()
  for (let i = 0; i < CHECKS; i++) sink += rate([pick(i)], rb, 2024)[0].score ?? 0
  aloneRounds.push(ms(t0) / CHECKS)
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const selfCheckMs = median(checkRounds)
const aloneMs = median(aloneRounds)
const county = population.filter((e) => e.county === pick(0).county)
t0 = process.hrtime.bigint()
rate(county, rb, 2024)
const countyMs = ms(t0)
for (let i = 0; i < 200; i++) {
  const published = results[(i * 7919) % N]
  const again = selfCheck(frame, rb, 2024, published.enterprise)
  if (published.status === 'rated' && again.score !== published.score)
    throw new Error(`self-check of ${published.creditCode} differs from its rating`)
}
const counts: Record<string, number> = {}
for (const r of results) counts[r.class ?? r.status] = (counts[r.class ?? r.status] ?? 0) + 1

const lines = [
  `mujun rating benchmark — ${N.toLocaleString('en')} synthetic enterprises, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  `| figure | value | target |`,
  `|---|---|---|`,
  `| rating time, stored (validated) figures | ${(rateMs / 1000).toFixed(2)} s | ≤ 5 s |`,
  `| rating time, re-checking every figure | ${(checkedMs / 1000).toFixed(2)} s | — |`,
  `| rating throughput | ${Math.round(N / (rateMs / 1000)).toLocaleString('en')} enterprises/s | ≥ 200,000/s |`,
  `| peak RSS after the first rating (whole process, incl. the population) | ${rssAfter} MiB (before rating ${rssBefore} MiB) | ≤ 1024 MiB |`,
  `| compiled formulas ÷ hand-written TS (7 indicators × ${N.toLocaleString('en')}, one batch per enterprise as in rating) | ${(formulaMs / handMs).toFixed(2)}× (${formulaMs.toFixed(0)} ms vs ${handMs.toFixed(0)} ms) | ≤ 2× |`,
  `| the same formulas called one by one ÷ hand-written TS | ${(singlesMs / handMs).toFixed(2)}× | reference |`,
  `| mathjs evaluate() ÷ hand-written TS (sample of ${SAMPLE.toLocaleString('en')}) | ${(mathjsPerEnterprise / handSamplePerEnterprise).toFixed(0)}× | reference |`,
  `| self-check of one firm against the stored statistics of all ${N.toLocaleString('en')} | ${(selfCheckMs * 1000).toFixed(0)} µs = ${(selfCheckMs / aloneMs).toFixed(2)}× rating it alone (${(aloneMs * 1000).toFixed(0)} µs) | ≪ 1 ms |`,
  `| re-rating its county instead (${county.length.toLocaleString('en')} firms, the self-check before stored statistics) | ${countyMs.toFixed(0)} ms | reference |`,
  `| population generation | ${(genMs / 1000).toFixed(2)} s | — |`,
  `classes: ${Object.entries(counts)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}   (checksum ${sink.toExponential(3)})`,
]
process.stdout.write(`${lines.join('\n')}\n`)
