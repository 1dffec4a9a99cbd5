/**
 * Long work (a year's evaluation, a bulk import) as jobs with progress. On a database file each job runs in a
 * worker thread with its own SQLite connection, so requests keep being answered while it runs; the commit reaches
 * every process through the database revision (Store.sync). On an in-memory database (tests) it runs in place.
 * @module app/jobs
 */
import { randomUUID } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { MujunError, NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { type Action, actorOf, authorize } from './authorize.ts'
import type { ChangeService } from './changes.ts'
import type { EnterpriseService } from './enterprises.ts'
import type { EvaluationService } from './evaluations.ts'
import type { OverrideService } from './overrides.ts'

export type JobRequest =
  | { kind: 'evaluate'; year: number }
  | { kind: 'import'; year: number; skipBad: boolean; csv: Uint8Array }
  | { kind: 'preview'; overrideId: string; year: number }
  | {
      kind: 'city-preview'
      files: { path: string; text: string }[]
      effectiveOn?: string
      months?: number
    }
  | { kind: 'publication-preview'; runId: number; publishedOn?: string; months?: number }

export interface Job {
  id: string
  kind: JobRequest['kind']
  status: 'running' | 'done' | 'failed'
  /** Rows stored so far and in all, once known. */
  progress: { done: number; total: number | null }
  createdAt: string
  createdBy: string
  finishedAt: string | null
  result: unknown
  error: { code: string; message: string; status: number; details?: unknown } | null
}

/** What a worker reports. */
export type JobMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: NonNullable<Job['error']> }

/** What starting each kind of job requires: the action of the use case it runs. */
const JOB_ACTIONS: Record<JobRequest['kind'], Action> = {
  evaluate: 'evaluation.run',
  import: 'enterprise.write',
  preview: 'override.read',
  'city-preview': 'rulebook.preview',
  'publication-preview': 'evaluation.preview',
}

/** Finished jobs kept for GET /v1/jobs/{id}, oldest dropped first. */
const KEEP = 200
/** Jobs waiting or running at most; one more is refused (503) rather than queued without bound. */
const MAX_QUEUED = 32

export class JobService {
  private jobs = new Map<string, { job: Job; done: Promise<unknown> }>()
  /** Jobs run one after another: SQLite has one writer, and each worker is a V8 isolate of its own (memory). */
  private queue: Promise<unknown> = Promise.resolve()
  private pending = 0

  constructor(
    /** The use cases a job runs when it runs in place (built after this service, hence a function). */
    private readonly local: () => {
      evaluations: EvaluationService
      enterprises: EnterpriseService
      overrides: OverrideService
      changes: ChangeService
    },
    /** The database file a worker opens; undefined: jobs run in place. */
    dbPath: string | undefined,
  ) {
    this.worker = dbPath ? new JobWorker(dbPath) : undefined
  }

  private readonly worker?: JobWorker

