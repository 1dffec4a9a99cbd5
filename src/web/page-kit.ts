/**
 * What every page module shares: the session cookie and who it names, form parsing, refusals as text.
 * @module web/page-kit
 */
import type { Context, Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { jsx } from 'hono/jsx'
import type { Services } from '../app/services.ts'
import { SESSION_HOURS, type Session } from '../app/sessions.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { langOf } from './i18n.ts'
import { problemMessage } from './kit/problems.ts'
import { Notice } from './kit/ui.tsx'
import { Layout } from './layout.tsx'

/** The cookie that holds a logged-in browser's session id (never its token). */
export const COOKIE = 'mujun_session'

/** The form field every state-changing form carries: its session's CSRF token. */
export const CSRF_FIELD = '_csrf'

export type PageApp = Hono<any>

/** A page request: its query, its headers and cookies. */
export type PageRequest = { req: { header(n: string): string | undefined } } & Parameters<
  typeof getCookie
>[0]

/** A logged-in visitor: the session's principal, with the CSRF token the pages' forms carry for it. */
export type Visitor = Principal & { csrf: string }

/** What a page module mounts with. */
export interface PageDeps {
  services: Services
  /** Failed logins per client (shared with the API's failed authentications). */
  limiter: AuthFailureLimiter
  /** The principal of the request's session cookie, if it names a live session. */
  who: (c: PageRequest) => Visitor | undefined
  /** The live session the request's cookie names, if any. */
  session: (c: PageRequest) => Session | undefined
  /** Session cookies are marked Secure on every request, not only those that came over TLS (COOKIE_SECURE=1). */
  cookieSecure: boolean
}

/** The deps of the page modules over `services`. */
export function pageDeps(
  services: Services,
  limiter: AuthFailureLimiter,
  cookieSecure = false,
): PageDeps {
  // One session lookup per request, however many times a page asks who is logged in.
  const seen = new WeakMap<object, Session | null>()
  const session = (c: PageRequest) => {
    const key = (c as { req: { raw?: object } }).req.raw ?? c
    let s = seen.get(key)
    if (s === undefined) {
      s = services.sessions.resume(getCookie(c, COOKIE)) ?? null
      seen.set(key, s)
    }
    return s ?? undefined
  }
  return {
    services,
    limiter,
    session,
    who: (c) => {
      const s = session(c)
      return s && { ...s.principal, csrf: s.csrf }
    },
    cookieSecure,
  }
}

/** Sets the session cookie: HttpOnly, SameSite=Strict, Secure over TLS or when configured. */
export function setSessionCookie(c: Context, id: string, secure: boolean) {
  setCookie(c, COOKIE, id, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    maxAge: SESSION_HOURS * 3600,
    secure: secure || new URL(c.req.url).protocol === 'https:',
  })
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, COOKIE, { path: '/' })
}

/** A form's fields, or undefined when the body is not a form that parses. */
export async function formOf(c: { req: { parseBody(): Promise<Record<string, unknown>> } }) {
  try {
    return await c.req.parseBody()
  } catch {
    return undefined
  }
}

/**
 * A page's refusal: a domain error as a page in the visitor's language (what went wrong by its stable code, the
 * code itself for the help desk), with its status; anything else is thrown on.
 */
export function problemText(c: Context, e: unknown, who?: Principal): Response | Promise<Response> {
  if (!(e instanceof MujunError)) throw e
  const lang = langOf(c.req.query('lang'))
  const page = Layout({
    lang,
    title: lang === 'zh' ? '无法办理' : 'Not possible',
    path: new URL(c.req.url).pathname,
    loggedIn: who !== undefined,
    who,
    children: Notice({
      kind: 'error',
      id: 'refusal',
      children: [problemMessage(lang, e), ' ', Code({ children: e.code })],
    }),
  })
  return c.html(page, e.status as 400)
}

const Code = (props: { children: string }) => jsx('code', {}, props.children)
