/**
 * Golden case of the rectification programme: a small city (three counties, twelve enterprises), its records
 * entered through the use cases (backdated days decided and done dispositions verified by the economy office), and
 * every target figure, the list deadlines, a quarter's report and the fund's allocation checked against
 * test/cases/programme/small-city.yaml, where each is worked out by hand.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { createServices, type Services } from '../src/app/services.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import type { Enterprise } from '../src/enterprise/enterprise.ts'
import type { Principal } from '../src/principal.ts'
import { ningboTexts } from './support/rulebook.ts'

const CASE = parse(
  readFileSync(new URL('./cases/programme/small-city.yaml', import.meta.url), 'utf8'),
) as any
const ECONOMY: Principal = { role: 'economy', scope: '', label: 'golden', tokenId: 0 }
const countyOf = (code: string): Principal => ({
  role: 'county',
  scope: code,
  label: `golden ${code}`,
  tokenId: 0,
})
const HISTORIC = 'golden case: records of 2015–2017'
/** The economy office's decision on a backdated day: accepted as a correction, or refused (`refused: true`). */
const decide = (request: { id: number } | null, refused?: boolean) =>
  request &&
  s.programme.decideBackdate(
    ECONOMY,
    request.id,
    refused
      ? { decision: 'refused', reason: 'golden case: no proof of the earlier day' }
      : { decision: 'accepted', reason: HISTORIC, ref: '甬经信〔2018〕1号' },
  )
const short: Record<string, string> = { H: '330203', J: '330205', B: '330206' }

