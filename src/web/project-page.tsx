/** @jsxImportSource hono/jsx */
/**
 * A programme project: its dispositions (处置), the ledger a county uploads, the verification the economy office
 * records.
 * @module web/project-page
 */
import { can, inScope } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import type { Principal } from '../principal.ts'
import type { Lang } from './i18n.ts'
import { CsrfField, Layout } from './layout.tsx'

/**
 * One project and its ledger (一企一档): each disposition with its status, what it freed and its verification. Its
 * county may upload the ledger as a spreadsheet; the economy office verifies done dispositions (核验) here.
 */
export function ProjectPage(props: {
  lang: Lang
  who: Principal
  project: ReturnType<Services['programme']['projectDetail']>
  message?: string
}) {
  const { lang, who, project: p } = props
  const mine = can(who, 'programme.write') && inScope(who, { county: p.county })
  return (
    <Layout
      lang={lang}
      title={`#${p.id} ${p.name}`}
      path="/programme/project"
      loggedIn={true}
      who={who}
    >
      <p>
        {p.county} · {p.year} · {p.township} · {p.status} · {lang === 'zh' ? '报送' : 'filed'}{' '}
        {p.filedOn}
        {p.cluster ? ` · ${p.cluster}${p.clusterBuiltOn ? ` (${p.clusterBuiltOn})` : ''}` : ''}
      </p>
      {p.backdateRequests
        .filter((r) => r.status === 'pending')
        .map((r) => (
          <p class="backdate-request" data-request={r.id}>
            {lang === 'zh'
              ? `县（市）区称 ${r.claimedOn} 已报送：待市经信局认定，认定前按实际报送日 ${r.sentOn} 计`
              : `the county says it filed on ${r.claimedOn}: until the economy office accepts, it counts as filed on ${r.sentOn}, the day it was sent`}
          </p>
        ))}
      {props.message && <p id="message">{props.message}</p>}
      <table id="ledger">
        <tr>
          <th>#</th>
          <th>{lang === 'zh' ? '统一社会信用代码' : 'credit code'}</th>
          <th>{lang === 'zh' ? '处置' : 'kind'}</th>
          <th>{lang === 'zh' ? '状态' : 'status'}</th>
          <th>{lang === 'zh' ? '期限' : 'deadline'}</th>
          <th>{lang === 'zh' ? '完成日期' : 'done on'}</th>
          <th class="num">{lang === 'zh' ? '腾出用能' : 'energy'}</th>
          <th class="num">{lang === 'zh' ? '盘活土地' : 'land'}</th>
          <th>{lang === 'zh' ? '核验' : 'verified'}</th>
        </tr>
        {p.dispositions.map((d) => (
          <tr data-disposition={d.id}>
            <td>{d.id}</td>
            <td>{d.creditCode}</td>
            <td>{d.kind}</td>
            <td>{d.status}</td>
            <td>{d.deadline}</td>
            <td>{d.completedOn ?? ''}</td>
            <td class="num">{d.energyFreedTce}</td>
            <td class="num">{d.landFreedMu}</td>
            <td class="verified">
              {d.verifiedOn ??
                (can(who, 'programme.verify') && d.status === 'done' ? (
                  <form method="get" action="/programme/verify">
                    <input type="hidden" name="lang" value={lang} />
                    <input type="hidden" name="disposition" value={String(d.id)} />
                    <input type="hidden" name="project" value={String(p.id)} />
                    <button type="submit" class="verify">
                      {lang === 'zh' ? '核验' : 'Verify'}
                    </button>
                  </form>
                ) : (
                  '—'
                ))}
            </td>
          </tr>
        ))}
      </table>
      {mine && (
        <form
          id="ledger-upload"
          method="post"
          action={`/programme/ledger?lang=${lang}`}
          enctype="multipart/form-data"
        >
          <CsrfField who={who} />
          <input type="hidden" name="project" value={String(p.id)} />
          <label>
            <span>{lang === 'zh' ? '上传一企一档台账（CSV）' : 'Upload the ledger (CSV)'}</span>
            <input type="file" name="file" accept=".csv,text/csv" />
          </label>
          <button type="submit">{lang === 'zh' ? '导入' : 'Import'}</button>
        </form>
      )}
    </Layout>
  )
}
