/**
 * Counts per client address in a fixed window, bounded: when the table is full the client seen least recently
 * goes; it is never cleared wholesale, so spraying from many addresses cannot reset a locked one.
 * @module edge-shared/auth-limiter
 */
class WindowCounter {
  private clients = new Map<string, { count: number; since: number }>()

  constructor(
    /** The count from which a client waits for the window to end. */
    readonly limit: number,
    readonly windowMs: number,
    readonly maxClients: number,
  ) {}

  /** Seconds until `client` may go on, or 0 when it is under the limit. */
  retryAfter(client: string, now: number): number {
    const f = this.clients.get(client)
    if (!f || now - f.since >= this.windowMs || f.count < this.limit) return 0
    return Math.max(1, Math.ceil((f.since + this.windowMs - now) / 1000))
  }

  /** Counts one event for `client`. */
  count(client: string, now: number): void {
    const f = this.clients.get(client)
    // Re-inserted so the Map's order is least recently counted first.
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

/** Failed authentications a client may make in a minute before its bad tokens are refused (429). */
export const AUTH_FAILURE_LIMIT = 30

/**
 * Failed authentications per client address: after `limit` in a window the client's bad tokens get 429 with
 * Retry-After, while a valid token always passes (a broken client behind a NAT cannot lock out its neighbours).
 */
export class AuthFailureLimiter extends WindowCounter {
  constructor(limit = AUTH_FAILURE_LIMIT, windowMs = 60_000, maxClients = 10_000) {
    super(limit, windowMs, maxClients)
  }

  /** Counts one failure for `client`. */
  fail(client: string, now: number): void {
    this.count(client, now)
  }

  /** A bad token from `client`: the seconds to wait when it is locked out (not counted), else 0 once counted. */
  refuse(client: string, now: number): number {
    const wait = this.retryAfter(client, now)
    if (wait === 0) this.fail(client, now)
    return wait
  }
}

/** Requests per client address and minute, for routes that do real work without a login. */
export class ClientRateLimiter extends WindowCounter {
  constructor(perMinute: number, maxClients = 10_000) {
    super(perMinute + 1, 60_000, maxClients)
  }

  /** Counts a request; returns the seconds to wait when it is over the limit, else 0. */
  take(client: string, now: number): number {
    this.count(client, now)
    return this.retryAfter(client, now)
  }
}
