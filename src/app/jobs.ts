/**
 * Long work (a year's evaluation, a bulk import) as jobs with progress. On a database file each job runs in a
 * worker thread with its own SQLite connection, so requests keep being answered while it runs; the commit reaches
 * every process through the database revision (Store.sync). On an in-memory database (tests) it runs in place.
 * Fair: a queue per owner (role, and county) with its own limit, served in turn; a job whose token is revoked
 * before it finishes is cancelled and audited.
 * @module app/jobs
 */
import { randomUUID } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import type { Store } from '../db/store.ts'
import { MujunError, NotFoundError } from '../errors.ts'
import { ownerKey, type Principal } from '../principal.ts'
import { type Action, actorOf, authorize } from './authorize.ts'
import type { ChangeService } from './changes.ts'
import type { EnterpriseService } from './enterprises.ts'
import type { EvaluationService } from './evaluations.ts'
import type { OverrideService } from './overrides.ts'
import type { RefundService } from './refunds.ts'

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
  | { kind: 'refund'; year: number }

export interface Job {
  id: string
  kind: JobRequest['kind']
  /** `running` from the moment it is accepted (`startedAt` tells whether it has left the queue). */
  status: 'running' | 'done' | 'failed' | 'cancelled'
  /** Rows stored so far and in all, once known. */
  progress: { done: number; total: number | null }
  createdAt: string
  createdBy: string
  /** When it left the queue and began; null while it waits. */
  startedAt: string | null
  finishedAt: string | null
  result: unknown
  /** Why it failed, or (JOB_CANCELLED) why it was cancelled. */
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
  refund: 'refunds.run',
}

/** Finished jobs kept for GET /v1/jobs/{id}, oldest dropped first. */
const KEEP = 200
/**
 * Jobs one owner may have waiting or running; one more is refused (503) to that owner alone. Owners are the
 * bureau, the economy office, the observers and each county (see jobOwner), so the queue holds a few dozen at most.
 */
export const PER_OWNER = 8

/**
 * Whose queue a job joins: the role, and a county's code (every token of one county shares its queue). One
 * county flooding previews fills its own queue, never the city offices'.
 */
export const jobOwner = ownerKey

/** The code of a cancelled job's error: its token was revoked or expired before it could finish. */
export const JOB_CANCELLED = 'JOB_CANCELLED'

interface Entry {
  job: Job
  owner: string
  who: Principal
  req: JobRequest
  /** Called once the job has left the service (finished, failed or cancelled). */
  settle: () => void
  /** Why it is being cancelled while it runs (its token was revoked meanwhile). */
  cancelling?: Cancellation
  /** Its run, once started: settles when the job has left the worker (done, failed or stopped). */
  ran?: Promise<void>
}

interface Cancellation {
  reason: string
  /** Who revoked the token (the audit entry's actor). */
  by: string
  token: number
}

export class JobService {
  private jobs = new Map<string, { job: Job; done: Promise<unknown> }>()
  /**
   * Jobs not yet started, a queue per owner. They run one after another (SQLite has one writer, and each worker
   * is a V8 isolate of its own), the next taken from the owner whose last job started longest ago.
   */
  private waiting = new Map<string, Entry[]>()
  /** Jobs each owner has waiting or running (the per-owner limit). */
  private held = new Map<string, number>()
  /** When each owner's last job started (a turn count; a few dozen owners at most). */
  private served = new Map<string, number>()
  private turn = 0
  private running?: Entry

