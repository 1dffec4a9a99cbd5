/**
 * The percentage tariff kind by sector-table category (the shipped rules use it by class: golden case 20). The
 * stainless firms of golden case 05 (S1 eliminate, S3 restrict, S4 allow), with class_sewage given category rows.
 */
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parse } from 'yaml'
import { quote } from '../src/pricing/quote.ts'
import { rate } from '../src/rating/rate.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { edited } from './support/rulebook.ts'

const c = parse(
  readFileSync(new URL('./cases/05-stainless-table.yaml', import.meta.url), 'utf8'),
) as {
  evaluations: {
    year: number
    enterprises: { code: string; name: string; county: string; industry: string; figures: never }[]
  }[]
}

it('a percentage by category: eliminate 1.60 × 50 % = 0.80, restrict 1.60 × 20 % = 0.32, allow nothing', () => {
  const rb = compileRulebook(
    edited(
      'pricing.yaml',
      '        - { class: C, percent: "15" }\n        - { class: D, percent: "30" }\n',
      '        - { category: eliminate, percent: "50" }\n        - { category: restrict, percent: "20" }\n',
    ),
  )
  const ev = c.evaluations[0]
  const results = rate(
    ev.enterprises.map((e) => ({
      creditCode: e.code,
      name: e.name,
      county: e.county,
      industryCode: e.industry,
      figures: e.figures,
    })),
    rb,
    ev.year,
  )
  const sewage = (code: string) =>
    quote(
      results.filter((r) => r.creditCode === code),
      rb,
      { resource: 'sewage', from: '2027-01-01', to: '2027-02-01', quantity: '1000' },
    )
  // S1: 1,000 m³ × 0.80 = 800.00 · S3: 1,000 m³ × 0.32 = 320.00 · S4: no row for allow → 0.00
  const s1 = sewage('91330281MA2000001B')
  expect(s1.lines.map((l) => [l.scheduleId, l.rate, l.amount])).toEqual([
    ['class_sewage', '0.8', '800.00'],
  ])
  expect(sewage('91330281MA2000003H').total).toBe('320.00')
  expect(sewage('91330281MA2000004L').total).toBe('0.00')
})
