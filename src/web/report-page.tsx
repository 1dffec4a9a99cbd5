/** @jsxImportSource hono/jsx */
/**
 * A county's quarterly report (季报) as a page, with the form its county submits it with; the basis of a figure.
 * @module web/report-page
 */
import { can, inScope, ownCounty } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import type { Principal } from '../principal.ts'
import { quarterLabel, type Values, w, wf } from './county-words.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { BEIJING_NOTE, beijing, grouped, num } from './kit/format.ts'
import { countyLabel, kindLabel, statusLabel } from './kit/labels.ts'
import {
  Badge,
  Chart,
  Confirm,
  Data,
  Facts,
  Field,
  type FieldErrors,
  Notice,
  Table,
} from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { type PageApp, type PageDeps, problemText } from './page-kit.ts'

type Report = ReturnType<Services['programme']['report']>

const KINDS = [
  { key: 'upgraded', kind: 'upgrade' },
  { key: 'compliance', kind: 'compliance' },
  { key: 'closed', kind: 'closure' },
] as const

/** What the last submission did, or why it was refused, with the form's input kept. */
export interface SubmitOutcome {
  kind: 'ok' | 'error'
  text: string
  backdated?: string
  values?: Values
  errors?: FieldErrors
}

/** A county's quarterly report as a page: its state, the months as a chart and a table, its projects, what is overdue. */
export function ReportPage(props: {
  lang: Lang
  who: Principal
  report: Report
  quarters: string[]
  outcome?: SubmitOutcome
}) {
  const { lang, who, report: r } = props
  const name = lang === 'zh' ? r.name : countyLabel(lang, r.county)
  const mine = can(who, 'programme.write') && inScope(who, { county: r.county })
  return (
    <Layout
      lang={lang}
      title={`${name} ${quarterLabel(lang, r.quarter)} ${t(lang, 'reports')}`}
      path="/programme/report"
      loggedIn={true}
      who={who}
      query={`county=${r.county}&quarter=${r.quarter}`}
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
      <ReportFacts lang={lang} report={r} />
      {mine && (
        <SubmitForm
          lang={lang}
          who={who}
          report={r}
          quarters={props.quarters}
          outcome={props.outcome}
        />
      )}
      <Chart
        id="report-chart"
        spec={{
          title: wf(lang, 'chartTitle', { name, quarter: quarterLabel(lang, r.quarter) }),
          integers: true,
          categories: r.report.months.map((m) => m.month),
          series: KINDS.map((k) => ({
            name: kindLabel(lang, k.kind),
            data: r.report.months.map((m) => m[k.key]),
            stack: 'n',
          })),
          valueAxis: w(lang, 'firms'),
          categoryAxis: w(lang, 'month'),
          height: 280,
        }}
      />
      <MonthsTable lang={lang} report={r} />
      <h2>{w(lang, 'projects')}</h2>
      <Table
        id="report-projects"
        head={[
          '#',
          w(lang, 'name'),
          statusLabel(lang, 'done'),
          statusLabel(lang, 'in_progress'),
          statusLabel(lang, 'planned'),
        ]}
        num={[2, 3, 4]}
        empty={w(lang, 'noProjects')}
        rows={r.report.projects.map((p) => [
          <a href={`/programme/project?id=${p.id}&lang=${lang}`}>#{p.id}</a>,
          <Data>{p.name}</Data>,
          num(p.dispositions.done),
          num(p.dispositions.in_progress),
          num(p.dispositions.planned),
        ])}
      />
      <h2>{w(lang, 'overdue')}</h2>
      <Table
        id="report-overdue"
        head={[
          '#',
          w(lang, 'creditCode'),
          w(lang, 'disposition'),
          w(lang, 'deadline'),
          w(lang, 'status'),
        ]}
        empty={w(lang, 'noOverdue')}
        rows={r.report.overdue.map((o) => [
          `#${o.dispositionId}`,
          <code>{o.creditCode}</code>,
          kindLabel(lang, o.kind),
          o.deadline,
          <Badge lang={lang} status={o.status} />,
        ])}
      />
    </Layout>
  )
}

