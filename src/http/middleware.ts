/**
 * The API's two layers before a route: authentication (a Bearer token for every /v1 route) and the body limit
 * chosen by who is asking.
 * @module http/middleware
 */
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { problemResponse } from '../edge-shared/problem.ts'
import { AuthError, MujunError } from '../errors.ts'
import { type AppDeps, type AppEnv, clientOf, headerOf } from './context.ts'
import { MAX_JSON_BYTES } from './routes/bills.ts'

/** The body check: a declared length against the limit, a chunked body metered (a billing run streamed). */
export function bodyCheck(deps: AppDeps) {
  const maxBody = deps.maxBodyBytes ?? 10 * 1024 * 1024
  const maxImport = Math.max(maxBody, deps.maxImportBytes ?? 256 * 1024 * 1024)
  const tooLargeMessage = (max: number) => `request body is larger than ${max} bytes`
  const tooLarge = (c: Context, max: number) =>
    problemResponse(c, 413, 'BODY_TOO_LARGE', tooLargeMessage(max))
  const limits = new Map(
    [maxBody, maxImport].map((max) => [
      max,
      bodyLimit({ maxSize: max, onError: (c) => tooLarge(c, max) }),
    ]),
  )
  const maxJson = Math.min(MAX_JSON_BYTES, maxImport)
  const jsonTooLarge = (c: Context) =>
    problemResponse(
      c,
      413,
      'BODY_TOO_LARGE',
      `a billing run sent as one JSON array is at most ${maxJson} bytes; send a large run as application/x-ndjson (one request a line, streamed both ways, no count limit)`,
    )
  // Read up to the limit at most, never further: a chunked body is counted as it arrives.
  const jsonLimit = bodyLimit({ maxSize: maxJson, onError: jsonTooLarge })
  // A declared Content-Length is checked from the header (Node's parser stops the body there); only chunked
  // bodies are metered by hono's bodyLimit, because reading `raw.body` turns the request into a web stream.
  // The limit is chosen once the caller is known: a year's CSV may be large, but only a bureau may send one.
  return (c: Context<AppEnv>, next: () => Promise<void>): Promise<unknown> => {
    const p = c.get('principal')
    const bills = c.req.path === '/v1/bills' && can(p, 'bills.run')
    const length = headerOf(c, 'content-length')
    const chunked = length === undefined || headerOf(c, 'transfer-encoding') !== undefined
    // A billing run as one JSON array is parsed whole: a small limit of its own (NDJSON is the way for a large one).
    if (bills && /^application\/json\b/i.test(headerOf(c, 'content-type') ?? '')) {
      if (chunked) return jsonLimit(c, next)
      if (/^\d{1,15}$/.test(length) && Number(length) > maxJson)
        return Promise.resolve(jsonTooLarge(c))
    }
    const max =
      (c.req.path === '/v1/enterprises:import' && can(p, 'enterprise.write')) ||
      bills ||
      // A month's meter readings of the city: checked whole before billing, as large as an import.
      (c.req.path === '/v1/bills:month' && can(p, 'bills.run'))
        ? maxImport
        : maxBody
    // A billing run streams: its body is metered as it is read (past the limit the handler answers the lines
    // read, then one BODY_TOO_LARGE line), never buffered whole the way hono's bodyLimit buffers a chunked body.
    if (chunked && c.req.path === '/v1/bills' && c.req.raw.body) {
      let size = 0
      const metered = c.req.raw.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            size += chunk.length
            if (size > max) out.error(new HTTPException(413, { message: tooLargeMessage(max) }))
            else out.enqueue(chunk)
          },
        }),
      )
      c.req.raw = new Request(c.req.raw, { body: metered, duplex: 'half' } as RequestInit)
      return next()
    }
    if (chunked) return limits.get(max)!(c, next)
    if (!/^\d{1,15}$/.test(length))
      return Promise.resolve(
        problemResponse(c, 400, 'BAD_REQUEST', 'Content-Length is not a number'),
      )
    return Number(length) > max ? Promise.resolve(tooLarge(c, max)) : next()
  }
}

/**
 * Every /v1 route needs a token: it is checked before any body is read or validated, so an anonymous request
 * costs a header lookup whatever it sends.
 */
export function authentication(
  deps: AppDeps & { services: Services; authLimiter: AuthFailureLimiter },
) {
  const { store, services, authLimiter } = deps
  return async (c: Context<AppEnv>, next: () => Promise<unknown>): Promise<unknown> => {
    // Whatever another process committed since the last request is seen by this one: caches are dropped first.
    store.syncForRequest()
    if (!c.req.path.startsWith('/v1/')) return next()
    const header = headerOf(c, 'authorization')
    if (!header) throw new AuthError(401, 'a valid Bearer token is required')
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    const principal = m ? services.tokens.principal(m[1]) : undefined
    if (!principal) {
      const wait = authLimiter.refuse(clientOf(c), Date.now())
      if (wait > 0)
        throw new MujunError(
          'TOO_MANY_AUTH_FAILURES',
          `too many failed authentications from this address; retry in ${wait} s`,
          { status: 429, headers: { 'Retry-After': String(wait) } },
        )
      throw new AuthError(
        401,
        m ? 'unknown, expired or revoked token' : 'Authorization must be "Bearer <token>"',
      )
    }
    c.set('principal', principal)
    // Returned, not awaited alone: a 413 from the body check below is this middleware's answer.
    return next()
  }
}
