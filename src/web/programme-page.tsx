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
import { type Lang, t } from './i18n.ts'
import { CsrfField, Layout } from './layout.tsx'

const STATE_LABEL: Record<string, { zh: string; en: string }> = {
  on_time: { zh: '按时', en: 'on time' },
  late: { zh: '逾期报送', en: 'late' },
  missing: { zh: '未报送', en: 'missing' },
  pending: { zh: '未到期', en: 'not yet due' },
}
export const stateOf = (lang: Lang, s: string) => STATE_LABEL[s]?.[lang] ?? s

/** The targets table: each target, the value measured from the records, a bar, and what it counts. */
export function TargetsTable(props: { lang: Lang; figures: TargetFigure[]; asOf: string }) {
  const { lang, asOf } = props
  return (
    <table>
      {props.figures.map((f) => {
        const pct = f.ratio === null ? 0 : Math.max(0, Math.min(100, f.ratio * 100))
        const n =
          'dispositions' in f.basis ? f.basis.dispositions.length + f.basis.projects.length : null
        return (
          <tr data-metric={f.metric}>
            <td>{f.label}</td>
            <td class="num">{f.value ?? '—'}</td>
            <td class="num">
              / {f.target} {f.unit}
            </td>
            <td>
              <div class="bar">
                <i style={`width:${pct.toFixed(1)}%`} />
              </div>
            </td>
            <td>
              {n !== null ? (
                <a
                  class="basis"
                  href={`/programme/basis?metric=${f.metric}&asOf=${asOf}&lang=${lang}`}
                >
                  {lang === 'zh' ? `${n} 条记录` : `${n} records`}
                </a>
              ) : (
                f.note
              )}
            </td>
          </tr>
        )
      })}
    </table>
  )
}

