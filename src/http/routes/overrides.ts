/**
 * County overrides: propose, edit (draft), submit, approve / reject (city), file (province), withdraw, preview;
 * and the audit log. Each override is a record with its own ETag; the rules are enforced in app/overrides.
 * @module http/routes/overrides
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Services } from '../../app/services.ts'
import type { AppEnv } from '../context.ts'
import {
  AuditSchema,
  OverrideListSchema,
  OverrideSchema,
  PreviewSchema,
  reply,
} from '../responses.ts'

const OverrideId = z.object({ id: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/) })
const OverrideText = z.object({ text: z.string().min(1).max(500_000) })
/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/overrides': createRoute({
    method: 'get',
    path: '/v1/overrides',
    tags: ['overrides'],
    summary: 'County overrides and their status (a county sees its own)',
    responses: reply(OverrideListSchema, 'overrides'),
  }),
  'POST /v1/overrides': createRoute({
    method: 'post',
    path: '/v1/overrides',
    tags: ['overrides'],
    summary:
      'Propose an override: the text of an override file in status draft, checked against the city rules in force',
    request: { body: { content: { 'application/json': { schema: OverrideText } } } },
    responses: reply(OverrideSchema, 'the draft override', 201),
  }),
  'GET /v1/overrides/{id}': createRoute({
    method: 'get',
    path: '/v1/overrides/{id}',
    tags: ['overrides'],
    summary: 'One override with its text and status history (ETag for If-Match)',
    request: { params: OverrideId },
    responses: reply(OverrideSchema, 'the override'),
  }),
  'PUT /v1/overrides/{id}': createRoute({
    method: 'put',
    path: '/v1/overrides/{id}',
    tags: ['overrides'],
    summary:
      'Replace a draft override’s text (If-Match: this override’s ETag; a submitted one cannot be edited)',
    request: {
      params: OverrideId,
      body: { content: { 'application/json': { schema: OverrideText } } },
    },
    responses: reply(OverrideSchema, 'the edited draft'),
  }),
  'POST /v1/overrides/{id}/repair': createRoute({
    method: 'post',
    path: '/v1/overrides/{id}/repair',
    tags: ['overrides'],
    summary:
      'The bureau repairs an override record: sets its end (`to`, a date or null) or withdraws it (`withdraw: true`) outside its workflow, as a correction (reason and document). Refused unless the rules in force are valid after it',
    request: {
      params: OverrideId,
      body: {
        content: {
          'application/json': {
            schema: z
              .object({
                to: z.iso.date().nullable().optional(),
                withdraw: z.literal(true).optional(),
                correction: z.object({
                  reason: z.string().trim().min(3).max(2000),
                  document: z.string().trim().min(2).max(200),
                }),
              })
              .strict(),
          },
        },
      },
    },
    responses: reply(OverrideSchema, 'the override after the repair'),
  }),
  'POST /v1/overrides/{id}/{action}': createRoute({
    method: 'post',
    path: '/v1/overrides/{id}/{action}',
    tags: ['overrides'],
    summary:
      'submit · approve / reject (city, with a decision reference) · file (provincial filing reference; refused when `from` precedes the filing date) · withdraw. If-Match optional',
    request: {
      params: OverrideId.extend({
        action: z.enum(['submit', 'approve', 'reject', 'file', 'withdraw']),
      }),
      body: {
        content: {
          'application/json': {
            schema: z.object({
              ref: z.string().min(1).max(200).optional(),
              date: z.iso.date().optional(),
              reason: z.string().max(2000).optional(),
            }),
          },
        },
      },
    },
    responses: reply(OverrideSchema, 'the override after the step'),
  }),
  'GET /v1/overrides/{id}/preview': createRoute({
    method: 'get',
    path: '/v1/overrides/{id}/preview',
    tags: ['overrides'],
    summary:
      'What the override would do: enterprises whose class or surcharge changes, revenue change per resource, rule rows changed',
    request: {
      params: OverrideId,
      query: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
    },
    responses: reply(PreviewSchema, 'the preview'),
  }),
  'GET /v1/audit': createRoute({
    method: 'get',
    path: '/v1/audit',
    tags: ['audit'],
    summary: 'The append-only audit log, newest first, filterable by subject prefix and date',
    request: {
      query: z.object({
        subject: z.string().max(200).optional(),
        from: z.iso.date().optional(),
        to: z.iso.date().optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        offset: z.coerce.number().int().min(0).default(0),
      }),
    },
    responses: reply(AuditSchema, 'entries'),
  }),
}

export function registerOverrideRoutes(app: OpenAPIHono<AppEnv>, { overrides, audit }: Services) {
  app.openapi(ROUTES['GET /v1/overrides'], (c) =>
    c.json({ overrides: overrides.list(c.get('principal')) }, 200),
  )

  app.openapi(ROUTES['POST /v1/overrides'], async (c) => {
    const o = await overrides.propose(c.get('principal'), c.req.valid('json').text)
    c.header('ETag', o.etag)
    return c.json(o, 201)
  })

  app.openapi(ROUTES['GET /v1/overrides/{id}'], (c) => {
    const o = overrides.get(c.get('principal'), c.req.valid('param').id)
    c.header('ETag', o.etag)
    return c.json(o, 200)
  })

  app.openapi(ROUTES['PUT /v1/overrides/{id}'], async (c) => {
    const o = await overrides.edit(
      c.get('principal'),
      c.req.valid('param').id,
      c.req.valid('json').text,
      c.req.header('if-match'),
    )
    c.header('ETag', o.etag)
    return c.json(o, 200)
  })

  app.openapi(ROUTES['POST /v1/overrides/{id}/repair'], (c) => {
    const o = overrides.repair(c.get('principal'), c.req.valid('param').id, c.req.valid('json'))
    c.header('ETag', o.etag)
    return c.json(o, 200)
  })

  app.openapi(ROUTES['POST /v1/overrides/{id}/{action}'], async (c) => {
    const { id, action } = c.req.valid('param')
    const o = await overrides.transition(
      c.get('principal'),
      id,
      action,
      c.req.valid('json'),
      c.req.header('if-match'),
    )
    c.header('ETag', o.etag)
    return c.json(o, 200)
  })

  app.openapi(ROUTES['GET /v1/overrides/{id}/preview'], async (c) =>
    c.json(
      (await overrides.previewOffThread(
        c.get('principal'),
        c.req.valid('param').id,
        c.req.valid('query').year,
      )) as never,
      200,
    ),
  )

  app.openapi(ROUTES['GET /v1/audit'], (c) =>
    c.json({ entries: audit.list(c.get('principal'), c.req.valid('query')) }, 200),
  )
}
