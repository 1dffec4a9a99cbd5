/**
 * The values of a surcharge schedule a person can change, one "cell" each: its path inside the item (as the dated
 * change names it, e.g. `rates[class=D][minConsecutiveYears=].rate`), what it is called and its current value.
 * @module web/rules-cells
 */
import type { Rulebook } from '../rulebook/compile.ts'
import type { SurchargeC } from '../rulebook/types.ts'
import type { Lang } from './i18n.ts'
import { grouped } from './kit/format.ts'
import { classLabel } from './kit/labels.ts'

export interface RateCell {
  path: string
  /** What the cell is, in the page's language (may hold a bureau-written Chinese label: `zhData`). */
  name: string
  /** True when `name` is a bureau-written (Chinese) label. */
  zhData?: boolean
  value: string
  /** The value's unit: yuan per the resource's unit, a multiple, or the measure's own unit. */
  unit: 'perUnit' | 'multiple' | 'measure'
}

const pctBand = (x: number) => `${Math.round(x * 1000) / 10}%`

/** The cells of one schedule. */
export function cellsOf(rb: Rulebook, s: SurchargeC, lang: Lang): RateCell[] {
  const zh = lang === 'zh'
  const x = s as SurchargeC & Record<string, any>
  switch (s.basis) {
    case 'class':
      return (x.rates as { class: string; minConsecutiveYears?: number; rate: string }[]).map(
        (r) => ({
          path: `rates[class=${r.class}][minConsecutiveYears=${r.minConsecutiveYears ?? ''}].rate`,
          name: `${classLabel(lang, r.class)}${
            r.minConsecutiveYears
              ? zh
                ? `，连续第 ${r.minConsecutiveYears} 年起`
                : `, from year ${r.minConsecutiveYears} in a row`
              : ''
          }`,
          value: r.rate,
          unit: 'perUnit',
        }),
      )
    case 'category':
      return (x.rates as { category: string; rate: string }[]).map((r) => ({
        path: `rates[category=${r.category}].rate`,
        name: rb.meta.categories.find((c) => c.id === r.category)?.label ?? '—',
        zhData: true,
        value: r.rate,
        unit: 'perUnit',
      }))
    case 'intensity': {
      const i = x.intensity as {
        threshold: number
        step: number
        ratePerStep: string
        maxRate?: string
      }
      const cells: RateCell[] = [
        {
          path: 'intensity.ratePerStep',
          name: zh ? '每档加价' : 'Per step',
          value: i.ratePerStep,
          unit: 'perUnit',
        },
        {
          path: 'intensity.threshold',
          name: zh ? '起征值' : 'Threshold',
          value: String(i.threshold),
          unit: 'measure',
        },
        {
          path: 'intensity.step',
          name: zh ? '每档幅度' : 'Step',
          value: String(i.step),
          unit: 'measure',
        },
      ]
      if (i.maxRate)
        cells.push({
          path: 'intensity.maxRate',
          name: zh ? '加价上限' : 'At most',
          value: i.maxRate,
          unit: 'perUnit',
        })
      return cells
    }
    case 'quota': {
      const q = x.quota as {
        basePrice: string
        bands: { overFrom: number; overTo?: number; extraMultiple: string }[]
      }
      return [
        {
          path: 'quota.basePrice',
          name: zh ? '基准价' : 'Base price',
          value: q.basePrice,
          unit: 'perUnit',
        },
        ...q.bands.map((b, j) => ({
          path: `quota.bands.${j}.extraMultiple`,
          name: zh
            ? `超定额 ${pctBand(b.overFrom)}–${b.overTo === undefined ? '以上' : pctBand(b.overTo)} 加收倍数`
            : `Over quota ${pctBand(b.overFrom)}–${b.overTo === undefined ? 'and above' : pctBand(b.overTo)}: extra multiple`,
          value: b.extraMultiple,
          unit: 'multiple' as const,
        })),
      ]
    }
    default:
      return []
  }
}

/** The unit of a resource as the rulebook writes it (kWh, m³). */
export const unitOf = (rb: Rulebook, resource: string) =>
  rb.meta.resources.find((r) => r.id === resource)?.unit ?? ''

/** A cell's value with its unit: "0.30 元/kWh", "0.5 倍". */
export function cellValue(lang: Lang, cell: RateCell, unit: string): string {
  const v = grouped(cell.value)
  if (cell.unit === 'perUnit') return lang === 'zh' ? `${v} 元/${unit}` : `¥${v}/${unit}`
  if (cell.unit === 'multiple') return lang === 'zh' ? `${v} 倍` : `${v}×`
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
