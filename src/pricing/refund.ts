/**
 * The yearly refund (返还奖励) of collected differential surcharges: what each firm gets back of what it paid in a
 * payment year, by the rulebook's `refunds` items, with the reason for every amount. Pure: data in, amounts and
 * their trace out; exact decimals, each amount rounded half-up to the fen.
 * @module pricing/refund
 */
import type { RefundC } from '../rulebook/types.ts'
import { Money, toFen, yuan } from './money.ts'

/** A firm as the refund of payment year Y sees it. */
export interface RefundFirm {
  creditCode: string
  county: string
  /** What it paid in Y by resource (collected surcharges), exact decimal yuan. */
  paid: Record<string, string>
  /** Its class in the evaluation of Y−1 (the class it paid by in Y), null when it had none. */
  classBefore: string | null
  /** Its class in the evaluation of Y (published in Y+1), null when it has none. */
  classAfter: string | null
}

export interface RefundLine {
  resource: string
  paid: string
  share: string
  amount: string
}

/** One firm's refund and why: the rule and the row of it that applied, or why none did. */
export interface RefundResult {
  creditCode: string
  county: string
  classBefore: string | null
  classAfter: string | null
  /** The refund item applied, or null. */
  rule: string | null
  share: string | null
  paid: string
  amount: string
  lines: RefundLine[]
  reason: string
}

export interface RefundOutcome {
  year: number
  /** The day whose refund items were read: 31 December of the payment year. */
  rulesOn: string
  /** The items in force that day. */
  rules: { id: string; label: string; assumed: boolean; document: string }[]
  firms: RefundResult[]
  byCounty: { county: string; firms: number; refunded: number; paid: string; amount: string }[]
  paid: string
  total: string
}

const inForce = (r: RefundC, day: string) => r.from <= day && (r.to === undefined || day < r.to)

/**
 * The refund of payment year `year` for `firms` under `items` (the rulebook's `refunds` section): for each firm the
 * first item in force on `year`-12-31 for its county (an item naming counties before one without), and the row of
 * that item for its class before; the share of what it paid on the item's resources, to the fen, if its class after
 * is one of the row's `to` classes.
 */
export function computeRefunds(
  items: readonly RefundC[],
  year: number,
  firms: readonly RefundFirm[],
): RefundOutcome {
  const rulesOn = `${year}-12-31`
  const live = items.filter((r) => inForce(r, rulesOn))
  const scoped = [...live.filter((r) => r.counties), ...live.filter((r) => !r.counties)]
  const results = [...firms]
    .sort((a, b) => (a.creditCode < b.creditCode ? -1 : a.creditCode > b.creditCode ? 1 : 0))
    .map((f) => refundOf(f, scoped, year))
  const counties = new Map<
    string,
    { firms: number; refunded: number; paid: Money; amount: Money }
  >()
  let paid = new Money(0)
  let total = new Money(0)
  for (const r of results) {
    const c = counties.get(r.county) ?? {
      firms: 0,
      refunded: 0,
      paid: new Money(0),
      amount: new Money(0),
    }
    c.firms++
    if (r.amount !== '0.00') c.refunded++
    c.paid = c.paid.plus(r.paid)
    c.amount = c.amount.plus(r.amount)
    counties.set(r.county, c)
    paid = paid.plus(r.paid)
    total = total.plus(r.amount)
  }
  return {
    year,
    rulesOn,
    rules: live.map((r) => ({
      id: r.id,
      label: r.label,
      assumed: r.assumed === true,
      document: r.source.document,
    })),
    firms: results,
    byCounty: [...counties]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([county, c]) => ({
        county,
        firms: c.firms,
        refunded: c.refunded,
        paid: yuan(c.paid),
        amount: yuan(c.amount),
      })),
    paid: yuan(paid),
    total: yuan(total),
  }
}

function refundOf(f: RefundFirm, scoped: readonly RefundC[], year: number): RefundResult {
  const paidAll = Object.values(f.paid).reduce((a, x) => a.plus(x), new Money(0))
  const base = {
    creditCode: f.creditCode,
    county: f.county,
    classBefore: f.classBefore,
    classAfter: f.classAfter,
    paid: yuan(paidAll),
  }
  const none = (rule: string | null, reason: string): RefundResult => ({
    ...base,
    rule,
    share: null,
    amount: '0.00',
    lines: [],
    reason,
  })
  const item = scoped.find((r) => !r.counties || r.counties.includes(f.county))
  if (!item) return none(null, `no refund rule in force on ${year}-12-31 for county ${f.county}`)
  const classes = `class ${f.classBefore ?? 'none'} in the evaluation of ${year - 1} → ${f.classAfter ?? 'none'} in that of ${year}`
  const row = f.classBefore === null ? undefined : item.shares.find((s) => s.from === f.classBefore)
  if (!row || f.classAfter === null || !row.to.includes(f.classAfter))
    return none(item.id, `${classes}: not an improvement ${item.id} rewards`)
  const resources = Object.keys(f.paid)
    .filter((r) => !item.resources || item.resources.includes(r as never))
    .sort()
  const lines = resources.map((resource) => {
    const paid = new Money(f.paid[resource])
    return {
      resource,
      paid: yuan(paid),
      share: row.share,
      amount: yuan(toFen(paid.times(row.share))),
    }
  })
  const amount = lines.reduce((a, l) => a.plus(l.amount), new Money(0))
  return {
    ...base,
    rule: item.id,
    share: row.share,
    amount: yuan(amount),
    lines,
    reason: `${classes}: ${row.share} of what it paid in ${year}${
      item.resources ? ` on ${item.resources.join(', ')}` : ''
    } (${item.id})`,
  }
}
