/** @jsxImportSource hono/jsx */
/**
 * The web pages, server-rendered by the same hono process: enterprise self-check and the bureau overview.
 * @module web/pages
 */
import type { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { isCalendarDate } from '../app/evaluations.ts'
import { can, ownCreditCode } from '../app/permissions.ts'
import { ProjectRequest } from '../app/programme.ts'
import type { Services } from '../app/services.ts'
import type { Principal } from '../db/store.ts'
import { type AuthFailureLimiter, ClientRateLimiter } from '../edge-shared/auth-limiter.ts'
import { clientOf } from '../edge-shared/request.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { MujunError } from '../errors.ts'
import type { OverridePreview } from '../pricing/override-preview.ts'
import { quote } from '../pricing/quote.ts'
import type { PeerFrame, RatingResult } from '../rating/rate.ts'
import { classMoves, selfCheck } from '../rating/self-check.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { Layout } from './layout.tsx'
import {
  BasisPage,
  CountyTable,
  MonthlyChart,
  ProgrammePage,
  ProjectPage,
  ReportPage,
  stateOf,
  TargetsTable,
} from './programme-page.tsx'
import { PROVENANCE_TITLE, ProvenanceView } from './provenance-page.tsx'

const COOKIE = 'mujun_token'
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

/** A form's fields, or undefined when the body is not a form that parses. */
async function formOf(c: { req: { parseBody(): Promise<Record<string, unknown>> } }) {
  try {
    return await c.req.parseBody()
  } catch {
    return undefined
  }
}

/** A page's refusal: a domain error as plain text with its status; anything else is thrown on. */
function problemText(c: { text(t: string, s: 400): Response }, e: unknown): Response {
  if (e instanceof MujunError) return c.text(e.message, e.status as 400)
  throw e
}

export function registerWebRoutes(app: Hono<any>, services: Services, limiter: AuthFailureLimiter) {
  const anonymous = new ClientRateLimiter(ANONYMOUS_SELF_CHECKS_PER_MINUTE)
  const { store, tokens, rulebooks, evaluations } = services
  const who = (
    c: { req: { header(n: string): string | undefined } } & Parameters<typeof getCookie>[0],
  ): Principal | undefined => {
    const token = getCookie(c, COOKIE)
    return token ? tokens.principal(token) : undefined
  }

  app.get('/', (c) => c.redirect('/self-check'))

  app.get('/login', (c) => {
    const lang = langOf(c.req.query('lang'))
    return c.html(
      <Layout lang={lang} title={t(lang, 'login')} path="/login" loggedIn={false}>
        <form method="post" action={`/login?lang=${lang}`}>
          <label>
            <span>{t(lang, 'token')}</span>
            <input name="token" type="password" size={50} required />
          </label>
          <button type="submit">{t(lang, 'login')}</button>
        </form>
      </Layout>,
    )
  })

  app.post('/login', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const refuse = (status: 400 | 401 | 429, headers: Record<string, string> = {}) =>
      c.html(
        <Layout lang={lang} title={t(lang, 'login')} path="/login" loggedIn={false}>
          <p class="err">{status}</p>
        </Layout>,
        status,
        headers,
      )
    let form: Record<string, unknown>
    try {
      form = await c.req.parseBody()
    } catch {
      return refuse(400)
    }
    const token = typeof form.token === 'string' ? form.token : ''
    const p = tokens.principal(token)
    if (!p) {
      // The login form answers like the API: a valid token always passes, guesses are counted per address.
      const wait = limiter.refuse(clientOf(c), Date.now())
      return wait > 0 ? refuse(429, { 'Retry-After': String(wait) }) : refuse(401)
    }
    setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' })
    const home = can(p, 'home.overview')
      ? '/overview'
      : can(p, 'home.programme')
        ? '/programme'
        : '/self-check'
    return c.redirect(`${home}?lang=${lang}`)
  })

  app.get('/logout', (c) => {
    deleteCookie(c, COOKIE, { path: '/' })
    return c.redirect(`/self-check?lang=${langOf(c.req.query('lang'))}`)
  })

  const selfCheckPage = async (c: any, submitted?: Record<string, string>) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const { rulebook } = rulebooks.active()
    // Only the form's figures the rules in force know (a rulebook without a tenant list has no `tenant` input).
    const formInputs = FORM_INPUTS.filter((id) => rulebook.inputById.has(id))
    const formFlags = FORM_FLAGS.filter((id) => rulebook.inputById.has(id))
    const years = [
      ...new Set(
        store
          .listRuns()
          .filter((r) => r.status === 'published')
          .map((r) => r.year),
      ),
    ].sort((a, b) => b - a)
    let values: Record<string, string> = {
      county: rulebook.meta.counties[0].code,
      industryCode: '3411',
      year: String(years[0] ?? Number(store.today().slice(0, 4)) - 1),
      monthly: '100000',
    }
    let note = ''
    const own = ownCreditCode(p)
    if (!submitted && own !== undefined) {
      // An enterprise that logged in sees its stored figures.
      try {
        const e = store.getEnterprise(own)
        const f = store.getFigures(own, Number(values.year)).data
        values = {
          ...values,
          county: e.county,
          industryCode: e.industryCode,
          creditCode: e.creditCode,
          ...Object.fromEntries(Object.entries(f).map(([k, v]) => [k, String(v)])),
        }
        note = t(lang, 'stored')
      } catch {
        // No stored figures for that year: an empty form.
      }
    }
    if (submitted) values = { ...values, ...submitted }
    const errors: Record<string, string> = {}
    let result: RatingResult | undefined
    let moves: ReturnType<typeof classMoves> = []
    let monthlyCost: string | undefined
    if (submitted) {
      const figures: Enterprise['figures'] = {}
      for (const id of formInputs) {
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
      for (const id of formFlags) figures[id] = submitted[id] === 'on'
      if (!rulebook.meta.counties.some((x) => x.code === submitted.county)) errors.county = '?'
      if (!/^[A-Z]?\d{2,4}$/.test(submitted.industryCode ?? ''))
        errors.industryCode = lang === 'zh' ? '行业代码为2至4位数字' : '2–4 digits'
      const monthly = Number(submitted.monthly ?? '0')
      if (!Number.isFinite(monthly) || monthly < 0)
        errors.monthly = lang === 'zh' ? '请输入非负数字' : 'a non-negative number'
      const year = Number(submitted.year)
      let peers: PeerFrame | undefined
      try {
        peers = evaluations.publishedPeers(year, values.creditCode || undefined)
      } catch (e) {
        // No published run of that year (or one without stored peer statistics): said next to the year.
        if (!(e instanceof MujunError)) throw e
        errors.year = e.message
      }
      if (peers && Object.keys(errors).length === 0) {
        const candidate: Enterprise = {
          creditCode: values.creditCode || 'SELF-CHECK',
          name: '自查',
          county: submitted.county,
          industryCode: submitted.industryCode,
          figures,
        }
        result = selfCheck(peers, rulebook, year, candidate)
        moves = classMoves(peers, rulebook, year, candidate, result)
        if (monthly > 0) {
          const q = quote([result], rulebook, {
            resource: 'electricity',
            from: `${year + 1}-01-01`,
            to: `${year + 1}-02-01`,
            quantity: monthly,
          })
          monthlyCost = q.total
        }
      }
    }
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
    const classLabel = (id: string | null) =>
      rulebook.meta.classes.find((x) => x.id === id)?.label ?? t(lang, 'notRated')
    const maxPoints = result ? Math.max(...result.indicators.map((i) => i.weight * 3), 1) : 1
    // A logged-in enterprise sees its provisional results under public notice and may object to them here.
    const notices =
      own !== undefined
        ? store
            .listRuns()
            .filter((r) => r.status === 'notice')
            .flatMap((r) => {
              const row = store.runResult(r.id, own)
              return row
                ? [
                    {
                      run: r,
                      row,
                      objections: store.listObjections({ runId: r.id, creditCode: own }),
                    },
                  ]
                : []
            })
        : []
    const zh = lang === 'zh'
    return c.html(
      <Layout lang={lang} title={t(lang, 'title')} path="/self-check" loggedIn={!!p}>
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
        <form method="post" action={`/self-check?lang=${lang}`} id="self-check">
          <input type="hidden" name="creditCode" value={values.creditCode ?? ''} />
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
        {result ? (
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
                      <i
                        style={`width:${Math.min(100, (i.points / maxPoints) * 100).toFixed(1)}%`}
                      />
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
                    {t(lang, 'raise')}{' '}
                    {lang === 'zh' ? rulebook.inputById.get(m.input)?.label : m.input} {m.from}{' '}
                    {t(lang, 'to')} {m.to} (+{(m.change * 100).toFixed(1)}%) → {t(lang, 'gives')}{' '}
                    {m.newClass}
                  </li>
                ))}
              </ul>
            )}
          </section>
        ) : (
          ''
        )}
      </Layout>,
      Object.keys(errors).length > 0 ? 422 : 200,
    )
  }

  app.get('/self-check', (c) => selfCheckPage(c))
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
    return selfCheckPage(
      c,
      Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)])),
    )
  })

  // An enterprise's objection to its provisional result, from the notice section of the self-check page.
  app.post('/objection', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const own = ownCreditCode(p)
    if (!p || own === undefined) return c.text('log in with your enterprise token to object', 401)
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const runId = Number(body.runId)
    if (!Number.isInteger(runId)) return c.text('runId is missing', 400)
    try {
      services.evaluations.object(p, runId, {
        creditCode: own,
        reason: String(body.reason ?? '').trim(),
        evidence: String(body.evidence ?? '').trim(),
      })
    } catch (e) {
      return problemText(c, e)
    }
    return c.redirect(`/self-check?lang=${lang}`, 303)
  })

  app.get('/programme', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'programme.read'))
      return c.html(
        <Layout lang={lang} title={t(lang, 'programme')} path="/programme" loggedIn={!!p}>
          <p>
            <a href={`/login?lang=${lang}`}>{t(lang, 'needProgramme')}</a>
          </p>
        </Layout>,
        p ? 403 : 401,
      )
    const fund = Number(c.req.query('fund'))
    await services.programme.ready(p)
    return c.html(
      <ProgrammePage
        lang={lang}
        services={services}
        who={p}
        quarter={c.req.query('quarter')}
        fundYear={Number.isInteger(fund) ? fund : undefined}
        county={c.req.query('county')}
      />,
    )
  })

  const projectPage = (
    c: Parameters<typeof who>[0] & { html: any; text: any },
    id: number,
    message?: string,
  ) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    try {
      const project = services.programme.projectDetail(p, id)
      return c.html(<ProjectPage lang={lang} who={p!} project={project} message={message} />)
    } catch (e) {
      return problemText(c, e)
    }
  }

  app.get('/programme/project', (c) => projectPage(c, Number(c.req.query('id'))))

  // A county registers a project from the programme page; a refusal is shown there with the reason.
  app.post('/programme/project', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const text = (k: string) => {
      const v = typeof body[k] === 'string' ? (body[k] as string).trim() : ''
      return v === '' ? undefined : v
    }
    const request = ProjectRequest.safeParse({
      county: text('county'),
      year: Number(text('year')),
      kind: text('kind'),
      name: text('name'),
      township: text('township'),
      startsOn: text('startsOn'),
      endsOn: text('endsOn'),
      cluster: text('cluster'),
      filedOn: text('filedOn'),
      historicReason: text('historicReason'),
    })
    const page = async (message: string, status: 200 | 401 | 403 | 422) => {
      if (!can(p, 'programme.read')) return c.text(message, status)
      await services.programme.ready(p)
      return c.html(
        <ProgrammePage lang={lang} services={services} who={p} message={message} />,
        status,
      )
    }
    if (!request.success)
      return page(
        request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
        422,
      )
    try {
      const made = services.programme.registerProject(p, request.data)
      return c.redirect(`/programme/project?id=${made.id}&lang=${lang}`, 303)
    } catch (e) {
      if (e instanceof MujunError) return page(e.message, e.status as 401 | 403 | 422)
      throw e
    }
  })

  // A county uploads a project's ledger; every row is checked and nothing is stored if one is bad.
  app.post('/programme/ledger', async (c) => {
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const id = Number(body.project)
    const file = body.file
    if (!Number.isInteger(id) || !(file instanceof File))
      return c.text('project and file are required', 400)
    try {
      const r = services.programme.importDispositions(
        who(c),
        id,
        new Uint8Array(await file.arrayBuffer()),
      )
      const lang = langOf(c.req.query('lang'))
      return projectPage(
        c,
        id,
        lang === 'zh' ? `已导入 ${r.created} 条处置记录` : `${r.created} dispositions imported`,
      )
    } catch (e) {
      if (e instanceof MujunError && e.code === 'CSV_INVALID') return projectPage(c, id, e.message)
      return problemText(c, e)
    }
  })

  // The economy office verifies (核验) a done disposition from the project page.
  app.post('/programme/verify', async (c) => {
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const [id, version, project] = [body.disposition, body.version, body.project].map(Number)
    if (![id, version, project].every(Number.isInteger)) return c.text('malformed form', 400)
    try {
      services.programme.verifyDisposition(who(c), id, {}, version)
    } catch (e) {
      return problemText(c, e)
    }
    return c.redirect(`/programme/project?id=${project}&lang=${langOf(c.req.query('lang'))}`, 303)
  })

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
    const date = isCalendarDate(asked) ? asked : store.today()
    let record: ReturnType<Services['provenance']['of']> | undefined
    let message: string | undefined
    let status: 200 | 401 | 403 | 404 | 422 = 200
    if (code) {
      try {
        record = services.provenance.of(p, code, date)
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        message = e.message
        status = e.status as typeof status
      }
    }
    return c.html(
      <Layout lang={lang} title={title} path="/provenance" loggedIn>
        <ProvenanceView lang={lang} code={code} date={date} record={record} message={message} />
      </Layout>,
      status,
    )
  })

  app.get('/programme/basis', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const query = c.req.query('asOf')
    const asOf = query && /^\d{4}-\d{2}-\d{2}$/.test(query) ? query : undefined
    try {
      await services.programme.ready(who(c), asOf)
      const basis = services.programme.basis(who(c), c.req.query('metric') ?? '', {
        county: c.req.query('county'),
        asOf,
      })
      return c.html(<BasisPage lang={lang} basis={basis} />)
    } catch (e) {
      return problemText(c, e)
    }
  })

  app.get('/programme/report', (c) => {
    const lang = langOf(c.req.query('lang'))
    try {
      const report = services.programme.report(
        who(c),
        c.req.query('county') ?? '',
        c.req.query('quarter') ?? '',
      )
      return c.html(<ReportPage lang={lang} report={report} />)
    } catch (e) {
      return problemText(c, e)
    }
  })

  app.get('/programme/report.csv', (c) => {
    const p = who(c)
    const county = c.req.query('county') ?? ''
    const quarter = c.req.query('quarter') ?? ''
    try {
      const csv = services.programme.reportCsv(p, county, quarter)
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="report-${county}-${quarter}.csv"`,
      })
    } catch (e) {
      return problemText(c, e)
    }
  })

  app.get('/overview', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'overview.read')) {
      return c.html(
        <Layout lang={lang} title={t(lang, 'overview')} path="/overview" loggedIn={!!p}>
          <p>
            <a href={`/login?lang=${lang}`}>{t(lang, 'needBureau')}</a>
          </p>
        </Layout>,
        p ? 403 : 401,
      )
    }
    // Previews re-rate a county twice each: computed off the request thread (cached per revision) before rendering.
    const { rulebook } = rulebooks.active()
    const year = store.listRuns().find((r) => r.status === 'published')?.year
    const previews = new Map<string, OverridePreview>()
    if (year !== undefined)
      for (const o of rulebook.overrides.filter((x) => PENDING.includes(x.status)))
        previews.set(o.id, await services.overrides.previewOffThread(p, o.id, year))
    await services.programme.ready(p)
    return c.html(<Overview lang={lang} services={services} previews={previews} who={p} />)
  })
}

const PENDING = ['draft', 'submitted', 'approved']

function Overview(props: {
  lang: Lang
  services: Services
  previews: ReadonlyMap<string, OverridePreview>
  who: Principal
}) {
  const { lang, services, previews, who } = props
  const { store } = services
  const { rulebook } = services.rulebooks.active()
  const run = store.listRuns().find((r) => r.status === 'published')
  const classes = rulebook.meta.classes.map((c) => c.id)
  const colours: Record<string, string> = { A: '#1a7f37', B: '#2a6fd6', C: '#c77700', D: '#c62828' }
  const rows = run ? store.classCounts(run.id) : []
  const byCounty = new Map<string, Record<string, number>>()
  const bySector = new Map<string, Record<string, number>>()
  for (const r of rows) {
    for (const [map, key] of [
      [byCounty, r.county],
      [bySector, r.sector || '?'],
    ] as const) {
      const m = map.get(key) ?? {}
      m[r.class] = (m[r.class] ?? 0) + r.n
      map.set(key, m)
    }
  }
  const Bars = (p: {
    data: Map<string, Record<string, number>>
    label: (k: string) => string
    id: string
    title: string
  }) => {
    const entries = [...p.data.entries()].sort()
    const max = Math.max(1, ...entries.map(([, m]) => Object.values(m).reduce((a, b) => a + b, 0)))
    const h = 22
    return (
      <svg id={p.id} width="900" height={entries.length * h + 24} role="img">
        <title>{p.title}</title>
        {entries.map(([k, m], i) => {
          let x = 160
          return (
            <g>
              <text x="0" y={i * h + 15} font-size="13">
                {p.label(k)}
              </text>
              {classes.map((c) => {
                const w = ((m[c] ?? 0) / max) * 480
                const rect = (
                  <rect x={x} y={i * h + 3} width={w} height={h - 6} fill={colours[c] ?? '#888'}>
                    <title>{`${c}: ${m[c] ?? 0}`}</title>
                  </rect>
                )
                x += w
                return rect
              })}
              <text x={x + 6} y={i * h + 15} font-size="12">
                {classes.map((c) => `${c}${m[c] ?? 0}`).join(' ')}
              </text>
            </g>
          )
        })}
      </svg>
    )
  }
  const pending = rulebook.overrides.filter((o) => PENDING.includes(o.status))
  // The programme's progress is measured from its records (projects and dispositions), never from classes.
  const progress = services.programme.progress(who)
  const quarter = services.programme.quartersSoFar().at(-1)
  const overdue = [
    ...progress.lists
      .filter((l) => l.status !== 'on_time')
      .map((l) => ({
        what: `${l.year} ${lang === 'zh' ? '项目清单' : 'project list'}`,
        county: l.county,
        state: l.status,
        due: l.due,
      })),
    ...(quarter ? services.programme.reportStates(who, quarter) : [])
      .filter((r) => r.state !== 'on_time')
      .map((r) => ({
        what: `${r.quarter} ${lang === 'zh' ? '季报' : 'report'}`,
        county: r.county,
        state: r.state,
        due: r.due,
      })),
  ]
  const countyName = (k: string) => rulebook.meta.counties.find((c) => c.code === k)?.name ?? k
  const open = services.programme
    .openDispositions(who)
    .filter((c) => c.overdue.length + c.pending.length > 0)
  return (
    <Layout lang={lang} title={t(lang, 'overview')} path="/overview" loggedIn={true}>
      <section id="totals">
        <h2>{t(lang, 'totals')}</h2>
        {run ? (
          <p>
            #{run.id} · {run.year} ·{' '}
            {Object.entries(run.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')}{' '}
            · {run.publishedAt}
          </p>
        ) : (
          <p>—</p>
        )}
      </section>
      <section>
        <h2>{t(lang, 'distribution')}</h2>
        <Bars
          id="by-county"
          title={t(lang, 'distribution')}
          data={byCounty}
          label={(k) => `${rulebook.meta.counties.find((c) => c.code === k)?.name ?? k} ${k}`}
        />
      </section>
      <section>
        <h2>{t(lang, 'sectors')}</h2>
        <Bars
          id="by-sector"
          title={t(lang, 'sectors')}
          data={bySector}
          label={(k) => rulebook.sectors.find((s) => s.id === k)?.label ?? k}
        />
      </section>
      <section id="pending">
        <h2>{t(lang, 'pending')}</h2>
        <table>
          {pending.map((o) => {
            const pv = previews.get(o.id)
            return (
              <tr>
                <td>{o.id}</td>
                <td>{o.label}</td>
                <td>{o.status}</td>
                <td>
                  {pv
                    ? `${pv.enterprises.length} firms; ${
                        Object.entries(pv.revenue)
                          .filter(([, r]) => r.change !== '0.00')
                          .map(([res, r]) => `${res} ${r.change}`)
                          .join(', ') || '±0'
                      }`
                    : ''}
                </td>
              </tr>
            )
          })}
        </table>
      </section>
      <section id="targets">
        <h2>{t(lang, 'targets')}</h2>
        <p>
          {t(lang, 'fromRecords')} · <a href={`/programme?lang=${lang}`}>{t(lang, 'programme')}</a>
        </p>
        <TargetsTable lang={lang} figures={progress.city} asOf={progress.asOf} />
        <CountyTable progress={progress} />
        <MonthlyChart months={progress.months} lang={lang} />
      </section>
      <section id="overdue">
        <h2>{t(lang, 'pendingDeadlines')}</h2>
        <table id="open-dispositions">
          {open.map((c) => (
            <tr data-county={c.county}>
              <td>{c.name}</td>
              <td class="num">
                {lang === 'zh' ? '逾期未完成处置' : 'dispositions overdue'} {c.overdue.length}
              </td>
              <td class="num">
                {lang === 'zh' ? '未到期' : 'pending'} {c.pending.length}
              </td>
              <td>{c.nextDeadline ?? ''}</td>
            </tr>
          ))}
        </table>
        <table>
          {overdue.map((o) => (
            <tr class={`state-${o.state}`}>
              <td>{o.what}</td>
              <td>{countyName(o.county)}</td>
              <td>{stateOf(lang, o.state)}</td>
              <td>{o.due}</td>
            </tr>
          ))}
        </table>
      </section>
    </Layout>
  )
}
