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
import { Money } from './money.ts'
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
  }
}

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
