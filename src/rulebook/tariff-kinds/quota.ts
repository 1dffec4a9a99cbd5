/**
 * `basis: quota`: use above the firm's annual quota (prorated by days over the billing period) is charged a multiple
 * of the base price, band by band (超定额累进加价).
 * @module rulebook/tariff-kinds/quota
 */
import { z } from 'zod'
import { Money } from '../../pricing/money.ts'
import { IdSchema, MoneySchema } from '../schema-parts.ts'
import { scheduleBase, tariffKind } from './kind.ts'

export const quotaKind = tariffKind({
  title: { zh: '超定额累进加价', en: 'Above quota, progressive' },
  schema: z.strictObject({
    ...scheduleBase,
    basis: z.literal('quota'),
    quota: z.strictObject({
      /** Input holding the annual quota in the resource's unit; prorated by days over a billing period. */
      quotaInput: IdSchema,
      basePrice: MoneySchema,
      bands: z
        .array(
          z.strictObject({
            overFrom: z.number().nonnegative(),
            overTo: z.number().positive().optional(),
            /** Extra charge as a multiple of the base price: "加收0.5倍" is "0.5", i.e. 1.5× in total. */
            extraMultiple: MoneySchema,
          }),
        )
        .min(1),
    }),
  }),
  ownFigures: true,
  check(s, c) {
    const q = s.quota
    if (!c.inputIds.has(q.quotaInput))
      c.report(['quota', 'quotaInput'], `unknown input '${q.quotaInput}'`)
    q.bands.forEach((b, j) => {
      if (b.overTo !== undefined && b.overTo <= b.overFrom)
        c.report(['quota', 'bands', j, 'overTo'], `overTo must be above overFrom`)
      const prev = q.bands[j - 1]
      if (prev && prev.overTo !== b.overFrom)
        c.report(
          ['quota', 'bands', j, 'overFrom'],
          `bands must be contiguous: expected overFrom ${prev.overTo}`,
        )
    })
  },
  charges(s, m) {
    const spec = s.quota
    const annual = m.facts.figures[spec.quotaInput]
    if (typeof annual !== 'number' || annual <= 0) {
      m.note(`${s.id} not applied: no ${spec.quotaInput} on record for ${m.facts.year}`)
      return []
    }
    const quota = new Money(String(annual))
    return spec.bands.map((b) =>
      m.overQuota(
        b,
        spec.basePrice,
        quota,
        // Joined, not a template literal: the reason is kept with the firm's tariff, and a template literal would
        // keep it as a tree of its pieces (about 350 bytes instead of 130).
        [
          'over quota ',
          b.overFrom * 100,
          '%–',
          b.overTo !== undefined ? `${b.overTo * 100}%` : '∞',
          ' (annual quota ',
          annual,
          ', +',
          b.extraMultiple,
          ' × ',
          spec.basePrice,
          ')',
        ].join(''),
      ),
    )
  },
  describe: ({ quota: q }) =>
    q.bands.map((b) => `>${b.overFrom * 100}% +${b.extraMultiple}×${q.basePrice}`).join(', '),
  quotaTerms: ({ quota: q }) => q,
  cells: ({ quota: q }, { zh }) => [
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
  ],
})

const pctBand = (x: number) => `${Math.round(x * 1000) / 10}%`
