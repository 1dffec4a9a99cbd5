/**
 * The job worker thread: its own SQLite connection and use cases; runs one job per message, posting progress and
 * the outcome back (see app/jobs).
 * @module app/job-worker
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { yieldToRequests } from './background-thread.ts'
import { asJobError, JOB_CANCELLED, type JobMessage, type JobRequest, runJob } from './jobs.ts'
import { createServices } from './services.ts'

// An import or an evaluation must not take the core from tier lookups (app/background-thread).
yieldToRequests()

const { dbPath, stop } = workerData as { dbPath: string; stop: SharedArrayBuffer }
const store = new Store(createDb(dbPath))
const services = createServices(store)
const post = (m: JobMessage) => parentPort!.postMessage(m)
/** 1 when the server asks the running job to stop (its token was revoked). */
const stopped = new Int32Array(stop)

parentPort!.on('message', ({ who, req }: { who: Principal; req: JobRequest }) => {
  // What the server or any other process committed since the last job.
  store.sync()
  try {
    const result = runJob(services, who, req, (done, total) => {
      // Progress is reported from inside the job's transaction (the last time just before it commits): thrown
      // here, the transaction rolls back and nothing of the job is kept.
      if (Atomics.load(stopped, 0) !== 0)
        throw new MujunError(JOB_CANCELLED, 'the job was cancelled', { status: 409 })
      post({ type: 'progress', done, total })
    })
    post({ type: 'done', result })
  } catch (e) {
    post({ type: 'failed', error: asJobError(e) })
  }
})
