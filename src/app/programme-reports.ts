import { z } from 'zod'
import type { BackdateRequestRow, ProgrammeStore } from '../db/programme-store.ts'
import type { Store } from '../db/store.ts'
import { CorrectionRequiredError, MujunError, NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { allocateFund, fundMeasures } from '../programme/fund.ts'
import { listDeadline, listStatuses } from '../programme/measure.ts'
import { quarterBounds, quarterOf } from '../programme/records.ts'
import { quarterReport, reportCsv, reportDue, reportState } from '../programme/report.ts'
import { resolve } from '../rulebook/resolve.ts'
import { countiesOn } from '../rulebook/schema.ts'
import { actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import type { EnterpriseService } from './enterprises.ts'
import { ownCounty } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

export const Day = z.iso.date({ message: 'dates are ISO YYYY-MM-DD' })
/** Freed quantities are exact decimals, as entered: a JSON number is read through its shortest decimal form. */
export const Quantity = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .pipe(
    z
      .string()
      .regex(
        /^\d{1,12}(\.\d{1,4})?$/,
        'must be a non-negative decimal such as 120.5 (at most 4 decimals)',
      ),
  )
export const Text = (max: number) => z.string().trim().max(max)

export const ProjectRequest = z.strictObject({
  county: z.string().regex(/^\d{6}$/, 'county codes are 6 digits'),
  year: z.number().int().min(2000).max(2100),
  kind: z.enum(['sector', 'block']),
  name: Text(200).min(2),
  township: Text(100).min(1),
  industryCode: z
    .string()
    .regex(/^\d{2,4}$/, 'GB/T 4754 codes are 2 to 4 digits')
    .optional(),
  startsOn: Day,
  endsOn: Day,
  /** The new industrial cluster (新型工业集聚区) the project builds, if it builds one. */
  cluster: Text(200).min(2).optional(),
  /**
   * The day the county says it filed the list with the city office. Before today it needs `historicReason`, and it is
   * a request for the economy office to accept: until then the project counts as filed today.
   */
  filedOn: Day.optional(),
  historicReason: Text(2000).min(5).optional(),
})
export type ProjectRequest = z.infer<typeof ProjectRequest>

export const ProjectPatchRequest = z.strictObject({
  name: Text(200).min(2).optional(),
  township: Text(100).min(1).optional(),
  endsOn: Day.optional(),
  cluster: Text(200).min(2).nullable().optional(),
  clusterBuiltOn: Day.nullable().optional(),
  status: z.enum(['active', 'completed', 'withdrawn']).optional(),
})

export const dispositionFields = {
  deadline: Day,
  status: z.enum(['planned', 'in_progress', 'done', 'abandoned']),
  startedOn: Day.nullable(),
  completedOn: Day.nullable(),
  /** What shows the disposition was carried out, or why it was abandoned. */
  evidence: Text(4000),
  /** For an upgrade: what changed (equipment, process, output). */
  changes: Text(4000),
  energyFreedTce: Quantity,
  waterFreedM3: Quantity,
  landFreedMu: Quantity,
  jobsReduced: z.number().int().min(0).max(1_000_000),
}
export const DispositionRequest = z.strictObject({
  creditCode: z.string(),
  kind: z.enum(['upgrade', 'compliance', 'closure']),
  ...dispositionFields,
  status: dispositionFields.status.default('planned'),
  startedOn: Day.nullable().default(null),
  completedOn: Day.nullable().default(null),
  evidence: Text(4000).default(''),
  changes: Text(4000).default(''),
  energyFreedTce: Quantity.default('0'),
  waterFreedM3: Quantity.default('0'),
  landFreedMu: Quantity.default('0'),
  jobsReduced: z.number().int().min(0).max(1_000_000).default(0),
})
export type DispositionRequest = z.input<typeof DispositionRequest>
export const DispositionPatchRequest = z.strictObject({
  ...(Object.fromEntries(Object.entries(dispositionFields).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof dispositionFields]: z.ZodOptional<(typeof dispositionFields)[K]>
  }),
  /** A correction of what the county decided for the firm; the record needs verifying again. */
  kind: DispositionRequest.shape.kind.optional(),
})

/** The ledger's CSV columns and the request's fields, both ways. */
export const FIELD_OF: Record<string, string> = {
  credit_code: 'creditCode',
  started_on: 'startedOn',
  completed_on: 'completedOn',
  energy_freed_tce: 'energyFreedTce',
  water_freed_m3: 'waterFreedM3',
  land_freed_mu: 'landFreedMu',
  jobs_reduced: 'jobsReduced',
}
export const COLUMN_OF = Object.fromEntries(Object.entries(FIELD_OF).map(([k, v]) => [v, k]))

export const invalid = (message: string) =>
  new MujunError('RECORD_INVALID', message, { status: 422 })

/** What a correction carries: why, and the document (文号) it rests on. */
export const CorrectionRequest = z.strictObject({
  reason: Text(2000).min(5).optional(),
  ref: Text(200).min(1).optional(),
})
/** The economy office's verification (核验): of today, or of an earlier day as a correction (reason and ref). */
export const VerifyRequest = CorrectionRequest.extend({ verifiedOn: Day.optional() })
export const BackdateDecisionRequest = CorrectionRequest.extend({
  decision: z.enum(['accepted', 'refused']),
})

/** A correction's reason and ref, both or neither; `firstDay` is the first day a correction would change. */
export function correctionOf(
  body: { reason?: string; ref?: string },
  firstDay: string,
  what: string,
): { reason: string; ref: string } | undefined {
  if (body.reason === undefined && body.ref === undefined) return undefined
  if (!body.reason || !body.ref)
    throw new CorrectionRequiredError(
      firstDay,
      `${what} is a correction from ${firstDay}: it needs both reason and ref (the document, 文号), not only ${body.reason ? 'reason' : 'ref'}`,
    )
  return { reason: body.reason, ref: body.ref }
}

/** The freed quantities and the firm's figure each is bounded by (of its latest year with figures). */
export const FREED_BOUNDS = [
  ['energyFreedTce', 'energy_tce'],
  ['waterFreedM3', 'water_m3'],
  ['landFreedMu', 'land_mu'],
  ['jobsReduced', 'employees'],
] as const

export const QUARTER = /^(\d{4})Q([1-4])$/
/** The inputs the productivity target sums (Σ value added ÷ Σ employees of above-scale firms). */
export const PRODUCTIVITY_INPUTS = ['value_added', 'employees']
/** Firms per step of a productivity pass: about 20 ms at a time on this machine (bench:jobs). */
export const PASS_STEP = 10_000
export type CountyTotals = Map<string, { firms: number; sums: Record<string, number> }>

/** The earliest day any of a quarter's submissions counts as submitted (an accepted claim can date a later one earlier). */
export const firstSubmitted = (subs: readonly { submittedOn: string }[]) =>
  subs.map((s) => s.submittedOn).sort()[0]

export class ProgrammeReports {
  constructor(
    protected readonly store: Store,
    protected readonly records: ProgrammeStore,
    protected readonly cache: RevisionCache,
    protected readonly rulebooks: RulebookService,
    protected readonly enterprises: EnterpriseService,
  ) {}

  /** The programme's sections of the city rules in force on `date`. */
  protected rules(date: string) {
    const { rulebook } = this.rulebooks.active()
    const s = resolve(rulebook, rulebook.meta.jurisdiction.code, date).sections
    return { rulebook, targets: s.targets, deadlines: s.deadlines, funds: s.funds }
  }

  /** The counties of today (the programme's county lists, reports and fund shares). */
  protected counties() {
    return countiesOn(this.rulebooks.active().rulebook.meta.counties, this.store.today())
  }

  protected countyName(code: string) {
    const c = this.counties().find((k) => k.code === code)
    if (!c)
      throw invalid(
        `county ${code} is not a county of the rulebook (${this.counties()
          .map((k) => k.code)
          .join(', ')})`,
      )
    return c.name
  }

  /** The years any project-list deadline covers. */
  /** Today in Ningbo, the day the programme's acts are dated. */
  today(): string {
    return this.store.today()
  }

  programmeYears(): number[] {
    const { rulebook } = this.rulebooks.active()
    const years = new Set<number>()
    for (const d of rulebook.sections.deadlines) {
      if (d.kind !== 'project_list') continue
      const last = Number(
        (d.to ?? `${Number(this.store.today().slice(0, 4)) + 1}-01-01`).slice(0, 4),
      )
      for (let y = Number(d.from.slice(0, 4)); y < last; y++) years.add(y)
    }
    return [...years].sort()
  }

  /** The project-list deadlines of `year` per county: on time, late, missing or pending. */
  lists(p: Principal | undefined, year: number) {
    authorize(p, 'programme.read')
    const { deadlines } = this.rules(`${year}-01-01`)
    if (!listDeadline(deadlines, year))
      throw new NotFoundError(`a project-list deadline for ${year}`)
    return listStatuses(
      deadlines,
      year,
      this.counties().map((c) => c.code),
      this.records.projects({ year }),
      this.store.today(),
    )
  }

  // ------------------------------------------------------------------- reports

  protected quarter(q: string) {
    if (!QUARTER.test(q)) throw invalid(`quarter '${q}' is not like 2016Q2`)
    const due = reportDue(this.rules(quarterBounds(q).from).deadlines, q)
    if (!due) throw new NotFoundError(`a quarterly report rule covering ${q}`)
    return due
  }

  /** The report of a county's quarter as generated from the records now, its due day, state and submissions. */
  report(p: Principal | undefined, county: string, quarter: string) {
    authorize(p, 'programme.read', { county })
    const name = this.countyName(county)
    const due = this.quarter(quarter)
    const { projects, dispositions } = this.records.records(county)
    const report = quarterReport(county, quarter, projects, dispositions)
    const submissions = this.records.reports({ county, quarter }).map(({ report: _, ...s }) => s)
    return {
      county,
      name,
      quarter,
      due,
      state: reportState(due, firstSubmitted(submissions), this.store.today()),
      submissions,
      report,
    }
  }

  reportCsv(p: Principal | undefined, county: string, quarter: string) {
    const r = this.report(p, county, quarter)
    return reportCsv(r.report, r.name)
  }

  /**
   * A county submits its quarter's report: what the records show now is frozen and kept. It is submitted today; an
   * earlier `submittedOn` (with `historicReason`) is a request for the economy office to accept, and until then the
   * report counts as submitted today.
   */
  submitReport(
    p: Principal | undefined,
    county: string,
    quarter: string,
    opts: { submittedOn?: string; historicReason?: string } = {},
  ) {
    const who = authorize(p, 'programme.write', { county })
    this.countyName(county)
    this.quarter(quarter)
    const today = this.store.today()
    const on = opts.submittedOn ?? today
    if (on > today) throw invalid(`submittedOn (${on}) is in the future`)
    if (on < today && !opts.historicReason)
      throw invalid(
        `submittedOn ${on} is before today: a report submitted outside mujun needs historicReason`,
      )
    if (on < quarterBounds(quarter).to)
      throw invalid(
        `the report of ${quarter} can be submitted from ${quarterBounds(quarter).to}, once the quarter has ended`,
      )
    const { projects, dispositions } = this.records.records(county)
    const report = quarterReport(county, quarter, projects, dispositions)
    const { request, ...submission } = this.records.submitReport(
      county,
      quarter,
      today,
      report as unknown as Record<string, unknown>,
      actorOf(who),
      on < today ? { claimedOn: on, reason: opts.historicReason! } : undefined,
    )
    return { ...submission, backdateRequest: request ?? null }
  }

  // ---------------------------------------------------------- backdate requests

  /** Backdate requests: the city's offices see every county's, a county its own. */
  backdateRequests(
    p: Principal | undefined,
    filter: { county?: string; status?: BackdateRequestRow['status'] } = {},
  ) {
    const who = authorize(p, 'programme.read', { county: filter.county })
    return this.records.backdateRequests({
      county: ownCounty(who) ?? filter.county,
      status: filter.status,
    })
  }

  /**
   * The economy office decides a county's backdate request, once. Accepting is a correction (the record counts from
   * the day claimed): it needs `reason` and `ref` (the document, 文号), else CORRECTION_REQUIRED naming that day.
   * Refusing needs a reason; the record keeps the day it was sent.
   */
  decideBackdate(
    p: Principal | undefined,
    id: number,
    body: z.infer<typeof BackdateDecisionRequest>,
  ) {
    const who = authorize(p, 'programme.verify')
    return this.records.decideBackdate(
      id,
      { decision: body.decision, reason: body.reason ?? '', ref: body.ref ?? null },
      actorOf(who),
      (r) => {
        const what =
          r.kind === 'project'
            ? `project ${r.projectId}'s filing day`
            : `the ${r.quarter} report (submission ${r.seq}) of ${r.county}`
        if (body.decision === 'accepted') {
          if (!body.reason || !body.ref)
            throw new CorrectionRequiredError(
              r.claimedOn,
              `accepting ${r.claimedOn} as ${what} (sent ${r.sentOn}) changes answers from ${r.claimedOn}: a correction needs reason and ref (the document, 文号)`,
            )
        } else if (!body.reason)
          throw new MujunError('REASON_REQUIRED', `refusing ${what} needs a reason`, {
            status: 422,
          })
      },
    )
  }

  /** Every county's report state for a quarter: a county that has not reported is flagged `missing`. */
  reportStates(p: Principal | undefined, quarter: string) {
    authorize(p, 'programme.read')
    const due = this.quarter(quarter)
    const today = this.store.today()
    const subs = this.records.reports({ quarter })
    return this.counties().map((c) => {
      const mine = subs.filter((s) => s.county === c.code)
      const first = firstSubmitted(mine)
      return {
        county: c.code,
        name: c.name,
        quarter,
        due,
        state: reportState(due, first, today),
        submissions: mine.length,
        firstSubmittedOn: first ?? null,
      }
    })
  }

  /** The quarters the reporting rules cover up to today. */
  quartersSoFar(): string[] {
    const { rulebook } = this.rulebooks.active()
    const today = this.store.today()
    const out: string[] = []
    for (const d of rulebook.sections.deadlines) {
      if (d.kind !== 'quarterly_report') continue
      for (let day = d.from; day < (d.to ?? '9999-12-31') && day <= today; ) {
        const q = quarterOf(day)
        if (!out.includes(q)) out.push(q)
        day = quarterBounds(q).to
      }
    }
    return out.sort()
  }

  // ---------------------------------------------------------------------- fund

  protected fundRule(year: number) {
    const fund = this.rules(`${year}-01-01`).funds[0]
    if (!fund) throw new NotFoundError(`a fund rule in force on ${year}-01-01`)
    return fund
  }

  /** The allocation of `year` computed now from the records, under the rules in force; nothing is stored. */
  fundPreview(p: Principal | undefined, year: number) {
    authorize(p, 'programme.read')
    const fund = this.fundRule(year)
    const { projects, dispositions } = this.records.records()
    const counties = this.counties()
    const measures = new Map(
      counties.map((c) => [c.code, fundMeasures(c.code, year, projects, dispositions)]),
    )
    return {
      ...allocateFund(fund, year, counties, measures),
      rulebookVersion: this.rulebooks.active().id,
    }
  }

  /** Fixes (定案) the year's allocation as previewed now: stored with its trace, never replaced. */
  fixFund(p: Principal | undefined, year: number) {
    const who = authorize(p, 'programme.verify')
    const today = this.store.today()
    if (today < `${year + 1}-01-01`)
      throw invalid(
        `the ${year} allocation rests on the whole year's records: it can be fixed from ${year + 1}-01-01`,
      )
    const a = this.fundPreview(who, year)
    this.records.fixFund(
      {
        year,
        fundId: a.fundId,
        rulebookVersionId: a.rulebookVersion,
        total: a.total,
        allocation: a as unknown as Record<string, unknown>,
      },
      actorOf(who),
    )
    return this.fund(who, year)
  }

  fund(p: Principal | undefined, year: number) {
    authorize(p, 'programme.read')
    const row = this.records.fund(year)
    if (!row)
      throw new NotFoundError(
        `a fixed ${year} allocation (preview it at /v1/funds/${year}/preview)`,
      )
    return row
  }

  // ------------------------------------------------------------ enterprises

  /** An enterprise's dispositions (its own token, its county, the city's offices). */
  ofEnterprise(p: Principal | undefined, code: string) {
    const e = this.enterprises.visible(p, code, 'programme.firm')
    return {
      creditCode: e.creditCode,
      closure: this.closureOf(code) ?? null,
      dispositions: this.records.dispositions({ creditCode: code }),
    }
  }

  /**
   * The firm's first verified closure as known at `knownAt` (an ISO timestamp; default now: every verification
   * recorded), if any: from its `on` it is billed nothing. Only a verification recorded at or before `knownAt`
   * counts, and a verification cleared by then does not. The answer as known now is kept per revision.
   */
  closureOf(code: string, knownAt?: string) {
    if (knownAt !== undefined) {
      const ms = Date.parse(knownAt)
      if (!Number.isFinite(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(knownAt))
        throw invalid(`knownAt '${knownAt}' is not an ISO timestamp (like 2026-12-03T08:00:00Z)`)
      return this.records.closures(new Date(ms).toISOString(), code).get(code)
    }
    return this.cache
      .get(
        'programme|closures',
        () => this.records.closures(),
        (m) => 320 * m.size,
      )
      .get(code)
  }

  // ------------------------------------------------------------------ progress
}
