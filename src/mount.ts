/**
 * Where the edges meet: the API's routes and the pages, each mounted on one hono app over one set of use cases.
 * `npm start`, the tests and the benchmarks all build the app here; no singletons.
 * @module mount
 */
import { createServices } from './app/services.ts'
import { AuthFailureLimiter } from './edge-shared/auth-limiter.ts'
import { createApi } from './http/app.ts'
import type { AppDeps } from './http/context.ts'
import { registerWebRoutes } from './web/pages.tsx'

/** The API and the pages over `deps.store` (and its use cases, built here when not given). */
export function createApp(deps: AppDeps) {
  const services = deps.services ?? createServices(deps.store)
  // One failed-authentication count per client, shared by the API and the login page.
  const authLimiter = deps.authLimiter ?? new AuthFailureLimiter()
  const app = createApi({ ...deps, services, authLimiter })
  registerWebRoutes(app as never, services, authLimiter, deps.cookieSecure)
  return app
}

export type App = ReturnType<typeof createApp>
