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
import { type Lang, langOf, t } from './i18n.ts'
import { CsrfField, Layout } from './layout.tsx'
import { problemMessage } from './kit/problems.ts'
import { MyPage } from './my-page.tsx'
import { objectionErrors } from './objection-form.tsx'
import { formOf, type PageApp, type PageDeps } from './page-kit.ts'

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

/** Anonymous what-if self-checks per client address and minute: each one re-rates the year's peers. */
const ANONYMOUS_SELF_CHECKS_PER_MINUTE = 20

type Rated = ReturnType<Services['selfChecks']['rate']>

/** Everything the page shows: the form's values and errors, and the rating when the figures were sent. */
interface SelfCheck {
  lang: Lang
  p: Principal | undefined
  rulebook: ReturnType<Services['rulebooks']['active']>['rulebook']
  formInputs: string[]
  formFlags: string[]
  years: number[]
  values: Record<string, string>
  note: string
  errors: Record<string, string>
  rated?: Rated
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
  }
  if (submitted) values = { ...values, ...submitted }
  const model: SelfCheck = {
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
  }
  if (submitted) rateSubmitted(services, model, submitted)
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
  if (!rulebook.meta.counties.some((x) => x.code === submitted.county)) errors.county = '?'
  if (!/^[A-Z]?\d{2,4}$/.test(submitted.industryCode ?? ''))
    errors.industryCode = lang === 'zh' ? '行业代码为2至4位数字' : '2–4 digits'
  const monthly = Number(submitted.monthly ?? '0')
  if (!Number.isFinite(monthly) || monthly < 0)
    errors.monthly = lang === 'zh' ? '请输入非负数字' : 'a non-negative number'
  const year = Number(submitted.year)
  let peers: PeerFrame | undefined
  try {
    peers = services.selfChecks.peers(model.p, year)
  } catch (e) {
    // No published run of that year (or one without stored peer statistics): said next to the year.
    if (!(e instanceof MujunError)) throw e
    errors.year = e.message
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

const classLabelOf = (m: SelfCheck) => (id: string | null) =>
  m.rulebook.meta.classes.find((x) => x.id === id)?.label ?? t(m.lang, 'notRated')

/** The enterprise's provisional results under public notice, each with its objections and the form to object. */
function Notices({ model }: { model: SelfCheck }) {
  const { lang, notices } = model
  const zh = lang === 'zh'
  const classLabel = classLabelOf(model)
  return (
    <>
      {notices.map(({ run, row, objections }) => (
        <section class="notice" data-notice-run={String(run.id)}>
          <h2>
            {zh
              ? `${run.year}年度评价结果公示（${run.noticeFrom} 至 ${run.noticeTo}）`
              : `${run.year} evaluation in public notice (${run.noticeFrom} to ${run.noticeTo})`}
          </h2>
          <p>
            {zh ? '暂定等级' : 'Provisional class'}:{' '}
            <strong data-provisional-class>{row.class ?? '-'}</strong> {classLabel(row.class)} ·{' '}
            {zh ? '得分' : 'score'} {row.score?.toFixed(2) ?? '-'} · {zh ? '排名' : 'rank'}{' '}
            {row.rank ?? '-'}/{row.groupSize ?? '-'}
          </p>
          {objections.map((o) => (
            <p data-objection-status={o.status}>
              {zh ? '异议' : 'Objection'} #{o.id}:{' '}
              {zh ? { open: '复核中', upheld: '已采纳', rejected: '未采纳' }[o.status] : o.status}
              {o.decision ? ` — ${o.decision}` : ''}
            </p>
          ))}
          {objections.some((o) => o.status === 'open') ? (
            ''
          ) : (
            <form method="post" action={`/objection?lang=${lang}`} id="objection">
              <CsrfField who={model.p} />
              <input type="hidden" name="runId" value={String(run.id)} />
              <label>
                <span>{zh ? '异议理由' : 'Reason'}</span>
                <textarea name="reason" required minlength={5} maxlength={4000} />
              </label>
              <label>
                <span>{zh ? '证明材料' : 'Evidence'}</span>
                <textarea name="evidence" required maxlength={4000} />
              </label>
              <button type="submit">{zh ? '提出异议' : 'File an objection'}</button>
            </form>
          )}
        </section>
      ))}
    </>
  )
}

/** The form: county, industry, year, the figures the rules in force know, and a month's electricity. */
function SelfCheckForm({ model }: { model: SelfCheck }) {
  const { lang, errors, values, rulebook, years, formInputs, formFlags } = model
  const field = (id: string, label: string) => (
    <label class={errors[id] ? 'field-error' : ''}>
      <span>{label}</span>
      <input name={id} id={id} value={values[id] ?? ''} inputmode="decimal" />
      {errors[id] ? (
        <em class="err" data-error-for={id}>
          {errors[id]}
        </em>
      ) : (
        ''
      )}
    </label>
  )
  return (
    <form method="post" action={`/self-check?lang=${lang}`} id="self-check">
      <CsrfField who={model.p} />
      <div class="grid">
        <label class={errors.county ? 'field-error' : ''}>
          <span>{t(lang, 'county')}</span>
          <select name="county" id="county">
            {rulebook.meta.counties.map((x) => (
              <option value={x.code} selected={x.code === values.county}>
                {x.name} {x.code}
              </option>
            ))}
          </select>
        </label>
        {field('industryCode', t(lang, 'industry'))}
        <label class={errors.year ? 'field-error' : ''}>
          <span>{t(lang, 'year')}</span>
          <select name="year" id="year">
            {years.map((y) => (
              <option value={String(y)} selected={String(y) === values.year}>
                {y}
              </option>
            ))}
          </select>
          {errors.year ? (
            <em class="err" data-error-for="year">
              {errors.year}
            </em>
          ) : (
            ''
          )}
        </label>
        {formInputs.map((id) => {
          const i = rulebook.inputById.get(id)!
          return field(id, `${lang === 'zh' ? i.label : i.id} (${i.unit ?? ''})`)
        })}
        {formFlags.map((id) => (
          <label>
            <input
              type="checkbox"
              name={id}
              id={id}
              checked={values[id] === 'true' || values[id] === 'on'}
            />{' '}
            {lang === 'zh' ? rulebook.inputById.get(id)!.label : id}
          </label>
        ))}
        {field('monthly', t(lang, 'monthly'))}
      </div>
      <button type="submit" id="submit">
        {t(lang, 'submit')}
      </button>
    </form>
  )
}

/** The rating: class, score, each indicator's points, vetoes, a month's surcharge and the moves up a class. */
function Result({ model, rated }: { model: SelfCheck; rated: Rated }) {
  const { lang, rulebook } = model
  const { result, moves, monthlyCost } = rated
  const zh = lang === 'zh'
  const classLabel = classLabelOf(model)
  const maxPoints = Math.max(...result.indicators.map((i) => i.weight * 3), 1)
  return (
    <section id="result">
      <h2>{t(lang, 'result')}</h2>
      <div class={`class ${result.class ?? ''}`} id="result-class">
        {result.class ?? '—'} {classLabel(result.class)}
      </div>
      {result.status !== 'rated' ? (
        <p class="err" id="result-problems">
          {result.problems.join('; ')}
        </p>
      ) : (
        <p id="result-score">
          {t(lang, 'score')} {result.score?.toFixed(2)} · {t(lang, 'rank')} {result.rank}/
          {result.groupSize} · {t(lang, 'band')} {Math.ceil((result.percentile ?? 1) * 100)}%
        </p>
      )}
      <h3>{t(lang, 'indicators')}</h3>
      <table id="trace">
        {result.indicators.map((i) => (
          <tr data-indicator={i.id}>
            <td>{lang === 'zh' ? i.label : i.id}</td>
            <td class="num">
              {Number.isNaN(i.value)
                ? zh
                  ? '未报送（取均分）'
                  : 'not reported (mean points)'
                : i.value}
            </td>
            <td class="num">/ {i.benchmark}</td>
            <td>
              <div class="bar" title={`${i.points} / ${i.weight}`}>
                <i style={`width:${Math.min(100, (i.points / maxPoints) * 100).toFixed(1)}%`} />
              </div>
            </td>
            <td class="num">{i.points.toFixed(2)}</td>
          </tr>
        ))}
      </table>
      {result.vetoes.length > 0 ? (
        <p>
          {t(lang, 'vetoes')}:{' '}
          {result.vetoes.map((v) => `${v.label}${v.applied ? ' ✔' : ''}`).join('；')}
        </p>
      ) : (
        ''
      )}
      {monthlyCost !== undefined ? (
        <p id="monthly-cost">
          {t(lang, 'cost')} <b>{monthlyCost}</b> 元
        </p>
      ) : (
        ''
      )}
      <h3>{t(lang, 'moveUp')}</h3>
      {moves.length === 0 ? (
        <p>{t(lang, 'noMove')}</p>
      ) : (
        <ul id="moves">
          {moves.slice(0, 3).map((m) => (
            <li>
              {t(lang, 'raise')} {lang === 'zh' ? rulebook.inputById.get(m.input)?.label : m.input}{' '}
              {m.from} {t(lang, 'to')} {m.to} (+{(m.change * 100).toFixed(1)}%) → {t(lang, 'gives')}{' '}
              {m.newClass}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** The whole page, with 422 when the submitted figures have errors. */
function SelfCheckPage({ model }: { model: SelfCheck }) {
  const { lang, p, note, errors, rated } = model
  const own = ownCreditCode(p)
  return (
    <Layout lang={lang} title={t(lang, 'title')} path="/self-check" loggedIn={!!p} who={p}>
      <Notices model={model} />
      {note ? <p>{note}</p> : ''}
      {own !== undefined ? (
        <p>
          <a href={`/provenance?code=${own}&lang=${lang}`}>
            {lang === 'zh'
              ? '我为什么付这个价格？谁决定的？'
              : 'Why do I pay this price, and who decided it?'}
          </a>
        </p>
      ) : (
        ''
      )}
      {Object.keys(errors).length > 0 ? <p class="err">{t(lang, 'fixErrors')}</p> : ''}
      <SelfCheckForm model={model} />
      {rated ? <Result model={model} rated={rated} /> : ''}
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
        return c.text(`too many self-checks from this address; retry in ${wait} s`, 429, {
          'Retry-After': String(wait),
        })
    }
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
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
