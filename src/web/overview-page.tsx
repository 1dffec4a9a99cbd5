/** @jsxImportSource hono/jsx */
/**
 * The city overview: the latest evaluation's classes by county and sector, pending county overrides and what each
 * would change, the programme's targets and the deadlines not met.
 * @module web/overview-page
 */

import type { OverrideSummary } from '../app/overrides.ts'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import type { OverridePreview } from '../pricing/override-preview.ts'
import type { Principal } from '../principal.ts'
import { type Lang, langOf, phrases, t } from './i18n.ts'
import { inBeijing, num, yuan } from './kit/format.ts'
import { classLabel, countyLabel, resourceLabel } from './kit/labels.ts'
import { Badge, Chart, Data, Facts, Table } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import type { PageApp, PageDeps } from './page-kit.ts'
import { CountyTable, MonthlyChart, stateOf, TargetsTable } from './programme-page.tsx'
import { MoneySection } from './refunds-page.tsx'

export function registerOverviewPage(app: PageApp, { services, who }: PageDeps) {
  app.get('/overview', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'overview.read')) {
      return c.html(
        <Layout lang={lang} title={t(lang, 'overview')} path="/overview" loggedIn={!!p} who={p}>
          <p>
            <a href={`/login?lang=${lang}`}>{t(lang, 'needBureau')}</a>
          </p>
        </Layout>,
        p ? 403 : 401,
      )
    }
    // Previews re-rate a county twice each: computed off the request thread and kept while their data stay as
    // they are. The page waits for them a bounded time; one not ready yet is shown as being computed.
    const pending = can(p, 'override.read')
      ? services.overrides.list(p).filter((o) => PENDING.includes(o.status))
      : []
    const year = services.overview.latestPublished(p)?.year
    const previews = new Map<string, OverridePreview>()
    if (year !== undefined) {
      const all = Promise.allSettled(
        pending.map((o) => services.overrides.previewOffThread(p, o.id, year, 'county')),
      )
      let timer: NodeJS.Timeout | undefined
      await Promise.race([all, new Promise((r) => (timer = setTimeout(r, PREVIEW_WAIT_MS)))])
      clearTimeout(timer)
      for (const o of pending) {
        const pv = services.overrides.cachedPreview(o.id, year)
        if (pv) previews.set(o.id, pv)
      }
    }
    await services.programme.ready(p)
    return c.html(
      <Overview
        lang={lang}
        services={services}
        pending={pending}
        previews={year === undefined ? undefined : previews}
        who={p}
      />,
    )
  })
}

const COLOURS: Record<string, string> = {
  A: '#1a7f37',
  B: '#2f6fbd',
  C: '#e08a00',
  D: '#c62828',
  T: '#8a8a8a',
}

const say = phrases({
  firms: { zh: '企业数（家）', en: 'Firms' },
  county: { zh: '县（市、区）', en: 'County' },
  sector: { zh: '行业', en: 'Sector' },
  run: { zh: '评价', en: 'Evaluation' },
  year: { zh: '年度', en: 'Year' },
  publishedAt: { zh: '发布时间', en: 'Published at' },
  counts: { zh: '各类别企业数', en: 'Firms per class' },
  id: { zh: '措施编号', en: 'Override' },
  label: { zh: '名称', en: 'Name' },
  status: { zh: '状态', en: 'Status' },
  effect: { zh: '影响测算', en: 'Effect' },
  firmsAffected: { zh: '家企业受影响', en: 'firms affected' },
  noChange: { zh: '收入无变化', en: 'no change in revenue' },
  none: { zh: '暂无', en: 'None' },
  what: { zh: '事项', en: 'What' },
  state: { zh: '状态', en: 'State' },
  due: { zh: '截止日期', en: 'Due' },
  overdueN: { zh: '逾期未完成处置', en: 'Dispositions overdue' },
  pendingN: { zh: '未到期处置', en: 'Dispositions not yet due' },
  next: { zh: '最近期限', en: 'Next deadline' },
  list: { zh: '项目清单', en: 'project list' },
  report: { zh: '季报', en: 'quarterly report' },
})