/** Ningbo's rules for three counties only, without the county overrides (which name other counties). */
function smallCityRules() {
  return ningboTexts()
    .filter((t) => !t.path.startsWith('counties/'))
    .map((t) => {
      if (t.path !== 'rulebook.yaml') return t
      const text = t.text
        .replace(
          / {2}counties:\n( {4}(?:- |#).*\n)+/,
          `  counties:\n${CASE.counties.map((c: any) => `    - { code: "${c.code}", name: ${c.name} }\n`).join('')}`,
        )
        // The zones lie in counties this small city does not have.
        .replace(/ {2}zones:\n( {4}- .*\n)+/, '')
      return { ...t, text }
    })
}

let s: Services
const codes = new Map<string, string>()
const projectIds = new Map<string, number>()
const dispositionIds = new Map<string, number>()
const keyOfDisposition = (id: number) => [...dispositionIds].find(([, v]) => v === id)?.[0]
const keyOfProject = (id: number) => [...projectIds].find(([, v]) => v === id)?.[0]

beforeAll(() => {
  const store = new Store(createDb(':memory:'), () => '2026-01-01T00:00:00.000Z')
  s = createServices(store)
  s.rulebooks.loadInitial(smallCityRules(), 'golden')
  expect(s.rulebooks.active().rulebook.meta.counties.map((c) => c.code)).toEqual([
    '330203',
    '330205',
    '330206',
  ])
  const firm = (e: any, year: 2014 | 2017): Enterprise => {
    const [va, emp] = (year === 2014 ? e.y2014 : e.y2017) ?? [20, 50]
    return {
      creditCode: codes.get(e.key)!,
      name: `${e.key} 有限公司`,
      county: e.county,
      industryCode: '3411',
      // Room enough for what each disposition frees (a disposition cannot free more than the firm's figures).
      figures: {
        above_scale: e.above === true,
        land_mu: 10,
        tax: 10,
        revenue: 100,
        value_added: va,
        energy_tce: 500,
        electricity_kwh: 10000,
        employees: emp,
      },
    }
  }
  for (const e of CASE.enterprises) codes.set(e.key, withCheckChar(e.body))
  s.enterprises.importRows(
    ECONOMY,
    CASE.enterprises.map((e: any) => firm(e, 2014)),
    2014,
  )
  s.enterprises.importRows(
    ECONOMY,
    CASE.enterprises.filter((e: any) => !e.closed).map((e: any) => firm(e, 2017)),
    2017,
  )
  for (const p of CASE.projects) {
    const row = s.programme.registerProject(countyOf(p.county), {
      county: p.county,
      year: p.year,
      kind: 'sector',
      name: `${p.key} 整治提升项目`,
      township: '某镇',
      startsOn: `${p.year}-01-01`,
      endsOn: `${p.year}-12-31`,
      ...(p.cluster && { cluster: p.cluster }),
      filedOn: p.filedOn,
      historicReason: HISTORIC,
    })
    decide(row.backdateRequest, p.refused)
    projectIds.set(p.key, row.id)
    if (p.clusterBuiltOn)
      s.programme.updateProject(countyOf(p.county), row.id, { clusterBuiltOn: p.clusterBuiltOn }, 1)
  }
  for (const d of CASE.dispositions) {
    const project = CASE.projects.find((p: any) => p.key === d.project)
    const who = countyOf(project.county)
    const done = d.status === 'done'
    const row = s.programme.addDisposition(who, projectIds.get(d.project)!, {
      creditCode: codes.get(d.firm)!,
      kind: d.kind,
      deadline: d.deadline ?? `${project.year}-12-31`,
      status: d.status,
      startedOn: null,
      completedOn: done ? d.completedOn : null,
      evidence: done ? '验收意见' : d.status === 'abandoned' ? '企业迁出' : '',
      changes: d.kind === 'upgrade' && done ? '更新设备' : '',
      energyFreedTce: d.energy ?? '0',
      waterFreedM3: d.water ?? '0',
      landFreedMu: d.land ?? '0',
      jobsReduced: d.jobs ?? 0,
    })
    dispositionIds.set(d.key, row.id)
    if (d.later)
      s.programme.updateDisposition(
        who,
        row.id,
        {
          status: d.later.status,
          completedOn: d.later.completedOn,
          evidence: '验收意见',
          changes: '更新设备',
          energyFreedTce: d.later.energy,
          waterFreedM3: d.later.water,
          landFreedMu: d.later.land,
          jobsReduced: d.later.jobs,
        },
        row.version,
      )
  }
  for (const r of CASE.reports)
    decide(
      s.programme.submitReport(countyOf(r.county), r.county, r.quarter, {
        submittedOn: r.submittedOn,
        historicReason: HISTORIC,
      }).backdateRequest,
      r.refused,
    )
  // The economy office verifies (核验) every done disposition but those the case leaves unverified.
  for (const d of CASE.dispositions) {
    if (d.verified === false) continue
    const row = s.programme
      .projectDetail(ECONOMY, projectIds.get(d.project)!)
      .dispositions.find((x) => x.id === dispositionIds.get(d.key))!
    if (row.status === 'done') s.programme.verifyDisposition(ECONOMY, row.id, {}, row.version)
  }
})

describe(`programme golden case: ${CASE.name}`, () => {
  it('each target figure, for the city and each county, with the records it counts', () => {
    const want = CASE.expect.progress
    const got = s.programme.progress(ECONOMY, want.asOf)
    const byMetric = (figures: any[]) => new Map(figures.map((f) => [f.metric, f]))
    const city = byMetric(got.city)
    expect([...city.keys()].sort()).toEqual(Object.keys(want.city).sort())
    for (const [metric, w] of Object.entries<any>(want.city)) {
      const f = city.get(metric)
      expect(f.value, metric).toBe(w.value)
      if (w.ratio !== undefined) expect(f.ratio, metric).toBe(w.ratio)
      if (w.dispositions)
        expect(f.basis.dispositions.map(keyOfDisposition), metric).toEqual(w.dispositions)
      if (w.projects) expect(f.basis.projects.map(keyOfProject), metric).toEqual(w.projects)
    }
    for (const [county, metrics] of Object.entries<any>(want.counties)) {
      const figures = byMetric(got.counties.find((c) => c.county === county)!.figures)
      for (const [metric, w] of Object.entries<any>(metrics))
        expect(figures.get(metric).value, `${county} ${metric}`).toBe(w.value)
    }
  })

  it('the project-list deadlines of each year: on time, late or missing', () => {
    const got = [2015, 2016, 2017].flatMap((y) => s.programme.lists(ECONOMY, y))
    expect(
      got.map((l) => ({ year: l.year, county: l.county, status: l.status, due: l.due })),
    ).toEqual(CASE.expect.lists)
  })

  it('a county’s quarterly report, its state, the CSV line, and every county’s report state', () => {
    const want = CASE.expect.report
    const r = s.programme.report(ECONOMY, want.county, want.quarter)
    expect(r.due).toBe(want.due)
    expect(r.state).toBe(want.state)
    expect(r.report.months).toEqual(want.months)
    expect(
      r.report.projects.map((p) => ({ project: keyOfProject(p.id), dispositions: p.dispositions })),
    ).toEqual(want.projects)
    expect(
      r.report.overdue.map((o) => ({
        disposition: keyOfDisposition(o.dispositionId),
        project: keyOfProject(o.projectId),
        firm: [...codes].find(([, c]) => c === o.creditCode)?.[0],
        kind: o.kind,
        deadline: o.deadline,
        status: o.status,
      })),
    ).toEqual(want.overdue)
    const csv = s.programme.reportCsv(ECONOMY, want.county, want.quarter)
    expect(csv.split('\r\n')).toContain(want.csvLine)
    expect(
      s.programme
        .reportStates(ECONOMY, want.quarter)
        .map((x) => ({ county: x.county, state: x.state })),
    ).toEqual(CASE.expect.reportStates)
  })

  it('the fund’s allocation: each criterion per county, the scores, and the amounts to the fen', () => {
    const want = CASE.expect.fund
    const a = s.programme.fundPreview(ECONOMY, want.year)
    for (const [criterion, values] of Object.entries<any>(want.criteria)) {
      expect(a.criteria.find((c) => c.id === criterion)!.total, criterion).toBe(values.total)
      for (const [k, code] of Object.entries(short))
        expect(
          a.counties.find((c) => c.county === code)!.criteria.find((c) => c.id === criterion)!
            .value,
          `${criterion} ${k}`,
        ).toBe(values[k])
    }
    for (const [k, code] of Object.entries(short))
      expect(a.counties.find((c) => c.county === code)!.allocated, k).toBe(want.allocated[k])
    expect(a.total).toBe(want.total)
  })
})
