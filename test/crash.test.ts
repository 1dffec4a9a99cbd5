import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { cliPrincipal } from '../src/app/authorize.ts'
import { publishRun } from '../src/app/evaluation-rules.ts'
import { createServices } from '../src/app/services.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { syntheticPopulation } from '../src/demo/population.ts'
import { createTestApp } from './support/app.ts'
import { tempDir } from './support/tmp.ts'

const CHILD = new URL('./support/crash-child.ts', import.meta.url).pathname

/** Starts the child and SIGKILLs it once it has printed `when` (or when it ends on its own). */
function killWhen(
  args: string[],
  when: (line: string) => boolean,
): Promise<{ killed: boolean; lines: string[] }> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const lines: string[] = []
    let killed = false
    child.stdout!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        lines.push(line)
        if (!killed && when(line)) {
          killed = true
          child.kill('SIGKILL')
        }
      }
    })
    child.on('exit', () => resolve({ killed, lines }))
  })
}

function snapshot(path: string) {
  const db = new Database(path, { readonly: true })
  const one = <T>(sql: string) => db.prepare(sql).get() as T
  const out = {
    integrity: one<{ integrity_check: string }>('pragma integrity_check').integrity_check,
    enterprises: one<{ n: number }>('select count(*) n from enterprises').n,
    figures2025: one<{ n: number }>('select count(*) n from figures where year = 2025').n,
    published: db
      .prepare("select id, year from evaluation_runs where status = 'published' order by year")
      .all() as { id: number; year: number }[],
    resultsPerRun: db
      .prepare('select run_id, count(*) n from evaluation_results group by run_id order by run_id')
      .all() as { run_id: number; n: number }[],
    runs: db.prepare('select id, status from evaluation_runs order by id').all() as {
      id: number
      status: string
    }[],
  }
  db.close()
  return out
}

describe('crash safety (SIGKILL mid-write)', () => {
  it('a bulk import killed part-way leaves nothing of itself and everything committed intact; re-running it works', async () => {
    const path = join(tempDir('crash'), 'm.db')
    createTestApp({ size: 200, path }).store.db.$client.close()
    const before = snapshot(path)
    const { killed, lines } = await killWhen(
      ['import', path, '40000'],
      (l) => l === 'progress 10000',
    )
    expect(killed).toBe(true)
    expect(lines).not.toContain('done')
    const after = snapshot(path)
    expect(after.integrity).toBe('ok')
    expect(after).toEqual(before)
    // Resumable: the same import simply runs again.
    const store = new Store(createDb(path))
    store.importEnterprises(syntheticPopulation(2000, 77), 2025, 'retry')
    expect(snapshot(path).figures2025).toBe(2000)
    store.db.$client.close()
  }, 120_000)

  it('an evaluation killed part-way never leaves a half-stored or half-published run', async () => {
    const path = join(tempDir('crash'), 'm.db')
    const t = createTestApp({ size: 200, path })
    // A bigger 2024 population so storing the results takes a while.
    t.store.importEnterprises(syntheticPopulation(30000, 5), 2024, 'setup')
    t.store.db.$client.close()
    const before = snapshot(path)
    // Killed inside the transaction that stores the results.
    const { killed, lines } = await killWhen(['evaluate', path], (l) => l === 'stored 10000')
    expect(lines).toContain('stored 10000')
    expect(killed).toBe(true)
    const after = snapshot(path)
    expect(after.integrity).toBe('ok')
    expect(after.runs).toEqual(before.runs)
    // The 2024 publication is the old one, or (if the kill came late) the new one, complete.
    const pub2024 = after.published.find((p) => p.year === 2024)!
    const rows = after.resultsPerRun.find((r) => r.run_id === pub2024.id)!.n
    if (pub2024.id === before.published.find((p) => p.year === 2024)!.id)
      expect(rows).toBe(before.resultsPerRun.find((r) => r.run_id === pub2024.id)!.n)
    else expect(rows).toBe(30200)
    // Every stored run has all its results or none at all.
    for (const r of after.runs) {
      const n = after.resultsPerRun.find((x) => x.run_id === r.id)?.n ?? 0
      expect([0, 200, 30200, ...before.resultsPerRun.map((x) => x.n)]).toContain(n)
      expect(n).toBeGreaterThan(0)
    }
    // Resumable: evaluate again and publish.
    const store = new Store(createDb(path))
    const run = createServices(store).evaluations.run(cliPrincipal('retry', 'economy'), 2024)
    publishRun(store, run.id, store.today(), 'retry', {
      publishedOn: '2025-01-01',
      correction: { reason: 'test', document: 'test' },
    })
    expect(snapshot(path).published.find((p) => p.year === 2024)!.id).toBe(run.id)
    store.db.$client.close()
  }, 120_000)
})
