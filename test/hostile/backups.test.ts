// Issue "Hostile input, second round", row backups: the copy is the owner's only from its first byte, and
// `backup --out` never writes through a symbolic link. Run against the database of a real server process.
import { spawn } from 'node:child_process'
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main.ts'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { tempDir } from '../support/tmp.ts'

const BIN = new URL('../../src/cli/bin.js', import.meta.url).pathname

let dir: string
let db: string
let s: Server
let tokens: DemoTokens
beforeAll(async () => {
  dir = tempDir('backups')
  db = join(dir, 'm.db')
  // A few thousand firms: a copy large enough to be watched while SQLite writes it.
  s = await startServer({ DB_PATH: db, DEMO_SIZE: '5000' })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 120_000)
afterAll(stopAll)

/** Everything under `folder` (one level of sub-folders): each entry's path, type, mode and size, as seen now. */
function look(folder: string, seen: Map<string, Set<string>>) {
  const note = (path: string) => {
    const st = lstatSync(path, { throwIfNoEntry: false })
    if (!st) return
    const key = `${st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'link' : 'file'} ${(st.mode & 0o777).toString(8)}`
    if (!seen.has(path)) seen.set(path, new Set())
    seen.get(path)!.add(st.isFile() && st.size > 0 ? `${key} with data` : key)
    if (st.isDirectory())
      for (const name of (() => {
        try {
          return readdirSync(path)
        } catch {
          return []
        }
      })())
        note(join(path, name))
  }
  for (const name of readdirSync(folder)) note(join(folder, name))
}

describe('backups', () => {
  it('under umask 000, every file of a backup is 0600 whenever it is seen, and its folder 0700', async () => {
    const out = join(mkdtempSync(join(dir, 'out-')), 'copy.db')
    const folder = join(out, '..')
    // The backup runs as its own process (the `mujun` executable) with the loosest umask, watched meanwhile.
    const child = spawn(
      'sh',
      [
        '-c',
        'umask 000 && exec "$0" "$@"',
        process.execPath,
        BIN,
        'backup',
        '--out',
        out,
        '--db',
        db,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let said = ''
    child.stdout.on('data', (d) => (said += d))
    child.stderr.on('data', (d) => (said += d))
    const exited = new Promise<number>((done) => child.once('exit', (code) => done(code ?? -1)))
    let finished = false
    void exited.then(() => (finished = true))
    const seen = new Map<string, Set<string>>()
    let looks = 0
    while (!finished) {
      for (let i = 0; i < 50; i++, looks++) look(folder, seen)
      await new Promise((r) => setImmediate(r))
    }
    expect(await exited, said).toBe(0)
    const states = new Set([...seen.values()].flatMap((x) => [...x]))
    // Watched while it was written: the copy was seen holding data before it was done.
    expect([...states].some((x) => x.endsWith('with data'))).toBe(true)
    expect([...states].filter((x) => !/^(file 600( with data)?|dir 700)$/.test(x))).toEqual([])
    expect((lstatSync(out).mode & 0o777).toString(8)).toBe('600')
    // Nothing is left beside the copy.
    expect(readdirSync(folder)).toEqual(['copy.db'])
    expect(looks).toBeGreaterThan(0)
  }, 120_000)

  it('a dangling symbolic link at --out is refused with a clear error, and its target is not created', async () => {
    const target = join(dir, 'elsewhere.db')
    const link = join(dir, 'link.db')
    symlinkSync(target, link)
    const said: string[] = []
    const io = { out: (x: string) => said.push(x), err: (x: string) => said.push(x) }
    expect(await runCli(['backup', '--out', link, '--db', db], io)).toBe(1)
    expect(said.join('\n')).toContain(
      `BACKUP_SYMLINK: ${link} is a symbolic link (to ${target}): a backup is never written through one`,
    )
    expect(existsSync(target)).toBe(false)
    expect(readlinkSync(link)).toBe(target)
    expect(readdirSync(dir).filter((n) => n.startsWith('.mujun-backup-'))).toEqual([])
    // Only the refused attempt: no backup was recorded.
    const audit = await api(s.base, 'GET', '/v1/audit?subject=backup/', tokens.bureau)
    expect(audit.body.entries.map((e: { subject: string }) => e.subject)).not.toContain(
      `backup/${link}`,
    )
  })
})
