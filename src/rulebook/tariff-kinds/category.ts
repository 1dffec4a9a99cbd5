/**
 * `basis: category`: a rate per unit by the firm's sector-table category (淘汰类, 限制类…).
 * @module rulebook/tariff-kinds/category
 */
import { z } from 'zod'
import { IdSchema, MoneySchema } from '../schema-parts.ts'
import { scheduleBase, tariffKind } from './kind.ts'

export const categoryKind = tariffKind({
  title: { zh: '按行业分类', en: 'By sector category' },
  schema: z.strictObject({
    ...scheduleBase,
    basis: z.literal('category'),
    rates: z.array(z.strictObject({ category: IdSchema, rate: MoneySchema })),
  }),
  ownFigures: false,
  check(s, c) {
    s.rates.forEach((r, j) => {
      if (!c.categoryIds.has(r.category))
        c.report(['rates', j, 'category'], `unknown category '${r.category}'`)
    })
  },
  charges(s, m) {
    const cat = m.facts.category
    if (!cat) return []
    const row = s.rates.find((r) => r.category === cat.category)
    if (!row) return []
    const where = `${cat.table}${cat.row ? `: ${cat.row}` : ''}`
    return [m.perUnit(m.rate(row.rate), `${cat.label} (${where}, evaluation ${m.facts.year})`)]
  },
  describe: (s) => s.rates.map((r) => `${r.category} ${r.rate}`).join(', '),
  cells: (s, w) =>
    s.rates.map((r) => ({
      path: `rates[category=${r.category}].rate`,
      name: w.categoryLabel(r.category) ?? '—',
      zhData: true,
      value: r.rate,
      unit: 'perUnit',
    })),
})
