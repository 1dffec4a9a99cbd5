/** @jsxImportSource hono/jsx */
/**
 * Logging in and out: the token goes into an httpOnly session cookie; each role lands on its home page.
 * @module web/login-page
 */
import { deleteCookie, setCookie } from 'hono/cookie'
import { can } from '../app/permissions.ts'
import { clientOf } from '../edge-shared/request.ts'
import { langOf, t } from './i18n.ts'
import { Layout } from './layout.tsx'
import { COOKIE, type PageApp, type PageDeps } from './page-kit.ts'

export function registerLoginPages(app: PageApp, { services, limiter }: PageDeps) {
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
    let form: Record<string, unknown>
    try {
      form = await c.req.parseBody()
    } catch {
      return refuse(400)
    }
    const token = typeof form.token === 'string' ? form.token : ''
    const p = services.tokens.principal(token)
    if (!p) {
      // The login form answers like the API: a valid token always passes, guesses are counted per address.
      const wait = limiter.refuse(clientOf(c), Date.now())
      return wait > 0 ? refuse(429, { 'Retry-After': String(wait) }) : refuse(401)
    }
    setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' })
    const home = can(p, 'home.overview')
      ? '/overview'
      : can(p, 'home.programme')
        ? '/programme'
        : '/self-check'
    return c.redirect(`${home}?lang=${lang}`)
  })

  app.get('/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/' })
    return c.redirect(`/self-check?lang=${langOf(c.req.query('lang'))}`)
  })
}
