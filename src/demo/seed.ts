/**
 * Loads the demo population (two years of figures, both evaluations published) and demo tokens into an empty
 * database. Deterministic: the same size gives the same enterprises, figures and classes.
 * @module demo/seed
 */
import type { Services } from '../app/services.ts'
import { addDays } from '../dates.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Principal } from '../principal.ts'
import { prng, syntheticPopulation } from './population.ts'
import { seedProgramme } from './programme.ts'

export interface DemoTokens {
  bureau: string
  economy: string
  observer: string
  utility: string
  county: string
  enterprise: string
  countyCode: string
  creditCode: string
}

/** The previous year's figures: each number moved by a deterministic ±15 %. */
function previousYear(population: Enterprise[]): Enterprise[] {
  const rnd = prng(2023)
  return population.map((e) => {
    const f: Enterprise['figures'] = {}
    for (const [k, v] of Object.entries(e.figures)) {
      f[k] =
        typeof v === 'number' && k !== 'energy_limit_kwh_per_t' && !k.endsWith('_year')
          ? Math.round(v * (0.85 + 0.3 * rnd()) * 100) / 100
          : v
    }
    if (typeof f.employees === 'number') f.employees = Math.max(3, Math.round(f.employees))
    // Above scale only from the later year: not yet in the earlier one's figures.
    delete f.above_scale_from_year
    return { ...e, figures: f }
  })
}

/** The demo seeder acts as the economy-and-IT office (it keeps the register and runs the evaluations), without a token. */
const DEMO: Principal = { role: 'economy', scope: '', label: 'demo', tokenId: 0 }

/** Seeds an empty store; returns the demo tokens (stored hashed, shown once). */
export function seedDemo(services: Services, size: number): DemoTokens {
  const { store, enterprises, evaluations } = services
  const current = syntheticPopulation(size, 2024)
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
  // The demo enterprise is a 慈溪 firm rated D (or C) in 2024, so its tier and quotes show a surcharge.
  const first = (c?: string) =>
    store.runResults(lastRun, { county: '330282', class: c, limit: 1, offset: 0 })[0]
  const pick = first('D') ?? first('C') ?? first()
  const cixi = current.find((e) => e.creditCode === pick.creditCode)!
  return {
    bureau: store.createToken('bureau', '', 'demo bureau', { by: 'demo' }).token,
    utility: store.createToken('utility', '', 'demo utility', { by: 'demo' }).token,
    county: store.createToken('county', '330282', 'demo county 慈溪市', { by: 'demo' }).token,
    enterprise: store.createToken('enterprise', cixi.creditCode, `demo enterprise ${cixi.name}`, {
      by: 'demo',
    }).token,
    // Made after the first four, whose token ids older tests and tools know.
    economy: store.createToken('economy', '', 'demo economy office 经信', { by: 'demo' }).token,
    observer: store.createToken('observer', '', 'demo observer 环保', { by: 'demo' }).token,
    countyCode: '330282',
    creditCode: cixi.creditCode,
  }
}
