// Browser sessions in process: what the server-side session remembers of its use (issue "Hostile input, second
// round"). The real-server cases are in test/hostile/sessions.test.ts.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { IDLE_MINUTES } from '../src/app/sessions.ts'
import { createTestApp } from './support/app.ts'
import { tempDir } from './support/tmp.ts'

it('a session in use is not ended as idle while a job holds the write lock (its last use cannot be stored then)', () => {
  const path = join(tempDir('sessions'), 'm.db')
  const t = createTestApp({ size: 30, path })
  const made = t.services.sessions.login(t.tokens.bureau)!
  // Another connection (a job's import) holds the write lock for the next 80 minutes.
  const job = new Database(path)
  job.pragma('busy_timeout = 0')
  job.exec('BEGIN IMMEDIATE')
  try {
    for (let minutes = 20; minutes <= 80; minutes += 20) {
      t.advanceMinutes(20)
      expect(t.services.sessions.resume(made.id), `after ${minutes} minutes`).toBeDefined()
    }
  } finally {
    job.exec('ROLLBACK')
    job.close()
  }
  // Unused past the idle time, it ends.
  t.advanceMinutes(IDLE_MINUTES + 1)
  expect(t.services.sessions.resume(made.id)).toBeUndefined()
})
