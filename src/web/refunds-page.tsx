/** @jsxImportSource hono/jsx */
/**
 * The money (差别化电价征收及返还): collected, returned and held per county, and the yearly refund runs (返还奖励) the
 * economy office makes, puts to notice and publishes; each run's refunds with why each firm gets what it gets.
 * @module web/refunds-page
 */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { type Action, can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { type Lang, langOf, phrases } from './i18n.ts'
import { inBeijing, num, yuan } from './kit/format.ts'
import { classLabel, countyLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Badge, Confirm, Data, Facts, Field, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps } from './page-kit.ts'

const say = phrases({
  title: { zh: '差别化电价征收与返还', en: 'Surcharges collected and returned' },
  ledger: { zh: '各县（市、区）征收、返还与结存', en: 'Collected, returned and held by county' },
  county: { zh: '县（市、区）', en: 'County' },
  collected: { zh: '已征收', en: 'Collected' },
  returned: { zh: '已返还', en: 'Returned' },
  held: { zh: '结存', en: 'Held' },
  total: { zh: '合计', en: 'Total' },
  none: { zh: '暂无', en: 'None' },
  runs: { zh: '返还奖励测算', en: 'Refund runs' },
  run: { zh: '测算', en: 'Run' },
  year: { zh: '缴费年度', en: 'Payment year' },
  status: { zh: '状态', en: 'Status' },
  paid: { zh: '当年缴纳', en: 'Paid in the year' },
  refund: { zh: '返还金额', en: 'Refund' },
  notice: { zh: '公示期', en: 'Notice' },
  publishedOn: { zh: '发布日期', en: 'Published on' },
  open: { zh: '查看', en: 'Open' },
  newRun: { zh: '测算某一年度的返还奖励', en: 'Compute the refund of a year' },
  newRunHint: {
    zh: '按规则中“返还奖励”条款，比较企业在该年度评价与上一年度评价中的类别；须在该年度评价结果发布后进行',
    en: 'By the rules’ refund items, comparing each firm’s class in the evaluation of that year with the year before; possible once that year’s evaluation is published',
  },
  doRun: { zh: '测算', en: 'Compute' },
  doNotice: { zh: '进行公示', en: 'Put to notice' },
  doPublish: { zh: '发布', en: 'Publish' },
  confirmNotice: {
    zh: '我已核对各企业返还金额，确认进行公示',
    en: 'I have checked the refunds and put them to notice',
  },
  confirmPublish: {
    zh: '公示期已满，确认发布；发布后返还金额计入台账',
    en: 'The notice is over; publish, and the refunds enter the ledger as returned',
  },
  confirmRequired: { zh: '请勾选确认', en: 'Please tick to confirm' },
  refused: { zh: '未能办理', en: 'Refused' },
  done: { zh: '已办理', en: 'Done' },
  firm: { zh: '企业', en: 'Firm' },
  classes: { zh: '类别变化', en: 'Class change' },
  share: { zh: '返还比例', en: 'Share' },
  why: { zh: '依据', en: 'Basis' },
  rules: { zh: '适用条款', en: 'Refund items' },
  rulesOn: { zh: '条款适用日', en: 'Items in force on' },
  assumed: { zh: '（假设值）', en: ' (assumed)' },
  createdAt: { zh: '测算时间', en: 'Computed at' },
  refundedOnly: { zh: '仅列出获得返还的企业', en: 'Only firms that get a refund are listed' },
  noRefund: { zh: '无', en: 'none' },
  notImproved: { zh: '类别未提升，不予返还', en: 'no better class: nothing back' },
  noRule: { zh: '所在地区无返还条款', en: 'no refund item for its county' },
  yearError: { zh: '请填写四位年份', en: 'Give a four-digit year' },
})
type Word = Parameters<typeof say>[1]

type RunView = ReturnType<Services['refunds']['get']>

/** Collected, returned and held per county, with the city's total. */
export function MoneyTable(props: {
  lang: Lang
  rows: ReturnType<Services['collections']['byCounty']>
}) {
  const { lang, rows } = props
  const sum = (k: 'collected' | 'returned' | 'held') =>
    rows.reduce((a, r) => a + BigInt(r[k].replace('.', '')), 0n)
  return (
    <Table
      id="money-by-county"
      head={[say(lang, 'county'), say(lang, 'collected'), say(lang, 'returned'), say(lang, 'held')]}
      num={[1, 2, 3]}
      empty={say(lang, 'none')}
      rows={
        rows.length === 0
          ? []
          : [
              ...rows.map((r) => [
                <span data-county={r.county}>{countyLabel(lang, r.county)}</span>,
                yuan(r.collected, lang),
                yuan(r.returned, lang),
                yuan(r.held, lang),
              ]),
              [
                <strong>{say(lang, 'total')}</strong>,
                <strong>{yuan(sum('collected'), lang)}</strong>,
                <strong>{yuan(sum('returned'), lang)}</strong>,
                <strong>{yuan(sum('held'), lang)}</strong>,
              ],
            ]
      }
    />
  )
}

/** The overview's section: the money per county. */
export function MoneySection(props: { lang: Lang; services: Services; who: Principal }) {
  const { lang, services, who } = props
  return (
    <section id="money">
      <h2>{say(lang, 'ledger')}</h2>
      <MoneyTable lang={lang} rows={services.collections.byCounty(who)} />
      {can(who, 'refunds.read') ? (
        <p>
          <a href={`/refunds?lang=${lang}`}>{say(lang, 'runs')}</a>
        </p>
      ) : null}
    </section>
  )
}

/** Why a firm gets what it gets, in the page's language (the trace's own reason is English). */
function basis(lang: Lang, i: RunView['items'][number], rules: Map<string, string>): Child {
  if (!i.rule) return say(lang, 'noRule')
  const sep = lang === 'zh' ? '；' : '; '
  const from = i.classBefore ? classLabel(lang, i.classBefore) : '—'
  const to = i.classAfter ? classLabel(lang, i.classAfter) : '—'
  const change = `${from} → ${to}${sep}`
  return i.share ? (
    <>
      {change}
      <Data>{rules.get(i.rule) ?? ''}</Data>
    </>
  ) : (
    `${change}${say(lang, 'notImproved')}`
  )
}

function RunDetail(props: { lang: Lang; run: RunView; who: Principal; error?: string }) {
  const { lang, run, who } = props
  const rules = new Map(run.summary.rules.map((r) => [r.id, r.label]))
  const items = run.items.filter((i) => i.amount !== '0.00')
  const form = (path: string, label: Word, confirm: Word) => (
    <form method="post" action={`/refunds/${path}?lang=${lang}`} class="card" id={`${path}-form`}>
      <CsrfField who={who} />
      <input type="hidden" name="run" value={String(run.id)} />
      <Confirm name="confirm" label={say(lang, confirm)} error={props.error} />
      <button type="submit" id={`do-${path}`}>
        {say(lang, label)} · {yuan(run.total, lang)}
      </button>
    </form>
  )
  return (
    <section id="run">
      <h2>
        {say(lang, 'run')} #{run.id} · {run.year}
      </h2>
      <Facts
        items={[
          [say(lang, 'status'), <Badge lang={lang} status={run.status} />],
          [say(lang, 'paid'), yuan(run.paid, lang)],
          [say(lang, 'refund'), <strong id="run-total">{yuan(run.total, lang)}</strong>],
          [say(lang, 'rulesOn'), run.summary.rulesOn],
          [
            say(lang, 'rules'),
            run.summary.rules.length === 0
              ? say(lang, 'none')
              : run.summary.rules.map((r) => (
                  <>
                    <Data>
                      {r.label}（{r.document}）
                    </Data>
                    {r.assumed ? say(lang, 'assumed') : ''}{' '}
                  </>
                )),
          ],
          [say(lang, 'createdAt'), inBeijing(lang, run.createdAt)],
          ...(run.noticeFrom
            ? ([[say(lang, 'notice'), `${run.noticeFrom} – ${run.noticeTo}`]] as [string, string][])
            : []),
          ...(run.publishedOn
            ? ([[say(lang, 'publishedOn'), run.publishedOn]] as [string, string][])
            : []),
        ]}
      />
      {run.status === 'draft' && can(who, 'refunds.publish')
        ? form('notice', 'doNotice', 'confirmNotice')
        : null}
      {run.status === 'notice' && can(who, 'refunds.publish')
        ? form('publish', 'doPublish', 'confirmPublish')
        : null}
      <p class="hint">{say(lang, 'refundedOnly')}</p>
      <Table
        id="refund-items"
        head={[
          say(lang, 'firm'),
          say(lang, 'county'),
          say(lang, 'classes'),
          say(lang, 'paid'),
          say(lang, 'share'),
          say(lang, 'refund'),
          say(lang, 'why'),
        ]}
        num={[3, 4, 5]}
        empty={say(lang, 'none')}
        rows={items.map((i) => [
          <code>{i.creditCode}</code>,
          countyLabel(lang, i.county),
          `${i.classBefore ? classLabel(lang, i.classBefore) : '—'} → ${i.classAfter ? classLabel(lang, i.classAfter) : '—'}`,
          yuan(i.paid, lang),
          i.share ? `${num(Number(i.share) * 100, 2)}%` : '—',
          <span data-refund={i.creditCode}>{yuan(i.amount, lang)}</span>,
          basis(lang, i, rules),
        ])}
      />
    </section>
  )
}

function RefundsPage(props: {
  lang: Lang
  services: Services
  who: Principal
  runId?: number
  message?: { kind: 'ok' | 'error'; text: string }
  yearError?: string
  year?: string
  confirmError?: string
}) {
  const { lang, services, who } = props
  const runs = services.refunds.list(who)
  const run = props.runId ? services.refunds.get(who, props.runId) : undefined
  return (
    <Layout lang={lang} title={say(lang, 'title')} path="/refunds" loggedIn={true} who={who}>
      {props.message ? (
        <Notice kind={props.message.kind} id="message">
          {props.message.text}
        </Notice>
      ) : null}
      <section id="ledger">
        <h2>{say(lang, 'ledger')}</h2>
        <MoneyTable lang={lang} rows={services.collections.byCounty(who)} />
      </section>
      {run ? <RunDetail lang={lang} run={run} who={who} error={props.confirmError} /> : null}
      <section id="runs">
        <h2>{say(lang, 'runs')}</h2>
        <Table
          id="refund-runs"
          head={[
            say(lang, 'run'),
            say(lang, 'year'),
            say(lang, 'status'),
            say(lang, 'paid'),
            say(lang, 'refund'),
            say(lang, 'notice'),
            say(lang, 'publishedOn'),
          ]}
          num={[3, 4]}
          empty={say(lang, 'none')}
          rows={runs.map((r) => [
            <a href={`/refunds?run=${r.id}&lang=${lang}`} class="run-link">
              #{r.id}
            </a>,
            String(r.year),
            <Badge lang={lang} status={r.status} />,
            yuan(r.paid, lang),
            yuan(r.total, lang),
            r.noticeFrom ? `${r.noticeFrom} – ${r.noticeTo}` : '—',
            r.publishedOn ?? '—',
          ])}
        />
        {can(who, 'refunds.run') ? (
          <form method="post" action={`/refunds/run?lang=${lang}`} id="run-form" class="card">
            <h3>{say(lang, 'newRun')}</h3>
            <p class="hint">{say(lang, 'newRunHint')}</p>
            <CsrfField who={who} />
            <Field
              name="year"
              label={say(lang, 'year')}
              type="number"
              value={props.year}
              error={props.yearError}
              required={true}
            />
            <button type="submit" id="do-run">
              {say(lang, 'doRun')}
            </button>
          </form>
        ) : null}
      </section>
    </Layout>
  )
}

const text = (body: Record<string, unknown>, k: string) =>
  typeof body[k] === 'string' ? (body[k] as string).trim() : ''

export function registerRefundPages(app: PageApp, { services, who }: PageDeps) {
  /** The visitor when their role may perform `action`; otherwise the refusal page to answer with. */
  const gate = (c: Context, action: Action): Principal | Response | Promise<Response> => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (can(p, action)) return p
    return c.html(
      <Layout lang={lang} title={say(lang, 'title')} path="/refunds" loggedIn={!!p} who={p}>
        <p id="refused">{say(lang, 'refused')}</p>
      </Layout>,
      p ? 403 : 401,
    )
  }
  const isP = (x: unknown): x is Principal => !!x && typeof x === 'object' && 'role' in x
  const runOf = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined)

  app.get('/refunds', (c) => {
    const p = gate(c, 'refunds.read')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    let runId = runOf(c.req.query('run'))
    if (runId !== undefined && !services.refunds.list(p).some((r) => r.id === runId))
      runId = undefined
    const done = c.req.query('done') === '1'
    return c.html(
      <RefundsPage
        lang={lang}
        services={services}
        who={p}
        runId={runId}
        message={done ? { kind: 'ok', text: say(lang, 'done') } : undefined}
      />,
    )
  })

  /** The page again after a refused act, with its message (and the field's error) in place. */
  const refusedPage = (
    c: Context,
    p: Principal,
    e: unknown,
    extra: { runId?: number; year?: string; yearError?: string; confirmError?: string } = {},
  ) => {
    const lang = langOf(c.req.query('lang'))
    if (e !== undefined && !(e instanceof MujunError)) throw e
    const status = e instanceof MujunError ? e.status : 422
    const text =
      e instanceof MujunError
        ? `${say(lang, 'refused')}：${problemMessage(lang, e)}（${e.code}）`
        : say(lang, 'refused')
    return c.html(
      <RefundsPage
        lang={lang}
        services={services}
        who={p}
        message={{ kind: 'error', text }}
        {...extra}
      />,
      status as 422,
    )
  }

  app.post('/refunds/run', async (c) => {
    const p = gate(c, 'refunds.run')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const body = (await formOf(c)) ?? {}
    const year = text(body, 'year')
    if (!/^\d{4}$/.test(year))
      return refusedPage(c, p, undefined, { year, yearError: say(lang, 'yearError') })
    try {
      const run = services.refunds.run(p, Number(year))
      return c.redirect(`/refunds?run=${run.id}&done=1&lang=${lang}`, 303)
    } catch (e) {
      return refusedPage(c, p, e, {
        year,
        yearError: e instanceof MujunError ? problemMessage(lang, e) : undefined,
      })
    }
  })

  for (const [path, act] of [
    ['notice', (p: Principal, id: number) => services.refunds.notice(p, id)],
    ['publish', (p: Principal, id: number) => services.refunds.publish(p, id)],
  ] as const)
    app.post(`/refunds/${path}`, async (c) => {
      const p = gate(c, 'refunds.publish')
      if (!isP(p)) return p
      const lang = langOf(c.req.query('lang'))
      const body = (await formOf(c)) ?? {}
      const runId = runOf(text(body, 'run'))
      if (runId === undefined) return c.redirect(`/refunds?lang=${lang}`, 303)
      if (text(body, 'confirm') !== 'yes')
        return refusedPage(
          c,
          p,
          new MujunError('CONFIRMATION_REQUIRED', 'tick the confirmation', { status: 422 }),
          { runId, confirmError: say(lang, 'confirmRequired') },
        )
      try {
        act(p, runId)
      } catch (e) {
        return refusedPage(c, p, e, { runId })
      }
      return c.redirect(`/refunds?run=${runId}&done=1&lang=${lang}`, 303)
    })
}
