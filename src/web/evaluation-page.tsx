/** @jsxImportSource hono/jsx */
/**
 * The economy office's evaluation cycle in the browser (/evaluation): run an evaluation (a job followed on its own
 * page), put a run to notice, read and download the notice list, decide objections, publish; and fix the city fund.
 * The bureau and the other city departments read it. Every act goes through the same use cases as the API.
 * @module web/evaluation-page
 */
import type { Context } from 'hono'
import { isCalendarDate } from '../app/evaluations.ts'
import { type Action, can } from '../app/permissions.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import type { FormState } from './evaluation-forms.tsx'
import { FundPage } from './evaluation-fund.tsx'
import { JobPage, NoticeListPage, noticeCsv } from './evaluation-notice-list.tsx'
import { CyclePage, type Message } from './evaluation-views.tsx'
import { w } from './evaluation-words.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { problemMessage } from './kit/problems.ts'
import { Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps } from './page-kit.ts'
import { registerVerifyPages } from './verify-page.tsx'

/** What each finished act says on the page it returns to (`?done=`). */
const DONE: Record<string, Parameters<typeof w>[1]> = {
  notice: 'noticeDone',
  decided: 'decided',
  published: 'publishDone',
}

const text = (body: Record<string, unknown>, k: string) =>
  typeof body[k] === 'string' ? (body[k] as string).trim() : ''

export function registerEvaluationPages(app: PageApp, deps: PageDeps) {
  const { services, who } = deps
  /** The visitor when their role may perform `action`; otherwise the refusal page to answer with. */
  const gate = (c: Context, action: Action): Principal | Response | Promise<Response> => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (can(p, action)) return p
    return c.html(
      <Layout lang={lang} title={w(lang, 'title')} path="/evaluation" loggedIn={!!p} who={p}>
        <p id="refused">
          {p ? w(lang, 'forbidden') : <a href={`/login?lang=${lang}`}>{w(lang, 'needLogin')}</a>}
        </p>
      </Layout>,
      p ? 403 : 401,
    )
  }
  const isP = (x: unknown): x is Principal => !!x && typeof x === 'object' && 'role' in x

  /** The cycle page of a run (or of a year), with a message and a refused form's state. */
  const cycle = (
    c: Context,
    p: Principal,
    at: { year?: number; runId?: number },
    message?: Message,
    state?: FormState,
    status = 200,
  ) =>
    c.html(
      <CyclePage
        lang={langOf(c.req.query('lang'))}
        services={services}
        who={p}
        year={at.year}
        runId={at.runId}
        message={message}
        state={state}
      />,
      status as 200,
    )
  const runAt = (p: Principal, id: number) => {
    const run = services.evaluations.get(p, id)
    return { year: run.year, runId: run.id }
  }
  const back = (c: Context, at: { year?: number; runId?: number }, done: string) =>
    c.redirect(
      `/evaluation?year=${at.year}&run=${at.runId}&done=${done}&lang=${langOf(c.req.query('lang'))}`,
      303,
    )
  const refusedMsg = (lang: Lang, e: MujunError): Message => ({
    kind: 'error',
    text: `${w(lang, 'refused')}：${problemMessage(lang, e)}`,
  })

  app.get('/evaluation', (c) => {
    const p = gate(c, 'overview.read')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const year = Number(c.req.query('year'))
    const runId = Number(c.req.query('run'))
    const done = DONE[c.req.query('done') ?? '']
    return cycle(
      c,
      p,
      {
        year: Number.isInteger(year) && year > 1999 && year < 2101 ? year : undefined,
        runId: Number.isInteger(runId) ? runId : undefined,
      },
      done ? { kind: 'ok', text: w(lang, done) } : undefined,
    )
  })

  app.post('/evaluation/run', async (c) => {
    const p = gate(c, 'evaluation.run')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const year = Number(text((await formOf(c)) ?? {}, 'year'))
    if (!Number.isInteger(year) || year < 2000 || year > 2100)
      return cycle(c, p, {}, { kind: 'error', text: w(lang, 'refused') }, undefined, 422)
    try {
      const { job } = services.jobs.start(p, { kind: 'evaluate', year })
      return c.redirect(`/evaluation/job?id=${job.id}&year=${year}&lang=${lang}`, 303)
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return cycle(c, p, { year }, refusedMsg(lang, e), undefined, e.status)
    }
  })

  app.get('/evaluation/job', (c) => {
    const p = gate(c, 'job.read')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    try {
      const job = services.jobs.get(p, c.req.query('id') ?? '')
      return c.html(<JobPage lang={lang} who={p} job={job} year={Number(c.req.query('year'))} />)
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return cycle(c, p, {}, refusedMsg(lang, e), undefined, e.status)
    }
  })

  app.post('/evaluation/notice', async (c) => {
    const p = gate(c, 'evaluation.publish')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const body = (await formOf(c)) ?? {}
    const runId = Number(text(body, 'run'))
    try {
      const at = runAt(p, runId)
      if (text(body, 'confirm') !== 'yes')
        return cycle(
          c,
          p,
          at,
          { kind: 'error', text: w(lang, 'confirmRequired') },
          { form: 'notice', errors: { confirm: w(lang, 'confirmRequired') } },
          422,
        )
      services.evaluations.notice(p, runId)
      return back(c, at, 'notice')
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return cycle(c, p, {}, refusedMsg(lang, e), undefined, e.status)
    }
  })

  registerListPages(app, deps, gate, isP)
  registerDecisionAndPublish(app, deps, { gate, isP, cycle, runAt, back, refusedMsg })
  registerFundPages(app, deps, gate, isP)
  registerVerifyPages(app, deps)
}

