/** @jsxImportSource hono/jsx */
/**
 * A firm's own sheet of a year (一企一单, /my/sheet): each figure the departments gave, with its department, time and
 * version; the firm confirms the sheet or disputes one figure (the value it claims and why) within the land areas'
 * objection window; its disputes and how the economy office resolved them.
 * @module web/sheet-page
 */
import type { Context } from 'hono'
import { can, ownCreditCode } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { departmentName, figureText, fw } from './figures-words.ts'
import { type Lang, langOf, phrases } from './i18n.ts'
import { inBeijing } from './kit/format.ts'
import { problemMessage } from './kit/problems.ts'
import { Data, Facts, Field, type FieldErrors, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, problemText } from './page-kit.ts'

const sw = phrases({
  title: { zh: '我的数据确认单（一企一单）', en: 'My figures sheet' },
  intro: {
    zh: '以下数据由各部门按本企业统一社会信用代码报送。请在用地面积公示异议期内核对：无误请确认；如有误，请对该项提出异议并写明理由，经经信部门核实处理后方生效。逾期未反馈视为无异议。',
    en: 'These figures were submitted by the departments under your credit code. Check them within the land areas’ objection window: confirm them, or dispute one figure with the value you claim and why; a dispute changes your figures only once the economy office resolves it. No answer by the end of the window counts as confirmation.',
  },
  standing: { zh: '确认状态', en: 'Standing' },
  window: { zh: '异议期', en: 'Objection window' },
  notOpen: { zh: '尚未公示', en: 'not yet published' },
  value: { zh: '数值', en: 'Value' },
  unit: { zh: '单位', en: 'Unit' },
  source: { zh: '报送部门', en: 'Department' },
  version: { zh: '版本', en: 'Version' },
  at: { zh: '报送时间', en: 'Submitted at' },
  confirm: { zh: '确认以上数据无误', en: 'Confirm these figures' },
  confirmed: { zh: '已确认，感谢配合', en: 'Confirmed, thank you' },
  disputeTitle: { zh: '对某项数据提出异议', en: 'Dispute a figure' },
  input: { zh: '数据项', en: 'Figure' },
  claimed: { zh: '本企业认为正确的数值', en: 'The value you claim' },
  reason: { zh: '理由及证明材料', en: 'Reason and evidence' },
  reasonShort: { zh: '请写明理由（5 至 4,000 字）', en: 'Give a reason (5 to 4,000 characters)' },
  filed: {
    zh: '异议已提交，经经信部门核实处理后生效',
    en: 'Dispute filed; it takes effect once the economy office resolves it',
  },
  none: {
    zh: '本年度尚无部门报送的数据',
    en: 'No department has submitted your figures of this year',
  },
  answers: { zh: '本企业的异议', en: 'Your disputes' },
  closed: {
    zh: '不在异议期内，不能确认或提出异议',
    en: 'Outside the objection window: nothing can be confirmed or disputed',
  },
  needEnterprise: { zh: '请用企业访问令牌登录', en: 'Log in with your enterprise token' },
})

const yearOf = (services: Services, asked: unknown) =>
  typeof asked === 'string' && /^\d{4}$/.test(asked)
    ? Number(asked)
    : Number(services.store.today().slice(0, 4)) - 1

export function registerSheetPages(app: PageApp, { services, who }: PageDeps) {
  const show = (
    c: Context,
    year: number,
    extra: {
      errors?: FieldErrors
      typed?: Record<string, string>
      flash?: { kind: 'ok' | 'error'; text: string }
    } = {},
    status: 200 | 422 = 200,
  ) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    const code = ownCreditCode(p)
    if (!p || code === undefined || !can(p, 'sheet.read'))
      return c.html(
        <Layout lang={lang} title={sw(lang, 'title')} path="/my" loggedIn={!!p} who={p}>
          <Notice kind="error" id="refused">
            <a href={`/login?lang=${lang}`}>{sw(lang, 'needEnterprise')}</a>
          </Notice>
        </Layout>,
        p ? 403 : 401,
      )
    return c.html(
      <SheetPage lang={lang} who={p} services={services} code={code} year={year} {...extra} />,
      status,
    )
  }
  app.get('/my/sheet', (c) => show(c, yearOf(services, c.req.query('year'))))

  app.post('/my/sheet/confirm', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    const year = yearOf(services, body?.year)
    try {
      services.intake.confirm(who(c), ownCreditCode(who(c)) ?? '', year)
      return show(c, year, { flash: { kind: 'ok', text: sw(lang, 'confirmed') } })
    } catch (e) {
      if (e instanceof MujunError && e.status < 500 && e.status !== 401 && e.status !== 403)
        return show(c, year, { flash: { kind: 'error', text: problemMessage(lang, e) } }, 422)
      return problemText(c, e, who(c))
    }
  })

  app.post('/my/sheet/dispute', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const body = await formOf(c)
    if (!body) return c.text('malformed form body', 400)
    const year = yearOf(services, body.year)
    const typed = {
      input: String(body.input ?? ''),
      claimed: String(body.claimed ?? ''),
      reason: String(body.reason ?? ''),
    }
    if (typed.reason.trim().length < 5 || typed.reason.length > 4000)
      return show(c, year, { typed, errors: { reason: sw(lang, 'reasonShort') } }, 422)
    try {
      services.intake.dispute(who(c), ownCreditCode(who(c)) ?? '', year, typed)
      return show(c, year, { flash: { kind: 'ok', text: sw(lang, 'filed') } })
    } catch (e) {
      if (e instanceof MujunError && e.status < 500 && e.status !== 401 && e.status !== 403) {
        const field = e.code === 'VALIDATION_FAILED' ? 'claimed' : undefined
        return field
          ? show(c, year, { typed, errors: { [field]: problemMessage(lang, e) } }, 422)
          : show(c, year, { typed, flash: { kind: 'error', text: problemMessage(lang, e) } }, 422)
      }
      return problemText(c, e, who(c))
    }
  })
}

