/** @jsxImportSource hono/jsx */
/**
 * Figures by department (/figures): a department uploads its own columns of a year (the economy office any
 * department's), the completeness report per county, the economy office publishes the land areas for objection;
 * and the disputes of firms' sheets with the economy office's resolution (/figures/disputes). Every act goes through
 * services.intake, as the API does.
 * @module web/figures-page
 */
import type { Context } from 'hono'
import { can, ownDepartment } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { departmentName, figureText, fw, fwf } from './figures-words.ts'
import { type Lang, langOf } from './i18n.ts'
import { inBeijing } from './kit/format.ts'
import { countyLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Data, Field, type FieldErrors, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, problemText } from './page-kit.ts'

type Flash = {
  kind: 'ok' | 'error'
  text: string
  problems?: { row: number; column?: string; message: string }[]
}

const yearOf = (services: Services, asked: string | undefined) =>
  asked && /^\d{4}$/.test(asked) ? Number(asked) : Number(services.store.today().slice(0, 4)) - 1

export function registerFigurePages(app: PageApp, { services, who }: PageDeps) {
  const refused = (c: Context, lang: Lang, p: Principal | undefined) =>
    c.html(
      <Layout lang={lang} title={fw(lang, 'title')} path="/figures" loggedIn={!!p} who={p}>
        <Notice kind="error" id="refused">
          {p ? fw(lang, 'forbidden') : <a href={`/login?lang=${lang}`}>{fw(lang, 'needLogin')}</a>}
        </Notice>
      </Layout>,
      p ? 403 : 401,
    )
  const page = (c: Context, year: number, flash?: Flash, status: 200 | 422 = 200) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'intake.read')) return refused(c, lang, p)
    return c.html(
      <FiguresPage lang={lang} who={p} services={services} year={year} flash={flash} />,
      status,
    )
  }

  app.get('/figures', (c) => page(c, yearOf(services, c.req.query('year'))))

  app.post('/figures/submit', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const year = yearOf(services, String(body.year ?? ''))
    const file = body.file
    if (!(file instanceof File) || file.size === 0)
      return page(c, year, { kind: 'error', text: fw(lang, 'noFile') }, 422)
    try {
      const r = services.intake.submitCsv(
        who(c),
        String(body.department ?? ''),
        year,
        new Uint8Array(await file.arrayBuffer()),
      )
      return page(c, year, {
        kind: 'ok',
        text: fwf(lang, 'submitted', {
          firms: r.firms,
          versions: r.versions,
          unchanged: r.unchanged,
          encoding: r.encoding.toUpperCase(),
        }),
      })
    } catch (e) {
      if (!(e instanceof MujunError) || e.status >= 500 || e.status === 401 || e.status === 403)
        return problemText(c, e, who(c))
      const problems = e.code === 'CSV_INVALID' ? (e.details as Flash['problems']) : undefined
      return page(c, year, { kind: 'error', text: problemMessage(lang, e), problems }, 422)
    }
  })

  app.post('/figures/publish-land', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    const year = yearOf(services, String(body?.year ?? ''))
    try {
      services.intake.publishLand(who(c), year)
      return page(c, year, { kind: 'ok', text: fw(lang, 'published') })
    } catch (e) {
      return problemText(c, e, who(c))
    }
  })

  const disputesPage = (c: Context, errors: Record<number, FieldErrors> = {}, flash?: Flash) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'sheet.read') || p.role === 'enterprise') return refused(c, lang, p)
    const year = c.req.query('year')
    return c.html(
      <DisputesPage
        lang={lang}
        who={p}
        services={services}
        year={year && /^\d{4}$/.test(year) ? Number(year) : undefined}
        errors={errors}
        flash={flash}
      />,
      Object.keys(errors).length > 0 ? 422 : 200,
    )
  }
  app.get('/figures/disputes', (c) => disputesPage(c))

  app.post('/figures/resolve', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const id = Number(body.id)
    const reason = String(body.reason ?? '').trim()
    if (reason.length < 2) return disputesPage(c, { [id]: { reason: fw(lang, 'needReason') } })
    try {
      services.intake.resolve(who(c), id, {
        upheld: body.upheld === 'true',
        value: String(body.value ?? ''),
        reason,
      })
      return disputesPage(c, {}, { kind: 'ok', text: fw(lang, 'resolved') })
    } catch (e) {
      if (e instanceof MujunError && e.status === 422)
        return disputesPage(c, { [id]: { value: problemMessage(lang, e) } })
      return problemText(c, e, who(c))
    }
  })
}

