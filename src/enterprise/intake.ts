/**
 * Figures by department (一企一单): which department supplies which input (the rulebook inputs' `department`), one
 * department's CSV of its own columns by credit code, a firm's sheet composed from the submitted versions and its
 * answers, and who lacks which figure. Pure: data in, data out.
 * @module enterprise/intake
 */
import type { Rulebook } from '../rulebook/compile.ts'
import { creditCodeProblem } from './credit-code.ts'
import { type CsvProblem, csvRows, parseFigureCell, repeatedCode } from './csv.ts'
import { plotConflicts } from './plots.ts'

/** The office that enters an input no department is named for: the evaluating office itself. */
export const EVALUATING_OFFICE = 'economy_it'
/** The department whose figures (land areas) are published for objection before rating. */
export const LAND_DEPARTMENT = 'natural_resources'

export type FigureValue = number | boolean | string

/** One submitted figure version, as stored. */
export interface Submission {
  id: number
  year: number
  creditCode: string
  input: string
  value: FigureValue
  department: string
  version: number
  submittedAt: string
  submittedBy: string
  note: string | null
}

/** A firm's answer to its sheet, as stored (see db/intake-schema sheetAnswers). */
export interface SheetAnswer {
  id: number
  kind: 'confirm' | 'dispute'
  seen: number | null
  input: string | null
  submissionId: number | null
  status: 'confirmed' | 'open' | 'upheld' | 'rejected'
}

/** How a firm's sheet stands: confirmed by the firm, deemed confirmed once the window closed, disputed, or open. */
export type SheetStanding = 'confirmed' | 'deemed' | 'disputed' | 'pending'

/** The department that supplies `input` (EVALUATING_OFFICE when the rulebook names none). */
export function departmentOf(rulebook: Rulebook, input: string): string {
  return rulebook.inputById.get(input)?.department ?? EVALUATING_OFFICE
}

/** The inputs a department supplies, in the rulebook's order. */
export function inputsOf(rulebook: Rulebook, department: string) {
  return rulebook.inputs.filter((i) => (i.department ?? EVALUATING_OFFICE) === department)
}

/** The inputs every firm must have (no default), with their department. */
export function requiredInputs(rulebook: Rulebook) {
  return rulebook.inputs
    .filter((i) => i.default === undefined)
    .map((i) => ({ input: i.id, department: i.department ?? EVALUATING_OFFICE }))
}

const CODE_HEADERS = new Set(['credit_code', '统一社会信用代码'])
const NAME_HEADERS = new Set(['name', '企业名称'])

export interface DepartmentRows {
  rows: { row: number; creditCode: string; figures: Record<string, FigureValue> }[]
  problems: CsvProblem[]
  /** The inputs the file's columns are, in its order. */
  inputs: string[]
}

/**
 * One department's CSV: the credit code (统一社会信用代码 or credit_code), optionally the name (ignored: the
 * register names firms), and columns that are this department's inputs, by id or Chinese label. A column of
 * another department's input is refused, naming whose it is. Blank cells are figures not given.
 */
