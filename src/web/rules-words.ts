/**
 * The words of the pricing bureau's rules pages (rules in force, dated change and its preview, versions, the file
 * editor), both languages, and the names the pages give the rulebook's own codes (bases, methods, dimensions).
 * @module web/rules-words
 */
import { kindOf } from '../rulebook/tariff-kinds/index.ts'
import type { Lang } from './i18n.ts'
import { phrases } from './i18n.ts'

export const rw = phrases({
  title: { zh: '价格规则', en: 'Tariff rules' },
  inForceOn: { zh: '执行的规则', en: ': the rules in force that day' },
  changeShort: { zh: '调整', en: 'Change' },
  version: { zh: '规则版本', en: 'Rule version' },
  date: { zh: '日期', en: 'Date' },
  show: { zh: '查看', en: 'Show' },
  county: { zh: '县（市、区）', en: 'County' },
  cityOnly: { zh: '全市（不含县级措施）', en: 'City (no county override)' },
  surcharges: { zh: '差别化价格（元/计量单位）', en: 'Surcharges (yuan per unit)' },
  resource: { zh: '资源', en: 'Resource' },
  item: { zh: '规则项', en: 'Rule item' },
  basis: { zh: '计价依据', en: 'Basis' },
  sector: { zh: '适用行业', en: 'Sectors' },
  allSectors: { zh: '全部行业', en: 'All sectors' },
  cell: { zh: '档次', en: 'Tier' },
  rate: { zh: '加价标准', en: 'Rate' },
  period: { zh: '执行期间', en: 'Period' },
  source: { zh: '依据文件', en: 'Source document' },
  assumed: { zh: '推定', en: 'assumed' },
  assumedNote: {
    zh: '“推定”：未找到宁波市原文数值，由价格部门按参照地区确定，待核实。',
    en: '“assumed”: the Ningbo figure was not found in the sources; the bureau chose it after a comparable place, to be confirmed.',
  },
  open: { zh: '至今', en: 'open' },
  change: { zh: '自某日起调整', en: 'Change from a date' },
  sectorTables: { zh: '行业分类表', en: 'Sector tables' },
  hitPolicy: { zh: '命中规则', en: 'Hit policy' },
  otherwise: { zh: '其余', en: 'Otherwise' },
  row: { zh: '条件', en: 'Condition' },
  category: { zh: '类别', en: 'Category' },
  formula: { zh: '判定式', en: 'Test' },
  scoring: { zh: '评价指标与权重', en: 'Scoring plans' },
  group: { zh: '企业分组', en: 'Group' },
  indicator: { zh: '指标', en: 'Indicator' },
  weight: { zh: '权重（分）', en: 'Weight (points)' },
  benchmark: { zh: '基准值', en: 'Benchmark' },
  capFloor: { zh: '上限 / 下限（倍）', en: 'Cap / floor (×)' },
  classes: { zh: '分类档次', en: 'Class bands' },
  method: { zh: '分类方法', en: 'Method' },
  bands: { zh: '各类比例或分数线', en: 'Shares or cut-offs' },
  rankedWithin: { zh: '排名范围', en: 'Ranked within' },
  stacking: { zh: '叠加方式', en: 'How surcharges stack' },
  nothing: { zh: '当日无有效规则', en: 'Nothing in force that day' },
  versions: { zh: '规则版本', en: 'Versions' },
  editor: { zh: '编辑规则文件', en: 'Edit a rule file' },
  needBureau: {
    zh: '请用市发改（价格）令牌登录',
    en: 'Log in with a token of the pricing bureau',
  },
  needLogin: {
    zh: '请用市级部门或县（市、区）令牌登录后查看规则',
    en: 'Log in with a token of a city office or a county to see the rules',
  },
  fixed: { zh: '固定值', en: 'fixed' },
  mean: { zh: '平均值', en: 'mean' },
  median: { zh: '中位数', en: 'median' },
  'min-max': { zh: '极值标准化', en: 'min–max normalised' },
  previousYear: { zh: '上年', en: "the previous year's" },
  of: { zh: '的', en: 'of the' },
  times: { zh: '倍', en: '×' },
  ties: { zh: '同分时比较', en: 'Ties broken by' },
  creditCodeTie: { zh: '统一社会信用代码', en: 'credit code' },
})

/** A tariff kind's name (each kind names itself). */
export const basisLabel = (lang: Lang, b: string) => kindOf({ basis: b }).title[lang]

const DIMENSION: Record<string, { zh: string; en: string }> = {
  county: { zh: '县（市、区）', en: 'county' },
  sector: { zh: '行业', en: 'sector' },
  group: { zh: '企业分组', en: 'group' },
  industry: { zh: '行业组', en: 'industry group' },
}
export const dimensionLabel = (lang: Lang, d: string) => DIMENSION[d]?.[lang] ?? '—'

const METHOD: Record<string, { zh: string; en: string }> = {
  'rank-share': { zh: '按排名比例', en: 'By rank share' },
  score: { zh: '按分数线', en: 'By score cut-off' },
}
export const methodLabel = (lang: Lang, m: string) => METHOD[m]?.[lang] ?? '—'

const HIT: Record<string, { zh: string; en: string }> = {
  first: { zh: '按顺序取第一条', en: 'First matching row' },
  worst: { zh: '取最严重的一条', en: 'Most severe matching row' },
}
export const hitLabel = (lang: Lang, h: string) => HIT[h]?.[lang] ?? '—'

const STACK: Record<string, { zh: string; en: string }> = {
  sum: { zh: '叠加（相加）', en: 'Added together' },
  max: { zh: '取最高一项', en: 'Highest applies' },
}
export const stackLabel = (lang: Lang, m: string) => STACK[m]?.[lang] ?? '—'

const SECTION: Record<string, { zh: string; en: string }> = {
  surcharges: { zh: '差别化价格', en: 'Surcharges' },
  sectorTables: { zh: '行业分类表', en: 'Sector tables' },
  scoring: { zh: '评价指标', en: 'Scoring' },
  classes: { zh: '分类档次', en: 'Class bands' },
  indicators: { zh: '指标公式', en: 'Indicators' },
  groups: { zh: '企业分组', en: 'Groups' },
  adjustments: { zh: '加减分', en: 'Bonus and deductions' },
  vetoes: { zh: '一票否决', en: 'Vetoes' },
  stacking: { zh: '叠加方式', en: 'Stacking' },
  targets: { zh: '整治目标', en: 'Targets' },
  deadlines: { zh: '报送期限', en: 'Deadlines' },
  funds: { zh: '专项资金', en: 'Funds' },
  refunds: { zh: '返还奖励', en: 'Refunds' },
  measures: { zh: '资源要素差别化措施', en: 'Measures beyond price' },
  plots: { zh: '共用宗地合并评价', en: 'Shared land plots' },
}
export const sectionLabel = (lang: Lang, s: string) => SECTION[s]?.[lang] ?? '—'
