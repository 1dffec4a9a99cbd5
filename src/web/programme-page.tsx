/** @jsxImportSource hono/jsx */
/**
 * The programme page (整治提升 / 腾笼换鸟): targets against progress measured from the records, per county, the
 * monthly tracking chart, list and report deadlines (late and missing ones flagged, reports downloadable), and the
 * fund's allocation (fixed, or a preview until it is fixed). Everything shown comes from ProgrammeService.
 * @module web/programme-page
 */
import { can, inScope, ownCounty } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import type { MonthRow, TargetFigure } from '../programme/measure.ts'
import { type Lang, phrases, t } from './i18n.ts'
import { grouped, inBeijing, num, pct, yuan } from './kit/format.ts'
import { countyLabel, kindLabel, statusLabel } from './kit/labels.ts'
import { Badge, Chart, Data, Table } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import { ProjectForm } from './project-form.tsx'

const say = phrases({
  target: { zh: '目标', en: 'Target' },
  measured: { zh: '已完成', en: 'Measured' },
  goal: { zh: '目标值', en: 'Target value' },
  share: { zh: '完成比例', en: 'Share done' },
  basis: { zh: '依据', en: 'Basis' },
  records: { zh: '条记录', en: 'records' },
  county: { zh: '县（市、区）', en: 'County' },
  upgraded: { zh: '改造提升+整治规范（累计）', en: 'Upgraded + compliance (cumulative)' },
  closed: { zh: '淘汰关停（累计）', en: 'Closed (cumulative)' },
  firms: { zh: '企业数（家）', en: 'Firms' },
  month: { zh: '月份', en: 'Month' },
  gain: { zh: '比2014年提高', en: 'gain over 2014' },
})
const STATE_LABEL: Record<string, { zh: string; en: string }> = {
  on_time: { zh: '按时', en: 'On time' },
  late: { zh: '逾期报送', en: 'Late' },
  missing: { zh: '未报送', en: 'Missing' },
  pending: { zh: '未到期', en: 'Not yet due' },
}
export const stateOf = (lang: Lang, s: string) => STATE_LABEL[s]?.[lang] ?? statusLabel(lang, s)

/** A target's value as people read it: a gain as a percentage, counts with 千分位 and the unit. */
export function figureText(lang: Lang, f: { metric: string; value: string | null; unit: string }) {
  if (f.value === null) return '—'
  if (f.metric === 'labour_productivity_gain') return pct(Number(f.value))
  return `${grouped(f.value)} ${lang === 'zh' ? f.unit : ''}`.trim()
}

function goalText(lang: Lang, f: TargetFigure) {
  if (f.metric === 'labour_productivity_gain') return `${pct(f.target)}（${say(lang, 'gain')}）`
  return `${num(f.target, 2)} ${lang === 'zh' ? f.unit : ''}`.trim()
}

