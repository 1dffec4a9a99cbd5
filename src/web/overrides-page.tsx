/** @jsxImportSource hono/jsx */
/**
 * County overrides in the browser: the list (/overrides), one override with its history, preview and acts
 * (/overrides/:id), a county's proposal (/overrides/new) and the edit of a draft (/overrides/:id/edit). Every act
 * goes through services.overrides, as the API's routes do.
 * @module web/overrides-page
 */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { OverrideDetail } from '../app/override-views.ts'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { LIVE_STATUSES } from '../db/rule-store.ts'
import { MujunError } from '../errors.ts'
import { countyPrefix } from '../rulebook/schema.ts'
import { type Lang, langOf } from './i18n.ts'
import { problemMessage, ruleProblemsOf } from './kit/problems.ts'
import { Notice } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import { ACTS, type ActName, type ActState, actValues, checkAct } from './override-acts.tsx'
import type { PreviewState } from './override-preview-view.tsx'
import { DetailPage, EditorPage, ListPage, resourcesOf } from './override-views.tsx'
import { w } from './override-words.ts'
import { formOf, type PageApp, type PageDeps, type Visitor } from './page-kit.ts'

/** How long a page waits for a preview before it shows it as being computed (and reloads). */
const PREVIEW_WAIT_MS = 1500

export function registerOverridePages(app: PageApp, deps: PageDeps) {
  const { services, who } = deps

  app.get('/overrides', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'override.read')) return refusedPage(c, lang, p)
    const rows = services.overrides.list(p).map((o) => ({
      ...o,
      resources: resourcesOf(services.overrides.get(p, o.id).text),
    }))
    return c.html(<ListPage lang={lang} who={p} rows={rows} />)
  })

  app.get('/overrides/new', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'override.propose')) return refusedPage(c, lang, p)
    return c.html(<EditorPage lang={lang} who={p} text={template(services, p)} problems={[]} />)
  })

  app.post('/overrides/new', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'override.propose')) return refusedPage(c, lang, p)
    const text = textOf(await formOf(c))
    try {
      const o = await services.overrides.propose(p, text)
      return c.redirect(`/overrides/${o.id}?done=propose&lang=${lang}`, 303)
    } catch (e) {
      return c.html(<EditorPage lang={lang} who={p} text={text} {...problemsOf(lang, e)} />, 422)
    }
  })

  app.get('/overrides/:id/edit', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'override.propose')) return refusedPage(c, lang, p)
    const o = readable(services, p, c.req.param('id'))
    if (!o) return refusedPage(c, lang, p, 404)
    return c.html(
      <EditorPage lang={lang} who={p} id={o.id} etag={o.etag} text={o.text} problems={[]} />,
    )
  })

  app.post('/overrides/:id/edit', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'override.propose')) return refusedPage(c, lang, p)
    const id = c.req.param('id')
    const body = await formOf(c)
    const text = textOf(body)
    const etag = typeof body?.etag === 'string' ? body.etag : undefined
    try {
      await services.overrides.edit(p, id, text, etag)
      return c.redirect(`/overrides/${id}?done=edit&lang=${lang}`, 303)
    } catch (e) {
      return c.html(
        <EditorPage lang={lang} who={p} id={id} etag={etag} text={text} {...problemsOf(lang, e)} />,
        422,
      )
    }
  })

  app.get('/overrides/:id', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'override.read')) return refusedPage(c, lang, p)
    const o = readable(services, p, c.req.param('id'))
    if (!o) return refusedPage(c, lang, p, 404)
    const done = c.req.query('done')
    const doneWord =
      done && (DONE as readonly string[]).includes(done)
        ? w(lang, `done_${done as (typeof DONE)[number]}`)
        : undefined
    return c.html(await detail(services, lang, p, o, { done: doneWord }))
  })

  for (const act of ACTS) registerAct(app, deps, act)
}

const DONE = [...ACTS, 'propose', 'edit'] as const

/** POST /overrides/:id/<act>: checks the form (confirmation, reference, reason), then takes the step. */
function registerAct(app: PageApp, { services, who }: PageDeps, act: ActName) {
  app.post(`/overrides/:id/${act}`, async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, `override.${act}`)) return refusedPage(c, lang, p)
    const o = readable(services, p, c.req.param('id'))
    if (!o) return refusedPage(c, lang, p, 404)
    const body = (await formOf(c)) ?? {}
    const values = actValues(act, body)
    const errors = checkAct(lang, act, values)
    const state: ActState = { act, values, errors }
    if (Object.keys(errors).length > 0)
      return c.html(
        await detail(services, lang, p, o, { refusal: w(lang, 'fixErrors'), act: state }),
        422,
      )
    try {
      await services.overrides.transition(
        p,
        o.id,
        act,
        { ref: values.ref || undefined, reason: values.reason || undefined },
        typeof body.etag === 'string' ? body.etag : undefined,
      )
      return c.redirect(`/overrides/${o.id}?done=${act}&lang=${lang}`, 303)
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      const now = readable(services, p, o.id) ?? o
      return c.html(
        await detail(services, lang, p, now, { refusal: refusalOf(lang, e), act: state }),
        e.status as 409,
      )
    }
  })
}

