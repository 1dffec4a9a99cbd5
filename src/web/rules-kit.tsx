/** @jsxImportSource hono/jsx */
/**
 * What the rules pages share: the shell with their own tabs, the login/role gate, a value's source with its
 * "assumed" mark, and a refusal box.
 * @module web/rules-kit
 */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { type Action, can } from '../app/permissions.ts'
import { MujunError } from '../errors.ts'
import { type Lang, langOf } from './i18n.ts'
import { problemMessage } from './kit/problems.ts'
import { Data, Notice } from './kit/ui.tsx'
import { Layout } from './layout.tsx'
import type { PageDeps, Visitor } from './page-kit.ts'
import { rw } from './rules-words.ts'

const TABS = [
  { path: '/rules', zh: '在用规则', en: 'Rules in force', action: 'rulebook.read' },
  {
    path: '/rules/change',
    zh: '自某日起调整',
    en: 'Change from a date',
    action: 'rulebook.import',
  },
  { path: '/rules/versions', zh: '规则版本', en: 'Versions', action: 'rulebook.read' },
  { path: '/rules/edit', zh: '编辑规则文件', en: 'Edit a rule file', action: 'rulebook.import' },
] as const

export function RulesShell(props: {
  lang: Lang
  who: Visitor
  /** The tab this page belongs to. */
  path: string
  /** The page's own path when it is not the tab's (the language switch reopens it). */
  here?: string
  title: string
  query?: string
  children: Child
}) {
  const { lang } = props
  return (
    <Layout
      lang={lang}
      title={props.title}
      path={props.here ?? props.path}
      loggedIn
      who={props.who}
      query={props.query}
    >
      <nav class="row noprint" id="rules-tabs" style="margin-bottom:.8rem">
        {TABS.filter((tab) => can(props.who, tab.action)).map((tab) => (
          <a
            class={`button${props.path === tab.path ? '' : ' secondary'}`}
            href={`${tab.path}?lang=${lang}`}
          >
            {tab[lang]}
          </a>
        ))}
      </nav>
      {props.children}
    </Layout>
  )
}

/** The visitor when they may do `action`; otherwise the page that says whom to log in as (401/403). */
export function gate(
  deps: PageDeps,
  c: Context,
  action: Action,
): { lang: Lang; p: Visitor } | { denied: Response | Promise<Response> } {
  const lang = langOf(c.req.query('lang'))
  const p = deps.who(c)
  if (p && can(p, action)) return { lang, p }
  const denied = c.html(
    <Layout lang={lang} title={rw(lang, 'title')} path="/rules" loggedIn={!!p} who={p}>
      <p>
        <a href={`/login?lang=${lang}`}>
          {rw(lang, action === 'rulebook.read' ? 'needLogin' : 'needBureau')}
        </a>
      </p>
    </Layout>,
    p ? 403 : 401,
  )
  return { denied }
}

/** A value's source document (as written) and the "assumed" mark. */
export function Src(props: {
  lang: Lang
  source: { document: string; article?: string }
  assumed?: boolean
}) {
  return (
    <span class="src">
      <Data>
        {props.source.document}
        {props.source.article ? ` ${props.source.article}` : ''}
      </Data>
      {props.assumed ? (
        <>
          {' '}
          <span class="assumed badge" title={rw(props.lang, 'assumedNote')}>
            {rw(props.lang, 'assumed')}
          </span>
        </>
      ) : null}
    </span>
  )
}

/** A period "from – to" (to exclusive, shown as the last day it applies is the day before). */
export function Period(props: { lang: Lang; from: string; to?: string }) {
  return (
    <span class="period" style="white-space:nowrap">
      {props.from} – {props.to ?? rw(props.lang, 'open')}
    </span>
  )
}

/** A refusal at the top of a form: the code's words in the page's language, and the code for the help desk. */
export function Refusal(props: { lang: Lang; error: unknown; extra?: Child }) {
  const e = props.error
  if (!(e instanceof MujunError)) return null
  return (
    <Notice kind="error" id="refusal">
      <strong>{problemMessage(props.lang, e)}</strong> <code>{e.code}</code>
      {props.extra ? <div>{props.extra}</div> : null}
    </Notice>
  )
}

/** The first day a CITY_RETROACTIVE refusal names, with today. */
export function reachOf(e: unknown): { firstDay?: string; today?: string } {
  if (!(e instanceof MujunError)) return {}
  const d = e.details as { firstDay?: unknown; today?: unknown } | undefined
  return {
    firstDay: typeof d?.firstDay === 'string' ? d.firstDay : undefined,
    today: typeof d?.today === 'string' ? d.today : undefined,
  }
}