type Gate = (c: Context, action: Action) => Principal | Response | Promise<Response>
type IsP = (x: unknown) => x is Principal

/** The notice list, printable and as CSV. */
function registerListPages(app: PageApp, { services }: PageDeps, gate: Gate, isP: IsP) {
  app.get('/evaluation/notice-list', (c) => {
    const p = gate(c, 'results.read')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const id = Number(c.req.query('run'))
    try {
      const run = services.evaluations.get(p, id)
      const rows = services.evaluations.listing(p, id)
      return c.html(<NoticeListPage lang={lang} who={p} run={run} rows={rows} />)
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return c.text(problemMessage(lang, e), e.status as 404)
    }
  })

  app.get('/evaluation/notice-list.csv', (c) => {
    const p = gate(c, 'results.read')
    if (!isP(p)) return p
    const id = Number(c.req.query('run'))
    try {
      const run = services.evaluations.get(p, id)
      return c.body(noticeCsv(services.evaluations.listing(p, id)), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="notice-${run.year}-${run.id}.csv"`,
      })
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return c.text(problemMessage('zh', e), e.status as 404)
    }
  })
}

/** The helpers the decision and publication handlers share with the cycle page's. */
interface CycleKit {
  gate: Gate
  isP: IsP
  cycle: (
    c: Context,
    p: Principal,
    at: { year?: number; runId?: number },
    message?: Message,
    state?: FormState,
    status?: number,
  ) => Response | Promise<Response>
  runAt: (p: Principal, id: number) => { year: number; runId: number }
  back: (c: Context, at: { year?: number; runId?: number }, done: string) => Response
  refusedMsg: (lang: Lang, e: MujunError) => Message
}

/** The decision on an objection, and the publication of a run. */
function registerDecisionAndPublish(app: PageApp, { services }: PageDeps, k: CycleKit) {
  app.post('/evaluation/decision', async (c) => {
    const p = k.gate(c, 'objection.decide')
    if (!k.isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const body = (await formOf(c)) ?? {}
    const id = Number(text(body, 'objection'))
    const values = {
      decision: text(body, `decision-${id}`),
      class: text(body, `class-${id}`),
      reason: text(body, `reason-${id}`),
    }
    try {
      const at = k.runAt(p, Number(text(body, 'run')))
      const errors: Record<string, string> = {}
      if (values.decision !== 'upheld' && values.decision !== 'rejected')
        errors.decision = w(lang, 'chooseDecision')
      if (values.decision === 'upheld' && !values.class) errors.class = w(lang, 'chooseClass')
      if (values.reason.length < 5 || values.reason.length > 4000)
        errors.reason = w(lang, 'reasonShort')
      const state: FormState = { form: `decide-${id}`, values, errors }
      if (Object.keys(errors).length > 0)
        return k.cycle(c, p, at, { kind: 'error', text: t(lang, 'fixErrors') }, state, 422)
      try {
        services.evaluations.decide(p, id, {
          upheld: values.decision === 'upheld',
          class: values.decision === 'upheld' ? values.class : undefined,
          reason: values.reason,
        })
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        return k.cycle(c, p, at, k.refusedMsg(lang, e), state, e.status)
      }
      return k.back(c, at, 'decided')
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return k.cycle(c, p, {}, k.refusedMsg(lang, e), undefined, e.status)
    }
  })

  app.post('/evaluation/publish', async (c) => {
    const p = k.gate(c, 'evaluation.publish')
    if (!k.isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const body = (await formOf(c)) ?? {}
    const runId = Number(text(body, 'run'))
    const values = { publishedOn: text(body, 'publishedOn') }
    try {
      const at = k.runAt(p, runId)
      const errors: Record<string, string> = {}
      if (values.publishedOn && !isCalendarDate(values.publishedOn))
        errors.publishedOn = w(lang, 'dateInvalid')
      else if (values.publishedOn > services.provenance.today())
        errors.publishedOn = w(lang, 'futureDate')
      if (text(body, 'confirm') !== 'yes') errors.confirm = w(lang, 'confirmRequired')
      const state: FormState = { form: 'publish', values, errors }
      if (Object.keys(errors).length > 0)
        return k.cycle(c, p, at, { kind: 'error', text: t(lang, 'fixErrors') }, state, 422)
      try {
        const today = services.provenance.today()
        const historic =
          values.publishedOn && values.publishedOn !== today
            ? { publishedOn: values.publishedOn }
            : undefined
        services.evaluations.publish(p, runId, historic)
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        if (e.code === 'PUBLICATION_RETROACTIVE')
          state.errors = { publishedOn: w(lang, 'pastDate') }
        return k.cycle(c, p, at, k.refusedMsg(lang, e), state, e.status)
      }
      return k.back(c, at, 'published')
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return k.cycle(c, p, {}, k.refusedMsg(lang, e), undefined, e.status)
    }
  })
}

/** The fund: its confirmation with the amounts, and fixing it. */
function registerFundPages(app: PageApp, { services }: PageDeps, gate: Gate, isP: IsP) {
  const yearOf = (v: unknown) => {
    const y = Number(v)
    return services.programme.programmeYears().includes(y) ? y : undefined
  }
  app.get('/evaluation/fund', (c) => {
    const p = gate(c, 'programme.read')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const year = yearOf(c.req.query('year'))
    if (year === undefined) return c.redirect(`/evaluation?lang=${lang}`, 303)
    return c.html(<FundPage lang={lang} services={services} who={p} year={year} />)
  })

  app.post('/evaluation/fund', async (c) => {
    const p = gate(c, 'programme.verify')
    if (!isP(p)) return p
    const lang = langOf(c.req.query('lang'))
    const body = (await formOf(c)) ?? {}
    const year = yearOf(text(body, 'year'))
    if (year === undefined) return c.redirect(`/evaluation?lang=${lang}`, 303)
    const page = (error?: { top: string; confirm?: string }, status = 200, justFixed = false) =>
      c.html(
        <FundPage
          lang={lang}
          services={services}
          who={p}
          year={year}
          error={error}
          justFixed={justFixed}
        />,
        status as 200,
      )
    if (text(body, 'confirm') !== 'yes')
      return page({ top: w(lang, 'confirmRequired'), confirm: w(lang, 'confirmRequired') }, 422)
    try {
      services.programme.fixFund(p, year)
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return page({ top: `${w(lang, 'refused')}：${problemMessage(lang, e)}` }, e.status)
    }
    return page(undefined, 200, true)
  })
}
