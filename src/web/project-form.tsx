/** @jsxImportSource hono/jsx */
/**
 * A county registers a rectification project: the form (every field kept when it is refused, the reason beside the
 * field in the page's language) and its handler. A filing day before today becomes a request to the economy office.
 * @module web/project-form
 */
import { can, ownCounty } from '../app/permissions.ts'
import { ProjectRequest } from '../app/programme.ts'
import type { Principal } from '../principal.ts'
import { isRefusal, refusalFields, type Values, valuesOf, w } from './county-words.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { countyLabel, kindLabel } from './kit/labels.ts'
import { fieldErrors, problemMessage } from './kit/problems.ts'
import { Field, type FieldErrors, Notice } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps } from './page-kit.ts'

const FIELDS = [
  'county',
  'year',
  'kind',
  'name',
  'township',
  'startsOn',
  'endsOn',
  'cluster',
  'filedOn',
  'historicReason',
] as const

/** The registration form; `values` are what was typed, `errors` say what is wrong beside each field. */
export function ProjectForm(props: {
  lang: Lang
  who: Principal
  years: number[]
  values?: Values
  errors?: FieldErrors
}) {
  const { lang, who } = props
  const v = props.values ?? {}
  const e = props.errors ?? {}
  const text = (name: (typeof FIELDS)[number], type = 'text', required = false) => (
    <Field
      name={name}
      label={w(lang, name as Parameters<typeof w>[1])}
      type={type}
      value={v[name]}
      error={e[name]}
      required={required}
      hint={name === 'filedOn' ? w(lang, 'historicHint') : undefined}
      rows={3}
    />
  )
  return (
    <form
      id="register"
      class="card"
      novalidate
      method="post"
      action={`/programme/project?lang=${lang}`}
    >
      <CsrfField who={who} />
      <input type="hidden" name="county" value={v.county || (who.scope ?? '')} />
      <p>
        {w(lang, 'county')}
        {lang === 'zh' ? '：' : ': '}
        {countyLabel(lang, v.county || ownCounty(who))}
        {e.county ? <small class="field-error"> {e.county}</small> : null}
      </p>
      <Field
        name="year"
        label={w(lang, 'year')}
        type="select"
        value={v.year}
        error={e.year}
        options={props.years.map((y) => ({ value: String(y), label: String(y) }))}
      />
      <Field
        name="kind"
        label={w(lang, 'kind')}
        type="select"
        value={v.kind}
        error={e.kind}
        options={['sector', 'block'].map((k) => ({ value: k, label: kindLabel(lang, k) }))}
      />
      {text('name', 'text', true)}
      {text('township', 'text', true)}
      {text('startsOn', 'date', true)}
      {text('endsOn', 'date', true)}
      {text('cluster')}
      {text('filedOn', 'date')}
      {text('historicReason', 'textarea')}
      <button type="submit">{w(lang, 'register')}</button>
    </form>
  )
}

/** The page around the form, with a notice on top when it was refused. */
export function NewProjectPage(props: {
  lang: Lang
  who: Principal
  years: number[]
  values?: Values
  errors?: FieldErrors
  problem?: string
}) {
  const { lang, who } = props
  return (
    <Layout
      lang={lang}
      title={w(lang, 'newProject')}
      path="/programme/project/new"
      loggedIn={true}
      who={who}
    >
      {props.problem && (
        <Notice kind="error" id="message">
          {props.problem}
        </Notice>
      )}
      <ProjectForm {...props} />
      <p>
        <a href={`/programme?lang=${lang}`}>{t(lang, 'programme')}</a>
      </p>
    </Layout>
  )
}

/** The form's typed values as the use case's request (empty fields left out). */
function requestOf(v: Values) {
  const opt = (k: string) => (v[k] === '' ? undefined : v[k])
  return ProjectRequest.safeParse({
    county: opt('county'),
    year: v.year === '' ? undefined : Number(v.year),
    kind: opt('kind'),
    name: opt('name'),
    township: opt('township'),
    startsOn: opt('startsOn'),
    endsOn: opt('endsOn'),
    cluster: opt('cluster'),
    filedOn: opt('filedOn'),
    historicReason: opt('historicReason'),
  })
}

/** GET /programme/project/new and POST /programme/project. */
export function registerProjectForm(app: PageApp, { services, who }: PageDeps) {
  const refused =
    (c: any, lang: Lang, p: Principal) => (values: Values, errors: FieldErrors, problem: string) =>
      c.html(
        <NewProjectPage
          lang={lang}
          who={p}
          years={services.programme.programmeYears()}
          values={values}
          errors={errors}
          problem={problem}
        />,
        422,
      )

  app.get('/programme/project/new', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!p || !can(p, 'programme.write') || ownCounty(p) === undefined)
      return c.text(
        lang === 'zh' ? '请用县（市、区）令牌登录' : 'Log in with a county token',
        p ? 403 : 401,
      )
    const years = services.programme.programmeYears()
    return c.html(
      <NewProjectPage
        lang={lang}
        who={p}
        years={years}
        values={{ year: String(years.at(-1) ?? '') }}
      />,
    )
  })

  // A refusal keeps every field as typed and says beside each one what is wrong.
  app.post('/programme/project', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const body = await formOf(c)
    if (!body) return c.text(lang === 'zh' ? '表单无法解析' : 'malformed form body', 400)
    if (!p) return c.text(lang === 'zh' ? '请先登录' : 'Log in first', 401)
    const values = valuesOf(body, FIELDS)
    const page = refused(c, lang, p)
    const request = requestOf(values)
    if (!request.success)
      return page(values, fieldErrors(lang, request.error), t(lang, 'fixErrors'))
    try {
      const made = services.programme.registerProject(p, request.data)
      return c.redirect(`/programme/project?id=${made.id}&lang=${lang}`, 303)
    } catch (e) {
      if (!isRefusal(e)) throw e
      if (e.status === 401 || e.status === 403) return c.text(problemMessage(lang, e), e.status)
      const errors = refusalFields(lang, e)
      return page(
        values,
        errors,
        Object.keys(errors).length > 0 ? t(lang, 'fixErrors') : problemMessage(lang, e),
      )
    }
  })
}
