/** @jsxImportSource hono/jsx */
/**
 * The page shell shared by the web pages: one visual system, and a nav that offers a visitor only the pages the
 * permission table lets their role open.
 * @module web/layout
 */
import type { Child } from 'hono/jsx'
import { type Action, can } from '../app/permissions.ts'
import type { Principal } from '../principal.ts'
import { type Key, type Lang, t } from './i18n.ts'
import { countyLabel, roleLabel } from './kit/labels.ts'

const CSS = `:root{--ink:#1f2328;--muted:#5b6470;--line:#d8dee4;--bg:#f6f8fa;--accent:#2f6fbd;--ok:#1a7f37;--warn:#b26a00;--bad:#c62828}
*{box-sizing:border-box}body{font-family:"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",system-ui,sans-serif;margin:0;color:var(--ink);font-size:15px;line-height:1.55}
header.top{background:#12355b;color:#fff}header.top nav{max-width:1180px;margin:0 auto;display:flex;flex-wrap:wrap;gap:.2rem 1rem;align-items:center;padding:.55rem 1rem}
header.top a{color:#fff;text-decoration:none;padding:.15rem .2rem;border-bottom:2px solid transparent}header.top a.here{border-bottom-color:#ffd166}header.top .brand{font-weight:700;margin-right:.6rem}
header.top .sp{flex:1}header.top .who{opacity:.85;font-size:.85rem}
main{max-width:1180px;margin:1rem auto 3rem;padding:0 1rem}h1{font-size:1.55rem;margin:.6rem 0 1rem}h2{font-size:1.2rem;margin:1.6rem 0 .6rem;border-left:4px solid var(--accent);padding-left:.5rem}h3{font-size:1.05rem;margin:1rem 0 .4rem}
table{border-collapse:collapse;margin:.4rem 0 1rem;min-width:40%}th,td{padding:.3rem .65rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}thead th{background:var(--bg);border-bottom:2px solid var(--line);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}td.num{white-space:nowrap}thead th:first-child{white-space:nowrap}td.empty{color:var(--muted);text-align:center}caption{text-align:left;font-weight:600;padding:.2rem 0}
.field{display:flex;flex-direction:column;margin:.55rem 0;max-width:34rem}.field label{font-weight:600;margin-bottom:.15rem}.field .req{color:var(--bad);margin-left:.15rem}
input,select,textarea{font:inherit;padding:.3rem .45rem;border:1px solid #b8c0c8;border-radius:4px}textarea{font-family:ui-monospace,"Noto Sans Mono CJK SC",monospace;font-size:.9rem;width:100%}
.field.has-error input,.field.has-error select,.field.has-error textarea{border:2px solid var(--bad)}.field-error{color:var(--bad);margin-top:.15rem}.hint{color:var(--muted)}
button,.button{font:inherit;background:var(--accent);color:#fff;border:0;border-radius:4px;padding:.4rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}button.secondary,.button.secondary{background:#eef1f4;color:var(--ink);border:1px solid var(--line)}button.danger{background:var(--bad)}
.notice{padding:.6rem .8rem;border-radius:4px;margin:.6rem 0;border-left:4px solid}.notice.ok{background:#eaf6ed;border-color:var(--ok)}.notice.error{background:#fdecec;border-color:var(--bad)}.notice.info{background:#eef4fb;border-color:var(--accent)}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.85rem;background:#eef1f4;border:1px solid var(--line);white-space:nowrap}
.st-filed,.st-published,.st-done,.st-accepted,.st-upheld,.st-active,.st-completed,.st-on_time,.st-ok{background:#eaf6ed;border-color:#9fd3ab}.st-submitted,.st-approved,.st-notice,.st-open,.st-pending,.st-running,.st-queued,.st-in_progress,.st-planned{background:#fff5e0;border-color:#f0c36d}
.st-rejected,.st-failed,.st-refused,.st-missing,.st-late,.st-revoked,.st-degraded{background:#fdecec;border-color:#f0a5a5}
.class{font-size:2.6rem;font-weight:700}.A{color:var(--ok)}.B{color:var(--accent)}.C{color:var(--warn)}.D{color:var(--bad)}
figure.chart{margin:.6rem 0 1.2rem}figure.chart svg{max-width:100%;height:auto}figcaption{color:var(--muted);font-size:.9rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:.2rem 1.2rem}.row{display:flex;gap:.6rem;flex-wrap:wrap;align-items:center}
.muted{color:var(--muted)}.assumed{color:var(--warn);font-size:.85rem}.bar{background:#eee;height:1rem;position:relative;min-width:200px}.bar i{display:block;height:100%;background:var(--accent)}
progress{width:24rem;height:1.1rem}.card{border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
@media print{header.top,.noprint,form button{display:none}main{max-width:none;margin:0}a{color:inherit;text-decoration:none}}`

