/**
 * The utilities' change feed: which firms' tier or rates changed since a cursor, why (a publication, an override
 * filed or withdrawn, a closure verified, a city rule version activated, a designated list), and from which day.
 * The cursor is the audit log's position (every act that can change a price writes one entry, in its own
 * transaction); a firm is listed when its tier on the day an act reaches differs as known at the cursor and as
 * known at the feed's head (the same `knownAt` answers the tier route gives), so the feed lists exactly the firms a
 * utility would find changed by asking every firm, and no other. Paged: a page's cursor continues the same
 * comparison; the last page's cursor is the head, to ask from next time.
 * @module app/tier-feed
 */
import { ningboDate } from '../dates.ts'
import { MujunError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'
import { inScope, ownCounty } from './permissions.ts'
import type { PricingService } from './pricing.ts'

/** Why a firm is listed. */
export type ChangeKind = 'publication' | 'override' | 'closure' | 'rules' | 'list'

/** The acts that can change a tier, by their audit actions. */
const ACTS: Record<string, ChangeKind> = {
  'evaluation.publish': 'publication',
  'evaluation.publish.correction': 'publication',
  'override.file': 'override',
  'override.withdraw': 'override',
  'override.repair': 'override',
  'disposition.verify': 'closure',
  'disposition.verify.correction': 'closure',
  'rulebook.version.activate': 'rules',
  'rulebook.version.activate.correction': 'rules',
  'list.approve': 'list',
  'list.entry.add': 'list',
  'list.entry.remove': 'list',
}
const ACTIONS = Object.keys(ACTS)

/** One act of the feed: what it is, the day it changes answers from, and which firms it can reach. */
interface Act {
  /** Its audit entry, and the instant of the entry before it (the state it changed). */
  id: number
  priorAt: string | undefined
  kind: ChangeKind
  /** The audit subject (`evaluation/3`, `override/…`, `disposition/…`, `rulebook/…`, `list/…`). */
  act: string
  at: string
  day: string
  county?: string
  creditCode?: string
}

/** A firm of the feed: its tier before and after, the first day they differ, and the acts that reach it. */
export interface FirmChange {
  creditCode: string
  county: string
  from: string
  why: { kind: ChangeKind; act: string; at: string; day: string }[]
  before: { class: string | null; category: string | null; closed: boolean }
  after: { class: string | null; category: string | null; closed: boolean }
}

export interface ChangePage {
  since: string
  /** Ask with this next: the rest of this comparison while `more`, else the head (nothing after it yet). */
  cursor: string
  more: boolean
  changes: FirmChange[]
}

/** Firms examined for one page at most (a page may hold fewer changes and say `more`). */
const EXAMINE = 50_000
export const MAX_PAGE = 10_000

/** What a tier's answer must keep for it to be the same tier: class, category, sector, closure and every rate. */
export function tierKey(t: {
  class: string | null
  category: unknown
  sector?: string | null
  rates: unknown
  closure: { inForce: boolean } | null
}): string {
  return JSON.stringify([
    t.class,
    t.category,
    t.sector ?? null,
    t.rates,
    t.closure?.inForce ?? false,
  ])
}

/** A cursor: `HEAD`, or `SINCE-HEAD-CODE` for the rest of a comparison after firm CODE. */
export function parseCursor(text: string): { since: number; head: number; after?: string } {
  const whole = /^(\d{1,15})$/.exec(text)
  if (whole) return { since: Number(whole[1]), head: Number(whole[1]) }
  const part = /^(\d{1,15})-(\d{1,15})-([0-9A-Z]{18})$/.exec(text)
  if (part && Number(part[1]) <= Number(part[2]))
    return { since: Number(part[1]), head: Number(part[2]), after: part[3] }
  throw new MujunError(
    'CURSOR_INVALID',
    `'${text}' is not a cursor of the change feed: give the cursor a feed or export answered`,
    { status: 400 },
  )
}

export interface FeedStore {
  auditHead(): number
  auditInstant(id: number): string | undefined
  auditBetween(
    afterId: number,
    uptoId: number,
    actions: readonly string[],
  ): { id: number; at: string; action: string; subject: string; detail: string }[]
  firmCounties(
    county?: string,
    page?: { after: string; limit: number },
  ): { code: string; county: string }[]
  sync(): void
}

/** Registered firms (of one county) by credit code after `after`, read a page at a time. */
export function* firmsAfter(
  store: Pick<FeedStore, 'firmCounties'>,
  county: string | undefined,
  after = '',
): Generator<{ code: string; county: string }> {
  for (;;) {
    const page = store.firmCounties(county, { after, limit: 5000 })
    yield* page
    if (page.length < 5000) return
    after = page[page.length - 1].code
  }
}

/**
 * The later days an act reaches besides its own: an override's first day (filed today, it may start later), the
 * dated items a city version changes (a change from 1 January, activated today).
 */
export interface ActDays {
  override(id: string, version: number): string | undefined
  rules(versionId: number, previous: number | null): string[]
}

const NO_DAYS: ActDays = { override: () => undefined, rules: () => [] }

export class TierFeedService {
  constructor(
    private readonly store: FeedStore,
    private readonly pricing: Pick<PricingService, 'tierOf'>,
    private readonly days: ActDays = NO_DAYS,
  ) {}

  /** The feed's head now: where a utility that has just read every tier (an export) starts. */
  head(p: Principal | undefined): string {
    authorize(p, 'tiers.changes')
    this.store.sync()
    return String(this.store.auditHead())
  }

  /** The firms within `p`'s scope whose tier changed since `cursor` (undefined: none yet, the head to start from). */
  changes(p: Principal | undefined, cursor: string | undefined, limit = 1000): ChangePage {
    const who = authorize(p, 'tiers.changes')
    this.store.sync()
    const now = this.store.auditHead()
    if (cursor === undefined)
      return { since: String(now), cursor: String(now), more: false, changes: [] }
    const c = parseCursor(cursor)
    if (c.head > now)
      throw new MujunError(
        'CURSOR_INVALID',
        `cursor ${cursor} is ahead of this database (its newest entry is ${now})`,
        { status: 400 },
      )
    // A complete cursor compares up to the head now; a continuation keeps its own head, so pages agree.
    const head = c.after === undefined ? now : c.head
    const acts = this.acts(c.since, head)
    if (acts.length === 0) return { since: cursor, cursor: String(head), more: false, changes: [] }
    const beforeAt = c.since === 0 ? undefined : this.store.auditInstant(c.since)
    if (c.since > 0 && beforeAt === undefined)
      throw new MujunError('CURSOR_INVALID', `cursor ${cursor} names no entry of this database`, {
        status: 400,
      })
    const afterAt = this.store.auditInstant(head)!
    const county = ownCounty(who)
    const everyone = acts.some((a) => a.county === undefined && a.creditCode === undefined)
    const counties = new Set(acts.flatMap((a) => (a.county ? [a.county] : [])))
    const firms = new Set(acts.flatMap((a) => (a.creditCode ? [a.creditCode] : [])))
    const days = [...new Set(acts.map((a) => a.day))].sort()
    const changes: FirmChange[] = []
    let examined = 0
    for (const f of firmsAfter(this.store, county, c.after)) {
      if (!inScope(who, { county: f.county, creditCode: f.code })) continue
      if (!everyone && !counties.has(f.county) && !firms.has(f.code)) continue
      if (changes.length >= limit || examined >= EXAMINE)
        return {
          since: cursor,
          cursor: `${c.since}-${head}-${prevCode(f.code)}`,
          more: true,
          changes,
        }
      examined++
      const change = this.compare(f, acts, days, beforeAt, afterAt)
      if (change) changes.push(change)
    }
    return { since: cursor, cursor: String(head), more: false, changes }
  }

  /** The firm's change over the acts, or undefined when its tier is the same on every day they reach. */
  private compare(
    f: { code: string; county: string },
    acts: Act[],
    days: string[],
    beforeAt: string | undefined,
    afterAt: string,
  ): FirmChange | undefined {
    const reaching = acts.filter(
      (a) =>
        (a.county === undefined && a.creditCode === undefined) ||
        a.county === f.county ||
        a.creditCode === f.code,
    )
    for (const day of days) {
      if (!reaching.some((a) => a.day === day)) continue
      const before = beforeAt === undefined ? undefined : this.pricing.tierOf(f.code, day, beforeAt)
      const after = this.pricing.tierOf(f.code, day, afterAt)
      if (before && tierKey(before) === tierKey(after)) continue
      // Why: the acts that changed this firm's tier themselves (as known just before and just after each).
      const made = reaching.filter((a) => {
        const x =
          a.priorAt === undefined ? undefined : this.pricing.tierOf(f.code, a.day, a.priorAt)
        return !x || tierKey(x) !== tierKey(this.pricing.tierOf(f.code, a.day, a.at))
      })
      return {
        creditCode: f.code,
        county: f.county,
        from: day,
        why: (made.length > 0 ? made : reaching)
          .filter((a, i, all) => all.findIndex((b) => b.id === a.id) === i)
          .map((a) => ({ kind: a.kind, act: a.act, at: a.at, day: a.day })),
        before: before
          ? {
              class: before.class,
              category: before.category?.category ?? null,
              closed: !!before.closure?.inForce,
            }
          : { class: null, category: null, closed: false },
        after: {
          class: after.class,
          category: after.category?.category ?? null,
          closed: !!after.closure?.inForce,
        },
      }
    }
    return undefined
  }

  /** The acts between two cursors, each with the day it changes answers from and the firms it can reach. */
  private acts(since: number, head: number): Act[] {
    const out: Act[] = []
    for (const e of this.store.auditBetween(since, head, ACTIONS)) {
      const d = JSON.parse(e.detail) as Record<string, unknown>
      const kind = ACTS[e.action]
      const own = ningboDate(e.at)
      const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined)
      // An override's status change prices only when it is or was filed (a draft or a rejection changes nothing).
      if (
        kind === 'override' &&
        e.action !== 'override.repair' &&
        d.from !== 'filed' &&
        d.to !== 'filed'
      )
        continue
      const day =
        kind === 'publication'
          ? (str('bindingFrom') ?? own)
          : kind === 'closure'
            ? (str('firstDayAffected') ?? str('effectiveFrom') ?? own)
            : kind === 'rules'
              ? (str('effectiveOn') ?? own)
              : kind === 'list'
                ? (str('addedOn') ?? str('removedOn') ?? own)
                : own
      const act = {
        id: e.id,
        priorAt: this.store.auditInstant(e.id - 1),
        kind,
        act: e.subject,
        at: e.at,
        day,
        ...(kind === 'override' && { county: str('county') }),
        ...(kind === 'closure' && { creditCode: str('creditCode') }),
        ...(kind === 'list' && str('creditCode') && { creditCode: str('creditCode') }),
      }
      const subject = e.subject.slice(e.subject.indexOf('/') + 1)
      const later =
        kind === 'override'
          ? [this.days.override(subject, Number(d.version))]
          : kind === 'rules'
            ? this.days.rules(
                Number(subject),
                typeof d.previousVersion === 'number' ? d.previousVersion : null,
              )
            : []
      const extra = [...new Set(later.filter((x): x is string => !!x && x > day))]
        .sort()
        .slice(0, 8)
      for (const x of [day, ...extra]) out.push({ ...act, day: x })
    }
    return out
  }
}

/** The credit code just before `code` (codes are 18 characters of 0-9A-Z): a page resumes after it. */
function prevCode(code: string): string {
  const digits = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  const chars = code.split('')
  for (let i = chars.length - 1; i >= 0; i--) {
    const k = digits.indexOf(chars[i])
    if (k > 0) {
      chars[i] = digits[k - 1]
      return chars.join('')
    }
    chars[i] = 'Z'
  }
  return chars.join('')
}
