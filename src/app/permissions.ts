/**
 * The permission table: every action a use case, page or route performs → the roles that may perform it, and the
 * scope each role is held to. A new role is one column here (and one entry in the tokens' ROLES).
 * @module app/permissions
 */
import { ROLES } from '../db/schema.ts'
import type { Principal, Role } from '../principal.ts'

/** The table's columns, in order. */
export const COLUMNS = [
  'bureau',
  'economy',
  'observer',
  'county',
  'utility',
  'enterprise',
  'department',
] as const

/**
 * What a scoped role is held to: a county token to its own county, an enterprise token to its own credit code, a
 * department token to the measures its department applies.
 */
export type ScopeRule = 'county' | 'creditCode' | 'department' | null
type Columns<C extends readonly unknown[], T> = { readonly [K in keyof C]: T }
type Row<T> = Columns<typeof COLUMNS, T>

const Y = true
const _ = false

/** One row per column: which part of a request a role's scope is compared with. */
export const SCOPES: Row<ScopeRule> = [null, null, null, 'county', null, 'creditCode', 'department']

/** What each role's column reads as in the README: the office that holds such a token. */
export const ROLE_NOTES: Row<string> = [
  'city pricing bureau (发改/物价)',
  'economy-and-IT office (经信)',
  'read-only city department',
  'county office (own county)',
  'utility (电力/水务/燃气)',
  'enterprise (own record)',
  'department applying measures beyond price (own measures)',
]

