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

it('the overview shows progress measured from the programme’s records, not counts of C- and D-class firms', async () => {
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
  const shown = (metric: string) => {
    const m = new RegExp(
      `<tr data-metric="${metric}">.*?<td class="num" data-value="([^"]*)"`,
    ).exec(html)
    return m?.[1]
  }
  const economy = t.services.tokens.principal(t.tokens.economy)!
  const records = t.services.programme.listProjects(economy, {})
  const dispositions = records.flatMap(
    (p) => t.services.programme.projectDetail(economy, p.id).dispositions,
  )
  const done = dispositions.filter((d) => d.status === 'done')
  const firms = (kinds: string[]) =>
    new Set(done.filter((d) => kinds.includes(d.kind)).map((d) => d.creditCode)).size
  expect(shown('enterprises_upgraded')).toBe(String(firms(['upgrade', 'compliance'])))
  expect(shown('enterprises_closed')).toBe(String(firms(['closure'])))
  // What the old page showed instead: the C-class count of the 2024 run, which is not what the plan counts.
  const run = t.store.publishedRun(2024)!
  expect(Number(shown('enterprises_upgraded'))).not.toBe(
    t.store.runResults(run.id, { class: 'C' }).length,
  )
  const jobs = done.reduce((a, d) => a + d.jobsReduced, 0)
  expect(shown('jobs_reduced')).toBe(String(jobs))
  // Productivity against the 2014 base year, which the demo stores (above-scale firms' value added per employee).
  expect(Number(shown('labour_productivity_gain'))).toBeGreaterThan(0.2)
  // The flagged deadlines: 江北 filed its 2016 list late, 象山 none in 2017.
  expect(html).toContain('badge st-late')
  expect(html).toContain('badge st-missing')
})
