/**
 * Background threads (jobs, rule checks) yield the core to the request thread: on Linux a nice value belongs to a
 * thread, so a worker raises its own and the scheduler serves the request thread first whenever both are runnable.
 * Elsewhere (or if the system refuses) nothing changes: the work still runs, only without the preference.
 * @module app/background-thread
 */
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'

/** How much a job's thread yields: 10 gives the request thread about nine tenths of a shared core. */
export const BACKGROUND_NICE = 10
/** How much the rule check thread yields: 5, about three quarters; a check has a request waiting for it. */
export const CHECK_NICE = 5

/** The nice value a thread yielding `by` takes in a process started at nice `base` (19 is the lowest priority). */
export const yieldedNice = (base: number, by: number) => Math.min(19, base + by)

/**
 * Lowers the calling thread's priority by `nice` below the process's own (its own thread id, from
 * /proc/thread-self): a server started under `nice` keeps its request thread first too.
 */
export function yieldToRequests(nice = BACKGROUND_NICE): boolean {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    if (!Number.isInteger(tid) || tid <= 0) return false
    setPriority(tid, yieldedNice(getPriority(tid), nice))
    return true
  } catch {
    return false
  }
}
