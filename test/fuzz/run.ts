/** `npm run fuzz`: the properties of test/fuzz with many more cases and a fresh seed each run. */
import fc from 'fast-check'
import { ALL } from './properties.ts'

const RUNS: Record<string, number> = {
  formulaNeverEscapes: 60_000,
  loaderNeverCrashes: 10_000,
  scoresAlwaysFinite: 10_000,
  splitsConserveTotal: 30_000,
}
let total = 0
for (const [name, property] of Object.entries(ALL)) {
  const t = Date.now()
  const seed = Date.now() % 2 ** 31
  fc.assert(property as fc.IProperty<unknown[]>, { numRuns: RUNS[name], seed })
  total += RUNS[name]
  process.stdout.write(
    `${name}: ${RUNS[name].toLocaleString('en')} cases ok (seed ${seed}, ${((Date.now() - t) / 1000).toFixed(1)} s)\n`,
  )
}
process.stdout.write(`fuzz: ${total.toLocaleString('en')} generated cases, all properties hold\n`)