/** The targets table: each target, the value measured from the records, its share done, and what it counts. */
export function TargetsTable(props: { lang: Lang; figures: TargetFigure[]; asOf: string }) {
  const { lang, asOf } = props
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{say(lang, 'target')}</th>
          <th scope="col" class="num">
            {say(lang, 'measured')}
          </th>
          <th scope="col" class="num">
            {say(lang, 'goal')}
          </th>
          <th scope="col">{say(lang, 'share')}</th>
          <th scope="col">{say(lang, 'basis')}</th>
        </tr>
      </thead>
      <tbody>
        {props.figures.map((f) => {
          const share = f.ratio === null ? 0 : Math.max(0, Math.min(100, f.ratio * 100))
          const n =
            'dispositions' in f.basis ? f.basis.dispositions.length + f.basis.projects.length : null
          return (
            <tr data-metric={f.metric}>
              <td>
                <Data>{f.label}</Data>
              </td>
              <td class="num" data-value={f.value ?? ''}>
                {figureText(lang, f)}
              </td>
              <td class="num">{goalText(lang, f)}</td>
              <td>
                <div class="bar" title={f.ratio === null ? '—' : pct(f.ratio)}>
                  <i style={`width:${share.toFixed(1)}%`} />
                </div>
                <small>{f.ratio === null ? '—' : pct(f.ratio)}</small>
              </td>
              <td>
                {n !== null ? (
                  <a
                    class="basis"
                    href={`/programme/basis?metric=${f.metric}&asOf=${asOf}&lang=${lang}`}
                  >
                    {num(n, 0)} {say(lang, 'records')}
                  </a>
                ) : 'baseYear' in f.basis ? (
                  lang === 'zh' ? (
                    `规上企业工业增加值 ÷ 年平均职工人数，${f.basis.year} 年比 ${f.basis.baseYear} 年`
                  ) : (
                    `above-scale value added ÷ average employees, ${f.basis.year} over ${f.basis.baseYear}`
                  )
                ) : (
                  <Data>{f.note}</Data>
                )}
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** Cumulative upgrades and compliance, and closures, month by month (an ECharts line chart). */
export function MonthlyChart(props: { months: MonthRow[]; lang: Lang; id?: string }) {
  const { months, lang } = props
  if (months.length === 0) return <p>—</p>
  return (
    <Chart
      id={props.id ?? 'monthly-chart'}
      spec={{
        title: t(lang, 'tracking'),
        kind: 'line',
        // One label a year (January), so twelve labels a year do not run into each other.
        categories: months.map((m) => (m.month.endsWith('-01') ? m.month.slice(0, 4) : '')),
        categoryAxis: say(lang, 'month'),
        valueAxis: say(lang, 'firms'),
        height: 300,
        series: [
          {
            name: say(lang, 'upgraded'),
            data: months.map((m) => m.cumulative.upgraded + m.cumulative.compliance),
          },
          {
            name: say(lang, 'closed'),
            data: months.map((m) => m.cumulative.closed),
            color: '#c62828',
          },
        ],
      }}
    />
  )
}

const METRICS = [
  'enterprises_upgraded',
  'enterprises_closed',
  'energy_freed_tce',
  'land_freed_mu',
  'jobs_reduced',
]

/** Each county's figures for the targets counted in firms, energy, land and jobs. */
export function CountyTable(props: {
  lang: Lang
  progress: ReturnType<Services['programme']['progress']>
}) {
  const { progress, lang } = props
  const heads = progress.city.filter((f) => METRICS.includes(f.metric))
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{say(lang, 'county')}</th>
          {heads.map((f) => (
            <th scope="col" class="num">
              <Data>
                {f.label}（{f.unit}）
              </Data>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {progress.counties.map((c) => (
          <tr data-county={c.county}>
            <td>{countyLabel(lang, c.county)}</td>
            {c.figures
              .filter((f) => METRICS.includes(f.metric))
              .map((f) => (
                <td class="num">{f.value === null ? '—' : grouped(f.value)}</td>
              ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

const QUARTER = /^\d{4}Q[1-4]$/

function programmeView(props: {
  lang: Lang
  services: Services
  who: Principal
  quarter?: string
  fundYear?: number
  /** The county whose monthly series is shown beside the city's (a county sees its own). */
  county?: string
  /** What the last form did, or why it was refused. */
  message?: string
}) {
  const { lang, services, who } = props
  const { programme } = services
  const progress = programme.progress(who)
  const quarters = programme.quartersSoFar()
  const quarter =
    props.quarter && QUARTER.test(props.quarter) && quarters.includes(props.quarter)
      ? props.quarter
      : quarters.at(-1)
  const reports = quarter ? programme.reportStates(who, quarter) : []
  const years = programme.programmeYears()
  const fundYear = props.fundYear && years.includes(props.fundYear) ? props.fundYear : years.at(-1)
  let fund:
    | { fixed: boolean; note: string; allocation: ReturnType<typeof programme.fundPreview> }
    | undefined
  if (fundYear !== undefined) {
    try {
      const f = programme.fund(who, fundYear)
      fund = {
        fixed: true,
        note: `${lang === 'zh' ? '已定案' : 'Fixed'} ${inBeijing(lang, f.fixedAt)} · ${f.fixedBy}`,
        allocation: f.allocation as never,
      }
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e
      fund = {
        fixed: false,
        note: lang === 'zh' ? '预览（尚未定案）' : 'Preview (not fixed yet)',
        allocation: programme.fundPreview(who, fundYear),
      }
    }
  }
  const flagged = progress.lists.filter((l) => l.status !== 'on_time')
  const projects = programme.listProjects(who, {})
  const chosen = progress.counties.find((c) => c.county === (ownCounty(who) ?? props.county))
  return {
    props,
    chosen,
    flagged,
    fund,
    fundYear,
    lang,
    programme,
    progress,
    projects,
    quarter,
    quarters,
    reports,
    services,
    who,
    years,
  }
}

type ProgrammeView = ReturnType<typeof programmeView>

/** The projects, and the form a county registers one with. */
function ProjectsSection({ v }: { v: ProgrammeView }) {
  const { lang, programme, projects, who, props } = v
  return (
    <section id="projects">
      <h2>{lang === 'zh' ? '整治提升项目' : 'Projects'}</h2>
      {can(who, 'programme.write') && ownCounty(who) !== undefined && (
        <p>
          <a id="new-project" href={`/programme/project/new?lang=${lang}`}>
            {lang === 'zh' ? '登记整治提升项目' : 'Register a rectification project'}
          </a>
        </p>
      )}
      {props.message && <p id="message">{props.message}</p>}
      {can(who, 'programme.write') && ownCounty(who) !== undefined && (
        <ProjectForm lang={lang} who={who} years={programme.programmeYears()} />
      )}
      <Table
        id="project-list"
        head={[
          lang === 'zh' ? '编号' : 'No.',
          lang === 'zh' ? '年度' : 'Year',
          lang === 'zh' ? '县（市、区）' : 'County',
          lang === 'zh' ? '项目名称' : 'Name',
          lang === 'zh' ? '类型' : 'Kind',
          lang === 'zh' ? '状态' : 'Status',
        ]}
        rows={projects.map((x) => [
          <a href={`/programme/project?id=${x.id}&lang=${lang}`} data-project={x.id}>
            #{x.id}
          </a>,
          String(x.year),
          countyLabel(lang, x.county),
          <Data>{x.name}</Data>,
          kindLabel(lang, x.kind),
          <Badge lang={lang} status={x.status} />,
        ])}
      />
    </section>
  )
}

/** The quarterly reports of a quarter, per county, with links to each one its reader may open. */
function ReportsSection({ v }: { v: ProgrammeView }) {
  const { lang, quarter, quarters, reports, who } = v
  return (
    <section id="reports">
      <h2>
        {t(lang, 'reports')} {quarter ?? ''}
      </h2>
      <form method="get" action="/programme">
        <input type="hidden" name="lang" value={lang} />
        <select name="quarter" id="quarter">
          {quarters.map((q) => (
            <option value={q} selected={q === quarter}>
              {q}
            </option>
          ))}
        </select>
        <button type="submit">{lang === 'zh' ? '查看' : 'Show'}</button>
      </form>
      <table>
        <thead>
          <tr>
            <th scope="col">{lang === 'zh' ? '县（市、区）' : 'County'}</th>
            <th scope="col">{lang === 'zh' ? '状态' : 'State'}</th>
            <th scope="col">{lang === 'zh' ? '截止日期' : 'Due'}</th>
            <th scope="col">{lang === 'zh' ? '首次报送' : 'First submitted'}</th>
            <th scope="col">{lang === 'zh' ? '下载' : 'Download'}</th>
          </tr>
        </thead>
        <tbody>
          {reports.map((r) => (
            <tr class={`state-${r.state}`} data-county={r.county}>
              <td>
                {inScope(who, { county: r.county }) ? (
                  <a
                    class="report"
                    href={`/programme/report?county=${r.county}&quarter=${quarter}&lang=${lang}`}
                  >
                    {countyLabel(lang, r.county)}
                  </a>
                ) : (
                  countyLabel(lang, r.county)
                )}
              </td>
              <td>
                <span class={`badge st-${r.state}`}>{stateOf(lang, r.state)}</span>
              </td>
              <td>{r.due}</td>
              <td>{r.firstSubmittedOn ?? '—'}</td>
              <td>
                {inScope(who, { county: r.county }) ? (
                  <a
                    class="download"
                    href={`/programme/report.csv?county=${r.county}&quarter=${quarter}`}
                  >
                    CSV
                  </a>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}

/** A fund criterion's value: the share of dispositions done as a percentage, the rest as grouped numbers. */
function criterionText(metric: string | undefined, value: unknown): string {
  if (metric === 'progress') return pct(Number(value))
  const v = String(value)
  return /^-?\d+\.\d{5,}$/.test(v) ? num(v, 2) : grouped(v)
}

/** The fund allocation of a year: fixed, or a preview until it is. */
function FundSection({ v }: { v: ProgrammeView }) {
  const { fund, fundYear, lang } = v
  if (!fund) return ''
  return (
    <section id="fund">
      <h2>
        {t(lang, 'fund')} {fundYear} · {yuan(fund.allocation.amount, lang)}
      </h2>
      <p id="fund-status">
        <span class={`badge st-${fund.fixed ? 'done' : 'pending'}`}>{fund.note}</span>
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">{lang === 'zh' ? '县（市、区）' : 'County'}</th>
            {fund.allocation.criteria.map((c) => (
              <th scope="col" class="num">
                <Data>{c.label}</Data>
                {lang === 'zh' ? `（权重 ${pct(c.weight, 0)}）` : ` (weight ${pct(c.weight, 0)})`}
              </th>
            ))}
            <th scope="col" class="num">
              {lang === 'zh' ? '综合份额' : 'Share'}
            </th>
            <th scope="col" class="num">
              {lang === 'zh' ? '分配金额' : 'Allocated'}
            </th>
          </tr>
        </thead>
        <tbody>
          {fund.allocation.counties.map((c) => (
            <tr data-county={c.county}>
              <td>{countyLabel(lang, c.county)}</td>
              {c.criteria.map((x, i) => (
                <td class="num">{criterionText(fund.allocation.criteria[i]?.metric, x.value)}</td>
              ))}
              <td class="num">{pct(Number(c.score), 2)}</td>
              <td class="num allocated">{yuan(c.allocated, lang)}</td>
            </tr>
          ))}
          <tr>
            <th scope="row">{lang === 'zh' ? '合计' : 'Total'}</th>
            {fund.allocation.criteria.map((c) => (
              <td class="num">{c.metric === 'progress' ? '' : criterionText(c.metric, c.total)}</td>
            ))}
            <td />
            <td class="num" id="fund-total">
              {yuan(fund.allocation.total, lang)}
            </td>
          </tr>
        </tbody>
      </table>
    </section>
  )
}

export function ProgrammePage(props: {
  lang: Lang
  services: Services
  who: Principal
  quarter?: string
  fundYear?: number
  /** The county whose monthly series is shown beside the city's (a county sees its own). */
  county?: string
  /** What the last form did, or why it was refused. */
  message?: string
}) {
  const v = programmeView(props)
  const { chosen, flagged, fund, lang, progress, who } = v

  return (
    <Layout lang={lang} title={t(lang, 'programme')} path="/programme" loggedIn={true} who={who}>
      <p>
        {t(lang, 'fromRecords')} · {lang === 'zh' ? '截至' : 'as of'} {progress.asOf}
      </p>
      <section id="targets">
        <h2>{t(lang, 'targets')}</h2>
        <TargetsTable lang={lang} figures={progress.city} asOf={progress.asOf} />
      </section>
      <section id="counties">
        <h2>{t(lang, 'byCounty')}</h2>
        <CountyTable lang={lang} progress={progress} />
      </section>
      <section id="monthly">
        <h2>{t(lang, 'tracking')}</h2>
        <MonthlyChart months={progress.months} lang={lang} />
        <form method="get" action="/programme">
          <input type="hidden" name="lang" value={lang} />
          <select name="county" id="county">
            {progress.counties
              .filter((c) => inScope(who, { county: c.county }))
              .map((c) => (
                <option value={c.county} selected={c.county === chosen?.county}>
                  {countyLabel(lang, c.county)}
                </option>
              ))}
          </select>
          <button type="submit">{lang === 'zh' ? '查看' : 'Show'}</button>
        </form>
        {chosen && (
          <>
            <h3 id="county-chart-title">{countyLabel(lang, chosen.county)}</h3>
            <MonthlyChart months={chosen.months} lang={lang} id="county-chart" />
          </>
        )}
      </section>
      <ProjectsSection v={v} />
      <section id="deadlines">
        <h2>{t(lang, 'deadlines')}</h2>
        <Table
          head={[
            lang === 'zh' ? '年度' : 'Year',
            lang === 'zh' ? '县（市、区）' : 'County',
            lang === 'zh' ? '状态' : 'State',
            lang === 'zh' ? '截止日期' : 'Due',
          ]}
          empty={lang === 'zh' ? '均按时报送' : 'All filed on time'}
          rows={flagged.map((l) => [
            String(l.year),
            countyLabel(lang, l.county),
            <span class={`badge st-${l.status}`}>{stateOf(lang, l.status)}</span>,
            l.due,
          ])}
        />
      </section>
      <ReportsSection v={v} />
      {fund && <FundSection v={v} />}
    </Layout>
  )
}
