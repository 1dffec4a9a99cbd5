/** @jsxImportSource hono/jsx */
/**
 * The departments' measures (/measures): the measures beyond price a visitor may list (a department its own, the
 * bureau and the economy office all), each measure's firms on a day (/measures/list), and their downloads as CSV
 * with Chinese headers or NDJSON. Every list goes through services.measures, as the API does.
 * @module web/measures-page
 */
import type { Context } from 'hono'
import { isCalendarDate } from '../app/evaluations.ts'
import { measureKindLabel, measureValueText } from '../app/measure-words.ts'
import type { MeasureListAnswer } from '../app/measures.ts'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import { type Lang, langOf, phrases } from './i18n.ts'
import { classLabel, countyLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Data, Notice, Table } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import type { PageApp, PageDeps, Visitor } from './page-kit.ts'

const w = phrases({
  title: { zh: '资源要素差别化措施名单', en: 'Measures beyond price: lists of firms' },
  intro: {
    zh: '按亩均评价类别实施的用地、用能、有序用电、排污权、信贷、税收和奖励措施；每项措施由一个部门实施，可下载其适用企业名单。',
    en: 'Land, energy-use, orderly power use, emission permit, credit, tax and award measures by class; each is applied by one department, which downloads the list of the firms it applies to.',
  },
  date: { zh: '日期', en: 'Date' },
  show: { zh: '查询', en: 'Show' },
  measure: { zh: '措施', en: 'Measure' },
  kind: { zh: '类型', en: 'Kind' },
  department: { zh: '实施部门', en: 'Applied by' },
  classes: { zh: '适用类别', en: 'Classes' },
  list: { zh: '查看名单', en: 'View the list' },
  csv: { zh: '下载 CSV', en: 'Download CSV' },
  ndjson: { zh: '下载 NDJSON', en: 'Download NDJSON' },
  none: { zh: '该日没有您可查看的措施', en: 'No measure you may list is in force on that day' },
  firms: { zh: '适用企业', en: 'Firms' },
  code: { zh: '统一社会信用代码', en: 'Credit code' },
  name: { zh: '企业名称', en: 'Name' },
  county: { zh: '县（市、区）', en: 'County' },
  class: { zh: '评价类别', en: 'Class' },
  value: { zh: '措施内容', en: 'What applies' },
  count: { zh: '家企业', en: 'firms' },
  back: { zh: '返回措施列表', en: 'Back to the measures' },
  noFirm: { zh: '该日没有适用企业', en: 'No firm on that day' },
  needLogin: { zh: '请用部门令牌登录', en: 'Log in with a department token' },
  forbidden: {
    zh: '您的令牌不能查看该措施名单',
    en: 'Your token may not read this list',
  },
})

export function registerMeasurePages(app: PageApp, { services, who }: PageDeps) {
  const gate = (c: Context) => {
    const p = who(c)
    return can(p, 'measures.list') ? p : undefined
  }
  const refused = (
    c: Context,
    lang: Lang,
    p: Visitor | undefined,
    message?: string,
    status?: 404,
  ) =>
    c.html(
      <Layout lang={lang} title={w(lang, 'title')} path="/measures" loggedIn={!!p} who={p}>
        <Notice kind="error" id="refused">
          {p ? (
            (message ?? w(lang, 'forbidden'))
          ) : (
            <a href={`/login?lang=${lang}`}>{w(lang, 'needLogin')}</a>
          )}
        </Notice>
      </Layout>,
      status ?? (p ? 403 : 401),
    )
  const dateOf = (c: Context) => {
    const asked = c.req.query('date') ?? ''
    return isCalendarDate(asked) ? asked : services.store.today()
  }

  app.get('/measures', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = gate(c)
    if (!p) return refused(c, lang, who(c))
    return c.html(<IndexPage lang={lang} who={p} services={services} date={dateOf(c)} />)
  })

  app.get('/measures/list', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = gate(c)
    if (!p) return refused(c, lang, who(c))
    const date = dateOf(c)
    const id = c.req.query('id') ?? ''
    try {
      const l = services.measures.list(p, id, date)
      return c.html(<ListPage lang={lang} who={p} list={l} />)
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return refused(c, lang, p, problemMessage(lang, e), e.status === 404 ? 404 : undefined)
    }
  })

  for (const format of ['csv', 'ndjson'] as const)
    app.get(`/measures/list.${format}`, (c) => {
      const lang = langOf(c.req.query('lang'))
      const p = gate(c)
      if (!p) return refused(c, lang, who(c))
      const date = dateOf(c)
      const id = c.req.query('id') ?? ''
      try {
        const body =
          format === 'csv'
            ? services.measures.listCsv(p, id, date)
            : services.measures.listNdjson(p, id, date)
        return c.body(body, 200, {
          'content-type':
            format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
          'content-disposition': `attachment; filename="${id}-${date}.${format}"`,
        })
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        return c.text(problemMessage(lang, e), e.status as 403)
      }
    })
}

