/** @jsxImportSource hono/jsx */
/**
 * A county corrects one disposition (一企一档 record): kind, status, dates, evidence and what was freed, with a
 * confirmation (a changed record must be verified again). A refusal keeps the input and says beside each field
 * what is wrong; a date before today is said to wait for the economy office's verification.
 * @module web/disposition-form
 */
import { can, inScope } from '../app/permissions.ts'
import { DispositionPatchRequest } from '../app/programme.ts'
import type { Services } from '../app/services.ts'
import type { Principal } from '../principal.ts'
import { isRefusal, refusalFields, type Values, valuesOf, w, wf } from './county-words.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { kindLabel, statusLabel } from './kit/labels.ts'
import { fieldErrors, problemMessage } from './kit/problems.ts'
import { Badge, Confirm, Field, type FieldErrors, Notice } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, problemText } from './page-kit.ts'

type Disposition = ReturnType<Services['programme']['disposition']>

const FIELDS = [
  'kind',
  'status',
  'deadline',
  'startedOn',
  'completedOn',
  'evidence',
  'changes',
  'energyFreedTce',
  'waterFreedM3',
  'landFreedMu',
  'jobsReduced',
] as const
const LABEL: Record<(typeof FIELDS)[number], Parameters<typeof w>[1]> = {
  kind: 'disposition',
  status: 'status',
  deadline: 'deadline',
  startedOn: 'startedOn',
  completedOn: 'completedOn',
  evidence: 'evidence',
  changes: 'changes',
  energyFreedTce: 'energy',
  waterFreedM3: 'water',
  landFreedMu: 'land',
  jobsReduced: 'jobs',
}

/** A record's fields as the form shows them. */
function valuesOfRecord(d: Disposition): Values {
  return Object.fromEntries(
    FIELDS.map((f) => [f, d[f] === null || d[f] === undefined ? '' : String(d[f])]),
  )
}

/** The form's values as a patch of the record (an empty date clears it; an empty figure keeps it). */
function patchOf(v: Values) {
  const date = (k: string) => (v[k] === '' ? null : v[k])
  const keep = (k: string) => (v[k] === '' ? undefined : v[k])
  return DispositionPatchRequest.safeParse({
    kind: keep('kind'),
    status: keep('status'),
    deadline: keep('deadline'),
    startedOn: date('startedOn'),
    completedOn: date('completedOn'),
    evidence: v.evidence,
    changes: v.changes,
    energyFreedTce: keep('energyFreedTce'),
    waterFreedM3: keep('waterFreedM3'),
    landFreedMu: keep('landFreedMu'),
    jobsReduced: v.jobsReduced === '' ? undefined : Number(v.jobsReduced),
  })
}

export interface DispositionOutcome {
  kind: 'ok' | 'error'
  text: string
  /** Said when a date before today waits for verification. */
  backdated?: string
}

export function DispositionPage(props: {
  lang: Lang
  who: Principal
  d: Disposition
  values?: Values
  errors?: FieldErrors
  outcome?: DispositionOutcome
}) {
  const { lang, who, d } = props
  const v = props.values ?? valuesOfRecord(d)
  const e = props.errors ?? {}
  const field = (name: (typeof FIELDS)[number], type: string) => (
    <Field
      name={name}
      label={w(lang, LABEL[name])}
      type={type}
      value={v[name]}
      error={e[name]}
      rows={3}
      options={type === 'select' ? optionsOf(lang, name) : undefined}
    />
  )
  return (
    <Layout
      lang={lang}
      title={`${w(lang, 'editDisposition')} #${d.id}`}
      path="/programme/disposition"
      loggedIn={true}
      who={who}
      query={`id=${d.id}`}
    >
      {props.outcome && (
        <Notice kind={props.outcome.kind} id="message">
          {props.outcome.text}
        </Notice>
      )}
      {props.outcome?.backdated && (
        <Notice kind="info" id="backdated">
          {props.outcome.backdated}
        </Notice>
      )}
      <p>
        <code>{d.creditCode}</code> · {kindLabel(lang, d.kind)} ·{' '}
        <Badge lang={lang} status={d.status} /> · {w(lang, 'verified')} {d.verifiedOn ?? '—'} ·{' '}
        <a href={`/programme/project?id=${d.projectId}&lang=${lang}`}>{w(lang, 'toProject')}</a>
      </p>
      <form
        id="disposition"
        class="card"
        method="post"
        action={`/programme/disposition?lang=${lang}`}
      >
        <CsrfField who={who} />
        <input type="hidden" name="id" value={String(d.id)} />
        <input type="hidden" name="version" value={String(d.version)} />
        {field('kind', 'select')}
        {field('status', 'select')}
        {field('deadline', 'date')}
        {field('startedOn', 'date')}
        {field('completedOn', 'date')}
        {field('evidence', 'textarea')}
        {field('changes', 'textarea')}
        {field('energyFreedTce', 'text')}
        {field('waterFreedM3', 'text')}
        {field('landFreedMu', 'text')}
        {field('jobsReduced', 'number')}
        <Confirm
          name="confirm"
          label={w(lang, 'confirmChange')}
          checked={v.confirm === 'yes'}
          error={e.confirm}
        />
        <button type="submit">{w(lang, 'save')}</button>
      </form>
    </Layout>
  )
}

