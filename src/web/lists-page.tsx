/** @jsxImportSource hono/jsx */
/**
 * Designated lists (名单) for sector pricing (/lists): every list with its status and dates; one list with its
 * entries, and the pricing bureau's forms to record a firm added to it or taken off it after 复查 (a date before
 * today needs the correction's reason and document). Every act goes through services.lists, as the API does.
 * @module web/lists-page
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { ListDetail } from '../app/lists.ts'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { MujunError } from '../errors.ts'
import { type Lang, langOf, phrases } from './i18n.ts'
import { inBeijing } from './kit/format.ts'
import { fieldErrors, problemMessage } from './kit/problems.ts'
import { Data, Facts, Field, type FieldErrors, Notice, Table } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, type Visitor } from './page-kit.ts'

export const lw = phrases({
  title: { zh: '差别电价企业名单', en: 'Designated lists for sector pricing' },
  intro: {
    zh: '名单内企业按所属价格规则缴纳行业差别电价：名单开始执行、过渡期结束后起计收；经复查合格移出名单的，自移出之日起停止计收。',
    en: 'Firms on a list pay the sector surcharge of the schedule that names it, from the list’s start or the day after its transition period; a firm taken off after re-inspection pays nothing from the day it is removed.',
  },
  list: { zh: '名单', en: 'List' },
  label: { zh: '名称', en: 'Name' },
  status: { zh: '状态', en: 'Status' },
  schedule: { zh: '适用价格规则', en: 'Schedule it governs' },
  document: { zh: '文号', en: 'Document' },
  startOn: { zh: '开始执行', en: 'Starts' },
  transition: { zh: '过渡期至（含当日）', en: 'Transition until (inclusive)' },
  firstCharged: { zh: '名单企业起计收日', en: 'Listed firms pay from' },
  onList: { zh: '今日在册企业', en: 'Firms on it today' },
  firms: { zh: '家', en: '' },
  none: { zh: '暂无名单', en: 'No list yet' },
  noTransition: { zh: '无过渡期', en: 'No transition period' },
  decision: { zh: '审批', en: 'Decision' },
  proposed: { zh: '待审批', en: 'Awaiting approval' },
  approved: { zh: '已批准', en: 'Approved' },
  rejected: { zh: '已退回', en: 'Rejected' },
  withdrawn: { zh: '已撤回', en: 'Withdrawn' },
  entries: { zh: '在册与移出记录', en: 'Entries' },
  creditCode: { zh: '统一社会信用代码', en: 'Unified social credit code' },
  firm: { zh: '企业名称', en: 'Firm' },
  addedOn: { zh: '列入日期', en: 'On the list from' },
  addedRef: { zh: '列入依据', en: 'Listed by' },
  removedOn: {
    zh: '移出日期（当日起停收）',
    en: 'Off the list from (nothing charged from that day)',
  },
  removedRef: { zh: '复查文号', en: 'Re-inspection document' },
  correctionNote: { zh: '更正', en: 'Correction' },
  noEntries: { zh: '名单内暂无企业', en: 'No firm on this list' },
  onListNow: { zh: '在册', en: 'On the list' },
  addTitle: { zh: '列入名单', en: 'Add a firm to the list' },
  removeTitle: { zh: '复查合格移出名单', en: 'Take a firm off after re-inspection' },
  onDay: { zh: '生效日期', en: 'From (date)' },
  ref: { zh: '依据文号', en: 'Document number' },
  removeRef: { zh: '复查文号', en: 'Re-inspection document number' },
  choose: { zh: '请选择', en: 'Choose' },
  correction: {
    zh: '更正理由（生效日期早于今天时必填）',
    en: 'Correction reason (required for a date before today)',
  },
  correctionDocument: {
    zh: '更正依据文号（生效日期早于今天时必填）',
    en: 'Correction document (required for a date before today)',
  },
  add: { zh: '列入', en: 'Add' },
  remove: { zh: '移出', en: 'Take off' },
  added: { zh: '已列入名单', en: 'Added to the list' },
  removed: {
    zh: '已移出名单，自移出之日起停止计收',
    en: 'Taken off the list: nothing is charged from that day',
  },
  fixErrors: { zh: '请按字段旁的提示更正', en: 'Please correct the fields marked' },
  unknownFirm: { zh: '该企业未登记，请先登记后再列入', en: 'No firm with this code is registered' },
  badCode: { zh: '统一社会信用代码有误', en: 'The credit code is not valid' },
  already: { zh: '该企业已在名单内', en: 'This firm is already on the list' },
  overlaps: {
    zh: '该企业此前在册期间与此日期重叠',
    en: 'The firm was on the list on that day already',
  },
  beforeStart: { zh: '早于名单开始执行日期', en: 'Before the list starts' },
  beforeAdded: {
    zh: '移出日期须晚于列入日期',
    en: 'The removal must come after the day the firm was added',
  },
  needCorrection: {
    zh: '日期早于今天，属更正：请填写更正理由和依据文号',
    en: 'A date before today is a correction: give its reason and document',
  },
  notOnList: { zh: '该企业不在名单内', en: 'This firm is not on the list' },
  closed: {
    zh: '名单已退回或撤回，不能再变更',
    en: 'This list was rejected or withdrawn and cannot change',
  },
  needLogin: {
    zh: '请用市级部门或县（市、区）、供电单位令牌登录',
    en: 'Log in with a token of a city office, a county or a utility',
  },
  forbidden: { zh: '您的角色不能查看名单', en: 'Your role cannot see the lists' },
  forbiddenRecord: {
    zh: '只有市发改（价格）可以变更名单',
    en: 'Only the pricing bureau records list changes',
  },
  noSuch: { zh: '未找到该名单', en: 'No such list' },
  back: { zh: '返回名单列表', en: 'Back to the lists' },
})

type Values = Record<'creditCode' | 'on' | 'ref' | 'correction' | 'correctionDocument', string>
type Form = 'add' | 'remove'

export function registerListPages(app: PageApp, { services, who }: PageDeps) {
  app.get('/lists', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'list.read')) return refused(c, lang, p)
    return c.html(<ListsPage lang={lang} who={p} services={services} />)
  })

  app.get('/lists/:id', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'list.read')) return refused(c, lang, p)
    const list = find(services, p, c.req.param('id'))
    if (!list) return refused(c, lang, p, 404)
    const done = c.req.query('done')
    return c.html(
      <ListPage
        lang={lang}
        who={p}
        services={services}
        list={list}
        notice={done === 'added' || done === 'removed' ? lw(lang, done) : undefined}
      />,
    )
  })

  for (const form of ['add', 'remove'] as const)
    app.post(`/lists/:id/${form}`, async (c) => {
      const lang = langOf(c.req.query('lang'))
      const p = who(c)
      if (!can(p, 'list.record')) return refused(c, lang, p, undefined, 'forbiddenRecord')
      const id = c.req.param('id')
      const list = find(services, p, id)
      if (!list) return refused(c, lang, p, 404)
      const values = valuesOf(await formOf(c))
      const correction =
        values.correction || values.correctionDocument
          ? { reason: values.correction, document: values.correctionDocument }
          : undefined
      try {
        if (form === 'add')
          services.lists.add(p, id, {
            creditCode: values.creditCode,
            addedOn: values.on,
            ref: values.ref,
            correction,
          })
        else
          services.lists.remove(p, id, {
            creditCode: values.creditCode,
            removedOn: values.on,
            ref: values.ref,
            correction,
          })
      } catch (e) {
        const errors = errorsOf(lang, e)
        return c.html(
          <ListPage
            lang={lang}
            who={p}
            services={services}
            list={list}
            form={form}
            values={values}
            errors={errors}
          />,
          422,
        )
      }
      return c.redirect(
        `/lists/${id}?done=${form === 'add' ? 'added' : 'removed'}&lang=${lang}`,
        303,
      )
    })
}

function find(services: Services, p: Visitor, id: string): ListDetail | undefined {
  try {
    return services.lists.get(p, id)
  } catch (e) {
    if (e instanceof MujunError && e.status === 404) return undefined
    throw e
  }
}

function valuesOf(body: Record<string, unknown> | undefined): Values {
  const get = (k: string) => (typeof body?.[k] === 'string' ? (body[k] as string).trim() : '')
  return {
    creditCode: get('creditCode'),
    on: get('on'),
    ref: get('ref'),
    correction: get('correction'),
    correctionDocument: get('correctionDocument'),
  }
}

/** A refusal put beside the field it is about (the form's fields are named as the page names them). */
function errorsOf(lang: Lang, e: unknown): FieldErrors {
  if (e instanceof z.ZodError) {
    const raw = fieldErrors(lang, e)
    const rename: Record<string, string> = {
      addedOn: 'on',
      removedOn: 'on',
      correction: 'correction',
    }
    const out: FieldErrors = {}
    for (const [k, v] of Object.entries(raw)) out[rename[k] ?? k] = v
    return out
  }
  if (!(e instanceof MujunError)) throw e
  switch (e.code) {
    case 'CREDIT_CODE_INVALID':
      return { creditCode: lw(lang, 'badCode') }
    case 'LIST_ENTRY_UNKNOWN_FIRM':
      return { creditCode: lw(lang, 'unknownFirm') }
    case 'CONFLICT':
      return { creditCode: lw(lang, 'already') }
    case 'LIST_ENTRY_OVERLAPS':
      return { on: lw(lang, 'overlaps') }
    case 'LIST_DATES_INVALID':
      return { on: lw(lang, 'beforeStart') }
    case 'LIST_REMOVAL_BEFORE_ADDITION':
      return { on: lw(lang, 'beforeAdded') }
    case 'CORRECTION_REQUIRED':
      return { correction: lw(lang, 'needCorrection') }
    case 'LIST_ENTRY_NOT_FOUND':
      return { creditCode: lw(lang, 'notOnList') }
    case 'TRANSITION_NOT_ALLOWED':
      return { creditCode: lw(lang, 'closed') }
    default:
      return { creditCode: problemMessage(lang, e) }
  }
}

