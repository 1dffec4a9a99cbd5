/** @jsxImportSource hono/jsx */
/**
 * The enterprise's own page (我的评价): its published result at once after login (class, score, the rank said
 * honestly, each indicator's value and points), a month's surcharge from its own figures for every resource it
 * uses, a printable result sheet, its provisional result under notice with the objection form, and its objections
 * with their receipts.
 * @module web/my-page
 */

import { ownCreditCode } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { BenchmarkCell, benchmarkHead, MinMaxHint } from './benchmark-cell.tsx'
import { type Lang, langOf, phrases, t } from './i18n.ts'
import { inBeijing, num, yuan } from './kit/format.ts'
import { classLabel, countyLabel, RESOURCE_UNIT, resourceLabel, unitLabel } from './kit/labels.ts'
import { Badge, Data, Facts, type FieldErrors, Notice, Table } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import { FirmMeasures } from './measures-view.tsx'
import { MethodName } from './method-name.tsx'
import { ObjectionForm, Receipt, receiptNo, say as sayObjection } from './objection-form.tsx'
import type { PageApp, PageDeps } from './page-kit.ts'
import { rankWords } from './rank-words.ts'

const say = phrases({
  title: { zh: '我的亩均效益评价', en: 'My per-mu evaluation' },
  needEnterprise: {
    zh: '请用企业访问令牌登录后查看本企业的评价结果',
    en: 'Log in with your enterprise token to see your result',
  },
  noResult: {
    zh: '本企业尚无已发布的评价结果。',
    en: 'There is no published result for your enterprise yet.',
  },
  published: { zh: '已发布评价结果', en: 'Published result' },
  firm: { zh: '企业名称', en: 'Enterprise' },
  code: { zh: '统一社会信用代码', en: 'Unified social credit code' },
  county: { zh: '所在县（市、区）', en: 'County' },
  year: { zh: '评价年度', en: 'Evaluation year' },
  class: { zh: '评价类别', en: 'Class' },
  score: { zh: '综合得分', en: 'Score' },
  rank: { zh: '组内排名', en: 'Rank in its group' },
  publishedAt: { zh: '发布时间', en: 'Published at' },
  indicators: { zh: '各指标得分', en: 'Indicators' },
  indicator: { zh: '指标', en: 'Indicator' },
  value: { zh: '本企业数值', en: 'Your value' },
  points: { zh: '得分', en: 'Points' },
  weight: { zh: '权重', en: 'Weight' },
  cost: {
    zh: '每月差别化价格加价（按本企业登记数据估算）',
    en: 'Monthly surcharge (from your own figures)',
  },
  costNote: {
    zh: '按评价年度登记的年用量除以 12 估算一个月，按本月（{month}）的价格规则和您的评价类别计算，含超定额加价；各月定额和规则不同，金额会不同。实际以供电、供水、供气单位账单为准。',
    en: 'A month is your stored annual use divided by 12, priced under this month’s ({month}) rules and your class, over-quota surcharges included; other months can differ. Your utility’s bill is what counts.',
  },
  resource: { zh: '资源', en: 'Resource' },
  monthly: { zh: '月用量', en: 'Monthly use' },
  surcharge: { zh: '每月加价', en: 'Surcharge per month' },
  noUse: { zh: '未登记用量', en: 'no use recorded' },
  notCharged: { zh: '无法估算', en: 'cannot be estimated' },
  print: { zh: '打印结果单', en: 'Print the result sheet' },
  printReceipt: { zh: '打印回执', en: 'Print the receipt' },
  notice: { zh: '评价结果公示', en: 'Evaluation in public notice' },
  provisional: { zh: '暂定类别', en: 'Provisional class' },
  objections: { zh: '我的异议', en: 'My objections' },
  noObjections: { zh: '尚未提出异议。', en: 'No objections filed.' },
  open: { zh: '查看回执', en: 'Receipt' },
  why: { zh: '我为什么付这个价格？谁决定的？', en: 'Why do I pay this price, and who decided it?' },
  selfCheck: { zh: '用其他数据自查', en: 'Check other figures' },
  notFound: { zh: '未找到该异议', en: 'No such objection' },
  sheet: { zh: '核对本企业数据（一企一单）', en: 'Check my figures sheet' },
  method: { zh: '评价办法', en: 'Evaluation method' },
})

