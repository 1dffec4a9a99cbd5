/**
 * The HTTP API: `createApi(deps)` builds the hono app of the API over the use cases (authentication, body limits,
 * problem+json, every /v1 route and the OpenAPI document); the pages are mounted beside it by `src/mount.ts`.
 * @module http/app
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { errorToProblem, problemResponse, zodProblemResponse } from '../edge-shared/problem.ts'
import { AuthError, MujunError } from '../errors.ts'
import { type AppDeps, type AppEnv, clientOf, headerOf } from './context.ts'
import { docsPage } from './docs-page.ts'
import { HealthSchema, reply } from './responses.ts'
import { registerBillRoutes } from './routes/bills.ts'
import { registerEnterpriseRoutes } from './routes/enterprises.ts'
import { registerEvaluationRoutes } from './routes/evaluations.ts'
import { registerOverrideRoutes } from './routes/overrides.ts'
import { registerPricingRoutes } from './routes/pricing.ts'
import { registerProgrammeRoutes } from './routes/programme.ts'
import { registerRulebookRoutes } from './routes/rulebook.ts'
import { registerTokenRoutes } from './routes/tokens.ts'

export function createApi(deps: AppDeps & { services: Services; authLimiter: AuthFailureLimiter }) {
  const { services } = deps
  const log = deps.log ?? ((m: string) => process.stderr.write(`${m}\n`))
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success)
        return zodProblemResponse(
          c,
          result.error as never,
          result.target === 'json' ? 'body' : result.target,
        )
    },
  })

  app.onError((err, c) => errorToProblem(c, err, log))
  app.notFound((c) =>
    problemResponse(c, 404, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`),
  )
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
  // A declared Content-Length is checked from the header (Node's parser stops the body there); only chunked
  // bodies are metered by hono's bodyLimit, because reading `raw.body` turns the request into a web stream.
  // The limit is chosen once the caller is known: a year's CSV may be large, but only a bureau may send one.
  const checkBody = (c: Context<AppEnv>, next: () => Promise<void>): Promise<unknown> => {
    const p = c.get('principal')
    const max =
      (c.req.path === '/v1/enterprises:import' && can(p, 'enterprise.write')) ||
      (c.req.path === '/v1/bills' && can(p, 'bills.run'))
        ? maxImport
        : maxBody
    const length = headerOf(c, 'content-length')
    const chunked = length === undefined || headerOf(c, 'transfer-encoding') !== undefined
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
  const limiter = deps.authLimiter
  // Every /v1 route needs a token: it is checked before any body is read or validated, so an anonymous request
  // costs a header lookup whatever it sends.
  const authenticate = async (
    c: Context<AppEnv>,
    next: () => Promise<unknown>,
  ): Promise<unknown> => {
    // Whatever another process committed since the last request is seen by this one: caches are dropped first.
    deps.store.syncForRequest()
    if (!c.req.path.startsWith('/v1/')) return next()
    const header = headerOf(c, 'authorization')
    if (!header) throw new AuthError(401, 'a valid Bearer token is required')
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    const principal = m ? services.tokens.principal(m[1]) : undefined
    if (!principal) {
      const wait = limiter.refuse(clientOf(c), Date.now())
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
  // One middleware for authentication and the body limit: each layer of hono's chain costs a promise per request.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return authenticate(c, next)
    return authenticate(c, () => checkBody(c, next))
  })

  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['service'],
      summary: 'Liveness, and which city rulebook version and override revision are in force',
      security: [],
      responses: reply(HealthSchema, 'the service is up'),
    }),
    (c) => {
      const { id, cityHash, overrideSeq, setAside } = services.rulebooks.active()
      return c.json(
        {
          status: setAside.length > 0 ? ('degraded' as const) : ('ok' as const),
          rulebookVersion: id,
          rulebookHash: cityHash,
          overrideRevision: overrideSeq,
          setAside,
          cache: services.cache.stats(),
        },
        200,
      )
    },
  )

  registerPricingRoutes(app, services)
  registerBillRoutes(app, services, log)
  registerEnterpriseRoutes(app, services)
  registerRulebookRoutes(app, services)
  registerEvaluationRoutes(app, services)
  registerOverrideRoutes(app, services)
  registerTokenRoutes(app, services)
  registerProgrammeRoutes(app, services)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
  })
  const document = () =>
    app.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'mujun API',
        version: '1.0.0',
        description:
          '亩均效益 rating and differential electricity/water/gas surcharges (差别化电价/水价/气价), Ningbo rulebook. Errors are application/problem+json with a stable `code`.',
      },
      security: [{ bearer: [] }],
    })
  app.get('/openapi.json', (c) => c.json(document()))
  app.get('/docs', (c) => c.html(docsPage(document() as never)))
  return app
}

export type ApiApp = ReturnType<typeof createApi>
