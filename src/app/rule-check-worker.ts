/**
 * The rule check thread: answers each message's request (compile texts, apply a workflow step) and posts the answer
 * back (see app/rule-check). It opens no database: everything it works on arrives in the message.
 * @module app/rule-check-worker
 */
import { parentPort } from 'node:worker_threads'
import { CHECK_NICE, yieldToRequests } from './background-thread.ts'
import { answer, type CheckRequest } from './rule-check.ts'

// A check answers a waiting request, so it yields less than a job does (app/background-thread).
yieldToRequests(CHECK_NICE)

parentPort!.on('message', ({ id, req }: { id: number; req: CheckRequest }) => {
  parentPort!.postMessage({ id, answer: answer(req) })
})
