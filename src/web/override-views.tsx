/** @jsxImportSource hono/jsx */
/**
 * The county-override pages as views: the list, one override (its facts, text, history, preview and acts), and the
 * editor a county proposes or edits a draft in, with `rules check` problems at their line.
 * @module web/override-views
 */
import type { Child } from 'hono/jsx'
import type { OverrideDetail, OverrideEvent, OverrideSummary } from '../app/override-views.ts'
import { can } from '../app/permissions.ts'
import type { Principal } from '../principal.ts'
import type { Lang } from './i18n.ts'
import { beijing } from './kit/format.ts'
import { countyLabel, resourceLabel } from './kit/labels.ts'
import { Badge, Data, Facts, Field, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { ActForms, type ActState } from './override-acts.tsx'
import { PreviewSection, type PreviewState } from './override-preview-view.tsx'
import { fill, w, withZone } from './override-words.ts'

/** The resources an override's text prices (its rows' `resource:` keys). */
export function resourcesOf(text: string): string[] {
  return [...new Set([...text.matchAll(/^\s*resource:\s*([a-z_]+)\s*$/gm)].map((m) => m[1]))]
}

export function ListPage(props: {
  lang: Lang
  who: Principal
  rows: (OverrideSummary & { resources: string[] })[]
}) {
  const { lang, who, rows } = props
  return (
    <Layout lang={lang} title={w(lang, 'title')} path="/overrides" loggedIn={true} who={who}>
      {can(who, 'override.propose') ? (
        <p>
          <a class="button" id="propose" href={`/overrides/new?lang=${lang}`}>
            {w(lang, 'propose')}
          </a>
        </p>
      ) : null}
      <style>{'.nowrap{white-space:nowrap}'}</style>
      <Table
        id="overrides"
        head={[
          w(lang, 'county'),
          w(lang, 'id'),
          w(lang, 'label'),
          w(lang, 'status'),
          w(lang, 'from'),
          w(lang, 'to'),
          w(lang, 'resource'),
          withZone(lang, w(lang, 'updated')),
        ]}
        empty={w(lang, 'none')}
        rows={rows.map((o) => [
          countyLabel(lang, o.county),
          <a href={`/overrides/${o.id}?lang=${lang}`} data-override={o.id}>
            <code>{o.id}</code>
          </a>,
          <Data>{o.label}</Data>,
          <Badge lang={lang} status={o.status} />,
          <span class="nowrap">{o.from || '—'}</span>,
          <span class="nowrap">{o.to ?? '—'}</span>,
          o.resources.map((r) => resourceLabel(lang, r)).join('、') || '—',
          beijing(o.updatedAt),
        ])}
      />
    </Layout>
  )
}

export function DetailPage(props: {
  lang: Lang
  who: Principal
  o: OverrideDetail
  today: string
  preview: PreviewState
  done?: string
  refusal?: Child
  act?: ActState
}) {
  const { lang, who, o } = props
  return (
    <Layout
      lang={lang}
      title={`${w(lang, 'title')} · ${o.id}`}
      heading={
        <>
          {w(lang, 'title')} · <code>{o.id}</code>
        </>
      }
      path={`/overrides/${o.id}`}
      loggedIn={true}
      who={who}
    >
      {props.done ? (
        <Notice kind="ok" id="done">
          {props.done}
        </Notice>
      ) : null}
      {props.refusal ? (
        <Notice kind="error" id="refusal">
          {props.refusal}
        </Notice>
      ) : null}
      <p>
        <a href={`/overrides?lang=${lang}`}>{w(lang, 'back')}</a>
      </p>
      <Facts
        id="facts"
        items={[
          [w(lang, 'id'), <code>{o.id}</code>],
          [w(lang, 'label'), <Data>{o.label}</Data>],
          [w(lang, 'county'), countyLabel(lang, o.county)],
          [w(lang, 'status'), <Badge lang={lang} status={o.status} />],
          [w(lang, 'from'), o.from || '—'],
          [w(lang, 'to'), o.to ?? '—'],
          [
            w(lang, 'resource'),
            resourcesOf(o.text)
              .map((r) => resourceLabel(lang, r))
              .join('、'),
          ],
          [w(lang, 'version'), String(o.version)],
          ...(o.supersedes
            ? [[w(lang, 'supersedes'), <code>{o.supersedes}</code>] as [Child, Child]]
            : []),
        ]}
      />
      <ActForms lang={lang} who={who} o={o} today={props.today} state={props.act} />
      <PreviewSection lang={lang} state={props.preview} self={`/overrides/${o.id}?lang=${lang}`} />
      <History lang={lang} events={o.events} />
      <section id="text">
        <h2>{w(lang, 'text')}</h2>
        <pre>
          <code>{o.text}</code>
        </pre>
      </section>
    </Layout>
  )
}

function actWord(lang: Lang, action: string): string {
  const key = `act_${action}` as Parameters<typeof w>[1]
  try {
    return w(lang, key)
  } catch {
    return '—'
  }
}

function History(props: { lang: Lang; events: OverrideEvent[] }) {
  const { lang } = props
  return (
    <section id="history">
      <h2>{w(lang, 'history')}</h2>
      <Table
        id="events"
        head={[
          w(lang, 'version'),
          w(lang, 'step'),
          w(lang, 'status'),
          w(lang, 'who'),
          withZone(lang, w(lang, 'when')),
          w(lang, 'reason'),
          w(lang, 'ref'),
          w(lang, 'decisionDate'),
        ]}
        num={[0]}
        rows={props.events.map((e) => [
          String(e.version),
          actWord(lang, e.action),
          <Badge lang={lang} status={e.toStatus} />,
          <Data>{e.by}</Data>,
          beijing(e.at),
          e.reason ? <Data>{e.reason}</Data> : '—',
          e.ref ? <Data>{e.ref}</Data> : '—',
          e.decisionDate ?? '—',
        ])}
      />
    </section>
  )
}

/** The editor spans the page and reads as code (line numbers in problems match what is seen). */
const EDITOR_CSS =
  '#editor .field{max-width:none}#editor textarea{font-family:ui-monospace,"Noto Sans Mono CJK SC","DejaVu Sans Mono",monospace}'

/** A rule problem of a proposed text: where, which field, what. */
export interface TextProblem {
  line: number
  path: string
  message: string
}

export function EditorPage(props: {
  lang: Lang
  who: Principal
  /** Undefined for a new proposal; the draft's id when editing. */
  id?: string
  etag?: string
  text: string
  problems: TextProblem[]
  refusal?: Child
  /** The refusal's words in the page's language, shown beside the text when no problem has a line. */
  error?: string
}) {
  const { lang, who, id, text, problems } = props
  const title = id ? `${w(lang, 'editTitle')} · ${id}` : w(lang, 'proposeTitle')
  const lines = text.split('\n')
  const first = problems[0]
  const fieldError = first ? fill(w(lang, 'atLine'), { n: first.line }) : props.error
  return (
    <Layout
      lang={lang}
      title={title}
      heading={
        id ? (
          <>
            {w(lang, 'editTitle')} · <code>{id}</code>
          </>
        ) : undefined
      }
      path={id ? `/overrides/${id}/edit` : '/overrides/new'}
      loggedIn={true}
      who={who}
    >
      {props.refusal ? (
        <Notice kind="error" id="refusal">
          {props.refusal}
        </Notice>
      ) : null}
      {problems.length > 0 ? (
        <Table
          id="problems"
          caption={w(lang, 'problems')}
          head={[w(lang, 'line'), w(lang, 'text'), w(lang, 'field'), w(lang, 'problem')]}
          num={[0]}
          rows={problems.map((p) => [
            <span data-line={String(p.line)}>{String(p.line)}</span>,
            <code>{lines[p.line - 1] ?? ''}</code>,
            <code>{p.path}</code>,
            <code>{p.message}</code>,
          ])}
        />
      ) : null}
      <form
        method="post"
        action={id ? `/overrides/${id}/edit?lang=${lang}` : `/overrides/new?lang=${lang}`}
        id="editor"
      >
        <style>{EDITOR_CSS}</style>
        <CsrfField who={who} />
        {props.etag ? <input type="hidden" name="etag" value={props.etag} /> : null}
        <Field
          name="text"
          label={w(lang, 'text')}
          type="textarea"
          rows={Math.min(40, Math.max(18, lines.length + 2))}
          value={text}
          hint={w(lang, 'textHint')}
          error={fieldError}
          required
        />
        <button type="submit" id="save">
          {w(lang, 'save')}
        </button>
      </form>
    </Layout>
  )
}
