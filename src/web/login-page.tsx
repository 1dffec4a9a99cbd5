/** @jsxImportSource hono/jsx */
/**
 * Logging in and out: a valid token is exchanged for a server-side session whose id alone goes into the cookie;
 * each role lands on its home page. Logging out ends the session on the server.
 * @module web/login-page
 */
import { getCookie } from 'hono/cookie'
import { can } from '../app/permissions.ts'
import { clientOf } from '../edge-shared/request.ts'
import { langOf, t } from './i18n.ts'
import { CsrfField, Layout } from './layout.tsx'
import {
  COOKIE,
  clearSessionCookie,
  formOf,
  type PageApp,
  type PageDeps,
  setSessionCookie,
} from './page-kit.ts'

export function registerLoginPages(app: PageApp, deps: PageDeps) {
  const { services, limiter, who } = deps
  app.get('/login', (c) => {
    const lang = langOf(c.req.query('lang'))
    return c.html(
      <Layout lang={lang} title={t(lang, 'login')} path="/login" loggedIn={false}>
        <form method="post" action={`/login?lang=${lang}`}>
          <label>
            <span>{t(lang, 'token')}</span>
            <input name="token" type="password" size={50} required />
          </label>
          <button type="submit">{t(lang, 'login')}</button>
        </form>
      </Layout>,
    )
  })

  app.post('/login', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const refuse = (status: 400 | 401 | 429, headers: Record<string, string> = {}) =>
      c.html(
        <Layout lang={lang} title={t(lang, 'login')} path="/login" loggedIn={false}>
          <p class="err">{status}</p>
        </Layout>,
        status,
        headers,
      )
    const form = await formOf(c)
    if (!form) return refuse(400)
    const token = typeof form.token === 'string' ? form.token : ''
    const made = services.sessions.login(token, getCookie(c, COOKIE))
    if (!made) {
      // The login form answers like the API: a valid token always passes, guesses are counted per address.
      const wait = limiter.refuse(clientOf(c), Date.now())
      return wait > 0 ? refuse(429, { 'Retry-After': String(wait) }) : refuse(401)
    }
    setSessionCookie(c, made.id, deps.cookieSecure)
    const p = made.session.principal
    const home = can(p, 'home.overview')
      ? '/overview'
      : can(p, 'home.programme')
        ? '/programme'
        : '/self-check'
    return c.redirect(`${home}?lang=${lang}`)
  })

  // A link can only ask: ending the session is a form (POST with the session's CSRF token).
  app.get('/logout', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!p) {
      clearSessionCookie(c)
      return c.redirect(`/self-check?lang=${lang}`)
    }
    return c.html(
      <Layout lang={lang} title={t(lang, 'logout')} path="/logout" loggedIn={true}>
        <form method="post" action={`/logout?lang=${lang}`} id="logout">
          <CsrfField who={p} />
          <p>{p.label}</p>
          <button type="submit">{t(lang, 'logout')}</button>
        </form>
      </Layout>,
    )
  })

  app.post('/logout', (c) => {
    services.sessions.logout(getCookie(c, COOKIE))
    clearSessionCookie(c)
    return c.redirect(`/self-check?lang=${langOf(c.req.query('lang'))}`, 303)
  })
}
