/** @jsxImportSource hono/jsx */
/**
 * The rectification programme's pages: progress, a project and its ledger, verification, the basis of a figure,
 * a county's quarterly report (and its CSV).
 * @module web/programme-pages
 */
import { can } from '../app/permissions.ts'
import { ProjectRequest } from '../app/programme.ts'
import { MujunError } from '../errors.ts'
import { langOf, t } from './i18n.ts'
import { Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, type PageRequest, problemText } from './page-kit.ts'
import { ProgrammePage } from './programme-page.tsx'
import { ProjectPage } from './project-page.tsx'

export function registerProgrammePages(app: PageApp, { services, who }: PageDeps) {
  app.get('/programme', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'programme.read'))
      return c.html(
        <Layout lang={lang} title={t(lang, 'programme')} path="/programme" loggedIn={!!p} who={p}>
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

  const projectPage = (c: PageRequest & { html: any; text: any }, id: number, message?: string) => {
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
  // The economy office verifies (核验) a done disposition through web/verify-page: its evidence, then a confirmation.
}
