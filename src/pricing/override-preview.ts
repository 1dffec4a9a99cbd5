/**
 * What a county override would do before it is approved: enterprises whose class or surcharge changes, the change
 * in surcharge revenue per resource, and the rule rows it changes. Pure.
 * @module pricing/override-preview
 */

import type { Enterprise } from '../enterprise/enterprise.ts'
import { NotFoundError } from '../errors.ts'
import { type RateOptions, rate } from '../rating/rate.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import { resolve } from '../rulebook/resolve.ts'
import { resolvedToJson } from '../rulebook/resolved-json.ts'
import { DATED_SECTIONS } from '../rulebook/schema.ts'
import { Money } from './money.ts'
import { quote, type RatedFacts } from './quote.ts'

export interface OverridePreview {
  overrideId: string
  county: string
  status: string
  evaluationYear: number
  /** The year priced: the class of evaluation Y applies in Y+1. */
  pricedFrom: string
  pricedTo: string
  enterprises: {
    creditCode: string
    name: string
    classBefore: string | null
    classAfter: string | null
    surcharge: Record<string, { before: string; after: string }>
  }[]
  revenue: Record<string, { before: string; after: string; change: string }>
  rules: { section: string; id: string; before: unknown; after: unknown }[]
}

/** Previews override `overrideId` over `population` (figures of `year`), pricing a year of each firm's stated use. */
export function previewOverride(
  rulebook: Rulebook,
  overrideId: string,
  population: readonly Enterprise[],
  year: number,
  /** The previous year's peer statistics, for `year: previous` benchmarks (see RateOptions.previous). */
  previous?: RateOptions['previous'],
): OverridePreview {
  const o = rulebook.overrides.find((x) => x.id === overrideId)
  if (!o) throw new NotFoundError(`override ${overrideId}`)
  const county = o.county
  const pop = population.filter((e) => e.county === county)
  // A method that starts after the year rated is tried on that year's figures: both sides rate with the rules of
  // its first day, so only the override differs.
  const yearEnd = `${year}-12-31`
  const rulesOn = o.from > yearEnd ? o.from : undefined
  const before = rate(pop, rulebook, year, { trusted: true, rulesOn, previous })
  const after = rate(pop, rulebook, year, { trusted: true, preview: overrideId, rulesOn, previous })
  // Price the first year the override covers (at the earliest the year the evaluation applies to), using this
  // evaluation's classes for it: a what-if on today's figures.
  const priceYear = Math.max(year + 1, Number(o.from.slice(0, 4)))
  const from = `${priceYear}-01-01`
  const to = `${priceYear + 1}-01-01`
  const facts = (r: (typeof before)[number]): RatedFacts => ({
    creditCode: r.creditCode,
    county: r.county,
    year: priceYear - 1,
    class: r.class,
    category: r.category,
    sector: r.sector,
    figures: r.figures,
  })
  const revenue: OverridePreview['revenue'] = {}
  const totals = new Map<string, { b: InstanceType<typeof Money>; a: InstanceType<typeof Money> }>()
  const enterprises: OverridePreview['enterprises'] = []
  for (let i = 0; i < before.length; i++) {
    const b = before[i]
    const a = after[i]
    const surcharge: Record<string, { before: string; after: string }> = {}
    let changed = b.class !== a.class
    for (const res of rulebook.meta.resources) {
      const qty = res.quantityInput ? Number(b.figures[res.quantityInput] ?? 0) : 0
      if (!(qty > 0)) continue
      const qb = quote([facts(b)], rulebook, { resource: res.id, from, to, quantity: qty })
      const qa = quote(
        [facts(a)],
        rulebook,
        { resource: res.id, from, to, quantity: qty },
        { preview: overrideId },
      )
      const t = totals.get(res.id) ?? { b: new Money(0), a: new Money(0) }
      t.b = t.b.plus(qb.total)
      t.a = t.a.plus(qa.total)
      totals.set(res.id, t)
      if (qb.total !== qa.total) {
        surcharge[res.id] = { before: qb.total, after: qa.total }
        changed = true
      }
    }
    if (changed)
      enterprises.push({
        creditCode: b.creditCode,
        name: b.name,
        classBefore: b.class,
        classAfter: a.class,
        surcharge,
      })
  }
  for (const res of rulebook.meta.resources) {
    const t = totals.get(res.id) ?? { b: new Money(0), a: new Money(0) }
    revenue[res.id] = {
      before: t.b.toFixed(2),
      after: t.a.toFixed(2),
      change: t.a.minus(t.b).toFixed(2),
    }
  }
  // Rule rows: the rules in force on the first priced day the override covers, without and with it.
  const date = o.from > from ? o.from : from
  const rb = resolvedToJson(rulebook, resolve(rulebook, county, date)) as Record<string, unknown>
  const ra = resolvedToJson(
    rulebook,
    resolve(rulebook, county, date, { preview: overrideId }),
  ) as Record<string, unknown>
  const rules: OverridePreview['rules'] = []
  for (const section of DATED_SECTIONS) {
    const bi = new Map((rb[section] as { id: string }[]).map((x) => [x.id, x]))
    const ai = new Map((ra[section] as { id: string }[]).map((x) => [x.id, x]))
    for (const id of new Set([...bi.keys(), ...ai.keys()])) {
      const x = bi.get(id)
      const y = ai.get(id)
      if (JSON.stringify(x) !== JSON.stringify(y))
        rules.push({ section, id, before: x ?? null, after: y ?? null })
    }
  }
  return {
    overrideId,
    county,
    status: o.status,
    evaluationYear: year,
    pricedFrom: from,
    pricedTo: to,
    enterprises,
    revenue,
    rules,
  }
}
