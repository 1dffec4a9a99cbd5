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
    requests: {
      setupRequest: (
        req: Record<string, unknown> & { headers?: Record<string, string> },
      ) => Record<string, unknown>
    }[]
  }
  export default function autocannon(options: Options): Promise<Result>
}
