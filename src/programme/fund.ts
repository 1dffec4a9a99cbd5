/**
 * The fund allocation (竞争性分配 / 以奖代补): a year's amount shared among the counties by the rulebook's weighted
 * criteria, measured from each county's records of that year, divided to the fen with a trace that adds up.
 * @module programme/fund
 */
import { Decimal } from 'decimal.js'
import { allocateFen, Money } from '../pricing/money.ts'
import type { FundC } from '../rulebook/compile.ts'
import type { FundMetric } from '../rulebook/schema.ts'
import { type DispositionRecord, doneIn, type ProjectRecord } from './records.ts'

const Q = Decimal.clone({ precision: 40 })
type Q = InstanceType<typeof Q>

/** A county's measure of one criterion in the fund's year, with the records it counts. */
export interface CriterionMeasure {
  value: string
  projects: number[]
  dispositions: number[]
}

/**
 * What each fund metric measures of one county in year Y. The fund counts a disposition as done only once the
 * economy office has verified it (核验): a county's own record moves no money. `projects` its projects of Y
 * (整治提升内容); `enterprises` the verified dispositions in them done by the end of Y (涉及企业（已完成处置家数）);
 * `progress` their share of the dispositions in them not abandoned (实施进度: one done but not yet verified counts
 * as not done); the freed quantities summed over verified dispositions done in Y, whatever year their project is.
 */
export function fundMeasures(
  county: string,
  year: number,
  projects: readonly ProjectRecord[],
  dispositions: readonly DispositionRecord[],
): Record<FundMetric, CriterionMeasure> {
  const from = `${year}-01-01`
  const to = `${year + 1}-01-01`
  const ps = projects.filter(
    (p) => p.county === county && p.year === year && p.status !== 'withdrawn',
  )
  const ids = new Set(ps.map((p) => p.id))
  const involved = dispositions.filter((d) => ids.has(d.projectId) && d.status !== 'abandoned')
  const verified = (d: DispositionRecord) => d.verifiedOn !== null
  const doneByYearEnd = involved.filter(
    (d) => verified(d) && d.status === 'done' && d.completedOn !== null && d.completedOn < to,
  )
  const doneInYear = dispositions.filter(
    (d) => d.county === county && verified(d) && doneIn(d, from, to),
  )
  const sum = (of: (d: DispositionRecord) => string) => {
    const ds = doneInYear.filter((d) => !new Q(of(d)).isZero())
    return {
      value: ds.reduce((a, d) => a.plus(of(d)), new Q(0)).toString(),
      projects: [],
      dispositions: ds.map((d) => d.id),
    }
  }
  return {
    projects: { value: String(ps.length), projects: ps.map((p) => p.id), dispositions: [] },
    enterprises: {
      value: String(doneByYearEnd.length),
      projects: [],
      dispositions: doneByYearEnd.map((d) => d.id),
    },
    progress: {
      value:
        involved.length === 0
          ? '0'
          : new Q(doneByYearEnd.length).dividedBy(involved.length).toDecimalPlaces(10).toString(),
      projects: [],
      dispositions: doneByYearEnd.map((d) => d.id),
    },
    energy_freed_tce: sum((d) => d.energyFreedTce),
    water_freed_m3: sum((d) => d.waterFreedM3),
    land_freed_mu: sum((d) => d.landFreedMu),
  }
}

export interface FundAllocation {
  fundId: string
  label: string
  year: number
  amount: string
  origin: { file: string; line: number }
  criteria: {
    id: string
    label: string
    metric: FundMetric
    weight: number
    total: string
    counted: boolean
  }[]
  counties: {
    county: string
    name: string
    criteria: {
      id: string
      value: string
      share: string
      weighted: string
      measure: CriterionMeasure
    }[]
    /** Σ weight × share over the criteria counted, divided by the counted weights (10 decimals shown). */
    score: string
    /** amount × score, before rounding (10 decimals shown). */
    exact: string
    allocated: string
  }[]
  /** Σ allocated, equal to `amount`. */
  total: string
  notes: string[]
}

/**
 * Divides `fund.amount` among `counties`: a county's share of a criterion is its value over the city's total; its
 * score is the weighted sum of its shares. A criterion no county scored on is left out and the other weights count
 * in proportion (said in the notes); when none scored at all the amount is split equally. Each amount is rounded to
 * the fen half-up, and the largest remainders take the fens left over, so the allocations add up to the amount.
 */
export function allocateFund(
  fund: FundC,
  year: number,
  counties: readonly { code: string; name: string }[],
  measures: ReadonlyMap<string, Record<FundMetric, CriterionMeasure>>,
): FundAllocation {
  const notes: string[] = []
  const criteria = fund.criteria.map((c) => {
    const total = counties.reduce((a, k) => a.plus(measures.get(k.code)![c.metric].value), new Q(0))
    return { ...c, total, counted: !total.isZero() }
  })
  for (const c of criteria)
    if (!c.counted) notes.push(`no county scored on '${c.id}' in ${year}: its weight is left out`)
  const counted = criteria.reduce((a, c) => (c.counted ? a.plus(String(c.weight)) : a), new Q(0))
  const amount = new Money(fund.amount)
  const rows = counties.map((k) => {
    const m = measures.get(k.code)!
    const parts = criteria.map((c) => {
      const value = new Q(m[c.metric].value)
      const share = c.counted ? value.dividedBy(c.total) : new Q(0)
      return { c, value, share, weighted: share.times(String(c.weight)) }
    })
    const raw = parts.reduce((a, p) => a.plus(p.weighted), new Q(0))
    const score = counted.isZero() ? new Q(1).dividedBy(counties.length) : raw.dividedBy(counted)
    return { k, m, parts, score, exact: new Money(amount.times(score.toString())) }
  })
  if (counted.isZero())
    notes.push(`no county scored on any criterion in ${year}: the amount is split equally`)
  const fen = allocateFen(rows.map((r) => r.exact))
  const d10 = (x: Q) => x.toDecimalPlaces(10).toString()
  return {
    fundId: fund.id,
    label: fund.label,
    year,
    amount: amount.toFixed(2),
    origin: { file: fund.origin.file, line: fund.origin.line },
    criteria: criteria.map((c) => ({
      id: c.id,
      label: c.label,
      metric: c.metric,
      weight: c.weight,
      total: c.total.toString(),
      counted: c.counted,
    })),
    counties: rows.map((r, i) => ({
      county: r.k.code,
      name: r.k.name,
      criteria: r.parts.map((p) => ({
        id: p.c.id,
        value: p.value.toString(),
        share: d10(p.share),
        weighted: d10(p.weighted),
        measure: r.m[p.c.metric],
      })),
      score: d10(r.score),
      exact: d10(r.exact),
      allocated: fen[i].toFixed(2),
    })),
    total: fen.reduce((a, b) => a.plus(b), new Money(0)).toFixed(2),
    notes,
  }
}
