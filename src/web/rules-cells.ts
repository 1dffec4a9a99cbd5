/**
 * The values of a surcharge schedule a person can change ("cells", named by each tariff kind), their units, and the
 * choices of the change form.
 * @module web/rules-cells
 */
import type { Rulebook } from '../rulebook/compile.ts'
import { kindOf, type RateCell } from '../rulebook/tariff-kinds/index.ts'
import type { SurchargeC } from '../rulebook/types.ts'
import type { Lang } from './i18n.ts'
import { grouped } from './kit/format.ts'
import { classLabel } from './kit/labels.ts'

export type { RateCell } from '../rulebook/tariff-kinds/index.ts'

/** The cells of one schedule, named in the page's language (each kind names its own). */
export function cellsOf(rb: Rulebook, s: SurchargeC, lang: Lang): RateCell[] {
  return kindOf(s).cells(s, {
    zh: lang === 'zh',
    classLabel: (id) => classLabel(lang, id),
    categoryLabel: (id) => rb.meta.categories.find((c) => c.id === id)?.label,
  })
}

/** The unit of a resource as the rulebook writes it (kWh, m³). */
export const unitOf = (rb: Rulebook, resource: string) =>
  rb.meta.resources.find((r) => r.id === resource)?.unit ?? ''

/** A cell's value with its unit: "0.30 元/kWh", "0.5 倍". */
export function cellValue(lang: Lang, cell: RateCell, unit: string): string {
  const v = grouped(cell.value)
  if (cell.unit === 'perUnit') return lang === 'zh' ? `${v} 元/${unit}` : `¥${v}/${unit}`
  if (cell.unit === 'multiple') return lang === 'zh' ? `${v} 倍` : `${v}×`
  if (cell.unit === 'percent') return `${v}%`
  return v
}

/** Every schedule id with its label, once (the choices of the change form), in file order. */
export function scheduleChoices(rb: Rulebook): { id: string; label: string; resource: string }[] {
  const seen = new Map<string, { id: string; label: string; resource: string }>()
  for (const s of rb.sections.surcharges)
    if (s.origin.kind === 'city') seen.set(s.id, { id: s.id, label: s.label, resource: s.resource })
  return [...seen.values()]
}

/** Every (schedule, cell) pair the change form offers: the cells of each city schedule's latest version. */
export function cellChoices(rb: Rulebook, lang: Lang) {
  const latest = new Map<string, SurchargeC>()
  for (const s of rb.sections.surcharges)
    if (s.origin.kind === 'city' && (!latest.has(s.id) || latest.get(s.id)!.from < s.from))
      latest.set(s.id, s)
  return [...latest.values()].flatMap((s) =>
    cellsOf(rb, s, lang).map((c) => ({ value: `${s.id}|${c.path}`, schedule: s, cell: c })),
  )
}
