// Issue 23, the rules path: what `mujun rules show|check|import|export` and POST /v1/rulebook/versions read and
// write is what the database holds, under one hash and the same file names, and never outside the rules folder.
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RulebookService } from '../src/app/rulebooks.ts'
import { runCli } from '../src/cli/main.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { call, createTestApp } from './support/app.ts'
import { draftOverride } from './support/overrides.ts'
import { NINGBO_DIR, ningboTexts, ningboWithFiledCixi } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

const cityFiles = () => ningboTexts().filter((f) => !f.path.startsWith('counties/'))

async function cli(args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => err.push(s) })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** An empty database file (migrated), as `npm start` leaves it before loading rules. */
function emptyDb(): string {
  const path = join(tempDir('rules'), 'm.db')
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
function tree(dir: string): Map<string, Buffer> {
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
    const dir = join(tempDir('hash'), 'ningbo')
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

describe('3. `rules export` keeps the file names the rules were imported from', () => {
  it('`rules import` of the demo folder, then `rules export` into a copy of it, leaves every file as it was', async () => {
    const dir = join(tempDir('trip'), 'ningbo')
    cpSync(NINGBO_DIR, dir, { recursive: true })
    const before = tree(dir)
    const db = emptyDb()
    expect((await cli(['rules', 'import', dir, '--db', db])).code).toBe(0)
    const exported = await cli(['rules', 'export', '--db', db, '--out', dir])
    expect(exported.code).toBe(0)
    expect(exported.out).not.toContain('removed')
    expect(tree(dir)).toEqual(before)
  })

  it('a record whose id is another record’s old file name gets that name; the other falls back to its id', async () => {
    const path = join(tempDir('names'), 'm.db')
    const t = createTestApp({ size: 50, path, rules: ningboWithFiledCixi() })
    const res = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text: draftOverride('cixi-2024-electricity', '330282', '2027-01-01') },
    })
    expect(res.status).toBe(201)
    const files = t.services.rulebooks
      .exportFiles()
      .files.filter((f) => f.path.startsWith('counties/'))
    expect(files.map((f) => f.path).sort()).toEqual([
      'counties/cixi-2024-electricity.yaml',
      'counties/cixi_2024_electricity.yaml',
      'counties/yuyao-2026-gas.yaml',
    ])
    expect(files.find((f) => f.path === 'counties/cixi_2024_electricity.yaml')?.text).toContain(
      'id: cixi_2024_electricity',
    )
    expect(t.services.rulebooks.drift(t.services.rulebooks.exportFiles().files)).toEqual({
      versionId: 1,
      city: [],
      overrides: [],
    })
  })
})

describe('4. a stored rule file path is a plain relative name', () => {
  it.each([
    '../../x.yaml',
    '/etc/x.yaml',
    'a\\b.yaml',
    'a//b.yaml',
    './pricing2.yaml',
    'sub/../x.yaml',
    'x.json',
    'my rules.yaml',
    '宁波.yaml',
  ])('POST /v1/rulebook/versions refuses %j with a 422 naming it', async (bad) => {
    const t = createTestApp({ size: 50 })
    const res = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: t.tokens.bureau,
      body: { note: 'x', files: [...cityFiles(), { path: bad, text: '# nothing\n' }] },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(res.status).toBe(422)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    const p = (await res.json()) as { code: string; detail: string }
    expect(p.code).toBe('RULE_PATH_INVALID')
    expect(p.detail).toContain(`'${bad}'`)
    expect(t.store.listRulebookVersions()).toHaveLength(1)
  })

  it('accepts a plain name in a sub-folder', async () => {
    const t = createTestApp({ size: 50 })
    const res = await call(t.app, 'POST', '/v1/rulebook/versions', {
      token: t.tokens.bureau,
      body: {
        note: 'notes',
        files: [...cityFiles(), { path: 'notes/read-me_1.yml', text: '# nothing\n' }],
      },
      headers: { 'if-match': '"rb1.1"' },
    })
    expect(res.status).toBe(201)
  })

  it('`rules check` and `rules import` name a file whose name cannot be stored', async () => {
    const dir = join(tempDir('badname'), 'ningbo')
    cpSync(NINGBO_DIR, dir, { recursive: true })
    writeFileSync(join(dir, 'my notes.yaml'), '# nothing\n')
    const checked = await cli(['rules', 'check', dir])
    expect(checked.code).toBe(1)
    expect(checked.err).toContain(`${join(dir, 'my notes.yaml')}:1:1: file name 'my notes.yaml'`)
    const db = emptyDb()
    const imported = await cli(['rules', 'import', dir, '--db', db])
    expect(imported.code).toBe(1)
    expect(imported.err).toMatch(/^mujun: RULE_PATH_INVALID: .*'my notes\.yaml'/)
    const store = new Store(createDb(db))
    expect(store.listRulebookVersions()).toHaveLength(0)
    store.db.$client.close()
  })

  it('`rules export` refuses to write outside --out, naming the record, even for a database that holds such a path', async () => {
    const db = loadedDb()
    // A database written before paths were checked: a version holding `../../x.yaml`, put in force.
    const store = new Store(createDb(db))
    store.write((tx) => {
      const files = [...cityFiles(), { path: '../../x.yaml', text: '# outside\n' }]
      const id = store.insertVersion(tx, { hash: 'old', files, by: 'old', note: 'old' })
      store.activate(tx, id, 'old', 'old')
    })
    store.db.$client.close()
    const root = tempDir('out')
    const out = join(root, 'a', 'b')
    const exported = await cli(['rules', 'export', '--db', db, '--out', out])
    expect(exported.code).toBe(1)
    expect(exported.err).toContain('rulebook version 2')
    expect(exported.err).toContain("'../../x.yaml'")
    expect(existsSync(join(root, 'x.yaml'))).toBe(false)
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([])
  })

  it('`rules export` refuses an override whose stored file name is unsafe, naming the override', async () => {
    const db = loadedDb()
    const store = new Store(createDb(db))
    const text = draftOverride('cixi_2031_gas', '330282', '2031-01-01')
    store.write((tx) =>
      store.writeOverride(
        tx,
        {
          id: 'cixi_2031_gas',
          county: '330282',
          status: 'draft',
          text,
          action: 'import',
          fromStatus: null,
          by: 'old',
          reason: 'loaded from ../counties/x.yaml with the first rule files',
        },
        0,
      ),
    )
    store.db.$client.close()
    const root = tempDir('out')
    mkdirSync(join(root, 'a'))
    const exported = await cli(['rules', 'export', '--db', db, '--out', join(root, 'a')])
    expect(exported.code).toBe(1)
    expect(exported.err).toContain('override cixi_2031_gas')
    expect(exported.err).toContain("'../counties/x.yaml'")
    expect(readdirSync(join(root, 'a'))).toEqual([])
  })
})
