/**
 * Compact results (issue "City scale"): a stored result keeps the few columns read often and its points; the full
 * trace is recomputed on demand from the figures it rated, the run's rules and the run's peer statistics, and is
 * identical to the trace the run produced.
 */
import { describe, expect, it, vi } from 'vitest'
import type { Store } from '../src/db/store.ts'
import type { RatingResult } from '../src/rating/rate.ts'
import { resultToJson } from '../src/rating/result-json.ts'
import { createTestApp, importAsCorrection, principalOf } from './support/app.ts'
import { edited } from './support/rulebook.ts'

/** A fresh run of `year`, with the results the rating produced before they were stored. */
function runCapturing(t: ReturnType<typeof createTestApp>, year: number) {
  const insert = vi.spyOn(t.store, 'insertRun')
  const bureau = principalOf(t, t.tokens.bureau)
  const { id } = t.services.evaluations.run(principalOf(t, t.tokens.economy), year)
  const results = insert.mock.calls.at(-1)![2] as RatingResult[]
  insert.mockRestore()
  // The run-time trace, taken as the run stored it (and before anything else changes).
  const runTime = new Map(
    results.map((r) => [r.creditCode, { ...resultToJson(r), figures: r.figures }]),
  )
  return { id, runTime, bureau }
}

const storedOf = (t: ReturnType<typeof createTestApp>, runId: number, code: string) =>
  t.services.evaluations.stored(t.store.getRun(runId), t.store.runResult(runId, code)!)

function rowBytes(store: Store): { payload: number; rows: number } {
  const c = store.db.$client
  const payload = c
    .prepare(`SELECT sum(payload) FROM dbstat WHERE name = 'evaluation_results'`)
    .pluck()
    .get() as number
  const rows = c.prepare('SELECT count(*) FROM evaluation_results').pluck().get() as number
  return { payload, rows }
}

