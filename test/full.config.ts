// `npm test`: every test. Most files run two at a time (one per core); the tests that measure one server against a
// same-run baseline (latency, fairness, memory) run afterwards one at a time, so that no other test shares the
// machine with their measurements.
import { configDefaults, defineConfig } from 'vitest/config'

/** Tests whose assertions compare timings or memory against a baseline taken in the same run. */
const MEASURING = [
  'test/hostile/jobs-fair.test.ts',
  'test/hostile/writer.test.ts',
  'test/hostile/drafts.test.ts',
  'test/hostile/bodies.test.ts',
  'test/hostile/long-work.test.ts',
  'test/hostile/attacks.test.ts',
]

export default defineConfig({
  // The project root (this file lives in test/, the top level holds only what the customer fixed).
  root: new URL('..', import.meta.url).pathname,
  test: {
    testTimeout: 60_000,
    // Stops a file's server processes and removes its temporary folders once the file is done.
    setupFiles: ['test/support/cleanup.ts'],
    hookTimeout: 120_000,
    // One module graph per worker across files (the app's modules load once, not once per file): the core keeps no
    // module-level state (test/structure.test.ts), each file makes its own app and database, and what the measuring
    // files measure is their server process, not the test's.
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          exclude: [...configDefaults.exclude, ...MEASURING],
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'one-at-a-time',
          include: MEASURING,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
})
