/**
 * The HTTP API: `createApi(deps)` builds the hono app of the API over the use cases (authentication, body limits,
 * problem+json, every /v1 route and the OpenAPI document); the pages are mounted beside it by `src/mount.ts`.
 * @module http/app
 */
import { createRoute, OpenAPIHono } from '@hono/zod-openapi'
import type { Services } from '../app/services.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { errorToProblem, problemResponse, zodProblemResponse } from '../edge-shared/problem.ts'
import type { AppDeps, AppEnv } from './context.ts'
import { docsPage } from './docs-page.ts'
import { authentication, bodyCheck } from './middleware.ts'
import { HealthSchema, reply } from './responses.ts'
import { PRICED, revisionHead } from './revision.ts'
import { registerBillRoutes } from './routes/bills.ts'
import { registerEnterpriseRoutes } from './routes/enterprises.ts'
import { registerEvaluationRoutes } from './routes/evaluations.ts'
import { registerFeedRoutes } from './routes/feed.ts'
import { registerIntakeRoutes } from './routes/intake.ts'
import { registerListRoutes } from './routes/lists.ts'
import { registerMeasureRoutes } from './routes/measures.ts'
import { registerMoneyRoutes } from './routes/money.ts'
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
  const checkBody = bodyCheck(deps)
  const authenticate = authentication(deps)
  const revision = revisionHead(services.store)
  // One middleware for authentication, the body limit and the revision a price was answered at: each layer of
  // hono's chain costs a promise per request.
  app.use('*', async (c, next) => {
    // Named before the handler runs (after authentication has looked for other processes' commits), as a prepared
    // header: setting one on the finished response would rebuild its headers on every lookup.
    const handle = PRICED.test(c.req.path)
      ? () => {
          c.header('mujun-revision', revision())
          return next()
        }
      : next
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return authenticate(c, handle)
    return authenticate(c, () => checkBody(c, handle))
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
  registerListRoutes(app, services)
  registerMoneyRoutes(app, services)
  registerMeasureRoutes(app, services)
  registerIntakeRoutes(app, services)
  registerFeedRoutes(app, services, log)

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
