/**
 * Golden refund runs: each test/cases/refunds/*.yaml gives firms (their classes before and after, what they paid)
 * and the refunds worked out by hand from the shipped rules, the arithmetic in the file's comments.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { computeRefunds } from '../src/pricing/refund.ts'
import { ningbo } from './support/rulebook.ts'

interface RefundCase {
  name: string
  runs: {
    year: number
    firms: {
      code: string
      county: string
      before: string | null
      after: string | null
      paid: Record<string, string>
    }[]
    expect: {
      rulesOn: string
      rules: string[]
      firms: {
        code: string
        rule: string | null
        share: string | null
        paid: string
        amount: string
        lines: { resource: string; paid: string; amount: string }[]
      }[]
      byCounty: { county: string; firms: number; refunded: number; paid: string; amount: string }[]
      paid: string
      total: string
    }
  }[]
}

const dir = new URL('./cases/refunds/', import.meta.url).pathname
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ file: f, ...(parse(readFileSync(dir + f, 'utf8')) as RefundCase) }))

describe('golden refund runs', () => {
  const items = ningbo().sections.refunds
  it.each(cases)('$file: $name', (c) => {
    for (const run of c.runs) {
      const out = computeRefunds(
        items,
        run.year,
        run.firms.map((f) => ({
          creditCode: f.code,
          county: f.county,
          classBefore: f.before,
          classAfter: f.after,
          paid: f.paid,
        })),
      )
      const e = run.expect
      expect(out.rulesOn).toBe(e.rulesOn)
      expect(out.rules.map((r) => r.id)).toEqual(e.rules)
      expect(
        out.firms.map((f) => ({
          code: f.creditCode,
          rule: f.rule,
          share: f.share,
          paid: f.paid,
          amount: f.amount,
          lines: f.lines.map((l) => ({ resource: l.resource, paid: l.paid, amount: l.amount })),
        })),
      ).toEqual(e.firms)
      expect(out.byCounty).toEqual(e.byCounty)
      expect(out.paid).toBe(e.paid)
      expect(out.total).toBe(e.total)
      // Every firm's reason says which classes it was compared on.
      for (const f of out.firms) expect(f.reason).toMatch(/class|no refund rule/)
    }
  })
})
