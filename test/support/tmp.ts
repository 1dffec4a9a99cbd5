/**
 * Temporary folders for tests: `mujun-NAME-XXXXXX` in the system's temporary folder, each removed after its test
 * file (test/support/cleanup.ts, a setup file of both configs: the file's server processes are stopped first, then
 * every folder made here is removed, whatever the tests left in it).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/** A new empty folder, removed with everything in it once the test file is done. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mujun-${name}-`))
  made.push(dir)
  return dir
}

/** Removes every folder made by tempDir so far. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}
