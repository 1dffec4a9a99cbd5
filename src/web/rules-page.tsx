/** @jsxImportSource hono/jsx */
/**
 * The pricing bureau's rules pages. `/rules`: the rules in force for a county on a date as readable tables
 * (surcharges by resource × class or category × sector × period, sector tables, scoring plans, class bands), each
 * value with its source document and its "assumed" mark. The other rules pages are mounted from here.
 * @module web/rules-page
 */
import { isCalendarDate } from '../app/evaluations.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import type { ResolvedRules } from '../rulebook/resolve.ts'
import type { Lang } from './i18n.ts'
import { countyLabel, resourceLabel } from './kit/labels.ts'
import { Data, Table } from './kit/ui.tsx'
import type { PageApp, PageDeps } from './page-kit.ts'
import { cellsOf, cellValue, unitOf } from './rules-cells.ts'
import { registerRulesChangePages } from './rules-change-page.tsx'
import { registerRulesEditorPages } from './rules-editor-page.tsx'
import { gate, Period, RulesShell, Src } from './rules-kit.tsx'
import { RatingTables } from './rules-rating-tables.tsx'
import { registerRulesVersionPages } from './rules-versions-page.tsx'
import { basisLabel, rw, stackLabel } from './rules-words.ts'

export function registerRulesPages(app: PageApp, deps: PageDeps) {
  app.get('/rules', (c) => {
    const g = gate(deps, c, 'rulebook.read')
    if ('denied' in g) return g.denied
    const { lang, p } = g
    const today = deps.services.store.today()
    const asked = c.req.query('date') ?? ''
    const date = isCalendarDate(asked) ? asked : today
    const countyAsked = c.req.query('county') ?? ''
    const rb = deps.services.rulebooks.active().rulebook
    const county = rb.meta.counties.some((x) => x.code === countyAsked) ? countyAsked : undefined
    const { active, resolved } = deps.services.rulebooks.resolved(p, county, date)
    const query = `date=${date}${county ? `&county=${county}` : ''}`
    return c.html(
      <RulesShell lang={lang} who={p} path="/rules" title={rw(lang, 'title')} query={query}>
        <form method="get" action="/rules" class="row noprint" id="rules-when">
          <input type="hidden" name="lang" value={lang} />
          <label>
            {rw(lang, 'date')} <input type="date" name="date" id="date" value={date} />
          </label>
          <label>
            {rw(lang, 'county')}{' '}
            <select name="county" id="county">
              <option value="">{rw(lang, 'cityOnly')}</option>
              {rb.meta.counties
                .filter((x) => x.code !== rb.meta.jurisdiction.code)
                .map((x) => (
                  <option value={x.code} selected={x.code === county}>
                    {countyLabel(lang, x.code)}
                  </option>
                ))}
            </select>
          </label>
          <button type="submit">{rw(lang, 'show')}</button>
        </form>
        <p class="muted">
          {rw(lang, 'version')} {active.id} · {date} {rw(lang, 'inForceOn')}
          {county ? ` · ${countyLabel(lang, county)}` : ''}
        </p>
        <p class="hint">{rw(lang, 'assumedNote')}</p>
        <Surcharges
          lang={lang}
          rb={active.rulebook}
          resolved={resolved}
          canChange={p.role === 'bureau'}
        />
        <RatingTables lang={lang} rb={active.rulebook} resolved={resolved} />
      </RulesShell>,
    )
  })
  registerRulesChangePages(app, deps)
  registerRulesVersionPages(app, deps)
  registerRulesEditorPages(app, deps)
}

/** Surcharges: one row per rate cell, grouped by resource, with the schedule's sectors, period and source. */
function Surcharges(props: {
  lang: Lang
  rb: Rulebook
  resolved: ResolvedRules
  canChange: boolean
}) {
  const { lang, rb, resolved } = props
  const sectorName = (id: string) => rb.sectors.find((s) => s.id === id)?.label ?? '—'
  const rows = resolved.sections.surcharges.flatMap((s) =>
    cellsOf(rb, s, lang).map((cell, j) => [
      j === 0 ? resourceLabel(lang, s.resource) : '',
      j === 0 ? <Data>{s.label}</Data> : '',
      j === 0 ? basisLabel(lang, s.basis) : '',
      j === 0 ? (
        s.sectors ? (
          <Data>{s.sectors.map(sectorName).join('、')}</Data>
        ) : (
          rw(lang, 'allSectors')
        )
      ) : (
        ''
      ),
      cell.zhData ? <Data>{cell.name}</Data> : cell.name,
      <span data-schedule={s.id} data-path={cell.path}>
        {cellValue(lang, cell, unitOf(rb, s.resource))}
      </span>,
      <Period lang={lang} from={s.from} to={s.to} />,
      <Src lang={lang} source={s.source} assumed={s.assumed} />,
      props.canChange ? (
        <a
          class="noprint"
          style="white-space:nowrap"
          href={`/rules/change?lang=${lang}&cell=${encodeURIComponent(`${s.id}|${cell.path}`)}`}
        >
          {rw(lang, 'changeShort')}
        </a>
      ) : (
        ''
      ),
    ]),
  )
  return (
    <section>
      <h2>{rw(lang, 'surcharges')}</h2>
      <Table
        id="surcharges"
        head={[
          rw(lang, 'resource'),
          rw(lang, 'item'),
          rw(lang, 'basis'),
          rw(lang, 'sector'),
          rw(lang, 'cell'),
          rw(lang, 'rate'),
          rw(lang, 'period'),
          rw(lang, 'source'),
          '',
        ]}
        rows={rows}
        num={[5]}
        empty={rw(lang, 'nothing')}
      />
      <h3>{rw(lang, 'stacking')}</h3>
      <Table
        id="stacking"
        head={[rw(lang, 'resource'), rw(lang, 'item'), rw(lang, 'stacking'), rw(lang, 'source')]}
        rows={resolved.sections.stacking.map((x) => [
          resourceLabel(lang, x.resource),
          <Data>{x.label}</Data>,
          stackLabel(lang, x.mode),
          <Src lang={lang} source={x.source} assumed={x.assumed} />,
        ])}
        empty={rw(lang, 'nothing')}
      />
    </section>
  )
}
