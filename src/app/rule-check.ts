/**
 * Checking override texts against the city rules, off the request thread. Compiling a county's text costs time
 * in proportion to its size (a 400 KB text took 0.7 s), so on a database file the server hands each check to a
 * worker thread of its own (not the job worker: a check must not wait behind a year's import) and awaits it; the
 * request thread only writes the checked result. In place (an in-memory database, the tests) it runs inline.
 * @module app/rule-check
 */
import { Worker } from 'node:worker_threads'
import { MujunError, RulebookError, type RuleProblem } from '../errors.ts'
import { compileRulebook, type RuleText } from '../rulebook/compile.ts'
import {
  applyTransition,
  type Decision,
  type OverrideAction,
  TransitionError,
} from '../rulebook/override-workflow.ts'
import { type OverrideHeader, readHeader } from './override-header.ts'

/** What a check needs of each override it compiled: enough for the workflow's own checks. */
export interface CheckedOverride {
  id: string
  county: string
  from: string
  to?: string
  supersedes?: string
}

type PlainError = { code: string; message: string; status: number; details?: unknown }

/** A compile's outcome, as plain data (it crosses threads). */
export type CheckOutcome =
  | { ok: true; overrides: CheckedOverride[] }
  | { ok: false; problems: RuleProblem[] }
  | { ok: false; error: PlainError }

/** What the checker is asked: compile files (reading one override's header strictly), or apply a workflow step. */
export type CheckRequest =
  | { op: 'check'; files: RuleText[]; path: string }
  | { op: 'transition'; text: string; action: OverrideAction; decision: Decision }

export type CheckAnswer =
  | { op: 'check'; header: OverrideHeader; outcome: CheckOutcome }
  | { op: 'transition'; next: ReturnType<typeof applyTransition> }
  | { op: 'error'; outcome: CheckOutcome & { ok: false } }

/** The work itself, either thread. Its errors come back as data (see `unwrap`). */
export function answer(req: CheckRequest): CheckAnswer {
  try {
    if (req.op === 'transition')
      return { op: 'transition', next: applyTransition(req.text, req.action, req.decision) }
    const text = req.files.find((f) => f.path === req.path)?.text ?? ''
    return { op: 'check', header: readHeader(text, 'strict'), outcome: compileFiles(req.files) }
  } catch (e) {
    return { op: 'error', outcome: failure(e) }
  }
}

function compileFiles(files: RuleText[]): CheckOutcome {
  try {
    const rb = compileRulebook(files)
    return {
      ok: true,
      overrides: rb.overrides.map((o) => ({
        id: o.id,
        county: o.county,
        from: o.from,
        ...(o.to !== undefined && { to: o.to }),
        ...(o.header.supersedes && { supersedes: o.header.supersedes }),
      })),
    }
  } catch (e) {
    return failure(e)
  }
}

function failure(e: unknown): CheckOutcome & { ok: false } {
  if (e instanceof RulebookError) return { ok: false, problems: e.problems }
  if (e instanceof RangeError)
    return {
      ok: false,
      error: {
        code: 'OVERRIDE_INVALID',
        message: 'the override text is nested too deeply',
        status: 422,
      },
    }
  if (e instanceof MujunError)
    return {
      ok: false,
      error: { code: e.code, message: e.message, status: e.status, details: e.details },
    }
  process.stderr.write(`a rule check failed: ${(e as Error)?.stack ?? e}\n`)
  return {
    ok: false,
    error: { code: 'INTERNAL', message: 'the check failed; see the server log', status: 500 },
  }
}

/** The compiled overrides, or the failure thrown as the error the request answers with. */
export function unwrap(outcome: CheckOutcome): CheckedOverride[] {
  if (outcome.ok) return outcome.overrides
  if ('problems' in outcome) throw new RulebookError(outcome.problems)
  const e = outcome.error
  if (e.code === 'TRANSITION_NOT_ALLOWED') throw new TransitionError(e.message)
  throw new MujunError(e.code, e.message, { status: e.status, details: e.details })
}

/** Answers check requests, inline or on the checker thread. */
export type RuleChecker = (req: CheckRequest) => Promise<CheckAnswer>

export const checkInPlace: RuleChecker = async (req) => answer(req)

/** Checks waiting or running at most: more are refused (503) rather than queued without bound. */
const MAX_PENDING = 16

/**
 * One checker thread for the server's life, started with it; checks run one after another there, each answered
 * by its number. Recreated if it dies (the checks it held fail with 500 and are logged).
 */
export class RuleCheckThread {
  private worker?: Worker
  private next = 0
  private pending = new Map<number, (o: CheckAnswer | Error) => void>()

  constructor() {
    this.spawn()
  }

  readonly check: RuleChecker = (req) => {
    if (this.pending.size >= MAX_PENDING)
      return Promise.reject(
        new MujunError(
          'CHECKS_BUSY',
          `${this.pending.size} override texts are being checked; try again shortly`,
          { status: 503, headers: { 'Retry-After': '2' } },
        ),
      )
    if (!this.worker) this.spawn()
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.pending.set(id, (o) => (o instanceof Error ? reject(o) : resolve(o)))
      this.worker!.postMessage({ id, req })
    })
  }

  private spawn() {
    const w = new Worker(new URL('./rule-check-worker.mjs', import.meta.url))
    // An idle checker must not keep the process alive on shutdown.
    w.unref()
    w.on('message', ({ id, answer }: { id: number; answer: CheckAnswer }) => {
      const reply = this.pending.get(id)
      this.pending.delete(id)
      reply?.(answer)
    })
    const lost = (why: unknown) => {
      if (this.worker !== w) return
      this.worker = undefined
      if (this.pending.size > 0)
        process.stderr.write(`the rule check thread stopped: ${(why as Error)?.stack ?? why}\n`)
      for (const reply of this.pending.values()) reply(new Error('the rule check thread stopped'))
      this.pending.clear()
    }
    w.on('error', lost)
    w.on('exit', (code) => lost(new Error(`rule check thread exited (${code})`)))
    this.worker = w
  }
}
