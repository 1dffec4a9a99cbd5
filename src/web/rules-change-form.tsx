/** @jsxImportSource hono/jsx */
/**
 * The "change this value from a date" form: which value (a surcharge schedule's rate cell), the new value, the
 * first day, the document (文号). Kept as typed when refused, each problem beside its field.
 * @module web/rules-change-form
 */
import { z } from 'zod'
import type { Rulebook } from '../rulebook/compile.ts'
import type { DatedChange } from '../rulebook/dated-change.ts'
import { type Lang, phrases } from './i18n.ts'
import { resourceLabel } from './kit/labels.ts'
import { Field, type FieldErrors } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'
import type { Visitor } from './page-kit.ts'
import { cellChoices, cellValue, unitOf } from './rules-cells.ts'

export const cw = phrases({
  title: { zh: '自某日起调整一项价格', en: 'Change a value from a date' },
  cell: { zh: '调整哪一项', en: 'Which value' },
  value: { zh: '新标准', en: 'New value' },
  valueHint: {
    zh: '元/计量单位或倍数，小数点后最多 6 位，例如 0.35',
    en: 'yuan per unit or a multiple, at most 6 decimals, e.g. 0.35',
  },
  from: { zh: '自何日起执行', en: 'In force from' },
  fromHint: {
    zh: '新标准的第一天；此前各日仍按原标准计价',
    en: 'the first day of the new value; earlier days keep the old one',
  },
  effectiveOn: { zh: '版本启用日（可不填）', en: 'Version comes into force on (optional)' },
  effectiveHint: {
    zh: '不填则确认后立即启用；填写则到该日启用（须晚于今天）',
    en: 'empty: in force once confirmed; a later day: scheduled for that day',
  },
  document: { zh: '依据文号', en: 'Document number' },
  note: { zh: '说明（可不填）', en: 'Note (optional)' },
  preview: { zh: '测算影响', en: 'Preview the effect' },
  now: { zh: '现行', en: 'now' },
  valueFormat: {
    zh: '请填写数字，如 0.35（最多 6 位小数）',
    en: 'A number such as 0.35 (at most 6 decimals)',
  },
  dateFormat: { zh: '请填写日期，格式为 YYYY-MM-DD', en: 'A date as YYYY-MM-DD' },
  docShort: {
    zh: '请填写依据文号（至少 2 个字）',
    en: 'Give the document number (2 characters or more)',
  },
  cellMissing: { zh: '请从列表中选择要调整的项', en: 'Choose the value to change from the list' },
  correction: {
    zh: '更正理由（仅当更改影响今天以前的计价时填写）',
    en: 'Reason for a correction (only when the change re-prices days before today)',
  },
  correctionHint: {
    zh: '已开具的账单只能以更正方式改变：写明理由并填写依据文号，先测算，再确认；审计日志记为更正',
    en: 'Bills already issued change only by a correction: give the reason and the document, preview, then confirm; it is audited as a correction',
  },
  correctionShort: {
    zh: '请写明更正理由（至少 3 个字）',
    en: 'Give the reason (3 characters or more)',
  },
})

/** What the form holds, as typed. */
export type ChangeInput = Record<
  'cell' | 'value' | 'from' | 'effectiveOn' | 'document' | 'note' | 'correction',
  string
>
export const CHANGE_FIELDS = [
  'cell',
  'value',
  'from',
  'effectiveOn',
  'document',
  'note',
  'correction',
] as const

export function changeInputOf(get: (k: string) => unknown): ChangeInput {
  const out = {} as ChangeInput
  for (const k of CHANGE_FIELDS) {
    const v = get(k)
    out[k] = typeof v === 'string' ? v.trim() : ''
  }
  return out
}

export const changeQuery = (input: ChangeInput) =>
  CHANGE_FIELDS.map((k) => `${k}=${encodeURIComponent(input[k])}`).join('&')

