/** @jsxImportSource hono/jsx */
/**
 * The bureau's access tokens (/tokens): create one for a role and its scope (the value is shown once, on the result
 * page), list them, revoke one after a confirmation page. Every act goes through services.tokens, as the API does.
 * @module web/tokens-page
 */
import type { Context } from 'hono'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { type TokenInfo, TokenRequest } from '../app/tokens.ts'
import { MujunError } from '../errors.ts'
import type { Department } from '../rulebook/schema.ts'
import { countiesOn } from '../rulebook/schema.ts'
import { type Lang, langOf } from './i18n.ts'
import { BEIJING_NOTE, beijing } from './kit/format.ts'
import { roleLabel } from './kit/labels.ts'
import { fieldErrors, problemMessage } from './kit/problems.ts'
import { Data, Facts, type FieldErrors, Notice } from './kit/ui.tsx'
import { CsrfField, Layout } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, type Visitor } from './page-kit.ts'
import { CreateForm, ScopeCell, TokenTable, tw } from './tokens-views.tsx'

export function registerTokenPages(app: PageApp, { services, who }: PageDeps) {
  app.get('/tokens', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'token.manage')) return refused(c, lang, p)
    const revoked = Number(c.req.query('revoked'))
    return c.html(
      <ListPage
        lang={lang}
        who={p}
        services={services}
        notice={Number.isInteger(revoked) && revoked > 0 ? revokedWords(lang, revoked) : undefined}
      />,
    )
  })

  app.post('/tokens', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'token.manage')) return refused(c, lang, p)
    const values = valuesOf(await formOf(c))
    const again = (errors: FieldErrors) =>
      c.html(
        <ListPage lang={lang} who={p} services={services} values={values} errors={errors} />,
        422,
      )
    const request = TokenRequest.safeParse({
      role: values.role || undefined,
      county: values.role === 'county' ? values.county || undefined : undefined,
      creditCode: values.role === 'enterprise' ? values.creditCode || undefined : undefined,
      department: values.role === 'department' ? values.department || undefined : undefined,
      label: values.label,
      expires: values.expires || undefined,
    })
    if (!request.success) return again(fieldErrors(lang, request.error))
    const scope = scopeProblem(lang, values)
    if (scope) return again(scope)
    try {
      const made = services.tokens.create(p, request.data)
      c.header('Cache-Control', 'no-store')
      return c.html(
        <CreatedPage lang={lang} who={p} made={made} departments={departmentsOf(services)} />,
        201,
      )
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return again(serviceProblem(lang, values, e))
    }
  })

  app.get('/tokens/revoke', (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'token.manage')) return refused(c, lang, p)
    const token = services.tokens.list(p).find((x) => x.id === Number(c.req.query('id')))
    if (!token) return refused(c, lang, p, 404)
    return c.html(
      <RevokePage lang={lang} who={p} token={token} departments={departmentsOf(services)} />,
    )
  })

  app.post('/tokens/revoke', async (c) => {
    const lang = langOf(c.req.query('lang'))
    const p = who(c)
    if (!can(p, 'token.manage')) return refused(c, lang, p)
    const id = Number((await formOf(c))?.id)
    const token = services.tokens.list(p).find((x) => x.id === id)
    if (!token) return refused(c, lang, p, 404)
    await services.tokens.revoke(p, id)
    return c.redirect(`/tokens?revoked=${id}&lang=${lang}`, 303)
  })
}

type Values = Record<'role' | 'county' | 'creditCode' | 'department' | 'label' | 'expires', string>

const departmentsOf = (services: Services) => services.rulebooks.active().rulebook.meta.departments

function valuesOf(body: Record<string, unknown> | undefined): Values {
  const get = (k: string) => (typeof body?.[k] === 'string' ? (body[k] as string).trim() : '')
  return {
    role: get('role'),
    county: get('county'),
    creditCode: get('creditCode'),
    department: get('department'),
    label: get('label'),
    expires: get('expires'),
  }
}

/** A county token needs its county, an enterprise token its credit code: said beside the field. */
function scopeProblem(lang: Lang, v: Values): FieldErrors | undefined {
  if (v.role === 'county' && !v.county) return { county: tw(lang, 'needCounty') }
  if (v.role === 'enterprise' && !v.creditCode) return { creditCode: tw(lang, 'needCode') }
  if (v.role === 'department' && !v.department) return { department: tw(lang, 'needDepartment') }
  return undefined
}

/** The service's refusal, put beside the field it is about. */
function serviceProblem(lang: Lang, v: Values, e: MujunError): FieldErrors {
  if (e.code === 'TOKEN_INVALID' && /expiry/.test(e.message))
    return { expires: tw(lang, 'pastExpiry') }
  if (v.role === 'county') return { county: tw(lang, 'needCounty') }
  if (v.role === 'enterprise') return { creditCode: tw(lang, 'badCode') }
  if (v.role === 'department') return { department: tw(lang, 'needDepartment') }
  return { role: problemMessage(lang, e) }
}

