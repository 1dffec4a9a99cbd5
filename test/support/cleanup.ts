/**
 * A setup file of both test configs: after each test file (its own afterAll hooks ran first), the server processes
 * it started are stopped and waited for, then the temporary folders it made are removed (test/support/tmp.ts).
 */
import { afterAll } from 'vitest'
import { stopAll } from './server.ts'
import { removeTempDirs } from './tmp.ts'

afterAll(async () => {
  await stopAll()
  removeTempDirs()
})
