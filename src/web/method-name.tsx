/** @jsxImportSource hono/jsx */
/**
 * The evaluation method that rated a firm (属地评价): the city's, or its county's own (the override id that sets it),
 * as a results list or a result sheet names it.
 * @module web/method-name
 */
import type { Lang } from './i18n.ts'

/** The method as plain text (a CSV cell): the city's, or the county's own with its override id; '' when not known. */
export function methodText(lang: Lang, method: string | null | undefined): string {
  if (method === undefined) return ''
  if (method === null) return lang === 'zh' ? '全市统一评价办法' : 'The city’s method'
  return `${lang === 'zh' ? '本县（市、区）评价办法' : 'The county’s own method'} ${method}`
}

/** `method`: null for the city's, else the county override id(s); undefined (not known) is a dash. */
export function MethodName(props: { lang: Lang; method: string | null | undefined }) {
  const { lang, method } = props
  if (method === undefined) return <>—</>
  if (method === null)
    return (
      <span data-method="city">{lang === 'zh' ? '全市统一评价办法' : 'The city’s method'}</span>
    )
  return (
    <span data-method={method}>
      {lang === 'zh' ? '本县（市、区）评价办法' : 'The county’s own method'} <code>{method}</code>
    </span>
  )
}