function ReportFacts({ lang, report: r }: { lang: Lang; report: Report }) {
  return (
    <>
      <Facts
        id="report-state"
        items={[
          [w(lang, 'state'), <Badge lang={lang} status={r.state} />],
          [w(lang, 'due'), r.due],
          [
            w(lang, 'download'),
            <a
              class="download"
              href={`/programme/report.csv?county=${r.county}&quarter=${r.quarter}`}
            >
              <code>{`report-${r.county}-${r.quarter}.csv`}</code>
            </a>,
          ],
        ]}
      />
      <h2>{w(lang, 'submissions')}</h2>
      <Table
        id="report-submissions"
        head={[
          w(lang, 'seq'),
          w(lang, 'submittedOn'),
          lang === 'zh'
            ? `${w(lang, 'submittedAt')}（${BEIJING_NOTE.zh}）`
            : `${w(lang, 'submittedAt')} (${BEIJING_NOTE.en})`,
          w(lang, 'submittedBy'),
        ]}
        num={[0]}
        empty={w(lang, 'noSubmissions')}
        rows={r.submissions.map((s) => [
          String(s.seq),
          s.submittedOn,
          beijing(s.submittedAt),
          <Data>{s.submittedBy}</Data>,
        ])}
      />
    </>
  )
}

function MonthsTable({ lang, report: r }: { lang: Lang; report: Report }) {
  return (
    <table id="report-months">
      <thead>
        <tr>
          <th scope="col">{w(lang, 'month')}</th>
          {KINDS.map((k) => (
            <th scope="col" class="num">
              {kindLabel(lang, k.kind)}
            </th>
          ))}
          <th scope="col" class="num">
            {w(lang, 'energy')}
          </th>
          <th scope="col" class="num">
            {w(lang, 'land')}
          </th>
          <th scope="col" class="num">
            {w(lang, 'jobs')}
          </th>
        </tr>
      </thead>
      <tbody>
        {r.report.months.map((m) => (
          <tr data-month={m.month}>
            <td>{m.month}</td>
            <td class="num">{num(m.upgraded)}</td>
            <td class="num">{num(m.compliance)}</td>
            <td class="num">{num(m.closed)}</td>
            <td class="num">{grouped(m.energyFreedTce)}</td>
            <td class="num">{grouped(m.landFreedMu)}</td>
            <td class="num">{num(m.jobsReduced)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The county submits a quarter's report: today by default; an earlier day with its reason becomes a request. */
function SubmitForm(props: {
  lang: Lang
  who: Principal
  report: Report
  quarters: string[]
  outcome?: SubmitOutcome
}) {
  const { lang, who, report: r } = props
  const v = props.outcome?.values ?? { quarter: r.quarter }
  const e = props.outcome?.errors ?? {}
  return (
    <form id="submit-report" class="card" method="post" action={`/programme/report?lang=${lang}`}>
      <h3>{w(lang, 'submitReport')}</h3>
      <CsrfField who={who} />
      <input type="hidden" name="county" value={r.county} />
      <Field
        name="quarter"
        label={w(lang, 'quarter')}
        type="select"
        value={v.quarter}
        error={e.quarter}
        options={props.quarters.map((q) => ({ value: q, label: quarterLabel(lang, q) }))}
      />
      <Field
        name="submittedOn"
        label={w(lang, 'submittedOn')}
        type="date"
        value={v.submittedOn}
        error={e.submittedOn}
        hint={w(lang, 'submittedOnHint')}
      />
      <Field
        name="historicReason"
        label={w(lang, 'historicReason')}
        type="textarea"
        rows={3}
        value={v.historicReason}
        error={e.historicReason}
      />
      <Confirm
        name="confirm"
        label={w(lang, 'confirmReport')}
        checked={v.confirm === 'yes'}
        error={e.confirm}
      />
      <button type="submit">{w(lang, 'submitReport')}</button>
    </form>
  )
}

type BasisRow = ReturnType<Services['programme']['basis']>['dispositions'][number]

/** The dispositions a figure counts, one row each (with its id, for a link from elsewhere). */
function BasisDispositions({ lang, rows }: { lang: Lang; rows: BasisRow[] }) {
  const head = [
    '#',
    w(lang, 'project'),
    w(lang, 'creditCode'),
    w(lang, 'disposition'),
    w(lang, 'completedOn'),
    w(lang, 'energy'),
    w(lang, 'water'),
    w(lang, 'land'),
    w(lang, 'jobs'),
    w(lang, 'verified'),
    w(lang, 'evidence'),
  ]
  return (
    <table id="basis-dispositions">
      <thead>
        <tr>
          {head.map((h, i) => (
            <th scope="col" class={i >= 5 && i <= 8 ? 'num' : undefined}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr data-disposition={d.id}>
            <td>{d.id}</td>
            <td>
              <a href={`/programme/project?id=${d.projectId}&lang=${lang}`}>#{d.projectId}</a>
            </td>
            <td>
              <code>{d.creditCode}</code>
            </td>
            <td>{kindLabel(lang, d.kind)}</td>
            <td>{d.completedOn ?? '—'}</td>
            <td class="num">{grouped(d.energyFreedTce)}</td>
            <td class="num">{grouped(d.waterFreedM3)}</td>
            <td class="num">{grouped(d.landFreedMu)}</td>
            <td class="num">{num(d.jobsReduced)}</td>
            <td>{d.verifiedOn ?? '—'}</td>
            <td>
              <Data>{d.evidence}</Data>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The records behind one target figure: each disposition or project it counts, with what it freed. */
export function BasisPage(props: {
  lang: Lang
  who?: Principal
  basis: ReturnType<Services['programme']['basis']>
}) {
  const { lang, basis: b } = props
  const f = b.figure
  return (
    <Layout
      lang={lang}
      title={`${f.label} · ${f.value === null ? '—' : grouped(f.value)} ${f.unit}`}
      heading={
        <>
          <Data>{f.label}</Data> · {f.value === null ? '—' : grouped(f.value)} <Data>{f.unit}</Data>
        </>
      }
      path="/programme/basis"
      loggedIn={true}
      who={props.who}
    >
      <p>
        {b.county ? countyLabel(lang, b.county) : w(lang, 'basisCity')} · {w(lang, 'asOf')} {b.asOf}{' '}
        · <Data>{f.note}</Data>
      </p>
      {b.dispositions.length > 0 && <BasisDispositions lang={lang} rows={b.dispositions} />}
      {b.projects.length > 0 && (
        <Table
          id="basis-projects"
          head={['#', w(lang, 'county'), w(lang, 'name'), w(lang, 'cluster'), w(lang, 'endsOn')]}
          rows={b.projects.map((p) => [
            <a href={`/programme/project?id=${p.id}&lang=${lang}`}>#{p.id}</a>,
            countyLabel(lang, p.county),
            <Data>{p.name}</Data>,
            p.cluster ? <Data>{p.cluster}</Data> : '—',
            p.clusterBuiltOn ?? '—',
          ])}
        />
      )}
    </Layout>
  )
}

/** The report, its CSV and the basis of a figure, for whoever may read the programme of that county. */
export function registerReportPages(app: PageApp, { services, who }: PageDeps) {
  app.get('/programme/basis', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const query = c.req.query('asOf')
    const asOf = query && /^\d{4}-\d{2}-\d{2}$/.test(query) ? query : undefined
    try {
      await services.programme.ready(who(c), asOf)
      const basis = services.programme.basis(who(c), c.req.query('metric') ?? '', {
        county: c.req.query('county'),
        asOf,
      })
      return c.html(<BasisPage lang={lang} who={who(c)} basis={basis} />)
    } catch (e) {
      return problemText(c, e, who(c))
    }
  })

  app.get('/programme/report', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    try {
      // Without a county or quarter, a county's own report of the latest quarter due so far.
      const report = services.programme.report(
        p,
        c.req.query('county') || ownCounty(p) || '',
        c.req.query('quarter') || services.programme.quartersSoFar().at(-1) || '',
      )
      return c.html(
        <ReportPage
          lang={lang}
          who={who(c)!}
          report={report}
          quarters={services.programme.quartersSoFar()}
        />,
      )
    } catch (e) {
      return problemText(c, e, p)
    }
  })

  app.get('/programme/report.csv', (c) => {
    const p = who(c)
    const county = c.req.query('county') ?? ''
    const quarter = c.req.query('quarter') ?? ''
    try {
      const csv = services.programme.reportCsv(p, county, quarter)
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="report-${county}-${quarter}.csv"`,
      })
    } catch (e) {
      return problemText(c, e, who(c))
    }
  })
}
