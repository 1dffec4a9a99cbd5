/** @jsxImportSource hono/jsx */
/**
 * The enterprise self-check page (自查): figures of one's own rated against the published peers of a year, the
 * class a change would reach, a month's electricity surcharge; a logged-in enterprise starts from its stored
 * figures, sees its provisional results under public notice and may object to them here.
 * @module web/self-check-page
 */

import { ownCreditCode } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { ClientRateLimiter } from '../edge-shared/auth-limiter.ts'
import { clientOf } from '../edge-shared/request.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import type { PeerFrame } from '../rating/rate.ts'
import { BenchmarkCell, benchmarkHead } from './benchmark-cell.tsx'
import { type Lang, langOf, phrases, t } from './i18n.ts'
import { num, pct, yuan } from './kit/format.ts'
import { classLabel, countyLabel, RESOURCE_UNIT, resourceLabel, unitLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Badge, Data, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { MeasuresTable } from './measures-view.tsx'
import { MyPage } from './my-page.tsx'
import { ObjectionForm, objectionErrors, receiptNo } from './objection-form.tsx'
import { formOf, type PageApp, type PageDeps } from './page-kit.ts'
import { rankWords } from './rank-words.ts'

/** The figures the self-check form asks for; the rest take their rulebook defaults. */
const FORM_INPUTS = [
  'land_mu',
  'tax',
  'revenue',
  'value_added',
  'energy_tce',
  'electricity_kwh',
  'employees',
  'rd_spend',
  'cod_t',
  'so2_t',
  'nox_t',
  'nh3n_t',
  'production_start_year',
  'above_scale_from_year',
]
const FORM_FLAGS = ['above_scale', 'tenant', 'high_tech', 'tech_centre']

/** The form field of each resource's monthly quantity (electricity keeps its historic name). */
const MONTHLY_FIELD: Record<string, string> = {
  electricity: 'monthly',
  water: 'monthly_water',
  gas: 'monthly_gas',
}

/** Stored flags as a submitted form carries them ("on" when set). */
function flagsOn(values: Record<string, string>, flags: string[]) {
  return Object.fromEntries(
    flags.map((f) => [f, values[f] === 'true' || values[f] === 'on' ? 'on' : '']),
  )
}

/** Anonymous what-if self-checks per client address and minute: each one re-rates the year's peers. */
const ANONYMOUS_SELF_CHECKS_PER_MINUTE = 20

type Rated = ReturnType<Services['selfChecks']['rate']>

/** Everything the page shows: the form's values and errors, and the rating when the figures were sent. */
interface SelfCheck {
  lang: Lang
  p: Principal | undefined
  rulebook: ReturnType<Services['rulebooks']['active']>['rulebook']
  counties: { code: string }[] // of today
  formInputs: string[]
  formFlags: string[]
  years: number[]
  values: Record<string, string>
  note: string
  errors: Record<string, string>
  rated?: Rated
  published?: ReturnType<Services['selfChecks']['published']>
  notices: ReturnType<Services['selfChecks']['notices']>
}

/** The page's model: the form as stored or as submitted, checked, and rated when it is valid. */
function selfCheckOf(
  services: Services,
  p: Principal | undefined,
  lang: Lang,
  submitted?: Record<string, string>,
): SelfCheck {
  const { selfChecks } = services
  const { rulebook } = services.rulebooks.active()
  // Only the form's figures the rules in force know (a rulebook without a tenant list has no `tenant` input).
  const formInputs = FORM_INPUTS.filter((id) => rulebook.inputById.has(id))
  const formFlags = FORM_FLAGS.filter((id) => rulebook.inputById.has(id))
  const years = selfChecks.publishedYears()
  let values: Record<string, string> = {
    county: rulebook.meta.counties[0].code,
    industryCode: '3411',
    year: String(years[0] ?? Number(selfChecks.today().slice(0, 4)) - 1),
    monthly: '100000',
    monthly_water: '0',
    monthly_gas: '0',
    monthly_sewage: '0',
  }
  let note = ''
  // An enterprise that logged in sees its stored figures.
  const stored = submitted ? undefined : selfChecks.stored(p, Number(values.year))
  if (stored) {
    const { figures, ...entry } = stored
    values = {
      ...values,
      ...entry,
      ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, String(v)])),
    }
    note = t(lang, 'stored')
    // A month of each resource from the stored annual use.
    for (const r of rulebook.meta.resources) {
      const annual = Number(r.quantityInput ? (figures[r.quantityInput] ?? 0) : 0)
      values[MONTHLY_FIELD[r.id] ?? `monthly_${r.id}`] = String(
        Math.round((annual / 12) * 100) / 100,
      )
    }
  }
  if (submitted) values = { ...values, ...submitted }
  const model: SelfCheck = {
    counties: selfChecks.counties(),
    lang,
    p,
    rulebook,
    formInputs,
    formFlags,
    years,
    values,
    note,
    errors: {},
    notices: selfChecks.notices(p),
    published: selfChecks.published(p),
  }
  if (submitted) rateSubmitted(services, model, submitted)
  // A logged-in enterprise sees its stored figures rated at once, without pressing the button.
  else if (stored) rateSubmitted(services, model, { ...values, ...flagsOn(values, formFlags) })
  return model
}

