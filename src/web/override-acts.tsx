/** @jsxImportSource hono/jsx */
/**
 * The acts on an override, as forms on its page: approve, reject, file (the bureau; file also its county), submit
 * and withdraw (its county or the bureau). Each asks for its reference or reason and a ticked confirmation; a
 * refused form comes back with what was typed and the error beside its field.
 * @module web/override-acts
 */
import type { OverrideDetail } from '../app/override-views.ts'
import { can } from '../app/permissions.ts'
import type { Principal } from '../principal.ts'
import { TRANSITIONS } from '../rulebook/override-workflow.ts'
import type { Lang } from './i18n.ts'
import { Field, type FieldErrors } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'
import { w } from './override-words.ts'

export const ACTS = ['approve', 'reject', 'file', 'submit', 'withdraw'] as const
export type ActName = (typeof ACTS)[number]

/** A refused act's form: what was typed and what is wrong, by field. */
export interface ActState {
  act: ActName
  values: Record<string, string>
  errors: FieldErrors
}

/** The fields each act asks for (besides the confirmation), and the label of its reference. */
const FIELDS: Record<ActName, { ref?: 'approveRef' | 'rejectRef' | 'fileRef'; reason?: boolean }> =
  {
    approve: { ref: 'approveRef' },
    reject: { reason: true, ref: 'rejectRef' },
    file: { ref: 'fileRef' },
    submit: {},
    withdraw: { reason: true },
  }

/** The acts `who` may take on `o` now. */
export function actsFor(who: Principal, o: OverrideDetail, today: string): ActName[] {
  return ACTS.filter(
    (a) =>
      can(who, `override.${a}`) &&
      (TRANSITIONS[a].from as string[]).includes(o.status) &&
      // A filed override is withdrawn only before its first day: from then on it has priced bills.
      !(a === 'withdraw' && o.status === 'filed' && o.from <= today),
  )
}

/** The act's fields as typed, from a posted form (each field's name carries the act: two forms share a page). */
export function actValues(act: ActName, body: Record<string, unknown>): Record<string, string> {
  const get = (k: string) => {
    const v = body[`${act}_${k}`]
    return typeof v === 'string' ? v.trim() : ''
  }
  return { reason: get('reason'), ref: get('ref'), confirm: get('confirm') }
}

/** Checks an act's form in the page's language: the errors by field (empty when it may go ahead). */
export function checkAct(lang: Lang, act: ActName, values: Record<string, string>): FieldErrors {
  const errors: FieldErrors = {}
  const f = FIELDS[act]
  if (f.reason && !values.reason) errors.reason = w(lang, 'required')
  if (f.ref && !values.ref) errors.ref = w(lang, 'required')
  if (values.confirm !== 'yes') errors.confirm = w(lang, 'mustConfirm')
  return errors
}

export function ActForms(props: {
  lang: Lang
  who: Principal
  o: OverrideDetail
  today: string
  state?: ActState
}) {
  const { lang, who, o, today, state } = props
  const acts = actsFor(who, o, today)
  if (acts.length === 0 && !(o.status === 'draft' && can(who, 'override.propose'))) return null
  return (
    <section id="acts" class="noprint">
      <h2>{w(lang, 'acts')}</h2>
      {o.status === 'draft' && can(who, 'override.propose') ? (
        <p>
          <a class="button secondary" id="edit" href={`/overrides/${o.id}/edit?lang=${lang}`}>
            {w(lang, 'edit')}
          </a>
        </p>
      ) : null}
      <div class="grid">
        {acts.map((a) => (
          <ActForm
            lang={lang}
            who={who}
            id={o.id}
            etag={o.etag}
            act={a}
            state={state?.act === a ? state : undefined}
          />
        ))}
      </div>
    </section>
  )
}

function ActForm(props: {
  lang: Lang
  who: Principal
  id: string
  etag: string
  act: ActName
  state?: ActState
}) {
  const { lang, act, state } = props
  const f = FIELDS[act]
  const v = state?.values ?? {}
  const e = state?.errors ?? {}
  return (
    <form
      method="post"
      action={`/overrides/${props.id}/${act}?lang=${lang}`}
      class="card"
      id={`act-${act}`}
      novalidate
    >
      <h3>{w(lang, act)}</h3>
      <CsrfField who={props.who} />
      <input type="hidden" name="etag" value={props.etag} />
      {f.reason ? (
        <Field
          name={`${act}_reason`}
          label={w(lang, 'reason')}
          type="textarea"
          rows={3}
          value={v.reason}
          error={e.reason}
          required
        />
      ) : null}
      {f.ref ? (
        <Field name={`${act}_ref`} label={w(lang, f.ref)} value={v.ref} error={e.ref} required />
      ) : null}
      <div class={`field${e.confirm ? ' has-error' : ''}`}>
        <label>
          <input
            type="checkbox"
            name={`${act}_confirm`}
            value="yes"
            checked={v.confirm === 'yes'}
          />{' '}
          {w(lang, 'confirm')}
        </label>
        {e.confirm ? (
          <small class="field-error" role="alert">
            {e.confirm}
          </small>
        ) : null}
      </div>
      <button type="submit" class={act === 'reject' || act === 'withdraw' ? 'danger' : undefined}>
        {w(lang, act)}
      </button>
    </form>
  )
}
