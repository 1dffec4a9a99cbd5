/**
 * Loads the demo population (two years of figures, both evaluations published) and demo tokens into an empty
 * database, in one transaction: the data and the tokens together, or neither. Deterministic: the same size gives
 * the same enterprises, figures and classes. Any size the environment allows works (see withDemoCounty).
 * @module demo/seed
 */
import type { Services } from '../app/services.ts'
import { addDays } from '../dates.ts'
import { withCheckChar } from '../enterprise/credit-code.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Principal } from '../principal.ts'
import { seedExampleProposal } from './example-proposal.ts'
import { seedLists } from './lists.ts'
import { seedMoney } from './money.ts'
import { prng, syntheticPopulation } from './population.ts'
import { seedProgramme } from './programme.ts'

export interface DemoTokens {
  bureau: string
  economy: string
  observer: string
  utility: string
  county: string
  enterprise: string
  /** A department token (国网宁波供电公司, scope power_supply): the power company's rationing order. */
  department: string
  countyCode: string
  creditCode: string
}

/** The previous year's figures: each number moved by a deterministic ±15 %. */
function previousYear(population: Enterprise[]): Enterprise[] {
  const rnd = prng(2023)
  return population.map((e) => {
    const f: Enterprise['figures'] = {}
    for (const [k, v] of Object.entries(e.figures)) {
      // Sewage follows the year's water (below), drawing nothing, so the other figures keep their draws.
      if (k === 'sewage_m3') continue
      f[k] =
        typeof v === 'number' && k !== 'energy_limit_kwh_per_t' && !k.endsWith('_year')
          ? Math.round(v * (0.85 + 0.3 * rnd()) * 100) / 100
          : v
    }
    if (typeof f.water_m3 === 'number' && 'sewage_m3' in e.figures)
      f.sewage_m3 = Math.round(f.water_m3 * 0.85)
    if (typeof f.employees === 'number') f.employees = Math.max(3, Math.round(f.employees))
    // Above scale only from the later year: not yet in the earlier one's figures.
    delete f.above_scale_from_year
    return { ...e, figures: f }
  })
}

/** The demo county's token and its demo enterprise are 慈溪's. */
const DEMO_COUNTY = '330282'

/**
 * A population with at least one firm in the demo county: a small one may have none (10 firms fall in 4 counties),
 * and the demo county's token and enterprise need one. Then the last firm of the most populous county moves there
 * (its credit code renamed to the county's); a population that has one is kept as it is.
 */
function withDemoCounty(population: Enterprise[]): Enterprise[] {
  if (population.some((e) => e.county === DEMO_COUNTY)) return population
  const counts = new Map<string, number>()
  for (const e of population) counts.set(e.county, (counts.get(e.county) ?? 0) + 1)
  const largest = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0]
  const i = population.map((e) => e.county).lastIndexOf(largest)
  const moved = population[i]
  // 91 + county (6) + the firm's own 9 characters, then the check character of the new code.
  const body = `91${DEMO_COUNTY}${moved.creditCode.slice(8, 17)}`
  const out = [...population]
  out[i] = { ...moved, county: DEMO_COUNTY, creditCode: body + withCheckChar(body).slice(17) }
  return out
}

/** The demo seeder acts as the economy-and-IT office (it keeps the register and runs the evaluations), without a token. */
const DEMO: Principal = { role: 'economy', scope: '', label: 'demo', tokenId: 0 }

/**
 * Seeds an empty store; returns the demo tokens (stored hashed, shown once). One transaction holds every write
 * (each use case's own transaction is a savepoint of it) and `keep`, which stores the tokens (the server writes
 * demo-tokens.json): if anything fails, nothing is committed and the next start seeds an empty database again.
 */
export function seedDemo(
  services: Services,
  size: number,
  keep: (tokens: DemoTokens) => void = () => {},
  options: { money?: boolean } = {},
): DemoTokens {
  return services.store.db.$client
    .transaction(() => {
      const tokens = seed(services, size, options.money ?? true)
      keep(tokens)
      return tokens
    })
    .immediate()
}

function seed(services: Services, size: number, money: boolean): DemoTokens {
  const { store, enterprises, evaluations } = services
  // A pending county proposal to preview, approve or reject: an invented example, never a shipped rule.
  seedExampleProposal(services)
  const current = withDemoCounty(syntheticPopulation(size, 2024))
  enterprises.importRows(DEMO, previousYear(current), 2023)
  enterprises.importRows(DEMO, current, 2024)
  let lastRun = 0
  for (const year of [2023, 2024]) {
    const run = evaluations.run(DEMO, year)
    // Demo history, recorded as published outside mujun on the first day of the following year (audited as such).
    // (Or yesterday, for a clock set before then: its classes still bind from the first day of the next year.)
    const yesterday = addDays(store.today(), -1)
    evaluations.recordPastPublication(
      DEMO,
      run.id,
      yesterday < `${year + 1}-01-01` ? yesterday : `${year + 1}-01-01`,
      'demo population: historic results recorded, not noticed in mujun',
      `演示数据：${year}年度亩均效益评价结果（历史公布）`,
    )
    lastRun = run.id
  }
  seedProgramme(services, current)
  seedLists(services, current)
  // Only once 2024 is over and its evaluation binds (a demo clock set earlier has no refund year to show).
  if (money && store.today() >= '2025-01-02') seedMoney(services, current, DEMO_COUNTY)
  // The demo enterprise is a 慈溪 firm rated D (or C) in 2024, so its tier and quotes show a surcharge (in a tiny
  // demo, whichever 慈溪 firm there is).
  const first = (c?: string) =>
    store.runResults(lastRun, { county: DEMO_COUNTY, class: c, limit: 1, offset: 0 })[0]
  const pick = first('D') ?? first('C') ?? first()
  const cixi =
    current.find((e) => e.creditCode === pick?.creditCode) ??
    current.find((e) => e.county === DEMO_COUNTY)!
  return {
    bureau: store.createToken('bureau', '', 'demo bureau', { by: 'demo' }).token,
    utility: store.createToken('utility', '', 'demo utility', { by: 'demo' }).token,
    county: store.createToken('county', DEMO_COUNTY, 'demo county 慈溪市', { by: 'demo' }).token,
    enterprise: store.createToken('enterprise', cixi.creditCode, `demo enterprise ${cixi.name}`, {
      by: 'demo',
    }).token,
    // Made after the first four, whose token ids older tests and tools know.
    economy: store.createToken('economy', '', 'demo economy office 经信', { by: 'demo' }).token,
    observer: store.createToken('observer', '', 'demo observer 环保', { by: 'demo' }).token,
    department: store.createToken(
      'department',
      'power_supply',
      'demo department 国网宁波供电公司',
      {
        by: 'demo',
      },
    ).token,
    countyCode: DEMO_COUNTY,
    creditCode: cixi.creditCode,
  }
}
