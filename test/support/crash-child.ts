/**
 * Runs one long write against a database file so a test can SIGKILL it part-way:
 *   import <db> <n>  — imports n synthetic enterprises for 2025 (one transaction), printing progress
 *   evaluate <db>    — rates 2024 and publishes it, printing each phase
 */
import { cliPrincipal } from '../../src/app/authorize.ts'
import { publishRun } from '../../src/app/evaluation-rules.ts'
import { createServices } from '../../src/app/services.ts'
import { createDb } from '../../src/db/client.ts'
import { Store } from '../../src/db/store.ts'
import { syntheticPopulation } from '../../src/demo/population.ts'

const [mode, path, n] = process.argv.slice(2)
const store = new Store(createDb(path))
if (mode === 'import') {
  const pop = syntheticPopulation(Number(n), 77)
  process.stdout.write('start\n')
  store.importEnterprises(pop, 2025, 'crash-test', (done) =>
    process.stdout.write(`progress ${done}\n`),
  )
  process.stdout.write('done\n')
} else {
  process.stdout.write('start\n')
  const run = createServices(store).evaluations.run(
    cliPrincipal('crash-test', 'economy'),
    2024,
    (stored) => process.stdout.write(`stored ${stored}\n`),
  )
  process.stdout.write(`run ${run.id}\n`)
  publishRun(store, run.id, store.today(), 'crash-test', {
    publishedOn: '2025-01-01',
    correction: { reason: 'test', document: 'test' },
  })
  process.stdout.write('done\n')
}