  constructor(
    private readonly store: Store,
    /** The use cases a job runs when it runs in place (built after this service, hence a function). */
    private readonly local: () => {
      evaluations: EvaluationService
      enterprises: EnterpriseService
      overrides: OverrideService
      changes: ChangeService
      refunds: RefundService
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
  start(
    p: Principal | undefined,
    req: JobRequest,
    /** The queue it waits in, when not its asker's (an override's preview waits in its county's). */
    ownerQueue?: string,
  ): { job: Job; done: Promise<unknown> } {
    const who = authorize(p, JOB_ACTIONS[req.kind])
    const owner = ownerQueue ?? jobOwner(who)
    const held = this.held.get(owner) ?? 0
    if (held >= PER_OWNER)
      throw new MujunError(
        'JOBS_BUSY',
        `${held} jobs of ${owner} are waiting or running (at most ${PER_OWNER}); try again shortly`,
        { status: 503, headers: { 'Retry-After': '5' } },
      )
    const job: Job = {
      id: randomUUID(),
      kind: req.kind,
      status: 'running',
      progress: { done: 0, total: null },
      createdAt: new Date().toISOString(),
      createdBy: actorOf(who),
      startedAt: null,
      finishedAt: null,
      result: null,
      error: null,
    }
    let settle = () => {}
    const ran = new Promise<void>((resolve) => {
      settle = resolve
    })
    this.held.set(owner, held + 1)
    const queue = this.waiting.get(owner) ?? []
    queue.push({ job, owner, who, req, settle })
    this.waiting.set(owner, queue)
    const done = ran.then(() => {
      if (job.status === 'failed' || job.status === 'cancelled') {
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
    this.next()
    return { job, done }
  }

  get(p: Principal | undefined, id: string): Job {
    authorize(p, 'job.read')
    const j = this.jobs.get(id)
    if (!j) throw new NotFoundError(`job ${id}`)
    return j.job
  }

  /**
   * A token is being revoked: its running job, if any, is asked to stop at its next progress point, inside its
   * transaction, which then rolls back (an override preview, read-only and short, has none and finishes). Asked
   * before the revocation is written: a running import or evaluation holds the write lock until it commits, so the
   * revocation would otherwise wait for the very work it is meant to stop.
   */
  tokenRevoking(tokenId: number, by: string): Promise<void> | undefined {
    const r = this.running
    if (!r || tokenId === 0 || r.who.tokenId !== tokenId) return undefined
    // Said as what happened when it stops: the revocation is written only after (and could still fail).
    r.cancelling = {
      reason: `token ${tokenId} is being revoked by ${by}`,
      by,
      token: tokenId,
    }
    this.worker?.cancel()
    return r.ran
  }

  /**
   * A token was revoked (its revocation committed): its jobs still waiting are cancelled, each audited; a running
   * one stopping (tokenRevoking) is told when. Returns the ids of the jobs cancelled in the queue.
   */
  tokenRevoked(tokenId: number, by: string, at: string): string[] {
    const why: Cancellation = {
      reason: `token ${tokenId} was revoked by ${by} at ${at}`,
      by,
      token: tokenId,
    }
    const cancelled: string[] = []
    for (const [owner, queue] of this.waiting) {
      const mine = queue.filter((e) => e.who.tokenId === tokenId)
      if (mine.length === 0) continue
      this.waiting.set(
        owner,
        queue.filter((e) => e.who.tokenId !== tokenId),
      )
      for (const e of mine) {
        this.cancel(e, why, false)
        cancelled.push(e.job.id)
      }
    }
    if (this.running?.cancelling?.token === tokenId) this.running.cancelling = why
    // The job stopped before the revocation was written says, now that it is, when and by whom.
    const pending = `token ${tokenId} is being revoked by ${by}`
    for (const { job } of this.jobs.values())
      if (job.status === 'cancelled' && job.error?.message.endsWith(pending))
        job.error.message = job.error.message.slice(0, -pending.length) + why.reason
    return cancelled
  }

  /** Starts the next job if none runs: the first waiting one of the owner served longest ago. */
  private next(): void {
    if (this.running) return
    let owner: string | undefined
    for (const [o, queue] of this.waiting) {
      if (queue.length === 0) continue
      if (owner === undefined || (this.served.get(o) ?? 0) < (this.served.get(owner) ?? 0))
        owner = o
    }
    if (owner === undefined) return
    const queue = this.waiting.get(owner)!
    const e = queue.shift()!
    if (queue.length === 0) this.waiting.delete(owner)
    this.served.set(owner, ++this.turn)
    this.running = e
    e.ran = this.run(e)
      .catch((err) => {
        if (e.job.status === 'running')
          Object.assign(e.job, { status: 'failed', error: asJobError(err) })
      })
      .finally(() => {
        this.running = undefined
        this.release(e)
        this.next()
      })
  }

  private async run(e: Entry): Promise<void> {
    // Its token may have been revoked or have expired while it waited, here or in another process.
    const gone = this.tokenGone(e.who)
    if (gone) return this.cancel(e, gone, true)
    e.job.startedAt = new Date().toISOString()
    const report = (m: JobMessage) => {
      const job = e.job
      if (m.type === 'progress') job.progress = { done: m.done, total: m.total }
      else {
        job.finishedAt = new Date().toISOString()
        if (m.type === 'done') Object.assign(job, { status: 'done', result: m.result })
        else if (m.error.code === JOB_CANCELLED && e.cancelling) this.cancel(e, e.cancelling, true)
        else Object.assign(job, { status: 'failed', error: m.error })
      }
    }
    await (this.worker ? this.worker.run(e.who, e.req, report) : this.inPlace(e.who, e.req, report))
  }

  /** Why a job's token no longer stands, if it does not: revoked, expired or gone. */
  private tokenGone(who: Principal): Cancellation | undefined {
    if (who.tokenId === 0) return undefined
    const row = this.store.listTokens(who.tokenId)[0]
    const token = who.tokenId
    if (!row) return { reason: `token ${token} no longer exists`, by: 'system', token }
    if (row.revokedAt)
      return {
        reason: `token ${token} was revoked by ${row.revokedBy} at ${row.revokedAt}`,
        by: row.revokedBy ?? 'system',
        token,
      }
    if (row.expiresAt && row.expiresAt <= this.store.now())
      return { reason: `token ${token} expired at ${row.expiresAt}`, by: 'system', token }
    return undefined
  }

  /**
   * Marks a job cancelled with the reason and records it in the audit log (the job, its kind, who asked, and the
   * revocation). A waiting job is also released here; a running one is released when its run ends.
   */
  private cancel(e: Entry, why: Cancellation, ran: boolean): void {
    Object.assign(e.job, {
      status: 'cancelled',
      finishedAt: new Date().toISOString(),
      error: {
        code: JOB_CANCELLED,
        message: `the job was cancelled ${e.job.startedAt ? 'while it ran (nothing it did was kept)' : 'before it started'}: ${why.reason}`,
        status: 409,
      },
    } satisfies Partial<Job>)
    try {
      this.store.write((tx) =>
        this.store.audit(tx, why.by, 'job.cancel', `job/${e.job.id}`, {
          kind: e.job.kind,
          createdBy: e.job.createdBy,
          started: e.job.startedAt !== null,
          token: why.token,
          reason: why.reason,
        }),
      )
    } catch (err) {
      // The job stays cancelled (its token is gone either way); the missing entry is said where operators look.
      process.stderr.write(
        `job ${e.job.id} cancelled but not audited: ${(err as Error)?.stack ?? err}\n`,
      )
    } finally {
      if (!ran) this.release(e)
    }
  }

  private release(e: Entry): void {
    const n = (this.held.get(e.owner) ?? 1) - 1
    if (n > 0) this.held.set(e.owner, n)
    else this.held.delete(e.owner)
    e.settle()
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
    refunds: RefundService
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
  if (req.kind === 'refund') return s.refunds.run(who, req.year, onProgress)
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
  /** Set to 1 to ask the running job to stop (the worker looks at each progress point; see job-worker). */
  private readonly stop = new Int32Array(new SharedArrayBuffer(4))

  constructor(private readonly dbPath: string) {
    this.spawn()
  }

  run(who: Principal, req: JobRequest, report: (m: JobMessage) => void): Promise<void> {
    if (!this.worker) this.spawn()
    Atomics.store(this.stop, 0, 0)
    return new Promise((resolve) => {
      this.pending = { report, resolve }
      this.worker!.postMessage({ who, req })
    })
  }

  /** Asks the job running now to stop. */
  cancel(): void {
    if (this.pending) Atomics.store(this.stop, 0, 1)
  }

  private spawn() {
    const w = new Worker(new URL('./job-worker.mjs', import.meta.url), {
      workerData: { dbPath: this.dbPath, stop: this.stop.buffer },
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
