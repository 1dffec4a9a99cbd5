/**
 * Measures beyond price: what a firm's class brings on a date (scoped as its tier), and each measure's list of the
 * firms it applies to, for the department that applies it (CSV with Chinese headers, or NDJSON).
 * @module app/measures
 */

import type { Store } from '../db/store.ts'
import { toCsv } from '../enterprise/csv.ts'
import { NotFoundError } from '../errors.ts'
import { bindingOn } from '../pricing/facts.ts'
import {
  type ListedFirm,
  type MeasureListRow,
  type MeasuresAnswer,
  measureList,
  measuresFor,
} from '../pricing/measures.ts'
import type { Principal } from '../principal.ts'
import type { MeasureC, Rulebook } from '../rulebook/compile.ts'
import { overrideInForce } from '../rulebook/resolve.ts'
import { authorize } from './authorize.ts'
import type { EnterpriseService } from './enterprises.ts'
import type { EvaluationService } from './evaluations.ts'
import { valueColumns } from './measure-words.ts'
import { ownDepartment } from './permissions.ts'
import type { ProgrammeService } from './programme.ts'
import type { RulebookService } from './rulebooks.ts'

/** A firm's measures on a day, with the rule version read and the firm's identity. */
export type FirmMeasures = MeasuresAnswer & {
  creditCode: string
  name: string
  evaluationYear: number | null
  rulebookVersion: number
}

/** A department's list of one measure on a day. */
export interface MeasureListAnswer {
  measure: { id: string; label: string; kind: MeasureC['kind']; department: string }
  date: string
  rulebookVersion: number
  count: number
  firms: (MeasureListRow & { name: string })[]
}

const CHUNK = 1000

export class MeasureService {
  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
    private readonly enterprises: EnterpriseService,
    private readonly evaluations: EvaluationService,
    private readonly programme: ProgrammeService,
  ) {}

  /** Every measure the firm's binding class brings on `date` (none once it is closed under the programme). */
  of(p: Principal | undefined, code: string, date: string): FirmMeasures {
    const e = this.enterprises.visible(p, code, 'measures.read')
    const { id, rulebook } = this.rulebooks.active()
    const facts = this.factsOf(code, e.county, date)
    const answer = measuresFor(rulebook, facts, date)
    if (facts.closedOn)
      answer.trace.unshift(`closed on ${facts.closedOn}: no measure applies from that day`)
    return {
      creditCode: code,
      name: e.name,
      evaluationYear: facts.year,
      rulebookVersion: id,
      ...answer,
    }
  }

  /** The measures a principal may download the list of: its department's, or every one for the city offices. */
  listable(p: Principal | undefined, date: string): MeasureC[] {
    const who = authorize(p, 'measures.list')
    const own = ownDepartment(who)
    return measuresOn(this.rulebooks.active().rulebook, date).filter(
      (m) => own === undefined || m.department === own,
    )
  }

  /**
   * The firms `measureId` applies to on `date`, in the department's working order (the rationing order by group),
   * for the bureau, the economy office and the department that applies the measure.
   */
  list(p: Principal | undefined, measureId: string, date: string): MeasureListAnswer {
    authorize(p, 'measures.list')
    const { id, rulebook } = this.rulebooks.active()
    const m = findMeasure(rulebook, measureId, date)
    authorize(p, 'measures.list', { department: m.department })
    const names = new Map<string, string>()
    const firms: ListedFirm[] = []
    for (let offset = 0; ; offset += CHUNK) {
      // Every registered firm: a department's list is city-wide (the department's own token has no county).
      const page = this.store.listEnterprises({ limit: CHUNK, offset }).rows
      if (page.length === 0) break
      const lastYear = Number(date.slice(0, 4)) - 1
      this.evaluations.prefetchHistories(
        page.map((e) => e.creditCode),
        lastYear,
      )
      for (const e of page) {
        names.set(e.creditCode, e.name)
        const f = this.factsOf(e.creditCode, e.county, date)
        if (!f.closedOn) firms.push({ creditCode: e.creditCode, name: e.name, ...f })
      }
      if (page.length < CHUNK) break
    }
    const rows = measureList(rulebook, measureId, firms, date)
    return {
      measure: { id: m.id, label: m.label, kind: m.kind, department: m.department },
      date,
      rulebookVersion: id,
      count: rows.length,
      firms: rows.map((r) => ({ ...r, name: names.get(r.creditCode) ?? '' })),
    }
  }

  /** The list as CSV, with Chinese headers (through the one CSV writer). */
  listCsv(p: Principal | undefined, measureId: string, date: string): string {
    const l = this.list(p, measureId, date)
    const cols = valueColumns(l.measure.kind)
    return toCsv(
      [
        '序号',
        '统一社会信用代码',
        '企业名称',
        '县（市、区）代码',
        '亩均评价类别',
        ...cols.map((c) => c.head),
      ],
      l.firms.map((f, i) => [
        i + 1,
        f.creditCode,
        f.name,
        f.county,
        f.class,
        ...cols.map((c) => c.cell(f.value)),
      ]),
    )
  }

  /** The list as NDJSON: one firm a line. */
  listNdjson(p: Principal | undefined, measureId: string, date: string): string {
    const l = this.list(p, measureId, date)
    return l.firms
      .map((f) => `${JSON.stringify({ measure: l.measure.id, date: l.date, ...f })}\n`)
      .join('')
  }

  /** The class binding on `date`, its year, and the day the firm was closed if it was by then. */
  private factsOf(code: string, county: string, date: string) {
    const history = this.evaluations.history(code, Number(date.slice(0, 4)) - 1)
    const b = bindingOn(history, date)
    const closure = this.programme.closureOf(code)
    const closedOn = closure && closure.on <= date ? closure.on : undefined
    return {
      class: closedOn ? null : (b?.class ?? null),
      sector: b?.sector ?? null,
      county: b?.county ?? county,
      year: b?.year ?? null,
      closedOn,
    }
  }
}

/** The measures in force on `date` anywhere (city items and the county overrides filed and in force then). */
function measuresOn(rulebook: Rulebook, date: string): MeasureC[] {
  const covers = (m: MeasureC) => m.from <= date && (m.to === undefined || date < m.to)
  const all = [
    ...rulebook.sections.measures,
    ...rulebook.overrides
      .filter((o) => overrideInForce(o, date))
      .flatMap((o) => [...(o.replace.measures ?? []), ...(o.add.measures ?? [])]),
  ]
  const seen = new Set<string>()
  return all.filter((m) => covers(m) && !seen.has(m.id) && seen.add(m.id))
}

/** The measure `id` as the rules on `date` have it (its department decides who may read its list). */
function findMeasure(rulebook: Rulebook, id: string, date: string): MeasureC {
  const m =
    measuresOn(rulebook, date).find((x) => x.id === id) ??
    rulebook.sections.measures.find((x) => x.id === id)
  if (!m) throw new NotFoundError(`measure '${id}'`)
  return m
}
