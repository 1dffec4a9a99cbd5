/**
 * A quote template: what every quote of one published history over one period shares, made once: its billing
 * segments (the rule intervals clipped to the period, the charged schedule of each chosen) and its notes. Pricing a
 * quantity with it is then a few exact multiplications, and its answer's JSON text is the sample answer's with the
 * numbers put in (see SlotText). Equal to quote() of the same request (test/quote-template.test.ts).
 *
 * Only for a plain quantity over a period, with no closure and no list standing, where every charge is per unit and
 * no two stacked schedules tie (which of two equal rates is charged could then turn on the rounding of a prorated
 * quantity); anything else is quoted in full.
 * @module pricing/quote-template
 */
import type { Rulebook } from '../rulebook/compile.ts'
import type { Resource } from '../rulebook/schema.ts'
import type { RatedFacts } from './facts.ts'
import { fenSteps, Money } from './money.ts'
import {
  MAX_DAYS,
  type Piece,
  priceSegments,
  type Quote,
  type Segment,
  segmentsOf,
} from './quote.ts'
import { DAY, type PricingTables, pricingTables, tariffOf } from './tariff.ts'

export interface QuoteTemplate {
  readonly start: number
  readonly end: number
  readonly segments: Segment[]
  readonly tables: PricingTables
  /** Lines charged and waived for any quantity above zero (every charge is per unit). */
  readonly lineCount: number
  readonly waivedCount: number
  /** The rates of its lines as exact integers, when its quotes can be priced by them (see exactRates). */
  readonly exact?: ExactRates
}

/** A rate as an integer over a power of ten: 0.35 is { units: 35n, places: 2 }. */
interface ExactRate {
  units: bigint
  places: number
}

/** The rates of a template's charged and waived lines, in line order. */
interface ExactRates {
  charged: ExactRate[]
  waived: ExactRate[]
}

/**
 * The template of `history` over [from, to) for `resource`, or undefined when its quotes are not all alike but for
 * their numbers (see the module). The request's dates must already be valid ISO dates (quote() throws otherwise).
 */
export function quoteTemplate(
  history: readonly RatedFacts[],
  rulebook: Rulebook,
  request: { resource: string; from: string; to: string },
): QuoteTemplate | undefined {
  const tables = pricingTables(rulebook)
  const resource = rulebook.meta.resources.find((r) => r.id === request.resource)
  if (!resource || history.length === 0) return undefined
  const start = tables.date(request.from, 'from')
  const end = tables.date(request.to, 'to')
  if (end <= start || (end - start) / DAY > MAX_DAYS) return undefined
  for (let y = new Date(start).getUTCFullYear(); Date.UTC(y, 0, 1) < end; y++)
    for (const interval of tariffOf(history, rulebook, resource.id as Resource, y, {})) {
      if (interval.to <= start || interval.from >= end) continue
      if (interval.applicable.some((cs) => cs.some((c) => c.kind !== 'per-unit'))) return undefined
      if (interval.stacking === 'max' && interval.applicable.length > 1) {
        const sums = interval.applicable.map((cs) =>
          cs.reduce((a, c) => a.plus(c.rate), new Money(0)).toString(),
        )
        if (new Set(sums).size !== sums.length) return undefined
      }
    }
  const pieces: Piece[] = [{ from: start, to: end, quantity: new Money(1) }]
  const segments = segmentsOf(
    history,
    rulebook,
    resource.id,
    { start, end, stop: end },
    pieces,
    new Set(),
    {},
  )
  const { lines, waived } = priceSegments(tables, segments, pieces)
  return {
    start,
    end,
    segments,
    tables,
    lineCount: lines.length,
    waivedCount: waived.length,
    exact: exactRates(segments, start, end, lines.length, waived.length),
  }
}

/**
 * The rates of the template's lines as integers, when every quote of it is the quantity times each rate: no segment,
 * or one segment spanning the whole period (then a line's quantity is the metered one, unprorated) whose charges are
 * all per unit, at rates of at most 15 digits that are not negative. Undefined otherwise (priced with Money).
 */
