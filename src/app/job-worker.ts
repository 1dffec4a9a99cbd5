/**
 * The job worker thread: its own SQLite connection and use cases; runs one job per message, posting progress and
 * the outcome back (see app/jobs).
 * @module app/job-worker
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createDb } from '../db/client.ts'
import { Store } from '../db/store.ts'
import type { Principal } from '../principal.ts'
import { asJobError, type JobMessage, type JobRequest, runJob } from './jobs.ts'
import { createServices } from './services.ts'

const { dbPath } = workerData as { dbPath: string }
const store = new Store(createDb(dbPath))
const services = createServices(store)
const post = (m: JobMessage) => parentPort!.postMessage(m)

parentPort!.on('message', ({ who, req }: { who: Principal; req: JobRequest }) => {
  // What the server or any other process committed since the last job.
  store.sync()
  try {
    const result = runJob(services, who, req, (done, total) =>
      post({ type: 'progress', done, total }),
    )
    post({ type: 'done', result })
  } catch (e) {
    post({ type: 'failed', error: asJobError(e) })
  }
})
