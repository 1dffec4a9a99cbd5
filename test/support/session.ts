/**
 * Logging in on the pages as a browser does: POST /login with a token, keep the session cookie it sets.
 */

/** The `Cookie` header of a new page session for `token` (`request` is fetch on a server, or app.request). */
export async function sessionCookie(
  request: (path: string, init: RequestInit) => Response | Promise<Response>,
  token: string,
): Promise<string> {
  const res = await request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
    redirect: 'manual',
  })
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]
  if (res.status !== 302 || !cookie.startsWith('mujun_session='))
    throw new Error(`login failed: ${res.status}`)
  return cookie
}

/** The CSRF token the page at `path` carries in its forms for the session of `cookie`. */
export async function csrfOf(
  request: (path: string, init: RequestInit) => Response | Promise<Response>,
  cookie: string,
  path = '/logout',
): Promise<string> {
  const html = await (await request(path, { headers: { cookie } })).text()
  const m = /name="_csrf" value="([^"]*)"/.exec(html)
  if (!m?.[1]) throw new Error(`no CSRF token on ${path}`)
  return m[1]
}