  /**
   * Starts a job; `done` settles with its result or rejects with its error. Evaluations and imports are the
   * bureau's; a preview is asked by whoever may read the override (the use case checks again inside the job).
   */
  start(p: Principal | undefined, req: JobRequest): { job: Job; done: Promise<unknown> } {
    const who = authorize(p, JOB_ACTIONS[req.kind])
    if (this.pending >= MAX_QUEUED)
      throw new MujunError('JOBS_BUSY', `${this.pending} jobs are queued; try again shortly`, {
        status: 503,
        headers: { 'Retry-After': '10' },
      })
    const job: Job = {
      id: randomUUID(),
      kind: req.kind,
      status: 'running',
      progress: { done: 0, total: null },
      createdAt: new Date().toISOString(),
      createdBy: actorOf(who),
      finishedAt: null,
      result: null,
      error: null,
    }
    const report = (m: JobMessage) => {
      if (m.type === 'progress') job.progress = { done: m.done, total: m.total }
      else {
        job.finishedAt = new Date().toISOString()
        if (m.type === 'done') Object.assign(job, { status: 'done', result: m.result })
        else Object.assign(job, { status: 'failed', error: m.error })
      }
    }
    const run = () =>
      this.worker ? this.worker.run(who, req, report) : this.inPlace(who, req, report)
    this.pending++
    const ran = this.queue.then(run, run).finally(() => {
      this.pending--
    })
    this.queue = ran
    const done = ran.then(() => {
      if (job.status === 'failed') {
        const e = job.error!
        throw new MujunError(e.code, e.message, { status: e.status, details: e.details })
      }
      return job.result
    })
    // A job nobody awaits must not become an unhandled rejection; its failure is in the record.
    done.catch(() => {})
    this.jobs.set(job.id, { job, done })
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= KEEP) break
      if (j.job.status !== 'running') this.jobs.delete(id)
    }
    return { job, done }
  }

  get(p: Principal | undefined, id: string): Job {
    authorize(p, 'job.read')
    const j = this.jobs.get(id)
    if (!j) throw new NotFoundError(`job ${id}`)
    return j.job
  }

  private async inPlace(who: Principal, req: JobRequest, report: (m: JobMessage) => void) {
    await Promise.resolve()
    try {
      const onProgress = (done: number, total: number) => report({ type: 'progress', done, total })
      report({ type: 'done', result: runJob(this.local(), who, req, onProgress) })
    } catch (e) {
      report({ type: 'failed', error: asJobError(e) })
    }
  }
}

/** The work itself, the same in a worker and in place. */
export function runJob(
  s: {
    evaluations: EvaluationService
    enterprises: EnterpriseService
    overrides: OverrideService
    changes: ChangeService
  },
  who: Principal,
  req: JobRequest,
  onProgress: (done: number, total: number) => void,
): unknown {
  if (req.kind === 'evaluate') return s.evaluations.run(who, req.year, onProgress)
  if (req.kind === 'city-preview') return s.changes.previewCity(who, req.files, req, onProgress)
  if (req.kind === 'publication-preview')
    return s.changes.previewPublication(who, req.runId, req, onProgress)
  if (req.kind === 'preview') return s.overrides.preview(who, req.overrideId, req.year)
  return s.enterprises.importCsv(who, req.csv, req.year, req.skipBad, onProgress)
}

export function asJobError(e: unknown): NonNullable<Job['error']> {
  if (e instanceof MujunError)
    return { code: e.code, message: e.message, status: e.status, details: e.details }
  return { code: 'INTERNAL', message: 'the job failed; see the server log', status: 500 }
}

/**
 * One job worker thread for the server's life: a new isolate loading all the code is costly in memory and time
 * (a worker per job took the soak's RSS to +331 MiB), so it is done once, at start-up, and jobs queue for it.
 * Recreated if it dies.
 */
class JobWorker {
  private worker?: Worker
  private pending?: { report: (m: JobMessage) => void; resolve: () => void }

  constructor(private readonly dbPath: string) {
    this.spawn()
  }

  run(who: Principal, req: JobRequest, report: (m: JobMessage) => void): Promise<void> {
    if (!this.worker) this.spawn()
    return new Promise((resolve) => {
      this.pending = { report, resolve }
      this.worker!.postMessage({ who, req })
    })
  }

  private spawn() {
    const w = new Worker(new URL('./job-worker.mjs', import.meta.url), {
      workerData: { dbPath: this.dbPath },
    })
    // An idle worker must not keep the process alive on shutdown.
    w.unref()
    w.on('message', (m: JobMessage) => {
      const p = this.pending
      if (!p) return
      p.report(m)
      if (m.type !== 'progress') {
        this.pending = undefined
        p.resolve()
      }
    })
    const lost = (why: unknown) => {
      this.worker = undefined
      const p = this.pending
      this.pending = undefined
      if (!p) return
      process.stderr.write(`a job worker stopped: ${(why as Error)?.stack ?? why}\n`)
      p.report({ type: 'failed', error: asJobError(why) })
      p.resolve()
    }
    w.on('error', lost)
    w.on('exit', (code) => lost(new Error(`job worker exited (${code})`)))
    this.worker = w
  }
}
