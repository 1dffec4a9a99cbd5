/** @jsxImportSource hono/jsx */
/**
 * The city fund (市级专项资金分配): each programme year fixed or not, the confirmation that shows the amounts before
 * the allocation is fixed (定案), and the fixed allocation as the result.
 * @module web/evaluation-fund
 */
import type { Child } from 'hono/jsx'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { w } from './evaluation-words.ts'
import type { Lang } from './i18n.ts'
import { inBeijing, num, pct, yuan } from './kit/format.ts'
import { countyLabel } from './kit/labels.ts'
import { Confirm, Data, Facts, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'

type Allocation = ReturnType<Services['programme']['fundPreview']>
type Fixed = ReturnType<Services['programme']['fund']>

/** The year's fixed allocation, or undefined while it is not fixed. */
export function fixedFund(services: Services, who: Principal, year: number): Fixed | undefined {
  try {
    return services.programme.fund(who, year)
  } catch (e) {
    if (e instanceof NotFoundError) return undefined
    throw e
  }
}

/** The programme years with their fund's state and a link to view or fix it. */
export function FundSection(props: { lang: Lang; services: Services; who: Principal }) {
  const { lang, services, who } = props
  if (!can(who, 'programme.read')) return null
  const years = services.programme.programmeYears()
  return (
    <section id="fund" class="noprint">
      <h2>{w(lang, 'fund')}</h2>
      <Table
        head={[w(lang, 'fundYear'), w(lang, 'status'), w(lang, 'fundAmount'), '']}
        num={[2]}
        rows={years.map((y) => {
          const f = fixedFund(services, who, y)
          return [
            String(y),
            <span class={`badge ${f ? 'st-filed' : 'st-pending'}`} data-fund-year={String(y)}>
              {w(lang, f ? 'fundFixed' : 'fundOpen')}
            </span>,
            f ? yuan(f.total, lang) : '—',
            <a href={`/evaluation/fund?year=${y}&lang=${lang}`} class="fund-link">
              {w(lang, f || !can(who, 'programme.verify') ? 'fundView' : 'fundFix')}
            </a>,
          ]
        })}
      />
    </section>
  )
}

/** Each fund metric's unit (both languages); the progress metric is a share, shown as a percentage. */
const METRIC_UNIT: Record<string, { zh: string; en: string }> = {
  projects: { zh: '个', en: 'projects' },
  enterprises: { zh: '家', en: 'firms' },
  energy_freed_tce: { zh: '吨标准煤', en: 'tce' },
  water_freed_m3: { zh: '立方米', en: 'm³' },
  land_freed_mu: { zh: '亩', en: 'mu' },
}
const metricValue = (lang: Lang, metric: string, value: string) =>
  metric === 'progress'
    ? pct(Number(value))
    : `${num(value, 2)}${METRIC_UNIT[metric] ? ` ${METRIC_UNIT[metric][lang]}` : ''}`

/** An allocation per county: each criterion's value, the score and the yuan allocated, with the total. */
export function AllocationTable(props: { lang: Lang; a: Allocation }) {
  const { lang, a } = props
  const crit = a.criteria
  return (
    <Table
      id="allocation"
      head={[
        w(lang, 'county'),
        ...crit.map((c) => (
          <>
            <Data>{c.label}</Data> {`(${num(c.weight * 100, 1)}%)`}
          </>
        )),
        w(lang, 'fundScore'),
        w(lang, 'fundAllocated'),
      ]}
      num={crit.map((_, i) => i + 1).concat(crit.length + 1, crit.length + 2)}
      rows={[
        ...a.counties.map((c) => [
          countyLabel(lang, c.county),
          ...c.criteria.map((x, i) => metricValue(lang, crit[i].metric, x.value)),
          pct(Number(c.score), 2),
          <span data-allocated={c.county}>{yuan(c.allocated, lang)}</span>,
        ]),
        [
          <strong>{w(lang, 'total')}</strong>,
          // A sum of shares means nothing: the progress column has no total.
          ...crit.map((c) =>
            c.metric === 'progress' ? '—' : metricValue(lang, c.metric, c.total),
          ),
          '',
          <strong id="fund-total">{yuan(a.total, lang)}</strong>,
        ],
      ]}
    />
  )
}

/** The fund of a year: fixed (the result), or its preview with the confirmation that fixes it. */
export function FundPage(props: {
  lang: Lang
  services: Services
  who: Principal
  year: number
  error?: { top: string; confirm?: string }
  justFixed?: boolean
}) {
  const { lang, services, who, year } = props
  const fixed = fixedFund(services, who, year)
  const a = fixed
    ? (fixed.allocation as unknown as Allocation)
    : services.programme.fundPreview(who, year)
  const title = `${w(lang, fixed ? 'fundResultTitle' : 'fundConfirmTitle')} · ${year}`
  return (
    <Layout lang={lang} title={title} path="/evaluation" loggedIn={true} who={who}>
      {props.error ? (
        <Notice kind="error" id="message">
          {props.error.top}
        </Notice>
      ) : null}
      {props.justFixed ? (
        <Notice kind="ok" id="message">
          {w(lang, 'fundResultTitle')} · {yuan(a.total, lang)}
        </Notice>
      ) : null}
      <Facts
        items={[
          [w(lang, 'fund'), <Data>{a.label}</Data>],
          [w(lang, 'fundAmount'), <strong id="fund-amount">{yuan(a.amount, lang)}</strong>],
          ...(fixed
            ? ([
                [w(lang, 'fixedAt'), inBeijing(lang, fixed.fixedAt)],
                [w(lang, 'fixedBy'), <Data>{fixed.fixedBy}</Data>],
              ] as [Child, Child][])
            : []),
        ]}
      />
      {fixed ? null : <p class="hint">{w(lang, 'fundPreviewNote')}</p>}
      <AllocationTable lang={lang} a={a} />
      {!fixed && can(who, 'programme.verify') ? (
        <form method="post" action={`/evaluation/fund?lang=${lang}`} id="fund-form" class="card">
          <CsrfField who={who} />
          <input type="hidden" name="year" value={String(year)} />
          <Confirm name="confirm" label={w(lang, 'fundConfirm')} error={props.error?.confirm} />
          <button type="submit" id="do-fix">
            {w(lang, 'doFix')} · {yuan(a.total, lang)}
          </button>
        </form>
      ) : null}
      <p>
        <a href={`/evaluation?lang=${lang}`}>{w(lang, 'toCycle')}</a>
      </p>
    </Layout>
  )
}
