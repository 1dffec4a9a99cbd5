/**
 * The utility's billing run: many quote requests at once, each answered exactly as `POST /v1/quotes` answers it
 * (its quote, or its problem), in request order. NDJSON both ways, streamed: a line is answered as soon as it is
 * read, and the next part of the body is read only as the answers are taken, so a million bills need neither the
 * whole body nor the whole answer in memory. A JSON array (up to MAX_ARRAY requests and MAX_JSON_BYTES) is answered with a JSON array.
 * @module http/routes/bills
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { HTTPException } from 'hono/http-exception'
import { type BillItem, type BillOutcome, quoteAll } from '../../app/billing.ts'
import { QuoteBody } from '../../app/requests.ts'
import type { Services } from '../../app/services.ts'
import { problemOf, RequestInvalid } from '../../edge-shared/problem.ts'
import { ByteWriter } from '../../pricing/quote-template.ts'
import type { Principal } from '../../principal.ts'
import { type AppEnv, authorize, headerOf } from '../context.ts'
import { BillAnswerSchema, BillAnswersSchema, reply } from '../responses.ts'

/** Requests in one JSON-array batch; NDJSON has no count limit, only the body size limit. */
export const MAX_ARRAY = 10_000
/**
 * Bytes of a JSON-array body: parsed whole, a body costs several times its size in memory (100 MB of `[[0,…]]`
 * took the server from 341 to 1,148 MiB), so it is kept small; 10,000 plain requests fit. Large runs are NDJSON,
 * streamed line by line (see middleware bodyCheck, which applies it while the body is read).
 */
export const MAX_JSON_BYTES = 2 * 1024 * 1024
/** Longest NDJSON line, bytes of UTF-16 text: a quote with its 400 readings fits many times over. */
export const MAX_LINE = 256 * 1024
const SINGLE = '/v1/quotes'

const malformed = () => new HTTPException(400, { message: 'Malformed JSON in request body' })

/**
 * The JSON text of one answer of a billing run: the quote, or the problem its single request would get (`route`
 * names the run in the log of an unexpected error).
 */
export function outcomeJson(
  x: BillOutcome,
  log: (m: string) => void,
  route = 'POST /v1/bills',
): string {
  return 'text' in x
    ? x.text.json
    : JSON.stringify('quote' in x ? x.quote : problemOf(x.error, SINGLE, log, route))
}

/** The answers of `quoteAll` as JSON texts. */
function answerAll(
  services: Services,
  p: Principal | undefined,
  items: BillItem[],
  log: (m: string) => void,
): string[] {
  return quoteAll(services, p, items).map((x) => outcomeJson(x, log))
}

/** NDJSON lines to items: JSON parsed, or the single route's 400 (not JSON) or 413 (over MAX_LINE). */
function itemsOf(lines: string[]): BillItem[] {
  const items: BillItem[] = []
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '') continue
    if (line.length > MAX_LINE) {
      items.push({
        error: new HTTPException(413, {
          message: `a request line is longer than ${MAX_LINE} characters`,
        }),
      })
      continue
    }
    try {
      items.push({ value: plainLine(line) ?? JSON.parse(line) })
    } catch {
      items.push({ error: malformed() })
    }
  }
  return items
}

/** The members a plain bill has (see PricingService.billTexts); no other key is read by plainLine. */
const PLAIN_KEYS = new Set(['creditCode', 'resource', 'from', 'to', 'quantity'])
/** A `"key":"value"` member; the value without quote, backslash or control character (nothing to unescape). */
const MEMBER = '"([a-zA-Z]+)":"([^"\\\\\\x00-\\x1f]*)"'
/** A line of exactly five such members. */
const FIVE_MEMBERS = new RegExp(`^\\{${Array(5).fill(MEMBER).join(',')}\\}$`)

/**
 * A line of exactly five members, the plain bill's, each a string with nothing to unescape, read as JSON.parse reads
 * it (the same object, its members in the line's order) at a fraction of its cost; undefined for any other line
 * (then JSON.parse reads it). A billing run reads a million such lines.
 */
export function plainLine(line: string): Record<string, string> | undefined {
  const m = FIVE_MEMBERS.exec(line)
  if (!m) return undefined
  if (
    m[1] === 'creditCode' &&
    m[3] === 'resource' &&
    m[5] === 'quantity' &&
    m[7] === 'from' &&
    m[9] === 'to'
  )
    // The order a billing file is usually written in: one object shape for every line.
    return { creditCode: m[2], resource: m[4], quantity: m[6], from: m[8], to: m[10] }
  const value: Record<string, string> = {}
  for (let k = 1; k < 11; k += 2) {
    if (!PLAIN_KEYS.has(m[k]) || Object.hasOwn(value, m[k])) return undefined
    value[m[k]] = m[k + 1]
  }
  return value
}

