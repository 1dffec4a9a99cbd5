/** @jsxImportSource hono/jsx */
/**
 * A programme project: its dispositions (处置), the ledger a county uploads (with a template of Chinese headers), the
 * link to correct one record, the verification the economy office records.
 * @module web/project-page
 */
import { can, inScope } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import type { Principal } from '../principal.ts'
import { columnWord, ledgerProblemWords, w, wf } from './county-words.ts'
import type { Lang } from './i18n.ts'
import { grouped } from './kit/format.ts'
import { countyLabel, kindLabel } from './kit/labels.ts'
import { Badge, Data, Facts, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'

type Project = ReturnType<Services['programme']['projectDetail']>
type Disposition = Project['dispositions'][number]

/** What the last act on the page did: a message, and a bad ledger's problems by row. */
export interface ProjectNotice {
  kind: 'ok' | 'error' | 'info'
  text: string
  problems?: { row: number; column?: string; message: string }[]
}

/**
 * One project and its ledger (一企一档): each disposition with its status, what it freed and its verification. Its
 * county may upload the ledger as a spreadsheet and correct one record; the economy office verifies done ones.
 */
export function ProjectPage(props: {
  lang: Lang
  who: Principal
  project: Project
  notice?: ProjectNotice
}) {
  const { lang, who, project: p } = props
  const mine = can(who, 'programme.write') && inScope(who, { county: p.county })
  return (
    <Layout
      lang={lang}
      title={`#${p.id} ${p.name}`}
      heading={
        <>
          #{p.id} <Data>{p.name}</Data>
        </>
      }
      path="/programme/project"
      loggedIn={true}
      who={who}
      query={`id=${p.id}`}
    >
      <p class="noprint">
        <a id="to-programme" href={`/programme?lang=${lang}`}>
          {w(lang, 'toProgramme')}
        </a>
      </p>
      <ProjectFacts lang={lang} project={p} />
      {p.backdateRequests
        .filter((r) => r.status === 'pending')
        .map((r) => (
          <p class="backdate-request notice info" data-request={r.id}>
            {wf(lang, 'pendingBackdate', { claimed: r.claimedOn, sent: r.sentOn })}
          </p>
        ))}
      {props.notice && <PageNotice lang={lang} notice={props.notice} />}
      <h2>{w(lang, 'ledger')}</h2>
      <LedgerTable lang={lang} who={who} project={p} mine={mine} />
      {mine && <LedgerUpload lang={lang} who={who} projectId={p.id} />}
    </Layout>
  )
}

function ProjectFacts({ lang, project: p }: { lang: Lang; project: Project }) {
  return (
    <Facts
      id="project-facts"
      items={[
        [w(lang, 'county'), countyLabel(lang, p.county)],
        [w(lang, 'year'), String(p.year)],
        [w(lang, 'kind'), kindLabel(lang, p.kind)],
        [w(lang, 'township'), <Data>{p.township}</Data>],
        [w(lang, 'status'), <Badge lang={lang} status={p.status} />],
        [w(lang, 'filed'), p.filedOn],
        [w(lang, 'startsOn'), p.startsOn],
        [w(lang, 'endsOn'), p.endsOn],
        [
          w(lang, 'cluster'),
          p.cluster ? (
            <Data>{`${p.cluster}${p.clusterBuiltOn ? ` (${p.clusterBuiltOn})` : ''}`}</Data>
          ) : (
            '—'
          ),
        ],
      ]}
    />
  )
}

/** The last act's message; a bad ledger's problems as a table of rows. */
function PageNotice({ lang, notice }: { lang: Lang; notice: ProjectNotice }) {
  return (
    <>
      <Notice kind={notice.kind} id="message">
        {notice.text}
      </Notice>
      {notice.problems && notice.problems.length > 0 && (
        <Table
          id="ledger-problems"
          head={[w(lang, 'row'), w(lang, 'column'), w(lang, 'problem')]}
          num={[0]}
          rows={notice.problems.map((x) => [
            lang === 'zh' ? `第 ${x.row} 行` : String(x.row),
            <code>{columnWord(x.column)}</code>,
            ledgerProblemWords(lang, x),
          ])}
        />
      )}
    </>
  )
}

function LedgerTable(props: { lang: Lang; who: Principal; project: Project; mine: boolean }) {
  const { lang, project: p } = props
  const head = [
    '#',
    w(lang, 'creditCode'),
    w(lang, 'disposition'),
    w(lang, 'status'),
    w(lang, 'deadline'),
    w(lang, 'completedOn'),
    w(lang, 'energy'),
    w(lang, 'land'),
    w(lang, 'verified'),
  ]
  const num = new Set([6, 7])
  return (
    <table id="ledger">
      <thead>
        <tr>
          {head.map((h, i) => (
            <th scope="col" class={num.has(i) ? 'num' : undefined}>
              {h}
            </th>
          ))}
          {props.mine && <th scope="col">{w(lang, 'correct')}</th>}
        </tr>
      </thead>
      <tbody>
        {p.dispositions.length === 0 && (
          <tr>
            <td colspan={head.length + (props.mine ? 1 : 0)} class="empty">
              {w(lang, 'noDispositions')}
            </td>
          </tr>
        )}
        {p.dispositions.map((d) => (
          <LedgerRow {...props} d={d} />
        ))}
      </tbody>
    </table>
  )
}

function LedgerRow(props: {
  lang: Lang
  who: Principal
  project: Project
  mine: boolean
  d: Disposition
}) {
  const { lang, who, d } = props
  return (
    <tr data-disposition={d.id}>
      <td>{d.id}</td>
      <td>
        <code>{d.creditCode}</code>
      </td>
      <td>{kindLabel(lang, d.kind)}</td>
      <td>
        <Badge lang={lang} status={d.status} />
      </td>
      <td>{d.deadline}</td>
      <td>{d.completedOn ?? '—'}</td>
      <td class="num">{grouped(d.energyFreedTce)}</td>
      <td class="num">{grouped(d.landFreedMu)}</td>
      <td class="verified">
        {d.verifiedOn ??
          (can(who, 'programme.verify') && d.status === 'done' ? (
            // The evidence and a confirmation first (/programme/verify shows them), never a one-click act.
            <form method="get" action="/programme/verify">
              <input type="hidden" name="lang" value={lang} />
              <input type="hidden" name="disposition" value={String(d.id)} />
              <input type="hidden" name="project" value={String(props.project.id)} />
              <button type="submit" class="verify">
                {w(lang, 'verify')}
              </button>
            </form>
          ) : (
            '—'
          ))}
      </td>
      {props.mine && (
        <td>
          {d.status === 'abandoned' ? (
            '—'
          ) : (
            <a class="correct" href={`/programme/disposition?id=${d.id}&lang=${lang}`}>
              {w(lang, 'correct')}
            </a>
          )}
        </td>
      )}
    </tr>
  )
}

function LedgerUpload(props: { lang: Lang; who: Principal; projectId: number }) {
  const { lang, who } = props
  return (
    <form
      id="ledger-upload"
      class="card"
      method="post"
      action={`/programme/ledger?lang=${lang}`}
      enctype="multipart/form-data"
    >
      <CsrfField who={who} />
      <input type="hidden" name="project" value={String(props.projectId)} />
      <div class="field">
        <label for="f-file">{w(lang, 'upload')}</label>
        <input id="f-file" type="file" name="file" accept=".csv,text/csv" />
        <small class="hint">{w(lang, 'templateHint')}</small>
      </div>
      <p>
        <a class="template" href={`/programme/ledger-template.csv?lang=${lang}`} download>
          {w(lang, 'template')}
        </a>
      </p>
      <button type="submit">{w(lang, 'import')}</button>
    </form>
  )
}
