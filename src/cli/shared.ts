/**
 * What every CLI command shares: the usage error (exit code 2), opening the service's database, finding a city's
 * rule folder and reading an enterprises file.
 * @module cli/shared
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'
import { decodeCsvBytes, parseEnterprisesCsv } from '../enterprise/csv.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { loadRulebook } from '../rulebook/load.ts'

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

/** The city rulebook folders under `dir`: `dir` itself if it holds rule files, else its sub-folders that do. */
export function cityDirs(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`rules folder '${dir}' does not exist`)
  const hasYaml = (d: string) => readdirSync(d).some((f) => /\.ya?ml$/.test(f))
  if (hasYaml(dir)) return [dir]
  const subs = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f))
    .filter((d) => statSync(d).isDirectory() && hasYaml(d))
  if (subs.length === 0) throw new UsageError(`no rule files under '${dir}'`)
  return subs
}

/** The one city rulebook folder `dir` names (itself, or its only sub-folder with rule files). */
export function cityDir(dir: string): string {
  const dirs = cityDirs(dir)
  if (dirs.length > 1)
    throw new UsageError(`'${dir}' holds several rulebooks (${dirs.join(', ')}); name one`)
  return dirs[0]
}

export function loadCity(dir: string): Rulebook {
  return loadRulebook(cityDir(dir))
}

/** An enterprises CSV read against `rb`, each problem written to stderr. */
export function readEnterprises(file: string, rb: Rulebook, io: Io) {
  if (!existsSync(file)) throw new UsageError(`enterprises file '${file}' does not exist`)
  const parsed = parseEnterprisesCsv(decodeCsvBytes(readFileSync(file)).text, rb)
  for (const p of parsed.problems)
    io.err(`${file}: row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`)
  return parsed
}
