/** @jsxImportSource hono/jsx */
/**
 * The measures beyond price a class brings, as the pages show them (self-check, /my, provenance): what each means
 * for the firm, the department that applies it and its source, in Chinese and English.
 * @module web/measures-view
 */
import { measureKindLabel, measureValueText } from '../app/measure-words.ts'
import type { AppliedMeasure } from '../pricing/measures.ts'
import { type Lang, phrases } from './i18n.ts'
import { classLabel } from './kit/labels.ts'
import { Data, Table } from './kit/ui.tsx'

export const mw = phrases({
  title: { zh: '该类别带来的资源要素差别化措施', en: 'Measures beyond price this class brings' },
  measure: { zh: '措施', en: 'Measure' },
  means: { zh: '对企业意味着', en: 'What it means for the firm' },
  department: { zh: '实施部门', en: 'Applied by' },
  source: { zh: '依据', en: 'Source' },
  since: { zh: '施行日期', en: 'In force from' },
  assumed: { zh: '假定值', en: 'Assumed value' },
  assumedNote: {
    zh: '标“假定值”的措施在所查文件中未找到具体数值，由规则制定部门选定，理由见规则说明。',
    en: 'A measure marked “assumed” has no value in the documents found; the rule makers chose one, and the rule says why.',
  },
  none: { zh: '该日没有适用于本类别的措施', en: 'No measure applies to this class on the day' },
  noClass: {
    zh: '尚无生效的评价类别，暂无资源要素差别化措施',
    en: 'No class binds yet, so no measure beyond price applies',
  },
  onDate: { zh: '查询日期', en: 'On' },
})

/** The measures of one class on a date, one row each, with their sources. */
export function MeasuresTable(props: {
  lang: Lang
  measures: AppliedMeasure[]
  cls: string | null
  date: string
  id?: string
}) {
  const { lang, measures } = props
  const id = props.id ?? 'measures'
  return (
    <section id={id}>
      <h3>
        {mw(lang, 'title')}
        {props.cls ? ` · ${classLabel(lang, props.cls)}` : ''}
      </h3>
      <p class="muted">
        {mw(lang, 'onDate')} {props.date}
      </p>
      {props.cls === null ? (
        <p id={`${id}-none`}>{mw(lang, 'noClass')}</p>
      ) : (
        <Table
          id={`${id}-table`}
          head={[
            mw(lang, 'measure'),
            mw(lang, 'means'),
            mw(lang, 'department'),
            mw(lang, 'source'),
            mw(lang, 'since'),
          ]}
          empty={mw(lang, 'none')}
          rows={measures.map((m) => [
            <span data-measure={m.id}>
              {measureKindLabel(lang, m.kind)}
              {lang === 'zh' ? (
                <>
                  <br />
                  <Data>{m.label}</Data>
                </>
              ) : null}
            </span>,
            <span data-measure-value={m.id}>{measureValueText(lang, m.kind, m.value)}</span>,
            lang === 'en' ? (m.department.labelEn ?? m.department.label) : m.department.label,
            <span>
              <Data>
                {m.source.document}
                {m.source.article ? ` ${m.source.article}` : ''}
              </Data>
              {m.assumed ? (
                <>
                  {' '}
                  <span class="badge st-pending" title={m.note ?? undefined}>
                    {mw(lang, 'assumed')}
                  </span>
                </>
              ) : null}
            </span>,
            <span style="white-space:nowrap">{m.from}</span>,
          ])}
        />
      )}
      {measures.some((m) => m.assumed) ? <p class="muted">{mw(lang, 'assumedNote')}</p> : null}
    </section>
  )
}

/** A firm's measures on a day, as the API answers them (its binding class), in a card of their own. */
export function FirmMeasures(props: {
  lang: Lang
  answer: { class: string | null; date: string; measures: AppliedMeasure[] }
  id?: string
}) {
  const { lang, answer } = props
  return (
    <section class="card" id={props.id ?? 'firm-measures'}>
      <MeasuresTable
        lang={lang}
        measures={answer.measures}
        cls={answer.class}
        date={answer.date}
        id={`${props.id ?? 'firm-measures'}-list`}
      />
    </section>
  )
}