// biome-ignore format: the table is read by columns
const TABLE = {
  //                          bureau economy observer county utility enterprise department
  'tier.read':               [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'tiers.batch':             [Y,     _,      _,       _,     Y,      _,      _],
  'quote.create':            [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'bills.run':               [Y,     _,      _,       _,     Y,      _,      _],
  'classes.read':            [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'provenance.read':         [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'selfCheck.run':           [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'enterprise.list':         [Y,     Y,      Y,       Y,     _,      _,      _],
  'enterprise.read':         [Y,     Y,      Y,       Y,     _,      Y,      _],
  'enterprise.write':        [Y,     Y,      _,       _,     _,      _,      _],
  'rulebook.read':           [Y,     Y,      Y,       Y,     Y,      Y,      Y],
  'rulebook.import':         [Y,     _,      _,       _,     _,      _,      _],
  'rulebook.preview':        [Y,     _,      _,       _,     _,      _,      _],
  'evaluation.read':         [Y,     Y,      Y,       Y,     Y,      _,      _],
  'evaluation.run':          [_,     Y,      _,       _,     _,      _,      _],
  'evaluation.publish':      [_,     Y,      _,       _,     _,      _,      _],
  'evaluation.preview':      [Y,     Y,      _,       _,     _,      _,      _],
  'results.read':            [Y,     Y,      Y,       Y,     _,      _,      _],
  'results.csv':             [Y,     Y,      Y,       _,     Y,      _,      _],
  'provisional.read':        [Y,     Y,      Y,       Y,     _,      Y,      _],
  'objection.file':          [_,     Y,      _,       _,     _,      Y,      _],
  'objection.read':          [Y,     Y,      Y,       Y,     _,      Y,      _],
  'objection.decide':        [_,     Y,      _,       _,     _,      _,      _],
  'override.read':           [Y,     Y,      Y,       Y,     _,      _,      _],
  // A draft is its county's work in progress: read (listed, fetched, previewed, shown on /overview) by its county
  // and the bureau only; from submission on, by everyone with override.read.
  'override.readDraft':      [Y,     _,      _,       Y,     _,      _,      _],
  'override.propose':        [Y,     _,      _,       Y,     _,      _,      _],
  'override.submit':         [Y,     _,      _,       Y,     _,      _,      _],
  'override.approve':        [Y,     _,      _,       _,     _,      _,      _],
  'override.reject':         [Y,     _,      _,       _,     _,      _,      _],
  'override.file':           [Y,     _,      _,       Y,     _,      _,      _],
  'override.withdraw':       [Y,     _,      _,       Y,     _,      _,      _],
  'override.repair':         [Y,     _,      _,       _,     _,      _,      _],
  'audit.read':              [Y,     Y,      _,       _,     _,      _,      _],
  'token.manage':            [Y,     _,      _,       _,     _,      _,      _],
  'job.read':                [Y,     Y,      _,       _,     _,      _,      _],
  'programme.read':          [Y,     Y,      Y,       Y,     _,      _,      _],
  'programme.write':         [_,     _,      _,       Y,     _,      _,      _],
  'programme.firm':          [Y,     Y,      Y,       Y,     _,      Y,      _],
  'programme.verify':        [_,     Y,      _,       _,     _,      _,      _],
  'overview.read':           [Y,     Y,      Y,       _,     _,      _,      _],
  // Where a role lands after logging in on the pages: the overview, else the programme, else the self-check.
  'home.overview':           [Y,     _,      Y,       _,     _,      _,      _],
  'home.programme':          [_,     Y,      _,       Y,     _,      _,      _],
  // Designated lists (名单) for sector pricing: 经信 proposes a list, the pricing bureau approves it and records each
  // later addition and each removal after 复查; utilities read them (they bill from them).
  'list.read':               [Y,     Y,      Y,       Y,     Y,      _,      _],
  'list.propose':            [_,     Y,      _,       _,     _,      _,      _],
  'list.approve':            [Y,     _,      _,       _,     _,      _,      _],
  'list.reject':             [Y,     _,      _,       _,     _,      _,      _],
  'list.record':             [Y,     _,      _,       _,     _,      _,      _],
  // The money: a utility reports what it collected; the ledger is read within each role's scope (a utility its own
  // reports); refund runs are the economy office's, read by the city's offices and the counties.
  'collections.report':      [_,     _,      _,       _,     Y,      _,      _],
  'ledger.read':             [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'refunds.read':            [Y,     Y,      Y,       Y,     _,      _,      _],
  'refunds.run':             [_,     Y,      _,       _,     _,      _,      _],
  'refunds.publish':         [_,     Y,      _,       _,     _,      _,      _],
  // Measures beyond price: a firm's (scoped as its tier), and each measure's list of firms for the department that
  // applies it (a department token its own measures only).
  'measures.read':           [Y,     Y,      Y,       Y,     Y,      Y,      _],
  'measures.list':           [Y,     Y,      _,       _,     _,      _,      Y],
  'home.measures':           [_,     _,      _,       _,     _,      _,      Y],
  // Figures by department (一企一单): each department submits its own inputs' columns (a department token its own
  // department only; the economy office any); the completeness report per county; the economy office publishes the
  // land areas for objection and resolves disputes; each firm reads, confirms or disputes its own sheet.
  'intake.submit':           [_,     Y,      _,       _,     _,      _,      Y],
  'intake.read':             [Y,     Y,      Y,       Y,     _,      _,      Y],
  'intake.publish':          [_,     Y,      _,       _,     _,      _,      _],
  'sheet.read':              [Y,     Y,      Y,       Y,     _,      Y,      _],
  'sheet.answer':            [_,     _,      _,       _,     _,      Y,      _],
  'sheet.resolve':           [_,     Y,      _,       _,     _,      _,      _],
  // A utility's daily sync: the firms whose tier changed since its cursor, and every firm's tier for a billing month.
  'tiers.changes':           [Y,     Y,      Y,       Y,     Y,      _,      _],
  'tiers.export':            [Y,     Y,      Y,       Y,     Y,      _,      _],
} as const satisfies Record<string, Row<boolean>>

export type Action = keyof typeof TABLE

/** Every action, in the table's order. */
export const ACTIONS = Object.keys(TABLE) as Action[]

const ALLOWED = new Map<Action, ReadonlySet<Role>>(
  ACTIONS.map((a) => [a, new Set(COLUMNS.filter((_r, i) => TABLE[a][i]))]),
)
const SCOPE_OF = new Map<Role, ScopeRule>(COLUMNS.map((r, i) => [r, SCOPES[i]]))

/** The roles allowed to perform `action`, in the table's column order. */
export function rolesFor(action: Action): Role[] {
  return [...ALLOWED.get(action)!]
}

/** Whether `role` may perform `action` (no scope is checked). */
export function allows(role: Role, action: Action): boolean {
  return ALLOWED.get(action)!.has(role)
}

/** Whether `p` holds a role that may perform `action` (no scope is checked). */
export function can(p: Principal | undefined, action: Action): p is Principal {
  return p !== undefined && ALLOWED.get(action)!.has(p.role)
}

/** The scope rule of `role`: null for the city-wide roles. */
export function scopeRuleOf(role: Role): ScopeRule {
  return SCOPE_OF.get(role) ?? null
}

/** The county `p` is held to, or undefined when its role is not scoped to a county. */
export function ownCounty(p: Principal | undefined): string | undefined {
  return p && SCOPE_OF.get(p.role) === 'county' ? p.scope : undefined
}

/** The credit code `p` is held to, or undefined when its role is not scoped to an enterprise. */
export function ownCreditCode(p: Principal | undefined): string | undefined {
  return p && SCOPE_OF.get(p.role) === 'creditCode' ? p.scope : undefined
}

/** The department `p` is held to, or undefined when its role is not scoped to a department. */
export function ownDepartment(p: Principal | undefined): string | undefined {
  return p && SCOPE_OF.get(p.role) === 'department' ? p.scope : undefined
}

/** Whether a record of `county` / `creditCode` / `department` lies within `p`'s scope (always, for a city-wide role). */
export function inScope(
  p: Principal,
  record: { county?: string; creditCode?: string; department?: string },
): boolean {
  const rule = SCOPE_OF.get(p.role)
  return rule === null || record[rule!] === undefined || record[rule!] === p.scope
}

/** The table as a markdown table: one row per action, one column per role. */
export function permissionsMarkdown(): string {
  const head = `| action | ${COLUMNS.join(' | ')} |`
  const rule = `|---|${COLUMNS.map(() => ':-:').join('|')}|`
  const own = { county: 'own county', creditCode: 'own firm', department: 'own department' }
  const cell = (a: Action, i: number) => (TABLE[a][i] ? (SCOPES[i] ? own[SCOPES[i]!] : '✓') : '')
  const rows = ACTIONS.map(
    (a) => `| \`${a}\` | ${COLUMNS.map((_r, i) => cell(a, i)).join(' | ')} |`,
  )
  const notes = COLUMNS.map((r, i) => `- \`${r}\`: ${ROLE_NOTES[i]}`)
  return [head, rule, ...rows, '', ...notes, ''].join('\n')
}

// Every token role has a column, and every column is a token role.
if (
  COLUMNS.length !== ROLES.length ||
  !ROLES.every((r) => (COLUMNS as readonly Role[]).includes(r))
)
  throw new Error('the permission table must have one column per role')
