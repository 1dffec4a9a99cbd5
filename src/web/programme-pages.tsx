/** @jsxImportSource hono/jsx */
/**
 * The rectification programme's pages: progress, a project and its ledger, verification, the basis of a figure,
 * a county's quarterly report (and its CSV).
 * @module web/programme-pages
 */
import { can } from '../app/permissions.ts'
import { toCsv } from '../enterprise/csv.ts'
import { MujunError } from '../errors.ts'
import { DISPOSITION_COLUMNS } from '../programme/dispositions-csv.ts'
import { w, wf } from './county-words.ts'
import { registerDispositionForm } from './disposition-form.tsx'
import { langOf, t } from './i18n.ts'
import { Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, type PageRequest, problemText } from './page-kit.ts'
import { ProgrammePage } from './programme-page.tsx'
import { registerProjectForm } from './project-form.tsx'
import { type ProjectNotice, ProjectPage } from './project-page.tsx'
import { registerReportSubmit } from './report-submit.tsx'

export function registerProgrammePages(app: PageApp, deps: PageDeps) {
  const { services, who } = deps
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

  const projectPage = (
    c: PageRequest & { html: any; text: any },
    id: number,
    notice?: ProjectNotice,
    status: 200 | 422 = 200,
  ) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    try {
      const project = services.programme.projectDetail(p, id)
      return c.html(<ProjectPage lang={lang} who={p!} project={project} notice={notice} />, status)
    } catch (e) {
      return problemText(c, e, who(c))
    }
  }

  app.get('/programme/project', (c) => projectPage(c, Number(c.req.query('id'))))

  registerProjectForm(app, deps)
  registerDispositionForm(app, deps)
  registerReportSubmit(app, deps)

  // The ledger's template: every column with the Chinese header the upload reads (UTF-8 with BOM, opens in Excel).
  app.get('/programme/ledger-template.csv', (c) => {
    if (!can(who(c), 'programme.read')) return c.text('', who(c) ? 403 : 401)
    return c.body(toCsv(Object.values(DISPOSITION_COLUMNS), []), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="ledger-template.csv"; filename*=UTF-8''${encodeURIComponent('一企一档台账模板.csv')}`,
    })
  })

  // A county uploads a project's ledger; every row is checked and nothing is stored if one is bad.
  app.post('/programme/ledger', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const id = Number(body.project)
    const file = body.file
    if (!Number.isInteger(id)) return c.text('project is required', 400)
    if (!(file instanceof File) || file.size === 0)
      return projectPage(c, id, { kind: 'error', text: w(lang, 'noFile') }, 422)
    try {
      const r = services.programme.importDispositions(
        who(c),
        id,
        new Uint8Array(await file.arrayBuffer()),
      )
      return projectPage(c, id, { kind: 'ok', text: wf(lang, 'imported', { n: r.created }) })
    } catch (e) {
      if (e instanceof MujunError && e.code === 'CSV_INVALID') {
        const problems = (e.details ?? []) as ProjectNotice['problems'] & {}
        const text = wf(lang, 'csvNothing', { n: problems.length })
        return projectPage(c, id, { kind: 'error', text, problems }, 422)
      }
      return problemText(c, e, who(c))
    }
  })
  // The economy office verifies (核验) a done disposition through web/verify-page: its evidence, then a confirmation.
}
