/**
 * `basis: percent`: a surcharge as a percentage of the resource's base price, by class or by sector-table category
 * (瑞安 2018: C-class water +15 % or +30 % per m³). The rate per unit is base price × percentage, exact.
 * @module rulebook/tariff-kinds/percent
 */
import { z } from 'zod'
import { Money } from '../../pricing/money.ts'
import { ClassIdSchema, IdSchema, MoneySchema } from '../schema-parts.ts'
import { scheduleBase, tariffKind } from './kind.ts'

/** A percentage as a decimal string ("15", "12.5"), so the rate it makes is exact. */
const PercentSchema = z
  .string({
    message: 'a percentage is a decimal string such as "15" (quoted), never a bare number',
  })
  .regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage is a decimal string such as "15" or "12.5"')

export const percentKind = tariffKind({
  title: { zh: '按基准价加价百分比', en: 'Percentage of the base price' },
  schema: z.strictObject({
    ...scheduleBase,
    basis: z.literal('percent'),
    percent: z.strictObject({
      /** The price the percentage is of, in yuan per unit (e.g. the sewage treatment fee, or the basic water price). */
      basePrice: MoneySchema,
      /** One row per class or per category (each row names exactly one of the two). */
      rates: z
        .array(
          z.strictObject({
            class: ClassIdSchema.optional(),
            category: IdSchema.optional(),
            percent: PercentSchema,
          }),
        )
        .min(1),
    }),
  }),
  ownFigures: false,
  check(s, c) {
    s.percent.rates.forEach((r, j) => {
      if ((r.class === undefined) === (r.category === undefined))
        c.report(
          ['percent', 'rates', j],
          'a row names either a class or a category, not both or neither',
        )
      else if (r.class !== undefined && !c.classIds.has(r.class))
        c.report(
          ['percent', 'rates', j, 'class'],
          `unknown class '${r.class}'${c.suggest(r.class, c.classIds)}`,
        )
      else if (r.category !== undefined && !c.categoryIds.has(r.category))
        c.report(
          ['percent', 'rates', j, 'category'],
          `unknown category '${r.category}'${c.suggest(r.category, c.categoryIds)}`,
        )
    })
  },
  charges(s, m) {
    const { class: cls, category, year } = m.facts
    const row = s.percent.rates.find(
      (r) =>
        (r.class !== undefined && r.class === cls) ||
        (r.category !== undefined && r.category === category?.category),
    )
    if (!row) return []
    const rate = m.rate(s.percent.basePrice).times(new Money(row.percent)).dividedBy(100)
    const who = row.class !== undefined ? `class ${row.class}` : (category?.label ?? row.category)
    return [
      m.perUnit(
        rate,
        `${who}: ${row.percent}% of the base price ${s.percent.basePrice} (evaluation ${year})`,
      ),
    ]
  },
  describe: ({ percent: p }) =>
    p.rates.map((r) => `${r.class ?? r.category} +${r.percent}%`).join(', ') + ` of ${p.basePrice}`,
  cells: ({ percent: p }, w) => [
    {
      path: 'percent.basePrice',
      name: w.zh ? '基准价' : 'Base price',
      value: p.basePrice,
      unit: 'perUnit',
    },
    ...p.rates.map((r) => ({
      path:
        r.class !== undefined
          ? `percent.rates[class=${r.class}].percent`
          : `percent.rates[category=${r.category}].percent`,
      name: r.class !== undefined ? w.classLabel(r.class) : (w.categoryLabel(r.category!) ?? '—'),
      zhData: r.class === undefined,
      value: r.percent,
      unit: 'percent' as const,
    })),
  ],
})
