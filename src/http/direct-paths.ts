/**
 * The server's direct paths for a utility's two hot requests, answered from node's request without hono's router,
 * request and context objects: GET /v1/enterprises/{creditCode}/tier, asked for every customer, and POST
 * /v1/quotes of a plain bill, asked once a month for every customer. Once their answers are cached or templated,
 * the framework's work per request is most of their cost (docs/performance.md, "HTTP").
 *
 * A direct path answers only a request the app would answer 200, with the same body and headers, by the same steps:
 * the token through the same cache, the parts checked by the same documented schemas, the same `tierJson` and
 * `billTexts`. Anything else goes on to the app (`next`), which answers it as it always did, with its error and its
 * failed-login count: a HEAD, another query, a missing or unknown token, a malformed part, a firm out of scope or
 * unknown, a body that is chunked, large or not JSON, a quote that is not a plain bill. A quote's body read here is
 * handed on with the request (`rawBody`, which @hono/node-server reads instead of the spent stream).
 * `test/direct-paths.test.ts` holds the paths to the app's answers.
 * @module http/direct-paths
 */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type ServerResponse,
} from 'node:http'
import type { Services } from '../app/services.ts'
import { revisionHead } from './revision.ts'
import { TIER_CONTENT_TYPE, tierLookup } from './routes/tier.ts'
import { JSON_TYPE } from './schemas.ts'

type Direct = (req: IncomingMessage, res: ServerResponse, next: () => void) => void

// The path and, at most, a date: credit codes and dates have no characters that need escaping, so a request that
// escapes one is left to the app, which decodes it.
const TIER_URL = /^\/v1\/enterprises\/([0-9A-Za-z]{1,40})\/tier(?:\?date=([0-9-]{1,10}))?$/
const BEARER = /^Bearer\s+(\S+)$/i
/** A plain bill's body is a few hundred bytes: a larger one is the app's to read and limit. */
const QUOTE_BODY_MAX = 16 * 1024

/**
 * The direct paths over `services`; `headers` are added to each answer they give (a worker's name, as workerFetch
 * adds it to the app's answers).
 */
export function directPaths(
  services: Pick<Services, 'pricing' | 'store' | 'tokens'>,
  headers: Record<string, string> = {},
): Direct {
  const { store, tokens, pricing } = services
  const lookup = tierLookup(services)
  const revision = revisionHead(store)
  /** The caller, as the app's authentication finds it: undefined leaves the request to the app. */
  const principal = (req: IncomingMessage) => {
    const bearer = BEARER.exec(req.headers.authorization ?? '')
    if (!bearer) return undefined
    // Whatever another process committed is seen first.
    store.syncForRequest()
    return tokens.principal(bearer[1])
  }
  const answer = (res: ServerResponse, type: string, rev: string, json: string) => {
    res.writeHead(200, {
      'content-type': type,
      'mujun-revision': rev,
      'content-length': Buffer.byteLength(json),
      ...headers,
    })
    res.end(json)
  }

  const tier: Direct = (req, res, next) => {
    const url = TIER_URL.exec(req.url!)!
    const p = principal(req)
    if (!p) return next()
    let json: string
    try {
      json = lookup(p, { creditCode: url[1], date: url[2], knownAt: undefined })
    } catch {
      // The app answers it again, with its problem (the lookup wrote nothing).
      return next()
    }
    answer(res, TIER_CONTENT_TYPE, revision(), json)
  }

  const quote: Direct = (req, res, next) => {
    const length = req.headers['content-length']
    if (
      !JSON_TYPE.test(req.headers['content-type'] ?? '') ||
      req.headers['transfer-encoding'] !== undefined ||
      length === undefined ||
      !/^\d{1,6}$/.test(length) ||
      Number(length) > QUOTE_BODY_MAX
    )
      return next()
    const p = principal(req)
    if (!p) return next()
    // Named before the body is read, as the app's middleware names it before its handler runs.
    const rev = revision()
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('error', () => res.destroy())
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      let json: string | undefined
      try {
        json = pricing.billTexts(p)?.(JSON.parse(body.toString('utf8')))?.json
      } catch {
        // Malformed JSON, or a caller who may not quote: the app's answer.
      }
      if (json !== undefined) return answer(res, 'application/json', rev, json)
      ;(req as IncomingMessage & { rawBody?: Buffer }).rawBody = body
      next()
    })
  }

  return (req, res, next) => {
    if (req.method === 'GET' && TIER_URL.test(req.url ?? '')) return tier(req, res, next)
    if (req.method === 'POST' && req.url === '/v1/quotes') return quote(req, res, next)
    next()
  }
}

/** For `serve({ createServer })` of @hono/node-server: node's server, whose requests meet `direct` first. */
export function serverWith(direct: Direct) {
  return ((options: object, listener: RequestListener) =>
    createServer(options, (req, res) =>
      direct(req, res, () => listener(req, res)),
    )) as unknown as typeof createServer
}
