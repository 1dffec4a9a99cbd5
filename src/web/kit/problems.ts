/**
 * What a page says when an act is refused: the refusal's stable code in the page's language, and field errors of
 * a form in words a person reads, next to the field. The code itself is shown too, for a call to the help desk.
 * @module web/kit/problems
 */
import type { z } from 'zod'
import { MujunError, RulebookError } from '../../errors.ts'
import type { Lang } from '../i18n.ts'
import type { FieldErrors } from './ui.tsx'

const CODES: Record<string, { zh: string; en: string }> = {
  VALIDATION_FAILED: {
    zh: '填写的内容有误，请按提示更正',
    en: 'Some fields are not valid; see the notes beside them',
  },
  NOT_FOUND: { zh: '未找到该记录，或您无权查看', en: 'No such record, or it is not yours to see' },
  FORBIDDEN: { zh: '您的角色无权执行此操作', en: 'Your role may not do this' },
  CONFLICT: {
    zh: '当前状态下不能执行此操作（记录可能已被他人修改），请刷新后查看',
    en: 'This is not possible in the current state (someone may have changed the record); reload and look',
  },
  TRANSITION_NOT_ALLOWED: {
    zh: '当前状态下不能执行此操作',
    en: 'This step is not possible in the current state',
  },
  RULEBOOK_INVALID: {
    zh: '规则文件有错误，见下方逐行说明',
    en: 'The rule file has problems, listed below by line',
  },
  OVERRIDE_INVALID: {
    zh: '个性化措施文本有错误，见下方逐行说明',
    en: 'The override has problems, listed below by line',
  },
  OVERRIDE_RETROACTIVE: {
    zh: '生效日期早于今天：已开具的账单不能被改写',
    en: 'It would start before today: bills already issued cannot change',
  },
  OVERRIDE_SUPERSEDES_UNSTARTED: {
    zh: '被接替的措施尚未生效，不能在其生效前终止',
    en: 'The override it replaces has not started; it cannot end before it begins',
  },
  OVERRIDE_TOO_LARGE: { zh: '措施文本过大', en: 'The override text is too large' },
  OVERRIDES_WOULD_BREAK: {
    zh: '此项更改会使县级措施失效',
    en: 'This change would make county overrides invalid',
  },
  RULES_WOULD_BREAK: {
    zh: '此项更改会使规则失效',
    en: 'This change would leave the rules invalid',
  },
  DRAFT_LIMIT: {
    zh: '未办结的措施已达上限，请先报送或撤回部分草稿',
    en: 'Too many open overrides; submit or withdraw some drafts first',
  },
  CITY_RETROACTIVE: {
    zh: '此项更改会改变已开具账单的价格，只能以更正方式办理',
    en: 'This would re-price bills already issued; only a correction may do that',
  },
  PUBLICATION_RETROACTIVE: {
    zh: '发布日期早于今天，只能以更正方式办理',
    en: 'A publication dated in the past is only possible as a correction',
  },
  CORRECTION_INVALID: {
    zh: '更正须写明理由、文号，并先完成影响测算',
    en: 'A correction needs a reason, a document number and a fresh preview',
  },
  PREVIEW_STALE: {
    zh: '测算后数据已有变化，请重新测算',
    en: 'The data changed since the preview; preview again',
  },
  REASON_REQUIRED: { zh: '请写明理由', en: 'Please give a reason' },
  NO_NOTICE: { zh: '该评价尚未公示', en: 'This evaluation has not been put to notice' },
  NO_FIGURES: { zh: '该年度尚无企业数据', en: 'No figures for that year yet' },
  LAND_NOT_PUBLISHED: {
    zh: '该年度数据由各部门报送，评价前须先公示用地面积',
    en: 'The departments gave this year’s figures: publish the land areas for objection before rating',
  },
  OBJECTION_WINDOW_OPEN: {
    zh: '用地面积异议期尚未结束，期满后方可评价',
    en: 'The land areas are still open to objection; rate after the window',
  },
  OBJECTION_WINDOW_CLOSED: {
    zh: '不在用地面积公示异议期内',
    en: 'Outside the land areas’ objection window',
  },
  ENTERPRISE_NOT_REGISTERED: {
    zh: '文件中有未登记的企业，未保存任何数据',
    en: 'The file names a firm not on the register; nothing was stored',
  },
  NO_EVALUATION: { zh: '尚无评价结果', en: 'No evaluation yet' },
  NO_PUBLISHED_RUN: { zh: '该年度尚未发布评价结果', en: 'No published evaluation for that year' },
  NO_PREVIOUS_YEAR: {
    zh: '评分以上年同类企业统计值为基准，但上年评价结果尚未发布',
    en: "The scoring takes its benchmark from the previous year's peers, and that year's evaluation is not published",
  },
  COLLECTION_EXISTS: {
    zh: '该企业该月该资源的征收额已报送；重报只能以更正方式办理',
    en: 'Already reported for that firm, month and resource; a second report is a correction',
  },
  YEAR_NOT_OVER: { zh: '该年度尚未结束', en: 'That year is not over yet' },
  COLLECTION_YEAR_REFUNDED: {
    zh: '该年度返还奖励已发布；补报只能以更正方式办理',
    en: 'That year’s refund is published; a late report is a correction',
  },
  DECISION_DATE_INVALID: { zh: '决定日期无效', en: 'The decision date is not valid' },
  CSV_INVALID: {
    zh: 'CSV 文件有错误，见下方逐行说明',
    en: 'The CSV file has problems, listed below by line',
  },
  CREDIT_CODE_INVALID: {
    zh: '统一社会信用代码有误',
    en: 'The unified social credit code is not valid',
  },
  COUNTY_UNKNOWN: { zh: '未知的县（市、区）', en: 'Unknown county' },
  FREED_EXCEEDS_FIGURES: {
    zh: '腾出数量超过该企业登记的数据',
    en: 'The amount freed exceeds the firm’s own figures',
  },
  JOBS_BUSY: { zh: '后台任务繁忙，请稍后重试', en: 'Background work is busy; try again shortly' },
  WRITER_BUSY: {
    zh: '系统正在写入大批数据，请稍后重试',
    en: 'A large write is under way; try again shortly',
  },
  CHECKS_BUSY: { zh: '校验任务繁忙，请稍后重试', en: 'Checks are busy; try again shortly' },
  RULE_PATH_INVALID: { zh: '规则文件路径无效', en: 'The rule file path is not valid' },
  TOKEN_INVALID: { zh: '令牌无效或已吊销', en: 'The token is not valid or was revoked' },
  FIGURES_INVALID: { zh: '企业数据有误', en: 'The firm’s figures are not valid' },
  RULE_CHANGE_INVALID: {
    zh: '无法按所选项目和日期调整：该日没有唯一在用的规则项',
    en: 'This value cannot be changed from that day: no single rule item is in force then',
  },
  PRECONDITION_FAILED: {
    zh: '测算后规则已被他人修改，请重新测算',
    en: 'The rules changed since the preview; preview again',
  },
  COUNTY_FILE_IN_CITY_VERSION: {
    zh: '市级规则版本不能包含县级措施文件',
    en: 'A city version cannot hold county override files',
  },
  CONFIRMATION_REQUIRED: {
    zh: '请勾选确认并填写说明后再提交',
    en: 'Tick the confirmation and give a note before sending',
  },
  JOB_FAILED: { zh: '测算未能完成', en: 'The preview could not be completed' },
  NO_RULEBOOK: { zh: '尚未载入规则', en: 'No rules are loaded yet' },
  RECORD_INVALID: {
    zh: '记录内容有误，请按提示更正',
    en: 'The record is not valid; see the notes beside the fields',
  },
}

