// Issue 26, "Hostile input, second round": the browser holds a server-side session, never the API token. Against
// real server processes (src/server.ts), as a browser on another site would try it.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { api, type Server, startServer, stopAll } from '../support/server.ts'
import { csrfOf, sessionCookie } from '../support/session.ts'
import { tempDir } from '../support/tmp.ts'

let dir: string
let db: string
let s: Server
let tokens: DemoTokens

beforeAll(async () => {
  dir = tempDir('sessions')
  db = join(dir, 'm.db')
  s = await startServer({ DB_PATH: db })
  tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
}, 60_000)
afterAll(stopAll)

const request = (path: string, init: RequestInit = {}) =>
  fetch(`${s.base}${path}`, { redirect: 'manual', ...init })
const page = (path: string, cookie: string) => request(path, { headers: { cookie } })
/** A form POST as a browser sends it: urlencoded fields, the session cookie, and Origin when given. */
const post = (path: string, cookie: string, fields: Record<string, string>, origin?: string) =>
  request(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie,
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  })
const login = (token: string) => sessionCookie(request, token)
const sessionsDb = () => new Database(db)

describe('The cookie is the API token', () => {
  it('/login exchanges the token for a session: the cookie holds a random id, HttpOnly, SameSite=Strict, Path=/', async () => {
    const res = await request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.bureau }).toString(),
    })
    expect(res.status).toBe(302)
    const header = res.headers.get('set-cookie') ?? ''
    const [pair, ...attrs] = header.split(/;\s*/)
    const [name, value] = pair.split('=')
    expect(name).toBe('mujun_session')
    expect(value).not.toContain(tokens.bureau)
    // 256 bits, base64url.
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']))
    // Over plain HTTP without COOKIE_SECURE the cookie cannot be Secure (the browser would drop it).
    expect(attrs).not.toContain('Secure')
    // Only its sha256 is stored, with the token it stands for.
    const conn = sessionsDb()
    try {
      const hash = createHash('sha256').update(value).digest('hex')
      expect(
        conn.prepare('SELECT count(*) FROM web_sessions WHERE id_hash = ?').pluck().get(hash),
      ).toBe(1)
      expect(
        conn.prepare('SELECT count(*) FROM web_sessions WHERE id_hash = ?').pluck().get(value),
      ).toBe(0)
    } finally {
      conn.close()
    }
    expect((await page('/overview', pair)).status).toBe(200)
  })

  it('the session id is not a bearer token, and a token in the old cookie opens no page', async () => {
    const cookie = await login(tokens.bureau)
    const id = cookie.split('=')[1]
    expect((await api(s.base, 'GET', '/v1/rulebook/versions', id)).status).toBe(401)
    expect((await page('/overview', `mujun_token=${tokens.bureau}`)).status).toBe(401)
    expect((await page('/overview', `mujun_session=${tokens.bureau}`)).status).toBe(401)
  })

  it('logout is a POST with the CSRF token; it ends the session on the server, so the old cookie is dead', async () => {
    const cookie = await login(tokens.observer)
    const offer = await page('/logout', cookie)
    expect(offer.status).toBe(200)
    const csrf = await csrfOf(request, cookie)
    // Without the CSRF token (a link or another site's form) nothing ends.
    expect((await post('/logout', cookie, {})).status).toBe(403)
    expect((await page('/overview', cookie)).status).toBe(200)
    const out = await post('/logout', cookie, { _csrf: csrf })
    expect(out.status).toBe(303)
    expect(out.headers.get('set-cookie')).toMatch(/^mujun_session=;/)
    // The value a thief copied before the logout opens nothing after it.
    expect((await page('/overview', cookie)).status).toBe(401)
    const audit = await api(s.base, 'GET', '/v1/audit?subject=token/', tokens.bureau)
    const acts = audit.body.entries.map((e: { action: string }) => e.action)
    expect(acts).toEqual(expect.arrayContaining(['session.login', 'session.logout']))
  })

  it('every POST page route needs the session’s CSRF token: without it, or with another session’s, 403', async () => {
    const cookie = await login(tokens.economy)
    const other = await csrfOf(request, await login(tokens.economy))
    const form = { disposition: '1', version: '1', project: '1' }
    for (const fields of [form, { ...form, _csrf: other }, { ...form, _csrf: '' }]) {
      const res = await post('/programme/verify', cookie, fields)
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('data-reason="csrf"')
    }
    // With it, the request reaches the page's own handler (which answers for the disposition).
    const csrf = await csrfOf(request, cookie)
    const res = await post('/programme/verify', cookie, { ...form, _csrf: csrf })
    expect(await res.text()).not.toContain('data-reason="csrf"')
  })

  it('a POST from another origin is refused 403 with a Chinese and English page, the CSRF token notwithstanding', async () => {
    const cookie = await login(tokens.economy)
    const csrf = await csrfOf(request, cookie)
    for (const origin of [
      'http://evil.example',
      s.base.replace('127.0.0.1', 'localhost'),
      'null',
    ]) {
      const res = await post(
        '/programme/verify',
        cookie,
        { disposition: '1', version: '1', project: '1', _csrf: csrf },
        origin,
      )
      expect(res.status).toBe(403)
      const html = await res.text()
      expect(html).toContain('此请求来自其他网站，已拒绝')
      expect(html).toContain('This request came from another site and was refused')
    }
    // The anonymous self-check is a POST page route too.
    expect(
      (await post('/self-check', '', { county: '330282' }, 'http://evil.example')).status,
    ).toBe(403)
    // The server's own origin passes.
    const own = await post(
      '/programme/verify',
      cookie,
      { disposition: '1', version: '1', project: '1', _csrf: csrf },
      s.base,
    )
    expect(own.status).not.toBe(403)
  })

  it('/login refuses a foreign origin: another site cannot log a browser into its own account', async () => {
    const res = await post('/login', '', { token: tokens.enterprise }, 'http://evil.example')
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
    expect((await post('/login', '', { token: tokens.enterprise }, s.base)).status).toBe(302)
  })

  it('behind a proxy that ends TLS the browser’s https origin of this host passes; another host’s does not', async () => {
    // The browser saw https://<host>; the server sees http with the same Host (the proxy passes it on).
    const https = s.base.replace('http://', 'https://')
    expect((await post('/login', '', { token: tokens.enterprise }, https)).status).toBe(302)
    const other = https.replace('127.0.0.1', 'localhost')
    expect((await post('/login', '', { token: tokens.enterprise }, other)).status).toBe(403)
  })

  it('revoking a token ends its sessions', async () => {
    const made = await api(s.base, 'POST', '/v1/tokens', tokens.bureau, {
      role: 'observer',
      label: 'session revocation',
    })
    expect(made.status).toBe(201)
    const cookie = await login(made.body.token)
    expect((await page('/overview', cookie)).status).toBe(200)
    expect((await api(s.base, 'DELETE', `/v1/tokens/${made.body.id}`, tokens.bureau)).status).toBe(
      200,
    )
    expect((await page('/overview', cookie)).status).toBe(401)
  })

  it('a session ends 30 minutes after its last use and 12 hours after login; use keeps it alive', async () => {
    const cookie = await login(tokens.observer)
    const hash = createHash('sha256').update(cookie.split('=')[1]).digest('hex')
    const conn = sessionsDb()
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
    const set = (column: 'seen_at' | 'expires_at', at: string) =>
      conn.prepare(`UPDATE web_sessions SET ${column} = ? WHERE id_hash = ?`).run(at, hash)
    try {
      set('seen_at', ago(29))
      expect((await page('/overview', cookie)).status).toBe(200)
      // The use was recorded: the idle spell starts again.
      const seen = conn
        .prepare('SELECT seen_at FROM web_sessions WHERE id_hash = ?')
        .pluck()
        .get(hash)
      expect((seen as string) > ago(1)).toBe(true)
      set('seen_at', ago(31))
      expect((await page('/overview', cookie)).status).toBe(401)
      const fresh = await login(tokens.observer)
      const freshHash = createHash('sha256').update(fresh.split('=')[1]).digest('hex')
      conn
        .prepare('UPDATE web_sessions SET expires_at = ? WHERE id_hash = ?')
        .run(ago(1), freshHash)
      expect((await page('/overview', fresh)).status).toBe(401)
    } finally {
      conn.close()
    }
  })

  it('the cookie is Secure when COOKIE_SECURE=1 (behind a TLS proxy)', async () => {
    const secure = await startServer({ DB_PATH: db, COOKIE_SECURE: '1' })
    try {
      const res = await fetch(`${secure.base}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.bureau }).toString(),
        redirect: 'manual',
      })
      expect(res.status).toBe(302)
      expect((res.headers.get('set-cookie') ?? '').split(/;\s*/)).toContain('Secure')
    } finally {
      await secure.stop()
    }
  }, 60_000)
})
