/** @jsxImportSource hono/jsx */
/**
 * The dated change as pages: the form (`/rules/change`), its preview as a job with progress and then charts and
 * tables (`/rules/preview`, `/rules/preview.csv`), and the confirmation that makes the new city version
 * (`POST /rules/change`), through the same use cases as `POST /v1/rulebook/previews` and `/v1/rulebook/changes`.
 * @module web/rules-change-page
 */
import type { Context } from 'hono'
import { raw } from 'hono/html'
import type { ActPreview } from '../app/changes.ts'
import { MujunError } from '../errors.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import type { Lang } from './i18n.ts'
import { resourceLabel } from './kit/labels.ts'
import { Data, type FieldErrors, Notice } from './kit/ui.tsx'
import { formOf, type PageApp, type PageDeps, type Visitor } from './page-kit.ts'
import { cellChoices, cellValue, unitOf } from './rules-cells.ts'
import {
  ChangeForm,
  type ChangeInput,
  changeInputOf,
  changeQuery,
  cw,
  parseChange,
} from './rules-change-form.tsx'
import { ChangeMade, ConfirmChange, retroWords } from './rules-confirm.tsx'
import { gate, Refusal, RulesShell } from './rules-kit.tsx'
import { PreviewResult, previewCsv } from './rules-preview-view.tsx'

/** Months to preview: a year past the change's first month (at most 60, the API's limit). */
function monthsFor(today: string, from: string): number {
  const months = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7))
  return Math.min(60, Math.max(12, months(from) - months(today) + 12))
}

/** A CITY_RETROACTIVE refusal as the import would give it, found before any job is started. */
function retroactive(firstDay: string, today: string) {
  return new MujunError(
    'CITY_RETROACTIVE',
    `this change alters answers from ${firstDay}, before ${today}`,
    { status: 422, details: { firstDay, today } },
  )
}

export function registerRulesChangePages(app: PageApp, deps: PageDeps) {
  const h = helpersOf(deps)
  registerChangeRoutes(app, deps, h)
  registerPreviewRoutes(app, deps, h)
}

/** The form page, and a refusal shown on it. */
function helpersOf(deps: PageDeps) {
  const { services } = deps
  const formPage = (
    c: Context,
    lang: Lang,
    p: Visitor,
    input: ChangeInput,
    errors: FieldErrors = {},
    error?: unknown,
    status: 200 | 403 | 409 | 412 | 422 = 200,
  ) =>
    c.html(
      <RulesShell
        lang={lang}
        who={p}
        path="/rules/change"
        title={cw(lang, 'title')}
        query={changeQuery(input)}
      >
        {error ? (
          <Refusal lang={lang} error={error} extra={retroWords(lang, error)} />
        ) : Object.keys(errors).length ? (
          <Notice kind="error" id="refusal">
            {lang === 'zh' ? '请更正标红的字段' : 'Please correct the fields in red'}
          </Notice>
        ) : null}
        <ChangeForm
          lang={lang}
          who={p}
          rb={services.rulebooks.active().rulebook}
          input={input}
          errors={errors}
        />
      </RulesShell>,
      status,
    )

  /** Refusals of the change named beside the field they concern. */
  const refused = (c: Context, lang: Lang, p: Visitor, input: ChangeInput, e: unknown) => {
    if (!(e instanceof MujunError)) throw e
    const errors: FieldErrors = {}
    const words = retroWords(lang, e)
    if (e.code === 'CITY_RETROACTIVE') errors.from = typeof words === 'string' ? words : e.message
    if (e.code === 'RULE_CHANGE_INVALID') errors.cell = e.message
    return formPage(
      c,
      lang,
      p,
      input,
      errors,
      e,
      e.status === 403 ? 403 : e.status === 409 ? 409 : e.status === 412 ? 412 : 422,
    )
  }
  /** A change form posted: who sends it (allowed `action`), what was typed and the change it asks for. */
  const readChange = async (c: Context, action: 'rulebook.preview' | 'rulebook.import') => {
    const g = gate(deps, c, action)
    if ('denied' in g) return { denied: g.denied }
    const { lang, p } = g
    const body = (await formOf(c)) ?? {}
    const input = changeInputOf((k) => body[k])
    const parsed = parseChange(lang, input)
    if ('errors' in parsed)
      return { denied: await formPage(c, lang, p, input, parsed.errors, undefined, 422) }
    return { lang, p, body, input, parsed }
  }
  return { formPage, refused, readChange }
}