/**
 * A conflict is a state that does not allow the act; its message says which. The evaluation cycle's conflicts are
 * said in words here (a person must learn that the notice runs on, not that "someone changed the record").
 */
const CONFLICTS: [RegExp, (m: RegExpExecArray) => { zh: string; en: string }][] = [
  [
    /^the notice of evaluation (\d+) runs until (\S+); publish from (\S+)$/,
    (m) => ({
      zh: `评价批次 #${m[1]} 公示期至 ${m[2]}，自 ${m[3]} 起方可发布`,
      en: `The notice of run #${m[1]} runs until ${m[2]}; it can be published from ${m[3]}`,
    }),
  ],
  [
    /^objections (.+) of evaluation (\d+) are not decided yet$/,
    (m) => ({
      zh: `评价批次 #${m[2]} 的异议 ${m[1]} 尚未复核决定，决定后方可发布`,
      en: `Objections ${m[1]} of run #${m[2]} are not decided yet; decide them first`,
    }),
  ],
  [
    /^evaluation (\d+) is a draft: put it to notice first/,
    (m) => ({
      zh: `评价批次 #${m[1]} 尚未公示，须先公示`,
      en: `Run #${m[1]} has not been put to notice; put it to notice first`,
    }),
  ],
  [
    /^evaluation (\d+) is (\w+); it cannot be published again$/,
    (m) => ({
      zh: `评价批次 #${m[1]} 已发布或已被取代，不能再次发布`,
      en: `Run #${m[1]} cannot be published again`,
    }),
  ],
  [
    /^evaluation (\d+) of (\d{4}) is already in notice; publish it or make a new run after it$/,
    (m) => ({
      zh: `${m[2]} 年度已有批次 #${m[1]} 在公示中：请先发布它，或待其发布后再运行新批次`,
      en: `Run #${m[1]} of ${m[2]} is already on notice: publish it first`,
    }),
  ],
  [
    /^evaluation (\d+) is (\w+); only a draft goes to notice$/,
    (m) => ({
      zh: `评价批次 #${m[1]} 不是草稿，不能公示`,
      en: `Run #${m[1]} is not a draft; only a draft goes to notice`,
    }),
  ],
  [
    /^evaluation (\d+) is (\w+); objections are decided before publication$/,
    (m) => ({
      zh: `评价批次 #${m[1]} 已不在公示期，异议不能再决定`,
      en: `Run #${m[1]} is no longer on notice`,
    }),
  ],
  [
    /^objection (\d+) was already (\w+) on (\S+)$/,
    (m) => ({
      zh: `异议 ${m[1]} 已于 ${m[3].slice(0, 10)} 作出决定`,
      en: `Objection ${m[1]} was already decided on ${m[3].slice(0, 10)}`,
    }),
  ],
  [
    /^the notice of evaluation (\d+) runs (\S+) to (\S+); today is (\S+)$/,
    (m) => ({
      zh: `评价批次 #${m[1]} 的公示期为 ${m[2]} 至 ${m[3]}，今天（${m[4]}）不在期内`,
      en: `The notice of run #${m[1]} runs ${m[2]} to ${m[3]}; today is ${m[4]}`,
    }),
  ],
]

