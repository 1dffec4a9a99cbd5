/**
 * The rectification programme (“低小散”整治提升 / 腾笼换鸟): counties register projects and keep each enterprise's
 * disposition (一企一档); the economy-and-IT office (经信) follows progress against the targets, the monthly
 * tracking and quarterly reports, and fixes the fund's allocation. Every figure is measured from the records under
 * the rules in force, and names the records it counts.
 * @module app/programme
 */
import { Decimal } from 'decimal.js'
import type { z } from 'zod'
import { addDays } from '../dates.ts'
import type {
  DispositionPatch,
  DispositionRow,
  ProgrammeStore,
  ProjectPatch,
} from '../db/programme-store.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { decodeCsvBytes } from '../enterprise/csv.ts'
import { ConflictError, CorrectionRequiredError, MujunError, NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { parseDispositionsCsv } from '../programme/dispositions-csv.ts'
import {
  listDeadline,
  listStatuses,
  measureTargets,
  monthlySeries,
  type ProductivityTotals,
  productivityYears,
} from '../programme/measure.ts'
import { actorOf, authorize, ownRecord } from './authorize.ts'
import { inScope, ownCounty } from './permissions.ts'
import {
  COLUMN_OF,
  type CountyTotals,
  correctionOf,
  DispositionRequest,
  FIELD_OF,
  FREED_BOUNDS,
  invalid,
  PASS_STEP,
  PRODUCTIVITY_INPUTS,
  ProgrammeReports,
  type ProjectPatchRequest,
  type ProjectRequest,
  type VerifyRequest,
} from './programme-reports.ts'

export {
  BackdateDecisionRequest,
  CorrectionRequest,
  DispositionPatchRequest,
  DispositionRequest,
  ProjectPatchRequest,
  ProjectRequest,
  VerifyRequest,
} from './programme-reports.ts'

export class ProgrammeService extends ProgrammeReports {
  private readonly productivityMemo = new Map<number, { stamp: number; byCounty: CountyTotals }>()
  /** Passes under way in `ready`, by year and stamp, so concurrent requests share one. */
  private readonly productivityPasses = new Map<string, Promise<void>>()

  // ------------------------------------------------------------------ projects

  /** A county registers a project for a programme year (its own county only). */
  registerProject(p: Principal | undefined, req: ProjectRequest) {
    const who = authorize(p, 'programme.write', { county: req.county })
    this.countyName(req.county)
    const today = this.store.today()
    const list = listDeadline(this.rules(`${req.year}-01-01`).deadlines, req.year)
    if (!list)
      throw invalid(
        `no project-list deadline is in force for ${req.year}: the programme's rules (deadlines) do not cover that year`,
      )
    if (req.endsOn < req.startsOn)
      throw invalid(`endsOn (${req.endsOn}) is before startsOn (${req.startsOn})`)
    const claimed = req.filedOn ?? today
    if (claimed > today) throw invalid(`filedOn (${claimed}) is in the future`)
    if (claimed < today && !req.historicReason)
      throw invalid(
        `filedOn ${claimed} is before today (${today}): a list filed outside mujun needs historicReason, which is recorded`,
      )
    // The programme's dates are the economy office's to certify: filed today until it accepts the earlier day.
    const row = this.records.registerProject(
      {
        county: req.county,
        year: req.year,
        kind: req.kind,
        name: req.name,
        township: req.township,
        industryCode: req.industryCode ?? null,
        startsOn: req.startsOn,
        endsOn: req.endsOn,
        cluster: req.cluster ?? null,
        clusterBuiltOn: null,
        status: 'active',
        filedOn: today,
      },
      actorOf(who),
      claimed < today ? { claimedOn: claimed, reason: req.historicReason! } : undefined,
    )
    const { request, ...project } = row
    return { ...project, backdateRequest: request ?? null }
  }

  updateProject(
    p: Principal | undefined,
    id: number,
    patch: z.infer<typeof ProjectPatchRequest>,
    version: number | undefined,
  ) {
    const before = this.project(p, id)
    const who = authorize(p, 'programme.write', { county: before.county })
    const after = { ...before, ...patch }
    if (after.clusterBuiltOn && !after.cluster)
      throw invalid('clusterBuiltOn needs the cluster it built (cluster)')
    if (after.clusterBuiltOn && after.clusterBuiltOn > this.store.today())
      throw invalid(`clusterBuiltOn (${after.clusterBuiltOn}) is in the future`)
    if (after.endsOn < after.startsOn)
      throw invalid(`endsOn (${after.endsOn}) is before startsOn (${after.startsOn})`)
    if (patch.status === 'withdrawn' && before.status !== 'withdrawn') {
      const done = this.records.dispositions({ projectId: id }).filter((d) => d.status === 'done')
      if (done.length > 0)
        throw new ConflictError(
          `project ${id} has done dispositions (${done.map((d) => d.id).join(', ')}): it can be completed, not withdrawn`,
        )
    }
    return this.records.updateProject(id, patch as ProjectPatch, version, actorOf(who))
  }

  /** A project as `p` may see it: the city's offices any, a county its own. */
  project(p: Principal | undefined, id: number) {
    const who = authorize(p, 'programme.read')
    return ownRecord(who, 'project', id, () => this.records.project(id))
  }

  /** A project with its dispositions and the county's claims of an earlier filing day (with their decisions). */
  projectDetail(p: Principal | undefined, id: number) {
    const project = this.project(p, id)
    return {
      ...project,
      dispositions: this.records.dispositions({ projectId: id }),
      backdateRequests: this.records.backdateRequests({ projectId: id }),
    }
  }

  listProjects(p: Principal | undefined, filter: { county?: string; year?: number }) {
    const who = authorize(p, 'programme.read', { county: filter.county })
    const county = ownCounty(who) ?? filter.county
    return this.records.projects({ county, year: filter.year })
  }

  // -------------------------------------------------------------- dispositions

  addDisposition(p: Principal | undefined, projectId: number, req: DispositionRequest) {
    const project = this.project(p, projectId)
    const who = authorize(p, 'programme.write', { county: project.county })
    if (project.status === 'withdrawn') throw new ConflictError(`project ${projectId} is withdrawn`)
    const row = { ...DispositionRequest.parse(req), projectId }
    this.checkFirm(row.creditCode, project)
    this.checkDisposition(row)
    this.checkFreed(row)
    return this.records.addDisposition(row, project.county, actorOf(who))
  }

  /**
   * A county's ledger (一企一档) for one project as CSV (UTF-8 or GBK, English or Chinese headers): every row is
   * checked as a single disposition would be; one bad row, or a firm twice, and nothing is stored.
   */
  importDispositions(p: Principal | undefined, projectId: number, bytes: Uint8Array) {
    const project = this.project(p, projectId)
    const who = authorize(p, 'programme.write', { county: project.county })
    if (project.status === 'withdrawn') throw new ConflictError(`project ${projectId} is withdrawn`)
    const { text, encoding } = decodeCsvBytes(bytes)
    const parsed = parseDispositionsCsv(text)
    const problems = [...parsed.problems]
    const taken = new Map(
      this.records.dispositions({ projectId }).map((d) => [d.creditCode, `disposition ${d.id}`]),
    )
    const accepted: (DispositionRow & { projectId: number })[] = []
    for (const { row, values } of parsed.rows) {
      const body = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [
          FIELD_OF[k] ?? k,
          k === 'jobs_reduced' ? Number(v) : v,
        ]),
      )
      const checked = DispositionRequest.safeParse(body)
      if (!checked.success) {
        for (const issue of checked.error.issues)
          problems.push({
            row,
            column: COLUMN_OF[String(issue.path[0])] ?? String(issue.path[0] ?? ''),
            message: issue.message,
          })
        continue
      }
      const d = { ...checked.data, projectId }
      try {
        this.checkFirm(d.creditCode, project)
        this.checkDisposition(d)
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        problems.push({ row, column: 'credit_code', message: e.message })
        continue
      }
      const over = this.freedOver(d)
      if (over.length > 0) {
        for (const o of over)
          problems.push({ row, column: COLUMN_OF[o.field] ?? o.field, message: o.message })
        continue
      }
      const other = taken.get(d.creditCode)
      if (other) {
        problems.push({
          row,
          column: 'credit_code',
          message: `${d.creditCode} already has ${other} in project ${projectId}`,
        })
        continue
      }
      taken.set(d.creditCode, `row ${row} of this file`)
      accepted.push(d as never)
    }
    if (problems.length > 0)
      throw new MujunError(
        'CSV_INVALID',
        `${problems.length} problem(s); nothing was imported: ${problems
          .slice(0, 20)
          .map((x) => `row ${x.row}${x.column ? ` column ${x.column}` : ''}: ${x.message}`)
          .join('; ')}`,
        { status: 422, details: problems },
      )
    const rows = this.records.addDispositions(accepted, project.county, actorOf(who))
    return { projectId, encoding, created: rows.length, ids: rows.map((r) => r.id) }
  }

  /** A disposition's firm: a valid, registered credit code of the project's county. */
  private checkFirm(code: string, project: { id: number; county: string }) {
    const problem = creditCodeProblem(code)
    if (problem) throw invalid(`creditCode ${code}: ${problem}`)
    const firm = this.enterprises.row(code)
    if (firm.county !== project.county)
      throw invalid(
        `${code} is registered in county ${firm.county}, not ${project.county} of project ${project.id}`,
      )
  }

  /** A disposition as `p` may see it: the city's offices any, a county its own. */
  disposition(p: Principal | undefined, id: number) {
    return ownRecord(authorize(p, 'programme.read'), 'disposition', id, () =>
      this.records.disposition(id),
    )
  }

  /** A change of a disposition by its county; a verified record that changes needs verifying again (the store clears it). */
  updateDisposition(
    p: Principal | undefined,
    id: number,
    patch: DispositionPatch,
    version: number | undefined,
  ) {
    const who = authorize(p, 'programme.read')
    const current = ownRecord(who, 'disposition', id, () => this.records.disposition(id))
    authorize(who, 'programme.write', { county: current.county })
    return this.records.updateDisposition(id, patch, version, actorOf(who), (before, after) => {
      if (before.status === 'abandoned')
        throw new ConflictError(`disposition ${id} was abandoned; record a new one instead`)
      if (before.status === 'done' && after.status !== 'done')
        throw new ConflictError(
          `disposition ${id} is done (on ${before.completedOn}); its fields may be corrected, its status stays done`,
        )
      this.checkDisposition(after)
      this.checkFreed(after)
    })
  }

  /** The freed quantities above the firm's own figures of its latest year (where it has the figure). */
  private freedOver(
    d: Pick<
      DispositionRow,
      'creditCode' | 'energyFreedTce' | 'waterFreedM3' | 'landFreedMu' | 'jobsReduced'
    >,
  ): { field: string; message: string }[] {
    const latest = this.store.latestFigures(d.creditCode)
    if (!latest) return []
    const over: { field: string; message: string }[] = []
    for (const [field, figure] of FREED_BOUNDS) {
      const bound = latest.data[figure]
      if (typeof bound !== 'number' || !Number.isFinite(bound)) continue
      if (new Decimal(String(d[field])).greaterThan(bound))
        over.push({
          field,
          message: `${field} ${d[field]} is more than the firm's recorded ${figure} of ${latest.year} (${bound}): a disposition cannot free more than the firm had`,
        })
    }
    return over
  }

  /** Refuses freed quantities the firm never had (422 FREED_EXCEEDS_FIGURES, naming each field and its bound). */
  private checkFreed(d: Parameters<ProgrammeService['freedOver']>[0]) {
    const over = this.freedOver(d)
    if (over.length > 0)
      throw new MujunError(
        'FREED_EXCEEDS_FIGURES',
        `${d.creditCode}: ${over.map((o) => o.message).join('; ')}`,
        { status: 422 },
      )
  }

  /**
   * The economy office verifies (核验) a done disposition. The verification is an act of today (Ningbo date): a
   * verified closure ends the firm's surcharges from the later of its completion and today, so days already billed
   * keep their charges. Dated earlier (`verifiedOn`), or meant to take effect from the completion day, it is a
   * correction and needs `reason` and `ref` (the document); a correction takes effect from the completion day and is
   * audited as one. Needs the record's version (If-Match).
   */
  verifyDisposition(
    p: Principal | undefined,
    id: number,
    body: z.infer<typeof VerifyRequest>,
    version: number | undefined,
  ) {
    const who = authorize(p, 'programme.verify')
    const today = this.store.today()
    const on = body.verifiedOn ?? today
    if (on > today) throw invalid(`verifiedOn (${on}) is in the future`)
    return this.records.verifyDisposition(id, version, actorOf(who), (before) => {
      if (before.status !== 'done' || !before.completedOn)
        throw new ConflictError(
          `disposition ${id} is ${before.status}: only a done disposition can be verified`,
        )
      if (on < before.completedOn)
        throw invalid(`verifiedOn (${on}) is before the completion day ${before.completedOn}`)
      const completed = before.completedOn
      const correction = correctionOf(
        body,
        completed,
        `verifying disposition ${id} from ${completed}`,
      )
      if (!correction) {
        if (on < today)
          throw new CorrectionRequiredError(
            on,
            `verifiedOn ${on} is before today (${today}): a verification is an act of its own day; dated earlier it would change answers from ${on}, which is a correction (reason and ref)`,
          )
        // From the later of its completion and today (ISO dates sort as days).
        return { verifiedOn: on, effectiveFrom: [completed, today].sort()[1] }
      }
      return { verifiedOn: on, effectiveFrom: completed, correction, firstDayAffected: completed }
    })
  }

  /** What a disposition must hold in each status (the file of 一企一档). */
  private checkDisposition(
    d: Pick<
      DispositionRow,
      'status' | 'kind' | 'startedOn' | 'completedOn' | 'evidence' | 'changes' | 'deadline'
    >,
  ) {
    const today = this.store.today()
    if (d.status === 'done') {
      if (!d.completedOn) throw invalid('a done disposition needs completedOn')
      if (d.completedOn > today) throw invalid(`completedOn (${d.completedOn}) is in the future`)
      if (!d.evidence)
        throw invalid('a done disposition needs evidence (what shows it was carried out)')
      if (d.kind === 'upgrade' && !d.changes)
        throw invalid('a done upgrade needs changes (what was changed: equipment, process, output)')
    } else if (d.completedOn)
      throw invalid(`completedOn is only for a done disposition (status is ${d.status})`)
    if (d.status === 'abandoned' && !d.evidence)
      throw invalid('an abandoned disposition needs evidence (why it was abandoned)')
    if (d.startedOn && d.startedOn > today)
      throw invalid(`startedOn (${d.startedOn}) is in the future`)
    if (d.startedOn && d.completedOn && d.completedOn < d.startedOn)
      throw invalid(`completedOn (${d.completedOn}) is before startedOn (${d.startedOn})`)
  }

  /**
   * Above-scale firms' value added and employees of a year, for one county or (summed) the city: one pass over the
   * year's figures, kept until the register or the figures change (not only until the next write: at a million
   * firms a year's pass costs seconds, and programme records change often). A pass `ready` has not made runs here,
   * in one go.
   */
  private productivity(county?: string) {
    return (year: number): ProductivityTotals | undefined => {
      const stamp = this.store.registryStamp()
      let memo = this.productivityMemo.get(year)
      if (memo?.stamp !== stamp) {
        const pass = this.productivityPass(year)
        let step = pass.next()
        while (!step.done) step = pass.next()
        memo = this.remember(year, stamp, step.value)
      }
      const byCounty = memo.byCounty
      const rows = county ? [byCounty.get(county)] : [...byCounty.values()]
      let firms = 0
      let valueAdded = 0
      let employees = 0
      for (const r of rows) {
        if (!r) continue
        firms += r.firms
        valueAdded += r.sums.value_added
        employees += r.sums.employees
      }
      return firms === 0 ? undefined : { firms, valueAdded, employees }
    }
  }

  /** A year's pass, one step of PASS_STEP firms at a time (yielding between steps); returns the totals by county. */
  private *productivityPass(year: number): Generator<void, CountyTotals> {
    const byCounty: CountyTotals = new Map()
    let after = ''
    for (;;) {
      const step = this.store.aboveScaleTotalsStep(year, PRODUCTIVITY_INPUTS, after, PASS_STEP)
      for (const [county, t] of step.byCounty) {
        const into = byCounty.get(county)
        if (!into) byCounty.set(county, t)
        else {
          into.firms += t.firms
          for (const id of PRODUCTIVITY_INPUTS) into.sums[id] += t.sums[id]
        }
      }
      if (step.next === null) return byCounty
      after = step.next
      yield
    }
  }

  private remember(year: number, stamp: number, byCounty: CountyTotals) {
    const memo = { stamp, byCounty }
    if (this.productivityMemo.size >= 32) this.productivityMemo.clear()
    this.productivityMemo.set(year, memo)
    return memo
  }

  /**
   * Makes the productivity totals that progress on `asOf` compares, letting other requests in between the steps of
   * each pass (the HTTP edge awaits this before `progress` or `basis`: a city's pass must not hold up a utility's
   * tier lookups for seconds). Refused like `progress` for anyone who may not read it.
   */
  async ready(p: Principal | undefined, asOf?: string): Promise<void> {
    authorize(p, 'programme.read')
    const date = asOf ?? this.store.today()
    const years = new Set(
      this.targetsOn(date)
        .filter((t) => t.metric === 'labour_productivity_gain')
        .flatMap((t) => Object.values(productivityYears(t, date))),
    )
    for (const year of years) {
      const stamp = this.store.registryStamp()
      if (this.productivityMemo.get(year)?.stamp === stamp) continue
      const key = `${year}@${stamp}`
      let pass = this.productivityPasses.get(key)
      if (!pass) {
        pass = (async () => {
          const steps = this.productivityPass(year)
          let step = steps.next()
          while (!step.done) {
            await new Promise((resolve) => setImmediate(resolve))
            step = steps.next()
          }
          // Figures written while the pass ran: its totals mix two states, so the next read makes its own.
          if (this.store.registryStamp() === stamp) this.remember(year, stamp, step.value)
        })().finally(() => this.productivityPasses.delete(key))
        this.productivityPasses.set(key, pass)
      }
      await pass
    }
  }

  /**
   * The targets progress is measured against on `date`: those in force, or once the programme has ended, those of
   * the last window that ended (measured up to its end).
   */
  private targetsOn(date: string) {
    const all = this.rulebooks.active().rulebook.sections.targets
    const inForce = all.filter((t) => t.from <= date && (!t.to || date < t.to))
    if (inForce.length > 0 || all.length === 0) return inForce
    const lastEnd = all
      .map((t) => t.to)
      .filter((t): t is string => t !== undefined && t <= date)
      .sort()
      .at(-1)
    return all.filter((t) => t.to === lastEnd)
  }

  /**
   * Progress against the targets on `asOf` (default today), for the city and each county, with the records each
   * figure counts; the project-list deadlines of every programme year; the city's monthly series.
   */
  progress(p: Principal | undefined, asOf?: string) {
    authorize(p, 'programme.read')
    return this.progressOf(this.records.records(), asOf)
  }

  private progressOf(records: ReturnType<ProgrammeStore['records']>, asOf?: string) {
    const { projects, dispositions } = records
    const today = this.store.today()
    const date = asOf ?? today
    const targets = this.targetsOn(date)
    const counties = this.counties()
    const measure = (county?: string) =>
      measureTargets({
        targets,
        projects: county ? projects.filter((x) => x.county === county) : projects,
        dispositions: county ? dispositions.filter((x) => x.county === county) : dispositions,
        asOf: date,
        productivity: this.productivity(county),
      })
    const from = targets.map((t) => t.from).sort()[0]
    const end = targets
      .map((t) => t.to ?? '9999-12-31')
      .sort()
      .at(-1)
    const nextMonthStart = `${addDays(`${date.slice(0, 7)}-28`, 7).slice(0, 7)}-01`
    // The monthly series (月跟踪) over the targets' window, up to the month of `asOf`.
    const series = (ds: typeof dispositions) =>
      from && end ? monthlySeries(ds, from, end < nextMonthStart ? end : nextMonthStart) : []
    return {
      asOf: date,
      targets: targets.map((t) => ({ id: t.id, from: t.from, to: t.to ?? null, origin: t.origin })),
      city: measure(),
      counties: counties.map((c) => ({
        county: c.code,
        name: c.name,
        figures: measure(c.code),
        months: series(dispositions.filter((d) => d.county === c.code)),
      })),
      lists: this.programmeYears().flatMap((y) =>
        listStatuses(
          this.rulebooks.active().rulebook.sections.deadlines,
          y,
          counties.map((c) => c.code),
          projects,
          today,
        ),
      ),
      months: series(dispositions),
    }
  }

  /**
   * Dispositions not done and not abandoned, per county: those past their deadline (overdue) and those still
   * ahead (pending), with the nearest deadline ahead.
   */
  openDispositions(p: Principal | undefined) {
    const who = authorize(p, 'programme.read')
    const today = this.store.today()
    const open = this.records
      .dispositions({ county: ownCounty(who) })
      .filter((d) => d.status === 'planned' || d.status === 'in_progress')
    return this.counties()
      .filter((c) => inScope(who, { county: c.code }))
      .map((c) => {
        const mine = open.filter((d) => d.county === c.code)
        const ahead = mine.filter((d) => d.deadline >= today).map((d) => d.deadline)
        return {
          county: c.code,
          name: c.name,
          overdue: mine.filter((d) => d.deadline < today).map((d) => d.id),
          pending: mine.filter((d) => d.deadline >= today).map((d) => d.id),
          nextDeadline: ahead.sort()[0] ?? null,
        }
      })
  }

  /**
   * The records one target figure counts, on `asOf`: a county's own figure for a county token (a county reads only
   * its own records), the city's or a chosen county's for the city's offices.
   */
  basis(p: Principal | undefined, metric: string, opts: { county?: string; asOf?: string } = {}) {
    const who = authorize(p, 'programme.read')
    const county = ownCounty(who) ?? opts.county
    const records = this.records.records()
    const progress = this.progressOf(records, opts.asOf)
    const figures = county
      ? progress.counties.find((c) => c.county === county)?.figures
      : progress.city
    if (!figures) throw invalid(`county ${county} is not a county of the rulebook`)
    const figure = figures.find((f) => f.metric === metric)
    if (!figure) throw new NotFoundError(`a target measuring '${metric}' on ${progress.asOf}`)
    const ids = 'dispositions' in figure.basis ? figure.basis : { dispositions: [], projects: [] }
    const wanted = { d: new Set(ids.dispositions), p: new Set(ids.projects) }
    return {
      asOf: progress.asOf,
      county: county ?? null,
      figure,
      dispositions: records.dispositions.filter((d) => wanted.d.has(d.id)),
      projects: records.projects.filter((x) => wanted.p.has(x.id)),
    }
  }
}
