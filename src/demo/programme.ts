/**
 * The demo's rectification programme, 2015–2017: each county's projects (one county files its 2016 list late and
 * has none for 2017), each enterprise's disposition, closures of small workshops (个体工商户, with 2014 figures only),
 * quarterly reports (some late, some missing), the 2014 and 2017 figures the productivity target compares, and the
 * 2015 and 2016 fund allocations fixed (2017 left to preview). The history is entered afterwards: each backdated
 * filing and report is accepted, and each done disposition verified, by the economy office as a correction resting
 * on one document. Deterministic, like the rest of the demo.
 * @module demo/programme
 */
import type { Services } from '../app/services.ts'
import { addDays } from '../dates.ts'
import { withCheckChar } from '../enterprise/credit-code.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Principal } from '../principal.ts'
import { quarterBounds } from '../programme/records.ts'
import { countiesOn } from '../rulebook/schema.ts'
import { prng, syntheticPopulation } from './population.ts'

const ECONOMY: Principal = { role: 'economy', scope: '', label: 'demo', tokenId: 0 }
const countyDemo = (code: string): Principal => ({
  role: 'county',
  scope: code,
  label: `demo county ${code}`,
  tokenId: 0,
})
const HISTORIC = 'demo programme: records of 2015–2017 entered afterwards'
/** The document the economy office's corrections of the demo's history rest on. */
const HISTORY_REF = '甬经信〔2018〕demo号'
const correction = { reason: HISTORIC, ref: HISTORY_REF }

/** The economy office accepts a county's backdated day as a correction (the demo's history is certified). */
function certify(services: Services, request: { id: number } | null): void {
  if (request)
    services.programme.decideBackdate(ECONOMY, request.id, { decision: 'accepted', ...correction })
}

/** A year's figures scaled from `population`'s: value added by `va`, everything else as it is. */
function scaled(population: Enterprise[], va: number, seed: number): Enterprise[] {
  const rnd = prng(seed)
  return population.map((e) => {
    const f = { ...e.figures }
    if (typeof f.value_added === 'number')
      f.value_added = Math.round(f.value_added * va * (0.9 + 0.2 * rnd()) * 100) / 100
    return { ...e, figures: f }
  })
}

/** Small workshops to close: individual businesses (统一社会信用代码 92…), not above scale. */
function workshops(n: number): Enterprise[] {
  return syntheticPopulation(n, 2014).map((e, i) => {
    const body = `92${e.creditCode.slice(2, 17)}`
    return {
      ...e,
      creditCode: body + withCheckChar(body).slice(17),
      name: `宁波${e.county}作坊${i}`,
      figures: { ...e.figures, above_scale: false },
    }
  })
}

