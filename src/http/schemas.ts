/**
 * Request and response schemas shared by the route groups.
 * @module http/schemas
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { CreditCode, IsoDate, RequestInvalid } from '../app/requests.ts'

export { CreditCode, IsoDate }

import { headerOf } from './context.ts'

export const County = z.string().regex(/^\d{6}$/, 'a 6-digit county code')
export const Industry = z.string().regex(/^[A-Z]?\d{2,4}$/, 'a GB/T 4754 industry code')
export const Year = z.coerce.number().int().min(2000).max(2100)
export const Json = z.record(z.string(), z.any())

/** A JSON success response for the OpenAPI document. */
export const ok = (description: string, status: 200 | 201 = 200) => ({
  [status]: { description, content: { 'application/json': { schema: Json } } },
})

export const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i

/**
 * The JSON body of `c`, read and then checked by `schema` with a plain synchronous safeParse, for hot routes. The
 * @hono/zod-openapi validator chain (a media-type gate and a validator middleware, then an async parse) cost more
 * per request than the quote itself; the answers are the same: 415 for another media type, 400 for malformed
 * JSON, 422 VALIDATION_FAILED with zod's issues and their paths.
 */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  return bodyOf(schema, await jsonValue(c))
}

/** The JSON body as parsed, before its schema: 415 for another media type, 400 for malformed JSON. */
export async function jsonValue(c: Context): Promise<unknown> {
  if (!JSON_TYPE.test(headerOf(c, 'content-type') ?? ''))
    throw new HTTPException(415, { message: 'send the body as application/json' })
  try {
    return await c.req.json()
  } catch {
    throw new HTTPException(400, { message: 'Malformed JSON in request body' })
  }
}

/** A parsed JSON body checked by `schema`: 422 VALIDATION_FAILED with zod's issues and their paths. */
export function bodyOf<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new RequestInvalid(parsed.error, 'body')
  return parsed.data
}

type Where = 'param' | 'query' | 'body'
/** Accepted path or query inputs kept per route part (each a few hundred bytes). */
const ACCEPTED_KEPT = 10_000
/** A documented route's request schemas, as createRoute keeps them. */
type Documented = {
  request?: {
    params?: z.ZodType
    query?: z.ZodType
    body?: { content: { 'application/json'?: { schema: z.ZodType } } }
  }
}
type Part<R extends Documented, K extends 'params' | 'query'> = NonNullable<R['request']>[K]
type JsonPart<R extends Documented> = NonNullable<
  NonNullable<R['request']>['body']
>['content']['application/json'] extends {
  schema: infer S extends z.ZodType
}
  ? S
  : never

/**
 * The check a hot route runs, derived from its documented contract: the very schema objects the OpenAPI document
 * shows validate the request (synchronously, without the validator chain), so the contract and the executed check
 * are one path. A failure is the 422 the chain would give.
 */
export function contractOf<R extends Documented>(route: R) {
  const check = <T extends z.ZodType | undefined>(schema: T, where: Where) => {
    // The schema's answer for inputs it accepted, kept (bounded): the same input is answered as the schema answered
    // it, without parsing again. Path and query parts are strings, so the key is their length-prefixed values.
    const accepted = new Map<string, z.output<NonNullable<T>>>()
    return (value: Record<string, string | undefined>): z.output<NonNullable<T>> => {
      let key = ''
      for (const k in value) {
        const v = value[k]
        key += v === undefined ? '-;' : `${v.length}:${v};`
      }
      const hit = accepted.get(key)
      if (hit !== undefined) return hit
      const parsed = schema!.safeParse(value)
      if (!parsed.success) throw new RequestInvalid(parsed.error, where)
      if (accepted.size >= ACCEPTED_KEPT) accepted.clear()
      accepted.set(key, parsed.data as z.output<NonNullable<T>>)
      return parsed.data as z.output<NonNullable<T>>
    }
  }
  const body = route.request?.body?.content['application/json']?.schema
  return {
    params: check(route.request?.params as Part<R, 'params'>, 'param'),
    query: check(route.request?.query as Part<R, 'query'>, 'query'),
    /** The JSON body (415 for another media type, 400 for malformed JSON), checked by the documented schema. */
    json: (c: Context) => jsonBody(c, body as JsonPart<R>),
    /** A body already parsed (see jsonValue), checked by the documented schema. */
    body: (value: unknown) => bodyOf(body as JsonPart<R>, value),
  }
}
