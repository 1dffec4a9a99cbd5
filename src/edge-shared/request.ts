/**
 * What the API and the pages read from a request the same way: headers from Node's parsed request, the client's
 * address.
 * @module edge-shared/request
 */
import type { Context } from 'hono'

type NodeIncoming = {
  headers: Record<string, string | string[] | undefined>
  socket?: { remoteAddress?: string }
}

/** Node's request under @hono/node-server; undefined elsewhere (app.request in tests). */
export const nodeIncoming = (c: Context): NodeIncoming | undefined =>
  (c.env as { incoming?: NodeIncoming } | undefined)?.incoming

/**
 * A request header. Under @hono/node-server it is read straight from Node's parsed headers, skipping the web
 * Headers layer (a name check and value normalisation per lookup) on routes that answer in microseconds.
 * Elsewhere (app.request in tests) from the Request.
 */
export function headerOf(c: Context, name: string): string | undefined {
  const incoming = nodeIncoming(c)
  if (!incoming) return c.req.header(name)
  const v = incoming.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** The client's address as the socket reports it ('local' for app.request in tests). */
export function clientOf(c: Context): string {
  return nodeIncoming(c)?.socket?.remoteAddress ?? 'local'
}