const pad = (n: number) => String(n).padStart(2, '0')
const day = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(Math.min(d, 28))}`

export function seedProgramme(services: Services, population: Enterprise[]): void {
  const { enterprises, programme, rulebooks } = services
  const rnd = prng(2015)
  const counties = countiesOn(
    rulebooks.active().rulebook.meta.counties,
    services.store.today(),
  ).map((c) => c.code)
  // Bounded whatever DEMO_SIZE is: a programme of a few thousand records, as a city's would be.
  const shops = workshops(Math.min(2000, Math.max(20, Math.round(population.length * 0.04))))
  enterprises.importRows(ECONOMY, [...scaled(population, 0.72, 2014), ...shops], 2014)
  enterprises.importRows(ECONOMY, scaled(population, 0.97, 2017), 2017)

  const byCounty = (list: Enterprise[], c: string) => list.filter((e) => e.county === c)
  const perProject = Math.min(40, Math.max(3, Math.round(population.length / 400)))
  let cluster = 0
  counties.forEach((county, ci) => {
    const firms = byCounty(population, county)
    const closable = byCounty(shops, county)
    const who = countyDemo(county)
    let f = 0
    let s = 0
    for (const year of [2015, 2016, 2017]) {
      // 象山 (the 7th county) never files its 2017 list; 江北 (the 2nd) files its 2016 list late.
      if (year === 2017 && ci === 6) continue
      const filedOn =
        year === 2015
          ? day(2015, 3 + (ci % 2), 10 + ci)
          : ci === 1 && year === 2016
            ? '2016-01-20'
            : day(year - 1, 12, 1 + ci)
      const projectsThisYear = 1 + (ci % 3 === 0 ? 1 : 0)
      for (let k = 0; k < projectsThisYear; k++) {
        const builds = cluster < 14 && (ci + k + year) % 2 === 0
        const project = programme.registerProject(who, {
          county,
          year,
          kind: k === 0 ? 'sector' : 'block',
          name: k === 0 ? `${year}年度“低小散”行业整治提升项目` : `${year}年度村级工业区块整治项目`,
          township: `${county}-镇${k + 1}`,
          startsOn: `${year}-01-01`,
          endsOn: `${year}-12-31`,
          ...(builds && { cluster: `小微企业园${++cluster}` }),
          filedOn,
          historicReason: HISTORIC,
        })
        certify(services, project.backdateRequest)
        if (builds && year < 2017 + (ci % 2))
          programme.updateProject(who, project.id, { clusterBuiltOn: day(year, 10, 15) }, 1)
        const members: { e: Enterprise; closure: boolean }[] = []
        for (let n = 0; n < perProject && f < firms.length; n++)
          members.push({ e: firms[f++], closure: false })
        for (let n = 0; n < Math.ceil(perProject / 3) && s < closable.length; n++)
          members.push({ e: closable[s++], closure: true })
        for (const { e, closure } of members) {
          const u = rnd()
          const kind = closure ? 'closure' : u < 0.65 ? 'upgrade' : 'compliance'
          const month = 2 + Math.floor(rnd() * 10)
          const fate = rnd()
          // Most are done within the year; some are still in progress, a few overdue or abandoned.
          const status =
            year === 2017 && fate > 0.75 ? 'in_progress' : fate > 0.95 ? 'abandoned' : 'done'
          const done = status === 'done'
          const energy = typeof e.figures.energy_tce === 'number' ? e.figures.energy_tce : 0
          const water = typeof e.figures.water_m3 === 'number' ? e.figures.water_m3 : 0
          const land = typeof e.figures.land_mu === 'number' ? e.figures.land_mu : 0
          const employees = typeof e.figures.employees === 'number' ? e.figures.employees : 0
          const row = programme.addDisposition(who, project.id, {
            creditCode: e.creditCode,
            kind,
            deadline: `${year}-12-31`,
            status,
            startedOn: day(year, Math.max(1, month - 1), 5),
            completedOn: done ? day(year, month, 1 + Math.floor(rnd() * 27)) : null,
            evidence: done
              ? closure
                ? '断电、拆除设备、注销营业执照（乡镇验收单）'
                : '县经信局验收意见'
              : status === 'abandoned'
                ? '企业已外迁，转由迁入地处置'
                : '',
            changes: kind === 'upgrade' && done ? '更新自动化生产线，机器换人' : '',
            energyFreedTce: done
              ? closure
                ? energy.toFixed(2)
                : (energy * (kind === 'upgrade' ? 0.12 : 0.03)).toFixed(2)
              : '0',
            waterFreedM3: done ? (closure ? String(water) : String(Math.round(water * 0.05))) : '0',
            landFreedMu: done && closure ? land.toFixed(2) : '0',
            jobsReduced: done ? (closure ? employees : Math.round(employees * 0.15)) : 0,
          })
          // The economy office checked each done disposition on site about ten days later (核验), recorded now as
          // corrections of that history: a closure ends surcharges from its completion day.
          if (done) {
            const checked = [addDays(row.completedOn!, 10), services.store.today()].sort()[0]
            programme.verifyDisposition(
              ECONOMY,
              row.id,
              { verifiedOn: checked, ...correction },
              row.version,
            )
          }
        }
      }
    }
    // Quarterly reports (due 10 days after the quarter): most on time; 宁海 (8th) always late, 象山 (7th) none in 2017.
    for (const year of [2015, 2016, 2017])
      for (const n of [1, 2, 3, 4]) {
        const quarter = `${year}Q${n}`
        if (ci === 6 && year === 2017) continue
        const on = addDays(quarterBounds(quarter).to, ci === 7 ? 25 : 3 + (ci % 5))
        certify(
          services,
          programme.submitReport(who, county, quarter, {
            submittedOn: on,
            historicReason: HISTORIC,
          }).backdateRequest,
        )
      }
  })
  for (const year of [2015, 2016]) programme.fixFund(ECONOMY, year)
}
