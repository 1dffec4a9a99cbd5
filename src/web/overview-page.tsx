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
import { type Lang, langOf, t } from './i18n.ts'
import { Layout } from './layout.tsx'
import type { PageApp, PageDeps } from './page-kit.ts'
import { CountyTable, MonthlyChart, stateOf, TargetsTable } from './programme-page.tsx'

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

const COLOURS: Record<string, string> = { A: '#1a7f37', B: '#2a6fd6', C: '#c77700', D: '#c62828' }

/** Stacked bars of firms per class, one bar per county or sector. */
function Bars(p: {
  classes: string[]
  data: Map<string, Record<string, number>>
  label: (k: string) => string
  id: string
  title: string
}) {
  const { classes } = p
  const entries = [...p.data.entries()].sort()
  const max = Math.max(1, ...entries.map(([, m]) => Object.values(m).reduce((a, b) => a + b, 0)))
  const h = 22
  return (
    <svg id={p.id} width="900" height={entries.length * h + 24} role="img">
      <title>{p.title}</title>
      {entries.map(([k, m], i) => {
        let x = 160
        return (
          <g>
            <text x="0" y={i * h + 15} font-size="13">
              {p.label(k)}
            </text>
            {classes.map((c) => {
              const w = ((m[c] ?? 0) / max) * 480
              const rect = (
                <rect x={x} y={i * h + 3} width={w} height={h - 6} fill={COLOURS[c] ?? '#888'}>
                  <title>{`${c}: ${m[c] ?? 0}`}</title>
                </rect>
              )
              x += w
              return rect
            })}
            <text x={x + 6} y={i * h + 15} font-size="12">
              {classes.map((c) => `${c}${m[c] ?? 0}`).join(' ')}
            </text>
          </g>
        )
      })}
    </svg>
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
        what: `${l.year} ${lang === 'zh' ? '项目清单' : 'project list'}`,
        county: l.county,
        state: l.status,
        due: l.due,
      })),
    ...(quarter ? services.programme.reportStates(who, quarter) : [])
      .filter((r) => r.state !== 'on_time')
      .map((r) => ({
        what: `${r.quarter} ${lang === 'zh' ? '季报' : 'report'}`,
        county: r.county,
        state: r.state,
        due: r.due,
      })),
  ]
  const countyName = (k: string) => rulebook.meta.counties.find((c) => c.code === k)?.name ?? k
  const open = services.programme
    .openDispositions(who)
    .filter((c) => c.overdue.length + c.pending.length > 0)
  return (
    <Layout lang={lang} title={t(lang, 'overview')} path="/overview" loggedIn={true} who={who}>
      <section id="totals">
        <h2>{t(lang, 'totals')}</h2>
        {run ? (
          <p>
            #{run.id} · {run.year} ·{' '}
            {Object.entries(run.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')}{' '}
            · {run.publishedAt}
          </p>
        ) : (
          <p>—</p>
        )}
      </section>
      <section>
        <h2>{t(lang, 'distribution')}</h2>
        <Bars
          classes={classes}
          id="by-county"
          title={t(lang, 'distribution')}
          data={byCounty}
          label={(k) => `${rulebook.meta.counties.find((c) => c.code === k)?.name ?? k} ${k}`}
        />
      </section>
      <section>
        <h2>{t(lang, 'sectors')}</h2>
        <Bars
          classes={classes}
          id="by-sector"
          title={t(lang, 'sectors')}
          data={bySector}
          label={(k) => rulebook.sectors.find((s) => s.id === k)?.label ?? k}
        />
      </section>
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
        <CountyTable progress={progress} />
        <MonthlyChart months={progress.months} lang={lang} />
      </section>
      <section id="overdue">
        <h2>{t(lang, 'pendingDeadlines')}</h2>
        <table id="open-dispositions">
          {open.map((c) => (
            <tr data-county={c.county}>
              <td>{c.name}</td>
              <td class="num">
                {lang === 'zh' ? '逾期未完成处置' : 'dispositions overdue'} {c.overdue.length}
              </td>
              <td class="num">
                {lang === 'zh' ? '未到期' : 'pending'} {c.pending.length}
              </td>
              <td>{c.nextDeadline ?? ''}</td>
            </tr>
          ))}
        </table>
        <table>
          {overdue.map((o) => (
            <tr class={`state-${o.state}`}>
              <td>{o.what}</td>
              <td>{countyName(o.county)}</td>
              <td>{stateOf(lang, o.state)}</td>
              <td>{o.due}</td>
            </tr>
          ))}
        </table>
      </section>
    </Layout>
  )
}

/** Pending county overrides with what each would change, or that it is being computed. */
function PendingTable(props: {
  lang: Lang
  pending: OverrideSummary[]
  previews: ReadonlyMap<string, OverridePreview> | undefined
}) {
  const { lang, pending, previews } = props
  return (
    <table>
      {pending.map((o) => {
        const pv = previews?.get(o.id)
        return (
          <tr>
            <td>{o.id}</td>
            <td>{o.label}</td>
            <td>{o.status}</td>
            <td>
              {pv
                ? `${pv.enterprises.length} firms; ${
                    Object.entries(pv.revenue)
                      .filter(([, r]) => r.change !== '0.00')
                      .map(([res, r]) => `${res} ${r.change}`)
                      .join(', ') || '±0'
                  }`
                : previews
                  ? t(lang, 'previewPending')
                  : ''}
            </td>
          </tr>
        )
      })}
    </table>
  )
}