function statusOf(lang: Lang, status: ListDetail['status']) {
  return <span class={`badge st-${status}`}>{lw(lang, status)}</span>
}

/** The schedule a list governs: its label in the rules in force, and its id as code. */
function scheduleOf(services: Services, id: string) {
  const label = services.rulebooks
    .active()
    .rulebook.sections.surcharges.filter((s) => s.id === id)
    .at(-1)?.label
  return (
    <>
      {label ? <Data>{label}</Data> : null} <code>{id}</code>
    </>
  )
}

function ListsPage(props: { lang: Lang; who: Visitor; services: Services }) {
  const { lang, who, services } = props
  const lists = services.lists.all(who)
  return (
    <Layout lang={lang} title={lw(lang, 'title')} path="/lists" loggedIn={true} who={who}>
      <p class="muted">{lw(lang, 'intro')}</p>
      <Table
        id="lists"
        head={[
          lw(lang, 'label'),
          lw(lang, 'status'),
          lw(lang, 'schedule'),
          lw(lang, 'document'),
          lw(lang, 'startOn'),
          lw(lang, 'transition'),
          lw(lang, 'firstCharged'),
          lw(lang, 'onList'),
        ]}
        num={[7]}
        empty={lw(lang, 'none')}
        rows={lists.map((l) => [
          <a href={`/lists/${l.id}?lang=${lang}`} data-list={l.id}>
            <Data>{l.label}</Data>
          </a>,
          statusOf(lang, l.status),
          scheduleOf(services, l.schedule),
          <Data>{l.document}</Data>,
          l.startOn,
          l.transitionUntil ?? lw(lang, 'noTransition'),
          l.firstChargedDay,
          `${l.onList}${lang === 'zh' ? ` ${lw(lang, 'firms')}` : ''}`,
        ])}
      />
    </Layout>
  )
}

