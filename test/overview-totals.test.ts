/**
 * The overview's totals come from SQL aggregates (issue "City scale": the page must not load a population of a
 * million firms); they equal the same sums over the loaded population.
 */
import { expect, it } from 'vitest'
import { createTestApp } from './support/app.ts'

it('figure totals in SQL equal the sums over the population; class counts add up to the firms of each class', () => {
  const t = createTestApp({ size: 300 })
  const run = t.store.publishedRun(2024)!
  const population = new Map(t.store.population(2024).map((e) => [e.creditCode, e]))
  const sum = (codes: string[], id: string) =>
    codes.reduce((a, c) => a + (Number(population.get(c)!.figures[id]) || 0), 0)
  const d = t.store.runResults(run.id, { class: 'D' }).map((r) => r.creditCode)
  expect(d.length).toBeGreaterThan(3)
  const dTotals = t.store.figureTotals(2024, ['energy_tce', 'land_mu'], {
    run: { id: run.id, class: 'D' },
  })
  expect(dTotals.firms).toBe(d.length)
  expect(dTotals.sums.energy_tce).toBeCloseTo(sum(d, 'energy_tce'), 6)
  expect(dTotals.sums.land_mu).toBeCloseTo(sum(d, 'land_mu'), 6)
  const above = [...population.values()]
    .filter((e) => e.figures.above_scale === true)
    .map((e) => e.creditCode)
  const aboveTotals = t.store.figureTotals(2024, ['value_added', 'employees'], { aboveScale: true })
  expect(aboveTotals.firms).toBe(above.length)
  expect(aboveTotals.sums.value_added).toBeCloseTo(sum(above, 'value_added'), 6)
  expect(aboveTotals.sums.employees).toBe(sum(above, 'employees'))
  const c = t.store.runResults(run.id, { class: 'C' }).length
  expect(
    t.store
      .classCounts(run.id)
      .filter((r) => r.class === 'C')
      .reduce((a, r) => a + r.n, 0),
  ).toBe(c)
  expect(t.store.classCounts(run.id).filter((r) => r.class === 'C').length).toBeLessThan(c)
})

it('the overview page shows the number of C-class firms and the D-class totals, not the number of groups', async () => {
  const t = createTestApp({ size: 300 })
  const login = await t.app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: t.tokens.bureau }).toString(),
  })
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
  expect(cookie).not.toBe('')
  const html = await (await t.app.request('/overview', { headers: { cookie } })).text()
  // Each target row: its label, then the value measured.
  const shown = (label: string) => {
    const m = new RegExp(`<td>${label}</td><td class="num">([^<]+)</td>`).exec(html)
    return m ? Number(m[1]) : undefined
  }
  const run = t.store.publishedRun(2024)!
  const d = t.store.runResults(run.id, { class: 'D' }).map((r) => r.creditCode)
  const land = t.store.figureTotals(2024, ['land_mu'], { run: { id: run.id, class: 'D' } })
  expect(shown('整治提升企业')).toBe(t.store.runResults(run.id, { class: 'C' }).length)
  expect(shown('淘汰关停企业')).toBe(d.length)
  expect(shown('盘活存量土地')).toBe(Math.round(land.sums.land_mu))
})
