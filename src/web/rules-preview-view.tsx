/** @jsxImportSource hono/jsx */
/**
 * A city rule preview for people: the change in charges by month, county, class and resource as charts, the
 * months as a table, the first firms affected (all of them downloadable as CSV with Chinese headers).
 * @module web/rules-preview-view
 */
import type { ActPreview } from '../app/changes.ts'
import { Money } from '../pricing/money.ts'
import type { Lang } from './i18n.ts'
import { phrases } from './i18n.ts'
import { num, yuan } from './kit/format.ts'
import { classLabel, countyLabel, resourceLabel } from './kit/labels.ts'
import { Chart, Facts, Table } from './kit/ui.tsx'

export const pw = phrases({
  result: { zh: '影响测算结果', en: 'Preview' },
  horizon: { zh: '测算期间', en: 'Months priced' },
  firmsChanged: { zh: '收费变化的企业', en: 'Firms whose charges change' },
  firmMonths: { zh: '测算企业·月', en: 'Firm-months priced' },
  totalBefore: { zh: '调整前合计', en: 'Total before' },
  totalAfter: { zh: '调整后合计', en: 'Total after' },
  totalChange: { zh: '增减合计', en: 'Change in all' },
  firstDay: { zh: '首个受影响日', en: 'First day affected' },
  none: { zh: '无', en: 'none' },
  byMonth: { zh: '各月差别化加价收入变化', en: 'Change in surcharge revenue per month' },
  byCounty: { zh: '各县（市、区）收入变化', en: 'Change per county' },
  byClass: { zh: '各评价类别收入变化', en: 'Change per class' },
  byResource: { zh: '各资源收入变化', en: 'Change per resource' },
  month: { zh: '月份', en: 'Month' },
  before: { zh: '调整前', en: 'Before' },
  after: { zh: '调整后', en: 'After' },
  changeCol: { zh: '增减', en: 'Change' },
  yuanAxis: { zh: '元', en: 'yuan' },
  firms: { zh: '受影响企业（前 50 家·月）', en: 'Firms affected (first 50 firm-months)' },
  csv: { zh: '下载全部受影响企业（CSV）', en: 'Download every firm affected (CSV)' },
  creditCode: { zh: '统一社会信用代码', en: 'Credit code' },
  county: { zh: '县（市、区）', en: 'County' },
  class: { zh: '评价类别', en: 'Class' },
  resource: { zh: '资源', en: 'Resource' },
  quantity: { zh: '月用量（按年用量折算）', en: 'Monthly use (annual prorated)' },
  omitted: { zh: '另有未列出的企业·月', en: 'Further firm-months not listed' },
  noClass: { zh: '无类别', en: 'no class' },
})