function exactRates(
  segments: Segment[],
  start: number,
  end: number,
  lineCount: number,
  waivedCount: number,
): ExactRates | undefined {
  if (segments.length > 1) return undefined
  const seg = segments[0]
  if (!seg) return lineCount + waivedCount === 0 ? { charged: [], waived: [] } : undefined
  if (seg.from !== start || seg.to !== end) return undefined
  const { charges, waived } = seg.choice
  if (charges.length !== lineCount || waived.length !== waivedCount) return undefined
  const rates: ExactRate[] = []
  for (const c of [...charges, ...waived]) {
    if (c.kind !== 'per-unit' || c.rate.isNegative()) return undefined
    const places = c.rate.decimalPlaces()
    const units = BigInt(c.rate.times(new Money(10).pow(places)).toFixed(0))
    // Money holds 40 digits: a 24-digit quantity times a rate of 15 stays exact there as here.
    if (units.toString().length > 15) return undefined
    rates.push({ units, places })
  }
  return { charged: rates.slice(0, charges.length), waived: rates.slice(charges.length) }
}

/** A plain quantity: up to 15 digits, no leading zero, up to 9 decimals (the requests' limits). */
const PLAIN_QUANTITY = /^(0|[1-9]\d{0,14})(?:\.(\d{1,9}))?$/

/**
 * The numbers of a quote of `quantity` (a decimal text) from template `t`, as templateNumbers gives them, appended to
 * `out`; undefined when the quantity is zero (a zero quote is not templated). With the template's exact rates the
 * arithmetic is on integers (BigInt), as Money would do it: each line quantity × rate, rounded half up to the fen,
 * the fen spread as allocateFen spreads it; otherwise with Money.
 */
export function templateNumbersOf(
  t: QuoteTemplate,
  quantity: string,
  out: string[] = [],
): string[] | undefined {
  const m = t.exact ? PLAIN_QUANTITY.exec(quantity) : null
  // Decimal writes a quantity under 1e-6 in exponent form: such a one goes through Money.
  if (!m || (m[1] === '0' && /^0{6}/.test(m[2] ?? ''))) {
    const q = new Money(quantity)
    return q.isZero() ? undefined : templateNumbers(t, q, out)
  }
  const exact = t.exact!
  const frac = m[2] ?? ''
  const units = BigInt(m[1] + frac)
  if (units === 0n) return undefined
  const places = frac.length
  const shown = frac.replace(/0+$/, '')
  out.push(shown ? `${m[1]}.${shown}` : m[1])
  // A line's quantity is the metered one to three decimals, half up, as Decimal writes it.
  const lineQuantity = decimalText(rescale(units, places, 3), 3)
  const charged = exact.charged.map((r) => ({
    value: units * r.units,
    places: places + r.places,
  }))
  const fen = allocatedFen(charged)
  for (const f of fen) out.push(lineQuantity, fenText(f))
  for (const r of exact.waived)
    out.push(lineQuantity, fenText(rescale(units * r.units, places + r.places, 2)))
  out.push(fenText(fen.reduce((a, b) => a + b, 0n)))
  return out
}

/** A non-negative `value` × 10^-`places` rounded half up to `to` places, as an integer × 10^-`to`. */
function rescale(value: bigint, places: number, to: number): bigint {
  if (places <= to) return value * 10n ** BigInt(to - places)
  const unit = 10n ** BigInt(places - to)
  return (value + unit / 2n) / unit
}

/** An integer × 10^-`places` as Decimal writes it (no trailing zeros, no point for a whole number). */
function decimalText(value: bigint, places: number): string {
  const digits = value.toString().padStart(places + 1, '0')
  const whole = digits.slice(0, digits.length - places)
  const frac = digits.slice(digits.length - places).replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : whole
}