/** Checks the submitted figures into `model.errors` and, when all are valid, rates them. */
function rateSubmitted(services: Services, model: SelfCheck, submitted: Record<string, string>) {
  const { lang, rulebook, errors } = model
  const figures: Enterprise['figures'] = {}
  for (const id of model.formInputs) {
    const raw = (submitted[id] ?? '').trim()
    if (raw === '') continue
    const n = Number(raw)
    const input = rulebook.inputById.get(id)!
    if (!/^-?\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n))
      errors[id] = lang === 'zh' ? '请输入数字' : 'enter a number'
    else if (input.min !== undefined && n < input.min)
      errors[id] = lang === 'zh' ? `不能小于 ${input.min}` : `must be at least ${input.min}`
    else figures[id] = n
  }
  for (const id of model.formFlags) figures[id] = submitted[id] === 'on'
  if (!model.counties.some((x) => x.code === submitted.county))
    errors.county = lang === 'zh' ? '请从列表中选择' : 'Choose one of the listed counties'
  if (!/^[A-Z]?\d{2,4}$/.test(submitted.industryCode ?? ''))
    errors.industryCode = lang === 'zh' ? '行业代码为2至4位数字' : '2–4 digits'
  const monthly: Record<string, number> = {}
  for (const r of rulebook.meta.resources) {
    const field = MONTHLY_FIELD[r.id] ?? `monthly_${r.id}`
    const raw = (submitted[field] ?? '').trim()
    const n = Number(raw === '' ? '0' : raw)
    if (!Number.isFinite(n) || n < 0)
      errors[field] = lang === 'zh' ? '请输入非负数字' : 'a non-negative number'
    else monthly[r.id] = n
  }
  const year = Number(submitted.year)
  let peers: PeerFrame | undefined
  try {
    peers = services.selfChecks.peers(model.p, year)
  } catch (e) {
    // No published run of that year (or one without stored peer statistics): said next to the year.
    if (!(e instanceof MujunError)) throw e
    errors.year = problemMessage(lang, e)
  }
  if (!peers || Object.keys(errors).length > 0) return
  model.rated = services.selfChecks.rate(
    peers,
    year,
    {
      creditCode: ownCreditCode(model.p) ?? 'SELF-CHECK',
      name: '自查',
      county: submitted.county,
      industryCode: submitted.industryCode,
      figures,
    },
    monthly,
  )
}

const say = phrases({
  notice: { zh: '评价结果公示', en: 'Evaluation in public notice' },
  provisional: { zh: '暂定类别', en: 'Provisional class' },
  objection: { zh: '异议', en: 'Objection' },
  receipt: { zh: '查看回执', en: 'Receipt' },
  published: { zh: '本企业已发布的评价类别', en: 'Your published class' },
  more: { zh: '查看完整结果单', en: 'See the full result sheet' },
  notReported: { zh: '未报送（取均分）', en: 'not reported (mean points)' },
  indicator: { zh: '指标', en: 'Indicator' },
  value: { zh: '数值', en: 'Value' },
  share: { zh: '得分占比', en: 'Points share' },
  points: { zh: '得分', en: 'Points' },
  cost: { zh: '每月差别化价格加价（估算）', en: 'Monthly surcharge (estimate)' },
  costBasis: {
    zh: '估算按所填数据评出的类别、以次年 1 月的规则计算，不计连续多年同类的加价和县级措施；已发布结果的实际加价见“我的评价”，以供电、供水、供气单位账单为准。',
    en: 'The estimate prices the class these figures give under the rules of the next January, without the surcharges for consecutive years in a class or county overrides; the actual surcharge of a published result is on “My result”, and the utility’s bill is final.',
  },
  resource: { zh: '资源', en: 'Resource' },
  quantity: { zh: '月用量', en: 'Monthly use' },
  surcharge: { zh: '每月加价', en: 'Surcharge per month' },
  monthlyOf: { zh: '每月用量：', en: 'Monthly use: ' },
  applied: { zh: '（已适用）', en: ' (applied)' },
})