function revokedWords(lang: Lang, id: number): string {
  return `${tw(lang, 'revokedDone')} #${id}`
}

function ListPage(props: {
  lang: Lang
  who: Visitor
  services: Services
  values?: Values
  errors?: FieldErrors
  notice?: string
}) {
  const { lang, who, services } = props
  const tokens = services.tokens.list(who)
  const counties = countiesOn(
    services.rulebooks.active().rulebook.meta.counties,
    services.store.today(),
  )
  return (
    <Layout lang={lang} title={tw(lang, 'title')} path="/tokens" loggedIn={true} who={who}>
      {props.notice ? (
        <Notice kind="ok" id="done">
          {props.notice}
        </Notice>
      ) : null}
      {props.errors ? (
        <Notice kind="error" id="refusal">
          {tw(lang, 'fixErrors')}
        </Notice>
      ) : null}
      <CreateForm
        lang={lang}
        who={who}
        counties={counties.map((c) => c.code)}
        departments={departmentsOf(services)}
        values={props.values}
        errors={props.errors ?? {}}
      />
      <h2>{tw(lang, 'list')}</h2>
      <TokenTable
        lang={lang}
        tokens={[...tokens].reverse()}
        departments={departmentsOf(services)}
      />
    </Layout>
  )
}

function CreatedPage(props: {
  lang: Lang
  who: Visitor
  made: TokenInfo & { token: string }
  departments: Department[]
}) {
  const { lang, made } = props
  return (
    <Layout lang={lang} title={tw(lang, 'created')} path="/tokens" loggedIn={true} who={props.who}>
      <Notice kind="error" id="once">
        {tw(lang, 'onceWarning')}
      </Notice>
      <p>
        <code id="new-token" style="font-size:1.1rem;user-select:all">
          {made.token}
        </code>
      </p>
      <Summary lang={lang} token={made} departments={props.departments} />
      <p>
        <a class="button" href={`/tokens?lang=${lang}`} id="back">
          {tw(lang, 'back')}
        </a>
      </p>
    </Layout>
  )
}

function Summary(props: { lang: Lang; token: TokenInfo; departments: Department[] }) {
  const { lang, token: x } = props
  return (
    <Facts
      id="token-facts"
      items={[
        ['#', String(x.id)],
        [tw(lang, 'label'), <Data>{x.label}</Data>],
        [tw(lang, 'role'), roleLabel(lang, x.role)],
        [tw(lang, 'scope'), <ScopeCell lang={lang} token={x} departments={props.departments} />],
        [tw(lang, 'createdAt'), `${beijing(x.createdAt)} ${BEIJING_NOTE[lang]}`],
        [
          tw(lang, 'expiresAt'),
          x.expiresAt ? `${beijing(x.expiresAt)} ${BEIJING_NOTE[lang]}` : tw(lang, 'never'),
        ],
      ]}
    />
  )
}

function RevokePage(props: {
  lang: Lang
  who: Visitor
  token: TokenInfo
  departments: Department[]
}) {
  const { lang, token } = props
  return (
    <Layout
      lang={lang}
      title={tw(lang, 'revokeTitle')}
      path="/tokens"
      loggedIn={true}
      who={props.who}
    >
      <Notice kind="info">{tw(lang, 'revokeWarning')}</Notice>
      <Summary lang={lang} token={token} departments={props.departments} />
      {token.status === 'active' ? (
        <form method="post" action={`/tokens/revoke?lang=${lang}`} id="revoke">
          <CsrfField who={props.who} />
          <input type="hidden" name="id" value={String(token.id)} />
          <div class="row">
            <button type="submit" class="danger" id="confirm-revoke">
              {tw(lang, 'confirmRevoke')}
            </button>
            <a class="button secondary" href={`/tokens?lang=${lang}`}>
              {tw(lang, 'cancel')}
            </a>
          </div>
        </form>
      ) : null}
    </Layout>
  )
}

function refused(c: Context, lang: Lang, p: Visitor | undefined, status?: 404) {
  const code = status ?? (p ? 403 : 401)
  return c.html(
    <Layout lang={lang} title={tw(lang, 'title')} path="/tokens" loggedIn={!!p} who={p}>
      <Notice kind="error" id="refused">
        {code === 401 ? (
          <a href={`/login?lang=${lang}`}>{tw(lang, 'needBureau')}</a>
        ) : code === 404 ? (
          tw(lang, 'noSuch')
        ) : (
          tw(lang, 'forbidden')
        )}
      </Notice>
    </Layout>,
    code,
  )
}
