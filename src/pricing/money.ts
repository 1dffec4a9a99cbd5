/**
 * Exact decimal money. Yuan amounts are decimal.js values built from strings; binary floats never hold money.
 * @module pricing/money
 */
import { Decimal } from 'decimal.js'

/** A Decimal flavour for money: 40 significant digits, half-up (四舍五入) when rounding to the fen. */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP })
export type Money = InstanceType<typeof Money>

/**
 * Parses a quantity or amount given as a decimal string or a JS number (numbers go through their shortest
 * decimal representation, so 0.1 stays 0.1). Returns undefined when it is not a finite decimal.
 */
export function parseDecimal(value: unknown): Money | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined
    return new Money(String(value))
  }
  if (typeof value !== 'string' || !/^-?\d{1,15}(\.\d{1,9})?$/.test(value.trim())) return undefined
  return new Money(value.trim())
}

/** Rounds to the fen (0.01 yuan), half up. */
export function toFen(x: Money): Money {
  return x.toDecimalPlaces(2, Money.ROUND_HALF_UP)
}

/** Money as a fixed two-decimal string, e.g. "1234.50". */
export function yuan(x: Money): string {
  return toFen(x).toFixed(2)
}

/**
 * Rounds each amount to the fen half-up, then nudges the lines with the largest rounding remainders so that the
 * lines add up exactly to the rounded exact total (a split never gains or loses a fen).
 */
export function allocateFen(exact: Money[]): Money[] {
  const rounded = exact.map(toFen)
  if (rounded.length < 2) return rounded
  const target = toFen(exact.reduce((a, b) => a.plus(b), new Money(0)))
  const diff = target
    .minus(rounded.reduce((a, b) => a.plus(b), new Money(0)))
    .times(100)
    .toNumber()
  if (diff === 0) return rounded
  const rem = exact.map((x, i) => x.minus(rounded[i]))
  const steps = fenSteps(rounded.length, diff, (i, j) => rem[i].comparedTo(rem[j]))
  return rounded.map((r, i) => (steps[i] === 0 ? r : r.plus(new Money(steps[i]).dividedBy(100))))
}

/**
 * The fen each line takes (+1) or gives back (-1) so that lines rounded one by one add up to the rounded total,
 * `diff` fen short (above zero) or over (below): the lines with the largest remainders take one, or those with the
 * smallest give one back, earlier lines first on a tie. `byRemainder(i, j)` compares the remainders of lines i and
 * j. The one rule behind `allocateFen` and the quote templates' integer pricing (pricing/quote-template).
 */
export function fenSteps(
  lines: number,
  diff: number,
  byRemainder: (i: number, j: number) => number,
): number[] {
  const steps = new Array<number>(lines).fill(0)
  const order = Array.from({ length: lines }, (_, i) => i).sort(
    (a, b) => (diff > 0 ? byRemainder(b, a) : byRemainder(a, b)) || a - b,
  )
  const step = diff > 0 ? 1 : -1
  for (let k = 0; k < Math.min(Math.abs(diff), lines); k++) steps[order[k]] = step
  return steps
}