type Published = NonNullable<ReturnType<Services['selfChecks']['published']>>

/** A month of each resource the firm uses, from its stored annual figures, and its surcharge. */
function monthlyCosts(services: Services, p: Principal, code: string, year: number) {
  const { rulebook } = services.rulebooks.active()
  const figures = services.selfChecks.stored(p, year)?.figures ?? {}
  const today = services.selfChecks.today()
  const from = `${today.slice(0, 7)}-01`
  const [y, m] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))]
  const to = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
  return rulebook.meta.resources.map((r) => {
    const annual = Number(r.quantityInput ? (figures[r.quantityInput] ?? 0) : 0)
    const quantity = Math.round((annual / 12) * 100) / 100
    if (!(quantity > 0)) return { resource: r.id, quantity: 0, total: undefined }
    try {
      const q = services.pricing.quote(p, { creditCode: code, resource: r.id, quantity, from, to })
      return { resource: r.id, quantity, total: q.total }
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return { resource: r.id, quantity, total: undefined }
    }
  })
}

function ResultSheet(props: { lang: Lang; pub: Published; name: string; zone?: string }) {
  const { lang, pub } = props
  const r = pub.result
  return (
    <section id="result-sheet">
      <h2>
        {say(lang, 'published')} · {r.year}
      </h2>
      <div class={`class ${r.class ?? ''}`} id="my-class">
        {classLabel(lang, r.class)}
      </div>
      <Facts
        id="my-facts"
        items={[
          [say(lang, 'firm'), <Data>{props.name}</Data>],
          [say(lang, 'code'), <code>{r.creditCode}</code>],
          [
            say(lang, 'county'),
            <span id="my-county">
              {countyLabel(lang, r.county)}
              {props.zone ? (
                <>
                  {lang === 'zh' ? '（' : ' ('}
                  <Data>{props.zone}</Data>
                  {lang === 'zh' ? '，单独评价排名）' : ', rated and ranked as a unit of its own)'}
                </>
              ) : null}
            </span>,
          ],
          [say(lang, 'year'), String(r.year)],
          [
            say(lang, 'score'),
            <span id="my-score">{r.score === null ? '—' : num(r.score, 2)}</span>,
          ],
          [say(lang, 'rank'), <span id="my-rank">{rankWords(lang, r.rank, r.groupSize)}</span>],
          [
            say(lang, 'method'),
            <span id="my-method">
              <MethodName lang={lang} method={r.method} />
            </span>,
          ],
          [say(lang, 'publishedAt'), inBeijing(lang, pub.run.publishedAt)],
        ]}
      />
      {r.plot ? <PlotNote lang={lang} plot={r.plot} own={r.creditCode} /> : ''}
      <h3>{say(lang, 'indicators')}</h3>
      <Table
        id="my-indicators"
        head={[
          say(lang, 'indicator'),
          say(lang, 'value'),
          benchmarkHead(lang, r.trace.indicators),
          say(lang, 'points'),
          say(lang, 'weight'),
        ]}
        num={[1, 2, 3, 4]}
        rows={r.trace.indicators.map((i) => [
          <Data>{i.label}</Data>,
          Number.isNaN(i.value) || i.value === null ? (
            '—'
          ) : (
            <>
              {num(i.value, 2)} {unitLabel(lang, i.unit)}
            </>
          ),
          <BenchmarkCell lang={lang} item={i} />,
          num(i.points, 2),
          num(i.weight, 2),
        ])}
      />
      <MinMaxHint lang={lang} items={r.trace.indicators} />
    </section>
  )
}

