/** @jsxImportSource hono/jsx */
/**
 * The page shell shared by the web pages.
 * @module web/layout
 */
import type { Child } from 'hono/jsx'
import { type Lang, t } from './i18n.ts'

const CSS = `body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:1000px;margin:1.5rem auto;padding:0 1rem;color:#222}
nav{display:flex;gap:1rem;align-items:center;border-bottom:1px solid #ddd;padding-bottom:.5rem;margin-bottom:1rem}nav .sp{flex:1}
label{display:block;margin:.35rem 0}label span{display:inline-block;min-width:15em}input,select{padding:.2rem .3rem;font-size:1rem}
.err{color:#b00;margin-left:.5rem}.field-error input{border:2px solid #b00}.class{font-size:3rem;font-weight:bold}.A{color:#1a7f37}.B{color:#2a6fd6}.C{color:#c77700}.D{color:#c62828}
.bar{background:#eee;height:1rem;position:relative;min-width:200px}.bar i{display:block;height:100%;background:#3b82f6}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}.num{text-align:right}
section{margin:1.2rem 0}td:first-child{white-space:nowrap}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.2rem 1rem}`

export function Layout(props: {
  lang: Lang
  title: string
  path: string
  loggedIn: boolean
  children: Child
}) {
  const other = props.lang === 'zh' ? 'en' : 'zh'
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <title>{props.title}</title>
        <style>{CSS}</style>
      </head>
      <body>
        <nav>
          <a href={`/self-check?lang=${props.lang}`}>{t(props.lang, 'title')}</a>
          <a href={`/overview?lang=${props.lang}`}>{t(props.lang, 'overview')}</a>
          <a href={`/programme?lang=${props.lang}`}>{t(props.lang, 'programme')}</a>
          <a href={`/provenance?lang=${props.lang}`}>{t(props.lang, 'provenance')}</a>
          <span class="sp" />
          <a href={`${props.path}?lang=${other}`}>{other === 'en' ? 'English' : '中文'}</a>
          {props.loggedIn ? (
            <a href={`/logout?lang=${props.lang}`}>{t(props.lang, 'logout')}</a>
          ) : (
            <a href={`/login?lang=${props.lang}`}>{t(props.lang, 'login')}</a>
          )}
        </nav>
        <h1>{props.title}</h1>
        {props.children}
      </body>
    </html>
  )
}

/** The hidden field that carries the visitor's CSRF token in every state-changing form. */
export function CsrfField(props: { who: unknown }) {
  const csrf = (props.who as { csrf?: unknown } | undefined)?.csrf
  return <input type="hidden" name="_csrf" value={typeof csrf === 'string' ? csrf : ''} />
}