/** The form checked: the dated change it asks for, or its field errors in `lang`. */
export function parseChange(
  lang: Lang,
  input: ChangeInput,
): { change: DatedChange; effectiveOn?: string; correction?: string } | { errors: FieldErrors } {
  const day = z.iso.date({ message: cw(lang, 'dateFormat') })
  const schema = z.object({
    cell: z.string().regex(/^[a-z][a-z0-9_-]*\|.+$/, cw(lang, 'cellMissing')),
    value: z.string().regex(/^\d{1,9}(\.\d{1,6})?$/, cw(lang, 'valueFormat')),
    from: day,
    effectiveOn: z.union([z.literal(''), day]),
    document: z.string().min(2, cw(lang, 'docShort')).max(200),
    note: z.string().max(2000),
    correction: z.union([z.literal(''), z.string().min(3, cw(lang, 'correctionShort')).max(2000)]),
  })
  const r = schema.safeParse(input)
  if (!r.success) {
    const errors: FieldErrors = {}
    for (const i of r.error.issues) {
      const k = String(i.path[0] ?? '')
      errors[k] ??= i.message
    }
    return { errors }
  }
  const [id, path] = [
    r.data.cell.slice(0, r.data.cell.indexOf('|')),
    r.data.cell.slice(r.data.cell.indexOf('|') + 1),
  ]
  return {
    change: {
      section: 'surcharges',
      id,
      from: r.data.from,
      set: [{ path, value: r.data.value }],
      document: r.data.document,
      ...(r.data.note ? { note: r.data.note } : {}),
    },
    ...(r.data.effectiveOn ? { effectiveOn: r.data.effectiveOn } : {}),
    ...(r.data.correction ? { correction: r.data.correction } : {}),
  }
}

export function ChangeForm(props: {
  lang: Lang
  who: Visitor
  rb: Rulebook
  input: ChangeInput
  errors: FieldErrors
}) {
  const { lang, input, errors, rb } = props
  const choices = cellChoices(rb, lang)
  const err = errors.cell
  return (
    <form method="post" action={`/rules/change/preview?lang=${lang}`} id="change-form" class="card">
      <CsrfField who={props.who} />
      <div class={`field${err ? ' has-error' : ''}`}>
        <label for="f-cell">
          {cw(lang, 'cell')}
          <span class="req">*</span>
        </label>
        <select id="f-cell" name="cell" required aria-invalid={err ? 'true' : undefined}>
          <option value="">—</option>
          {choices.map((ch) => (
            <option value={ch.value} selected={ch.value === input.cell} lang="zh-CN">
              {`${resourceLabel(lang, ch.schedule.resource)} · ${ch.schedule.label} · ${ch.cell.name}（${cw(lang, 'now')} ${cellValue(lang, ch.cell, unitOf(rb, ch.schedule.resource))}）`}
            </option>
          ))}
        </select>
        {err ? (
          <small class="field-error" role="alert">
            {err}
          </small>
        ) : null}
      </div>
      <Field
        name="value"
        label={cw(lang, 'value')}
        value={input.value}
        error={errors.value}
        hint={cw(lang, 'valueHint')}
        required
      />
      <Field
        name="from"
        type="date"
        label={cw(lang, 'from')}
        value={input.from}
        error={errors.from}
        hint={cw(lang, 'fromHint')}
        required
      />
      <Field
        name="effectiveOn"
        type="date"
        label={cw(lang, 'effectiveOn')}
        value={input.effectiveOn}
        error={errors.effectiveOn}
        hint={cw(lang, 'effectiveHint')}
      />
      <Field
        name="document"
        label={cw(lang, 'document')}
        value={input.document}
        error={errors.document}
        required
      />
      <Field
        name="note"
        type="textarea"
        rows={2}
        label={cw(lang, 'note')}
        value={input.note}
        error={errors.note}
      />
      <Field
        name="correction"
        type="textarea"
        rows={2}
        label={cw(lang, 'correction')}
        value={input.correction}
        error={errors.correction}
        hint={cw(lang, 'correctionHint')}
      />
      <button type="submit" id="preview-button">
        {cw(lang, 'preview')}
      </button>
    </form>
  )
}