function ListPage(props: {
  lang: Lang
  who: Visitor
  services: Services
  list: ListDetail
  form?: Form
  values?: Values
  errors?: FieldErrors
  notice?: string
}) {
  const { lang, who, services, list } = props
  const name = (code: string) => {
    try {
      return services.enterprises.row(code).name
    } catch {
      return '—'
    }
  }
  const open = list.entries.filter((e) => e.removedOn === null)
  const recording =
    can(who, 'list.record') && (list.status === 'approved' || list.status === 'proposed')
  return (
    <Layout
      lang={lang}
      title={lw(lang, 'title')}
      heading={<Data>{list.label}</Data>}
      path={`/lists/${list.id}`}
      loggedIn={true}
      who={who}
    >
      {props.notice ? (
        <Notice kind="ok" id="done">
          {props.notice}
        </Notice>
      ) : null}
      {props.errors ? (
        <Notice kind="error" id="refusal">
          {lw(lang, 'fixErrors')}
        </Notice>
      ) : null}
      <Facts
        id="list-facts"
        items={[
          [lw(lang, 'list'), <code>{list.id}</code>],
          [lw(lang, 'status'), statusOf(lang, list.status)],
          [lw(lang, 'schedule'), scheduleOf(services, list.schedule)],
          [lw(lang, 'document'), <Data>{list.document}</Data>],
          [lw(lang, 'startOn'), list.startOn],
          [lw(lang, 'transition'), list.transitionUntil ?? lw(lang, 'noTransition')],
          [lw(lang, 'firstCharged'), list.firstChargedDay],
          [
            lw(lang, 'decision'),
            list.decisionRef ? (
              <>
                <Data>{list.decisionRef}</Data> · {inBeijing(lang, list.decidedAt)}
              </>
            ) : (
              '—'
            ),
          ],
        ]}
      />
      <h2>{lw(lang, 'entries')}</h2>
      <Table
        id="entries"
        head={[
          lw(lang, 'creditCode'),
          lw(lang, 'firm'),
          lw(lang, 'addedOn'),
          lw(lang, 'addedRef'),
          lw(lang, 'removedOn'),
          lw(lang, 'removedRef'),
          lw(lang, 'correctionNote'),
        ]}
        empty={lw(lang, 'noEntries')}
        rows={list.entries.map((e) => [
          <code data-entry={e.creditCode}>{e.creditCode}</code>,
          <Data>{name(e.creditCode)}</Data>,
          e.addedOn,
          <Data>{e.addedRef}</Data>,
          e.removedOn ?? <span class="badge st-active">{lw(lang, 'onListNow')}</span>,
          e.removedRef ? <Data>{e.removedRef}</Data> : '—',
          e.addedCorrection || e.removedCorrection ? (
            <Data>{[e.addedCorrection, e.removedCorrection].filter(Boolean).join('；')}</Data>
          ) : (
            '—'
          ),
        ])}
      />
      {recording ? (
        <>
          <EntryForm
            lang={lang}
            who={who}
            list={list}
            form="add"
            values={props.form === 'add' ? props.values : undefined}
            errors={props.form === 'add' ? props.errors : undefined}
          />
          {open.length > 0 ? (
            <EntryForm
              lang={lang}
              who={who}
              list={list}
              form="remove"
              firms={open.map((e) => ({
                value: e.creditCode,
                label: lang === 'zh' ? `${e.creditCode} ${name(e.creditCode)}` : e.creditCode,
              }))}
              values={props.form === 'remove' ? props.values : undefined}
              errors={props.form === 'remove' ? props.errors : undefined}
            />
          ) : null}
        </>
      ) : null}
      <p>
        <a href={`/lists?lang=${lang}`} id="back">
          {lw(lang, 'back')}
        </a>
      </p>
    </Layout>
  )
}

