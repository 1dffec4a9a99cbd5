/**
 * The words of the figures-by-department pages (web/figures-page, web/sheet-page), both languages.
 * @module web/figures-words
 */
import type { Services } from '../app/services.ts'
import { type Lang, phrases } from './i18n.ts'
import { num } from './kit/format.ts'

export const fw = phrases({
  title: { zh: '部门数据报送', en: 'Figures by department' },
  intro: {
    zh: '税务、统计、供电、自然资源、生态环境等部门按统一社会信用代码分别报送本部门的数据列；每个数据保留来源部门、报送人、时间和版本。用地面积须先公示、受理异议，期满后方可评价。',
    en: 'The tax, statistics, power, natural resources and environment offices each submit their own columns by credit code; every figure keeps its department, submitter, time and version. Land areas are published for objection first, and the year is rated after the window.',
  },
  year: { zh: '年度', en: 'Year' },
  show: { zh: '查询', en: 'Show' },
  submitTitle: { zh: '报送本部门数据（CSV）', en: 'Submit your department’s figures (CSV)' },
  submitHint: {
    zh: '第一列为统一社会信用代码，其余列为本部门负责的指标（可用中文名称）；可直接上传电子表格另存的 CSV 文件，常见中文编码均可识别。任一行有误则不保存。',
    en: 'First column the credit code, then your department’s inputs (Chinese labels accepted); UTF-8 or GBK. One bad row and nothing is stored.',
  },
  department: { zh: '报送部门', en: 'Department' },
  file: { zh: 'CSV 文件', en: 'CSV file' },
  noFile: { zh: '请选择要上传的 CSV 文件', en: 'Choose the CSV file to upload' },
  submit: { zh: '报送', en: 'Submit' },
  submitted: {
    zh: '已保存：{firms} 家企业，新版本 {versions} 个，未变 {unchanged} 个',
    en: 'Stored: {firms} firms, {versions} new versions, {unchanged} unchanged ({encoding})',
  },
  inputsOf: { zh: '本部门负责的指标', en: 'Inputs this department supplies' },
  completeness: { zh: '数据完整性（按县市区）', en: 'Completeness by county' },
  county: { zh: '县（市、区）', en: 'County' },
  firms: { zh: '企业数', en: 'Firms' },
  complete: { zh: '数据齐全', en: 'Complete' },
  lacking: { zh: '缺数据企业', en: 'Firms lacking figures' },
  code: { zh: '统一社会信用代码', en: 'Credit code' },
  name: { zh: '企业名称', en: 'Name' },
  lacks: { zh: '缺少的数据（负责部门）', en: 'Missing figures (department)' },
  more: { zh: '另有 {n} 家未列出', en: '{n} more not shown' },
  land: { zh: '用地面积公示', en: 'Land areas for objection' },
  landNot: {
    zh: '本年度用地面积尚未公示。',
    en: 'The land areas of this year have not been published.',
  },
  landWindow: {
    zh: '已于 {from} 公示，异议期至 {to}。',
    en: 'Published on {from}; objections until {to}.',
  },
  publish: { zh: '公示本年度用地面积', en: 'Publish this year’s land areas' },
  published: { zh: '用地面积已公示', en: 'Land areas published' },
  disputes: { zh: '企业数据异议', en: 'Disputes of firms’ sheets' },
  disputesLink: { zh: '查看和处理数据异议', en: 'See and resolve disputes' },
  figure: { zh: '数据项', en: 'Figure' },
  published_value: { zh: '公示值', en: 'As published' },
  claimed: { zh: '企业主张值', en: 'Claimed' },
  reason: { zh: '理由', en: 'Reason' },
  status: { zh: '状态', en: 'Status' },
  filed: { zh: '提出时间', en: 'Filed' },
  decision: { zh: '处理意见', en: 'Decision' },
  resolve: { zh: '处理', en: 'Resolve' },
  uphold: { zh: '采纳（以下值生效）', en: 'Uphold (this value takes effect)' },
  reject: { zh: '不予采纳（原值不变）', en: 'Reject (the figure stands)' },
  value: { zh: '核定值（留空则采用企业主张值）', en: 'Value decided (blank: the claimed value)' },
  decisionReason: { zh: '处理理由', en: 'Reason' },
  resolved: { zh: '异议已处理', en: 'Dispute resolved' },
  noDisputes: { zh: '暂无数据异议', en: 'No disputes' },
  needReason: { zh: '请写明处理理由', en: 'Give the reason' },
  needLogin: { zh: '请登录后查看', en: 'Log in to see this page' },
  forbidden: { zh: '您的令牌不能查看此页', en: 'Your token may not open this page' },
  open: { zh: '待处理', en: 'open' },
  upheld: { zh: '已采纳', en: 'upheld' },
  rejected: { zh: '未采纳', en: 'rejected' },
  confirmed: { zh: '已确认', en: 'confirmed' },
  deemed: { zh: '逾期视为无异议', en: 'deemed confirmed' },
  disputed: { zh: '有异议待处理', en: 'disputed' },
  pending: { zh: '待企业确认', en: 'awaiting the firm' },
  yes: { zh: '是', en: 'yes' },
  no: { zh: '否', en: 'no' },
})

/** A filled-in phrase: `{name}` replaced by its value. */
export function fwf(
  lang: Lang,
  key: Parameters<typeof fw>[1],
  vars: Record<string, string | number>,
) {
  return fw(lang, key).replace(/\{(\w+)\}/g, (_m, k) => String(vars[k] ?? ''))
}

/** A department's name in the page's language (the rulebook's label and English label). */
export function departmentName(services: Services, lang: Lang, id: string): string {
  const d = services.rulebooks.active().rulebook.meta.departments.find((x) => x.id === id)
  if (!d) return lang === 'zh' ? '其他部门' : 'another department'
  return lang === 'zh' ? d.label : (d.labelEn ?? d.label)
}

/** A figure's value as people read it: numbers with 千分位, flags as 是/否. */
export function figureText(lang: Lang, v: number | boolean | string | null | undefined): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'boolean') return fw(lang, v ? 'yes' : 'no')
  return typeof v === 'number' ? num(v, 4) : v
}
