import fc from 'fast-check'
import { expect, it } from 'vitest'
import { ALL } from './fuzz/properties.ts'

// A sample in every test run; `npm run fuzz` runs ≥ 100,000 cases in all with fresh seeds.
// The loader property compiles the whole rulebook per case, so it gets fewer runs here.
const RUNS: Record<string, number> = { loaderNeverCrashes: 100 }
it.each(Object.entries(ALL))(
  'property %s holds on a sample',
  { timeout: 120_000 },
  (name, property) => {
    expect(() =>
      fc.assert(property as fc.IProperty<unknown[]>, {
        numRuns: RUNS[name] ?? 300,
        seed: 20261125,
      }),
    ).not.toThrow()
  },
)
