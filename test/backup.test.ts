/**
 * "Can it be lost?": every commit is on disk when it returns (synchronous = FULL), and `mujun backup` copies the
 * whole database while a real server process writes to it. The copy holds exactly the commits before it began,
 * passes SQLite's integrity check, is the owner's only, is never written over, and is recorded in the audit log.
 * A server started on the copy answers with the same records. The records nothing may change are refused an
 * UPDATE or DELETE by the database itself (migration 0015), from any connection.
 */
import { createHash } from 'node:crypto'
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { chainHash, checkChain } from '../src/db/audit-chain.ts'
import { checkDatabase } from '../src/db/backup.ts'
import { createDb } from '../src/db/client.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { draftOverride } from './support/overrides.ts'
import { NINGBO_DIR } from './support/rulebook.ts'
import { api, type Server, startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

afterAll(stopAll)

let dir: string
let db: string
let server: Server
let tokens: DemoTokens
const said: string[] = []
const io = { out: (x: string) => said.push(x), err: (x: string) => said.push(x) }

beforeAll(async () => {
  dir = tempDir('backup')
  db = join(dir, 'm.db')
  server = await startServer({ DB_PATH: db, RULES_DIR: NINGBO_DIR })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 60_000)

it('every commit is on disk when it returns: the database runs with synchronous = FULL', () => {
  const fresh = createDb(join(dir, 'fresh.db'))
  expect(fresh.$client.pragma('synchronous', { simple: true })).toBe(2)
  fresh.$client.close()
})

it('the records nothing may change are refused by the database itself, whatever connection writes', async () => {
  // Made through the API first, so each table has a row to try.
  expect(
    (
      await api(server.base, 'POST', '/v1/overrides', tokens.county, {
        text: draftOverride('cixi_append_only', '330282', '2027-01-01'),
      })
    ).status,
  ).toBe(201)
  // Another connection to the same file, as a script or an sqlite3 session would open.
  const raw = new Database(db)
  try {
    for (const table of [
      'audit_log',
      'rulebook_versions',
      'rulebook_activations',
      'override_revisions',
      'programme_reports',
      'fund_allocations',
      'backdate_requests',
      'backdate_decisions',
      'disposition_verifications',
    ]) {
      const before = raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get()
      expect(() => raw.prepare(`UPDATE ${table} SET rowid = rowid`).run(), table).toThrow(
        `${table} is append-only: a row is never changed`,
      )
      expect(() => raw.prepare(`DELETE FROM ${table}`).run(), table).toThrow(
        `${table} is append-only: a row is never removed`,
      )
      expect(raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(before)
    }
    // Appending is what they are for: the service goes on writing.
    expect(
      (await api(server.base, 'POST', '/v1/overrides/cixi_append_only/submit', tokens.county, {}))
        .status,
    ).toBe(200)
  } finally {
    raw.close()
  }
})

it('a log written before the chain began is chained from its first hashed entry; an unhashed entry after it breaks it', () => {
  const entry = (id: number, previous: string | null, hashed: boolean) => {
    const e = { at: `2026-01-0${id}`, actor: 'a', action: 'x', subject: 's', detail: '{}' }
    return { id, ...e, hash: hashed ? chainHash(previous, e) : null }
  }
  const old1 = entry(1, null, false)
  const old2 = entry(2, null, false)
  const first = entry(3, null, true)
  const second = entry(4, first.hash, true)
  expect(checkChain([old1, old2, first, second])).toEqual({
    chained: 2,
    before: 2,
    brokenAt: null,
    head: second.hash,
  })
  const slipped = entry(5, null, false)
  expect(checkChain([old1, first, slipped, second]).brokenAt).toBe(5)
})

describe('mujun backup against a running server', () => {
  const copy = () => join(dir, 'copy.db')
  const propose = (id: string) =>
    api(server.base, 'POST', '/v1/overrides', tokens.county, {
      text: draftOverride(id, '330282', '2027-01-01'),
    })

  it('copies every commit made before it, while the server goes on writing', async () => {
    expect((await propose('cixi_before_backup')).status).toBe(201)
    said.length = 0
    expect(await runCli(['backup', '--out', copy(), '--db', db], io), said.join('\n')).toBe(0)
    // Written after the copy began: not in it.
    expect((await propose('cixi_after_backup')).status).toBe(201)
    const check = checkDatabase(copy())
    expect(check.integrity).toBe('ok')
    expect(check.sha256).toBe(createHash('sha256').update(readFileSync(copy())).digest('hex'))
    expect(statSync(copy()).mode & 0o777).toBe(0o600)
    const ids = (path: string) => {
      const conn = createDb(path).$client
      const rows = conn.prepare('SELECT id FROM overrides ORDER BY id').pluck().all()
      conn.close()
      return rows
    }
    expect(ids(copy())).toContain('cixi_before_backup')
    expect(ids(copy())).not.toContain('cixi_after_backup')
    expect(said.join('\n')).toContain(`sha256 ${check.sha256}, integrity ok`)
    // The backup itself is on the record: who took it, where, and the copy's sha256.
    const audit = await api(server.base, 'GET', `/v1/audit?subject=backup/${copy()}`, tokens.bureau)
    expect(audit.status).toBe(200)
    expect(audit.body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'database.backup',
          detail: expect.objectContaining({ sha256: check.sha256 }),
        }),
      ]),
    )
  })

  it('never writes over a file, and says so; a folder that does not exist is named', async () => {
    const before = readFileSync(copy())
    said.length = 0
    expect(await runCli(['backup', '--out', copy(), '--db', db], io)).toBe(1)
    expect(said.join('\n')).toContain('BACKUP_EXISTS')
    expect(readFileSync(copy()).equals(before)).toBe(true)
    said.length = 0
    const nowhere = join(dir, 'no-such-folder', 'x.db')
    expect(await runCli(['backup', '--out', nowhere, '--db', db], io)).toBe(1)
    expect(said.join('\n')).toContain(
      `BACKUP_FOLDER_MISSING: the folder ${join(dir, 'no-such-folder')}`,
    )
  })

  it('a server started on the copy answers with the same records', async () => {
    const restored = join(tempDir('restore'), 'm.db')
    copyFileSync(copy(), restored)
    const b = await startServer({ DB_PATH: restored, RULES_DIR: NINGBO_DIR })
    try {
      const path = '/v1/overrides/cixi_before_backup'
      const [original, fromCopy] = await Promise.all([
        api(server.base, 'GET', path, tokens.bureau),
        api(b.base, 'GET', path, tokens.bureau),
      ])
      expect(fromCopy.status).toBe(200)
      expect(fromCopy.body).toEqual(original.body)
      expect(
        (await api(b.base, 'GET', '/v1/overrides/cixi_after_backup', tokens.bureau)).status,
      ).toBe(404)
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('the audit log is a hash chain: `--check` recomputes it and names the first entry changed or removed', async () => {
    said.length = 0
    expect(await runCli(['backup', '--check', copy()], io)).toBe(0)
    const intact = checkDatabase(copy()).auditChain!
    expect(intact.brokenAt).toBeNull()
    expect(intact.chained).toBeGreaterThan(10)
    expect(said.join('\n')).toContain(`audit chain intact: ${intact.chained} entries chained`)
    // Someone with the file goes around the triggers and edits one entry in the middle, or removes one.
    const tamper = (name: string, edit: (raw: Database.Database, id: number) => void) => {
      const path = join(dir, name)
      copyFileSync(copy(), path)
      const raw = new Database(path)
      const ids = raw.prepare('SELECT id FROM audit_log ORDER BY id').pluck().all() as number[]
      const id = ids[Math.floor(ids.length / 2)]
      raw.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete')
      edit(raw, id)
      raw.close()
      return { path, id, next: ids[ids.indexOf(id) + 1] }
    }
    const edited = tamper('edited.db', (raw, id) =>
      raw.prepare(`UPDATE audit_log SET actor = 'someone else' WHERE id = ?`).run(id),
    )
    expect(checkDatabase(edited.path).auditChain!.brokenAt).toBe(edited.id)
    said.length = 0
    expect(await runCli(['backup', '--check', edited.path], io)).toBe(1)
    expect(said.join('\n')).toContain(`audit chain BROKEN at entry ${edited.id}`)
    const removed = tamper('removed.db', (raw, id) =>
      raw.prepare('DELETE FROM audit_log WHERE id = ?').run(id),
    )
    expect(checkDatabase(removed.path).auditChain!.brokenAt).toBe(removed.next)
  })

  it('`--check` finds a damaged copy and exits 1', async () => {
    const bytes = readFileSync(copy())
    bytes.fill(0x5a, 4096, 8192)
    const broken = join(dir, 'broken.db')
    writeFileSync(broken, bytes)
    said.length = 0
    expect(await runCli(['backup', '--check', broken], io)).toBe(1)
    expect(said.join('\n')).not.toMatch(/integrity ok/)
    said.length = 0
    expect(await runCli(['backup', '--check', copy()], io)).toBe(0)
    expect(said.join('\n')).toMatch(/integrity ok/)
  })
})
