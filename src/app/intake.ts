/**
 * Figures by department (一企一单): each department submits its own columns of a year by credit code, every figure a
 * version with its source, submitter and time; the completeness report per county; the land areas published for
 * objection; each firm confirms or disputes its sheet and the economy office resolves disputes; and the figures an
 * evaluation rates composed from all of it, with their lineage.
 * @module app/intake
 */
import { addDays } from '../dates.ts'
import type { Store } from '../db/store.ts'
import { decodeCsvBytes, parseFigureCell } from '../enterprise/csv.ts'
import {
  completeness,
  composeSheet,
  departmentOf,
  EVALUATING_OFFICE,
  type FigureValue,
  inputsOf,
  LAND_DEPARTMENT,
  parseDepartmentCsv,
} from '../enterprise/intake.ts'
import { ConflictError, MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { actorOf, authorize } from './authorize.ts'
import { ownCounty, ownCreditCode, ownDepartment } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

const invalid = (message: string, details?: unknown) =>
  new MujunError('VALIDATION_FAILED', message, { status: 422, details })

export class IntakeService {
  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
  ) {}

  /** The departments that may submit figures: the rulebook's, each with the inputs it supplies. */
  departments() {
    const rb = this.rulebooks.active().rulebook
    const ids = new Set([
      EVALUATING_OFFICE,
      ...rb.inputs.map((i) => i.department ?? EVALUATING_OFFICE),
    ])
    return rb.meta.departments
      .filter((d) => ids.has(d.id))
      .map((d) => ({
        ...d,
        inputs: inputsOf(rb, d.id).map((i) => ({ id: i.id, label: i.label, unit: i.unit })),
      }))
  }

  /**
   * One department's CSV of a year (UTF-8 with or without BOM, or GBK; English ids or Chinese labels): all rows or
   * none. Land areas can no longer be submitted once published: a correction then goes through a dispute.
   */
  submitCsv(p: Principal | undefined, department: string, year: number, bytes: Uint8Array) {
    const who = authorize(p, 'intake.submit', { department })
    const rb = this.rulebooks.active().rulebook
    if (!this.departments().some((d) => d.id === department))
      throw invalid(
        `unknown department '${department}' (departments: ${this.departments()
          .map((d) => d.id)
          .join(', ')})`,
      )
    const { text, encoding } = decodeCsvBytes(bytes)
    const parsed = parseDepartmentCsv(text, rb, department)
    if (parsed.problems.length > 0)
      throw new MujunError(
        'CSV_INVALID',
        `${parsed.problems.length} problem(s); nothing was stored: ${parsed.problems
          .slice(0, 20)
          .map((x) => `row ${x.row}${x.column ? ` column ${x.column}` : ''}: ${x.message}`)
          .join('; ')}`,
        { status: 422, details: parsed.problems },
      )
    const published = this.store.intake.landPublication(year)
    if (department === LAND_DEPARTMENT && published)
      throw new ConflictError(
        `the land areas of ${year} were published on ${published.publishedOn} for objection; a change now goes through a firm's dispute and its resolution`,
      )
    const r = this.store.intake.submit(year, department, parsed.rows, actorOf(who))
    return { year, department, encoding, inputs: parsed.inputs, ...r }
  }

  /**
   * Who lacks which figure, per county: every firm of the register (of `county`) without a required input. A county
   * sees its own county; a department the inputs it supplies.
   */
  completeness(p: Principal | undefined, year: number, county?: string) {
    const who = authorize(p, 'intake.read', { county })
    const rb = this.rulebooks.active().rulebook
    const scope = ownCounty(who) ?? county
    const report = completeness(
      rb,
      this.store.intake.firms(scope),
      this.store.intake.givenInputs(year),
    )
    const department = ownDepartment(who)
    const counties = rb.meta.counties
      .filter((c) => !scope || c.code === scope)
      .map((c) => {
        const missing = report.missing
          .filter((m) => m.county === c.code)
          .map((m) => ({
            ...m,
            inputs: department ? m.inputs.filter((i) => i.department === department) : m.inputs,
          }))
          .filter((m) => m.inputs.length > 0)
        const firms = this.store.intake.firms(c.code).length
        return { county: c.code, name: c.name, firms, complete: firms - missing.length, missing }
      })
    return {
      year,
      required: department
        ? report.required.filter((r) => r.department === department)
        : report.required,
      landPublication: this.store.intake.landPublication(year) ?? null,
      counties,
    }
  }

  /** The land areas of `year` published for objection from today for the rulebook's notice period. */
  publishLand(p: Principal | undefined, year: number) {
    const who = authorize(p, 'intake.publish')
    const days = this.rulebooks.active().rulebook.meta.publication.noticeDays
    const today = this.store.today()
    return this.store.intake.publishLand(year, today, addDays(today, days - 1), actorOf(who))
  }

  /** Whether the objection window of `year`'s land areas is open today. */
  private windowOpen(year: number) {
    const pub = this.store.intake.landPublication(year)
    const today = this.store.today()
    return !!pub && pub.publishedOn <= today && today <= pub.objectionUntil
  }

  /**
   * A firm's sheet of a year (一企一单): each input it has a figure for, with the version in use, its department,
   * submitter and time, and every earlier version; the firm's answers; how the sheet stands.
   */
  sheet(p: Principal | undefined, code: string, year: number) {
    const who = authorize(p, 'sheet.read', { creditCode: code })
    const firm = this.store.getEnterprise(code)
    authorize(who, 'sheet.read', { county: firm.county })
    const rb = this.rulebooks.active().rulebook
    const submissions = this.store.intake.submissions(year, code)
    const answers = this.store.intake.answers({ year, creditCode: code })
    const pub = this.store.intake.landPublication(year) ?? null
    const closed = !!pub && this.store.today() > pub.objectionUntil
    const composed = composeSheet(submissions, answers, closed)
    const order = new Map(rb.inputs.map((x, i) => [x.id, i]))
    const inputs = Object.keys(composed.sources).sort(
      (a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9),
    )
    const figures = inputs.map((input) => {
      const id = composed.sources[input]
      const inUse = submissions.find((s) => s.id === id)!
      const def = rb.inputById.get(input)
      return {
        input,
        label: def?.label ?? input,
        unit: def?.unit ?? null,
        value: inUse.value,
        department: inUse.department,
        version: inUse.version,
        submittedAt: inUse.submittedAt,
        submittedBy: inUse.submittedBy,
        submissionId: inUse.id,
        note: inUse.note,
        versions: submissions.filter((s) => s.input === input).length,
      }
    })
    return {
      creditCode: code,
      name: firm.name,
      county: firm.county,
      year,
      standing: composed.sheet,
      landPublication: pub,
      windowOpen: this.windowOpen(year),
      figures,
      answers,
    }
  }

  /** The firm confirms its sheet as it stands (within the objection window). */
  confirm(p: Principal | undefined, code: string, year: number) {
    const who = authorize(p, 'sheet.answer', { creditCode: code })
    this.needWindow(year)
    const subs = this.store.intake.submissions(year, code)
    if (subs.length === 0) throw invalid(`${code} has no figures of ${year} to confirm`)
    return this.store.intake.insertAnswer(
      { year, creditCode: code, kind: 'confirm', seen: Math.max(...subs.map((s) => s.id)) },
      actorOf(who),
    )
  }

  /** The firm disputes one figure of its sheet, giving the value it claims and why (within the window). */
  dispute(
    p: Principal | undefined,
    code: string,
    year: number,
    d: { input: string; claimed: string; reason: string },
  ) {
    const who = authorize(p, 'sheet.answer', { creditCode: code })
    this.needWindow(year)
    const rb = this.rulebooks.active().rulebook
    const input = rb.inputById.get(d.input)
    if (!input) throw invalid(`unknown input '${d.input}'`)
    const claimed = parseFigureCell(input, d.claimed.trim())
    if ('message' in claimed) throw invalid(`claimed value: ${claimed.message}`)
    if (d.reason.trim().length < 5 || d.reason.length > 4000)
      throw invalid('a dispute needs its reason (5 to 4,000 characters)')
    const current = this.sheet(who, code, year).figures.find((f) => f.input === d.input)
    if (!current) throw invalid(`${code} has no figure '${d.input}' of ${year} to dispute`)
    return this.store.intake.insertAnswer(
      {
        year,
        creditCode: code,
        kind: 'dispute',
        input: d.input,
        submissionId: current.submissionId,
        claimed: claimed.value,
        reason: d.reason.trim(),
      },
      actorOf(who),
    )
  }

  private needWindow(year: number) {
    const pub = this.store.intake.landPublication(year)
    if (!this.windowOpen(year))
      throw new MujunError(
        'OBJECTION_WINDOW_CLOSED',
        pub
          ? `the objection window of ${year} ran from ${pub.publishedOn} to ${pub.objectionUntil}`
          : `the land areas of ${year} have not been published for objection yet`,
        { status: 409 },
      )
  }

  /** Disputes (of a year, when given): the economy office all, a county its own, a firm its own. */
  disputes(p: Principal | undefined, filter: { year?: number; status?: 'open' } = {}) {
    const who = authorize(p, 'sheet.read')
    const county = ownCounty(who)
    const firms = new Map(this.store.intake.firms(county).map((f) => [f.creditCode, f]))
    const rb = this.rulebooks.active().rulebook
    return this.store.intake
      .answers({ ...filter, creditCode: ownCreditCode(who) })
      .filter((a) => a.kind === 'dispute' && firms.has(a.creditCode))
      .map((a) => {
        const was = a.submissionId ? this.store.intake.submission(a.submissionId) : undefined
        return {
          ...a,
          name: firms.get(a.creditCode)!.name,
          county: firms.get(a.creditCode)!.county,
          label: rb.inputById.get(a.input!)?.label ?? a.input!,
          unit: rb.inputById.get(a.input!)?.unit ?? null,
          disputedValue: was?.value ?? null,
        }
      })
  }

  /**
   * The economy office resolves a dispute: upheld, the claimed value (or the `value` it decides) becomes the
   * figure's new version, from the figure's department; rejected, the figure stands. Either way with a reason.
   */
  resolve(
    p: Principal | undefined,
    id: number,
    d: { upheld: boolean; value?: string; reason: string },
  ) {
    const who = authorize(p, 'sheet.resolve')
    if (d.reason.trim().length < 2) throw invalid('a resolution needs its reason')
    const a = this.store.intake.answer(id)
    if (a.kind !== 'dispute') throw invalid(`sheet answer ${id} is not a dispute`)
    const rb = this.rulebooks.active().rulebook
    let value: FigureValue | undefined
    if (d.upheld) {
      if (d.value !== undefined && d.value.trim() !== '') {
        const cell = parseFigureCell(rb.inputById.get(a.input!)!, d.value.trim())
        if ('message' in cell) throw invalid(`value: ${cell.message}`)
        value = cell.value
      } else value = a.claimed!
    }
    return this.store.intake.resolve(
      id,
      { upheld: d.upheld, value, department: departmentOf(rb, a.input!), reason: d.reason.trim() },
      actorOf(who),
    )
  }

  /**
   * Composes the figures of `year` an evaluation rates from the departments' submissions, once the land areas'
   * objection window is over; undefined when no department submitted figures of `year` (the single-CSV way).
   * Says how many sheets were confirmed, deemed confirmed and still disputed (rated as published until resolved).
   */
  settle(year: number, actor: string) {
    if (!this.store.intake.hasSubmissions(year)) return undefined
    const pub = this.store.intake.landPublication(year)
    const today = this.store.today()
    if (!pub)
      throw new MujunError(
        'LAND_NOT_PUBLISHED',
        `the figures of ${year} come from the departments: publish the land areas for objection before rating`,
        { status: 409 },
      )
    if (today <= pub.objectionUntil)
      throw new MujunError(
        'OBJECTION_WINDOW_OPEN',
        `the land areas of ${year} are open to objection until ${pub.objectionUntil}: rate after that day`,
        { status: 409 },
      )
    const all = this.store.intake.submissions(year)
    const answers = this.store.intake.answers({ year })
    const byFirm = new Map<string, typeof all>()
    for (const s of all) {
      let list = byFirm.get(s.creditCode)
      if (!list) {
        list = []
        byFirm.set(s.creditCode, list)
      }
      list.push(s)
    }
    const counts = { confirmed: 0, deemed: 0, disputed: 0 }
    const composed = [...byFirm].map(([creditCode, subs]) => {
      const c = composeSheet(
        subs,
        answers.filter((a) => a.creditCode === creditCode),
        true,
      )
      const sheet = c.sheet === 'pending' ? 'deemed' : c.sheet
      counts[sheet]++
      return { creditCode, figures: c.figures, sources: c.sources, sheet }
    })
    const written = this.store.intake.writeComposed(year, composed, actor)
    return { firms: composed.length, ...counts, ...written }
  }

  /** Where the figures of one rated version came from (see lineageOf). */
  lineage(code: string, year: number, version: number) {
    return lineageOf(this.store, code, year, version)
  }
}

/**
 * Where one version of a firm's year figures came from, when it was composed from the departments: how its sheet
 * stood, and each input's department, submitter, time and version; undefined for figures entered whole (one CSV).
 */
export function lineageOf(store: Store, code: string, year: number, version: number) {
  const row = store.intake.lineage(code, year, version)
  if (!row) return undefined
  const sources = Object.entries(row.sources).map(([input, id]) => {
    const s = store.intake.submission(id)!
    return {
      input,
      department: s.department,
      version: s.version,
      submittedAt: s.submittedAt,
      submittedBy: s.submittedBy,
      note: s.note,
    }
  })
  return { sheet: row.sheet, sources }
}
