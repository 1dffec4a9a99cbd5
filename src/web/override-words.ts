/**
 * The county-override pages' own words, both languages.
 * @module web/override-words
 */
import { phrases } from './i18n.ts'

export const w = phrases({
  title: { zh: '县级个性化措施', en: 'County overrides' },
  need: {
    zh: '请用市发改（价格）、市经信、其他市级部门或县（市、区）令牌登录',
    en: 'Log in with a token of a city office or a county',
  },
  forbidden: { zh: '您的角色无权执行此操作', en: 'Your role may not do this' },
  propose: { zh: '提出新措施', en: 'Propose an override' },
  proposeTitle: { zh: '提出县级个性化措施', en: 'Propose a county override' },
  editTitle: { zh: '修改草稿', en: 'Edit the draft' },
  county: { zh: '县（市、区）', en: 'County' },
  id: { zh: '编号', en: 'Id' },
  label: { zh: '名称', en: 'Title' },
  status: { zh: '状态', en: 'Status' },
  from: { zh: '起始日期', en: 'From' },
  to: { zh: '截止日期', en: 'To' },
  resource: { zh: '资源', en: 'Resource' },
  updated: { zh: '最近更新', en: 'Last changed' },
  none: { zh: '暂无措施', en: 'No overrides' },
  open: { zh: '查看', en: 'Open' },
  text: { zh: '措施文本（YAML）', en: 'Override text (YAML)' },
  textHint: {
    zh: '编号须以本县（市、区）前缀开头；状态保持为草稿',
    en: 'The id begins with your county’s prefix; the status stays draft',
  },
  save: { zh: '保存草稿', en: 'Save the draft' },
  problems: { zh: '文本问题（按行）', en: 'Problems in the text, by line' },
  line: { zh: '行', en: 'Line' },
  field: { zh: '字段', en: 'Field' },
  problem: { zh: '问题', en: 'Problem' },
  atLine: { zh: '第 {n} 行有问题，见下表', en: 'Problem at line {n}; see the table below' },
  history: { zh: '办理记录', en: 'Status history' },
  step: { zh: '环节', en: 'Step' },
  who: { zh: '办理人', en: 'By' },
  when: { zh: '时间', en: 'When' },
  reason: { zh: '理由', en: 'Reason' },
  ref: { zh: '文号', en: 'Reference' },
  decisionDate: { zh: '决定日期', en: 'Decision date' },
  preview: { zh: '影响测算', en: 'Preview of the effect' },
  previewPending: {
    zh: '影响正在后台计算，本页将自动刷新',
    en: 'The effect is being computed; this page reloads by itself',
  },
  previewFailed: {
    zh: '影响测算未能完成，请稍后刷新',
    en: 'The preview could not be computed; reload later',
  },
  reload: { zh: '刷新', en: 'Reload' },
  previewNone: {
    zh: '尚无已发布的评价结果，无法测算',
    en: 'No published evaluation yet: nothing to preview against',
  },
  previewClosed: {
    zh: '已驳回或已撤回的措施不再测算',
    en: 'A rejected or withdrawn override is not previewed',
  },
  previewBasis: {
    zh: '按 {year} 年度评价结果及企业申报用量，测算 {from} 至 {to} 的差别化价格收入变化',
    en: 'Using the {year} evaluation and each firm’s stated use, surcharge revenue from {from} to {to}',
  },
  chartTitle: { zh: '各类别差别化价格收入变化', en: 'Change in surcharge revenue by class' },
  axisYuan: { zh: '收入变化（元）', en: 'Change (yuan)' },
  axisClass: { zh: '类别', en: 'Class' },
  classCol: { zh: '类别（测算后）', en: 'Class (after)' },
  firms: { zh: '受影响企业（家）', en: 'Firms affected' },
  before: { zh: '现行', en: 'Now' },
  after: { zh: '实施后', en: 'With it' },
  change: { zh: '变化', en: 'Change' },
  total: { zh: '合计', en: 'Total' },
  byResource: { zh: '按资源汇总', en: 'Totals by resource' },
  firmList: { zh: '受影响企业（前 20 家）', en: 'Firms affected (first 20)' },
  firmName: { zh: '企业', en: 'Firm' },
  classBefore: { zh: '现行类别', en: 'Class now' },
  classAfter: { zh: '实施后类别', en: 'Class with it' },
  classChanges: {
    zh: '按此办法评价，{n} 家企业类别变化（{year} 年度数据）',
    en: 'Rated by this method, {n} firms change class ({year} figures)',
  },
  acts: { zh: '办理', en: 'Act' },
  confirm: {
    zh: '我已核对措施文本及影响测算，确认办理',
    en: 'I have read the text and its preview, and confirm',
  },
  mustConfirm: { zh: '请勾选确认', en: 'Tick to confirm' },
  required: { zh: '必填', en: 'Required' },
  fixErrors: { zh: '请按字段旁的提示更正', en: 'Please correct the fields marked' },
  approve: { zh: '批准', en: 'Approve' },
  reject: { zh: '驳回', en: 'Reject' },
  file: { zh: '备案', en: 'File' },
  submit: { zh: '报送市发改', en: 'Submit to the bureau' },
  withdraw: { zh: '撤回', en: 'Withdraw' },
  edit: { zh: '修改草稿', en: 'Edit the draft' },
  approveRef: { zh: '批复文号', en: 'Approval reference' },
  rejectRef: { zh: '驳回决定文号', en: 'Rejection reference' },
  fileRef: { zh: '省级备案文号', en: 'Provincial filing reference (备案文号)' },
  done_approve: { zh: '已批准该措施', en: 'The override is approved' },
  done_reject: { zh: '已驳回该措施', en: 'The override is rejected' },
  done_file: { zh: '已备案，该措施自起始日期起生效', en: 'Filed: it applies from its start date' },
  done_submit: { zh: '已报送市发改（价格）审批', en: 'Submitted to the pricing bureau' },
  done_withdraw: { zh: '已撤回该措施', en: 'The override is withdrawn' },
  done_propose: { zh: '草稿已保存', en: 'The draft is saved' },
  done_edit: { zh: '草稿已更新', en: 'The draft is updated' },
  act_import: { zh: '随规则文件导入', en: 'Loaded with the rule files' },
  act_propose: { zh: '提出', en: 'Proposed' },
  act_edit: { zh: '修改', en: 'Edited' },
  act_submit: { zh: '报送', en: 'Submitted' },
  act_approve: { zh: '批准', en: 'Approved' },
  act_reject: { zh: '驳回', en: 'Rejected' },
  act_file: { zh: '备案', en: 'Filed' },
  act_withdraw: { zh: '撤回', en: 'Withdrawn' },
  act_supersede: { zh: '被接替', en: 'Superseded' },
  act_repair: { zh: '更正', en: 'Repaired' },
  details: { zh: '详情', en: 'Details' },
  version: { zh: '版本', en: 'Version' },
  supersedes: { zh: '接替', en: 'Replaces' },
  refused: { zh: '未能办理', en: 'Not done' },
  back: { zh: '返回措施列表', en: 'Back to the list' },
})

/** A column head with the time zone its times are in, bracketed as each language does. */
export function withZone(lang: 'zh' | 'en', head: string): string {
  return lang === 'zh' ? `${head}（北京时间）` : `${head} (Beijing time)`
}

/** `{name}` placeholders of a phrase filled in. */
export function fill(s: string, values: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (_m, k: string) => String(values[k] ?? ''))
}