/** A rulebook input's label with its unit: Chinese as written; on an English page inside `Data`. */
function inputLabel(m: SelfCheck, id: string) {
  const i = m.rulebook.inputById.get(id)
  const text = i ? `${i.label}${i.unit ? `（${i.unit}）` : ''}` : id
  return m.lang === 'zh' ? text : <Data>{text}</Data>
}

/** The enterprise's provisional results under public notice, each with its objections and the form to object. */
function Notices({ model }: { model: SelfCheck }) {
  const { lang, notices } = model
  return (
    <>
      {notices.map(({ run, row, objections }) => (
        <section class="card" data-notice-run={String(run.id)}>
          <h2>
            {lang === 'zh'
              ? `${run.year}年度评价结果公示（${run.noticeFrom} 至 ${run.noticeTo}）`
              : `${run.year} evaluation in public notice (${run.noticeFrom} to ${run.noticeTo})`}
          </h2>
          <p>
            {say(lang, 'provisional')}:{' '}
            <strong data-provisional-class={row.class ?? ''}>{classLabel(lang, row.class)}</strong>{' '}
            · {t(lang, 'score')} {row.score === null ? '—' : num(row.score, 2)} ·{' '}
            {rankWords(lang, row.rank, row.groupSize)}
          </p>
          {objections.map((o) => (
            <p data-objection-status={o.status}>
              {say(lang, 'objection')} {receiptNo(run.year, o.id)}:{' '}
              <Badge lang={lang} status={o.status} />{' '}
              <a href={`/my/objection?id=${o.id}&lang=${lang}`}>{say(lang, 'receipt')}</a>
            </p>
          ))}
          {objections.some((o) => o.status === 'open') ? null : (
            <ObjectionForm lang={lang} who={model.p} runId={run.id} />
          )}
        </section>
      ))}
    </>
  )
}

/** One figure of the form: its label (with unit), the value typed, its error beside it. */
function FigureField(props: { m: SelfCheck; id: string; label: unknown }) {
  const { m, id } = props
  const error = m.errors[id]
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>{props.label as string}</label>
      <input
        name={id}
        id={id}
        value={m.values[id] ?? ''}
        inputmode="decimal"
        aria-invalid={error ? 'true' : undefined}
      />
      {error ? (
        <small class="field-error" data-error-for={id} role="alert">
          {error}
        </small>
      ) : null}
    </div>
  )
}

/** The form: county, industry, year, the figures the rules in force know, and a month of each resource. */
function SelfCheckForm({ model }: { model: SelfCheck }) {
  const { lang, errors, values, rulebook, years, formInputs, formFlags } = model
  return (
    <form method="post" action={`/self-check?lang=${lang}`} id="self-check">
      <CsrfField who={model.p} />
      <div class="grid">
        <div class={`field${errors.county ? ' has-error' : ''}`}>
          <label for="county">{t(lang, 'county')}</label>
          <select name="county" id="county">
            {model.counties.map((x) => (
              <option value={x.code} selected={x.code === values.county}>
                {countyLabel(lang, x.code)}
              </option>
            ))}
          </select>
          {errors.county ? (
            <small class="field-error" data-error-for="county">
              {errors.county}
            </small>
          ) : null}
        </div>
        <FigureField m={model} id="industryCode" label={t(lang, 'industry')} />
        <div class={`field${errors.year ? ' has-error' : ''}`}>
          <label for="year">{t(lang, 'year')}</label>
          <select name="year" id="year">
            {years.map((y) => (
              <option value={String(y)} selected={String(y) === values.year}>
                {y}
              </option>
            ))}
          </select>
          {errors.year ? (
            <small class="field-error" data-error-for="year">
              {errors.year}
            </small>
          ) : null}
        </div>
        {formInputs.map((id) => (
          <FigureField m={model} id={id} label={inputLabel(model, id)} />
        ))}
        {formFlags.map((id) => (
          <label>
            <input
              type="checkbox"
              name={id}
              id={id}
              checked={values[id] === 'true' || values[id] === 'on'}
            />{' '}
            {inputLabel(model, id)}
          </label>
        ))}
        {rulebook.meta.resources.map((r) => (
          <FigureField
            m={model}
            id={MONTHLY_FIELD[r.id] ?? `monthly_${r.id}`}
            label={`${say(lang, 'monthlyOf')}${resourceLabel(lang, r.id)}${lang === 'zh' ? `（${RESOURCE_UNIT[r.id]?.zh ?? ''}）` : ` (${RESOURCE_UNIT[r.id]?.en ?? ''})`}`}
          />
        ))}
      </div>
      <button type="submit" id="submit">
        {t(lang, 'submit')}
      </button>
    </form>
  )
}

