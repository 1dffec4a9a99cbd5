/**
 * Every firm's tier for a billing month, within the caller's scope, as rows made one at a time (the route streams
 * them as NDJSON or CSV with Chinese headers; nothing is built in memory): a firm's month is split where its tier
 * changes (a later evaluation binding, a closure), each part with the class, category and rate per resource. The
 * answer names the change feed's cursor it was read at, so a utility syncs on from there.
 * @module app/tier-export
 */
import { addDays } from '../dates.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'
import { inScope, ownCounty } from './permissions.ts'
import type { PricingService } from './pricing.ts'
import type { RulebookService } from './rulebooks.ts'
import { type FeedStore, firmsAfter, tierKey } from './tier-feed.ts'

export interface TierRow {
  creditCode: string
  county: string
  from: string
  to: string
  evaluationYear: number
  class: string | null
  classLabel: string | null
  category: string | null
  categoryLabel: string | null
  sector: string | null
  closed: boolean
  /** Yuan per unit by resource on these days (after stacking). */
  rates: Record<string, string>
  rulebookVersion: number
}

/** The first and last day of a billing month `YYYY-MM`, or the 400 naming it. */
export function monthDays(month: string | undefined): {
  first: string
  last: string
  next: string
} {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month ?? '')
  if (!m)
    throw new MujunError(
      'MONTH_INVALID',
      `month must be a billing month YYYY-MM (e.g. 2025-09), got '${month ?? ''}'`,
      { status: 400 },
    )
  const y = Number(m[1])
  const k = Number(m[2])
  const next = k === 12 ? `${y + 1}-01-01` : `${y}-${String(k + 1).padStart(2, '0')}-01`
  return { first: `${month}-01`, last: addDays(next, -1), next }
}

export class TierExportService {
  constructor(
    private readonly store: FeedStore,
    private readonly pricing: Pick<PricingService, 'tierOf'>,
    private readonly rulebooks: Pick<RulebookService, 'active'>,
    /** Reads the published histories of many firms at once into the cache tierOf reads (see prefetchHistories). */
    private readonly prefetch: (codes: string[], lastYear: number) => void,
  ) {}

  /**
   * Authorizes and fixes the month at once (errors before any row is sent); the rows are then made as they are
   * read. `cursor` is the change feed's position the export was read at.
   */
  export(
    p: Principal | undefined,
    month: string | undefined,
  ): {
    month: string
    cursor: string
    resources: { id: string; label: string; unit: string }[]
    rows: Iterable<TierRow>
  } {
    const who = authorize(p, 'tiers.export')
    const days = monthDays(month)
    this.store.sync()
    const cursor = String(this.store.auditHead())
    const resources = (this.rulebooks.active().rulebook.meta.resources ?? []).map((r) => ({
      id: r.id,
      label: r.label,
      unit: r.unit,
    }))
    const county = ownCounty(who)
    const store = this.store
    const pricing = this.pricing
    const prefetch = this.prefetch
    const lastYear = Number(days.first.slice(0, 4)) - 1
    function* rows(): Generator<TierRow> {
      // A batch of firms' histories read in one statement, then their months: not one read per firm.
      let batch: { code: string; county: string }[] = []
      const flush = function* () {
        prefetch(
          batch.map((f) => f.code),
          lastYear,
        )
        for (const f of batch) yield* monthOf(pricing, f, days.first, days.last)
        batch = []
      }
      for (const f of firmsAfter(store, county)) {
        if (!inScope(who, { county: f.county, creditCode: f.code })) continue
        batch.push(f)
        if (batch.length === 1000) yield* flush()
      }
      yield* flush()
    }
    return { month: month!, cursor, resources, rows: rows() }
  }
}

/**
 * A firm's month in parts, each from a day to the day before its tier next changes (a later evaluation binding, a
 * closure, a rate of the rules or an override from a day inside the month): the first and last day compared, and a
 * part that differs bisected to the day it changes (a tier that changes and changes back inside one month is shown
 * as it is on the days compared).
 */
function* monthOf(
  pricing: Pick<PricingService, 'tierOf'>,
  f: { code: string; county: string },
  first: string,
  last: string,
): Generator<TierRow> {
  const tiers = new Map<string, ReturnType<PricingService['tierOf']>>()
  const at = (day: string) => {
    let t = tiers.get(day)
    if (!t) {
      t = pricing.tierOf(f.code, day)
      tiers.set(day, t)
    }
    return t
  }
  let start = first
  while (start <= last) {
    const t = at(start)
    const key = tierKey(t)
    // The last day with the same tier as `start`: the whole rest, or bisected to the change.
    let end = last
    if (tierKey(at(last)) !== key) {
      let lo = start
      let hi = last
      while (addDays(lo, 1) < hi) {
        const mid = midDay(lo, hi)
        if (tierKey(at(mid)) === key) lo = mid
        else hi = mid
      }
      end = lo
    }
    yield {
      creditCode: f.code,
      county: f.county,
      from: start,
      to: end,
      evaluationYear: t.evaluationYear,
      class: t.class,
      classLabel: t.classLabel,
      category: t.category?.category ?? null,
      categoryLabel: t.category?.label ?? null,
      sector: t.sector,
      closed: !!t.closure?.inForce,
      rates: Object.fromEntries(t.rates.map((r) => [r.resource, r.rate])),
      rulebookVersion: t.rulebookVersion,
    }
    start = addDays(end, 1)
  }
}

/** The day halfway between two days. */
function midDay(a: string, b: string): string {
  const x = Date.parse(`${a}T00:00:00Z`)
  const y = Date.parse(`${b}T00:00:00Z`)
  return new Date(x + Math.floor((y - x) / 86_400_000 / 2) * 86_400_000).toISOString().slice(0, 10)
}

/** The CSV header (Chinese) of an export, one rate column per resource. */
export function exportCsvHeader(resources: { label: string; unit: string }[]): string[] {
  return [
    '统一社会信用代码',
    '区县代码',
    '起始日期',
    '截止日期',
    '评价年度',
    '类别',
    '类别名称',
    '产业分类',
    '行业',
    '已关停',
    ...resources.map((r) => `${r.label}加价（元/${r.unit}）`),
    '规则版本',
  ]
}

/** One export row as CSV cells, in the header's order. */
export function exportCsvCells(row: TierRow, resources: { id: string }[]): unknown[] {
  return [
    row.creditCode,
    row.county,
    row.from,
    row.to,
    row.evaluationYear,
    row.class ?? '',
    row.classLabel ?? '',
    row.categoryLabel ?? row.category ?? '',
    row.sector ?? '',
    row.closed ? '是' : '否',
    ...resources.map((r) => row.rates[r.id] ?? ''),
    row.rulebookVersion,
  ]
}
