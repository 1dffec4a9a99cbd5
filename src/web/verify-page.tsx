/** @jsxImportSource hono/jsx */
/**
 * Verifying a disposition (核验): the economy office sees the county's record and its evidence, confirms, and is
 * told the result. The project page's 核验 button leads here.
 * @module web/verify-page
 */
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { w } from './evaluation-words.ts'
import { type Lang, langOf } from './i18n.ts'
import { inBeijing, num } from './kit/format.ts'
import { countyLabel, kindLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Badge, Confirm, Data, Facts, Notice } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps } from './page-kit.ts'

type Project = ReturnType<Services['programme']['projectDetail']>
type Disposition = Project['dispositions'][number]

const UNITS = {
  energy: { zh: '吨标准煤', en: 'tce' },
  water: { zh: '立方米', en: 'm³' },
  land: { zh: '亩', en: 'mu' },
  jobs: { zh: '人', en: 'jobs' },
}

/** The county's record of one disposition, as the office checks it before verifying. */
function Evidence(props: {
  lang: Lang
  services: Services
  who: Principal
  project: Project
  d: Disposition
}) {
  const { lang, services, who, project, d } = props
  const firm = services.enterprises.get(who, d.creditCode)
  const u = (k: keyof typeof UNITS) => UNITS[k][lang]
  return (
    <Facts
      id="evidence"
      items={[
        [w(lang, 'name'), <Data>{firm.name}</Data>],
        [w(lang, 'creditCode'), <code>{d.creditCode}</code>],
        [w(lang, 'county'), countyLabel(lang, d.county)],
        [
          w(lang, 'project'),
          <>
            #{project.id} <Data>{project.name}</Data>
          </>,
        ],
        [w(lang, 'kind'), kindLabel(lang, d.kind)],
        [w(lang, 'status'), <Badge lang={lang} status={d.status} />],
        [w(lang, 'deadline'), d.deadline],
        [w(lang, 'startedOn'), d.startedOn ?? '—'],
        [w(lang, 'completedOn'), <strong>{d.completedOn ?? '—'}</strong>],
        [w(lang, 'countyRecord'), <Data>{d.evidence || '—'}</Data>],
        [w(lang, 'changes'), <Data>{d.changes || '—'}</Data>],
        [w(lang, 'energyFreed'), `${num(d.energyFreedTce, 4)} ${u('energy')}`],
        [w(lang, 'waterFreed'), `${num(d.waterFreedM3, 2)} ${u('water')}`],
        [w(lang, 'landFreed'), `${num(d.landFreedMu, 4)} ${u('land')}`],
        [w(lang, 'jobsReduced'), `${num(d.jobsReduced, 0)} ${u('jobs')}`],
        [w(lang, 'recordedBy'), inBeijing(lang, d.updatedAt)],
        [w(lang, 'verifiedOn'), d.verifiedOn ?? '—'],
      ]}
    />
  )
}

function VerifyPage(props: {
  lang: Lang
  services: Services
  who: Principal
  project: Project
  d: Disposition
  error?: { top: string; confirm?: string }
  done?: boolean
}) {
  const { lang, who, project, d } = props
  const open = d.status === 'done' && !d.verifiedOn
  return (
    <Layout
      lang={lang}
      title={`${w(lang, 'verifyTitle')} #${d.id}`}
      path="/programme"
      loggedIn={true}
      who={who}
    >
      {props.error ? (
        <Notice kind="error" id="message">
          {props.error.top}
        </Notice>
      ) : null}
      {props.done ? (
        <Notice kind="ok" id="message">
          {w(lang, 'verified')} · {w(lang, 'verifiedOn')} {d.verifiedOn}
        </Notice>
      ) : null}
      {open ? <p class="hint">{w(lang, 'verifyHint')}</p> : null}
      <Evidence {...props} />
      {open ? (
        <form method="post" action={`/programme/verify?lang=${lang}`} id="verify-form" class="card">
          <CsrfField who={who} />
          <input type="hidden" name="disposition" value={String(d.id)} />
          <input type="hidden" name="version" value={String(d.version)} />
          <input type="hidden" name="project" value={String(project.id)} />
          <Confirm name="confirm" label={w(lang, 'verifyConfirm')} error={props.error?.confirm} />
          <button type="submit" id="do-verify">
            {w(lang, 'doVerify')}
          </button>
        </form>
      ) : props.done ? null : (
        <Notice kind="info">{w(lang, 'notVerifiable')}</Notice>
      )}
      <p>
        <a id="back" href={`/programme/project?id=${project.id}&lang=${lang}`}>
          {w(lang, 'backToProject')}
        </a>
      </p>
    </Layout>
  )
}

/** GET /programme/verify (the confirmation with the evidence) and POST /programme/verify (the act and its result). */
export function registerVerifyPages(app: PageApp, { services, who }: PageDeps) {
  const find = (p: Principal, project: number, id: number) => {
    const detail = services.programme.projectDetail(p, project)
    const d = detail.dispositions.find((x) => x.id === id)
    if (!d)
      throw new MujunError('NOT_FOUND', `disposition ${id} of project ${project}`, { status: 404 })
    return { detail, d }
  }
  const refusal = (c: { html: any }, lang: Lang, p: Principal | undefined, e: unknown) => {
    if (!(e instanceof MujunError)) throw e
    return c.html(
      <Layout lang={lang} title={w(lang, 'verifyTitle')} path="/programme" loggedIn={!!p} who={p}>
        <Notice kind="error" id="message">
          {problemMessage(lang, e)}
        </Notice>
      </Layout>,
      e.status as 404,
    )
  }

  app.get('/programme/verify', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'programme.verify'))
      return refusal(
        c,
        lang,
        p,
        new MujunError('FORBIDDEN', 'programme.verify', { status: p ? 403 : 401 }),
      )
    try {
      const { detail, d } = find(
        p,
        Number(c.req.query('project')),
        Number(c.req.query('disposition')),
      )
      return c.html(<VerifyPage lang={lang} services={services} who={p} project={detail} d={d} />)
    } catch (e) {
      return refusal(c, lang, p, e)
    }
  })

  app.post('/programme/verify', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const body = (await formOf(c)) ?? {}
    const [id, version, project] = [body.disposition, body.version, body.project].map(Number)
    if (!can(p, 'programme.verify'))
      return refusal(
        c,
        lang,
        p,
        new MujunError('FORBIDDEN', 'programme.verify', { status: p ? 403 : 401 }),
      )
    try {
      const { detail, d } = find(p, project, id)
      const page = (error?: { top: string; confirm?: string }, status = 422) =>
        c.html(
          <VerifyPage
            lang={lang}
            services={services}
            who={p}
            project={detail}
            d={d}
            error={error}
          />,
          status as 422,
        )
      if (body.confirm !== 'yes')
        return page({ top: w(lang, 'confirmRequired'), confirm: w(lang, 'confirmRequired') })
      try {
        services.programme.verifyDisposition(p, id, {}, version)
      } catch (e) {
        if (!(e instanceof MujunError)) throw e
        return page({ top: problemMessage(lang, e) }, e.status)
      }
      const after = find(p, project, id)
      return c.html(
        <VerifyPage
          lang={lang}
          services={services}
          who={p}
          project={after.detail}
          d={after.d}
          done
        />,
      )
    } catch (e) {
      return refusal(c, lang, p, e)
    }
  })
}
