/**
 * City rulebook versions: list, read, import (validated as `mujun rules check`; files equal to an older version
 * make it active again), a rule-level diff of two versions, and the rules in force.
 * @module http/routes/rulebook
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Services } from '../../app/services.ts'
import { resolvedToJson } from '../../rulebook/resolved-json.ts'
import type { AppEnv } from '../context.ts'
import {
  DiffSchema,
  ResolvedRulesSchema,
  reply,
  VersionImportedSchema,
  VersionListSchema,
  VersionSchema,
} from '../responses.ts'
import { County, IsoDate } from '../schemas.ts'

const VersionId = z.coerce
  .number()
  .int()
  .min(1)
  .max(2 ** 31)

export function registerRulebookRoutes(app: OpenAPIHono<AppEnv>, { rulebooks, store }: Services) {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook',
      tags: ['rulebook'],
      summary:
        'The rules in force for a county on a date: the city version in force plus that county’s filed overrides',
      request: {
        query: z.object({
          county: County.optional(),
          date: IsoDate.optional(),
        }),
      },
      responses: reply(ResolvedRulesSchema, 'resolved rules with each item’s origin'),
    }),
    (c) => {
      const q = c.req.valid('query')
      const { active, resolved } = rulebooks.resolved(
        c.get('principal'),
        q.county,
        q.date ?? store.today(),
      )
      c.header('ETag', active.etag)
      return c.json({ version: active.id, ...resolvedToJson(active.rulebook, resolved) }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook/versions',
      tags: ['rulebook'],
      summary: 'All city rulebook versions, newest first; `active` marks the one in force',
      responses: reply(VersionListSchema, 'versions'),
    }),
    (c) => {
      const versions = rulebooks.versions(c.get('principal'))
      // The ETag a new version's If-Match must carry: which version is in force, and since which activation.
      c.header('ETag', rulebooks.activeEtag())
      return c.json({ versions }, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook/versions/{id}',
      tags: ['rulebook'],
      summary: 'One city rulebook version with its files (county overrides are not part of it)',
      request: { params: z.object({ id: VersionId }) },
      responses: reply(VersionSchema, 'the version'),
    }),
    (c) => c.json(rulebooks.version(c.get('principal'), c.req.valid('param').id), 200),
  )

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/rulebook/versions/{a}/diff/{b}',
      tags: ['rulebook'],
      summary:
        'What changes from version a to version b: items added, removed and changed, field by field',
      request: { params: z.object({ a: VersionId, b: VersionId }) },
      responses: reply(DiffSchema, 'the diff'),
    }),
    (c) => {
      const { a, b } = c.req.valid('param')
      return c.json(rulebooks.diff(c.get('principal'), a, b) as never, 200)
    },
  )

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/rulebook/versions',
      tags: ['rulebook'],
      summary:
        'Make these city files the version in force (validated as `mujun rules check`; If-Match of the version in force). Files equal to a stored version make it active again. counties/ files are refused: overrides go through /v1/overrides',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                note: z.string().min(1).max(2000),
                files: z
                  .array(
                    z.object({
                      path: z.string().min(1).max(200).openapi({
                        description:
                          'a plain relative name: folders and a file name of A-Z a-z 0-9 . _ -, separated by /, ending .yaml or .yml (no . or .. folders); any other is refused with 422 RULE_PATH_INVALID',
                        example: 'pricing.yaml',
                      }),
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
      responses: {
        ...reply(
          VersionImportedSchema,
          'the version now in force: new, or an older one made active again (a rollback)',
          201,
        ),
        200: {
          description: 'the files equal the version already in force: nothing changed',
          content: { 'application/json': { schema: VersionImportedSchema } },
        },
      },
    }),
    (c) => {
      const body = c.req.valid('json')
      const v = rulebooks.importCity(c.get('principal'), body.files, body.note, {
        ifMatch: c.req.header('if-match'),
        requireIfMatch: true,
        countyFiles: 'refuse',
      })
      c.header('ETag', v.etag)
      return c.json(
        { id: v.id, hash: v.hash, created: v.created, activated: v.activated },
        (v.activated ? 201 : 200) as 201,
      )
    },
  )
}
