/**
 * City rulebook versions: list, read, import (validated as `mujun rules check`; files equal to an older version
 * make it active again), a rule-level diff of two versions, and the rules in force.
 * @module http/routes/rulebook
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { authorize } from '../../app/authorize.ts'
import type { ActPreview } from '../../app/changes.ts'
import { CorrectionSchema } from '../../app/correction.ts'
import type { ImportResult } from '../../app/rulebooks.ts'
import type { Services } from '../../app/services.ts'
import type { DatedChange } from '../../rulebook/dated-change.ts'
import { resolvedToJson } from '../../rulebook/resolved-json.ts'
import { type AppEnv, answerJob } from '../context.ts'
import {
  ActPreviewSchema,
  accepted,
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

export function registerRulebookRoutes(
  app: OpenAPIHono<AppEnv>,
  { rulebooks, store, jobs }: Services,
) {
  app.openapi(ROUTES['GET /v1/rulebook'], (c) => {
    const q = c.req.valid('query')
    const { active, resolved } = rulebooks.resolved(
      c.get('principal'),
      q.county,
      q.date ?? store.today(),
    )
    c.header('ETag', active.etag)
    return c.json({ version: active.id, ...resolvedToJson(active.rulebook, resolved) }, 200)
  })

  app.openapi(ROUTES['GET /v1/rulebook/versions'], (c) => {
    const versions = rulebooks.versions(c.get('principal'))
    // The ETag a new version's If-Match must carry: which version is in force, and since which activation.
    c.header('ETag', rulebooks.activeEtag())
    return c.json({ versions }, 200)
  })

  app.openapi(ROUTES['GET /v1/rulebook/versions/{id}'], (c) =>
    c.json(rulebooks.version(c.get('principal'), c.req.valid('param').id), 200),
  )

  app.openapi(ROUTES['GET /v1/rulebook/versions/{a}/diff/{b}'], (c) => {
    const { a, b } = c.req.valid('param')
    return c.json(rulebooks.diff(c.get('principal'), a, b) as never, 200)
  })

  app.openapi(ROUTES['POST /v1/rulebook/versions'], (c) => {
    const body = c.req.valid('json')
    const v = rulebooks.importCity(c.get('principal'), body.files, body.note, {
      ifMatch: c.req.header('if-match'),
      requireIfMatch: true,
      countyFiles: 'refuse',
      effectiveOn: body.effectiveOn,
      correction: body.correction,
    })
    c.header('ETag', v.etag)
    return c.json(imported(v), (v.activated || v.effectiveOn ? 201 : 200) as 201)
  })

  app.openapi(ROUTES['POST /v1/rulebook/changes'], (c) => {
    const body = c.req.valid('json')
    const p = c.get('principal')
    authorize(p, 'rulebook.import')
    const files = rulebooks.changedFiles(changeOf(body))
    const v = rulebooks.importCity(p, files, noteOf(body), {
      ifMatch: c.req.header('if-match'),
      countyFiles: 'refuse',
      effectiveOn: body.effectiveOn,
      correction: body.correction,
    })
    c.header('ETag', v.etag)
    return c.json(imported(v), 201)
  })

  app.openapi(ROUTES['POST /v1/rulebook/previews'], async (c) => {
    const body = c.req.valid('json')
    const p = c.get('principal')
    authorize(p, 'rulebook.preview')
    const files = 'files' in body ? body.files : rulebooks.changedFiles(changeOf(body))
    return answerJob<ActPreview, 200>(
      c,
      jobs.start(p, {
        kind: 'city-preview',
        files,
        effectiveOn: body.effectiveOn,
        months: body.months,
      }),
      200,
    )
  })
}

const Files = z
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
  .max(200)

const Months = z.number().int().min(1).max(60).optional()

const ChangeBody = z
  .object({
    section: z.string().min(1).max(40),
    id: z.string().min(1).max(64),
    from: IsoDate.openapi({ description: 'the first day of the new value' }),
    set: z
      .array(
        z.object({
          path: z
            .string()
            .min(1)
            .max(200)
            .openapi({ example: 'rates[class=D][minConsecutiveYears=].rate' }),
          value: z.string().min(1).max(100),
        }),
      )
      .min(1)
      .max(50),
    document: z
      .string()
      .trim()
      .min(2)
      .max(200)
      .openapi({ description: 'the document (文号) that sets the value' }),
    note: z.string().trim().max(2000).optional(),
    effectiveOn: IsoDate.optional(),
    correction: CorrectionSchema.optional(),
  })
  .openapi('RuleChange')

const changeOf = (
  b: z.infer<typeof ChangeBody> | Omit<z.infer<typeof ChangeBody>, 'correction'>,
): DatedChange => ({
  section: b.section,
  id: b.id,
  from: b.from,
  set: b.set,
  document: b.document,
  note: b.note,
})

const noteOf = (b: z.infer<typeof ChangeBody>) =>
  `${b.section} ${b.id} from ${b.from}: ${b.set.map((x) => `${x.path} = ${x.value}`).join(', ')} (${b.document})${b.note ? `: ${b.note}` : ''}`

const imported = (v: ImportResult) => ({
  id: v.id,
  hash: v.hash,
  created: v.created,
  activated: v.activated,
  ...(v.effectiveOn && { effectiveOn: v.effectiveOn }),
  ...(v.reach && { reach: v.reach }),
  ...(v.correction && { correction: v.correction }),
})

/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/rulebook': createRoute({
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
  'GET /v1/rulebook/versions': createRoute({
    method: 'get',
    path: '/v1/rulebook/versions',
    tags: ['rulebook'],
    summary: 'All city rulebook versions, newest first; `active` marks the one in force',
    responses: reply(VersionListSchema, 'versions'),
  }),
  'GET /v1/rulebook/versions/{id}': createRoute({
    method: 'get',
    path: '/v1/rulebook/versions/{id}',
    tags: ['rulebook'],
    summary: 'One city rulebook version with its files (county overrides are not part of it)',
    request: { params: z.object({ id: VersionId }) },
    responses: reply(VersionSchema, 'the version'),
  }),
  'GET /v1/rulebook/versions/{a}/diff/{b}': createRoute({
    method: 'get',
    path: '/v1/rulebook/versions/{a}/diff/{b}',
    tags: ['rulebook'],
    summary:
      'What changes from version a to version b: items added, removed and changed, field by field',
    request: { params: z.object({ a: VersionId, b: VersionId }) },
    responses: reply(DiffSchema, 'the diff'),
  }),
  'POST /v1/rulebook/versions': createRoute({
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
              files: Files,
              effectiveOn: IsoDate.optional().openapi({
                description:
                  'a later day from which the version is in force (a scheduled activation)',
              }),
              correction: CorrectionSchema.optional().openapi({
                description:
                  'required when the change alters an answer for a day before its own (CITY_RETROACTIVE otherwise): reason, document (文号) and the digest of its preview (POST /v1/rulebook/previews)',
              }),
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
  'POST /v1/rulebook/changes': createRoute({
    method: 'post',
    path: '/v1/rulebook/changes',
    tags: ['rulebook'],
    summary:
      'Change one rule item from a day: the item in force that day is closed on it and a copy with the new values opens from it, citing the document. A new city version, activated now or on `effectiveOn`; a day before today is a correction',
    request: {
      body: { content: { 'application/json': { schema: ChangeBody } } },
    },
    responses: reply(VersionImportedSchema, 'the new version', 201),
  }),
  'POST /v1/rulebook/previews': createRoute({
    method: 'post',
    path: '/v1/rulebook/previews',
    tags: ['rulebook'],
    summary:
      'What a new city version would re-price before it is made: given whole files, or one dated change. Every firm priced month by month (the next `months`, default 12, plus the months it reaches back) under the rules now and after; the digest it answers with is what a correction sends. Runs as a job; with `Prefer: respond-async` answers 202',
    request: {
      body: {
        content: {
          'application/json': {
            schema: z.union([
              z.object({
                files: Files,
                effectiveOn: IsoDate.optional(),
                months: Months,
              }),
              ChangeBody.omit({ correction: true }).extend({ months: Months }),
            ]),
          },
        },
      },
    },
    responses: { ...reply(ActPreviewSchema, 'the preview'), ...accepted },
  }),
}