/** Stacked bars of firms per class, one bar per county or sector (an ECharts chart with legend and axes). */
function Bars(p: {
  lang: Lang
  classes: string[]
  data: Map<string, Record<string, number>>
  label: (k: string) => string
  id: string
  title: string
  axis: string
}) {
  const entries = [...p.data.entries()].sort()
  if (entries.length === 0) return <p>—</p>
  return (
    <div id={p.id} data-bars={String(entries.length)} lang="zh-CN">
      <Chart
        spec={{
          title: p.title,
          horizontal: true,
          categories: entries.map(([k]) => p.label(k)),
          categoryAxis: p.axis,
          valueAxis: say(p.lang, 'firms'),
          series: p.classes.map((c) => ({
            name: classLabel(p.lang, c),
            data: entries.map(([, m]) => m[c] ?? 0),
            stack: 'classes',
            color: COLOURS[c],
          })),
        }}
      />
    </div>
  )
}

const PENDING = ['draft', 'submitted', 'approved']
/** How long the page waits for the previews of pending overrides before it shows those not ready as being computed. */
const PREVIEW_WAIT_MS = 2000

function Overview(props: {
  lang: Lang
  services: Services
  pending: OverrideSummary[]
  /** Undefined when no evaluation is published (nothing to preview against). */
  previews: ReadonlyMap<string, OverridePreview> | undefined
  who: Principal
}) {
  const { lang, services, pending, previews, who } = props
  const { rulebook } = services.rulebooks.active()
  const run = services.overview.latestPublished(who)
  const classes = rulebook.meta.classes.map((c) => c.id)
  const rows = run ? services.overview.classCounts(who, run.id) : []
  const byCounty = new Map<string, Record<string, number>>()
  const bySector = new Map<string, Record<string, number>>()
  for (const r of rows) {
    for (const [map, key] of [
      [byCounty, r.county],
      [bySector, r.sector || '?'],
    ] as const) {
      const m = map.get(key) ?? {}
      m[r.class] = (m[r.class] ?? 0) + r.n
      map.set(key, m)
    }
  }
  // The programme's progress is measured from its records (projects and dispositions), never from classes.
  const progress = services.programme.progress(who)
  const quarter = services.programme.quartersSoFar().at(-1)
  const overdue = [
    ...progress.lists
      .filter((l) => l.status !== 'on_time')
      .map((l) => ({
        what: `${l.year} ${say(lang, 'list')}`,
        county: l.county,
        state: l.status,
        due: l.due,
      })),
    ...(quarter ? services.programme.reportStates(who, quarter) : [])
      .filter((r) => r.state !== 'on_time')
      .map((r) => ({
        what: `${r.quarter} ${say(lang, 'report')}`,
        county: r.county,
        state: r.state,
        due: r.due,
      })),
  ]
  const open = services.programme
    .openDispositions(who)
    .filter((c) => c.overdue.length + c.pending.length > 0)
  return (
    <Layout lang={lang} title={t(lang, 'overview')} path="/overview" loggedIn={true} who={who}>
      <section id="totals">
        <h2>{t(lang, 'totals')}</h2>
        {run ? (
          <Facts
            items={[
              [say(lang, 'run'), `#${run.id}`],
              [say(lang, 'year'), String(run.year)],
              [
                say(lang, 'counts'),
                Object.entries(run.counts)
                  .sort(([a], [b]) => (a < b ? -1 : 1))
                  .map(([k, v]) => `${classLabel(lang, k)} ${num(v as number, 0)}`)
                  .join(' · '),
              ],
              [say(lang, 'publishedAt'), inBeijing(lang, run.publishedAt)],
            ]}
          />
        ) : (
          <p>{say(lang, 'none')}</p>
        )}
      </section>
      <section>
        <h2>{t(lang, 'distribution')}</h2>
        <Bars
          lang={lang}
          classes={classes}
          id="by-county"
          title={t(lang, 'distribution')}
          axis={say(lang, 'county')}
          data={byCounty}
          label={(k) => countyLabel(lang, k)}
        />
      </section>
      <section>
        <h2>{t(lang, 'sectors')}</h2>
        <Bars
          lang={lang}
          classes={classes}
          id="by-sector"
          title={t(lang, 'sectors')}
          axis={say(lang, 'sector')}
          data={bySector}
          label={(k) => rulebook.sectors.find((s) => s.id === k)?.label ?? k}
        />
      </section>
      <MoneySection lang={lang} services={services} who={who} />
      <section id="pending">
        <h2>{t(lang, 'pending')}</h2>
        <PendingTable lang={lang} pending={pending} previews={previews} />
      </section>
      <section id="targets">
        <h2>{t(lang, 'targets')}</h2>
        <p>
          {t(lang, 'fromRecords')} · <a href={`/programme?lang=${lang}`}>{t(lang, 'programme')}</a>
        </p>
        <TargetsTable lang={lang} figures={progress.city} asOf={progress.asOf} />
        <CountyTable lang={lang} progress={progress} />
        <MonthlyChart months={progress.months} lang={lang} />
      </section>
      <section id="overdue">
        <h2>{t(lang, 'pendingDeadlines')}</h2>
        <Table
          id="open-dispositions"
          head={[
            say(lang, 'county'),
            say(lang, 'overdueN'),
            say(lang, 'pendingN'),
            say(lang, 'next'),
          ]}
          num={[1, 2]}
          empty={say(lang, 'none')}
          rows={open.map((c) => [
            <span data-county={c.county}>{countyLabel(lang, c.county)}</span>,
            num(c.overdue.length, 0),
            num(c.pending.length, 0),
            c.nextDeadline ?? '—',
          ])}
        />
        <Table
          id="overdue-list"
          head={[say(lang, 'what'), say(lang, 'county'), say(lang, 'state'), say(lang, 'due')]}
          empty={say(lang, 'none')}
          rows={overdue.map((o) => [
            o.what,
            countyLabel(lang, o.county),
            <span class={`badge st-${o.state}`}>{stateOf(lang, o.state)}</span>,
            o.due,
          ])}
        />
      </section>
    </Layout>
  )
}