describe('compact results and recomputed traces', () => {
  it('every stored result, ties and unrated firms included, recomputes to the trace the run produced', () => {
    const t = createTestApp({ size: 400 })
    // Two above-scale firms of one county with every ratio at its 3× cap: the same score, ranked apart at run time
    // by the tie-break (tax per mu), which the peer statistics do not keep.
    const everyone = t.store.population(2024)
    const bureau = principalOf(t, t.tokens.economy)
    const a = everyone.find((e) => e.figures.above_scale === true)!
    const b = everyone.find(
      (e) => e !== a && e.county === a.county && e.figures.above_scale === true,
    )!
    // From Ningbo 4.0 every demo firm is in a list, so one below-scale firm without land is set out of scope.
    const c = everyone.find((e) => e.figures.above_scale === false && e.figures.tenant !== true)!
    const f = a.figures as Record<string, number>
    const capped = {
      ...f,
      tax: f.tax * 1000,
      value_added: f.value_added * 1000,
      rd_spend: f.revenue * 0.5,
    }
    t.services.enterprises.importRows(
      bureau,
      [
        { ...a, figures: capped },
        { ...b, industryCode: a.industryCode, figures: { ...capped, tax: capped.tax * 1.5 } },
        { ...c, figures: { ...c.figures, land_mu: 0 } },
      ],
      2024,
    )
    const { id, runTime } = runCapturing(t, 2024)
    const rows = t.store.runResults(id)
    expect(rows.length).toBe(runTime.size)
    // Tied scores (ranked by tie-breaks the statistics do not keep) and a firm out of scope.
    const [ra, rb] = [a, b].map((e) => rows.find((r) => r.creditCode === e.creditCode)!)
    expect(ra.score).toBe(rb.score)
    expect(ra.rank).toBe(rb.rank! + 1)
    expect(rows.find((r) => r.creditCode === c.creditCode)!.status).toBe('out_of_scope')
    for (const row of rows)
      expect(t.services.evaluations.stored(t.store.getRun(id), row), row.creditCode).toEqual(
        runTime.get(row.creditCode),
      )
  })

  it('every stored row keeps the sector category the run gave its firm, label included', () => {
    const t = createTestApp({ size: 400 })
    const insert = vi.spyOn(t.store, 'insertRun')
    const { id } = t.services.evaluations.run(principalOf(t, t.tokens.economy), 2024)
    const results = insert.mock.calls.at(-1)![2] as RatingResult[]
    insert.mockRestore()
    const stored = new Map(
      t.store.db.$client
        .prepare('SELECT credit_code, category FROM evaluation_results WHERE run_id = ?')
        .raw()
        .all(id) as [string, string | null][],
    )
    // The demo's firms fall in more than one category: a text shared wrongly between them would show.
    const categories = new Set(results.map((r) => r.category?.category))
    expect(categories.size).toBeGreaterThan(2)
    for (const r of results)
      expect(JSON.parse(stored.get(r.creditCode) ?? 'null'), r.creditCode).toEqual(r.category)
  })

  it('a stored result holds no trace and fits in 300 bytes', () => {
    const t = createTestApp({ size: 2000 })
    runCapturing(t, 2024)
    const { payload, rows } = rowBytes(t.store)
    expect(rows).toBeGreaterThan(2000)
    expect(payload / rows).toBeLessThanOrEqual(300)
    const legacy = t.store.db.$client
      .prepare('SELECT count(*) FROM evaluation_results WHERE legacy IS NOT NULL')
      .pluck()
      .get()
    expect(legacy).toBe(0)
  })

  it('figures replaced after the run: the trace and pricing still read the figures rated', () => {
    const t = createTestApp({ size: 200 })
    const { id, runTime, bureau } = runCapturing(t, 2024)
    const row = t.store.runResults(id).find((r) => r.status === 'rated')!
    const before = t.store.getFigures(row.creditCode, 2024)
    t.services.enterprises.putFigures(
      bureau,
      row.creditCode,
      2024,
      { ...before.data, tax: Number(before.data.tax) * 3 },
      before.etag,
    )
    expect(t.store.getFigures(row.creditCode, 2024).version).toBe(before.version + 1)
    expect(storedOf(t, id, row.creditCode)).toEqual(runTime.get(row.creditCode))
    expect(t.store.ratedFacts(row.creditCode, [id])[0].figures).toEqual(before.data)
    // An import replacing the year's figures keeps the replaced version too; one that changes nothing adds none.
    const current = t.store.population(2024).find((e) => e.creditCode === row.creditCode)!
    t.services.enterprises.importRows(bureau, [current], 2024)
    expect(t.store.getFigures(row.creditCode, 2024).version).toBe(before.version + 1)
    const changed = { ...current.figures, tax: Number(current.figures.tax) * 2 }
    t.services.enterprises.importRows(bureau, [{ ...current, figures: changed }], 2024)
    expect(t.store.getFigures(row.creditCode, 2024).version).toBe(before.version + 2)
    expect(storedOf(t, id, row.creditCode)).toEqual(runTime.get(row.creditCode))
  })

  it('the database keeps a replaced version whichever statement replaces it (a trigger, not the code path)', () => {
    const t = createTestApp({ size: 20 })
    const code = t.store.population(2024)[0].creditCode
    const before = t.store.getFigures(code, 2024)
    t.store.db.$client
      .prepare(
        `UPDATE figures SET data = '{}', version = version + 1 WHERE credit_code = ? AND year = 2024`,
      )
      .run(code)
    expect(t.store.figuresAt(code, 2024, before.version)).toEqual(before.data)
    expect(t.store.figuresAt(code, 2024, before.version + 1)).toEqual({})
  })

  it('a new rulebook version after the run does not change the run’s recomputed trace', () => {
    const t = createTestApp({ size: 200 })
    const { id, runTime, bureau } = runCapturing(t, 2024)
    const texts = edited(
      'evaluation.yaml',
      '      - { indicator: tax_per_mu, weight: 30,',
      '      - { indicator: tax_per_mu, weight: 45,',
    )
    importAsCorrection(t, bureau, texts, 'heavier tax weight')
    const later = runCapturing(t, 2024)
    const code = t.store
      .runResults(id)
      .find(
        (r) => later.runTime.get(r.creditCode)!.score !== runTime.get(r.creditCode)!.score,
      )!.creditCode
    expect(storedOf(t, id, code)).toEqual(runTime.get(code))
    expect(storedOf(t, later.id, code)).toEqual(later.runTime.get(code))
  })

  it('a stored result that no longer matches its recomputation is refused, not shown', () => {
    const t = createTestApp({ size: 100 })
    const { id } = runCapturing(t, 2024)
    const row = t.store.runResults(id).find((r) => r.status === 'rated')!
    t.store.db.$client
      .prepare(
        'UPDATE evaluation_results SET score = score + 1 WHERE run_id = ? AND credit_code = ?',
      )
      .run(id, row.creditCode)
    expect(() => storedOf(t, id, row.creditCode)).toThrow(/cannot be recomputed/)
  })
})
