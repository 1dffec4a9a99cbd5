// Issue 23, the rules path: what `mujun rules show|check|import|export` and POST /v1/rulebook/versions read and
// write is what the database holds, under one hash and the same file names, and never outside the rules folder.
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RulebookService } from '../src/app/rulebooks.ts'
import { runCli } from '../src/cli/main.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { call, createTestApp } from './support/app.ts'
import { NINGBO_DIR, ningboTexts, ningboWithFiledCixi } from './support/rulebook.ts'

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

/** A database file whose rules were loaded from `texts`, as the first start loads RULES_DIR. */
function loadedDb(texts = ningboTexts()): string {
  const path = emptyDb()
  const store = new Store(createDb(path))
  new RulebookService(store).loadInitial(texts, 'test')
  store.db.$client.close()
  return path
}

/** Every file under `dir` (any kind), by relative path, as bytes. */
function _tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const name of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (name.isFile()) {
      const full = join(name.parentPath, name.name)
      out.set(relative(dir, full), readFileSync(full))
    }
  return out
}

describe('1. `rules show` says what it reads; --db reads the rules in force from the database', () => {
  it('with the Cixi override filed in the database it shows D 0.40, where the files show the draft (0.30)', async () => {
    const db = loadedDb(ningboWithFiledCixi())
    const args = ['rules', 'show', '--county', '330282', '--date', '2025-01-15']
    const fromDb = await cli([...args, '--db', db])
    expect(fromDb.code).toBe(0)
    expect(fromDb.out.split('\n')[0]).toBe(`rules from database ${db}, city version 1`)
    expect(fromDb.out).toContain('county overrides in force: cixi_2024_electricity')
    expect(fromDb.out).toMatch(/ class_electricity +class +C 0\.20, D 0\.40 \/kWh/)

    const fromFiles = await cli([...args, '--rules', NINGBO_DIR])
    expect(fromFiles.code).toBe(0)
    expect(fromFiles.out.split('\n')[0]).toBe(`rules from files ${NINGBO_DIR}`)
    expect(fromFiles.out).toMatch(/ class_electricity +class +C 0\.15, D 0\.30 \/kWh/)
  })

  it('says the same as JSON, and refuses --db together with --rules', async () => {
    const db = loadedDb(ningboWithFiledCixi())
    const json = await cli([
      'rules',
      'show',
      '--db',
      db,
      '--county',
      '330282',
      '--date',
      '2025-01-15',
      '--format',
      'json',
    ])
    expect(json.code).toBe(0)
    const shown = JSON.parse(json.out)
    expect(shown.source).toEqual({ database: db, version: 1 })
    expect(shown.overrides).toEqual([
      { id: 'cixi_2024_electricity', status: 'filed', preview: false },
    ])
    const files = JSON.parse(
      (await cli(['rules', 'show', '--rules', NINGBO_DIR, '--format', 'json'])).out,
    )
    expect(files.source).toEqual({ files: NINGBO_DIR })
    const both = await cli(['rules', 'show', '--db', db, '--rules', NINGBO_DIR])
    expect(both.code).toBe(2)
    expect(both.err).toContain('--db or --rules, not both')
  })
})

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
