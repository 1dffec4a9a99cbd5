/**
 * Backups of the system of record: a consistent copy of the whole database, and a check of any database file.
 * @module db/backup
 */
import { createHash } from 'node:crypto'
import {
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  fchmodSync,
  linkSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readlinkSync,
  readSync,
  rmSync,
  statSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { MujunError } from '../errors.ts'
import { type AuditRow, type ChainCheck, checkChain } from './audit-chain.ts'
import type { Store } from './store.ts'

/** The tables a backup is described by: the records a price rests on. */
const RECORDS = [
  'rulebook_versions',
  'rulebook_activations',
  'overrides',
  'override_revisions',
  'enterprises',
  'figures',
  'figure_versions',
  'evaluation_runs',
  'evaluation_results',
  'objections',
  'projects',
  'dispositions',
  'api_tokens',
  'audit_log',
] as const

export interface DatabaseCheck {
  path: string
  bytes: number
  sha256: string
  /** `ok`, or what SQLite's integrity check found. */
  integrity: string
  /** Rows per table of the records (none when the check fails). */
  rows: Partial<Record<(typeof RECORDS)[number], number>>
  /** The newest audit entry: what the copy knows up to. */
  lastAudit: { at: string; action: string; subject: string } | null
  /** The audit log's hash chain, recomputed (null when the integrity check fails). */
  auditChain: ChainCheck | null
}

/**
 * Copies the whole database to `path` with VACUUM INTO: one read transaction, so the copy holds exactly the commits
 * made before it began, and writers (the server, other processes) go on meanwhile. The copy is checked, readable by
 * its owner only from its first byte, and recorded in the audit log (who, when, where, its sha256). `path` must not
 * exist, not even as a symbolic link: a backup is never overwritten and never written through a link.
 */
export function backupDatabase(store: Store, path: string, actor: string): DatabaseCheck {
  const there = lstatSync(path, { throwIfNoEntry: false })
  if (there?.isSymbolicLink())
    throw new MujunError(
      'BACKUP_SYMLINK',
      `${path} is a symbolic link (to ${readlinkSync(path)}): a backup is never written through one; name a new file`,
      { status: 409 },
    )
  if (there)
    throw new MujunError('BACKUP_EXISTS', `${path} exists: a backup is never overwritten`, {
      status: 409,
    })
  if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory())
    throw new MujunError('BACKUP_FOLDER_MISSING', `the folder ${dirname(path)} does not exist`, {
      status: 422,
    })
  // Written in a folder of its own beside `path` (mkdtemp: 0700, so no other user reaches what is inside) into a
  // file created empty with mode 0600 before SQLite writes a byte (VACUUM INTO accepts an empty file and keeps its
  // mode); then hard-linked to `path`, which fails if anything (a file, a link) appeared there meanwhile.
  const folder = mkdtempSync(join(dirname(path), '.mujun-backup-'))
  try {
    const part = join(folder, 'copy.db')
    const { O_CREAT, O_EXCL, O_WRONLY, O_NOFOLLOW } = constants
    const fd = openSync(part, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
    // The umask can only take bits away; 0600 whatever it is.
    fchmodSync(fd, 0o600)
    closeSync(fd)
    store.db.$client.prepare('VACUUM INTO ?').run(part)
    const check = { ...checkDatabase(part), path }
    if (check.integrity !== 'ok')
      throw new MujunError(
        'BACKUP_INVALID',
        `the copy at ${path} fails its check: ${check.integrity}`,
        { status: 500 },
      )
    place(part, path)
    store.write((tx) =>
      store.audit(tx, actor, 'database.backup', `backup/${path}`, {
        sha256: check.sha256,
        bytes: check.bytes,
        rows: check.rows,
        upTo: check.lastAudit?.at ?? null,
        auditHead: check.auditChain?.head ?? null,
      }),
    )
    return check
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

/**
 * Gives the finished copy its name without replacing anything: link() fails on an existing name, a dangling
 * symbolic link included. Where hard links are not supported, a copy whose open is O_EXCL (same guarantee, with
 * the source's 0600 mode).
 */
function place(part: string, path: string): void {
  try {
    linkSync(part, path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST')
      throw new MujunError('BACKUP_EXISTS', `${path} appeared while the copy was made`, {
        status: 409,
      })
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e
    copyFileSync(part, path, constants.COPYFILE_EXCL)
  }
}

/** Opens a database file read-only and describes it: SQLite's integrity check, its records, its sha256. */
export function checkDatabase(path: string): DatabaseCheck {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new MujunError('NOT_FOUND', `${path} is not a file`, { status: 404 })
  const db = new Database(path, { readonly: true, fileMustExist: true })
  try {
    let integrity: string
    try {
      const found = db.pragma('integrity_check') as { integrity_check: string }[]
      integrity = found.map((r) => r.integrity_check).join('; ')
    } catch (e) {
      // A file too damaged to check ("database disk image is malformed", "file is not a database").
      integrity = `unreadable: ${(e as Error).message}`
    }
    const bytes = statSync(path).size
    const sha256 = sha256OfFile(path)
    if (integrity !== 'ok')
      return { path, bytes, sha256, integrity, rows: {}, lastAudit: null, auditChain: null }
    const rows = Object.fromEntries(
      RECORDS.map((t) => [
        t,
        (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n,
      ]),
    )
    const lastAudit =
      (db
        .prepare('SELECT at, action, subject FROM audit_log ORDER BY id DESC LIMIT 1')
        .get() as DatabaseCheck['lastAudit']) ?? null
    const auditChain = checkChain(
      db
        .prepare('SELECT id, at, actor, action, subject, detail, hash FROM audit_log ORDER BY id')
        .iterate() as Iterable<AuditRow>,
    )
    return { path, bytes, sha256, integrity, rows, lastAudit, auditChain }
  } finally {
    db.close()
  }
}

/** The sha256 of a file read a mebibyte at a time: a city's database is a gigabyte, not a buffer to hold whole. */
function sha256OfFile(path: string): string {
  const hash = createHash('sha256')
  const chunk = Buffer.allocUnsafe(1 << 20)
  const fd = openSync(path, 'r')
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk))
      hash.update(chunk.subarray(0, n))
  } finally {
    closeSync(fd)
  }
  return hash.digest('hex')
}
