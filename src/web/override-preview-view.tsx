/** @jsxImportSource hono/jsx */
/**
 * An override's preview on its page: the change in surcharge revenue by class and resource (chart and table), the
 * totals per resource and the first firms affected. Amounts are added as decimals, never as floats; only the chart's
 * bar lengths are numbers.
 * @module web/override-preview-view
 */
import { Money } from '../pricing/money.ts'
import type { OverridePreview } from '../pricing/override-preview.ts'
import type { Lang } from './i18n.ts'
import { yuan } from './kit/format.ts'
import { classLabel, resourceLabel } from './kit/labels.ts'
import { Chart, Data, Notice, Table } from './kit/ui.tsx'
import { fill, w } from './override-words.ts'

/** What the page knows of the preview: ready, still being computed, or not to be had (and why). */
export type PreviewState =
  | { kind: 'ready'; preview: OverridePreview }
  | { kind: 'pending' }
  | { kind: 'none'; why: 'previewNone' | 'previewClosed' | 'previewFailed' }

interface Cell {
  firms: number
  before: Money
  after: Money
}

/** Sums of the firms' surcharges by their class after the override, per resource. */
export function byClass(pv: OverridePreview): Map<string, Map<string, Cell>> {
  const out = new Map<string, Map<string, Cell>>()
  for (const e of pv.enterprises) {
    const cls = e.classAfter ?? e.classBefore ?? '—'
    const row = out.get(cls) ?? new Map<string, Cell>()
    for (const [res, s] of Object.entries(e.surcharge)) {
      const c = row.get(res) ?? { firms: 0, before: new Money(0), after: new Money(0) }
      c.firms += 1
      c.before = c.before.plus(s.before)
      c.after = c.after.plus(s.after)
      row.set(res, c)
    }
    out.set(cls, row)
  }
  return out
}

export function PreviewSection(props: { lang: Lang; state: PreviewState; self: string }) {
  const { lang, state } = props
  return (
    <section id="preview">
      <h2>{w(lang, 'preview')}</h2>
      {state.kind === 'pending' ? (
        <>
          <meta http-equiv="refresh" content="2" />
          <Notice kind="info" id="preview-pending">
            {w(lang, 'previewPending')} · <a href={props.self}>{w(lang, 'reload')}</a>
          </Notice>
        </>
      ) : state.kind === 'none' ? (
        <p class="muted">{w(lang, state.why)}</p>
      ) : (
        <PreviewBody lang={lang} pv={state.preview} />
      )}
    </section>
  )
}

function PreviewBody(props: { lang: Lang; pv: OverridePreview }) {
  const { lang, pv } = props
  const cells = byClass(pv)
  const classes = [...cells.keys()].sort()
  const resources = Object.keys(pv.revenue)
  const changeOf = (c: Cell | undefined) => (c ? c.after.minus(c.before) : new Money(0))
  const spec = {
    title: w(lang, 'chartTitle'),
    categories: classes.map((c) => (lang === 'zh' ? `${c} 类` : `Class ${c}`)),
    categoryAxis: w(lang, 'axisClass'),
    valueAxis: w(lang, 'axisYuan'),
    series: resources.map((r) => ({
      name: resourceLabel(lang, r),
      data: classes.map((c) => changeOf(cells.get(c)?.get(r)).toNumber()),
    })),
  }
  const rows = classes.flatMap((c) =>
    resources
      .filter((r) => cells.get(c)?.has(r))
      .map((r) => {
        const cell = cells.get(c)!.get(r)!
        return [
          classLabel(lang, c),
          resourceLabel(lang, r),
          String(cell.firms),
          yuan(cell.before.toFixed(2), lang),
          yuan(cell.after.toFixed(2), lang),
          yuan(changeOf(cell).toFixed(2), lang),
        ]
      }),
  )
  return (
    <>
      <p class="muted">
        {fill(w(lang, 'previewBasis'), {
          year: pv.evaluationYear,
          from: pv.pricedFrom,
          to: pv.pricedTo,
        })}
      </p>
      {classes.length > 0 ? <Chart spec={spec} id="preview-chart" /> : null}
      <Table
        id="preview-table"
        head={[
          w(lang, 'classCol'),
          w(lang, 'resource'),
          w(lang, 'firms'),
          w(lang, 'before'),
          w(lang, 'after'),
          w(lang, 'change'),
        ]}
        num={[2, 3, 4, 5]}
        rows={rows}
        empty="—"
      />
      <h3>{w(lang, 'byResource')}</h3>
      <Table
        id="preview-totals"
        head={[w(lang, 'resource'), w(lang, 'before'), w(lang, 'after'), w(lang, 'change')]}
        num={[1, 2, 3]}
        rows={resources.map((r) => [
          resourceLabel(lang, r),
          yuan(pv.revenue[r].before, lang),
          yuan(pv.revenue[r].after, lang),
          yuan(pv.revenue[r].change, lang),
        ])}
      />
      <FirmTable lang={lang} pv={pv} />
    </>
  )
}

function FirmTable(props: { lang: Lang; pv: OverridePreview }) {
  const { lang, pv } = props
  if (pv.enterprises.length === 0) return null
  // A county method changes classes: those firms come first, each with a row even when no surcharge changes.
  const moved = pv.enterprises.filter((e) => e.classBefore !== e.classAfter)
  const shown = [...moved, ...pv.enterprises.filter((e) => e.classBefore === e.classAfter)]
  return (
    <>
      <h3>{w(lang, 'firmList')}</h3>
      {moved.length > 0 ? (
        <p id="preview-class-changes">
          {fill(w(lang, 'classChanges'), { n: moved.length, year: pv.evaluationYear })}
        </p>
      ) : null}
      <Table
        id="preview-firms"
        head={[
          w(lang, 'firmName'),
          w(lang, 'classBefore'),
          w(lang, 'classAfter'),
          w(lang, 'resource'),
          w(lang, 'before'),
          w(lang, 'after'),
        ]}
        num={[4, 5]}
        rows={shown.slice(0, 20).flatMap((e) => {
          const surcharges = Object.entries(e.surcharge)
          if (surcharges.length === 0)
            return [
              [
                <Data>{e.name}</Data>,
                classLabel(lang, e.classBefore),
                classLabel(lang, e.classAfter),
                '—',
                '—',
                '—',
              ],
            ]
          return surcharges.map(([r, s]) => [
            <Data>{e.name}</Data>,
            classLabel(lang, e.classBefore),
            classLabel(lang, e.classAfter),
            resourceLabel(lang, r),
            yuan(s.before, lang),
            yuan(s.after, lang),
          ])
        })}
      />
    </>
  )
}