type Helpers = ReturnType<typeof helpersOf>

function registerChangeRoutes(
  app: PageApp,
  deps: PageDeps,
  { formPage, refused, readChange }: Helpers,
) {
  const { services } = deps
  app.get('/rules/change', (c) => {
    const g = gate(deps, c, 'rulebook.import')
    if ('denied' in g) return g.denied
    return formPage(
      c,
      g.lang,
      g.p,
      changeInputOf((k) => c.req.query(k)),
    )
  })

  app.post('/rules/change/preview', async (c) => {
    const r = await readChange(c, 'rulebook.preview')
    if ('denied' in r) return r.denied
    const { lang, p, input, parsed } = r
    const today = services.store.today()
    if (parsed.effectiveOn && !(parsed.effectiveOn > today))
      return formPage(
        c,
        lang,
        p,
        input,
        {
          effectiveOn: lang === 'zh' ? `须晚于今天（${today}）` : `Must be after today (${today})`,
        },
        undefined,
        422,
      )
    try {
      const files = services.rulebooks.changedFiles(parsed.change)
      const { reach } = services.rulebooks.cityChange(files, parsed.effectiveOn)
      const ownDay = parsed.effectiveOn ?? today
      // Reaching back is refused before any job starts, unless the bureau asks for a correction (it then sees
      // the preview of every month it re-prices before it can confirm).
      if (reach.firstDay !== null && reach.firstDay < ownDay && !parsed.correction)
        throw retroactive(reach.firstDay, ownDay)
      const etag = services.rulebooks.activeEtag()
      const { job } = services.jobs.start(p, {
        kind: 'city-preview',
        files,
        effectiveOn: parsed.effectiveOn,
        months: monthsFor(today, parsed.change.from),
      })
      return c.redirect(
        `/rules/preview?job=${job.id}&etag=${encodeURIComponent(etag)}&${changeQuery(input)}&lang=${lang}`,
        303,
      )
    } catch (e) {
      return refused(c, lang, p, input, e)
    }
  })
}