export function registerBillRoutes(
  app: OpenAPIHono<AppEnv>,
  services: Services,
  log: (m: string) => void,
) {
  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: '/v1/bills',
      tags: ['utilities'],
      summary:
        'A billing run: many quote requests, each answered as POST /v1/quotes answers it (NDJSON streamed both ways, or a JSON array)',
      description: `application/x-ndjson: one quote request per line; the answer has one line per non-blank request line, in order: the quote, or the problem+json body its single request would get (with its status). A line longer than ${MAX_LINE} characters is answered with BODY_TOO_LARGE. application/json: an array of up to ${MAX_ARRAY} requests in at most ${MAX_JSON_BYTES} bytes (larger: 413 BODY_TOO_LARGE; send large runs as NDJSON), answered with an array. For bureau and utility tokens; the body may be as large as an import.`,
      request: {
        body: {
          required: true,
          content: {
            'application/x-ndjson': { schema: QuoteBody },
            'application/json': { schema: z.array(QuoteBody).max(MAX_ARRAY) },
          },
        },
      },
      responses: {
        ...reply(BillAnswersSchema, 'one answer per request, in request order'),
        200: {
          description: 'one answer per request, in request order (NDJSON: one line each)',
          content: {
            'application/json': { schema: BillAnswersSchema },
            'application/x-ndjson': { schema: BillAnswerSchema },
          },
        },
      },
    }),
  )
  app.post('/v1/bills', async (c) => {
    const p = c.get('principal')
    authorize(p, 'bills.run')
    const type = (headerOf(c, 'content-type') ?? '').toLowerCase()
    if (/^application\/json\b/.test(type)) {
      let value: unknown
      try {
        value = await c.req.json()
      } catch (e) {
        throw e instanceof HTTPException ? e : malformed()
      }
      const batch = z.array(z.unknown()).max(MAX_ARRAY).safeParse(value)
      if (!batch.success) throw new RequestInvalid(batch.error, 'body')
      const answers: string[] = []
      for (let i = 0; i < batch.data.length; i += 500)
        answers.push(
          ...answerAll(
            services,
            p,
            batch.data.slice(i, i + 500).map((value) => ({ value })),
            log,
          ),
        )
      return c.body(`[${answers.join(',')}]`, 200, {
        'content-type': 'application/json; charset=utf-8',
      })
    }
    if (!/^application\/(x-)?ndjson\b/.test(type))
      throw new HTTPException(415, {
        message: 'send the requests as application/x-ndjson (one per line) or a JSON array',
      })
    const input = c.req.raw.body?.getReader()
    const decoder = new TextDecoder()
    let pending = ''
    let ended = !input
    const encoder = new TextEncoder()
    // The answers of complete lines as UTF-8, written straight into one buffer (a templated bill as bytes: no
    // string of the chunk is joined and then encoded); undefined for no answer.
    const answers = (lines: string[]): Uint8Array | undefined => {
      const items = itemsOf(lines)
      if (items.length === 0) return undefined
      const out = new ByteWriter(items.length * 512)
      for (const x of quoteAll(services, p, items)) {
        if ('text' in x) x.text.writeTo(out)
        else out.text(outcomeJson(x, log))
        out.byte(10 /* \n */)
      }
      return out.take()
    }
    const body = new ReadableStream<Uint8Array>(
      {
        // Pulled as the client reads: one chunk of the body in, its complete lines answered.
        async pull(controller) {
          for (;;) {
            if (ended) {
              const rest = answers(pending.split('\n'))
              pending = ''
              if (rest) controller.enqueue(rest)
              controller.close()
              return
            }
            let chunk: ReadableStreamReadResult<Uint8Array>
            try {
              chunk = await input!.read()
            } catch (e) {
              // The body broke off (over the size limit, or the client went away): what was read is answered, then
              // one last line says why the rest is not.
              const out = answers(pending.slice(0, pending.lastIndexOf('\n') + 1).split('\n'))
              if (out) controller.enqueue(out)
              const why = problemOf(
                e instanceof HTTPException
                  ? e
                  : new HTTPException(400, { message: 'the request body broke off' }),
                SINGLE,
                log,
              )
              controller.enqueue(encoder.encode(`${JSON.stringify(why)}\n`))
              controller.close()
              return
            }
            const { done, value } = chunk
            if (done) {
              pending += decoder.decode()
              ended = true
              continue
            }
            pending += decoder.decode(value, { stream: true })
            const cut = pending.lastIndexOf('\n')
            if (cut < 0) {
              // One line so far: over the limit, it is answered once and the rest of it skipped.
              if (pending.length > MAX_LINE * 2) pending = pending.slice(0, MAX_LINE + 1)
              continue
            }
            const out = answers(pending.slice(0, cut).split('\n'))
            pending = pending.slice(cut + 1)
            if (out) {
              controller.enqueue(out)
              return
            }
          }
        },
        cancel() {
          void input?.cancel()
        },
      },
      // Up to 8 answered chunks (a few MB) ready ahead of the client: answering does not wait for each write.
      { highWaterMark: 8 },
    )
    return c.body(body, 200, { 'content-type': 'application/x-ndjson; charset=utf-8' })
  })
}
