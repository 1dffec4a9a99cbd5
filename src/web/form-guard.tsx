/** @jsxImportSource hono/jsx */
/**
 * The check before every state-changing page route (every POST): a request from another origin is refused, and a
 * request from a logged-in browser must carry its session's CSRF token. SameSite=Strict alone is not enough: pages
 * on another port or subdomain of the same site pass it.
 * @module web/form-guard
 */
import type { Context } from 'hono'
import { langOf } from './i18n.ts'
import { Layout } from './layout.tsx'
import { CSRF_FIELD, formOf, type PageApp, type PageDeps } from './page-kit.ts'

/** Guards each of `paths` (POST routes) on `app`; mounted before their handlers. */
export function guardForms(app: PageApp, deps: PageDeps, paths: string[]) {
  const guard = async (c: Context, next: () => Promise<void>) => {
    if (c.req.method !== 'POST') return next()
    // Browsers send Origin with every POST; a client that sends none is not a browser another site can drive.
    const origin = c.req.header('origin')
    if (origin !== undefined && !sameSite(origin, c)) return refuse(c, 'origin')
    // Logging in needs no session (login CSRF is the foreign origin refused above).
    const session = c.req.path === '/login' ? undefined : deps.session(c)
    if (session) {
      const form = await formOf(c)
      if (!form || !deps.services.sessions.csrfMatches(session, form[CSRF_FIELD]))
        return refuse(c, 'csrf')
    }
    return next()
  }
  for (const path of paths) app.use(path, guard)
}

/**
 * Whether `origin` names this server: its host and port are the request's `Host` (or the URL's). The scheme is not
 * compared: behind a proxy that ends TLS the browser's origin is https and the request the server sees is http, and
 * another site can set neither the Origin nor the Host of a browser's request. A proxy must pass the Host it was
 * asked for (docs/operations.md).
 */
function sameSite(origin: string, c: Context): boolean {
  let host: string
  try {
    host = new URL(origin).host
  } catch {
    return false // "null" (a sandboxed frame, a file) or garbage
  }
  return host === c.req.header('host') || host === new URL(c.req.url).host
}

const WHY = {
  origin: {
    zh: '此请求来自其他网站，已拒绝。请在本系统的页面上操作。',
    en: 'This request came from another site and was refused. Use this service’s own pages.',
  },
  csrf: {
    zh: '表单已失效或并非来自本页面，已拒绝。请刷新页面后重试。',
    en: 'The form has expired or did not come from this page, and was refused. Reload the page and try again.',
  },
}

/** 403 as a page, in Chinese and in English: the request did nothing. */
function refuse(c: Context, why: keyof typeof WHY) {
  const lang = langOf(c.req.query('lang'))
  return c.html(
    <Layout lang={lang} title="403" path="/self-check" loggedIn={false}>
      <p class="err" id="refused" data-reason={why}>
        {WHY[why].zh}
      </p>
      <p class="err" lang="en">
        {WHY[why].en}
      </p>
    </Layout>,
    403,
  )
}