function EntryForm(props: {
  lang: Lang
  who: Visitor
  list: ListDetail
  form: Form
  firms?: { value: string; label: string }[]
  values?: Values
  errors?: FieldErrors
}) {
  const { lang, form } = props
  const v = props.values
  const errors = props.errors ?? {}
  return (
    <form
      method="post"
      action={`/lists/${props.list.id}/${form}?lang=${lang}`}
      id={`${form}-entry`}
      class="card"
      novalidate
    >
      <h2>{lw(lang, form === 'add' ? 'addTitle' : 'removeTitle')}</h2>
      <CsrfField who={props.who} />
      {props.firms ? (
        <Field
          name="creditCode"
          label={lw(lang, 'creditCode')}
          type="select"
          value={v?.creditCode}
          error={errors.creditCode}
          required
          options={[{ value: '', label: lw(lang, 'choose') }, ...props.firms]}
        />
      ) : (
        <Field
          name="creditCode"
          label={lw(lang, 'creditCode')}
          value={v?.creditCode}
          error={errors.creditCode}
          required
        />
      )}
      <Field
        name="on"
        label={lw(lang, 'onDay')}
        type="date"
        value={v?.on}
        error={errors.on}
        required
      />
      <Field
        name="ref"
        label={lw(lang, form === 'add' ? 'ref' : 'removeRef')}
        value={v?.ref}
        error={errors.ref}
        required
      />
      <Field
        name="correction"
        label={lw(lang, 'correction')}
        value={v?.correction}
        error={errors.correction}
      />
      <Field
        name="correctionDocument"
        label={lw(lang, 'correctionDocument')}
        value={v?.correctionDocument}
        error={errors.correctionDocument}
      />
      <button type="submit" id={`${form}-submit`}>
        {lw(lang, form)}
      </button>
    </form>
  )
}

function refused(
  c: Context,
  lang: Lang,
  p: Visitor | undefined,
  status?: 404,
  forbidden: 'forbidden' | 'forbiddenRecord' = 'forbidden',
) {
  const code = status ?? (p ? 403 : 401)
  return c.html(
    <Layout lang={lang} title={lw(lang, 'title')} path="/lists" loggedIn={!!p} who={p}>
      <Notice kind="error" id="refused">
        {code === 401 ? (
          <a href={`/login?lang=${lang}`}>{lw(lang, 'needLogin')}</a>
        ) : code === 404 ? (
          lw(lang, 'noSuch')
        ) : (
          lw(lang, forbidden)
        )}
      </Notice>
    </Layout>,
    code,
  )
}