function SheetPage(props: {
  lang: Lang
  who: Principal
  services: Services
  code: string
  year: number
  errors?: FieldErrors
  typed?: Record<string, string>
  flash?: { kind: 'ok' | 'error'; text: string }
}) {
  const { lang, who, services, code, year } = props
  const s = services.intake.sheet(who, code, year)
  const errors = props.errors ?? {}
  const typed = props.typed ?? {}
  const pub = s.landPublication
  return (
    <Layout
      lang={lang}
      title={sw(lang, 'title')}
      path="/my"
      loggedIn
      who={who}
      query={`year=${year}`}
    >
      <p class="muted">{sw(lang, 'intro')}</p>
      {props.flash ? (
        <Notice kind={props.flash.kind} id="flash">
          {props.flash.text}
        </Notice>
      ) : null}
      <Facts
        id="sheet-facts"
        items={[
          [fw(lang, 'name'), <Data>{s.name}</Data>],
          [fw(lang, 'code'), s.creditCode],
          [fw(lang, 'year'), String(year)],
          [sw(lang, 'standing'), fw(lang, s.standing)],
          [
            sw(lang, 'window'),
            pub ? `${pub.publishedOn} ~ ${pub.objectionUntil}` : sw(lang, 'notOpen'),
          ],
        ]}
      />
      <Table
        id="sheet"
        empty={sw(lang, 'none')}
        head={[
          sw(lang, 'input'),
          sw(lang, 'value'),
          sw(lang, 'unit'),
          sw(lang, 'source'),
          sw(lang, 'version'),
          sw(lang, 'at'),
        ]}
        num={[1, 4]}
        rows={s.figures.map((f) => [
          <Data>{f.label}</Data>,
          figureText(lang, f.value),
          f.unit ? <Data>{f.unit}</Data> : '—',
          departmentName(services, lang, f.department),
          `v${f.version}`,
          inBeijing(lang, f.submittedAt),
        ])}
      />
      {s.windowOpen && s.figures.length > 0 ? (
        <>
          <form method="post" action={`/my/sheet/confirm?lang=${lang}`} id="confirm" class="card">
            <CsrfField who={who} />
            <input type="hidden" name="year" value={String(year)} />
            <button type="submit">{sw(lang, 'confirm')}</button>
          </form>
          <form method="post" action={`/my/sheet/dispute?lang=${lang}`} id="dispute" class="card">
            <h2>{sw(lang, 'disputeTitle')}</h2>
            <CsrfField who={who} />
            <input type="hidden" name="year" value={String(year)} />
            <div class="field">
              <label for="f-input">{sw(lang, 'input')}</label>
              {/* The labels are the rulebook's (Chinese) on both pages, marked as such. */}
              <select id="f-input" name="input">
                {s.figures.map((f) => (
                  <option
                    value={f.input}
                    lang="zh-CN"
                    selected={f.input === (typed.input || 'land_mu')}
                  >
                    {f.label}
                  </option>
                ))}
              </select>
            </div>
            <Field
              name="claimed"
              label={sw(lang, 'claimed')}
              value={typed.claimed}
              error={errors.claimed}
              required
            />
            <Field
              name="reason"
              label={sw(lang, 'reason')}
              type="textarea"
              rows={4}
              value={typed.reason}
              error={errors.reason}
              required
            />
            <button type="submit">{sw(lang, 'disputeTitle')}</button>
          </form>
        </>
      ) : s.figures.length > 0 ? (
        <p class="muted">{sw(lang, 'closed')}</p>
      ) : null}
      <h2>{sw(lang, 'answers')}</h2>
      <Table
        id="my-disputes"
        empty={fw(lang, 'noDisputes')}
        head={[
          sw(lang, 'input'),
          fw(lang, 'claimed'),
          fw(lang, 'filed'),
          fw(lang, 'status'),
          fw(lang, 'decision'),
        ]}
        rows={s.answers
          .filter((a) => a.kind === 'dispute')
          .map((a) => [
            <Data>
              {services.rulebooks.active().rulebook.inputById.get(a.input!)?.label ?? a.input}
            </Data>,
            figureText(lang, a.claimed),
            inBeijing(lang, a.filedAt),
            fw(lang, a.status as 'open'),
            <Data>{a.decision ?? '—'}</Data>,
          ])}
      />
    </Layout>
  )
}