/** The month before `month` (YYYY-MM): a preview's `toMonth` is the month after its last. */
function lastMonth(month: string): string {
  const [y, m] = month.split('-').map(Number)
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`
}

type Sums = Map<string, Money>
function sumBy(
  rows: ActPreview['preview']['rows'],
  key: (r: ActPreview['preview']['rows'][number]) => string,
): Sums {
  const out: Sums = new Map()
  for (const r of rows) out.set(key(r), (out.get(key(r)) ?? new Money(0)).plus(r.change))
  return out
}

const chartOf = (
  lang: Lang,
  title: string,
  sums: Sums,
  name: (k: string) => string,
  horizontal = false,
) => ({
  title,
  categories: [...sums.keys()].map(name),
  series: [{ name: pw(lang, 'changeCol'), data: [...sums.values()].map((m) => m.toNumber()) }],
  valueAxis: pw(lang, 'yuanAxis'),
  horizontal,
})

/** The preview's facts, charts and tables. */
export function PreviewResult(props: { lang: Lang; result: ActPreview; csvHref: string }) {
  const { lang } = props
  const pv = props.result.preview
  const byCounty = sumBy(pv.rows, (r) => r.county)
  const byClass = sumBy(pv.rows, (r) => r.class ?? '')
  const byResource = sumBy(pv.rows, (r) => r.resource)
  return (
    <section id="preview-result">
      <h2>{pw(lang, 'result')}</h2>
      <Facts
        id="preview-facts"
        items={[
          [pw(lang, 'horizon'), `${pv.fromMonth} – ${lastMonth(pv.toMonth)}`],
          [pw(lang, 'firstDay'), props.result.reach.firstDay ?? pw(lang, 'none')],
          [pw(lang, 'firmsChanged'), num(pv.firmsChanged, 0)],
          [pw(lang, 'firmMonths'), num(pv.firmMonths, 0)],
          [pw(lang, 'totalBefore'), yuan(pv.total.before, lang)],
          [pw(lang, 'totalAfter'), yuan(pv.total.after, lang)],
          [
            pw(lang, 'totalChange'),
            <strong id="total-change">{yuan(pv.total.change, lang)}</strong>,
          ],
        ]}
      />
      <Chart
        id="chart-month"
        spec={{
          title: pw(lang, 'byMonth'),
          // YY-MM: two years of months stay readable side by side.
          categories: pv.byMonth.map((m) => m.month.slice(2)),
          series: [{ name: pw(lang, 'changeCol'), data: pv.byMonth.map((m) => Number(m.change)) }],
          valueAxis: pw(lang, 'yuanAxis'),
          categoryAxis: pw(lang, 'month'),
          width: 1100,
        }}
      />
      <Chart
        id="chart-county"
        spec={chartOf(lang, pw(lang, 'byCounty'), byCounty, (k) => countyLabel(lang, k), true)}
      />
      <Chart
        id="chart-class"
        spec={chartOf(
          lang,
          pw(lang, 'byClass'),
          byClass,
          (k) => (k ? classLabel(lang, k) : pw(lang, 'noClass')),
          true,
        )}
      />
      <Chart
        id="chart-resource"
        spec={chartOf(
          lang,
          pw(lang, 'byResource'),
          byResource,
          (k) => resourceLabel(lang, k),
          true,
        )}
      />
      <Table
        id="preview-months"
        head={[pw(lang, 'month'), pw(lang, 'before'), pw(lang, 'after'), pw(lang, 'changeCol')]}
        num={[1, 2, 3]}
        rows={pv.byMonth.map((m) => [
          m.month,
          yuan(m.before, lang),
          yuan(m.after, lang),
          yuan(m.change, lang),
        ])}
      />
      <h3>{pw(lang, 'firms')}</h3>
      <p class="noprint">
        <a class="button secondary" id="preview-csv" href={props.csvHref}>
          {pw(lang, 'csv')}
        </a>
      </p>
      <Table
        id="preview-firms"
        head={[
          pw(lang, 'creditCode'),
          pw(lang, 'county'),
          pw(lang, 'class'),
          pw(lang, 'resource'),
          pw(lang, 'month'),
          pw(lang, 'quantity'),
          pw(lang, 'before'),
          pw(lang, 'after'),
          pw(lang, 'changeCol'),
        ]}
        num={[5, 6, 7, 8]}
        rows={pv.firms
          .slice(0, 50)
          .map((f) => [
            <code>{f.creditCode}</code>,
            countyLabel(lang, f.county),
            f.class ? classLabel(lang, f.class) : '—',
            resourceLabel(lang, f.resource),
            f.month,
            num(f.quantity, 3),
            yuan(f.before, lang),
            yuan(f.after, lang),
            yuan(f.change, lang),
          ])}
        empty={pw(lang, 'none')}
      />
      {pv.firmsOmitted > 0 ? (
        <p class="muted">
          {pw(lang, 'omitted')}: {num(pv.firmsOmitted, 0)}
        </p>
      ) : null}
    </section>
  )
}

const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/** Every firm-month of the preview as CSV, Chinese headers, amounts as stored (yuan, two decimals). */
export function previewCsv(result: ActPreview): string {
  const head = [
    '统一社会信用代码',
    '县（市、区）',
    '评价类别',
    '行业',
    '资源',
    '月份',
    '月用量',
    '调整前（元）',
    '调整后（元）',
    '增减（元）',
  ]
  const lines = result.preview.firms.map((f) =>
    [
      f.creditCode,
      countyLabel('zh', f.county),
      f.class ?? '',
      f.sector ?? '',
      resourceLabel('zh', f.resource),
      f.month,
      f.quantity,
      f.before,
      f.after,
      f.change,
    ]
      .map(cell)
      .join(','),
  )
  return `\uFEFF${[head.join(','), ...lines].join('\r\n')}\r\n`
}
