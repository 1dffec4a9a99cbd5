/**
 * Designated lists (名单) for sector pricing: propose (经信), approve / reject (pricing bureau), withdraw, and the
 * bureau's record of each addition and each removal after 复查. The rules are enforced in app/lists.
 * @module http/routes/lists
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import {
  ListAddition,
  ListDecision,
  type ListDetail,
  ListProposal,
  ListRemoval,
  listEtag,
} from '../../app/lists.ts'
import type { Services } from '../../app/services.ts'
import type { AppEnv } from '../context.ts'
import { ListSchema, ListSummariesSchema, reply } from '../responses.ts'

const ListId = z.object({ id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/) })
const json = <T extends z.ZodType>(schema: T) => ({
  body: { content: { 'application/json': { schema } } },
})

/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/lists': createRoute({
    method: 'get',
    path: '/v1/lists',
    tags: ['lists'],
    summary:
      'Designated lists (名单) for sector pricing, with their status and how many firms are on each today',
    responses: reply(ListSummariesSchema, 'the lists'),
  }),
  'POST /v1/lists': createRoute({
    method: 'post',
    path: '/v1/lists',
    tags: ['lists'],
    summary:
      'Propose a list (经信): the schedule it governs, its document (文号), start, transition period and first batch of firms',
    request: json(ListProposal),
    responses: reply(ListSchema, 'the proposed list', 201),
  }),
  'GET /v1/lists/{id}': createRoute({
    method: 'get',
    path: '/v1/lists/{id}',
    tags: ['lists'],
    summary:
      'One list with every entry (added on, removed on after 复查, their documents); its ETag, for an optional If-Match on the writes',
    request: { params: ListId },
    responses: reply(ListSchema, 'the list'),
  }),
  'POST /v1/lists/{id}/entries': createRoute({
    method: 'post',
    path: '/v1/lists/{id}/entries',
    tags: ['lists'],
    summary:
      'Record a firm added to the list from `addedOn` (its document in `ref`); dated before today only as a correction {reason, document}',
    request: { params: ListId, ...json(ListAddition) },
    responses: reply(ListSchema, 'the list after the addition', 201),
  }),
  'POST /v1/lists/{id}/removals': createRoute({
    method: 'post',
    path: '/v1/lists/{id}/removals',
    tags: ['lists'],
    summary:
      'Record a firm taken off the list after 复查 from `removedOn` (the 复查 document in `ref`): it pays nothing under the list from that day; dated before today only as a correction',
    request: { params: ListId, ...json(ListRemoval) },
    responses: reply(ListSchema, 'the list after the removal'),
  }),
  'POST /v1/lists/{id}/{action}': createRoute({
    method: 'post',
    path: '/v1/lists/{id}/{action}',
    tags: ['lists'],
    summary:
      'approve / reject (pricing bureau, with a decision reference `ref`; an approval whose first charged day is past is a correction) · withdraw (经信, with a reason)',
    request: {
      params: ListId.extend({ action: z.enum(['approve', 'reject', 'withdraw']) }),
      ...json(ListDecision),
    },
    responses: reply(ListSchema, 'the list after the decision'),
  }),
}

export function registerListRoutes(app: OpenAPIHono<AppEnv>, { lists }: Services) {
  const tagged = <T extends ListDetail>(c: { header(k: string, v: string): void }, l: T): T => {
    c.header('ETag', listEtag(l))
    return l
  }
  app.openapi(ROUTES['GET /v1/lists'], (c) => c.json({ lists: lists.all(c.get('principal')) }, 200))
  app.openapi(ROUTES['POST /v1/lists'], (c) =>
    c.json(tagged(c, lists.propose(c.get('principal'), c.req.valid('json'))), 201),
  )
  app.openapi(ROUTES['GET /v1/lists/{id}'], (c) =>
    c.json(tagged(c, lists.get(c.get('principal'), c.req.valid('param').id)), 200),
  )
  // The fixed paths before the one whose last segment is a parameter.
  app.openapi(ROUTES['POST /v1/lists/{id}/entries'], (c) => {
    const { id } = c.req.valid('param')
    const l = lists.add(c.get('principal'), id, c.req.valid('json'), c.req.header('if-match'))
    return c.json(tagged(c, l), 201)
  })
  app.openapi(ROUTES['POST /v1/lists/{id}/removals'], (c) => {
    const { id } = c.req.valid('param')
    const l = lists.remove(c.get('principal'), id, c.req.valid('json'), c.req.header('if-match'))
    return c.json(tagged(c, l), 200)
  })
  app.openapi(ROUTES['POST /v1/lists/{id}/{action}'], (c) => {
    const { id, action } = c.req.valid('param')
    const l = lists.decide(
      c.get('principal'),
      id,
      action,
      c.req.valid('json'),
      c.req.header('if-match'),
    )
    return c.json(tagged(c, l), 200)
  })
}
