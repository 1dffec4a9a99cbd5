/**
 * The hostile traffic `npm run soak` runs beside the normal load: unique padded tier URLs, anonymous self-checks of
 * the page, a failed-login storm on the API and on /login, a large CSV import as a job, and large county drafts.
 */

import { syntheticPopulation } from '../demo/population.ts'
import { toCsv } from '../enterprise/csv.ts'

const PAD = 'p'.repeat(7000)

/** One hostile request after another, cycling through the attacks. */
export function hostileRequests(token: string, codes: string[]) {
  let n = 0
  return () => {
    n++
    const attack = n % 4
    if (attack === 0)
      return {
        method: 'GET',
        path: `/v1/enterprises/${codes[n % codes.length]}/tier?date=2025-03-01&n=${n}&p=${PAD}`,
        headers: { authorization: `Bearer ${token}` },
      }
    if (attack === 1)
      return {
        method: 'POST',
        path: '/self-check',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `county=330282&industryCode=3411&year=2024&land_mu=10&tax=${n % 97}&electricity_kwh=100000`,
      }
    if (attack === 2)
      return {
        method: 'GET',
        path: '/v1/rulebook',
        headers: { authorization: `Bearer guess-${n}` },
      }
    return {
      method: 'POST',
      path: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=guess-${n}`,
    }
  }
}

/** A CSV of `n` synthetic enterprises with every numeric and flag input the population carries. */
export function importCsv(n: number, seed: number): string {
  const pop = syntheticPopulation(n, seed)
  const inputs = [...new Set(pop.flatMap((e) => Object.keys(e.figures)))].sort()
  return toCsv(
    ['credit_code', 'name', 'county_code', 'industry_code', ...inputs],
    pop.map((e) => [
      e.creditCode,
      e.name,
      e.county,
      e.industryCode,
      ...inputs.map((k) => e.figures[k] ?? ''),
    ]),
  )
}

/**
 * A large county draft: `items` surcharges added (one line each), as the issue "Hostile input, second round" sent them
 * (3,000 items ≈ 400 KB). Valid: it compiles against the city rules.
 */
export function largeOverride(id: string, county: string, items: number, from = '2030-01-01') {
  const lines: string[] = []
  for (let i = 0; i < items; i++)
    lines.push(
      `    - { id: s${i}, label: 附${i}, from: ${from}, resource: electricity, basis: class, source: { document: 方案 }, rates: [{ class: D, rate: "0.0${i % 10}" }] }`,
    )
  return `override:
  id: ${id}
  county: "${county}"
  label: 大量附加 ${id}
  status: draft
  from: ${from}
  source: { document: 试验方案 }
add:
  surcharges:
${lines.join('\n')}
`
}
