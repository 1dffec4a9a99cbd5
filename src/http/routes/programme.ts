/**
 * The rectification programme (整治提升 / 腾笼换鸟): projects and dispositions (counties), progress against the targets,
 * list deadlines, quarterly reports (and their CSV), and the fund allocation (the economy-and-IT office).
 * @module http/routes/programme
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Services } from '../../app/services.ts'
import { MujunError } from '../../errors.ts'
import type { AppEnv } from '../context.ts'

import { ROUTES } from './programme.routes.ts'

/** A record's answer with its version as the ETag (`"p3"`, `"d3"`), the If-Match of its next change. */
const withEtag = <R extends { version: number }, S extends 200 | 201>(
  c: Context<AppEnv>,
  kind: 'p' | 'd',
  row: R,
  status: S,
) => {
  c.header('ETag', `"${kind}${row.version}"`)
  return c.json(row, status)
}
/** `"p3"` or `"d3"` → 3; anything else is a version no record has (412). */
const versionOf = (header: string | undefined, kind: 'p' | 'd') => {
  if (header === undefined) return undefined
  const m = new RegExp(`^(?:W/)?"?${kind}(\\d+)"?$`).exec(header.trim())
  return m ? Number(m[1]) : Number.NaN
}

export function registerProgrammeRoutes(app: OpenAPIHono<AppEnv>, { programme }: Services) {
  const _route = createRoute
  app.openapi(ROUTES['POST /v1/projects'], (c) => {
    const row = programme.registerProject(c.get('principal'), c.req.valid('json'))
    return withEtag(c, 'p', row, 201)
  })

  app.openapi(ROUTES['GET /v1/projects'], (c) =>
    c.json({ rows: programme.listProjects(c.get('principal'), c.req.valid('query')) }, 200),
  )

  app.openapi(ROUTES['GET /v1/projects/{id}'], (c) => {
    const row = programme.projectDetail(c.get('principal'), c.req.valid('param').id)
    return withEtag(c, 'p', row, 200)
  })

  app.openapi(ROUTES['PATCH /v1/projects/{id}'], (c) => {
    const row = programme.updateProject(
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('json'),
      versionOf(c.req.header('if-match'), 'p'),
    )
    return withEtag(c, 'p', row, 200)
  })

  app.openapi(ROUTES['POST /v1/projects/{id}/dispositions'], (c) => {
    const row = programme.addDisposition(
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('json'),
    )
    return withEtag(c, 'd', row, 201)
  })

  app.openapi(ROUTES['PATCH /v1/dispositions/{id}'], (c) => {
    const row = programme.updateDisposition(
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('json'),
      versionOf(c.req.header('if-match'), 'd'),
    )
    return withEtag(c, 'd', row, 200)
  })

  app.openapi(ROUTES['POST /v1/projects/{id}/dispositions:import'], async (c) => {
    if (!/^text\/csv\s*(;|$)/i.test(c.req.header('content-type') ?? ''))
      throw new MujunError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV as content-type: text/csv', {
        status: 415,
      })
    const bytes = new Uint8Array(await c.req.arrayBuffer())
    return c.json(
      programme.importDispositions(c.get('principal'), c.req.valid('param').id, bytes),
      201,
    )
  })

  app.openapi(ROUTES['POST /v1/dispositions/{id}/verify'], (c) => {
    const row = programme.verifyDisposition(
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('json'),
      versionOf(c.req.header('if-match'), 'd'),
    )
    return withEtag(c, 'd', row, 200)
  })

  app.openapi(ROUTES['GET /v1/enterprises/{creditCode}/dispositions'], (c) =>
    c.json(programme.ofEnterprise(c.get('principal'), c.req.valid('param').creditCode), 200),
  )

  app.openapi(ROUTES['GET /v1/programme/progress'], async (c) => {
    const { asOf } = c.req.valid('query')
    await programme.ready(c.get('principal'), asOf)
    return c.json(programme.progress(c.get('principal'), asOf), 200)
  })

  app.openapi(ROUTES['GET /v1/programme/lists/{year}'], (c) =>
    c.json({ rows: programme.lists(c.get('principal'), c.req.valid('param').year) }, 200),
  )

  app.openapi(ROUTES['GET /v1/programme/reports'], (c) =>
    c.json({ rows: programme.reportStates(c.get('principal'), c.req.valid('query').quarter) }, 200),
  )

  app.openapi(ROUTES['GET /v1/programme/reports/{county}/{quarter}'], (c) => {
    const { county, quarter } = c.req.valid('param')
    return c.json(programme.report(c.get('principal'), county, quarter), 200)
  })

  app.openapi(ROUTES['GET /v1/programme/reports/{county}/{quarter}/report.csv'], (c) => {
    const { county, quarter } = c.req.valid('param')
    return c.body(programme.reportCsv(c.get('principal'), county, quarter), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="report-${county}-${quarter}.csv"`,
    })
  })

  app.openapi(ROUTES['POST /v1/programme/reports/{county}/{quarter}'], (c) => {
    const { county, quarter } = c.req.valid('param')
    return c.json(
      programme.submitReport(c.get('principal'), county, quarter, c.req.valid('json')),
      201,
    )
  })

  app.openapi(ROUTES['GET /v1/programme/backdate-requests'], (c) =>
    c.json({ rows: programme.backdateRequests(c.get('principal'), c.req.valid('query')) }, 200),
  )

  app.openapi(ROUTES['POST /v1/programme/backdate-requests/{id}/decision'], (c) =>
    c.json(
      programme.decideBackdate(c.get('principal'), c.req.valid('param').id, c.req.valid('json')),
      200,
    ),
  )

  app.openapi(ROUTES['GET /v1/funds/{year}/preview'], (c) =>
    c.json(programme.fundPreview(c.get('principal'), c.req.valid('param').year), 200),
  )

  app.openapi(ROUTES['POST /v1/funds/{year}'], (c) =>
    c.json(programme.fixFund(c.get('principal'), c.req.valid('param').year) as never, 201),
  )

  app.openapi(ROUTES['GET /v1/funds/{year}'], (c) =>
    c.json(programme.fund(c.get('principal'), c.req.valid('param').year) as never, 200),
  )
}
