/**
 * Opens the SQLite database (WAL, foreign keys) and applies the drizzle-kit migrations.
 * @module db/client
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.ts'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export const MIGRATIONS_DIR = new URL('../../migrations', import.meta.url).pathname

/**
 * Opens (creating if needed) the database at `path` (`:memory:` for tests) and migrates it. `busyTimeoutMs`: how
 * long a write waits for another connection's write lock; the wait blocks the thread (the server's request thread
 * takes a short one, see db/base-store WRITER_BUSY).
 */
export function createDb(path: string, options: { busyTimeoutMs?: number } = {}): Db {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true })
    // Tokens' hashes and every enterprise's figures: readable by the service's own user only. SQLite gives the
    // -wal and -shm files the database file's permissions.
    closeSync(openSync(path, 'a', 0o600))
    chmodSync(path, 0o600)
  }
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  // A commit is on disk when it returns, power failure included (NORMAL may lose the WAL's last commits then). It
  // costs an fsync per commit: writes here are single decisions or one transaction per import or run.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`)
  // 64 MiB of page cache (the default is 2 MiB): a million-row import or evaluation touches indexes larger than that.
  sqlite.pragma('cache_size = -65536')
  const db = drizzle(sqlite, { schema }) as Db
  migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  return db
}
