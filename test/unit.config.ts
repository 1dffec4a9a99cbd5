// `npm run test:unit`: the in-process tests only, for the edit-test loop. Files and suites that start real server
// processes, child processes or a browser are left to the full `npm test`.
import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  // The project root (this file lives in test/, the top level holds only what the customer fixed).
  root: new URL('..', import.meta.url).pathname,
  test: {
    testTimeout: 60_000,
    exclude: [
      ...configDefaults.exclude,
      'test/processes.test.ts', // servers and the CLI as processes on one database
      'test/hostile/attacks.test.ts', // against a real server
      'test/hostile/long-work.test.ts', // against a real server
      'test/browser.test.ts', // chromium
      'test/backup.test.ts', // a backup while a server process writes
      'test/crash.test.ts', // SIGKILLed child processes
      'test/override-time.test.ts', // real server processes
      'test/bench-smoke.test.ts', // the benchmarks as processes
    ],
    // bills, programme and programme-time each keep one suite against a real server: its name says so.
    testNamePattern: /^(?!.*real server)/,
  },
})
