/**
 * The server's direct path for tier lookups: GET /v1/enterprises/{creditCode}/tier answered from node's request
 * without hono's router, request and context objects. A utility asks it for every customer, and once its answer is
 * cached the framework's work per request is most of the cost (docs/performance.md, "Tier lookups").
 *
 * It answers only a request the app would answer 200, with the same body and headers, by the same steps: the
 * token through the same cache, the parts checked by the same documented schemas, the same `tierJson`. Anything
 * else goes on to the app unanswered (a HEAD, another query, a missing or unknown token, a malformed part, a firm
 * out of scope or unknown), and the app answers it as it always did: its error, its failed-login count.
 * `test/fast-tier.test.ts` holds the two paths to the same answers.
 * @module http/fast-tier
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

// The path and, at most, a date: credit codes and dates have no characters that need escaping, so a request that
// escapes one is left to the app, which decodes it.
const TIER_URL = /^\/v1\/enterprises\/([0-9A-Za-z]{1,40})\/tier(?:\?date=([0-9-]{1,10}))?$/
const BEARER = /^Bearer\s+(\S+)$/i

/**
 * `(req, res) => true` when it answered the request, `false` when the app must. `headers` are added to each answer
 * (a worker's name, as workerFetch adds it to the app's).
 */
export function fastTier(
  services: Pick<Services, 'pricing' | 'store' | 'tokens'>,
  headers: Record<string, string> = {},
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { store, tokens } = services
  const lookup = tierLookup(services)
  const revision = revisionHead(store)
  return (req, res) => {
    if (req.method !== 'GET') return false
    const url = TIER_URL.exec(req.url ?? '')
    if (!url) return false
    const bearer = BEARER.exec(req.headers.authorization ?? '')
    if (!bearer) return false
    // As the app's authentication does first: whatever another process committed is seen.
    store.syncForRequest()
    const p = tokens.principal(bearer[1])
    if (!p) return false
    let json: string
    try {
      json = lookup(p, { creditCode: url[1], date: url[2], knownAt: undefined })
    } catch {
      // The app answers it again, with its problem (the lookup wrote nothing).
      return false
    }
    res.writeHead(200, {
      'content-type': TIER_CONTENT_TYPE,
      'mujun-revision': revision(),
      'content-length': Buffer.byteLength(json),
      ...headers,
    })
    res.end(json)
    return true
  }
}

/**
 * For `serve({ createServer })` of @hono/node-server: node's server, whose requests meet `direct` before the
 * app's listener.
 */
export function serverWith(direct: (req: IncomingMessage, res: ServerResponse) => boolean) {
  return ((options: object, listener: RequestListener) =>
    createServer(options, (req, res) => {
      if (!direct(req, res)) listener(req, res)
    })) as unknown as typeof createServer
}
