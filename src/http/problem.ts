/**
 * One error shape for the whole API: RFC 9457 problem+json with a stable `code`.
 * @module http/problem
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodError } from 'zod'
import { formatRuleProblem, MujunError, RulebookError } from '../errors.ts'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance?: string
  errors?: { path: string; code: string; message: string }[]
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
}

export function problemResponse(
  c: Context,
  status: number,
  code: string,
  detail: string,
  errors?: Problem['errors'],
): Response {
  const body: Problem = {
    type: `https://mujun.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    instance: new URL(c.req.url).pathname,
    ...(errors && { errors }),
  }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  })
}

/** zod issues → problem errors with dot paths into the request (`body.figures.tax`). */
export function zodProblem(c: Context, error: ZodError, where: string): Response {
  const errors = error.issues.map((i) => ({
    path: [where, ...i.path].join('.'),
    code: i.code,
    message: i.message,
  }))
  return problemResponse(
    c,
    422,
    'VALIDATION_FAILED',
    `the ${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  )
}

/** A request part that failed its zod schema, thrown by handlers that validate for themselves (see `jsonBody`). */
export class RequestInvalid extends Error {
  constructor(
    readonly error: ZodError,
    readonly where: string,
  ) {
    super(`the ${where} is invalid`)
  }
}

/** Maps any thrown error to a problem; internals (stacks, SQL) never reach the client. */
export function errorToProblem(c: Context, err: unknown, log: (msg: string) => void): Response {
  if (err instanceof RequestInvalid) return zodProblem(c, err.error, err.where)
  if (err instanceof RulebookError) {
    return problemResponse(
      c,
      422,
      err.code,
      err.message,
      err.problems.map((p) => ({
        path: `${p.file}:${p.line}:${p.col}`,
        code: 'rule',
        message: formatRuleProblem(p),
      })),
    )
  }
  if (err instanceof MujunError) {
    const res = problemResponse(c, err.status, err.code, err.message)
    for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v)
    return res
  }
  if (err instanceof HTTPException) {
    const status = err.status
    const code =
      status === 413
        ? 'BODY_TOO_LARGE'
        : status === 415
          ? 'UNSUPPORTED_MEDIA_TYPE'
          : status === 400
            ? 'BAD_REQUEST'
            : `HTTP_${status}`
    return problemResponse(c, status, code, err.message || TITLES[status] || 'error')
  }
  log(`unhandled error on ${c.req.method} ${c.req.path}: ${(err as Error)?.stack ?? err}`)
  return problemResponse(c, 500, 'INTERNAL', 'an internal error occurred; it has been logged')
}
