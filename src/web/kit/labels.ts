/**
 * The words the pages show for the service's own codes (statuses, roles, resources, classes, counties), in both
 * languages. A code with no entry is shown as "—" with the code in a title, never as a raw English word.
 * @module web/kit/labels
 */
import type { Lang } from '../i18n.ts'

type Words = Record<string, { zh: string; en: string }>

const STATUS: Words = {
  // overrides
  draft: { zh: '草稿', en: 'Draft' },
  submitted: { zh: '已报送', en: 'Submitted' },
  approved: { zh: '已批准', en: 'Approved' },
  filed: { zh: '已备案', en: 'Filed' },
  rejected: { zh: '已驳回', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  // runs
  notice: { zh: '公示中', en: 'On notice' },
  published: { zh: '已发布', en: 'Published' },
  superseded: { zh: '已被取代', en: 'Superseded' },
  // objections and requests
  open: { zh: '待处理', en: 'Open' },
  upheld: { zh: '已采纳', en: 'Upheld' },
  pending: { zh: '待处理', en: 'Pending' },
  accepted: { zh: '已接受', en: 'Accepted' },
  refused: { zh: '未接受', en: 'Refused' },
  // jobs
  running: { zh: '运行中', en: 'Running' },
  queued: { zh: '排队中', en: 'Queued' },
  done: { zh: '已完成', en: 'Done' },
  failed: { zh: '失败', en: 'Failed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  // programme
  active: { zh: '进行中', en: 'Active' },
  completed: { zh: '已完成', en: 'Completed' },
  planned: { zh: '计划', en: 'Planned' },
  in_progress: { zh: '实施中', en: 'In progress' },
  abandoned: { zh: '已放弃', en: 'Abandoned' },
  on_time: { zh: '按时', en: 'On time' },
  late: { zh: '逾期报送', en: 'Late' },
  missing: { zh: '未报送', en: 'Missing' },
  // tokens
  expired: { zh: '已过期', en: 'Expired' },
  revoked: { zh: '已吊销', en: 'Revoked' },
  // rating
  rated: { zh: '已评价', en: 'Rated' },
  not_rated: { zh: '暂不评价', en: 'Not rated' },
  out_of_scope: { zh: '不在评价范围', en: 'Out of scope' },
  invalid: { zh: '数据有误', en: 'Invalid figures' },
  // health
  ok: { zh: '正常', en: 'OK' },
  degraded: { zh: '降级运行', en: 'Degraded' },
}

const KIND: Words = {
  upgrade: { zh: '提升改造', en: 'Upgrade' },
  compliance: { zh: '规范整治', en: 'Compliance' },
  closure: { zh: '关停淘汰', en: 'Closure' },
  sector: { zh: '行业整治', en: 'Sector' },
  block: { zh: '区块整治', en: 'Block' },
  project: { zh: '项目清单', en: 'Project list' },
  report: { zh: '季报', en: 'Quarterly report' },
  evaluate: { zh: '评价', en: 'Evaluation' },
  import: { zh: '导入', en: 'Import' },
  preview: { zh: '影响测算', en: 'Preview' },
  'city-preview': { zh: '市级规则影响测算', en: 'City rule preview' },
  'publication-preview': { zh: '发布影响测算', en: 'Publication preview' },
  bonus: { zh: '加分', en: 'Bonus' },
  deduction: { zh: '减分', en: 'Deduction' },
}

const ROLE: Words = {
  bureau: { zh: '市发改（价格）', en: 'Pricing bureau' },
  economy: { zh: '市经信', en: 'Economy-and-IT office' },
  observer: { zh: '其他市级部门（只读）', en: 'Other city department (read only)' },
  county: { zh: '县（市、区）', en: 'County' },
  utility: { zh: '供电、供水、供气单位', en: 'Utility' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  department: { zh: '措施实施部门', en: 'Department applying measures' },
}

const RESOURCE: Words = {
  electricity: { zh: '电', en: 'Electricity' },
  water: { zh: '水', en: 'Water' },
  gas: { zh: '天然气', en: 'Gas' },
  sewage: { zh: '污水处理', en: 'Sewage treatment' },
}

/** The unit a resource is billed in. */
export const RESOURCE_UNIT: Record<string, { zh: string; en: string }> = {
  electricity: { zh: '千瓦时', en: 'kWh' },
  water: { zh: '立方米', en: 'm³' },
  gas: { zh: '立方米', en: 'm³' },
  sewage: { zh: '立方米', en: 'm³' },
}

const CLASS: Words = {
  A: { zh: 'A 类（重点发展）', en: 'A (develop)' },
  B: { zh: 'B 类（鼓励提升）', en: 'B (encourage)' },
  C: { zh: 'C 类（帮扶整治）', en: 'C (rectify)' },
  D: { zh: 'D 类（淘汰关停）', en: 'D (phase out)' },
  T: { zh: 'T 类（暂不评价）', en: 'T (not rated)' },
}

/** English names of the counties; the Chinese names come from the rulebook. */
const COUNTY_EN: Record<string, string> = {
  '330200': 'Ningbo',
  '330203': 'Haishu District',
  '330205': 'Jiangbei District',
  '330206': 'Beilun District',
  '330211': 'Zhenhai District',
  '330212': 'Yinzhou District',
  '330213': 'Fenghua District',
  '330204': 'Jiangdong District (to 2016)',
  '330283': 'Fenghua City (to 2016)',
  '330225': 'Xiangshan County',
  '330226': 'Ninghai County',
  '330281': 'Yuyao City',
  '330282': 'Cixi City',
}
const COUNTY_ZH: Record<string, string> = {
  '330200': '宁波市',
  '330203': '海曙区',
  '330205': '江北区',
  '330206': '北仑区',
  '330211': '镇海区',
  '330212': '鄞州区',
  '330213': '奉化区',
  '330204': '江东区（至2016年）',
  '330283': '奉化市（至2016年）',
  '330225': '象山县',
  '330226': '宁海县',
  '330281': '余姚市',
  '330282': '慈溪市',
}

const word = (table: Words) => (lang: Lang, code: string | undefined | null) =>
  code == null ? '—' : (table[code]?.[lang] ?? '—')

export const statusLabel = word(STATUS)
export const kindLabel = word(KIND)
export const roleLabel = word(ROLE)
export const resourceLabel = word(RESOURCE)
export const classLabel = word(CLASS)

/** A county's name in `lang` (its code when the county is unknown, which is the county's own identifier). */
export function countyLabel(lang: Lang, code: string | undefined | null): string {
  if (!code) return '—'
  return (lang === 'zh' ? COUNTY_ZH[code] : COUNTY_EN[code]) ?? code
}

/** Every code with a label, for the test that walks the pages. */
export const LABELLED = { STATUS, KIND, ROLE, RESOURCE, CLASS }

/** The rulebook's units in English (the rule files write them in Chinese). */
const UNIT_EN: Record<string, string> = {
  万元: '10k yuan',
  '万元/亩': '10k yuan/mu',
  '万元/吨标煤': '10k yuan/tce',
  '万元/吨': '10k yuan/t',
  '万元/人·年': '10k yuan/person·year',
  '万元/万kWh': '10k yuan/10k kWh',
  'kWh/吨': 'kWh/t',
  'kgce/吨': 'kgce/t',
  亩: 'mu',
  人: 'persons',
  吨: 't',
  '吨/小时': 't/h',
  吨标准煤: 'tce',
  年: 'year',
  家: 'firms',
  个: '',
  比2014年: 'against 2014',
}

/** A rulebook unit in `lang`: as written on Chinese pages; in English where it is known. */
export function unitLabel(lang: Lang, unit: string | undefined | null): string {
  if (!unit) return ''
  return lang === 'zh' ? unit : (UNIT_EN[unit] ?? unit)
}
