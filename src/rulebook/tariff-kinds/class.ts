/**
 * `basis: class`: a rate per unit by the firm's class (A/B/C/D…), optionally rising with consecutive years in it.
 * @module rulebook/tariff-kinds/class
 */
import { z } from 'zod'
import { ClassIdSchema, HISTORY_YEARS, MoneySchema } from '../schema-parts.ts'
import { scheduleBase, tariffKind } from './kind.ts'

export const classKind = tariffKind({
  title: { zh: '按评价类别', en: 'By class' },
  schema: z.strictObject({
    ...scheduleBase,
    basis: z.literal('class'),
    rates: z.array(
      z.strictObject({
        class: ClassIdSchema,
        /** Applies from the Nth consecutive year in this class (class history); the most specific row wins. */
        minConsecutiveYears: z.number().int().min(1).max(HISTORY_YEARS).optional(),
        rate: MoneySchema,
      }),
    ),
  }),
  ownFigures: false,
  check(s, c) {
    s.rates.forEach((r, j) => {
      if (!c.classIds.has(r.class)) c.report(['rates', j, 'class'], `unknown class '${r.class}'`)
    })
  },
  charges(s, m) {
    const cls = m.facts.class
    if (!cls) return []
    const years = m.consecutiveYears(cls)
    let row: (typeof s.rates)[number] | undefined
    for (const r of s.rates)
      if (
        r.class === cls &&
        (r.minConsecutiveYears ?? 1) <= years &&
        (!row || (r.minConsecutiveYears ?? 1) > (row.minConsecutiveYears ?? 1))
      )
        row = r
    if (!row) return []
    const label = m.classLabel(cls)
    const consecutive = years > 1 ? `, ${years} consecutive years` : ''
    return [
      m.perUnit(
        m.rate(row.rate),
        `class ${cls} ${label} (evaluation ${m.facts.year}${consecutive})`,
      ),
    ]
  },
  describe: (s) =>
    s.rates
      .map(
        (r) => `${r.class}${r.minConsecutiveYears ? `(${r.minConsecutiveYears}y+)` : ''} ${r.rate}`,
      )
      .join(', '),
  cells: (s, w) =>
    s.rates.map((r) => ({
      path: `rates[class=${r.class}][minConsecutiveYears=${r.minConsecutiveYears ?? ''}].rate`,
      name: `${w.classLabel(r.class)}${
        r.minConsecutiveYears
          ? w.zh
            ? `，连续第 ${r.minConsecutiveYears} 年起`
            : `, from year ${r.minConsecutiveYears} in a row`
          : ''
      }`,
      value: r.rate,
      unit: 'perUnit',
    })),
})
