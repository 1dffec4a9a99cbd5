/**
 * A database file for a storage measurement, opened as the service opens its own (WAL, synchronous FULL, a 64 MiB
 * page cache: src/db/client.ts), and its removal with its WAL files.
 * @module bench/scratch-db
 */
import { rmSync } from 'node:fs'
import Database from 'better-sqlite3'

export function scratchDb(path: string): { db: Database.Database; remove: () => void } {
  const remove = () => {
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true })
  }
  remove()
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('cache_size = -65536')
  return { db, remove }
}
