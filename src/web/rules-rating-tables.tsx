/** @jsxImportSource hono/jsx */
/**
 * The rating half of the rules in force, as tables: sector tables (conditions → category), scoring plans
 * (indicator, weight, benchmark, cap and floor) and class bands, each with its source and "assumed" mark.
 * @module web/rules-rating-tables
 */
import type { Rulebook } from '../rulebook/compile.ts'
import type { ResolvedRules } from '../rulebook/resolve.ts'
import type { ScoringC } from '../rulebook/types.ts'
import type { Lang } from './i18n.ts'
import { num, pct } from './kit/format.ts'
import { classLabel } from './kit/labels.ts'
import { Data, Table } from './kit/ui.tsx'
import { Period, Src } from './rules-kit.tsx'
import { dimensionLabel, hitLabel, methodLabel, rw } from './rules-words.ts'

export function RatingTables(props: { lang: Lang; rb: Rulebook; resolved: ResolvedRules }) {
  return (
    <>
      <SectorTables {...props} />
      <Scoring {...props} />
      <Classes {...props} />
      <Plots {...props} />
    </>
  )
}

const categoryName = (rb: Rulebook, id: string) =>
  rb.meta.categories.find((c) => c.id === id)?.label ?? '—'

function SectorTables({
  lang,
  rb,
  resolved,
}: {
  lang: Lang
  rb: Rulebook
  resolved: ResolvedRules
}) {
  const sectorName = (id: string) => rb.sectors.find((s) => s.id === id)?.label ?? '—'
  return (
    <section id="sector-tables">
      <h2>{rw(lang, 'sectorTables')}</h2>
      {resolved.sections.sectorTables.length === 0 ? (
        <p class="muted">{rw(lang, 'nothing')}</p>
      ) : null}
      {resolved.sections.sectorTables.map((t) => (
        <div class="card">
          <h3>
            <Data>{t.label}</Data>
          </h3>
          <p>
            {rw(lang, 'sector')}: <Data>{t.sectors.map(sectorName).join('、')}</Data> ·{' '}
            {rw(lang, 'hitPolicy')}: {hitLabel(lang, t.hitPolicy)} · {rw(lang, 'otherwise')}:{' '}
            <Data>{categoryName(rb, t.otherwise)}</Data> · {rw(lang, 'period')}:{' '}
            <Period lang={lang} from={t.from} to={t.to} /> · {rw(lang, 'source')}:{' '}
            <Src lang={lang} source={t.source} assumed={t.assumed} />
          </p>
          <Table
            head={[rw(lang, 'row'), rw(lang, 'category'), rw(lang, 'formula'), rw(lang, 'source')]}
            rows={t.rows.map((r) => [
              <Data>{r.label}</Data>,
              <Data>{categoryName(rb, r.category)}</Data>,
              <code>{r.when}</code>,
              r.source ? <Src lang={lang} source={r.source} /> : <span class="muted">—</span>,
            ])}
          />
        </div>
      ))}
    </section>
  )
}

function benchmarkText(lang: Lang, b: ScoringC['items'][number]['benchmark']): string {
  if ('fixed' in b) return `${rw(lang, 'fixed')} ${num(b.fixed, 4)}`
  const over = b.over.map((d) => dimensionLabel(lang, d)).join(' × ')
  if (b.peer === 'min-max') {
    const range = `${num(b.base)} + ${num(b.span)} × (x − min) / (max − min)`
    return lang === 'zh'
      ? `按${over}${rw(lang, b.peer)}：${range}`
      : `${rw(lang, b.peer)} over ${over}: ${range}`
  }
  const stat = rw(lang, b.peer)
  const times = b.multiple ? ` × ${num(b.multiple)}` : ''
  if (b.year === 'previous')
    return lang === 'zh'
      ? `按${over}${rw(lang, 'previousYear')}${stat}${times}`
      : `${rw(lang, 'previousYear')} ${stat} over ${over}${times}`
  return lang === 'zh' ? `按${over}${stat}${times}` : `${stat} over ${over}${times}`
}

function Scoring({ lang, resolved }: { lang: Lang; rb: Rulebook; resolved: ResolvedRules }) {
  const groupName = (id: string) => resolved.sections.groups.find((g) => g.id === id)?.label ?? '—'
  const indicator = (id: string) => resolved.sections.indicators.find((i) => i.id === id)
  return (
    <section id="scoring">
      <h2>{rw(lang, 'scoring')}</h2>
      {resolved.sections.scoring.map((sc) => (
        <div class="card">
          <h3>
            <Data>{sc.label}</Data>
          </h3>
          <p>
            {rw(lang, 'group')}: <Data>{groupName(sc.group)}</Data> · {rw(lang, 'period')}:{' '}
            <Period lang={lang} from={sc.from} to={sc.to} /> · {rw(lang, 'source')}:{' '}
            <Src lang={lang} source={sc.source} assumed={sc.assumed} />
          </p>
          <Table
            head={[
              rw(lang, 'indicator'),
              rw(lang, 'weight'),
              rw(lang, 'benchmark'),
              rw(lang, 'capFloor'),
            ]}
            num={[1, 3]}
            rows={sc.items.map((it) => {
              const ind = indicator(it.indicator)
              return [
                <Data>
                  {ind?.label ?? '—'}
                  {ind?.unit ? `（${ind.unit}）` : ''}
                </Data>,
                num(it.weight),
                benchmarkText(lang, it.benchmark),
                `${it.cap === undefined ? '—' : num(it.cap)} / ${it.floor === undefined ? '—' : num(it.floor)}`,
              ]
            })}
          />
        </div>
      ))}
    </section>
  )
}

