/** @jsxImportSource hono/jsx */
/**
 * The forms of the evaluation cycle: run, put to notice, decide an objection, publish. Each keeps what was typed
 * and shows its errors next to the field, in the page's language.
 * @module web/evaluation-forms
 */
import type { Services } from '../app/services.ts'
import type { Principal } from '../principal.ts'
import { paren, w } from './evaluation-words.ts'
import type { Lang } from './i18n.ts'
import { classLabel } from './kit/labels.ts'
import { Confirm, Field, type FieldErrors } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'

/** A run as the evaluation service lists it. */
export type Run = ReturnType<Services['evaluations']['list']>[number]

/** What a refused form sends back to the page: which form, what was typed, what is wrong. */
export interface FormState {
  /** 'run' | 'notice' | 'publish' | `decide-<objection id>` */
  form?: string
  values?: Record<string, string>
  errors?: FieldErrors
}

/** Starts an evaluation of `year` (a job). */
export function RunForm(props: { lang: Lang; who: Principal; year: number }) {
  const { lang } = props
  return (
    <form method="post" action={`/evaluation/run?lang=${lang}`} id="run-form" class="card noprint">
      <CsrfField who={props.who} />
      <input type="hidden" name="year" value={String(props.year)} />
      <p class="hint">{w(lang, 'startRunHint')}</p>
      <button type="submit" id="start-run">
        {w(lang, 'startRun')} · {props.year}
      </button>
    </form>
  )
}

/** Puts a draft run to notice, after a tick that says for how long. */
export function NoticeForm(props: {
  lang: Lang
  who: Principal
  runId: number
  days: number
  from: string
  to: string
  state: FormState
}) {
  const { lang, state } = props
  const mine = state.form === 'notice'
  return (
    <form method="post" action={`/evaluation/notice?lang=${lang}`} id="notice-form" class="card">
      <h3>{w(lang, 'notice')}</h3>
      <CsrfField who={props.who} />
      <input type="hidden" name="run" value={String(props.runId)} />
      <p class="hint">{w(lang, 'noticeHint')}</p>
      <p>
        {w(lang, 'noticeDays')}: {props.days} · {w(lang, 'noticePeriod')}: {props.from} — {props.to}
      </p>
      <Confirm
        name="confirm"
        label={paren(lang, w(lang, 'noticeConfirm'), `${props.from} — ${props.to}`)}
        error={mine ? state.errors?.confirm : undefined}
      />
      <button type="submit" id="do-notice">
        {w(lang, 'notice')}
      </button>
    </form>
  )
}

/** The decision on one open objection: uphold with the class the firm gets, or reject; a reason either way. */
export function DecisionForm(props: {
  lang: Lang
  who: Principal
  objection: number
  runId: number
  classes: string[]
  state: FormState
}) {
  const { lang, state, objection } = props
  const mine = state.form === `decide-${objection}`
  const v = mine ? (state.values ?? {}) : {}
  const e = mine ? (state.errors ?? {}) : {}
  return (
    <form
      method="post"
      action={`/evaluation/decision?lang=${lang}`}
      class="decision-form"
      data-objection={String(objection)}
    >
      <CsrfField who={props.who} />
      <input type="hidden" name="objection" value={String(objection)} />
      <input type="hidden" name="run" value={String(props.runId)} />
      <Field
        name={`decision-${objection}`}
        label={w(lang, 'decision')}
        type="select"
        required
        value={v.decision}
        error={e.decision}
        options={[
          { value: '', label: '—' },
          { value: 'upheld', label: w(lang, 'uphold') },
          { value: 'rejected', label: w(lang, 'reject') },
        ]}
      />
      <Field
        name={`class-${objection}`}
        label={w(lang, 'newClass')}
        type="select"
        value={v.class}
        error={e.class}
        options={[
          { value: '', label: '—' },
          ...props.classes.map((c) => ({ value: c, label: classLabel(lang, c) })),
        ]}
      />
      <Field
        name={`reason-${objection}`}
        label={w(lang, 'decisionReason')}
        type="textarea"
        rows={3}
        required
        value={v.reason}
        error={e.reason}
      />
      <button type="submit" class="decide">
        {w(lang, 'decide')}
      </button>
    </form>
  )
}

/** Publishes a run in notice: a confirmation, and a date only for the record of a past publication. */
export function PublishForm(props: {
  lang: Lang
  who: Principal
  runId: number
  state: FormState
}) {
  const { lang, state } = props
  const mine = state.form === 'publish'
  const v = mine ? (state.values ?? {}) : {}
  const e = mine ? (state.errors ?? {}) : {}
  return (
    <form method="post" action={`/evaluation/publish?lang=${lang}`} id="publish-form" class="card">
      <h3>{w(lang, 'publish')}</h3>
      <CsrfField who={props.who} />
      <input type="hidden" name="run" value={String(props.runId)} />
      <p class="hint">{w(lang, 'publishHint')}</p>
      <Field
        name="publishedOn"
        label={w(lang, 'publishedOn')}
        type="date"
        value={v.publishedOn}
        error={e.publishedOn}
      />
      <Confirm name="confirm" label={w(lang, 'publishConfirm')} error={e.confirm} />
      <button type="submit" id="do-publish" class="danger">
        {w(lang, 'publish')}
      </button>
    </form>
  )
}