/** A tenant of a shared plot: rated with the plot's other firms, on the plot's summed figures (rating/plots). */
function PlotNote(props: {
  lang: Lang
  plot: NonNullable<Published['result']['plot']>
  own: string
}) {
  const { lang, plot } = props
  const others = plot.firms.filter((f) => f.creditCode !== props.own)
  const names = others.map((f, i) => (
    <>
      {i > 0 ? (lang === 'zh' ? '、' : ', ') : ''}
      <Data>{f.name}</Data> (<code>{f.creditCode}</code>)
    </>
  ))
  return lang === 'zh' ? (
    <p id="my-plot">
      本企业与同一宗地（宗地编号 <code>{plot.id}</code>）上的 {names} 合并评价：
      各项指标按宗地合计数据计算（用地面积按宗地计一次），本企业取宗地的得分、排名和类别。
    </p>
  ) : (
    <p id="my-plot">
      Your enterprise shares land plot <code>{plot.id}</code> with {names} and was rated together
      with them: each indicator is computed on the plot’s summed figures (its land area counted
      once), and your score, rank and class are the plot’s.
    </p>
  )
}

function CostTable(props: {
  lang: Lang
  costs: ReturnType<typeof monthlyCosts>
  /** The month priced, YYYY-MM. */
  month: string
}) {
  const { lang } = props
  return (
    <section id="my-costs">
      <h2>{say(lang, 'cost')}</h2>
      <Table
        id="my-cost-table"
        head={[say(lang, 'resource'), say(lang, 'monthly'), say(lang, 'surcharge')]}
        num={[1, 2]}
        rows={props.costs.map((c) => [
          resourceLabel(lang, c.resource),
          c.quantity > 0
            ? `${num(c.quantity, 2)} ${RESOURCE_UNIT[c.resource]?.[lang] ?? ''}`
            : say(lang, 'noUse'),
          c.total === undefined ? (
            c.quantity > 0 ? (
              say(lang, 'notCharged')
            ) : (
              '—'
            )
          ) : (
            <span data-cost={c.resource}>{yuan(c.total, lang)}</span>
          ),
        ])}
      />
      <p class="hint" id="cost-note">
        {say(lang, 'costNote').replace('{month}', props.month)}
      </p>
    </section>
  )
}

/** The provisional results under notice, each with the objection form when no objection is open. */
function NoticeSection(props: {
  lang: Lang
  who: Principal
  notices: ReturnType<Services['selfChecks']['notices']>
  values?: Record<string, string>
  errors?: FieldErrors
}) {
  const { lang, who } = props
  return (
    <>
      {props.notices.map(({ run, row, objections }) => (
        <section data-notice-run={String(run.id)} class="card">
          <h2>
            {say(lang, 'notice')} · {run.year}（{run.noticeFrom} — {run.noticeTo}）
          </h2>
          <p>
            {say(lang, 'provisional')}:{' '}
            <strong data-provisional-class={row.class ?? ''}>{classLabel(lang, row.class)}</strong>{' '}
            · {rankWords(lang, row.rank, row.groupSize)}
          </p>
          {objections.some((o) => o.status === 'open') ? null : (
            <ObjectionForm
              lang={lang}
              who={who}
              runId={run.id}
              values={props.values}
              errors={props.errors}
            />
          )}
        </section>
      ))}
    </>
  )
}

function ObjectionList(props: {
  lang: Lang
  list: ReturnType<Services['evaluations']['objections']>
  years: Map<number, number>
}) {
  const { lang } = props
  return (
    <section id="my-objections" class="noprint">
      <h2>{say(lang, 'objections')}</h2>
      <Table
        head={[
          sayObjection(lang, 'receiptNo'),
          sayObjection(lang, 'filedAt'),
          sayObjection(lang, 'reason'),
          sayObjection(lang, 'state'),
          '',
        ]}
        empty={say(lang, 'noObjections')}
        rows={props.list.map((o) => [
          receiptNo(props.years.get(o.runId) ?? 0, o.id),
          inBeijing(lang, o.filedAt),
          <Data>{o.reason.length > 40 ? `${o.reason.slice(0, 40)}…` : o.reason}</Data>,
          <Badge lang={lang} status={o.status} />,
          <a href={`/my/objection?id=${o.id}&lang=${lang}`}>{say(lang, 'open')}</a>,
        ])}
      />
    </section>
  )
}

