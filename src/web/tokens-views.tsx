/** @jsxImportSource hono/jsx */
/**
 * The token page's pieces and words: the create form (its input kept and its errors beside each field) and the
 * table of tokens.
 * @module web/tokens-views
 */
import { COLUMNS } from '../app/permissions.ts'
import type { TokenInfo } from '../app/tokens.ts'
import type { Principal } from '../principal.ts'
import type { Department } from '../rulebook/schema.ts'
import { type Lang, phrases } from './i18n.ts'
import { beijing } from './kit/format.ts'
import { countyLabel, roleLabel } from './kit/labels.ts'
import { Field, type FieldErrors, Table } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'
import { withZone } from './override-words.ts'

export const tw = phrases({
  title: { zh: '访问令牌管理', en: 'Access tokens' },
  create: { zh: '新建令牌', en: 'Create a token' },
  role: { zh: '角色', en: 'Role' },
  county: { zh: '县（市、区）（县级令牌）', en: 'County (county tokens)' },
  department: { zh: '部门（部门令牌）', en: 'Department (department tokens)' },
  needDepartment: {
    zh: '部门令牌须选择实施措施的部门',
    en: 'A department token needs the department that applies the measures',
  },
  creditCode: {
    zh: '统一社会信用代码（企业令牌）',
    en: 'Unified social credit code (enterprise tokens)',
  },
  label: { zh: '用途说明', en: 'Label' },
  labelHint: { zh: '如：慈溪市发改局价格科', en: 'e.g. the office and person who holds it' },
  expires: { zh: '有效期至（含当日）', en: 'Valid until (inclusive)' },
  expiresHint: { zh: '留空表示长期有效', en: 'Leave empty for no expiry' },
  choose: { zh: '请选择', en: 'Choose' },
  submit: { zh: '生成令牌', en: 'Create the token' },
  list: { zh: '已发放的令牌', en: 'Tokens issued' },
  scope: { zh: '范围', en: 'Scope' },
  createdAt: { zh: '创建时间', en: 'Created' },
  expiresAt: { zh: '到期时间', en: 'Expires' },
  status: { zh: '状态', en: 'Status' },
  never: { zh: '长期', en: 'Never' },
  revoke: { zh: '吊销', en: 'Revoke' },
  revokeTitle: { zh: '确认吊销令牌', en: 'Confirm revoking the token' },
  revokeWarning: {
    zh: '吊销后，持有该令牌的系统和人员将立即无法访问，其排队中的任务也会取消。此操作不可撤销。',
    en: 'Once revoked, whoever holds this token loses access at once and its queued work is cancelled. This cannot be undone.',
  },
  confirmRevoke: { zh: '确认吊销', en: 'Revoke it' },
  cancel: { zh: '取消', en: 'Cancel' },
  revokedDone: { zh: '已吊销令牌', en: 'Revoked token' },
  created: { zh: '令牌已生成', en: 'Token created' },
  onceWarning: {
    zh: '请立即复制并妥善保存下面的令牌：它只显示这一次，离开本页后无法再次查看。',
    en: 'Copy the token below and keep it safe now: it is shown only this once and cannot be seen again.',
  },
  back: { zh: '返回令牌列表', en: 'Back to the tokens' },
  needCounty: { zh: '县级令牌须选择县（市、区）', en: 'A county token needs its county' },
  needCode: {
    zh: '企业令牌须填写统一社会信用代码',
    en: 'An enterprise token needs the credit code',
  },
  badCode: {
    zh: '统一社会信用代码有误或该企业未登记',
    en: 'The credit code is not valid or the firm is not registered',
  },
  pastExpiry: { zh: '有效期已过，请选择今天或以后的日期', en: 'That date has passed' },
  fixErrors: { zh: '请按字段旁的提示更正', en: 'Please correct the fields marked' },
  needBureau: {
    zh: '请用市发改（价格）令牌登录',
    en: 'Log in with a pricing bureau token',
  },
  forbidden: { zh: '只有市发改（价格）可以管理令牌', en: 'Only the pricing bureau manages tokens' },
  noSuch: { zh: '未找到该令牌', en: 'No such token' },
  active: { zh: '有效', en: 'Active' },
  expired: { zh: '已过期', en: 'Expired' },
  revoked: { zh: '已吊销', en: 'Revoked' },
})

