/**
 * What every CLI command shares: the usage error (exit code 2) and opening the service's database.
 * @module cli/shared
 */
import { existsSync } from 'node:fs'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'

export interface Io {
  out: (s: string) => void
  err: (s: string) => void
}

export class UsageError extends Error {}

/** The value of `--year`, which must be four digits. */
export function yearOf(v: string | undefined): number {
  if (!v || !/^\d{4}$/.test(v)) throw new UsageError('--year YYYY is required')
  return Number(v)
}

export function openStore(path: string): Store {
  if (path !== ':memory:' && !existsSync(path))
    throw new UsageError(`database '${path}' does not exist (npm start creates it)`)
  return new Store(createDb(path))
}
