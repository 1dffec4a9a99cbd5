/** @jsxImportSource hono/jsx */
/**
 * The evaluation cycle as one page for a year: its runs with their status, the chosen run's classes per county
 * (chart and table), and what may be done next (run, notice, objections, publish), with the fund below.
 * @module web/evaluation-views
 */
import type { Child } from 'hono/jsx'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { addDays } from '../dates.ts'
import type { Principal } from '../principal.ts'
import { type FormState, NoticeForm, PublishForm, type Run, RunForm } from './evaluation-forms.tsx'
import { FundSection } from './evaluation-fund.tsx'
import { ObjectionsSection } from './evaluation-objections.tsx'
import { w } from './evaluation-words.ts'
import type { Lang } from './i18n.ts'
import { beijing, inBeijing, num } from './kit/format.ts'
import { classLabel, countyLabel } from './kit/labels.ts'
import { Badge, Chart, Facts, Notice, Table } from './kit/ui.tsx'
import { Layout } from './layout.tsx'

/** A message on top of the page: what the last act did, or why it was refused. */
export interface Message {
  kind: 'ok' | 'error' | 'info'
  text: Child
}

export interface CycleProps {
  lang: Lang
  services: Services
  who: Principal
  year?: number
  runId?: number
  message?: Message
  state?: FormState
}

/** The runs of the year, newest first, each with its dates and a link to open it. */
function RunsTable(props: { lang: Lang; runs: Run[]; chosen?: number }) {
  const { lang } = props
  return (
    <Table
      id="runs"
      head={[
        w(lang, 'run'),
        w(lang, 'status'),
        inBeijing(lang, w(lang, 'created')),
        w(lang, 'noticePeriod'),
        w(lang, 'bindingFrom'),
        w(lang, 'rated'),
        '',
      ]}
      num={[5]}
      empty={w(lang, 'noRuns')}
      rows={props.runs.map((r) => [
        <span data-run={String(r.id)}>#{r.id}</span>,
        <Badge lang={lang} status={r.status} />,
        beijing(r.createdAt),
        r.noticeFrom ? `${r.noticeFrom} — ${r.noticeTo}` : '—',
        r.bindingFrom ?? '—',
        `${num(
          Object.values(r.counts).reduce((a, b) => a + b, 0),
          0,
        )} ${w(lang, 'firms')}`,
        r.id === props.chosen ? (
          '✓'
        ) : (
          <a href={`/evaluation?year=${r.year}&run=${r.id}&lang=${lang}`}>{w(lang, 'show')}</a>
        ),
      ])}
    />
  )
}

/** The chosen run's classes per county: a stacked bar chart and the same numbers as a table. */
function ClassesByCounty(props: { lang: Lang; services: Services; who: Principal; run: Run }) {
  const { lang, services, who, run } = props
  const classes = services.rulebooks.active().rulebook.meta.classes.map((c) => c.id)
  const rows = services.overview.classCounts(who, run.id)
  const byCounty = new Map<string, Record<string, number>>()
  for (const r of rows) {
    const m = byCounty.get(r.county) ?? {}
    m[r.class] = (m[r.class] ?? 0) + r.n
    byCounty.set(r.county, m)
  }
  const counties = [...byCounty.keys()].sort()
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0)
  const totals: Record<string, number> = {}
  for (const m of byCounty.values())
    for (const [k, n] of Object.entries(m)) totals[k] = (totals[k] ?? 0) + n
  return (
    <section id="classes">
      <h3>{w(lang, 'byCounty')}</h3>
      <Chart
        id="classes-chart"
        spec={{
          title: `${run.year} ${w(lang, 'byCounty')}`,
          categories: counties.map((c) => countyLabel(lang, c)),
          series: classes.map((k) => ({
            name: classLabel(lang, k),
            data: counties.map((c) => byCounty.get(c)?.[k] ?? 0),
            stack: 'classes',
          })),
          valueAxis: w(lang, 'firmsAxis'),
          horizontal: true,
        }}
      />
      <Table
        id="classes-table"
        head={[w(lang, 'county'), ...classes.map((k) => classLabel(lang, k)), w(lang, 'total')]}
        num={classes.map((_, i) => i + 1).concat(classes.length + 1)}
        rows={[
          ...counties.map((c) => {
            const m = byCounty.get(c)!
            return [countyLabel(lang, c), ...classes.map((k) => num(m[k] ?? 0, 0)), num(sum(m), 0)]
          }),
          [
            <strong>{w(lang, 'total')}</strong>,
            ...classes.map((k) => num(totals[k] ?? 0, 0)),
            num(sum(totals), 0),
          ],
        ]}
      />
    </section>
  )
}

