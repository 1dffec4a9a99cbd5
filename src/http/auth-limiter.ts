/**
 * Failed authentications per client address: after `limit` in a window the client's bad tokens get 429 with
 * Retry-After, while a valid token always passes (a broken client behind a NAT cannot lock out its neighbours).
 * The table is bounded: when full, the client seen least recently goes; it is never cleared wholesale, so spraying
 * failures from many addresses cannot reset a locked one.
 * @module http/auth-limiter
 */
export class AuthFailureLimiter {
  private clients = new Map<string, { count: number; since: number }>()

  constructor(
    readonly limit = 30,
    readonly windowMs = 60_000,
    readonly maxClients = 10_000,
  ) {}

  /** Seconds until `client` may try again, or 0 when it is not locked. */
  retryAfter(client: string, now: number): number {
    const f = this.clients.get(client)
    if (!f || now - f.since >= this.windowMs || f.count < this.limit) return 0
    return Math.max(1, Math.ceil((f.since + this.windowMs - now) / 1000))
  }

  /** Counts one failure for `client`. */
  fail(client: string, now: number): void {
    const f = this.clients.get(client)
    // Re-inserted so the Map's order is least recently failed first.
    this.clients.delete(client)
    this.clients.set(
      client,
      !f || now - f.since >= this.windowMs
        ? { count: 1, since: now }
        : { count: f.count + 1, since: f.since },
    )
    while (this.clients.size > this.maxClients)
      this.clients.delete(this.clients.keys().next().value as string)
  }

  get size(): number {
    return this.clients.size
  }
}

/**
 * Requests per client address in a sliding minute, for routes that do real work without a login. Bounded like
 * AuthFailureLimiter: the least recently seen client goes first, the table is never cleared wholesale.
 */
export class ClientRateLimiter {
  private clients = new Map<string, { count: number; since: number }>()

  constructor(
    readonly perMinute: number,
    readonly maxClients = 10_000,
  ) {}

  /** Counts a request; returns the seconds to wait when over the limit, else 0. */
  take(client: string, now: number): number {
    const f = this.clients.get(client)
    this.clients.delete(client)
    const next =
      !f || now - f.since >= 60_000
        ? { count: 1, since: now }
        : { count: f.count + 1, since: f.since }
    this.clients.set(client, next)
    while (this.clients.size > this.maxClients)
      this.clients.delete(this.clients.keys().next().value as string)
    return next.count > this.perMinute
      ? Math.max(1, Math.ceil((next.since + 60_000 - now) / 1000))
      : 0
  }
}