/** The select options of kind and status, by field (Field takes them through `options`). */
export function optionsOf(lang: Lang, name: string) {
  if (name === 'kind')
    return ['upgrade', 'compliance', 'closure'].map((k) => ({
      value: k,
      label: kindLabel(lang, k),
    }))
  return ['planned', 'in_progress', 'done', 'abandoned'].map((s) => ({
    value: s,
    label: statusLabel(lang, s),
  }))
}

/** GET /programme/disposition?id= and POST /programme/disposition. */
export function registerDispositionForm(app: PageApp, { services, who }: PageDeps) {
  app.get('/programme/disposition', (c) => {
    const lang = langOf(c.req.query('lang'))
    try {
      const d = services.programme.disposition(who(c), Number(c.req.query('id')))
      const p = who(c)!
      if (!can(p, 'programme.write') || !inScope(p, { county: d.county }))
        return c.text(
          lang === 'zh'
            ? '只有该县（市、区）可以更正此记录'
            : 'Only its county may correct this record',
          403,
        )
      return c.html(<DispositionPage lang={lang} who={p} d={d} />)
    } catch (e) {
      return problemText(c, e, who(c))
    }
  })

  app.post('/programme/disposition', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    if (!body) return c.text(lang === 'zh' ? '表单无法解析' : 'malformed form body', 400)
    const p = who(c)
    const [id, version] = [Number(body.id), Number(body.version)]
    let d: Disposition
    try {
      d = services.programme.disposition(p, id)
    } catch (e) {
      return problemText(c, e, who(c))
    }
    const values = { ...valuesOf(body, FIELDS), confirm: body.confirm === 'yes' ? 'yes' : '' }
    const page = (errors: FieldErrors, outcome: DispositionOutcome, status: 200 | 409 | 422) =>
      c.html(
        <DispositionPage
          lang={lang}
          who={p!}
          d={d}
          values={values}
          errors={errors}
          outcome={outcome}
        />,
        status,
      )
    const patch = patchOf(values)
    const errors: FieldErrors = patch.success ? {} : fieldErrors(lang, patch.error)
    if (!values.confirm) errors.confirm = w(lang, 'confirmNeeded')
    if (!patch.success || Object.keys(errors).length > 0)
      return page(errors, { kind: 'error', text: t(lang, 'fixErrors') }, 422)
    try {
      const after = services.programme.updateDisposition(p, id, patch.data as never, version)
      const today = services.programme.today()
      const past = [after.startedOn, after.completedOn].some(
        (x, i) => x && x < today && x !== [d.startedOn, d.completedOn][i],
      )
      const saved =
        after.version === d.version
          ? w(lang, 'unchanged')
          : wf(lang, 'saved', { id, v: after.version })
      return c.html(
        <DispositionPage
          lang={lang}
          who={p!}
          d={after}
          outcome={{
            kind: 'ok',
            text: saved,
            backdated: past ? wf(lang, 'backdatedDisposition', { today }) : undefined,
          }}
        />,
      )
    } catch (e) {
      if (!isRefusal(e)) throw e
      if (e.status === 401 || e.status === 403 || e.status === 404) return problemText(c, e, who(c))
      const fields = refusalFields(lang, e)
      const text = Object.keys(fields).length > 0 ? t(lang, 'fixErrors') : problemMessage(lang, e)
      return page(fields, { kind: 'error', text }, e.status === 409 ? 409 : 422)
    }
  })
}