/** The nav: each page with the action that opens it. */
const NAV: { path: string; key: Key; action: Action | 'public' }[] = [
  { path: '/self-check', key: 'title', action: 'public' },
  { path: '/my', key: 'myResult', action: 'programme.firm' },
  { path: '/rules', key: 'rulesNav', action: 'rulebook.import' },
  { path: '/overrides', key: 'overridesNav', action: 'override.read' },
  { path: '/evaluation', key: 'evaluationNav', action: 'overview.read' },
  { path: '/programme', key: 'programmeNav', action: 'programme.read' },
  { path: '/overview', key: 'overview', action: 'overview.read' },
  { path: '/tokens', key: 'tokensNav', action: 'token.manage' },
  { path: '/provenance', key: 'provenance', action: 'provenance.read' },
  { path: '/lists', key: 'listsNav', action: 'list.read' },
  { path: '/refunds', key: 'refundsNav', action: 'refunds.read' },
  { path: '/measures', key: 'measuresNav', action: 'measures.list' },
  { path: '/figures', key: 'figuresNav', action: 'intake.read' },
]

/** The nav entries `who` may open (the anonymous visitor: the public ones). */
export function navFor(who: Principal | undefined) {
  return NAV.filter((n) =>
    n.action === 'public'
      ? true
      : n.path === '/my'
        ? who?.role === 'enterprise'
        : can(who, n.action),
  )
}

export function Layout(props: {
  lang: Lang
  title: string
  path: string
  /** Kept for pages that know only whether someone is logged in; `who` shows the nav the role may open. */
  loggedIn: boolean
  who?: Principal
  /** Query string to keep when switching language (without `lang`). */
  query?: string
  /** The page's heading when it holds data (a project's or firm's name, an override's id); else `title`. */
  heading?: Child
  children: Child
}) {
  const other = props.lang === 'zh' ? 'en' : 'zh'
  const q = (lang: string) => `?${props.query ? `${props.query}&` : ''}lang=${lang}`
  const who = props.who
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${t(props.lang, 'brand')}`}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <header class="top">
          <nav>
            <span class="brand">{t(props.lang, 'brand')}</span>
            {navFor(who).map((n) => (
              <a
                href={`${n.path}?lang=${props.lang}`}
                class={props.path === n.path ? 'here' : undefined}
              >
                {t(props.lang, n.key)}
              </a>
            ))}
            <span class="sp" />
            {who ? (
              <span class="who">
                {roleLabel(props.lang, who.role)}
                {who.role === 'county' ? ` · ${countyLabel(props.lang, who.scope)}` : ''}
              </span>
            ) : null}
            <a href={`${props.path}${q(other)}`} hreflang={other === 'en' ? 'en' : 'zh-CN'}>
              {other === 'en' ? 'English' : '中文'}
            </a>
            {props.loggedIn || who ? (
              <a href={`/logout?lang=${props.lang}`}>{t(props.lang, 'logout')}</a>
            ) : (
              <a href={`/login?lang=${props.lang}`}>{t(props.lang, 'login')}</a>
            )}
          </nav>
        </header>
        <main>
          <h1>{props.heading ?? props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  )
}

/** The hidden field that carries the visitor's CSRF token in every state-changing form. */
export function CsrfField(props: { who: unknown }) {
  const csrf = (props.who as { csrf?: unknown } | undefined)?.csrf
  return <input type="hidden" name="_csrf" value={typeof csrf === 'string' ? csrf : ''} />
}