export function CreateForm(props: {
  lang: Lang
  who: Principal
  counties: string[]
  departments: Department[]
  values?: Record<string, string>
  errors: FieldErrors
}) {
  const { lang, errors } = props
  const v = props.values ?? {}
  const choose = { value: '', label: tw(lang, 'choose') }
  return (
    <form method="post" action={`/tokens?lang=${lang}`} id="create" class="card" novalidate>
      <h2>{tw(lang, 'create')}</h2>
      <CsrfField who={props.who} />
      <Field
        name="role"
        label={tw(lang, 'role')}
        type="select"
        value={v.role}
        error={errors.role}
        required
        options={[choose, ...COLUMNS.map((r) => ({ value: r, label: roleLabel(lang, r) }))]}
      />
      <Field
        name="county"
        label={tw(lang, 'county')}
        type="select"
        value={v.county}
        error={errors.county}
        options={[
          choose,
          ...props.counties.map((c) => ({ value: c, label: countyLabel(lang, c) })),
        ]}
      />
      <Field
        name="creditCode"
        label={tw(lang, 'creditCode')}
        value={v.creditCode}
        error={errors.creditCode}
      />
      <Field
        name="department"
        label={tw(lang, 'department')}
        type="select"
        value={v.department}
        error={errors.department}
        options={[
          choose,
          ...props.departments.map((d) => ({ value: d.id, label: departmentName(lang, d) })),
        ]}
      />
      <Field
        name="label"
        label={tw(lang, 'label')}
        value={v.label}
        error={errors.label}
        hint={tw(lang, 'labelHint')}
        required
      />
      <Field
        name="expires"
        label={tw(lang, 'expires')}
        type="date"
        value={v.expires}
        error={errors.expires}
        hint={tw(lang, 'expiresHint')}
      />
      <button type="submit" id="create-token">
        {tw(lang, 'submit')}
      </button>
    </form>
  )
}

/** A department's name in `lang` (its Chinese name when the rulebook gives no English one). */
export function departmentName(lang: Lang, d: Department | undefined): string {
  if (!d) return '—'
  return lang === 'en' ? (d.labelEn ?? d.label) : d.label
}

/** A token's scope as the pages show it: the county's or the department's name, a credit code as it is. */
export function ScopeCell(props: { lang: Lang; token: TokenInfo; departments: Department[] }) {
  const { lang, token: x } = props
  if (x.role === 'county') return <>{countyLabel(lang, x.scope)}</>
  if (x.role === 'department')
    return (
      <>
        {departmentName(
          lang,
          props.departments.find((d) => d.id === x.scope),
        )}
      </>
    )
  return x.scope ? <code>{x.scope}</code> : <>—</>
}

export function TokenTable(props: { lang: Lang; tokens: TokenInfo[]; departments: Department[] }) {
  const { lang } = props
  return (
    <Table
      id="tokens"
      head={[
        '#',
        tw(lang, 'label'),
        tw(lang, 'role'),
        tw(lang, 'scope'),
        withZone(lang, tw(lang, 'createdAt')),
        withZone(lang, tw(lang, 'expiresAt')),
        tw(lang, 'status'),
        '',
      ]}
      num={[0]}
      rows={props.tokens.map((x) => [
        <span data-token={String(x.id)}>{String(x.id)}</span>,
        <span lang="zh-CN" class="data">
          {x.label}
        </span>,
        roleLabel(lang, x.role),
        <ScopeCell lang={lang} token={x} departments={props.departments} />,
        beijing(x.createdAt),
        x.expiresAt ? beijing(x.expiresAt) : tw(lang, 'never'),
        <span class={`badge st-${x.status}`}>{tw(lang, x.status)}</span>,
        x.status === 'active' ? (
          <a href={`/tokens/revoke?id=${x.id}&lang=${lang}`} class="revoke">
            {tw(lang, 'revoke')}
          </a>
        ) : (
          ''
        ),
      ])}
    />
  )
}
