/**
 * The body of a job's worker thread: its own SQLite connection and use cases, one job, progress and the outcome
 * posted back (see app/jobs).
 * @module app/job-worker
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createDb } from '../db/client.ts'
import { type Principal, Store } from '../db/store.ts'
import { asJobError, type JobMessage, type JobRequest, runJob } from './jobs.ts'
import { createServices } from './services.ts'

const { dbPath, who, req } = workerData as { dbPath: string; who: Principal; req: JobRequest }
const post = (m: JobMessage) => parentPort!.postMessage(m)
const store = new Store(createDb(dbPath))
try {
  const services = createServices(store)
  const result = runJob(services, who, req, (done, total) =>
    post({ type: 'progress', done, total }),
  )
  post({ type: 'done', result })
} catch (e) {
  post({ type: 'failed', error: asJobError(e) })
} finally {
  store.db.$client.close()
}
