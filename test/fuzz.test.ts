import fc from 'fast-check'
import { expect, it } from 'vitest'
import { ALL } from './fuzz/properties.ts'

// A sample in every test run; `npm run fuzz` runs ≥ 100,000 cases in all with fresh seeds.
it.each(Object.entries(ALL))('property %s holds on a sample', (_name, property) => {
  expect(() => fc.assert(property, { numRuns: 300, seed: 20261125 })).not.toThrow()
})