function DateForm(props: { lang: Lang; date: string; action: string }) {
  const { lang } = props
  return (
    <form method="get" action={props.action} class="row">
      <input type="hidden" name="lang" value={lang} />
      <label>
        <span>{w(lang, 'date')}</span>
        <input name="date" type="date" value={props.date} required />
      </label>
      <button type="submit">{w(lang, 'show')}</button>
    </form>
  )
}

/** The measures a visitor may list on a day, with their lists and downloads. */
function IndexPage(props: { lang: Lang; who: Visitor; services: Services; date: string }) {
  const { lang, services, date } = props
  const measures = services.measures.listable(props.who, date)
  const departments = services.rulebooks.active().rulebook.meta.departments
  const dept = (id: string) => {
    const d = departments.find((x) => x.id === id)
    return lang === 'en' ? (d?.labelEn ?? d?.label ?? '—') : (d?.label ?? '—')
  }
  const q = (id: string) => `id=${encodeURIComponent(id)}&date=${date}&lang=${lang}`
  return (
    <Layout lang={lang} title={w(lang, 'title')} path="/measures" loggedIn who={props.who}>
      <p>{w(lang, 'intro')}</p>
      <DateForm lang={lang} date={date} action="/measures" />
      <Table
        id="measure-lists"
        head={[
          w(lang, 'measure'),
          w(lang, 'department'),
          w(lang, 'classes'),
          w(lang, 'list'),
          w(lang, 'csv'),
        ]}
        empty={w(lang, 'none')}
        rows={measures.map((m) => [
          <span data-measure={m.id}>
            {measureKindLabel(lang, m.kind)}
            {lang === 'zh' ? (
              <>
                {' · '}
                <Data>{m.label}</Data>
              </>
            ) : null}
          </span>,
          dept(m.department),
          m.values.map((v) => v.class).join(lang === 'zh' ? '、' : ', '),
          <a href={`/measures/list?${q(m.id)}`}>{w(lang, 'list')}</a>,
          <span class="row">
            <a href={`/measures/list.csv?${q(m.id)}`} download>
              CSV
            </a>{' '}
            <a href={`/measures/list.ndjson?${q(m.id)}`} download>
              NDJSON
            </a>
          </span>,
        ])}
      />
    </Layout>
  )
}

/** One measure's firms on a day, in the department's working order, with its downloads. */
function ListPage(props: { lang: Lang; who: Visitor; list: MeasureListAnswer }) {
  const { lang, list: l } = props
  const { date } = l
  const q = `id=${encodeURIComponent(l.measure.id)}&date=${date}&lang=${lang}`
  return (
    <Layout lang={lang} title={w(lang, 'title')} path="/measures" loggedIn who={props.who}>
      <h2 id="list-title">
        {measureKindLabel(lang, l.measure.kind)}
        {lang === 'zh' ? (
          <>
            {' · '}
            <Data>{l.measure.label}</Data>
          </>
        ) : null}{' '}
        · {date} · <span id="list-count">{l.count}</span> {w(lang, 'count')}
      </h2>
      <p class="row">
        <a href={`/measures?date=${date}&lang=${lang}`}>{w(lang, 'back')}</a>
        <a href={`/measures/list.csv?${q}`} download>
          {w(lang, 'csv')}
        </a>
        <a href={`/measures/list.ndjson?${q}`} download>
          {w(lang, 'ndjson')}
        </a>
      </p>
      <Table
        id="list-firms"
        head={[
          '#',
          w(lang, 'code'),
          w(lang, 'name'),
          w(lang, 'county'),
          w(lang, 'class'),
          w(lang, 'value'),
        ]}
        num={[0]}
        empty={w(lang, 'noFirm')}
        rows={l.firms.map((f, i) => [
          String(i + 1),
          <code>{f.creditCode}</code>,
          <Data>{f.name}</Data>,
          countyLabel(lang, f.county),
          classLabel(lang, f.class),
          measureValueText(lang, l.measure.kind, f.value),
        ])}
      />
    </Layout>
  )
}
