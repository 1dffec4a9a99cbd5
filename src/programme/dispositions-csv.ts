/**
 * A county's 一企一档 ledger as a spreadsheet: the dispositions of one project from CSV, headers in English ids or
 * Chinese, kinds and statuses in either language. Pure: text in, one record of strings per row (or a problem with
 * its row and column) out; the use case validates each record as it validates a single one.
 * @module programme/dispositions-csv
 */
import { type CsvProblem, csvRows } from '../enterprise/csv.ts'

/** Each column's id and the Chinese header a ledger may use instead. */
export const DISPOSITION_COLUMNS: Record<string, string> = {
  credit_code: '统一社会信用代码',
  kind: '处置类型',
  deadline: '期限',
  status: '状态',
  started_on: '开始日期',
  completed_on: '完成日期',
  evidence: '佐证材料',
  changes: '改造内容',
  energy_freed_tce: '腾出用能（吨标煤）',
  water_freed_m3: '腾出用水（立方米）',
  land_freed_mu: '盘活土地（亩）',
  jobs_reduced: '减少用工（人）',
}
const REQUIRED = ['credit_code', 'kind', 'deadline']
const KINDS: Record<string, string> = {
  改造提升: 'upgrade',
  整治规范: 'compliance',
  淘汰关停: 'closure',
  // The words the pages show for each kind are accepted too.
  提升改造: 'upgrade',
  规范整治: 'compliance',
  关停淘汰: 'closure',
}
const STATUSES: Record<string, string> = {
  计划: 'planned',
  实施中: 'in_progress',
  已完成: 'done',
  已放弃: 'abandoned',
}

export interface LedgerRow {
  /** 1-based spreadsheet row (the header is row 1). */
  row: number
  values: Record<string, string>
}

export function parseDispositionsCsv(text: string): { rows: LedgerRow[]; problems: CsvProblem[] } {
  const problems: CsvProblem[] = []
  const rows: LedgerRow[] = []
  const it = csvRows(text)
  const head = it.next()
  if (head.done) return { rows, problems: [{ row: 1, message: 'the file is empty' }] }
  const byHeader = new Map<string, string>()
  for (const [id, zh] of Object.entries(DISPOSITION_COLUMNS)) {
    byHeader.set(id, id)
    byHeader.set(zh, id)
  }
  const columns = head.value.map((h) => byHeader.get(h.trim()))
  head.value.forEach((h, i) => {
    if (!columns[i])
      problems.push({
        row: 1,
        column: h,
        message: `unknown column '${h}' (columns: ${Object.entries(DISPOSITION_COLUMNS)
          .map(([id, zh]) => `${id}/${zh}`)
          .join(', ')})`,
      })
  })
  for (const r of REQUIRED)
    if (!columns.includes(r))
      problems.push({
        row: 1,
        column: r,
        message: `column '${r}' (${DISPOSITION_COLUMNS[r]}) is required`,
      })
  if (problems.length > 0) return { rows, problems }
  let n = 1
  for (const cells of it) {
    n++
    const values: Record<string, string> = {}
    cells.forEach((cell, i) => {
      const id = columns[i]
      if (id && cell.trim() !== '') values[id] = cell.trim()
    })
    if (values.kind) values.kind = KINDS[values.kind] ?? values.kind
    if (values.status) values.status = STATUSES[values.status] ?? values.status
    rows.push({ row: n, values })
  }
  return { rows, problems }
}
