/**
 * One error shape for the whole API: RFC 9457 problem+json with a stable `code`.
 * @module edge-shared/problem
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ZodError } from 'zod'
import { RequestInvalid } from '../app/requests.ts'
import { CorrectionRequiredError, formatRuleProblem, MujunError, RulebookError } from '../errors.ts'

export { RequestInvalid }

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance?: string
  errors?: { path: string; code: string; message: string }[]
  /** What the code is about, as data (e.g. a refused retroactive change: its first day and its items). */
  details?: Record<string, unknown>
  /** CORRECTION_REQUIRED: the first day whose answers the refused change would have altered. */
  firstDayAffected?: string
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

/** A problem body; `instance` is the request path it answers. */
export function problem(
  instance: string,
  status: number,
  code: string,
  detail: string,
  errors?: Problem['errors'],
): Problem {
  return {
    type: `https://mujun.example/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    instance,
    ...(errors && { errors }),
  }
}

const respond = (body: Problem): Response =>
  new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
  })

export function problemResponse(
  c: Context,
  status: number,
  code: string,
  detail: string,
  errors?: Problem['errors'],
): Response {
  return respond(problem(new URL(c.req.url).pathname, status, code, detail, errors))
}

/** zod issues → problem errors with dot paths into the request (`body.figures.tax`). */
function zodProblem(instance: string, error: ZodError, where: string): Problem {
  const errors = error.issues.map((i) => ({
    path: [where, ...i.path].join('.'),
    code: i.code,
    message: i.message,
  }))
  return problem(
    instance,
    422,
    'VALIDATION_FAILED',
    `the ${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    errors,
  )
}

export function zodProblemResponse(c: Context, error: ZodError, where: string): Response {
  return respond(zodProblem(new URL(c.req.url).pathname, error, where))
}

/** A file's problems by row and column (a CSV import's), as the problem's `errors`: `row 3.credit_code`. */
function rowErrors(details: unknown): Problem['errors'] {
  if (!Array.isArray(details) || details.length === 0) return undefined
  if (!details.every((d) => typeof d?.row === 'number' && typeof d?.message === 'string'))
    return undefined
  return details.map((d: { row: number; column?: string; message: string }) => ({
    path: `row ${d.row}${d.column ? `.${d.column}` : ''}`,
    code: 'csv',
    message: d.message,
  }))
}

/** Maps any thrown error to a problem; internals (stacks, SQL) never reach the client. */
export function errorToProblem(c: Context, err: unknown, log: (msg: string) => void): Response {
  const body = problemOf(err, new URL(c.req.url).pathname, log, `${c.req.method} ${c.req.path}`)
  const res = respond(body)
  if (err instanceof MujunError)
    for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v)
  return res
}

/**
 * The problem body for any thrown error, answering `instance` (a batch answers each item as its single route
 * would); `where` names the request in the log of an unexpected error.
 */
export function problemOf(
  err: unknown,
  instance: string,
  log: (msg: string) => void,
  where = instance,
): Problem {
  if (err instanceof RequestInvalid) return zodProblem(instance, err.error, err.where)
  if (err instanceof RulebookError) {
    return problem(
      instance,
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
  if (err instanceof CorrectionRequiredError)
    return {
      ...problem(instance, err.status, err.code, err.message),
      firstDayAffected: err.firstDayAffected,
    }
  if (err instanceof MujunError) {
    const body = problem(instance, err.status, err.code, err.message, rowErrors(err.details))
    const d = err.details
    if (d && typeof d === 'object' && !Array.isArray(d)) body.details = d as Record<string, unknown>
    return body
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
    return problem(instance, status, code, err.message || TITLES[status] || 'error')
  }
  log(`unhandled error on ${where}: ${(err as Error)?.stack ?? err}`)
  return problem(instance, 500, 'INTERNAL', 'an internal error occurred; it has been logged')
}