/** A refusal's message in `lang`, by its stable code. */
export function problemMessage(lang: Lang, e: MujunError): string {
  if (e.code === 'CONFLICT')
    for (const [re, say] of CONFLICTS) {
      const m = re.exec(e.message)
      if (m) return say(m)[lang]
    }
  const known = CODES[e.code]
  if (known) return known[lang]
  return lang === 'zh' ? '操作未能完成' : 'The request could not be completed'
}

/** Rule problems (file, line, field) of a refusal, when it has them. */
export function ruleProblemsOf(
  e: unknown,
): { file: string; line: number; path: string; message: string }[] {
  if (e instanceof RulebookError) return e.problems
  if (e instanceof MujunError && Array.isArray(e.details))
    return (e.details as { file?: unknown; line?: unknown }[]).filter(
      (d): d is { file: string; line: number; path: string; message: string } =>
        typeof d?.file === 'string' && typeof d?.line === 'number',
    )
  return []
}

/** The field errors of a failed zod parse, in `lang`, one per field. */
export function fieldErrors(lang: Lang, error: z.ZodError): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '')
    if (out[field]) continue
    out[field] = issueWords(lang, issue)
  }
  return out
}

function issueWords(lang: Lang, issue: z.core.$ZodIssue): string {
  const zh = lang === 'zh'
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === ''
        ? zh
          ? '必填'
          : 'Required'
        : zh
          ? '格式不正确'
          : 'Not in the expected form'
    case 'too_small':
      return issue.origin === 'string'
        ? zh
          ? '必填'
          : 'Required'
        : zh
          ? `不能小于 ${String(issue.minimum)}`
          : `Must be at least ${String(issue.minimum)}`
    case 'too_big':
      return zh ? `不能大于 ${String(issue.maximum)}` : `Must be at most ${String(issue.maximum)}`
    case 'invalid_format':
      return zh ? '格式不正确' : 'Not in the expected form'
    case 'invalid_value':
      return zh ? '请从列表中选择' : 'Choose one of the listed values'
    default:
      return zh ? '填写有误' : 'Not valid'
  }
}