/** Cumulative upgrades and compliance, and closures, month by month. */
export function MonthlyChart(props: { months: MonthRow[]; lang: Lang; id?: string }) {
  const { months, lang } = props
  if (months.length === 0) return <p>—</p>
  const W = 900
  const H = 220
  const left = 50
  const top = 10
  const series = [
    {
      key: 'upgraded',
      label: lang === 'zh' ? '改造提升+整治规范' : 'upgraded + compliance',
      colour: '#2a6fd6',
      of: (m: MonthRow) => m.cumulative.upgraded + m.cumulative.compliance,
    },
    {
      key: 'closed',
      label: lang === 'zh' ? '淘汰关停' : 'closed',
      colour: '#c62828',
      of: (m: MonthRow) => m.cumulative.closed,
    },
  ]
  const max = Math.max(1, ...months.flatMap((m) => series.map((s) => s.of(m))))
  const x = (i: number) => left + (i / Math.max(1, months.length - 1)) * (W - left - 20)
  const y = (v: number) => top + (1 - v / max) * (H - top - 30)
  return (
    <svg id={props.id ?? 'monthly-chart'} width={W} height={H + 20} role="img">
      <title>{t(lang, 'tracking')}</title>
      <line x1={left} y1={y(0)} x2={W - 20} y2={y(0)} stroke="#999" />
      <text x="0" y={y(max) + 4} font-size="11">
        {max}
      </text>
      <text x="0" y={y(0) + 4} font-size="11">
        0
      </text>
      {months.map((m, i) =>
        m.month.endsWith('-01') ? (
          <text x={x(i) - 14} y={H} font-size="11">
            {m.month.slice(0, 4)}
          </text>
        ) : null,
      )}
      {series.map((s, k) => (
        <g>
          <polyline
            data-series={s.key}
            fill="none"
            stroke={s.colour}
            stroke-width="2"
            points={months.map((m, i) => `${x(i).toFixed(1)},${y(s.of(m)).toFixed(1)}`).join(' ')}
          />
          <text x={left + 10 + k * 200} y={H + 16} font-size="12" fill={s.colour}>
            {s.label}
          </text>
        </g>
      ))}
    </svg>
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
export function CountyTable(props: { progress: ReturnType<Services['programme']['progress']> }) {
  const { progress } = props
  const metrics = METRICS
  return (
    <table>
      <tr>
        <th />
        {progress.city
          .filter((f) => metrics.includes(f.metric))
          .map((f) => (
            <th class="num">{f.label}</th>
          ))}
      </tr>
      {progress.counties.map((c) => (
        <tr data-county={c.county}>
          <td>{c.name}</td>
          {c.figures
            .filter((f) => metrics.includes(f.metric))
            .map((f) => (
              <td class="num">{f.value ?? '—'}</td>
            ))}
        </tr>
      ))}
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
        note: `${lang === 'zh' ? '已定案' : 'fixed'} ${f.fixedAt.slice(0, 10)} · ${f.fixedBy}`,
        allocation: f.allocation as never,
      }
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e
      fund = {
        fixed: false,
        note: lang === 'zh' ? '预览（尚未定案）' : 'preview (not fixed yet)',
        allocation: programme.fundPreview(who, fundYear),
      }
    }
  }
  const flagged = progress.lists.filter((l) => l.status !== 'on_time')
  const projects = programme.listProjects(who, {})
  const countyName = (code: string) =>
    services.rulebooks.active().rulebook.meta.counties.find((c) => c.code === code)?.name ?? code
  const chosen = progress.counties.find((c) => c.county === (ownCounty(who) ?? props.county))
  return {
    props,
    chosen,
    countyName,
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
  const { countyName, lang, programme, projects, who, props } = v
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
        <form id="register" method="post" action={`/programme/project?lang=${lang}`}>
          <CsrfField who={who} />
          <input type="hidden" name="county" value={who.scope} />
          <label>
            <span>{lang === 'zh' ? '年度' : 'year'}</span>
            <select name="year">
              {programme.programmeYears().map((y) => (
                <option value={String(y)}>{y}</option>
              ))}
            </select>
          </label>
          <label>
            <span>{lang === 'zh' ? '类型' : 'kind'}</span>
            <select name="kind">
              <option value="sector">{lang === 'zh' ? '行业' : 'sector'}</option>
              <option value="block">{lang === 'zh' ? '区块' : 'block'}</option>
            </select>
          </label>
          {(
            [
              ['name', lang === 'zh' ? '项目名称' : 'name', 'text'],
              ['township', lang === 'zh' ? '乡镇（街道）' : 'township', 'text'],
              ['startsOn', lang === 'zh' ? '开始日期' : 'starts on', 'date'],
              ['endsOn', lang === 'zh' ? '结束日期' : 'ends on', 'date'],
              ['cluster', lang === 'zh' ? '新建集聚区（如有）' : 'new cluster (if any)', 'text'],
              [
                'filedOn',
                lang === 'zh' ? '报送市腾换办日期（补录时填写）' : 'filed on (if before today)',
                'date',
              ],
              ['historicReason', lang === 'zh' ? '补录说明' : 'why recorded late', 'text'],
            ] as const
          ).map(([name, label, type]) => (
            <label>
              <span>{label}</span>
              <input name={name} type={type} />
            </label>
          ))}
          <button type="submit">{lang === 'zh' ? '登记项目' : 'Register'}</button>
        </form>
      )}
      <table>
        {projects.map((x) => (
          <tr data-project={x.id}>
            <td>
              <a href={`/programme/project?id=${x.id}&lang=${lang}`}>#{x.id}</a>
            </td>
            <td>{x.year}</td>
            <td>{countyName(x.county)}</td>
            <td>{x.name}</td>
            <td>{x.status}</td>
          </tr>
        ))}
      </table>
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
        {reports.map((r) => (
          <tr class={`state-${r.state}`} data-county={r.county}>
            <td>
              {inScope(who, { county: r.county }) ? (
                <a
                  class="report"
                  href={`/programme/report?county=${r.county}&quarter=${quarter}&lang=${lang}`}
                >
                  {r.name}
                </a>
              ) : (
                r.name
              )}
            </td>
            <td>{stateOf(lang, r.state)}</td>
            <td>
              {lang === 'zh' ? '截止' : 'due'} {r.due}
            </td>
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
      </table>
    </section>
  )
}

/** The fund allocation of a year: fixed, or a preview until it is. */
function FundSection({ v }: { v: ProgrammeView }) {
  const { fund, fundYear, lang } = v
  if (!fund) return ''
  return (
    <section id="fund">
      <h2>
        {t(lang, 'fund')} {fundYear} · {fund.allocation.amount} 元
      </h2>
      <p id="fund-status">{fund.note}</p>
      <table>
        <tr>
          <th />
          {fund.allocation.criteria.map((c) => (
            <th class="num">
              {c.label} ({c.weight})
            </th>
          ))}
          <th class="num">{lang === 'zh' ? '得分' : 'score'}</th>
          <th class="num">{lang === 'zh' ? '分配（元）' : 'allocated (yuan)'}</th>
        </tr>
        {fund.allocation.counties.map((c) => (
          <tr data-county={c.county}>
            <td>{c.name}</td>
            {c.criteria.map((x) => (
              <td class="num">{x.value}</td>
            ))}
            <td class="num">{Number(c.score).toFixed(4)}</td>
            <td class="num allocated">{c.allocated}</td>
          </tr>
        ))}
        <tr>
          <td>{lang === 'zh' ? '合计' : 'total'}</td>
          {fund.allocation.criteria.map((c) => (
            <td class="num">{c.total}</td>
          ))}
          <td />
          <td class="num" id="fund-total">
            {fund.allocation.total}
          </td>
        </tr>
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
  const { chosen, flagged, fund, lang, progress, services, who } = v

  return (
    <Layout lang={lang} title={t(lang, 'programme')} path="/programme" loggedIn={true} who={who}>
      <p>
        {t(lang, 'fromRecords')} · {progress.asOf}
      </p>
      <section id="targets">
        <h2>{t(lang, 'targets')}</h2>
        <TargetsTable lang={lang} figures={progress.city} asOf={progress.asOf} />
      </section>
      <section id="counties">
        <h2>{t(lang, 'byCounty')}</h2>
        <CountyTable progress={progress} />
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
                  {c.name}
                </option>
              ))}
          </select>
          <button type="submit">{lang === 'zh' ? '查看' : 'Show'}</button>
        </form>
        {chosen && (
          <>
            <h3 id="county-chart-title">{chosen.name}</h3>
            <MonthlyChart months={chosen.months} lang={lang} id="county-chart" />
          </>
        )}
      </section>
      <ProjectsSection v={v} />
      <section id="deadlines">
        <h2>{t(lang, 'deadlines')}</h2>
        <table>
          {flagged.length === 0 ? (
            <tr>
              <td>{lang === 'zh' ? '均按时报送' : 'all filed on time'}</td>
            </tr>
          ) : (
            flagged.map((l) => (
              <tr class={`state-${l.status}`}>
                <td>{l.year}</td>
                <td>
                  {
                    services.rulebooks
                      .active()
                      .rulebook.meta.counties.find((c) => c.code === l.county)?.name
                  }
                </td>
                <td>{stateOf(lang, l.status)}</td>
                <td>
                  {lang === 'zh' ? '截止' : 'due'} {l.due}
                </td>
              </tr>
            ))
          )}
        </table>
      </section>
      <ReportsSection v={v} />
      {fund && <FundSection v={v} />}
    </Layout>
  )
}
