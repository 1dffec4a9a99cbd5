/**
 * Page strings, Chinese first with an English switch (?lang=en).
 * @module web/i18n
 */
export type Lang = 'zh' | 'en'

const STRINGS = {
  brand: { zh: '宁波亩均效益', en: 'Ningbo per-mu' },
  myResult: { zh: '我的评价', en: 'My result' },
  rulesNav: { zh: '价格规则', en: 'Tariff rules' },
  overridesNav: { zh: '县级个性化措施', en: 'County overrides' },
  evaluationNav: { zh: '年度评价', en: 'Annual evaluation' },
  tokensNav: { zh: '访问令牌', en: 'Tokens' },
  programmeNav: { zh: '整治提升', en: 'Rectification' },
  listsNav: { zh: '差别电价名单', en: 'Designated lists' },
  measuresNav: { zh: '差别化措施名单', en: 'Measure lists' },
  figuresNav: { zh: '部门数据报送', en: 'Figures by department' },
  title: { zh: '亩均效益自查', en: 'Per-mu efficiency self-check' },
  overview: { zh: '评价总览', en: 'Bureau overview' },
  provenance: { zh: '价格依据', en: 'Why this price' },
  login: { zh: '登录', en: 'Log in' },
  logout: { zh: '退出', en: 'Log out' },
  token: { zh: '访问令牌', en: 'Access token' },
  county: { zh: '所在县（市、区）', en: 'County' },
  industry: { zh: '行业代码（GB/T 4754）', en: 'Industry code (GB/T 4754)' },
  year: { zh: '评价年度', en: 'Evaluation year' },
  monthly: {
    zh: '每月用电量（kWh，用于估算差别电价）',
    en: 'Monthly electricity (kWh, for the cost estimate)',
  },
  submit: { zh: '开始自查', en: 'Check' },
  result: { zh: '自查结果', en: 'Result' },
  class: { zh: '评价类别', en: 'Class' },
  score: { zh: '综合得分', en: 'Score' },
  rank: { zh: '排名', en: 'Rank' },
  band: { zh: '位于同组前', en: 'within the top' },
  indicators: { zh: '各指标得分', en: 'Points per indicator' },
  vetoes: { zh: '否决与保护', en: 'Vetoes and protections' },
  cost: {
    zh: '按所填用电量，每月差别电价约',
    en: 'At that monthly use the electricity surcharge is about',
  },
  moveUp: { zh: '如何提升一档', en: 'What would move you up a class' },
  noMove: {
    zh: '单项指标提高10倍以内无法提升类别，或已是最高类别。',
    en: 'No single figure within 10× moves you up, or you are already in the top class.',
  },
  raise: { zh: '将', en: 'Raise' },
  to: { zh: '提高到', en: 'to' },
  gives: { zh: '可评为', en: 'gives class' },
  stored: { zh: '已载入您登记的数据', en: 'Loaded your stored figures' },
  notRated: { zh: '未参评', en: 'Not rated' },
  fixErrors: { zh: '请更正标红的字段', en: 'Please correct the fields in red' },
  distribution: { zh: '各县（市、区）类别分布', en: 'Classes per county' },
  sectors: { zh: '各行业类别分布', en: 'Classes per sector' },
  pending: { zh: '待批县级个性化措施', en: 'Pending county overrides' },
  previewPending: { zh: '影响正在计算，请稍后刷新', en: 'effect being computed; reload shortly' },
  targets: { zh: '三年行动目标进展', en: 'Progress against the plan targets' },
  totals: { zh: '已发布评价', en: 'Published evaluation' },
  needBureau: {
    zh: '请用市级部门（发改、经信或其他部门）令牌登录',
    en: 'Log in with a token of a city office (pricing, economy-and-IT or another department)',
  },
  programme: { zh: '“低小散”整治提升（腾笼换鸟）', en: 'Rectification programme' },
  needProgramme: {
    zh: '请用市级部门或县（市、区）令牌登录',
    en: 'Log in with a token of a city office or a county',
  },
  byCounty: { zh: '各县（市、区）进展', en: 'Progress per county' },
  tracking: { zh: '月跟踪（累计）', en: 'Monthly tracking (cumulative)' },
  deadlines: { zh: '项目清单报送', en: 'Project lists filed' },
  reports: { zh: '季报送', en: 'Quarterly reports' },
  fund: { zh: '市级专项资金分配', en: 'City fund allocation' },
  pendingDeadlines: { zh: '待办与逾期', en: 'Pending and overdue' },
  fromRecords: {
    zh: '按整治提升项目及一企一档处置记录计算',
    en: 'measured from the projects and each enterprise’s disposition record',
  },
  refundsNav: { zh: '征收与返还', en: 'Collected and returned' },
} as const

export type Key = keyof typeof STRINGS
export const t = (lang: Lang, key: Key): string => STRINGS[key][lang]
export const langOf = (q: string | undefined): Lang => (q === 'en' ? 'en' : 'zh')

/** A page module's own strings: one table per page, both languages required by its type. */
export function phrases<T extends Record<string, { zh: string; en: string }>>(table: T) {
  return (lang: Lang, key: keyof T): string => table[key][lang]
}