function FiguresPage(props: {
  lang: Lang
  who: Principal
  services: Services
  year: number
  flash?: Flash
}) {
  const { lang, who, services, year, flash } = props
  const report = services.intake.completeness(who, year)
  const own = ownDepartment(who)
  const departments = services.intake.departments().filter((d) => !own || d.id === own)
  const pub = report.landPublication
  return (
    <Layout
      lang={lang}
      title={fw(lang, 'title')}
      path="/figures"
      loggedIn
      who={who}
      query={`year=${year}`}
    >
      <p class="muted">{fw(lang, 'intro')}</p>
      <form method="get" action="/figures" class="row noprint">
        <input type="hidden" name="lang" value={lang} />
        <Field name="year" label={fw(lang, 'year')} type="number" value={String(year)} />
        <button type="submit">{fw(lang, 'show')}</button>
      </form>
      {flash ? (
        <Notice kind={flash.kind} id="flash">
          {flash.text}
          {flash.problems?.length ? (
            <ul>
              {flash.problems.slice(0, 20).map((x) => (
                <li>
                  {lang === 'zh' ? `第 ${x.row} 行` : `row ${x.row}`}
                  {x.column ? (
                    <>
                      {' '}
                      <Data>{x.column}</Data>
                    </>
                  ) : null}
                  : <code>{x.message}</code>
                </li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
      {can(who, 'intake.submit') ? (
        <SubmitForm
          lang={lang}
          who={who}
          services={services}
          year={year}
          departments={departments}
        />
      ) : null}
      <section class="card" id="land">
        <h2>{fw(lang, 'land')}</h2>
        <p>
          {pub
            ? fwf(lang, 'landWindow', { from: pub.publishedOn, to: pub.objectionUntil })
            : fw(lang, 'landNot')}
        </p>
        {!pub && can(who, 'intake.publish') ? (
          <form method="post" action={`/figures/publish-land?lang=${lang}`}>
            <CsrfField who={who} />
            <input type="hidden" name="year" value={String(year)} />
            <button type="submit">{fw(lang, 'publish')}</button>
          </form>
        ) : null}
        {can(who, 'sheet.read') ? (
          <p>
            <a href={`/figures/disputes?year=${year}&lang=${lang}`}>{fw(lang, 'disputesLink')}</a>
          </p>
        ) : null}
      </section>
      <h2>{fw(lang, 'completeness')}</h2>
      <Table
        id="completeness"
        head={[fw(lang, 'county'), fw(lang, 'firms'), fw(lang, 'complete'), fw(lang, 'lacking')]}
        num={[1, 2, 3]}
        rows={report.counties.map((c) => [
          countyLabel(lang, c.county),
          c.firms.toLocaleString('en-US'),
          c.complete.toLocaleString('en-US'),
          c.missing.length.toLocaleString('en-US'),
        ])}
      />
      {report.counties
        .filter((c) => c.missing.length > 0)
        .map((c) => (
          <details>
            <summary>
              {countyLabel(lang, c.county)} · {fw(lang, 'lacking')}{' '}
              {c.missing.length.toLocaleString('en-US')}
            </summary>
            <Table
              head={[fw(lang, 'code'), fw(lang, 'name'), fw(lang, 'lacks')]}
              rows={c.missing.slice(0, 100).map((m) => [
                m.creditCode,
                <Data>{m.name}</Data>,
                m.inputs.map((i, k) => (
                  <>
                    {k > 0 ? '；' : ''}
                    <Data>
                      {services.rulebooks.active().rulebook.inputById.get(i.input)?.label ??
                        i.input}
                    </Data>
                    （{departmentName(services, lang, i.department)}）
                  </>
                )),
              ])}
            />
            {c.missing.length > 100 ? (
              <p class="muted">{fwf(lang, 'more', { n: c.missing.length - 100 })}</p>
            ) : null}
          </details>
        ))}
    </Layout>
  )
}

function DisputesPage(props: {
  lang: Lang
  who: Principal
  services: Services
  year?: number
  errors: Record<number, FieldErrors>
  flash?: Flash
}) {
  const { lang, who, services, errors } = props
  const list = services.intake.disputes(who, { year: props.year })
  const resolver = can(who, 'sheet.resolve')
  return (
    <Layout lang={lang} title={fw(lang, 'disputes')} path="/figures" loggedIn who={who}>
      {props.flash ? (
        <Notice kind={props.flash.kind} id="flash">
          {props.flash.text}
        </Notice>
      ) : null}
      <Table
        id="disputes"
        empty={fw(lang, 'noDisputes')}
        head={[
          fw(lang, 'code'),
          fw(lang, 'name'),
          fw(lang, 'year'),
          fw(lang, 'figure'),
          fw(lang, 'published_value'),
          fw(lang, 'claimed'),
          fw(lang, 'reason'),
          fw(lang, 'filed'),
          fw(lang, 'status'),
          fw(lang, 'decision'),
        ]}
        rows={list.map((d) => [
          d.creditCode,
          <Data>{d.name}</Data>,
          String(d.year),
          <Data>{d.label}</Data>,
          figureText(lang, d.disputedValue),
          figureText(lang, d.claimed),
          <Data>{d.reason}</Data>,
          inBeijing(lang, d.filedAt),
          fw(lang, d.status as 'open'),
          d.status === 'open' && resolver ? (
            <ResolveForm lang={lang} who={who} id={d.id} errors={errors[d.id] ?? {}} />
          ) : (
            <Data>{d.decision ?? '—'}</Data>
          ),
        ])}
      />
    </Layout>
  )
}

function ResolveForm(props: { lang: Lang; who: Principal; id: number; errors: FieldErrors }) {
  const { lang, id, errors } = props
  return (
    <form method="post" action={`/figures/resolve?lang=${lang}`} id={`resolve-${id}`}>
      <CsrfField who={props.who} />
      <input type="hidden" name="id" value={String(id)} />
      <Field
        name="upheld"
        label={fw(lang, 'resolve')}
        type="select"
        options={[
          { value: 'true', label: fw(lang, 'uphold') },
          { value: 'false', label: fw(lang, 'reject') },
        ]}
      />
      <Field name="value" label={fw(lang, 'value')} error={errors.value} />
      <Field name="reason" label={fw(lang, 'decisionReason')} error={errors.reason} required />
      <button type="submit">{fw(lang, 'resolve')}</button>
    </form>
  )
}

function SubmitForm(props: {
  lang: Lang
  who: Principal
  services: Services
  year: number
  departments: ReturnType<Services['intake']['departments']>
}) {
  const { lang, who, services, year, departments } = props
  return (
    <form
      id="submit-figures"
      class="card"
      method="post"
      action={`/figures/submit?lang=${lang}`}
      enctype="multipart/form-data"
    >
      <h2>{fw(lang, 'submitTitle')}</h2>
      <CsrfField who={who} />
      <input type="hidden" name="year" value={String(year)} />
      <Field
        name="department"
        label={fw(lang, 'department')}
        type="select"
        options={departments.map((d) => ({
          value: d.id,
          label: departmentName(services, lang, d.id),
        }))}
      />
      <div class="field">
        <label for="f-file">{fw(lang, 'file')}</label>
        <input id="f-file" type="file" name="file" accept=".csv,text/csv" />
        <small class="hint">{fw(lang, 'submitHint')}</small>
      </div>
      <button type="submit">{fw(lang, 'submit')}</button>
      {departments.map((d) => (
        <p class="muted">
          {departmentName(services, lang, d.id)} · {fw(lang, 'inputsOf')}:{' '}
          {d.inputs.map((i, k) => (
            <>
              {k > 0 ? '、' : ''}
              <Data>{i.label}</Data>
            </>
          ))}
        </p>
      ))}
    </form>
  )
}
