/** @jsxImportSource hono/jsx */
/**
 * A county submits its quarterly report from the report page: submitted today, or, for an earlier day with its
 * reason, as a request the economy office accepts or refuses. The page answers with the submission and its state.
 * @module web/report-submit
 */
import {
  isRefusal,
  quarterLabel,
  refusalFields,
  type Values,
  valuesOf,
  w,
  wf,
} from './county-words.ts'
import { type Lang, langOf, t } from './i18n.ts'
import { problemMessage } from './kit/problems.ts'
import type { FieldErrors } from './kit/ui.tsx'
import { formOf, type PageApp, type PageDeps, problemText } from './page-kit.ts'
import { ReportPage, type SubmitOutcome } from './report-page.tsx'

const QUARTER = /^\d{4}Q[1-4]$/
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** The form's own checks, said beside the field (the use case checks the rest). */
function formErrors(lang: Lang, v: Record<string, string>, quarters: string[]): FieldErrors {
  const zh = lang === 'zh'
  const e: FieldErrors = {}
  if (!QUARTER.test(v.quarter) || !quarters.includes(v.quarter))
    e.quarter = zh ? '请从列表中选择季度' : 'Choose a quarter from the list'
  if (v.submittedOn && !DAY.test(v.submittedOn))
    e.submittedOn = zh ? '日期应写作 2017-12-31 的格式' : 'Dates are written like 2017-12-31'
  if (v.historicReason && v.historicReason.length < 5)
    e.historicReason = zh ? '至少 5 个字' : 'At least 5 characters'
  return e
}

/** POST /programme/report: the county's submission of a quarter. */
export function registerReportSubmit(app: PageApp, { services, who }: PageDeps) {
  app.post('/programme/report', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    if (!body) return c.text(lang === 'zh' ? '表单无法解析' : 'malformed form body', 400)
    const p = who(c)
    const values: Values = {
      ...valuesOf(body, ['county', 'quarter', 'submittedOn', 'historicReason']),
      confirm: body.confirm === 'yes' ? 'yes' : '',
    }
    const quarters = services.programme.quartersSoFar()
    const shown =
      QUARTER.test(values.quarter) && quarters.includes(values.quarter)
        ? values.quarter
        : quarters.at(-1)!
    const page = (outcome: SubmitOutcome, status: 200 | 201 | 409 | 422) => {
      try {
        const report = services.programme.report(p, values.county, shown)
        return c.html(
          <ReportPage lang={lang} who={p!} report={report} quarters={quarters} outcome={outcome} />,
          status,
        )
      } catch (e) {
        return problemText(c, e, who(c))
      }
    }
    const errors = formErrors(lang, values, quarters)
    if (!values.confirm) errors.confirm = w(lang, 'confirmReportNeeded')
    if (Object.keys(errors).length > 0)
      return page({ kind: 'error', text: t(lang, 'fixErrors'), values, errors }, 422)
    try {
      const s = services.programme.submitReport(p, values.county, values.quarter, {
        submittedOn: values.submittedOn || undefined,
        historicReason: values.historicReason || undefined,
      })
      const r = s.backdateRequest
      return page(
        {
          kind: 'ok',
          text: wf(lang, 'submitted', {
            quarter: quarterLabel(lang, s.quarter),
            seq: s.seq,
            on: s.submittedOn,
          }),
          backdated: r
            ? wf(lang, 'backdatedReport', { claimed: r.claimedOn, sent: r.sentOn })
            : undefined,
        },
        201,
      )
    } catch (e) {
      if (!isRefusal(e)) throw e
      if (e.status === 401 || e.status === 403 || e.status === 404) return problemText(c, e, who(c))
      const fields = refusalFields(lang, e)
      const text = Object.keys(fields).length > 0 ? t(lang, 'fixErrors') : problemMessage(lang, e)
      return page({ kind: 'error', text, values, errors: fields }, e.status === 409 ? 409 : 422)
    }
  })
}
