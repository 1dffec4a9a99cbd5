/**
 * Rulebook versions: list, read, create (validated exactly as `mujun rules check`), and the rules in force.
 * @module http/routes/rulebook
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { PreconditionError } from '../../db/store.ts'
import { resolve } from '../../rulebook/resolve.ts'
import { resolvedToJson } from '../../rulebook/resolved-json.ts'
import { type AppDeps, type AppEnv, actorOf, authorize } from '../context.ts'
import { County, IsoDate, ok } from '../schemas.ts'

export function registerRulebookRoutes(app: OpenAPIHono<AppEnv>, { store }: AppDeps) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook',
      tags: ['rulebook'],
      summary:
        'The rules in force for a county on a date (approved and filed county overrides applied)',
      request: {
        query: z.object({
          county: County.optional(),
          date: IsoDate.optional(),
        }),
      },
      responses: ok('resolved rules with each item’s origin'),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'county', 'utility', 'enterprise'])
      const q = c.req.valid('query')
      const { id, rulebook } = store.activeRulebook()
      const resolved = resolve(
        rulebook,
        q.county ?? rulebook.meta.jurisdiction.code,
        q.date ?? new Date().toISOString().slice(0, 10),
      )
      return c.json({ version: id, ...resolvedToJson(rulebook, resolved) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook/versions',
      tags: ['rulebook'],
      summary: 'All rulebook versions, newest (active) first',
      responses: ok('versions'),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'county', 'utility', 'enterprise'])
      return c.json({ versions: store.listRulebookVersions() }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook/versions/{id}',
      tags: ['rulebook'],
      summary: 'One rulebook version with its files',
      request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
      responses: ok('the version'),
    }),
    (c) => {
      authorize(c.get('principal'), ['bureau', 'county', 'utility', 'enterprise'])
      const v = store.getRulebookVersion(c.req.valid('param').id)
      c.header('ETag', `"rb${v.id}"`)
      return c.json(v, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/rulebook/versions',
      tags: ['rulebook'],
      summary:
        'Create a new rulebook version from its files (validated as `mujun rules check`; needs If-Match of the active version)',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                note: z.string().min(1).max(2000),
                files: z
                  .array(
                    z.object({
                      path: z
                        .string()
                        .regex(/^[\w./-]+\.ya?ml$/)
                        .max(200),
                      text: z.string().max(2_000_000),
                    }),
                  )
                  .min(1)
                  .max(200),
              }),
            },
          },
        },
      },
      responses: ok('the new version (or the existing one with the same files)', 201),
    }),
    (c) => {
      const p = authorize(c.get('principal'), ['bureau'])
      const body = c.req.valid('json')
      const current = `"rb${store.activeRulebook().id}"`
      const ifMatch = c.req.header('if-match')
      if (ifMatch === undefined)
        throw new PreconditionError(
          `a new version replaces the active one: send If-Match: ${current}`,
          428,
        )
      if (ifMatch !== current)
        throw new PreconditionError(
          `If-Match ${ifMatch} is stale; the active version is ${current}`,
          412,
        )
      const v = store.saveRulebookVersion(body.files, actorOf(p), body.note)
      c.header('ETag', `"rb${v.id}"`)
      return c.json({ id: v.id, hash: v.hash, created: v.created }, 201)
    },
  )
}