function Classes({ lang, resolved }: { lang: Lang; rb: Rulebook; resolved: ResolvedRules }) {
  const groupName = (id: string) => resolved.sections.groups.find((g) => g.id === id)?.label ?? '—'
  const indicatorName = (id: string) =>
    resolved.sections.indicators.find((i) => i.id === id)?.label ?? '—'
  return (
    <section id="classes">
      <h2>{rw(lang, 'classes')}</h2>
      <Table
        head={[
          rw(lang, 'item'),
          rw(lang, 'group'),
          rw(lang, 'method'),
          rw(lang, 'rankedWithin'),
          rw(lang, 'bands'),
          rw(lang, 'ties'),
          rw(lang, 'period'),
          rw(lang, 'source'),
        ]}
        rows={resolved.sections.classes.map((cs) => [
          <Data>{cs.label}</Data>,
          <Data>{cs.groups.map(groupName).join('、')}</Data>,
          methodLabel(lang, cs.method),
          <span>
            {cs.over.map((d) => dimensionLabel(lang, d)).join(' × ')}
            {cs.industries ? (
              <ul>
                {cs.industries.map((g) => (
                  <li>
                    <Data>{g.label}</Data>
                    {lang === 'zh' ? '：' : ': '}
                    {g.industryCodes.length
                      ? g.industryCodes.join(', ')
                      : lang === 'zh'
                        ? '其余行业代码'
                        : 'every other industry code'}
                  </li>
                ))}
              </ul>
            ) : null}
          </span>,
          <ul class="bands">
            {cs.bands.map((b) => (
              <li>
                {classLabel(lang, b.class)}:{' '}
                {b.share !== undefined
                  ? pct(b.share, 0)
                  : `${lang === 'zh' ? '不低于' : 'at least'} ${num(b.minScore ?? 0)} ${lang === 'zh' ? '分' : 'points'}`}
              </li>
            ))}
          </ul>,
          <span>
            {cs.tieBreak.length ? <Data>{cs.tieBreak.map(indicatorName).join('、')}</Data> : null}
            {cs.tieBreak.length ? (lang === 'zh' ? '，' : ', ') : ''}
            {rw(lang, 'creditCodeTie')}
          </span>,
          <Period lang={lang} from={cs.from} to={cs.to} />,
          <Src lang={lang} source={cs.source} assumed={cs.assumed} />,
        ])}
        empty={rw(lang, 'nothing')}
      />
    </section>
  )
}

/** How the tenants of one plot are rated (the `plots` rule in force): together on the plot's figures, or alone. */
function Plots({ lang, rb, resolved }: { lang: Lang; rb: Rulebook; resolved: ResolvedRules }) {
  const zh = lang === 'zh'
  const names = (ids: string[] | undefined) =>
    ids?.length ? <Data>{ids.map((i) => rb.inputById.get(i)?.label ?? '—').join('、')}</Data> : '—'
  const how: [string, 'sum' | 'same' | 'any' | 'min' | 'max'][] = [
    [zh ? '各租户合计' : 'Summed over the tenants', 'sum'],
    [
      zh
        ? '宗地数据（计一次，各租户须一致）'
        : 'The plot’s, counted once (the same for every tenant)',
      'same',
    ],
    [zh ? '任一租户为“是”即为“是”' : 'Yes when any tenant’s is', 'any'],
    [zh ? '取最小值' : 'The smallest', 'min'],
    [zh ? '取最大值' : 'The largest', 'max'],
  ]
  return (
    <section id="plots">
      <h2>{zh ? '共用宗地企业的评价' : 'Firms sharing one land plot'}</h2>
      {resolved.sections.plots.length === 0 ? <p class="muted">{rw(lang, 'nothing')}</p> : null}
      {resolved.sections.plots.map((p) => (
        <div class="card">
          <h3>
            <Data>{p.label}</Data>
          </h3>
          <p>
            {zh ? '宗地按' : 'Plot by'} <Data>{rb.inputById.get(p.plot)?.label ?? '—'}</Data> ·{' '}
            {p.together
              ? zh
                ? '同一宗地上的企业合并为一个评价单元，各企业取该单元的评价结果'
                : 'the firms on one plot are rated as one unit, and each gets its result'
              : zh
                ? '同一宗地上的企业分别评价'
                : 'the firms on one plot are rated each alone'}{' '}
            · {rw(lang, 'period')}: <Period lang={lang} from={p.from} to={p.to} /> ·{' '}
            {rw(lang, 'source')}: <Src lang={lang} source={p.source} assumed={p.assumed} />
          </p>
          {p.together ? (
            <Table
              head={[zh ? '合并方式' : 'How', zh ? '数据项' : 'Figures']}
              rows={how.map(([words, list]) => [words, names(p[list])])}
            />
          ) : null}
        </div>
      ))}
    </section>
  )
}
