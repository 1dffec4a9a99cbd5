// autocannon ships no types; only what the API benchmark uses.
declare module 'autocannon' {
  interface Result {
    errors: number
    timeouts: number
    non2xx: number
    requests: { average: number; total: number }
    latency: { p99: number }
  }
  interface Options {
    url: string
    connections: number
    duration: number
    /** Requests per second over all connections (a steady client rather than a flood). */
    overallRate?: number
    requests: {
      setupRequest: (
        req: Record<string, unknown> & { headers?: Record<string, string> },
      ) => Record<string, unknown>
    }[]
  }
  /** A running load: a promise of the result that also reports each response (latency in fractional ms). */
  interface Instance extends Promise<Result> {
    on(
      event: 'response',
      listener: (client: unknown, status: number, bytes: number, ms: number) => void,
    ): Instance
    /** Ends the load early; the promise then resolves with what was measured. */
    stop(): void
  }
  export default function autocannon(options: Options): Instance
}