/** The override `id` if `p` may read it, else undefined (unknown and not yours read the same). */
function readable(services: Services, p: Visitor, id: string): OverrideDetail | undefined {
  try {
    return services.overrides.get(p, id)
  } catch (e) {
    if (e instanceof MujunError) return undefined
    throw e
  }
}

async function detail(
  services: Services,
  lang: Lang,
  p: Visitor,
  o: OverrideDetail,
  extra: { done?: string; refusal?: Child; act?: ActState },
) {
  const preview = await previewState(services, p, o)
  const today = services.provenance.today()
  return (
    <DetailPage
      lang={lang}
      who={p}
      o={o}
      today={today}
      preview={preview}
      done={extra.done}
      refusal={extra.refusal}
      act={extra.act}
    />
  )
}

/**
 * The preview of `o` against the latest published evaluation: computed off the request thread, waited for a
 * moment, else shown as being computed (the page reloads until it is ready).
 */
async function previewState(
  services: Services,
  p: Visitor,
  o: OverrideDetail,
): Promise<PreviewState> {
  if (!(LIVE_STATUSES as readonly string[]).includes(o.status))
    return { kind: 'none', why: 'previewClosed' }
  const year = services.evaluations
    .list(p)
    .filter((r) => r.status === 'published')
    .reduce<number | undefined>((m, r) => (m === undefined || r.year > m ? r.year : m), undefined)
  if (year === undefined) return { kind: 'none', why: 'previewNone' }
  const hit = services.overrides.cachedPreview(o.id, year)
  if (hit) return { kind: 'ready', preview: hit }
  let failed = false
  const job = services.overrides.previewOffThread(p, o.id, year).catch(() => {
    failed = true
  })
  let timer: NodeJS.Timeout | undefined
  await Promise.race([job, new Promise((r) => (timer = setTimeout(r, PREVIEW_WAIT_MS)))])
  clearTimeout(timer)
  const pv = services.overrides.cachedPreview(o.id, year)
  if (pv) return { kind: 'ready', preview: pv }
  return failed ? { kind: 'none', why: 'previewFailed' } : { kind: 'pending' }
}

/** The text field of a posted editor form (line ends as typed in a browser: CRLF read as LF). */
function textOf(body: Record<string, unknown> | undefined): string {
  const t = body?.text
  return typeof t === 'string' ? t.replace(/\r\n/g, '\n') : ''
}

/** A refused proposal or edit: the problems at their lines, else the refusal's words. */
function problemsOf(lang: Lang, e: unknown) {
  if (!(e instanceof MujunError)) throw e
  const problems = ruleProblemsOf(e).map((x) => ({
    line: x.line,
    path: x.path,
    message: x.message,
  }))
  // Problems at their lines are the override text's, whichever check found them.
  const said =
    problems.length > 0
      ? new MujunError('OVERRIDE_INVALID', e.message, { status: 422, details: e.details })
      : e
  return { problems, refusal: refusalOf(lang, said), error: problemMessage(lang, said) }
}

/** A refusal in the page's language, its stable code and the service's own words in <code> for the help desk. */
function refusalOf(lang: Lang, e: MujunError): Child {
  return (
    <>
      {problemMessage(lang, e)} <code>{e.code}</code>
      {ruleProblemsOf(e).length === 0 ? (
        <>
          <br />
          <code>{e.message}</code>
        </>
      ) : null}
    </>
  )
}

/** A new proposal's starting text: an override of the visitor's own county, its id carrying the county's prefix. */
function template(services: Services, p: Visitor): string {
  const { counties } = services.rulebooks.active().rulebook.meta
  const county = counties.find((c) => c.code === p.scope) ?? counties[1] ?? counties[0]
  const today = services.provenance.today()
  const [y, m] = today.split('-').map(Number)
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`
  return `override:
  id: ${countyPrefix(county)}_${next.slice(0, 4)}_electricity
  county: "${county.code}"
  label: ${county.name}差别化电价调整
  status: draft
  from: ${next}
  source: { document: 文号待定 }
replace:
  surcharges:
    - id: class_electricity
      label: ${county.name}差别化电价
      from: ${next}
      resource: electricity
      basis: class
      source: { document: 文号待定 }
      rates:
        - { class: C, rate: "0.30" }
        - { class: D, rate: "0.60" }
`
}

/** 401 (not logged in), 403 (not this role) or 404 as a page in the visitor's language. */
function refusedPage(c: Context, lang: Lang, p: Visitor | undefined, status?: 404) {
  const code = status ?? (p ? 403 : 401)
  return c.html(
    <Layout lang={lang} title={w(lang, 'title')} path="/overrides" loggedIn={!!p} who={p}>
      <Notice kind="error" id="refused">
        {code === 404 ? problemMessage(lang, new MujunError('NOT_FOUND', '')) : null}
        {code === 403 ? w(lang, 'forbidden') : null}
        {code === 401 ? <a href={`/login?lang=${lang}`}>{w(lang, 'need')}</a> : null}
      </Notice>
    </Layout>,
    code,
  )
}
