/** @jsxImportSource hono/jsx */
/**
 * The provenance page: why a firm pays what it pays on a day, and who decided each part (the record of
 * GET /v1/enterprises/{code}/provenance, for people).
 * @module web/provenance-page
 */

import { isCalendarDate } from '../app/evaluations.ts'
import type { FirmMeasures as FirmMeasuresAnswer } from '../app/measures.ts'
import { ownCreditCode } from '../app/permissions.ts'
import type { ProvenanceService } from '../app/provenance.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { EngineWords } from './kit/engine-words.tsx'
import { grouped, inBeijing } from './kit/format.ts'
import { classLabel, RESOURCE_UNIT, resourceLabel, statusLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Badge, Data, Notice } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import { FirmMeasures } from './measures-view.tsx'
import type { PageApp, PageDeps } from './page-kit.ts'

type Provenance = ReturnType<ProvenanceService['of']>

export const PROVENANCE_TITLE = {
  zh: '价格依据与决定记录',
  en: 'Why this price, and who decided it',
}

/** The lookup form, with the record when one was found. */
export function ProvenanceView(props: {
  lang: Lang
  code: string
  date: string
  record?: Provenance
  message?: string
  /** A rating group's label (the bureau's words) by its id. */
  groupLabel?: (id: string) => string | undefined
  /** The measures beyond price the firm's class brings on the date. */
  measures?: FirmMeasuresAnswer
}) {
  const { lang, record } = props
  const zh = lang === 'zh'
  return (
    <div>
      <form method="get" action="/provenance">
        <input type="hidden" name="lang" value={lang} />
        <label>
          <span>{zh ? '统一社会信用代码' : 'Credit code'}</span>
          <input name="code" value={props.code} required maxlength={18} />
        </label>
        <label>
          <span>{zh ? '日期' : 'Date'}</span>
          <input name="date" type="date" value={props.date} required />
        </label>
        <button type="submit">{zh ? '查询' : 'Look up'}</button>
      </form>
      {props.message ? <Notice kind="error">{props.message}</Notice> : ''}
      {record ? <Record lang={lang} record={record} groupLabel={props.groupLabel} /> : ''}
      {record && props.measures ? <FirmMeasures lang={lang} answer={props.measures} /> : ''}
    </div>
  )
}

/** The county overrides in force on the day, each with its steps: who decided, when, on which reference. */
function OverridesInForce({ lang, record }: { lang: Lang; record: Provenance }) {
  const zh = lang === 'zh'
  return (
    <section>
      <h2>{zh ? '生效的县级个性化措施' : 'County overrides in force'}</h2>
      {record.overrides.length === 0 ? <p>{zh ? '无' : 'none'}</p> : ''}
      {record.overrides.map((o) => (
        <div>
          <h3>
            <code>{o.id}</code> · <Data>{o.label}</Data> · <Badge lang={lang} status={o.status} /> ·{' '}
            {zh ? '自' : 'from'} {o.from}
          </h3>
          <table>
            <tr>
              <th>{zh ? '步骤' : 'Step'}</th>
              <th>{zh ? '时间' : 'At'}</th>
              <th>{zh ? '操作人' : 'By'}</th>
              <th>{zh ? '文号' : 'Reference'}</th>
              <th>{zh ? '决定日期' : 'Decision date'}</th>
              <th>{zh ? '理由' : 'Reason'}</th>
            </tr>
            {o.revisions.map((r) => (
              <tr>
                <td>{statusLabel(lang, r.toStatus)}</td>
                <td>{inBeijing(lang, r.at)}</td>
                <td>
                  <Data>{r.by}</Data>
                </td>
                <td>{r.ref ?? '-'}</td>
                <td>{r.decisionDate ?? '-'}</td>
                <td>
                  <Data>{r.reason}</Data>
                </td>
              </tr>
            ))}
          </table>
        </div>
      ))}
    </section>
  )
}

