/**
 * The county office's programme pages' own words (projects, the ledger, a disposition, the quarterly report), and
 * the refusals of those acts said next to the field they concern, in the page's language.
 * @module web/county-words
 */
import { MujunError } from '../errors.ts'
import { DISPOSITION_COLUMNS } from '../programme/dispositions-csv.ts'
import type { Lang } from './i18n.ts'
import { phrases } from './i18n.ts'
import type { FieldErrors } from './kit/ui.tsx'

export const w = phrases({
  newProject: { zh: '登记整治提升项目', en: 'Register a rectification project' },
  register: { zh: '登记项目', en: 'Register' },
  year: { zh: '年度', en: 'Year' },
  kind: { zh: '类型', en: 'Kind' },
  name: { zh: '项目名称', en: 'Project name' },
  township: { zh: '乡镇（街道）', en: 'Township' },
  startsOn: { zh: '开始日期', en: 'Starts on' },
  endsOn: { zh: '结束日期', en: 'Ends on' },
  cluster: { zh: '新建集聚区（如有）', en: 'New cluster (if any)' },
  filedOn: { zh: '报送市腾换办日期（补录时填写）', en: 'Filed on (if before today)' },
  historicReason: { zh: '补录说明', en: 'Why it is recorded late' },
  historicHint: {
    zh: '日期早于今天时必填：作为补录请求提交市经信局认定',
    en: 'Needed for a day before today: it goes to the economy office as a request',
  },
  county: { zh: '县（市、区）', en: 'County' },
  status: { zh: '状态', en: 'Status' },
  filed: { zh: '报送日期', en: 'Filed on' },
  creditCode: { zh: '统一社会信用代码', en: 'Credit code' },
  disposition: { zh: '处置类型', en: 'Disposition' },
  deadline: { zh: '期限', en: 'Deadline' },
  startedOn: { zh: '开始日期', en: 'Started on' },
  completedOn: { zh: '完成日期', en: 'Completed on' },
  evidence: { zh: '佐证材料', en: 'Evidence' },
  changes: { zh: '改造内容', en: 'What was changed' },
  energy: { zh: '腾出用能（吨标煤）', en: 'Energy freed (tce)' },
  water: { zh: '腾出用水（m³）', en: 'Water freed (m³)' },
  land: { zh: '盘活土地（亩）', en: 'Land freed (mu)' },
  jobs: { zh: '减少用工（人）', en: 'Jobs reduced (people)' },
  verified: { zh: '核验', en: 'Verified' },
  correct: { zh: '更正', en: 'Correct' },
  verify: { zh: '核验', en: 'Verify' },
  ledger: { zh: '一企一档处置台账', en: 'Ledger (one record per firm)' },
  upload: { zh: '上传一企一档台账（CSV）', en: 'Upload the ledger (CSV)' },
  import: { zh: '导入', en: 'Import' },
  template: { zh: '下载台账模板（中文表头，CSV）', en: 'Download the ledger template (CSV)' },
  templateHint: {
    zh: '处置类型填 提升改造、规范整治 或 关停淘汰；状态填 计划、实施中、已完成 或 已放弃；日期写作 2017-12-31。英文表头同样可用。',
    en: 'Kind and status in the words of the template (Chinese, or the API’s English codes); dates as 2017-12-31. English headers work too.',
  },
  imported: { zh: '已导入 {n} 条处置记录', en: '{n} dispositions imported' },
  csvNothing: {
    zh: 'CSV 文件有 {n} 处错误，未导入任何记录：',
    en: 'The CSV file has {n} problem(s); nothing was imported:',
  },
  row: { zh: '行号', en: 'Row' },
  column: { zh: '列', en: 'Column' },
  problem: { zh: '问题', en: 'Problem' },
  noFile: { zh: '请选择要上传的 CSV 文件', en: 'Choose a CSV file to upload' },
  editDisposition: { zh: '更正处置记录', en: 'Correct a disposition' },
  save: { zh: '保存更正', en: 'Save the correction' },
  confirmChange: {
    zh: '我已核对：更正后该记录须由市经信局重新核验',
    en: 'I checked it: after the change the economy office must verify the record again',
  },
  confirmNeeded: { zh: '请勾选确认后再保存', en: 'Tick the confirmation to save' },
  saved: { zh: '已保存处置记录 #{id}（第 {v} 版）', en: 'Disposition #{id} saved (version {v})' },
  unchanged: { zh: '未作任何修改', en: 'Nothing was changed' },
  backdatedDisposition: {
    zh: '所填日期早于今天（{today}）：进度统计按所填记录计算；市级专项资金和差别化价格只计入经市经信局核验的处置，核验前不改变已开具的账单。',
    en: 'A date before today ({today}): the progress figures count the record as entered; the city fund and the surcharges count a disposition only once the economy office has verified it, and bills already issued do not change before then.',
  },
  toProject: { zh: '返回项目', en: 'Back to the project' },
  toProgramme: { zh: '← 返回整治提升总览', en: '← Back to the programme' },
  project: { zh: '项目', en: 'Project' },
  submitReport: { zh: '报送季报', en: 'Submit the quarterly report' },
  quarter: { zh: '季度', en: 'Quarter' },
  submittedOn: { zh: '报送日期', en: 'Submitted on' },
  submittedOnHint: {
    zh: '默认今天；早于今天时须填写补录说明，作为补录请求提交市经信局认定',
    en: 'Today by default; a day before today needs a reason and goes to the economy office as a request',
  },
  submitted: {
    zh: '已报送{quarter}季报（第 {seq} 次），报送日 {on}',
    en: 'Report for {quarter} submitted (submission {seq}) on {on}',
  },
  backdatedReport: {
    zh: '所填报送日 {claimed} 早于今天：已作为补录请求提交市经信局认定；认定前按实际报送日 {sent} 计。',
    en: 'The day given, {claimed}, is before today: it went to the economy office as a request; until accepted the report counts as submitted on {sent}.',
  },
  confirmReport: {
    zh: '我已核对：报送后本季度数据即被固定保存，不能撤回',
    en: 'I checked it: once submitted, the quarter’s figures are kept as they are and cannot be withdrawn',
  },
  confirmReportNeeded: { zh: '请勾选确认后再报送', en: 'Tick the confirmation to submit' },
  state: { zh: '报送状态', en: 'State' },
  due: { zh: '截止日期', en: 'Due' },
  submissions: { zh: '报送记录', en: 'Submissions' },
  seq: { zh: '次序', en: 'No.' },
  submittedAt: { zh: '报送时间', en: 'Submitted at' },
  submittedBy: { zh: '报送人', en: 'By' },
  month: { zh: '月份', en: 'Month' },
  firms: { zh: '家', en: 'firms' },
  chartTitle: {
    zh: '{name} {quarter} 各月完成处置（家）',
    en: '{name} {quarter}: dispositions done per month',
  },
  projects: { zh: '项目', en: 'Projects' },
  overdue: { zh: '逾期处置', en: 'Overdue dispositions' },
  noOverdue: { zh: '没有逾期处置', en: 'No overdue dispositions' },
  noProjects: { zh: '本季度没有项目', en: 'No projects this quarter' },
  noSubmissions: { zh: '尚未报送', en: 'Not submitted yet' },
  noDispositions: { zh: '尚无处置记录', en: 'No dispositions yet' },
  pendingBackdate: {
    zh: '县（市、区）称已于 {claimed} 报送：待市经信局认定，认定前按实际报送日 {sent} 计',
    en: 'The county says it filed on {claimed}: until the economy office accepts, it counts as filed on {sent}, the day it was sent',
  },
  download: { zh: '下载季报（CSV）', en: 'Download the report (CSV)' },
  basisCity: { zh: '全市', en: 'The city' },
  asOf: { zh: '截至', en: 'As of' },
})