/** The chosen run: its facts, classes, and the step its status allows next. */
function RunSection(props: CycleProps & { run: Run }) {
  const { lang, services, who, run } = props
  const state = props.state ?? {}
  const act = can(who, 'evaluation.publish')
  const days = services.rulebooks.active().rulebook.meta.publication.noticeDays
  const today = todayOf(services)
  return (
    <section id="run" data-run={String(run.id)} data-status={run.status}>
      <h2>
        {w(lang, 'selected')} #{run.id} · {run.year} <Badge lang={lang} status={run.status} />
      </h2>
      <Facts
        items={[
          [w(lang, 'created'), inBeijing(lang, run.createdAt)],
          [w(lang, 'noticePeriod'), run.noticeFrom ? `${run.noticeFrom} — ${run.noticeTo}` : '—'],
          [w(lang, 'publishedAt'), run.publishedAt ? inBeijing(lang, run.publishedAt) : '—'],
          [w(lang, 'bindingFrom'), run.bindingFrom ?? '—'],
        ]}
      />
      <ClassesByCounty lang={lang} services={services} who={who} run={run} />
      {run.status !== 'draft' ? (
        <p class="noprint" id="notice-links">
          {w(lang, 'noticeList')}:{' '}
          <a href={`/evaluation/notice-list?run=${run.id}&lang=${lang}`} id="notice-list-link">
            {w(lang, 'print')}
          </a>{' '}
          ·{' '}
          <a href={`/evaluation/notice-list.csv?run=${run.id}`} id="notice-csv" download>
            {w(lang, 'csv')}
          </a>
        </p>
      ) : null}
      {act && run.status === 'draft' ? (
        <NoticeForm
          lang={lang}
          who={who}
          runId={run.id}
          days={days}
          from={today}
          to={addDays(today, days - 1)}
          state={state}
        />
      ) : null}
      {run.status !== 'draft' ? (
        <ObjectionsSection lang={lang} services={services} who={who} run={run} state={state} />
      ) : null}
      {act && run.status === 'notice' ? (
        <PublishForm lang={lang} who={who} runId={run.id} state={state} />
      ) : null}
    </section>
  )
}

/** Today in Ningbo, as the services count days. */
export function todayOf(services: Services): string {
  return services.provenance.today()
}

/** The whole page. */
export function CyclePage(props: CycleProps) {
  const { lang, services, who } = props
  const runs = services.evaluations.list(who)
  const years = [...new Set(runs.map((r) => r.year))].sort((a, b) => b - a)
  const year = props.year ?? years[0] ?? Number(todayOf(services).slice(0, 4)) - 1
  const ofYear = runs.filter((r) => r.year === year)
  const run =
    ofYear.find((r) => r.id === props.runId) ??
    ofYear.find((r) => r.status === 'notice') ??
    ofYear[0]
  return (
    <Layout
      lang={lang}
      title={w(lang, 'title')}
      path="/evaluation"
      loggedIn={true}
      who={who}
      query={`year=${year}${run ? `&run=${run.id}` : ''}`}
    >
      {props.message ? (
        <Notice kind={props.message.kind} id="message">
          {props.message.text}
        </Notice>
      ) : null}
      <form method="get" action="/evaluation" class="row noprint" id="year-form">
        <input type="hidden" name="lang" value={lang} />
        <label for="year">{w(lang, 'year')}</label>
        <input type="number" id="year" name="year" value={String(year)} min="2000" max="2100" />
        <button type="submit" class="secondary">
          {w(lang, 'show')}
        </button>
        {years.map((y) => (
          <a href={`/evaluation?year=${y}&lang=${lang}`}>{y}</a>
        ))}
      </form>
      <section id="cycle">
        <h2>
          {w(lang, 'runs')} · {year}
        </h2>
        <RunsTable lang={lang} runs={ofYear} chosen={run?.id} />
        {can(who, 'evaluation.run') ? <RunForm lang={lang} who={who} year={year} /> : null}
      </section>
      {run ? <RunSection {...props} run={run} /> : null}
      <FundSection lang={lang} services={services} who={who} />
    </Layout>
  )
}