function Record({
  lang,
  record,
  groupLabel,
}: {
  lang: Lang
  record: Provenance
  groupLabel?: (id: string) => string | undefined
}) {
  const zh = lang === 'zh'
  const ev = record.evaluation
  const a = record.rules.activation
  return (
    <div>
      <section>
        <h2>
          <code>{record.creditCode}</code> · {record.date} · {zh ? '类别' : 'class'}{' '}
          <span class={record.class ?? ''}>{classLabel(lang, record.class)}</span>
        </h2>
        <table>
          <tr>
            <th>{zh ? '资源' : 'Resource'}</th>
            <th>{zh ? '加价项目' : 'Schedule'}</th>
            <th class="num">{zh ? '加价（元/单位）' : 'Surcharge (yuan per unit)'}</th>
            <th>{zh ? '理由' : 'Reason'}</th>
            <th>{zh ? '规则出处' : 'Rule'}</th>
          </tr>
          {record.rates.flatMap((r) =>
            r.schedules.map((s) => (
              <tr>
                <td>{resourceLabel(lang, r.resource)}</td>
                <td>
                  <Data>{s.label}</Data>
                  {s.charged ? '' : zh ? '（不叠加收取）' : ' (not charged)'}
                </td>
                <td class="num">
                  {grouped(String(s.rate))} / {RESOURCE_UNIT[r.resource]?.[lang] ?? ''}
                </td>
                <td>
                  <EngineWords lang={lang} text={s.reason} />
                </td>
                <td>
                  {s.origin ? (
                    s.origin.kind === 'county' ? (
                      <>
                        {zh ? '县级措施' : 'county override'} <code>{s.origin.overrideId}</code>
                      </>
                    ) : (
                      <>
                        <code>{s.origin.file}</code>
                        {`${zh ? '，第' : ', line '}${s.origin.line}${zh ? ' 行' : ''}`}
                      </>
                    )
                  ) : (
                    '-'
                  )}
                  {s.assumed ? (zh ? '（假定值）' : ' (assumed)') : ''}
                </td>
              </tr>
            )),
          )}
        </table>
        {record.notes.map((n) => (
          <p class="engine-note">
            <EngineWords lang={lang} text={n} />
          </p>
        ))}
      </section>
      <section>
        <h2>{zh ? '市级规则版本' : 'City rules'}</h2>
        <p>
          {zh ? '版本' : 'Version'} {record.rules.versionId} (
          <code>sha256 {record.rules.hash.slice(0, 12)}</code>) · {zh ? '生效操作' : 'put in force'}{' '}
          {inBeijing(lang, a.at)} · <Data>{a.by}</Data>
          {a.note ? (
            <>
              {' · '}
              <Data>{a.note}</Data>
            </>
          ) : (
            ''
          )}
        </p>
      </section>
      <OverridesInForce lang={lang} record={record} />
      <EvaluationBasis lang={lang} ev={ev} groupLabel={groupLabel} />
      {record.closure ? (
        <section>
          <h2>{zh ? '关停处置' : 'Closure'}</h2>
          <p>
            {zh ? '处置' : 'Disposition'} {record.closure.dispositionId} · {zh ? '完成' : 'done'}{' '}
            {record.closure.completedOn} · {zh ? '核验' : 'verified'}{' '}
            {record.closure.verifiedOn ?? '-'} · {record.closure.verifiedBy ?? '-'} ·{' '}
            {zh ? '自此不收差别价格' : 'nothing charged from'} {record.closure.on}
          </p>
        </section>
      ) : (
        ''
      )}
    </div>
  )
}

/** GET /provenance: why a firm pays what it pays on a day, for anyone logged in who may read its tier. */
export function registerProvenancePage(app: PageApp, { services, who }: PageDeps) {
  // Why a firm pays what it pays on a day, for anyone logged in who may read its tier.
  app.get('/provenance', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const title = PROVENANCE_TITLE[lang]
    if (!p)
      return c.html(
        <Layout lang={lang} title={title} path="/provenance" loggedIn={false}>
          <p>
            <a href={`/login?lang=${lang}`}>{t(lang, 'login')}</a>
          </p>
        </Layout>,
        401,
      )
    const code = (c.req.query('code') ?? ownCreditCode(p) ?? '').trim()
    const asked = c.req.query('date') ?? ''
    const date = isCalendarDate(asked) ? asked : services.provenance.today()
    let record: ReturnType<Services['provenance']['of']> | undefined
    let measures: FirmMeasuresAnswer | undefined
    let message: string | undefined
    let status: 200 | 401 | 403 | 404 | 422 = 200
    if (code) {
      try {
        record = services.provenance.of(p, code, date)
        measures = services.measures.of(p, code, date)
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        message = problemMessage(lang, e)
        status = e.status as typeof status
      }
    }
    return c.html(
      <Layout lang={lang} title={title} path="/provenance" loggedIn who={p}>
        <ProvenanceView
          lang={lang}
          code={code}
          date={date}
          record={record}
          message={message}
          measures={measures}
          groupLabel={(id) =>
            services.rulebooks.active().rulebook.sections.groups.find((g) => g.id === id)?.label
          }
        />
      </Layout>,
      status,
    )
  })
}