/** `w` with `{name}` placeholders filled. */
export function wf(lang: Lang, key: Parameters<typeof w>[1], values: Record<string, unknown>) {
  return w(lang, key).replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ''))
}

/** A quarter (2017Q4) as people write it: "2017年第4季度", "2017 Q4". */
export function quarterLabel(lang: Lang, q: string): string {
  const m = /^(\d{4})Q([1-4])$/.exec(q)
  if (!m) return q
  return lang === 'zh' ? `${m[1]}年第${m[2]}季度` : `${m[1]} Q${m[2]}`
}

/** A page's form values as typed, by field name. */
export type Values = Record<string, string>

/** The text fields of a parsed form body, trimmed (a file or a missing field is ''). */
export function valuesOf(body: Record<string, unknown>, names: readonly string[]): Values {
  return Object.fromEntries(
    names.map((n) => [n, typeof body[n] === 'string' ? (body[n] as string).trim() : '']),
  )
}

const FIELD_WORDS: [RegExp, string, { zh: string; en: string }][] = [
  [
    /needs historicReason/,
    'historicReason',
    { zh: '日期早于今天，须写明补录说明', en: 'A day before today needs a reason' },
  ],
  [
    /filedOn \(.*\) is in the future/,
    'filedOn',
    { zh: '不能晚于今天', en: 'Cannot be after today' },
  ],
  [
    /submittedOn \(.*\) is in the future/,
    'submittedOn',
    { zh: '不能晚于今天', en: 'Cannot be after today' },
  ],
  [
    /can be submitted from/,
    'quarter',
    { zh: '该季度尚未结束，季末之后才能报送', en: 'The quarter has not ended yet' },
  ],
  [
    /endsOn .* is before startsOn/,
    'endsOn',
    { zh: '不能早于开始日期', en: 'Cannot be before the start' },
  ],
  [
    /no project-list deadline/,
    'year',
    { zh: '该年度没有项目清单报送要求', en: 'No project list is due for that year' },
  ],
  [
    /needs completedOn/,
    'completedOn',
    { zh: '已完成的处置须填写完成日期', en: 'A done disposition needs its completion day' },
  ],
  [
    /completedOn \(.*\) is in the future/,
    'completedOn',
    { zh: '不能晚于今天', en: 'Cannot be after today' },
  ],
  [
    /completedOn is only for a done/,
    'completedOn',
    { zh: '只有已完成的处置才填写完成日期', en: 'Only a done disposition has a completion day' },
  ],
  [
    /completedOn .* is before startedOn/,
    'completedOn',
    { zh: '不能早于开始日期', en: 'Cannot be before the start' },
  ],
  [
    /startedOn \(.*\) is in the future/,
    'startedOn',
    { zh: '不能晚于今天', en: 'Cannot be after today' },
  ],
  [
    /needs evidence/,
    'evidence',
    {
      zh: '已完成或已放弃的处置须写明佐证材料',
      en: 'A done or abandoned disposition needs evidence',
    },
  ],
  [
    /needs changes/,
    'changes',
    { zh: '已完成的提升改造须写明改造内容', en: 'A done upgrade needs what was changed' },
  ],
  [
    /its status stays done/,
    'status',
    { zh: '已完成的处置不能改回其他状态', en: 'A done disposition stays done' },
  ],
  [
    /was abandoned/,
    'status',
    { zh: '已放弃的处置不能再修改，请另行登记', en: 'An abandoned disposition cannot change' },
  ],
]

