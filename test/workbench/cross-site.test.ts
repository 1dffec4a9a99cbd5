/**
 * Every form of the workbench against a real server: a state-changing POST from another site is refused, with a
 * live session and even with that session's CSRF token; a same-site POST without the token is refused too; and
 * nothing is written either way (the audit log does not move). The routes come from the page table, so a form
 * added later is covered without touching this file.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { allows } from '../../src/app/permissions.ts'
import type { DemoTokens } from '../../src/demo/seed.ts'
import type { Role } from '../../src/principal.ts'
import { PAGE_ACTIONS } from '../../src/web/page-actions.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { csrfOf, sessionCookie } from '../support/session.ts'
import { tempDir } from '../support/tmp.ts'

afterAll(stopAll)

let s: Server
let tokens: DemoTokens
const request = (path: string, init: RequestInit = {}) =>
  fetch(`${s.base}${path}`, { redirect: 'manual', ...init })

beforeAll(async () => {
  const dir = tempDir('cross-site')
  s = await startServer({ DB_PATH: join(dir, 'm.db') })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 120_000)

/** A concrete path for a route pattern (`:id` and the like become a value that names nothing). */
const concrete = (pattern: string) => pattern.replace(/:[A-Za-z]+/g, 'cixi_x1')

const ROLE_TOKEN: [Role, keyof DemoTokens][] = [
  ['bureau', 'bureau'],
  ['economy', 'economy'],
  ['county', 'county'],
  ['enterprise', 'enterprise'],
]

describe('a cross-site form post is refused on every form of the workbench', () => {
  it('with a live session, foreign Origin → 403 even with the CSRF token; same site without the token → 403; nothing written', async () => {
    const sessions = new Map<Role, { cookie: string; csrf: string }>()
    for (const [role, key] of ROLE_TOKEN) {
      const cookie = await sessionCookie(request, tokens[key] as string)
      sessions.set(role, { cookie, csrf: await csrfOf(request, cookie) })
    }
    const auditHead = async () =>
      (await api(s.base, 'GET', '/v1/audit?limit=1', tokens.bureau)).body
    const before = await auditHead()
    // The newest entry (the logins above wrote some): the comparison below is of a real entry, not of two refusals.
    expect(JSON.stringify(before)).toMatch(/"id":\d+/)

    const posts = Object.entries(PAGE_ACTIONS).filter(([k]) => k.startsWith('POST '))
    expect(posts.length).toBeGreaterThan(3)
    const answers: string[] = []
    for (const [key, action] of posts) {
      const path = concrete(key.slice(5))
      if (path === '/login' || path === '/logout') continue
      const role =
        action === 'public' ? 'bureau' : ROLE_TOKEN.map(([r]) => r).find((r) => allows(r, action))
      if (!role) continue
      const { cookie, csrf } = sessions.get(role)!
      const send = (origin: string, withToken: boolean) =>
        request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin },
          body: new URLSearchParams({
            ...(withToken ? { _csrf: csrf } : {}),
            reason: '跨站',
            confirm: '1',
          }).toString(),
        })
      for (const origin of ['http://evil.example', 'http://127.0.0.1.evil.example']) {
        const res = await send(origin, true)
        answers.push(`${key} from ${origin}: ${res.status}`)
      }
      const noToken = await send(s.base, false)
      answers.push(`${key} without the token: ${noToken.status}`)
    }
    expect(answers.filter((a) => !a.endsWith(': 403'))).toEqual([])
    expect(await auditHead()).toEqual(before)
  }, 120_000)
})
