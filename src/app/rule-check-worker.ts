/**
 * The rule check thread: answers each message's request (compile texts, apply a workflow step) and posts the answer
 * back (see app/rule-check). It opens no database: everything it works on arrives in the message.
 * @module app/rule-check-worker
 */
import { parentPort } from 'node:worker_threads'
import { answer, type CheckRequest } from './rule-check.ts'

parentPort!.on('message', ({ id, req }: { id: number; req: CheckRequest }) => {
  parentPort!.postMessage({ id, answer: answer(req) })
})
