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
  let diff = target
    .minus(rounded.reduce((a, b) => a.plus(b), new Money(0)))
    .times(100)
    .toNumber()
  if (diff === 0) return rounded
  const order = exact
    .map((x, i) => ({ i, rem: x.minus(rounded[i]) }))
    .sort((a, b) => (diff > 0 ? b.rem.comparedTo(a.rem) : a.rem.comparedTo(b.rem)) || a.i - b.i)
  for (const { i } of order) {
    if (diff === 0) break
    const step = diff > 0 ? 1 : -1
    rounded[i] = rounded[i].plus(new Money(step).dividedBy(100))
    diff -= step
  }
  return rounded
}
