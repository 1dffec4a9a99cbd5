/**
 * The web pages, server-rendered by the same hono process as the API, one module per page; each goes through the
 * use cases in app/, as the API does.
 * @module web/pages
 */
import type { Services } from '../app/services.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { registerEvaluationPages } from './evaluation-page.tsx'
import { registerFigurePages } from './figures-page.tsx'
import { guardForms } from './form-guard.tsx'
import { registerListPages } from './lists-page.tsx'
import { registerLoginPages } from './login-page.tsx'
import { registerMeasurePages } from './measures-page.tsx'
import { registerMyPages } from './my-page.tsx'
import { registerOverridePages } from './overrides-page.tsx'
import { registerOverviewPage } from './overview-page.tsx'
import { PAGE_ACTIONS } from './page-actions.ts'
import { type PageApp, pageDeps } from './page-kit.ts'
import { registerProgrammePages } from './programme-pages.tsx'
import { registerProvenancePage } from './provenance-page.tsx'
import { registerRefundPages } from './refunds-page.tsx'
import { registerReportPages } from './report-page.tsx'
import { registerRulesPages } from './rules-page.tsx'
import { registerSelfCheckPages } from './self-check-page.tsx'
import { registerSheetPages } from './sheet-page.tsx'
import { registerTokenPages } from './tokens-page.tsx'

/** Mounts every page on `app`. */
export function registerWebRoutes(
  app: PageApp,
  services: Services,
  limiter: AuthFailureLimiter,
  cookieSecure = false,
) {
  const deps = pageDeps(services, limiter, cookieSecure)
  // Before any handler: every POST page route is checked for its origin and its session's CSRF token.
  const posts = Object.keys(PAGE_ACTIONS).filter((k) => k.startsWith('POST '))
  guardForms(
    app,
    deps,
    posts.map((k) => k.slice(5)),
  )
  app.get('/', (c) => c.redirect('/self-check'))
  // Browsers ask for it on every page; no icon is better than a 404 in every console.
  app.get('/favicon.ico', (c) => c.body(null, 204))
  registerLoginPages(app, deps)
  registerSelfCheckPages(app, deps)
  registerMyPages(app, deps)
  registerProgrammePages(app, deps)
  registerReportPages(app, deps)
  registerProvenancePage(app, deps)
  registerOverviewPage(app, deps)
  registerOverridePages(app, deps)
  registerTokenPages(app, deps)
  registerEvaluationPages(app, deps)
  registerRulesPages(app, deps)
  registerListPages(app, deps)
  registerRefundPages(app, deps)
  registerMeasurePages(app, deps)
  registerFigurePages(app, deps)
  registerSheetPages(app, deps)
}
