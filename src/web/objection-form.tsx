/** @jsxImportSource hono/jsx */
/**
 * The enterprise's objection to a provisional result under public notice: the form (keeping what was typed when it
 * is refused, the error beside the field) and the receipt shown once it is filed.
 * @module web/objection-form
 */
import type { Principal } from '../principal.ts'
import { type Lang, phrases } from './i18n.ts'
import { inBeijing } from './kit/format.ts'
import { classLabel } from './kit/labels.ts'
import { Badge, Data, Facts, Field, type FieldErrors } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'

export const say = phrases({
  reason: { zh: '异议理由', en: 'Reason' },
  evidence: { zh: '证明材料', en: 'Evidence' },
  file: { zh: '提出异议', en: 'File an objection' },
  reasonShort: {
    zh: '请写明理由（5 至 4,000 字）',
    en: 'Give a reason (5 to 4,000 characters)',
  },
  evidenceMissing: {
    zh: '请列出证明材料（最多 4,000 字）',
    en: 'List the evidence (up to 4,000 characters)',
  },
  receipt: { zh: '异议回执', en: 'Objection receipt' },
  receiptNo: { zh: '回执编号', en: 'Receipt number' },
  filedAt: { zh: '提交时间', en: 'Filed at' },
  filedBy: { zh: '提交人', en: 'Filed by' },
  state: { zh: '办理状态', en: 'State' },
  run: { zh: '所涉评价', en: 'Evaluation' },
  classBefore: { zh: '异议时暂定类别', en: 'Provisional class when filed' },
  decision: { zh: '复核意见', en: 'Decision' },
  classAfter: { zh: '复核后类别', en: 'Class after review' },
  decidedAt: { zh: '复核时间', en: 'Decided at' },
  filedOk: {
    zh: '异议已提交，请保存本回执。复核结果将在此显示。',
    en: 'Your objection is filed; keep this receipt. The review’s outcome will be shown here.',
  },
})

/** The receipt number people quote: the evaluation year and the objection's number. */
export function receiptNo(year: number, id: number): string {
  return `YY-${year}-${String(id).padStart(6, '0')}`
}

/** The form objecting to the provisional result of evaluation `runId`. */
export function ObjectionForm(props: {
  lang: Lang
  who: Principal | undefined
  runId: number
  values?: Record<string, string>
  errors?: FieldErrors
}) {
  const { lang } = props
  const v = props.values ?? {}
  const e = props.errors ?? {}
  return (
    <form method="post" action={`/objection?lang=${lang}`} id="objection" class="noprint">
      <CsrfField who={props.who} />
      <input type="hidden" name="runId" value={String(props.runId)} />
      <Field
        name="reason"
        type="textarea"
        rows={4}
        required
        label={say(lang, 'reason')}
        value={v.reason}
        error={e.reason}
      />
      <Field
        name="evidence"
        type="textarea"
        rows={3}
        required
        label={say(lang, 'evidence')}
        value={v.evidence}
        error={e.evidence}
      />
      <button type="submit">{say(lang, 'file')}</button>
    </form>
  )
}

/** What the form's fields lack, by field, in `lang` (the service's own bounds, said beside each field). */
export function objectionErrors(lang: Lang, reason: string, evidence: string): FieldErrors {
  const errors: FieldErrors = {}
  if (reason.length < 5 || reason.length > 4000) errors.reason = say(lang, 'reasonShort')
  if (!evidence || evidence.length > 4000) errors.evidence = say(lang, 'evidenceMissing')
  return errors
}

export interface ObjectionRecord {
  id: number
  runId: number
  reason: string
  evidence: string
  filedAt: string
  filedBy: string
  status: string
  classBefore: string | null
  classAfter: string | null
  decision: string | null
  decidedAt: string | null
}

/** One objection as its receipt: number, what was filed, when (Beijing time), its state and any decision. */
export function Receipt(props: { lang: Lang; o: ObjectionRecord; year: number }) {
  const { lang, o, year } = props
  const items: [string, unknown][] = [
    [say(lang, 'receiptNo'), <strong id="receipt-no">{receiptNo(year, o.id)}</strong>],
    [
      say(lang, 'run'),
      lang === 'zh'
        ? `${year} 年度评价（第 ${o.runId} 次）`
        : `${year} evaluation (run ${o.runId})`,
    ],
    [say(lang, 'filedAt'), inBeijing(lang, o.filedAt)],
    [
      say(lang, 'state'),
      <span id="receipt-state">
        <Badge lang={lang} status={o.status} />
      </span>,
    ],
    [say(lang, 'classBefore'), classLabel(lang, o.classBefore)],
    [
      say(lang, 'reason'),
      <span id="receipt-reason">
        <Data>{o.reason}</Data>
      </span>,
    ],
    [
      say(lang, 'evidence'),
      <span id="receipt-evidence">
        <Data>{o.evidence}</Data>
      </span>,
    ],
  ]
  if (o.status !== 'open')
    items.push(
      [say(lang, 'decision'), <Data>{o.decision ?? '—'}</Data>],
      [say(lang, 'classAfter'), classLabel(lang, o.classAfter)],
      [say(lang, 'decidedAt'), inBeijing(lang, o.decidedAt)],
    )
  return <Facts id={`receipt-${o.id}`} items={items as never} />
}
