// Issue "Nothing silently rewrites what was billed, published or reported": the golden case of a correction
// (test/cases/time/correction-known-at.yaml, its arithmetic by hand in the file), through the API: bills before,
// the refusal, the preview, the correction, bills after and as known before it, and the preview's totals against
// the quotes it stands for.
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { nextMonth } from '../src/dates.ts'
import { Money } from '../src/pricing/money.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'

interface Case {
  change: {
    section: string
    id: string
    from: string
    set: { path: string; value: string }[]
    document: string
    reason: string
  }
  bills: {
    name: string
    from: string
    to: string
    quantity: string
    before: string
    after: string
  }[]
  knownBefore: string
  previewRow: { month: string; rateBefore: string; rateAfter: string }
}

const c = parse(
  readFileSync(new URL('./cases/time/correction-known-at.yaml', import.meta.url), 'utf8'),
) as Case

describe('golden: a correction, and quotes as known on both sides of it', () => {
  let t: TestApp
  const quote = async (
    bill: { from: string; to: string; quantity: string },
    knownAt?: string,
    creditCode = t.tokens.creditCode,
    resource = 'electricity',
  ) => {
    const res = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: { creditCode, resource, ...bill, ...(knownAt && { knownAt }) },
    })
    expect(res.status).toBe(200)
    return (await res.json()) as { total: string; knownAt?: string; rulebookVersion: number }
  }

  beforeAll(() => {
    t = createTestApp()
  })

  it('the demo firm is C in 2023 and D in 2024 (what the hand arithmetic assumes)', async () => {
    const res = await call(t.app, 'GET', `/v1/enterprises/${t.tokens.creditCode}/classes`, {
      token: t.tokens.utility,
    })
    const body = (await res.json()) as { classes: { evaluationYear: number; class: string }[] }
    expect(body.classes.map((x) => [x.evaluationYear, x.class])).toEqual([
      [2023, 'C'],
      [2024, 'D'],
    ])
  })

  it('bills before, refusal, preview, correction, bills after and as known before, preview = Σ quotes', async () => {
    for (const b of c.bills) expect((await quote(b)).total, b.name).toBe(b.before)

    t.advanceDays(10)
    const { reason, ...change } = c.change
    const refused = await call(t.app, 'POST', '/v1/rulebook/changes', {
      token: t.tokens.bureau,
      body: { ...change, note: reason },
    })
    expect(refused.status).toBe(422)
    expect(await refused.json()).toMatchObject({
      code: 'CITY_RETROACTIVE',
      details: { firstDay: c.change.from },
    })

    const previewRes = await call(t.app, 'POST', '/v1/rulebook/previews', {
      token: t.tokens.bureau,
      body: { ...change, note: reason, months: 1 },
    })
    expect(previewRes.status).toBe(200)
    const pv = (await previewRes.json()) as {
      digest: string
      correctionRequired: boolean
      preview: {
        fromMonth: string
        firms: {
          creditCode: string
          resource: string
          month: string
          quantity: string
          before: string
          after: string
        }[]
        firmsOmitted: number
        total: { change: string }
        byMonth: { month: string; change: string }[]
      }
    }
    expect(pv.correctionRequired).toBe(true)
    expect(pv.preview.fromMonth).toBe('2025-07')
    expect(pv.preview.firmsOmitted).toBe(0)
    // Nothing before the first day changes.
    expect(pv.preview.byMonth.every((m) => m.month >= '2025-07' || m.change === '0.00')).toBe(true)
    const row = pv.preview.firms.find(
      (f) => f.creditCode === t.tokens.creditCode && f.month === c.previewRow.month,
    )!
    const q = new Money(row.quantity)
    expect(row.before).toBe(q.times(c.previewRow.rateBefore).toFixed(2, Money.ROUND_HALF_UP))
    expect(row.after).toBe(q.times(c.previewRow.rateAfter).toFixed(2, Money.ROUND_HALF_UP))

    const made = await call(t.app, 'POST', '/v1/rulebook/changes', {
      token: t.tokens.bureau,
      body: {
        ...change,
        note: reason,
        correction: { reason, document: c.change.document, preview: pv.digest },
      },
    })
    expect(made.status).toBe(201)
    expect(await made.json()).toMatchObject({
      correction: { document: c.change.document },
      reach: { firstDay: c.change.from },
    })

    for (const b of c.bills) {
      expect((await quote(b)).total, `${b.name} after`).toBe(b.after)
      const asKnown = await quote(b, c.knownBefore)
      expect(asKnown.total, `${b.name} as known on ${c.knownBefore}`).toBe(b.before)
      expect(asKnown.knownAt).toBe(new Date(`${c.knownBefore}T23:59:59.999+08:00`).toISOString())
    }

    // The preview's total change is the sum of the quotes it stands for, each asked of the API on both sides.
    let sum = new Money(0)
    for (const f of pv.preview.firms) {
      const bill = {
        from: `${f.month}-01`,
        to: `${nextMonth(f.month)}-01`,
        quantity: f.quantity,
      }
      const after = await quote(bill, undefined, f.creditCode, f.resource)
      const before = await quote(bill, c.knownBefore, f.creditCode, f.resource)
      expect([before.total, after.total], `${f.creditCode} ${f.month}`).toEqual([f.before, f.after])
      sum = sum.plus(after.total).minus(before.total)
    }
    expect(sum.toFixed(2)).toBe(pv.preview.total.change)
    expect(sum.greaterThan(0)).toBe(true)

    // Named in every provenance it reaches: September 2025 (after its first day), not June 2025.
    const provenance = async (date: string) =>
      (await (
        await call(t.app, 'GET', `/v1/enterprises/${t.tokens.creditCode}/provenance?date=${date}`, {
          token: t.tokens.utility,
        })
      ).json()) as { rules: { corrections: { document: string; firstDay: string }[] } }
    expect((await provenance('2025-09-15')).rules.corrections).toMatchObject([
      { document: c.change.document, firstDay: c.change.from },
    ])
    expect((await provenance('2025-06-15')).rules.corrections).toEqual([])

    // The correction is in the audit log as one, with its document.
    const audit = await call(t.app, 'GET', '/v1/audit?limit=20', { token: t.tokens.bureau })
    const entries = (await audit.json()) as { entries: { action: string; detail: unknown }[] }
    const corr = entries.entries.find((e) => e.action === 'rulebook.version.activate.correction')
    expect(JSON.stringify(corr?.detail)).toContain(c.change.document)
  })
})