/** The evaluation a price rests on: its run, its result for the firm, the figures and the objections. */
function EvaluationBasis({
  lang,
  ev,
  groupLabel,
}: {
  lang: Lang
  ev: Provenance['evaluation']
  groupLabel?: (id: string) => string | undefined
}) {
  const zh = lang === 'zh'
  return (
    <section>
      <h2>{zh ? '所依据的评价' : 'The evaluation it rests on'}</h2>
      {ev ? (
        <div>
          <p>
            {zh ? '评价' : 'Evaluation'} #{ev.id}
            {zh ? `（${ev.year}）` : ` (${ev.year}) `}
            <Badge lang={lang} status={ev.status} /> · {zh ? '计算' : 'run'}{' '}
            {inBeijing(lang, ev.createdAt)} · <Data>{ev.createdBy}</Data>
            {ev.notice ? (
              <>
                {` · ${zh ? '公示' : 'notice'} ${ev.notice.from}–${ev.notice.to} · `}
                <Data>{ev.notice.by}</Data>
              </>
            ) : null}{' '}
            · {zh ? '发布' : 'published'} <span id="published-on">{ev.publishedOn ?? '—'}</span>
            {ev.publishedAt
              ? zh
                ? `（${inBeijing(lang, ev.publishedAt)}记录）`
                : ` (recorded ${inBeijing(lang, ev.publishedAt)})`
              : ''}{' '}
            · <Data>{ev.publishedBy ?? '-'}</Data> · {zh ? '自' : 'binds from'}{' '}
            {ev.bindingFrom ?? '-'}
            {zh ? '起执行' : ''}
          </p>
          {ev.result ? (
            <p>
              {zh ? '结果' : 'Result'}:{' '}
              {ev.result.group ? <Data>{groupLabel?.(ev.result.group) ?? '—'}</Data> : '—'} ·{' '}
              {zh ? '得分' : 'score'} {ev.result.score ?? '-'} · {zh ? '排名' : 'rank'}{' '}
              {ev.result.rank ?? '-'}/{ev.result.groupSize ?? '-'} ·{' '}
              {classLabel(lang, ev.result.initialClass)} → {classLabel(lang, ev.result.class)}
            </p>
          ) : (
            ''
          )}
          {ev.method !== undefined ? (
            <p>
              {zh ? '评价办法' : 'Method'}:{' '}
              {ev.method === null ? (
                zh ? (
                  '全市统一评价办法'
                ) : (
                  'the city’s'
                )
              ) : (
                <>
                  {zh ? '本县（市、区）评价办法' : 'the county’s own'} <code>{ev.method}</code>
                </>
              )}
            </p>
          ) : (
            ''
          )}
          {ev.figures ? (
            <p>
              {zh ? '所评数据' : 'Figures rated'}: {ev.figures.year} v{ev.figures.version} ·{' '}
              {inBeijing(lang, ev.figures.updatedAt)} · <Data>{ev.figures.updatedBy}</Data>
            </p>
          ) : (
            ''
          )}
          {ev.figures?.sources ? (
            <ul id="figure-sources">
              {ev.figures.sources.map((x) => (
                <li>
                  <Data>{x.label}</Data>: {zh ? x.departmentLabel : x.departmentLabelEn} · v
                  {x.version} · {inBeijing(lang, x.submittedAt)} · <Data>{x.submittedBy}</Data>
                  {x.note ? (zh ? '（异议处理后）' : ' (after a dispute)') : ''}
                </li>
              ))}
            </ul>
          ) : (
            ''
          )}
          {ev.objections.map((o) => (
            <p>
              {zh ? '异议' : 'Objection'} {o.id} <Badge lang={lang} status={o.status} /> ·{' '}
              {inBeijing(lang, o.filedAt)} · <Data>{o.filedBy}</Data>: <Data>{o.reason}</Data>
              {' → '}
              <Data>{o.decision ?? '—'}</Data>（{o.classBefore ?? '—'} → {o.classAfter ?? '—'}）·{' '}
              {o.decidedAt ? inBeijing(lang, o.decidedAt) : '—'} · {o.decidedBy ?? '-'}
            </p>
          ))}
        </div>
      ) : (
        <p>{zh ? '当日无已发布评价' : 'No published evaluation binds on this day'}</p>
      )}
    </section>
  )
}