/** The indicators of a rating: value, benchmark, a bar of the points' share, the points. */
function Trace({ model, rated }: { model: SelfCheck; rated: Rated }) {
  const { lang } = model
  const inds = rated.result.indicators
  const maxPoints = Math.max(...inds.map((i) => i.weight * 3), 1)
  return (
    <table id="trace">
      <thead>
        <tr>
          <th scope="col">{say(lang, 'indicator')}</th>
          <th scope="col" class="num">
            {say(lang, 'value')}
          </th>
          <th scope="col" class="num">
            {benchmarkHead(lang, inds)}
          </th>
          <th scope="col">{say(lang, 'share')}</th>
          <th scope="col" class="num">
            {say(lang, 'points')}
          </th>
        </tr>
      </thead>
      <tbody>
        {inds.map((i) => (
          <tr data-indicator={i.id}>
            <td>
              <Data>{i.label}</Data>
            </td>
            <td class="num">
              {Number.isNaN(i.value) ? (
                say(lang, 'notReported')
              ) : (
                <>
                  {num(i.value, 2)} {unitLabel(lang, i.unit)}
                </>
              )}
            </td>
            <td class="num">
              <BenchmarkCell lang={lang} item={i} />
            </td>
            <td>
              <div class="bar" title={`${num(i.points, 2)} / ${num(i.weight, 2)}`}>
                <i style={`width:${Math.min(100, (i.points / maxPoints) * 100).toFixed(1)}%`} />
              </div>
            </td>
            <td class="num">{i.points.toFixed(2)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** The rating: class, score, the rank, each indicator's points, vetoes, a month's surcharges, the moves up. */
function Result({ model, rated }: { model: SelfCheck; rated: Rated }) {
  const { lang } = model
  const { result, moves, monthlyCosts } = rated
  return (
    <section id="result">
      <h2>{t(lang, 'result')}</h2>
      <div class={`class ${result.class ?? ''}`} id="result-class">
        {result.class ? classLabel(lang, result.class) : t(lang, 'notRated')}
      </div>
      {result.status !== 'rated' ? (
        <p class="field-error" id="result-problems">
          <Badge lang={lang} status={result.status} /> <Data>{result.problems.join('；')}</Data>
        </p>
      ) : (
        <p id="result-score">
          {t(lang, 'score')} {result.score?.toFixed(2)} · {t(lang, 'rank')} {result.rank}/
          {result.groupSize} ·{' '}
          <span id="result-rank">{rankWords(lang, result.rank, result.groupSize)}</span>
        </p>
      )}
      <h3>{t(lang, 'indicators')}</h3>
      <Trace model={model} rated={rated} />
      {result.vetoes.length > 0 ? (
        <p>
          {t(lang, 'vetoes')}:{' '}
          {result.vetoes.map((v) => (
            <>
              <Data>{v.label}</Data>
              {v.applied ? say(lang, 'applied') : ''}{' '}
            </>
          ))}
        </p>
      ) : null}
      {monthlyCosts.length > 0 ? (
        <>
          <h3>{say(lang, 'cost')}</h3>
          <Table
            id="monthly-costs"
            head={[say(lang, 'resource'), say(lang, 'quantity'), say(lang, 'surcharge')]}
            num={[1, 2]}
            rows={monthlyCosts.map((c) => [
              resourceLabel(lang, c.resource),
              `${num(c.quantity, 2)} ${RESOURCE_UNIT[c.resource]?.[lang] ?? ''}`,
              <span
                id={c.resource === 'electricity' ? 'monthly-cost' : undefined}
                data-cost={c.resource}
              >
                {yuan(c.total, lang)}
              </span>,
            ])}
          />
          <p class="muted" id="cost-basis">
            {say(lang, 'costBasis')}
          </p>
        </>
      ) : null}
      <MeasuresTable
        lang={lang}
        measures={rated.measures.measures}
        cls={result.class}
        date={rated.measures.date}
      />
      <h3>{t(lang, 'moveUp')}</h3>
      {moves.length === 0 ? (
        <p>{t(lang, 'noMove')}</p>
      ) : (
        <ul id="moves">
          {moves.slice(0, 3).map((m) => (
            <li>
              {t(lang, 'raise')} {inputLabel(model, m.input)} {num(m.from, 2)} {t(lang, 'to')}{' '}
              {num(m.to, 2)} (+{pct(m.change)}) → {t(lang, 'gives')} {classLabel(lang, m.newClass)}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** The enterprise's published class, shown at once after login. */
function PublishedClass({ model }: { model: SelfCheck }) {
  const pub = model.published
  if (!pub) return null
  const { lang } = model
  const r = pub.result
  return (
    <section class="card" id="published">
      <h2>
        {say(lang, 'published')} · {r.year}
      </h2>
      <div class={`class ${r.class ?? ''}`} id="published-class">
        {classLabel(lang, r.class)}
      </div>
      <p>
        {t(lang, 'score')} {r.score === null ? '—' : num(r.score, 2)} ·{' '}
        {rankWords(lang, r.rank, r.groupSize)} ·{' '}
        <a href={`/my?lang=${lang}`}>{say(lang, 'more')}</a>
      </p>
    </section>
  )
}

/** The whole page, with 422 when the submitted figures have errors. */
function SelfCheckPage({ model }: { model: SelfCheck }) {
  const { lang, p, note, errors, rated } = model
  const own = ownCreditCode(p)
  return (
    <Layout lang={lang} title={t(lang, 'title')} path="/self-check" loggedIn={!!p} who={p}>
      {Object.keys(errors).length > 0 ? <Notice kind="error">{t(lang, 'fixErrors')}</Notice> : null}
      <PublishedClass model={model} />
      <Notices model={model} />
      {note ? <Notice kind="info">{note}</Notice> : null}
      {own !== undefined ? (
        <p>
          <a href={`/provenance?code=${own}&lang=${lang}`}>
            {lang === 'zh'
              ? '我为什么付这个价格？谁决定的？'
              : 'Why do I pay this price, and who decided it?'}
          </a>
        </p>
      ) : null}
      <SelfCheckForm model={model} />
      {rated ? <Result model={model} rated={rated} /> : null}
    </Layout>
  )
}

export function registerSelfCheckPages(app: PageApp, { services, who }: PageDeps) {
  const anonymous = new ClientRateLimiter(ANONYMOUS_SELF_CHECKS_PER_MINUTE)
  const page = (c: any, submitted?: Record<string, string>) => {
    const model = selfCheckOf(services, who(c), langOf(c.req.query('lang')), submitted)
    return c.html(<SelfCheckPage model={model} />, Object.keys(model.errors).length > 0 ? 422 : 200)
  }
  app.get('/self-check', (c) => page(c))
  app.post('/self-check', async (c) => {
    if (!who(c)) {
      const wait = anonymous.take(clientOf(c), Date.now())
      if (wait > 0)
        return c.text(
          langOf(c.req.query('lang')) === 'zh'
            ? `本地址自查次数过多，请 ${wait} 秒后重试`
            : `Too many self-checks from this address; try again in ${wait} s`,
          429,
          {
            'Retry-After': String(wait),
          },
        )
    }
    const body = await formOf(c)
    if (!body)
      return c.text(
        langOf(c.req.query('lang')) === 'zh'
          ? '表单内容无法读取，请重新提交'
          : 'The form could not be read',
        400,
      )
    return page(c, Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])))
  })

  // An enterprise's objection to its provisional result (from /my or the self-check page): its receipt once filed;
  // refused, the page it came from again with what was typed and what is wrong beside the field.
  app.post('/objection', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const own = ownCreditCode(p)
    if (!p || own === undefined) return c.redirect(`/login?lang=${lang}`, 303)
    const body = await formOf(c)
    const values = {
      runId: String(body?.runId ?? ''),
      reason: String(body?.reason ?? '').trim(),
      evidence: String(body?.evidence ?? '').trim(),
    }
    const runId = Number(values.runId)
    let errors = objectionErrors(lang, values.reason, values.evidence)
    let message = problemMessage(lang, new MujunError('VALIDATION_FAILED', ''))
    if (Object.keys(errors).length === 0 && Number.isInteger(runId)) {
      try {
        const o = services.evaluations.object(p, runId, { creditCode: own, ...values })
        return c.redirect(`/my/objection?id=${o.id}&filed=1&lang=${lang}`, 303)
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        errors = {}
        message = problemMessage(lang, e)
      }
    }
    return c.html(
      <MyPage lang={lang} services={services} who={p} form={{ values, errors, message }} />,
      422,
    )
  })
}
