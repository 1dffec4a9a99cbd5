/**
 * Refusals on the pages are pages: in the visitor's language, inside the layout, with the refusal's code; and a
 * county's report page opens without parameters (it answered a bare English "This county token is scoped to
 * 330282, not " in plain text).
 */
import { describe, expect, it } from 'vitest'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/session.ts'

describe('refusals on the pages', () => {
  const t = createTestApp({ size: 120 })
  const request = (path: string, init: RequestInit = {}) => t.app.request(path, init)

  it('a county’s /programme/report without parameters shows its own latest report', async () => {
    const cookie = await sessionCookie(request, t.tokens.county)
    const res = await request('/programme/report', { headers: { cookie } })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('慈溪市')
    expect(html).not.toContain('scoped to')
  })

  it('another county’s report is refused as a Chinese page with its code, and as an English one', async () => {
    const cookie = await sessionCookie(request, t.tokens.county)
    for (const lang of ['zh', 'en'] as const) {
      const res = await request(`/programme/report?county=330281&quarter=2016Q4&lang=${lang}`, {
        headers: { cookie },
      })
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.headers.get('content-type')).toContain('text/html')
      const html = await res.text()
      expect(html).toContain('<header class="top">')
      expect(html).toMatch(/<code>[A-Z_]+<\/code>/)
      if (lang === 'zh') expect(html).toMatch(/您的角色无权执行此操作|未找到该记录/)
      else expect(html.toLowerCase()).toMatch(/not yours to see|your role may not/)
    }
  })
})
