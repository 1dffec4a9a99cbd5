/** @jsxImportSource hono/jsx */
/**
 * The notice list (公示名单) of a run, printable (the nav and buttons are left off in print) and as CSV with Chinese
 * headers; and the page that follows an evaluation job until its run is made.
 * @module web/evaluation-notice-list
 */
import type { Job } from '../app/jobs.ts'
import type { Services } from '../app/services.ts'
import { toCsv } from '../enterprise/csv.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import type { Run } from './evaluation-forms.tsx'
import { w } from './evaluation-words.ts'
import type { Lang } from './i18n.ts'
import { num, pct } from './kit/format.ts'
import { classLabel, countyLabel } from './kit/labels.ts'
import { problemMessage } from './kit/problems.ts'
import { Badge, Data, Notice, Table } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import { MethodName, methodText } from './method-name.tsx'

type Row = ReturnType<Services['evaluations']['listing']>[number]

const rankOf = (r: Row) => (r.rank === null ? '—' : `${r.rank} / ${r.groupSize ?? '—'}`)

/** The list as CSV: the columns people read, headed in Chinese (UTF-8 with BOM, opens in Excel). */
export function noticeCsv(rows: Row[]): string {
  return toCsv(
    [
      '统一社会信用代码',
      '企业名称',
      '县（市、区）',
      '评价类别',
      '综合得分',
      '组内排名',
      '评价办法',
    ],
    rows.map((r) => [
      r.creditCode,
      r.name,
      countyLabel('zh', r.county),
      r.class ?? '',
      r.score === null ? '' : r.score.toFixed(2),
      r.rank === null ? '' : `${r.rank}/${r.groupSize ?? ''}`,
      methodText('zh', r.method),
    ]),
  )
}

export function NoticeListPage(props: { lang: Lang; who: Principal; run: Run; rows: Row[] }) {
  const { lang, run, rows } = props
  const title = `${run.year} ${w(lang, 'noticeList')}`
  return (
    <Layout
      lang={lang}
      title={title}
      path="/evaluation"
      loggedIn={true}
      who={props.who}
      query={`run=${run.id}`}
    >
      <p>
        #{run.id} <Badge lang={lang} status={run.status} />{' '}
        {run.noticeFrom ? `${w(lang, 'noticePeriod')}: ${run.noticeFrom} — ${run.noticeTo}` : ''}
      </p>
      <p class="noprint row">
        <button type="button" class="secondary" onclick="window.print()">
          {w(lang, 'print')}
        </button>
        <a href={`/evaluation/notice-list.csv?run=${run.id}`} download>
          {w(lang, 'csv')}
        </a>
        <a href={`/evaluation?year=${run.year}&run=${run.id}&lang=${lang}`}>{w(lang, 'toCycle')}</a>
      </p>
      <Table
        id="notice-list"
        head={[
          w(lang, 'creditCode'),
          w(lang, 'name'),
          w(lang, 'county'),
          w(lang, 'class'),
          w(lang, 'score'),
          w(lang, 'rank'),
          w(lang, 'method'),
        ]}
        num={[4, 5]}
        rows={rows.map((r) => [
          <code>{r.creditCode}</code>,
          <Data>{r.name}</Data>,
          countyLabel(lang, r.county),
          r.class ? classLabel(lang, r.class) : <Badge lang={lang} status={r.status} />,
          r.score === null ? '—' : num(r.score, 2),
          rankOf(r),
          <MethodName lang={lang} method={r.method} />,
        ])}
      />
    </Layout>
  )
}

/** A running evaluation: its progress, refreshed every second; once done, the run it made. */
export function JobPage(props: { lang: Lang; who: Principal; job: Job; year: number }) {
  const { lang, job, year } = props
  const { done, total } = job.progress
  const running = job.status === 'running'
  const result = job.result as { id: number; counts: Record<string, number> } | null
  return (
    <Layout
      lang={lang}
      title={w(lang, 'jobTitle')}
      path="/evaluation"
      loggedIn={true}
      who={props.who}
    >
      {running ? <meta http-equiv="refresh" content="1" /> : null}
      <p id="job" data-status={job.status}>
        <Badge lang={lang} status={job.status} />
      </p>
      {running ? (
        <>
          <Notice kind="info">{w(lang, 'jobRunning')}</Notice>
          <p>
            <progress id="job-progress" value={String(done)} max={String(total ?? 1)} />{' '}
            {w(lang, 'progressOf')} {num(done, 0)} / {total === null ? '—' : num(total, 0)}{' '}
            {total ? `(${pct(done / total)})` : ''}
          </p>
        </>
      ) : null}
      {job.status === 'done' && result ? (
        <>
          <Notice kind="ok" id="message">
            {w(lang, 'jobDone')} #{result.id}
          </Notice>
          <progress value="1" max="1" />
          <Table
            head={[w(lang, 'class'), w(lang, 'firmsAxis')]}
            num={[1]}
            rows={Object.entries(result.counts)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, n]) => [
                classLabel(lang, k) === '—' ? (
                  <Badge lang={lang} status={k} />
                ) : (
                  classLabel(lang, k)
                ),
                num(n, 0),
              ])}
          />
          <p>
            <a id="to-run" href={`/evaluation?year=${year}&run=${result.id}&lang=${lang}`}>
              {w(lang, 'toCycle')} #{result.id}
            </a>
          </p>
        </>
      ) : null}
      {job.status === 'failed' || job.status === 'cancelled' ? (
        <Notice kind="error" id="message">
          {w(lang, 'jobFailed')}:{' '}
          {problemMessage(
            lang,
            new MujunError(job.error?.code ?? 'INTERNAL', job.error?.message ?? '', {
              status: 500,
            }),
          )}
        </Notice>
      ) : null}
    </Layout>
  )
}
