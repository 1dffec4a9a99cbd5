import type { Services } from '../app/services.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { Layout } from './layout.tsx'
import { type PageApp, type PageDeps, problemText } from './page-kit.ts'
import { stateOf } from './programme-page.tsx'

/** A county's quarterly report as a page: the months as bars and a table, its projects, what is overdue. */
export function ReportPage(props: {
  lang: Lang
  report: ReturnType<Services['programme']['report']>
}) {
  const { lang, report: r } = props
  const months = r.report.months
  const kinds = [
    { key: 'upgraded' as const, label: lang === 'zh' ? '改造提升' : 'upgraded', colour: '#2a6fd6' },
    {
      key: 'compliance' as const,
      label: lang === 'zh' ? '整治规范' : 'compliance',
      colour: '#1a7f37',
    },
    { key: 'closed' as const, label: lang === 'zh' ? '淘汰关停' : 'closed', colour: '#c62828' },
  ]
  const max = Math.max(1, ...months.map((m) => m.upgraded + m.compliance + m.closed))
  const title = `${r.name} ${r.quarter} ${t(lang, 'reports')}`
  return (
    <Layout lang={lang} title={title} path="/programme/report" loggedIn={true}>
      <p id="report-state">
        {stateOf(lang, r.state)} · {lang === 'zh' ? '截止' : 'due'} {r.due} ·{' '}
        {r.submissions.map((s) => `#${s.seq} ${s.submittedOn}`).join(', ') || '—'} ·{' '}
        <a class="download" href={`/programme/report.csv?county=${r.county}&quarter=${r.quarter}`}>
          CSV
        </a>
      </p>
      <svg id="report-chart" width="600" height="190" role="img">
        <title>{title}</title>
        {months.map((m, i) => {
          let y = 160
          return (
            <g data-month={m.month}>
              {kinds.map((k) => {
                const h = (m[k.key] / max) * 140
                y -= h
                return (
                  <rect x={40 + i * 180} y={y} width="120" height={h} fill={k.colour}>
                    <title>{`${k.label} ${m[k.key]}`}</title>
                  </rect>
                )
              })}
              <text x={40 + i * 180} y="178" font-size="12">
                {m.month} · {m.upgraded + m.compliance + m.closed}
              </text>
            </g>
          )
        })}
      </svg>
      <table id="report-months">
        <tr>
          <th />
          {kinds.map((k) => (
            <th class="num">{k.label}</th>
          ))}
          <th class="num">{lang === 'zh' ? '腾出用能' : 'energy freed'}</th>
          <th class="num">{lang === 'zh' ? '盘活土地' : 'land freed'}</th>
          <th class="num">{lang === 'zh' ? '减少用工' : 'jobs'}</th>
        </tr>
        {months.map((m) => (
          <tr data-month={m.month}>
            <td>{m.month}</td>
            <td class="num">{m.upgraded}</td>
            <td class="num">{m.compliance}</td>
            <td class="num">{m.closed}</td>
            <td class="num">{m.energyFreedTce}</td>
            <td class="num">{m.landFreedMu}</td>
            <td class="num">{m.jobsReduced}</td>
          </tr>
        ))}
      </table>
      <h2>{lang === 'zh' ? '项目' : 'Projects'}</h2>
      <table id="report-projects">
        {r.report.projects.map((p) => (
          <tr>
            <td>#{p.id}</td>
            <td>{p.name}</td>
            <td class="num">
              {lang === 'zh' ? '已完成' : 'done'} {p.dispositions.done}
            </td>
            <td class="num">
              {lang === 'zh' ? '实施中' : 'in progress'} {p.dispositions.in_progress}
            </td>
            <td class="num">
              {lang === 'zh' ? '计划' : 'planned'} {p.dispositions.planned}
            </td>
          </tr>
        ))}
      </table>
      <h2>{lang === 'zh' ? '逾期处置' : 'Overdue dispositions'}</h2>
      <table id="report-overdue">
        {r.report.overdue.map((o) => (
          <tr>
            <td>#{o.dispositionId}</td>
            <td>{o.creditCode}</td>
            <td>{o.kind}</td>
            <td>{o.deadline}</td>
            <td>{o.status}</td>
          </tr>
        ))}
      </table>
    </Layout>
  )
}

/** The records behind one target figure: each disposition or project it counts, with what it freed. */
export function BasisPage(props: {
  lang: Lang
  basis: ReturnType<Services['programme']['basis']>
}) {
  const { lang, basis: b } = props
  const f = b.figure
  return (
    <Layout
      lang={lang}
      title={`${f.label} · ${f.value ?? '—'} ${f.unit}`}
      path="/programme/basis"
      loggedIn={true}
    >
      <p>
        {b.county ?? (lang === 'zh' ? '全市' : 'the city')} · {b.asOf} · {f.note}
      </p>
      {b.dispositions.length > 0 && (
        <table id="basis-dispositions">
          <tr>
            <th>#</th>
            <th>{lang === 'zh' ? '项目' : 'project'}</th>
            <th>{lang === 'zh' ? '统一社会信用代码' : 'credit code'}</th>
            <th>{lang === 'zh' ? '处置' : 'kind'}</th>
            <th>{lang === 'zh' ? '完成日期' : 'done on'}</th>
            <th class="num">{lang === 'zh' ? '腾出用能' : 'energy'}</th>
            <th class="num">{lang === 'zh' ? '腾出用水' : 'water'}</th>
            <th class="num">{lang === 'zh' ? '盘活土地' : 'land'}</th>
            <th class="num">{lang === 'zh' ? '减少用工' : 'jobs'}</th>
            <th>{lang === 'zh' ? '核验' : 'verified'}</th>
            <th>{lang === 'zh' ? '佐证' : 'evidence'}</th>
          </tr>
          {b.dispositions.map((d) => (
            <tr data-disposition={d.id}>
              <td>{d.id}</td>
              <td>
                <a href={`/programme/project?id=${d.projectId}&lang=${lang}`}>#{d.projectId}</a>
              </td>
              <td>{d.creditCode}</td>
              <td>{d.kind}</td>
              <td>{d.completedOn}</td>
              <td class="num">{d.energyFreedTce}</td>
              <td class="num">{d.waterFreedM3}</td>
              <td class="num">{d.landFreedMu}</td>
              <td class="num">{d.jobsReduced}</td>
              <td>{d.verifiedOn ?? '—'}</td>
              <td>{d.evidence}</td>
            </tr>
          ))}
        </table>
      )}
      {b.projects.length > 0 && (
        <table id="basis-projects">
          {b.projects.map((p) => (
            <tr data-project={p.id}>
              <td>{p.id}</td>
              <td>{p.county}</td>
              <td>{p.name}</td>
              <td>{p.cluster}</td>
              <td>{p.clusterBuiltOn}</td>
            </tr>
          ))}
        </table>
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
      return c.html(<BasisPage lang={lang} basis={basis} />)
    } catch (e) {
      return problemText(c, e)
    }
  })

  app.get('/programme/report', (c) => {
    const lang = langOf(c.req.query('lang'))
    try {
      const report = services.programme.report(
        who(c),
        c.req.query('county') ?? '',
        c.req.query('quarter') ?? '',
      )
      return c.html(<ReportPage lang={lang} report={report} />)
    } catch (e) {
      return problemText(c, e)
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
      return problemText(c, e)
    }
  })
}
