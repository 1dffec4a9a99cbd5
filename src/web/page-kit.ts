/**
 * What every page module shares: the session cookie and who it names, form parsing, refusals as text.
 * @module web/page-kit
 */
import type { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import type { Services } from '../app/services.ts'
import type { AuthFailureLimiter } from '../edge-shared/auth-limiter.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'

/** The cookie that holds a logged-in browser's token. */
export const COOKIE = 'mujun_token'

export type PageApp = Hono<any>

/** A page request: its query, its headers and cookies. */
export type PageRequest = { req: { header(n: string): string | undefined } } & Parameters<
  typeof getCookie
>[0]

/** What a page module mounts with. */
export interface PageDeps {
  services: Services
  /** Failed logins per client (shared with the API's failed authentications). */
  limiter: AuthFailureLimiter
  /** The principal of the request's session cookie, if it names a valid token. */
  who: (c: PageRequest) => Principal | undefined
}

/** The deps of the page modules over `services`. */
export function pageDeps(services: Services, limiter: AuthFailureLimiter): PageDeps {
  return {
    services,
    limiter,
    who: (c) => {
      const token = getCookie(c, COOKIE)
      return token ? services.tokens.principal(token) : undefined
    },
  }
}

/** A form's fields, or undefined when the body is not a form that parses. */
export async function formOf(c: { req: { parseBody(): Promise<Record<string, unknown>> } }) {
  try {
    return await c.req.parseBody()
  } catch {
    return undefined
  }
}

/** A page's refusal: a domain error as plain text with its status; anything else is thrown on. */
export function problemText(c: { text(t: string, s: 400): Response }, e: unknown): Response {
  if (e instanceof MujunError) return c.text(e.message, e.status as 400)
  throw e
}