/** Fen as yuan with two decimals. */
function fenText(fen: bigint): string {
  const digits = fen.toString().padStart(3, '0')
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`
}

/**
 * allocateFen on exact integers: each amount rounded half up to the fen, then the fen the rounding lost or gained
 * against the rounded exact total given to (or taken from) the lines with the largest remainders, earlier lines first
 * on a tie.
 */
function allocatedFen(amounts: { value: bigint; places: number }[]): bigint[] {
  const rounded = amounts.map((a) => rescale(a.value, a.places, 2))
  if (rounded.length < 2) return rounded
  const places = Math.max(2, ...amounts.map((a) => a.places))
  const exact = amounts.map((a) => a.value * 10n ** BigInt(places - a.places))
  const target = rescale(
    exact.reduce((a, b) => a + b, 0n),
    places,
    2,
  )
  const diff = target - rounded.reduce((a, b) => a + b, 0n)
  if (diff === 0n) return rounded
  const rem = exact.map((x, i) => x - rounded[i] * 10n ** BigInt(places - 2))
  // A few fen at most (half a fen a line), so a number.
  const steps = fenSteps(rounded.length, Number(diff), (i, j) => cmp(rem[i], rem[j]))
  return rounded.map((r, i) => r + BigInt(steps[i]))
}

const cmp = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The numbers of a quote of `quantity` (above zero) from template `t`, in the order the quote's JSON text holds them,
 * appended to `out`: the quantity, each line's quantity and amount, each waived line's quantity and amount, the total.
 */
export function templateNumbers(t: QuoteTemplate, quantity: Money, out: string[] = []): string[] {
  const { lines, waived, total } = priceSegments(t.tables, t.segments, [
    { from: t.start, to: t.end, quantity },
  ])
  out.push(quantity.toString())
  for (const l of lines) out.push(l.quantity, l.amount)
  for (const l of waived) out.push(l.quantity, l.amount)
  out.push(total)
  return out
}

const ENCODER = new TextEncoder()

/** The marker of slot `k` in a sample value (JSON.stringify writes the control character as an escape). */
const marker = (k: number) => `\u0001${k}\u0001`
const MARKED = /"\\u0001(\d+)\\u0001"/g

/**
 * A JSON text with string slots: made from a sample whose slot values were replaced by `SlotText.mark`, filled by
 * position. Values put in must need no JSON escaping (digits, a point, a credit code's letters).
 */
export class SlotText {
  private readonly parts: string[] = []
  private readonly order: number[] = []

  constructor(json: string) {
    let last = 0
    for (const m of json.matchAll(MARKED)) {
      this.parts.push(json.slice(last, m.index))
      this.order.push(Number(m[1]))
      last = m.index + m[0].length
    }
    this.parts.push(json.slice(last))
  }

  static mark = marker

  /** Slots the text holds. */
  get slots(): number {
    return this.order.length
  }

  fill(values: readonly string[]): string {
    let s = this.parts[0]
    for (let i = 0; i < this.order.length; i++)
      s += `"${values[this.order[i]]}"${this.parts[i + 1]}`
    return s
  }

  /** The parts as UTF-8, made on first use (a billing run writes bytes, not text). */
  private encoded?: Uint8Array[]

  /** The filled text's UTF-8 bytes written to `out`: the same bytes as encoding fill(values). */
  write(out: ByteWriter, values: readonly string[]): void {
    this.encoded ??= this.parts.map((p) => ENCODER.encode(p))
    out.bytes(this.encoded[0])
    for (let i = 0; i < this.order.length; i++) {
      out.byte(34 /* " */)
      out.text(values[this.order[i]])
      out.byte(34)
      out.bytes(this.encoded[i + 1])
    }
  }
}

/**
 * UTF-8 bytes written one after another into one growing buffer, taken whole: a chunk of a billing run's answer
 * written without a string of it ever being joined and encoded.
 */
export class ByteWriter {
  private buffer = new Uint8Array(0)
  private length = 0

  /** `capacity`: the bytes first allocated (it doubles as needed). */
  constructor(private readonly capacity = 64 * 1024) {}

  private room(n: number): void {
    if (this.length + n <= this.buffer.length) return
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n, this.capacity))
    grown.set(this.buffer.subarray(0, this.length))
    this.buffer = grown
  }

  byte(b: number): void {
    this.room(1)
    this.buffer[this.length++] = b
  }

  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.buffer.set(b, this.length)
    this.length += b.length
  }

  /** A string as UTF-8: short ASCII ones (numbers, codes) byte by byte, anything else through the encoder. */
  text(s: string): void {
    this.room(s.length)
    const start = this.length
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c >= 128) {
        this.length = start
        this.room(s.length * 3)
        this.length += ENCODER.encodeInto(s, this.buffer.subarray(this.length)).written
        return
      }
      this.buffer[this.length++] = c
    }
  }

  /** Bytes written since the last take. */
  get size(): number {
    return this.length
  }

  /** What was written, as one array; the writer starts empty again (on a buffer of its own). */
  take(): Uint8Array {
    const out = this.buffer.subarray(0, this.length)
    this.buffer = new Uint8Array(0)
    this.length = 0
    return out
  }
}

/**
 * Marks the numbers of sample quote `q` (made from template `t`) as slots, in templateNumbers order after slot 0,
 * the credit code. Mutates `q`; its JSON text then makes the template's SlotText.
 */
export function markQuote(q: Quote): void {
  let k = 0
  q.creditCode = marker(k++)
  q.quantity = marker(k++)
  for (const l of q.lines) {
    l.quantity = marker(k++)
    l.amount = marker(k++)
  }
  for (const l of q.waived) {
    l.quantity = marker(k++)
    l.amount = marker(k++)
  }
  q.total = marker(k++)
}
