// `npm run test:unit`: the in-process tests only, for the edit-test loop. Files and suites that start real server
// processes, child processes or a browser are left to the full `npm test`.
import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  // The project root (this file lives in test/, the top level holds only what the customer fixed).
  root: new URL('..', import.meta.url).pathname,
  test: {
    testTimeout: 60_000,
    // Stops a file's server processes and removes its temporary folders once the file is done.
    setupFiles: ['test/support/cleanup.ts'],
    hookTimeout: 120_000,
    exclude: [
      ...configDefaults.exclude,
      'test/processes.test.ts', // servers and the CLI as processes on one database
      'test/hostile/attacks.test.ts', // against a real server
      'test/hostile/long-work.test.ts', // against a real server
      // The second round of hostile input: each against real server processes.
      'test/hostile/backups.test.ts',
      'test/hostile/bodies.test.ts',
      'test/hostile/demo-size.test.ts',
      'test/hostile/drafts.test.ts',
      'test/hostile/jobs-fair.test.ts',
      'test/hostile/leaks.test.ts',
      'test/hostile/sessions.test.ts',
      'test/hostile/writer.test.ts',
      'test/workbench/cross-site.test.ts', // a real server
      'test/workbench/languages.test.ts', // chromium
      'test/browser.test.ts', // chromium
      'test/backup.test.ts', // a backup while a server process writes
      'test/crash.test.ts', // SIGKILLed child processes
      'test/override-time.test.ts', // real server processes
      'test/workers.test.ts', // a server with two worker processes
      'test/bench-smoke.test.ts', // the benchmarks as processes
      // In-process but long (whole CLI journeys on demo databases): npm test runs them.
      'test/docs-examples.test.ts',
      'test/source-of-truth.test.ts',
      'test/rule-files.test.ts',
    ],
    // Both cores: the default leaves one free, which doubles the loop's time on a two-core machine.
    maxWorkers: 2,
    // One module graph per worker across files: the core keeps no module-level state (test/structure.test.ts).
    isolate: false,
    // bills, programme and programme-time each keep one suite against a real server, and the workbench's journey
    // files one in a browser: their names say so.
    testNamePattern: /^(?!.*(real server|browser))/,
  },
})
