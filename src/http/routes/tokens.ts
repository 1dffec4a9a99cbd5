/**
 * API tokens, for the bureau: create (the token is shown once), list, revoke.
 * @module http/routes/tokens
 */

import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Services } from '../../app/services.ts'
import { TokenRequest } from '../../app/tokens.ts'
import type { AppEnv } from '../context.ts'
import { reply, TokenCreatedSchema, TokenListSchema, TokenSchema } from '../responses.ts'

/** The documented contracts of these routes, keyed 'METHOD path'. */
const ROUTES = {
  'GET /v1/tokens': createRoute({
    method: 'get',
    path: '/v1/tokens',
    tags: ['tokens'],
    summary: 'Every token (never the token itself): role, scope, label, expiry, revocation',
    responses: reply(TokenListSchema, 'tokens'),
  }),
  'POST /v1/tokens': createRoute({
    method: 'post',
    path: '/v1/tokens',
    tags: ['tokens'],
    summary:
      'Create a token for a role (county: its county code; enterprise: its credit code; department: its department id); the answer is the only time the token is shown',
    request: { body: { content: { 'application/json': { schema: TokenRequest } } } },
    responses: reply(TokenCreatedSchema, 'the token and its record', 201),
  }),
  'DELETE /v1/tokens/{id}': createRoute({
    method: 'delete',
    path: '/v1/tokens/{id}',
    tags: ['tokens'],
    summary: 'Revoke a token: it fails on the next request in every process',
    request: {
      params: z.object({
        id: z.coerce
          .number()
          .int()
          .min(1)
          .max(2 ** 31),
      }),
    },
    responses: reply(TokenSchema, 'the revoked token’s record'),
  }),
}

export function registerTokenRoutes(app: OpenAPIHono<AppEnv>, { tokens }: Services) {
  app.openapi(ROUTES['GET /v1/tokens'], (c) =>
    c.json({ tokens: tokens.list(c.get('principal')) }, 200),
  )

  app.openapi(ROUTES['POST /v1/tokens'], (c) => {
    c.header('Cache-Control', 'no-store')
    return c.json(tokens.create(c.get('principal'), c.req.valid('json')), 201)
  })

  app.openapi(ROUTES['DELETE /v1/tokens/{id}'], async (c) =>
    c.json(await tokens.revoke(c.get('principal'), c.req.valid('param').id), 200),
  )
}
