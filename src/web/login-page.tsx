/** @jsxImportSource hono/jsx */
/**
 * Logging in and out: a valid token is exchanged for a server-side session whose id alone goes into the cookie;
 * each role lands on its home page. Logging out ends the session on the server.
 * @module web/login-page
 */
import { getCookie } from 'hono/cookie'
import { can } from '../app/permissions.ts'
import { clientOf } from '../edge-shared/request.ts'
import type { Principal } from '../principal.ts'
import { type Lang, langOf, phrases, t } from './i18n.ts'
import { Field, Notice } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import {
  COOKIE,
  clearSessionCookie,
  formOf,
  type PageApp,
  type PageDeps,
  setSessionCookie,
} from './page-kit.ts'

const say = phrases({
  intro: {
    zh: '请输入本单位的访问令牌。令牌只用于换取会话，不会保存在浏览器中。',
    en: 'Enter your office’s access token. It is exchanged for a session and not kept in the browser.',
  },
  wrong: {
    zh: '令牌无效、已过期或已吊销，请核对后重新输入',
    en: 'The token is not valid, has expired or was revoked; check it and enter it again',
  },
  empty: { zh: '请输入访问令牌', en: 'Enter your access token' },
  tooMany: {
    zh: '失败次数过多，请稍后再试',
    en: 'Too many failed attempts; try again shortly',
  },
  refused: { zh: '未能登录', en: 'You are not logged in' },
  malformed: {
    zh: '表单内容无法读取，请重新提交',
    en: 'The form could not be read; send it again',
  },
})

/** The login form, with the refusal on top and beside the token field. */
function LoginForm(props: { lang: Lang; error?: string; top?: string }) {
  const { lang } = props
  return (
    <Layout lang={lang} title={t(lang, 'login')} path="/login" loggedIn={false}>
      {props.top ? (
        <Notice kind="error" id="login-error">
          {say(lang, 'refused')}：{props.top}
        </Notice>
      ) : null}
      <p>{say(lang, 'intro')}</p>
      <form method="post" action={`/login?lang=${lang}`} id="login">
        <Field name="token" type="password" label={t(lang, 'token')} required error={props.error} />
        <button type="submit">{t(lang, 'login')}</button>
      </form>
    </Layout>
  )
}

/** Where a role lands after logging in (the permission table's home.* rows; an enterprise on its own page). */
export function homeOf(p: Principal): string {
  if (p.role === 'enterprise') return '/my'
  if (can(p, 'home.overview')) return '/overview'
  if (can(p, 'home.programme')) return '/programme'
  if (can(p, 'home.measures')) return '/measures'
  return '/self-check'
}

export function registerLoginPages(app: PageApp, deps: PageDeps) {
  const { services, limiter, who } = deps
  app.get('/login', (c) => c.html(<LoginForm lang={langOf(c.req.query('lang'))} />))

  app.post('/login', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const refuse = (
      status: 400 | 401 | 429,
      message: string,
      headers: Record<string, string> = {},
    ) => c.html(<LoginForm lang={lang} error={message} top={message} />, status, headers)
    const form = await formOf(c)
    if (!form) return refuse(400, say(lang, 'malformed'))
    const token = typeof form.token === 'string' ? form.token.trim() : ''
    const made = token ? services.sessions.login(token, getCookie(c, COOKIE)) : undefined
    if (!made) {
      // The login form answers like the API: a valid token always passes, guesses are counted per address.
      const wait = limiter.refuse(clientOf(c), Date.now())
      if (wait > 0) return refuse(429, say(lang, 'tooMany'), { 'Retry-After': String(wait) })
      return refuse(401, say(lang, token ? 'wrong' : 'empty'))
    }
    setSessionCookie(c, made.id, deps.cookieSecure)
    return c.redirect(`${homeOf(made.session.principal)}?lang=${lang}`)
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
