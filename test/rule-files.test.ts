// Issue 23, the rules path: what `mujun rules show|check|import|export` and POST /v1/rulebook/versions read and
// write is what the database holds, under one hash and the same file names, and never outside the rules folder.
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { call, createTestApp } from './support/app.ts'
import { NINGBO_DIR, ningboTexts } from './support/rulebook.ts'

const cityFiles = () => ningboTexts().filter((f) => !f.path.startsWith('counties/'))

async function cli(args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => err.push(s) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** An empty database file (migrated), as `npm start` leaves it before loading rules. */
function emptyDb(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'mujun-rules-')), 'm.db')
  createDb(path).$client.close()
  return path
}

describe('2. the same files have one hash: the city files hash', () => {
  it('`rules check`, `rules import`, the database and the API agree', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mujun-hash-')), 'ningbo')
    cpSync(NINGBO_DIR, dir, { recursive: true })
    const checked = await cli(['rules', 'check', dir])
    expect(checked.code).toBe(0)
    const short = /city files sha256 ([0-9a-f]{12})/.exec(checked.out)?.[1]
    expect(short).toBeDefined()

    const db = emptyDb()
    const imported = await cli(['rules', 'import', dir, '--db', db])
    expect(imported.code).toBe(0)
    expect(imported.out).toContain(`city files sha256 ${short}`)
    const store = new Store(createDb(db))
    const stored = store.listRulebookVersions()[0].hash
    expect(stored.slice(0, 12)).toBe(short)
    store.db.$client.close()

    const t = createTestApp({ size: 50 })
    const versions = (await (
      await call(t.app, 'GET', '/v1/rulebook/versions', { token: t.tokens.utility })
    ).json()) as { versions: { hash: string }[] }
    const rulebook = (await (
      await call(t.app, 'GET', '/v1/rulebook', { token: t.tokens.utility })
    ).json()) as { hash: string }
    const health = (await (await call(t.app, 'GET', '/healthz')).json()) as {
      rulebookHash: string
    }
    expect([versions.versions[0].hash, rulebook.hash, health.rulebookHash]).toEqual([
      stored,
      stored,
      stored,
    ])
    // The same city files posted again are the version in force (found by that hash), not a new one.
    const again = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: t.tokens.bureau,
      body: { note: 'same files', files: cityFiles() },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(((await again.json()) as { hash: string }).hash).toBe(stored)
  })

  it('covers the city files only (county overrides are records of their own), whatever the locale orders first', () => {
    expect(compileRulebook(ningboTexts()).hash).toBe(compileRulebook(cityFiles()).hash)
    // Upper case, `_` and `-` order differently under a locale's collation than by code unit.
    const renamed = cityFiles().map((f) =>
      f.path === 'pricing.yaml'
        ? { ...f, path: 'Pricing.yaml' }
        : f.path === 'targets.yaml'
          ? { ...f, path: 'a_targets.yaml' }
          : f.path === 'high-energy.yaml'
            ? { ...f, path: 'a-high-energy.yaml' }
            : f,
    )
    const expected = createHash('sha256')
    for (const f of [...renamed].sort((a, b) => (a.path < b.path ? -1 : 1)))
      expected.update(`${f.path}\0${f.text}\0`)
    expect(compileRulebook(renamed).hash).toBe(expected.digest('hex'))
  })
})