/** The whole /my page; `form` carries a refused objection's input and errors. */
export function MyPage(props: {
  lang: Lang
  services: Services
  who: Principal
  form?: { values: Record<string, string>; errors: FieldErrors; message: string }
}) {
  const { lang, services, who } = props
  const code = ownCreditCode(who)!
  const pub = services.selfChecks.published(who)
  const notices = services.selfChecks.notices(who)
  const list = services.evaluations.objections(who, {})
  const years = new Map(services.selfChecks.runsYears(list.map((o) => o.runId)))
  let name = code
  try {
    name = services.enterprises.get(who, code).name
  } catch (e) {
    if (!(e instanceof MujunError)) throw e
  }
  return (
    <Layout lang={lang} title={say(lang, 'title')} path="/my" loggedIn who={who}>
      {props.form ? (
        <Notice kind="error" id="form-error">
          {props.form.message}
        </Notice>
      ) : null}
      <p class="row noprint">
        <button type="button" class="secondary" onclick="window.print()" id="print">
          {say(lang, 'print')}
        </button>
        <a href={`/provenance?code=${code}&lang=${lang}`}>{say(lang, 'why')}</a>
        <a href={`/self-check?lang=${lang}`}>{say(lang, 'selfCheck')}</a>
        <a href={`/my/sheet?lang=${lang}`} id="sheet-link">
          {say(lang, 'sheet')}
        </a>
      </p>
      {pub ? (
        <ResultSheet
          lang={lang}
          pub={pub}
          name={name}
          zone={
            pub.result.zone
              ? services.rulebooks
                  .active()
                  .rulebook.meta.zones.find((z) => z.id === pub.result.zone)?.name
              : undefined
          }
        />
      ) : (
        <p id="no-result">{say(lang, 'noResult')}</p>
      )}
      {pub ? (
        <CostTable
          lang={lang}
          costs={monthlyCosts(services, who, code, pub.run.year)}
          month={services.selfChecks.today().slice(0, 7)}
        />
      ) : null}
      <FirmMeasures lang={lang} answer={services.measures.of(who, code, services.store.today())} />
      <NoticeSection
        lang={lang}
        who={who}
        notices={notices}
        values={props.form?.values}
        errors={props.form?.errors}
      />
      <ObjectionList lang={lang} list={list} years={years} />
    </Layout>
  )
}

function needEnterprise(c: any, lang: Lang, p: Principal | undefined) {
  return c.html(
    <Layout lang={lang} title={say(lang, 'title')} path="/my" loggedIn={!!p} who={p}>
      <p>
        <a href={`/login?lang=${lang}`}>{say(lang, 'needEnterprise')}</a>
      </p>
    </Layout>,
    p ? 403 : 401,
  )
}

export function registerMyPages(app: PageApp, { services, who }: PageDeps) {
  app.get('/my', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!p || ownCreditCode(p) === undefined) return needEnterprise(c, lang, p)
    return c.html(<MyPage lang={lang} services={services} who={p} />)
  })

  // The receipt of one of the enterprise's objections (shown right after it is filed, and from the list).
  app.get('/my/objection', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!p || ownCreditCode(p) === undefined) return needEnterprise(c, lang, p)
    const id = Number(c.req.query('id'))
    const o = services.evaluations.objections(p, {}).find((x) => x.id === id)
    const filed = c.req.query('filed') === '1'
    return c.html(
      <Layout
        lang={lang}
        title={sayObjection(lang, 'receipt')}
        path="/my/objection"
        query={`id=${id}`}
        loggedIn
        who={p}
      >
        {!o ? (
          <Notice kind="error">{say(lang, 'notFound')}</Notice>
        ) : (
          <>
            {filed ? (
              <Notice kind="ok" id="filed">
                {sayObjection(lang, 'filedOk')}
              </Notice>
            ) : null}
            <Receipt
              lang={lang}
              o={o}
              year={services.selfChecks.runsYears([o.runId])[0]?.[1] ?? 0}
            />
            <p class="row noprint">
              <button type="button" class="secondary" onclick="window.print()">
                {say(lang, 'printReceipt')}
              </button>
              <a href={`/my?lang=${lang}`}>{t(lang, 'myResult')}</a>
            </p>
          </>
        )}
      </Layout>,
      o ? 200 : 404,
    )
  })
}
