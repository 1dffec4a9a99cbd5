/**
 * `GET /v1/enterprises/{code}/provenance`: a bureau's first question about a price (who changed it, when, on whose
 * approval), answered from the records. The notice golden case (test/notice.test.ts) checks the evaluation part:
 * who ran, noticed and published the run and decided the objection that changed the class.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { draftOverride } from './support/overrides.ts'
import { sessionCookie } from './support/session.ts'
import { tempDir } from './support/tmp.ts'

let t: TestApp
let firm: string
const json = async (r: Response) => (await r.json()) as any
const actor = (role: string) => {
  const x = t.store.listTokens().find((k) => k.role === role)!
  return `${x.label} [${role}${x.scope ? ` ${x.scope}` : ''}, token #${x.id}]`
}
const provenance = async (token: string, code = firm, date = '2025-03-01') =>
  call(t.app, 'GET', `/v1/enterprises/${code}/provenance?date=${date}`, { token })

beforeAll(() => {
  // The clock starts before the override's decisions below, which may not be dated in the future.
  t = createTestApp({ size: 120, clockStart: '2025-01-05T00:00:00Z' })
  firm = t.tokens.creditCode
})

describe('the provenance of a price', () => {
  it('names the city version and who activated it, the evaluation and who published it, and who entered the figures', async () => {
    const why = await json(await provenance(t.tokens.utility))
    const tier = await json(
      await call(t.app, 'GET', `/v1/enterprises/${firm}/tier?date=2025-03-01`, {
        token: t.tokens.utility,
      }),
    )
    expect(why).toMatchObject({ creditCode: firm, county: '330282', date: '2025-03-01' })
    expect(why.class).toBe(tier.class)
    expect(why.rates.map((r: any) => [r.resource, r.rate])).toEqual(
      tier.rates.map((r: any) => [r.resource, r.rate]),
    )
    const activation = t.store.activation(t.store.rulesHead()!.activationId)
    expect(why.rules).toMatchObject({
      versionId: tier.rulebookVersion,
      activation: { id: activation.id, at: activation.at, by: activation.by },
    })
    const run = t.store.getRun(tier.evaluationId)
    expect(why.evaluation).toMatchObject({
      id: run.id,
      year: 2024,
      status: 'published',
      createdBy: run.createdBy,
      publishedAt: run.publishedAt,
      publishedBy: run.publishedBy,
      result: { class: tier.class },
      objections: [],
    })
    const figures = t.store.getFigures(firm, 2024)
    expect(why.evaluation.figures).toEqual({
      year: 2024,
      version: figures.version,
      updatedAt: figures.updatedAt,
      updatedBy: figures.updatedBy,
    })
    // No county rule is in force: every schedule comes from a city file.
    expect(why.overrides).toEqual([])
    for (const r of why.rates)
      for (const s of r.schedules) expect(s.origin).toMatchObject({ kind: 'city' })
  })

  it('a county override counts only once approved and filed, and then names both decisions', async () => {
    const id = 'cixi_provenance_test'
    const step = async (action: string, token: string, body: object) => {
      const res = await call(t.app, 'POST', `/v1/overrides/${id}/${action}`, { token, body })
      expect(res.status, `${action}: ${await res.clone().text()}`).toBe(200)
    }
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides', {
          token: t.tokens.county,
          body: { text: draftOverride(id, '330282', '2025-02-01') },
        })
      ).status,
    ).toBe(201)
    await step('submit', t.tokens.county, {})
    t.advanceDays(6)
    await step('approve', t.tokens.bureau, {
      ref: '甬政函〔2025〕9号',
      date: '2025-01-10',
      reason: '经市政府批准',
    })
    // Approved, not yet filed: not in force, not cited.
    expect((await json(await provenance(t.tokens.utility))).overrides).toEqual([])
    t.advanceDays(10)
    await step('file', t.tokens.county, { ref: '浙价备〔2025〕3号', date: '2025-01-20' })
    const why = await json(await provenance(t.tokens.utility))
    expect(why.overrides).toHaveLength(1)
    expect(why.overrides[0]).toMatchObject({ id, status: 'filed', from: '2025-02-01' })
    // Each step with who took it; the city's approval and the provincial filing with their references and dates.
    expect(why.overrides[0].revisions.map((r: any) => [r.action, r.toStatus, r.by, r.ref])).toEqual(
      [
        ['propose', 'draft', actor('county'), null],
        ['submit', 'submitted', actor('county'), null],
        ['approve', 'approved', actor('bureau'), '甬政函〔2025〕9号'],
        ['file', 'filed', actor('county'), '浙价备〔2025〕3号'],
      ],
    )
    expect(why.overrides[0].revisions.slice(2).map((r: any) => r.decisionDate)).toEqual([
      '2025-01-10',
      '2025-01-20',
    ])
    const electricity = why.rates.find((r: any) => r.resource === 'electricity')
    expect(
      electricity.schedules.find((s: any) => s.scheduleId === 'class_electricity'),
    ).toMatchObject({ origin: { kind: 'county', overrideId: id, county: '330282' } })
    // Before the override's `from`, the city rule still applies.
    const before = await json(await provenance(t.tokens.utility, firm, '2025-01-15'))
    expect(before.overrides).toEqual([])
  })

  it('is read with the tier’s roles and scopes, and bad input is refused with its reason', async () => {
    for (const token of [t.tokens.bureau, t.tokens.economy, t.tokens.county, t.tokens.enterprise])
      expect((await provenance(token)).status).toBe(200)
    const elsewhere = t.store
      .listEnterprises({ limit: 200, offset: 0 })
      .rows.find((e) => e.county !== '330282')!.creditCode
    // A scoped token cannot tell another county's firm from one that does not exist.
    const unknown = withCheckChar('91330282MA9999999')
    expect((await provenance(t.tokens.county, elsewhere)).status).toBe(403)
    expect((await provenance(t.tokens.county, unknown)).status).toBe(403)
    expect((await provenance(t.tokens.enterprise, elsewhere)).status).toBe(403)
    expect((await provenance(t.tokens.utility, unknown)).status).toBe(404)
    const malformed = await provenance(t.tokens.utility, '91330282MA99999990')
    expect(malformed.status).toBe(422)
    expect((await json(malformed)).code).toBe('VALIDATION_FAILED')
    expect((await provenance(t.tokens.utility, firm, '2025-02-30')).status).toBe(422)
    const anonymous = await t.app.request(`/v1/enterprises/${firm}/provenance`)
    expect(anonymous.status).toBe(401)
  })

  it('`mujun provenance` prints the same record, as JSON or as lines to read', async () => {
    const db = join(tempDir('provenance'), 'm.db')
    const app = createTestApp({ size: 60, path: db })
    const code = app.tokens.creditCode
    const api = await json(
      await call(app.app, 'GET', `/v1/enterprises/${code}/provenance?date=2025-03-01`, {
        token: app.tokens.utility,
      }),
    )
    const out: string[] = []
    const io = { out: (x: string) => out.push(x), err: (x: string) => out.push(x) }
    const args = ['provenance', code, '--date', '2025-03-01', '--db', db]
    expect(await runCli([...args, '--format', 'json'], io), out.join('\n')).toBe(0)
    expect(JSON.parse(out.join('\n'))).toEqual(api)
    out.length = 0
    expect(await runCli(args, io)).toBe(0)
    const text = out.join('\n')
    expect(text).toContain(`${code} (county 330282) on 2025-03-01: class ${api.class}`)
    expect(text).toContain(`evaluation ${api.evaluation.id} of 2024 (published)`)
    // The demo records its 2024 results as published outside mujun on 2025-01-01 (--published-on): that day is the
    // publication's, and the moment it was recorded is said as such (issue "The evaluation as Zhejiang runs it").
    expect(api.evaluation.publishedOn).toBe('2025-01-01')
    expect(api.evaluation.publishedAt.slice(0, 10)).not.toBe('2025-01-01')
    expect(text).toContain(
      `published on 2025-01-01 (recorded at ${api.evaluation.publishedAt}) by ${api.evaluation.publishedBy}`,
    )
    expect(text).toContain(
      `in force since ${api.rules.activation.at} by ${api.rules.activation.by}`,
    )
    out.length = 0
    expect(await runCli(['provenance', code, '--date', '2025-02-30', '--db', db], io)).toBe(2)
    expect(await runCli(['provenance', `${code.slice(0, 17)}0`, '--db', db], io)).toBe(2)
  })
})

describe('the provenance page', () => {
  const page = async (path: string, token?: string) =>
    t.app.request(
      path,
      token
        ? { headers: { cookie: await sessionCookie((p, i) => t.app.request(p, i), token) } }
        : {},
    )

  it('shows a logged-in enterprise its own record, linked from its self-check page', async () => {
    const selfCheck = await (await page('/self-check?lang=en', t.tokens.enterprise)).text()
    expect(selfCheck).toContain(`/provenance?code=${firm}&amp;lang=en`)
    const res = await page(`/provenance?code=${firm}&date=2025-03-01&lang=en`, t.tokens.enterprise)
    expect(res.status).toBe(200)
    const html = await res.text()
    const why = await json(await provenance(t.tokens.enterprise))
    expect(html).toContain(`${firm}</code> · 2025-03-01`)
    expect(html).toContain(`Evaluation #${why.evaluation.id} (2024)`)
    expect(html).toContain('<span class="badge st-published">Published</span>')
    // The publication's own day (the demo's --published-on), not the day it was recorded.
    expect(why.evaluation.publishedOn).toBe('2025-01-01')
    expect(html).toContain('published <span id="published-on">2025-01-01</span>')
    expect(html).toContain(why.rules.activation.by)
    // The filed override of the test above, with its approval reference.
    expect(html).toContain('甬政函〔2025〕9号')
  })

  it('refuses another firm with the API’s reason, and asks an anonymous visitor to log in', async () => {
    const other = t.store
      .listEnterprises({ limit: 200, offset: 0 })
      .rows.find((e) => e.creditCode !== firm)!.creditCode
    const res = await page(`/provenance?code=${other}&lang=en`, t.tokens.enterprise)
    expect(res.status).toBe(403)
    // Said by the refusal's code in the page's language, not in the API's English.
    expect(await res.text()).toContain('Your role may not do this')
    const escaped = await page(`/provenance?code=%3Cscript%3E&lang=en`, t.tokens.bureau)
    expect(await escaped.text()).not.toContain('<script>')
    expect((await page('/provenance?lang=en')).status).toBe(401)
  })
})
