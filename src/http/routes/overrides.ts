/**
 * County overrides: propose, edit (draft), submit, approve / reject (city), file (province), withdraw, preview;
 * and the audit log.
 * @module http/routes/overrides
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Role } from '../../db/store.ts'
import { type AppDeps, type AppEnv, actorOf, authorize } from '../context.ts'
import { ok } from '../schemas.ts'

const OverrideId = z.object({ id: z.string().regex(/^[a-z][a-z0-9_-]*$/) })

/** Who may take each step: the city decides; the county proposes, submits, files and withdraws its own. */
const ACTION_ROLES: Record<string, Role[]> = {
  submit: ['county', 'bureau'],
  approve: ['bureau'],
  reject: ['bureau'],
  file: ['county', 'bureau'],
  withdraw: ['county', 'bureau'],
}

export function registerOverrideRoutes(app: OpenAPIHono<AppEnv>, { store }: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/overrides',
      tags: ['overrides'],
      summary: 'County overrides and their status (a county sees its own)',
      responses: ok('overrides'),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau', 'county'])
      return c.json(
        { overrides: store.listOverrides(p.role === 'county' ? p.scope : undefined) },
        200,
      )
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/overrides',
      tags: ['overrides'],
      summary:
        'Propose an override: the text of a counties/*.yaml file in status draft (validated as `mujun rules check`)',
      request: {
        body: {
          content: {
            'application/json': { schema: z.object({ text: z.string().min(1).max(500_000) }) },
          },
        },
      },
      responses: ok('the draft override', 201),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['county', 'bureau'])
      const o = store.proposeOverride(
        c.req.valid('json').text,
        actorOf(p),
        p.role === 'county' ? p.scope : undefined,
      )
      c.header('ETag', o.etag)
      return c.json(o, 201)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/overrides/{id}',
      tags: ['overrides'],
      summary: 'One override with its text and status history',
      request: { params: OverrideId },
      responses: ok('the override'),
    }),
    (c) => {
      const o = store.getOverride(c.req.valid('param').id)
      authorize(c.get('principal'), ['bureau', 'county'], { county: o.county })
      c.header('ETag', o.etag)
      return c.json(o, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/overrides/{id}',
      tags: ['overrides'],
      summary: 'Replace a draft override’s text (needs If-Match; a submitted one cannot be edited)',
      request: {
        params: OverrideId,
        body: {
          content: {
            'application/json': { schema: z.object({ text: z.string().min(1).max(500_000) }) },
          },
        },
      },
      responses: ok('the edited draft'),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['county', 'bureau'])
      const o = store.editOverride(
        c.req.valid('param').id,
        c.req.valid('json').text,
        c.req.header('if-match'),
        actorOf(p),
        p.role === 'county' ? p.scope : undefined,
      )
      c.header('ETag', o.etag)
      return c.json(o, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/overrides/{id}/{action}',
      tags: ['overrides'],
      summary:
        'submit · approve / reject (city, with a decision reference) · file (provincial filing reference) · withdraw',
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
      responses: ok('the override after the step'),
    }),
    (c) => {
      const { id, action } = c.req.valid('param')
      const p = authorize(c.get('principal'), ACTION_ROLES[action])
      const o = store.transitionOverride(
        id,
        action,
        { ...c.req.valid('json'), by: actorOf(p) },
        actorOf(p),
        p.role === 'county' ? p.scope : undefined,
      )
      return c.json(o, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/overrides/{id}/preview',
      tags: ['overrides'],
      summary:
        'What the override would do: enterprises whose class or surcharge changes, revenue change per resource, rule rows changed',
      request: {
        params: OverrideId,
        query: z.object({ year: z.coerce.number().int().min(2000).max(2100) }),
      },
      responses: ok('the preview'),
    }),
    (c) => {
      const o = store.getOverride(c.req.valid('param').id)
      authorize(c.get('principal'), ['bureau', 'county'], { county: o.county })
      const { year } = c.req.valid('query')
      return c.json(store.overridePreview(o.id, year) as never, 200)
    },
  )

  app.openapi(
    createRoute({
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
      responses: ok('entries'),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau'])
      return c.json({ entries: store.listAudit(c.req.valid('query')) }, 200)
    },
  )
}