/** Pending county overrides with what each would change, or that it is being computed; each opens its page. */
function PendingTable(props: {
  lang: Lang
  pending: OverrideSummary[]
  previews: ReadonlyMap<string, OverridePreview> | undefined
}) {
  const { lang, pending, previews } = props
  const effect = (pv: OverridePreview | undefined) => {
    if (!pv) return previews ? t(lang, 'previewPending') : '—'
    const changes = Object.entries(pv.revenue)
      .filter(([, r]) => r.change !== '0.00')
      .map(
        ([res, r]) =>
          `${resourceLabel(lang, res)} ${r.change.startsWith('-') ? '' : '+'}${yuan(r.change, lang)}`,
      )
    return `${num(pv.enterprises.length, 0)} ${say(lang, 'firmsAffected')}；${changes.join('；') || say(lang, 'noChange')}`
  }
  return (
    <Table
      id="pending-overrides"
      head={[say(lang, 'id'), say(lang, 'label'), say(lang, 'status'), say(lang, 'effect')]}
      empty={say(lang, 'none')}
      rows={pending.map((o) => [
        <a href={`/overrides/${o.id}?lang=${lang}`} class="override">
          <code>{o.id}</code>
        </a>,
        <Data>{o.label}</Data>,
        <Badge lang={lang} status={o.status} />,
        effect(previews?.get(o.id)),
      ])}
    />
  )
}