export function parseDepartmentCsv(
  text: string,
  rulebook: Rulebook,
  department: string,
): DepartmentRows {
  const rows = csvRows(text)
  const problems: CsvProblem[] = []
  const first = rows.next()
  if (first.done)
    return { rows: [], problems: [{ row: 1, message: 'the file is empty' }], inputs: [] }
  const header = first.value.map((h) => h.trim())
  const byLabel = new Map(rulebook.inputs.map((i) => [i.label, i.id]))
  const columns = header.map((h) => {
    if (CODE_HEADERS.has(h)) return 'credit_code'
    if (NAME_HEADERS.has(h)) return 'name'
    const id = rulebook.inputById.has(h) ? h : byLabel.get(h)
    if (!id) {
      problems.push({ row: 1, column: h, message: `unknown column '${h}' (not a rulebook input)` })
      return undefined
    }
    const owner = departmentOf(rulebook, id)
    if (owner !== department) {
      problems.push({
        row: 1,
        column: h,
        message: `'${h}' (${id}) is supplied by ${owner}, not ${department}`,
      })
      return undefined
    }
    return id
  })
  if (!columns.includes('credit_code'))
    problems.push({
      row: 1,
      column: 'credit_code',
      message: "missing column 'credit_code' (统一社会信用代码)",
    })
  const inputs = columns.filter((c): c is string => !!c && c !== 'credit_code' && c !== 'name')
  if (inputs.length === 0 && problems.length === 0)
    problems.push({ row: 1, message: `no column of ${department}'s inputs` })
  if (problems.length > 0) return { rows: [], problems, inputs }
  const out: DepartmentRows['rows'] = []
  const seen = new Map<string, number>()
  let rowNo = 1
  for (const cells of rows) {
    rowNo++
    if (cells.length !== header.length) {
      problems.push({
        row: rowNo,
        message: `has ${cells.length} cells, the header has ${header.length}`,
      })
      continue
    }
    const before = problems.length
    const r = { row: rowNo, creditCode: '', figures: {} as Record<string, FigureValue> }
    cells.forEach((raw, i) => {
      const col = columns[i]!
      const v = raw.trim()
      if (col === 'credit_code') {
        const p = creditCodeProblem(v)
        if (p) problems.push({ row: rowNo, column: header[i], message: p })
        r.creditCode = v
      } else if (col !== 'name' && v !== '') {
        const cell = parseFigureCell(rulebook.inputById.get(col)!, v, rulebook)
        if ('message' in cell)
          problems.push({ row: rowNo, column: header[i], message: cell.message })
        else r.figures[col] = cell.value
      }
    })
    repeatedCode(seen, r.creditCode, rowNo, header[columns.indexOf('credit_code')], problems)
    if (problems.length === before) out.push(r)
  }
  // The land department's plots: tenants of one plot give its area once each (see enterprise/plots).
  const conflicts = plotConflicts(rulebook, out, (input) => header[columns.indexOf(input)] ?? input)
  if (conflicts.problems.length === 0) return { rows: out, problems, inputs }
  problems.push(...conflicts.problems)
  problems.sort((a, b) => a.row - b.row)
  return { rows: out.filter((r) => !conflicts.rows.has(r.row)), problems, inputs }
}

/**
 * A firm's figures of a year as rated, from its submitted versions and its answers: each input's newest version,
 * except an input under an open dispute, which keeps the version disputed (a dispute changes nothing until it is
 * resolved; an upheld one is a new version). `windowClosed`: the land areas' objection window is over, so a sheet
 * the firm did not answer is deemed confirmed (逾期视为无异议).
 */
export function composeSheet(
  submissions: readonly Submission[],
  answers: readonly SheetAnswer[],
  windowClosed: boolean,
): { figures: Record<string, FigureValue>; sources: Record<string, number>; sheet: SheetStanding } {
  const newest = new Map<string, Submission>()
  const byId = new Map(submissions.map((s) => [s.id, s]))
  for (const s of submissions) {
    const had = newest.get(s.input)
    if (!had || s.version > had.version) newest.set(s.input, s)
  }
  const open = answers.filter((a) => a.kind === 'dispute' && a.status === 'open')
  for (const a of open) {
    const disputed = a.submissionId === null ? undefined : byId.get(a.submissionId)
    if (disputed) newest.set(disputed.input, disputed)
  }
  const figures: Record<string, FigureValue> = {}
  const sources: Record<string, number> = {}
  for (const input of [...newest.keys()].sort()) {
    const s = newest.get(input)!
    figures[input] = s.value
    sources[input] = s.id
  }
  const last = Math.max(0, ...submissions.map((s) => s.id))
  const confirmed = answers.some((a) => a.kind === 'confirm' && (a.seen ?? 0) >= last)
  const sheet: SheetStanding =
    open.length > 0 ? 'disputed' : confirmed ? 'confirmed' : windowClosed ? 'deemed' : 'pending'
  return { figures, sources, sheet }
}

/** Who lacks which figure: each firm of the register missing a required input, and the count per department. */
export function completeness(
  rulebook: Rulebook,
  firms: readonly { creditCode: string; name: string; county: string }[],
  given: ReadonlyMap<string, ReadonlySet<string>>,
) {
  const required = requiredInputs(rulebook)
  const missing: {
    creditCode: string
    name: string
    county: string
    inputs: { input: string; department: string }[]
  }[] = []
  const byDepartment: Record<string, number> = {}
  for (const f of firms) {
    const has = given.get(f.creditCode)
    const lacks = required.filter((r) => !has?.has(r.input))
    if (lacks.length === 0) continue
    missing.push({ ...f, inputs: lacks })
    for (const l of lacks) byDepartment[l.department] = (byDepartment[l.department] ?? 0) + 1
  }
  return {
    firms: firms.length,
    complete: firms.length - missing.length,
    required,
    byDepartment,
    missing,
  }
}
