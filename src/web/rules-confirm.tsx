/** @jsxImportSource hono/jsx */
/**
 * The last steps of a dated change: the confirmation (after the preview) and what was made; and the words of a
 * refusal that reaches back (the first day affected).
 * @module web/rules-confirm
 */
import type { ActPreview } from '../app/changes.ts'
import type { ImportResult } from '../app/rulebooks.ts'
import { MujunError } from '../errors.ts'
import type { Lang } from './i18n.ts'
import { Data, Facts, Notice } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'
import type { Visitor } from './page-kit.ts'
import { CHANGE_FIELDS, type ChangeInput } from './rules-change-form.tsx'
import { reachOf } from './rules-kit.tsx'

/** For a change that reaches back: the first day affected and the day it could start instead. */
export function retroWords(lang: Lang, e: unknown): string | undefined {
  if (!(e instanceof MujunError) || e.code !== 'CITY_RETROACTIVE') return undefined
  const { firstDay, today } = reachOf(e)
  const first =
    firstDay === '0000-01-01' ? (lang === 'zh' ? '每一天' : 'every day') : (firstDay ?? '—')
  return lang === 'zh'
    ? `首个受影响日为 ${first}，早于今天（${today ?? '—'}）。请改为自 ${today ?? '今天'} 或以后执行；确需改变过去的，请写明更正理由后重新测算。`
    : `The first day affected is ${first}, before today (${today ?? '—'}). Make it from ${today ?? 'today'} or later, or give the reason for a correction and preview again.`
}

export function ConfirmChange(props: {
  lang: Lang
  who: Visitor
  input: ChangeInput
  etag: string
  result: ActPreview
}) {
  const { lang, input } = props
  const zh = lang === 'zh'
  return (
    <form method="post" action={`/rules/change?lang=${lang}`} id="confirm-form" class="card">
      <h2>{zh ? '确认调整' : 'Confirm the change'}</h2>
      <CsrfField who={props.who} />
      {CHANGE_FIELDS.map((k) => (
        <input type="hidden" name={k} value={input[k]} />
      ))}
      <input type="hidden" name="etag" value={props.etag} />
      <input type="hidden" name="digest" value={props.result.digest} />
      {props.result.correctionRequired ? (
        <Notice kind={input.correction ? 'info' : 'error'} id="correction-notice">
          {input.correction
            ? zh
              ? `此项为更正：将改变 ${props.result.reach.firstDay ?? '—'} 起已开具账单的价格（见上方测算），理由：`
              : `This is a correction: it re-prices bills from ${props.result.reach.firstDay ?? '—'} (see the preview above). Reason: `
            : zh
              ? '此项更改会改变已开具账单的价格，只能以更正方式办理：返回修改，写明更正理由后重新测算。'
              : 'This would re-price bills already issued; only a correction may do that: go back, give the reason and preview again.'}
          {input.correction ? <Data>{input.correction}</Data> : null}
        </Notice>
      ) : null}
      {props.result.correctionRequired && !input.correction ? null : (
        <ConfirmBox lang={lang} input={input} />
      )}
      <p class="row">
        <button
          type="submit"
          id="confirm-button"
          class="danger"
          disabled={props.result.correctionRequired && !input.correction}
        >
          {zh ? '确认并生成新版本' : 'Confirm and make the new version'}
        </button>
        <a
          class="button secondary"
          href={`/rules/change?lang=${lang}&${CHANGE_FIELDS.map((k) => `${k}=${encodeURIComponent(input[k])}`).join('&')}`}
        >
          {zh ? '返回修改' : 'Back to the form'}
        </a>
      </p>
    </form>
  )
}

export function ChangeMade(props: { lang: Lang; made: ImportResult; input: ChangeInput }) {
  const { lang, made, input } = props
  const zh = lang === 'zh'
  return (
    <>
      <Notice kind="ok" id="change-made">
        {zh
          ? `已生成规则版本 ${made.id}：自 ${input.from} 起执行新标准 ${input.value}。`
          : `Rule version ${made.id} made: the new value ${input.value} applies from ${input.from}.`}
        {made.effectiveOn
          ? zh
            ? `该版本将于 ${made.effectiveOn} 启用。`
            : ` The version comes into force on ${made.effectiveOn}.`
          : made.activated
            ? zh
              ? '该版本已启用。'
              : ' It is in force now.'
            : ''}
      </Notice>
      <Facts
        id="made-facts"
        items={[
          [zh ? '版本' : 'Version', String(made.id)],
          [zh ? '新标准首日' : 'First day of the new value', input.from],
          [zh ? '依据文号' : 'Document', <Data>{input.document}</Data>],
          [zh ? '首个受影响日' : 'First day affected', made.reach?.firstDay ?? '—'],
        ]}
      />
      <p class="row">
        <a class="button" href={`/rules?lang=${lang}&date=${input.from}`}>
          {zh ? `查看 ${input.from} 起执行的规则` : `See the rules in force on ${input.from}`}
        </a>
        <a class="button secondary" href={`/rules/versions?lang=${lang}`}>
          {zh ? '规则版本' : 'Versions'}
        </a>
      </p>
    </>
  )
}

/** The box a person ticks to confirm the change they read the preview of. */
function ConfirmBox(props: { lang: Lang; input: ChangeInput }) {
  const { lang, input } = props
  const zh = lang === 'zh'
  return (
    <label class="row">
      <input type="checkbox" name="confirm" value="yes" id="confirm" required />
      <span>
        {zh
          ? `我已阅读上述影响测算，确认自 ${input.from} 起执行新标准 ${input.value}（${input.document}）。`
          : `I have read the preview above and confirm the new value ${input.value} from ${input.from} (${input.document}).`}
      </span>
    </label>
  )
}