const FREED_FIELD: Record<string, string> = {
  energyFreedTce: 'energyFreedTce',
  waterFreedM3: 'waterFreedM3',
  landFreedMu: 'landFreedMu',
  jobsReduced: 'jobsReduced',
}

/** A refusal of a county's act said next to the fields it concerns (empty when it names none). */
export function refusalFields(lang: Lang, e: MujunError): FieldErrors {
  const out: FieldErrors = {}
  if (e.code === 'FREED_EXCEEDS_FIGURES') {
    for (const f of Object.keys(FREED_FIELD))
      if (new RegExp(`\\b${f} `).test(e.message))
        out[f] = lang === 'zh' ? '超过该企业登记的数据' : 'More than the firm’s own figures'
    return out
  }
  for (const [re, field, words] of FIELD_WORDS)
    if (!out[field] && re.test(e.message)) out[field] = words[lang]
  return out
}

/** The ledger CSV's column as the template heads it (the same words in both languages: they are the file's). */
export function columnWord(column: string | undefined): string {
  if (!column) return '—'
  return DISPOSITION_COLUMNS[column] ?? column
}

/** One problem of a ledger CSV in words a county reads. */
export function ledgerProblemWords(lang: Lang, p: { column?: string; message: string }): string {
  const zh = lang === 'zh'
  const m = p.message
  if (/^unknown column/.test(m))
    return zh ? '未知的列名，请使用模板的表头' : 'Unknown column; use the template’s headers'
  if (/is required$/.test(m)) return zh ? '缺少必需的列' : 'A required column is missing'
  if (/the file is empty/.test(m)) return zh ? '文件为空' : 'The file is empty'
  if (/already has/.test(m))
    return zh ? '该企业在本项目中已有处置记录' : 'The firm already has a record in this project'
  if (/is registered in county/.test(m))
    return zh ? '该企业不属于本县（市、区）' : 'The firm is not registered in this county'
  if (/is more than the firm/.test(m))
    return zh ? '超过该企业登记的数据' : 'More than the firm’s own figures'
  if (/^creditCode/.test(m) || p.column === 'credit_code')
    return zh ? '统一社会信用代码有误或未登记' : 'The credit code is not valid or not registered'
  for (const [re, , words] of FIELD_WORDS) if (re.test(m)) return words[lang]
  if (p.column === 'kind')
    return zh
      ? '处置类型应为 提升改造、规范整治 或 关停淘汰'
      : 'Disposition must be 提升改造, 规范整治 or 关停淘汰'
  if (p.column === 'status')
    return zh
      ? '状态应为 计划、实施中、已完成 或 已放弃'
      : 'Status must be 计划, 实施中, 已完成 or 已放弃'
  if (/_on$|deadline/.test(p.column ?? ''))
    return zh ? '日期应写作 2017-12-31 的格式' : 'Dates are written like 2017-12-31'
  if (/freed|jobs/.test(p.column ?? ''))
    return zh ? '应为不小于 0 的数字' : 'Must be a number of at least 0'
  return zh ? '填写有误' : 'Not valid'
}

/** Whether `e` is a refusal the county can act on (else it is thrown on). */
export const isRefusal = (e: unknown): e is MujunError => e instanceof MujunError