function registerPreviewRoutes(
  app: PageApp,
  deps: PageDeps,
  { formPage, refused, readChange }: Helpers,
) {
  const { services } = deps
  app.get('/rules/preview', (c) => {
    const g = gate(deps, c, 'rulebook.preview')
    if ('denied' in g) return g.denied
    const { lang, p } = g
    const input = changeInputOf((k) => c.req.query(k))
    const etag = c.req.query('etag') ?? ''
    let job: ReturnType<typeof services.jobs.get>
    try {
      job = services.jobs.get(p, c.req.query('job') ?? '')
    } catch (e) {
      return refused(c, lang, p, input, e)
    }
    const query = `job=${job.id}&etag=${encodeURIComponent(etag)}&${changeQuery(input)}`
    const title = lang === 'zh' ? '调整影响测算' : 'Preview of the change'
    if (job.status === 'running')
      return c.html(
        <RulesShell
          lang={lang}
          who={p}
          path="/rules/change"
          here="/rules/preview"
          title={title}
          query={query}
        >
          <meta http-equiv="refresh" content="1" />
          <Notice kind="info" id="preview-running">
            {lang === 'zh'
              ? '正在测算，页面将自动刷新……'
              : 'Computing; this page reloads by itself…'}
          </Notice>
          <progress
            id="preview-progress"
            max={job.progress.total ?? 1}
            value={job.progress.total ? job.progress.done : undefined}
          />
          {raw('<script>setTimeout(function(){location.reload()},1000)</script>')}
        </RulesShell>,
      )
    if (job.status !== 'done' || job.kind !== 'city-preview')
      return c.html(
        <RulesShell
          lang={lang}
          who={p}
          path="/rules/change"
          here="/rules/preview"
          title={title}
          query={query}
        >
          <Refusal
            lang={lang}
            error={
              new MujunError(job.error?.code ?? 'JOB_FAILED', job.error?.message ?? '', {
                status: 422,
              })
            }
          />
          <a href={`/rules/change?${changeQuery(input)}&lang=${lang}`}>{cw(lang, 'title')}</a>
        </RulesShell>,
        422,
      )
    const result = job.result as ActPreview
    return c.html(
      <RulesShell
        lang={lang}
        who={p}
        path="/rules/change"
        here="/rules/preview"
        title={title}
        query={query}
      >
        <ChangeSummary lang={lang} input={input} rb={services.rulebooks.active().rulebook} />
        <PreviewResult lang={lang} result={result} csvHref={`/rules/preview.csv?job=${job.id}`} />
        <ConfirmChange lang={lang} who={p} input={input} etag={etag} result={result} />
      </RulesShell>,
    )
  })

  app.get('/rules/preview.csv', (c) => {
    const g = gate(deps, c, 'rulebook.preview')
    if ('denied' in g) return g.denied
    try {
      const job = services.jobs.get(g.p, c.req.query('job') ?? '')
      if (job.status !== 'done' || job.kind !== 'city-preview') return c.text('not ready', 409)
      c.header('content-type', 'text/csv; charset=utf-8')
      c.header('content-disposition', `attachment; filename="preview-${job.id.slice(0, 8)}.csv"`)
      return c.body(previewCsv(job.result as ActPreview))
    } catch (e) {
      if (e instanceof MujunError) return c.text(e.message, e.status as 404)
      throw e
    }
  })

  app.post('/rules/change', async (c) => {
    const r = await readChange(c, 'rulebook.import')
    if ('denied' in r) return r.denied
    const { lang, p, body, input, parsed } = r
    if (body.confirm !== 'yes')
      return formPage(
        c,
        lang,
        p,
        input,
        {},
        new MujunError('CONFIRMATION_REQUIRED', 'not confirmed', { status: 422 }),
        422,
      )
    const etag = typeof body.etag === 'string' && body.etag ? body.etag : undefined
    const digest = typeof body.digest === 'string' ? body.digest : ''
    try {
      const files = services.rulebooks.changedFiles(parsed.change)
      const note = `${parsed.change.section} ${parsed.change.id} from ${parsed.change.from}: ${parsed.change.set
        .map((x) => `${x.path} = ${x.value}`)
        .join(
          ', ',
        )} (${parsed.change.document})${parsed.change.note ? `: ${parsed.change.note}` : ''}`
      const made = services.rulebooks.importCity(p, files, note, {
        ifMatch: etag,
        countyFiles: 'refuse',
        effectiveOn: parsed.effectiveOn,
        ...(parsed.correction && {
          correction: {
            reason: parsed.correction,
            document: parsed.change.document,
            preview: digest,
          },
        }),
      })
      return c.html(
        <RulesShell lang={lang} who={p} path="/rules/change" title={cw(lang, 'title')}>
          <ChangeMade lang={lang} made={made} input={input} />
        </RulesShell>,
        201,
      )
    } catch (e) {
      return refused(c, lang, p, input, e)
    }
  })
}

/** What is being changed, as the form had it: the item and its value now beside the new one, with the unit. */
function ChangeSummary(props: { lang: Lang; input: ChangeInput; rb: Rulebook }) {
  const { lang, input, rb } = props
  const zh = lang === 'zh'
  const choice = cellChoices(rb, lang).find((ch) => ch.value === input.cell)
  const unit = choice ? unitOf(rb, choice.schedule.resource) : ''
  return (
    <Notice kind="info" id="change-summary">
      {choice ? (
        <>
          {resourceLabel(lang, choice.schedule.resource)} · <Data>{choice.schedule.label}</Data> ·{' '}
          <Data>{choice.cell.name}</Data>
          {zh ? '：现行 ' : ': now '}
          <strong>{cellValue(lang, choice.cell, unit)}</strong>
          {zh ? '，拟改为 ' : ', to become '}
        </>
      ) : null}
      <strong id="change-new-value">
        {choice ? cellValue(lang, { ...choice.cell, value: input.value }, unit) : input.value}
      </strong>
      {zh ? '，自 ' : ', from '}
      <strong>{input.from}</strong>
      {zh ? ' 起执行，依据 ' : ', by '}
      <Data>{input.document}</Data>
      {input.effectiveOn
        ? zh
          ? `；版本于 ${input.effectiveOn} 启用`
          : `; version in force on ${input.effectiveOn}`
        : ''}
    </Notice>
  )
}
