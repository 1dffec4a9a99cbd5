/**
 * Designated lists (名单) for sector pricing: the economy office (经信) proposes a list of firms for a surcharge schedule
 * that names it (`list:` in the rules), with its document, start and transition period; the pricing bureau approves
 * or rejects it, and records each later addition and each removal after re-inspection (复查). Every act is audited
 * and changes answers only from its own day: an entry, removal or approval that reaches back is a correction
 * (reason and document). Pricing reads each firm's standing (see pricing/lists).
 * @module app/lists
 */
import { z } from 'zod'
import { etagOf } from '../db/base-store.ts'
import type { CorrectionNote, EntryRow, ListRow, ListStore } from '../db/list-store.ts'
import type { Store } from '../db/store.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { CorrectionRequiredError, MujunError, NotFoundError, PreconditionError } from '../errors.ts'
import { firstChargedDay, type ListStanding } from '../pricing/lists.ts'
import type { Principal } from '../principal.ts'
import { actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import type { EnterpriseService } from './enterprises.ts'
import type { RulebookService } from './rulebooks.ts'

const Day = z.iso.date({ message: 'dates are ISO YYYY-MM-DD' })
const Ref = z.string().trim().min(2).max(200)
const ListId = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,63}$/,
    'a list id is lower-case letters, digits and _ (as rules name it)',
  )

/** A backdated act: why, and the document (文号) that orders it. */
export const ListCorrection = z.strictObject({
  reason: z.string().trim().min(3).max(2000),
  document: Ref,
})

export const ListProposal = z.strictObject({
  id: ListId,
  label: z.string().trim().min(2).max(200),
  /** The surcharge schedule it governs (its id in the rules). */
  schedule: z.string().min(1).max(64),
  /** The list's document (文号). */
  document: Ref,
  startOn: Day,
  /** Last day of the transition period (过渡期), inclusive: listed firms pay from the day after. */
  transitionUntil: Day.optional(),
  /** The first batch: each firm on the list from `addedOn` (default startOn). */
  entries: z
    .array(z.strictObject({ creditCode: z.string(), addedOn: Day.optional() }))
    .max(5000)
    .default([]),
})
export type ListProposal = z.infer<typeof ListProposal>

export const ListDecision = z.strictObject({
  /** The decision's reference (文号); required to approve or reject. */
  ref: Ref.optional(),
  reason: z.string().trim().min(3).max(2000).optional(),
  correction: ListCorrection.optional(),
})
export type ListDecision = z.infer<typeof ListDecision>

export const ListAddition = z.strictObject({
  creditCode: z.string(),
  addedOn: Day,
  /** The document that lists the firm (文号). */
  ref: Ref,
  correction: ListCorrection.optional(),
})
export type ListAddition = z.infer<typeof ListAddition>

export const ListRemoval = z.strictObject({
  creditCode: z.string(),
  /** First day the firm is off the list (it pays nothing from that day). */
  removedOn: Day,
  /** The 复查 document. */
  ref: Ref,
  correction: ListCorrection.optional(),
})
export type ListRemoval = z.infer<typeof ListRemoval>

export type ListAction = 'approve' | 'reject' | 'withdraw'

/** A list's ETag: it moves with every decision, addition and removal (If-Match on a write is optional). */
export const listEtag = (l: Pick<ListRow, 'version'>) => etagOf('l', l.version)

export interface ListDetail extends ListRow {
  /** The first day a listed firm pays: the start, or the day after the transition. */
  firstChargedDay: string
  entries: EntryRow[]
}

const invalid = (code: string, message: string) => new MujunError(code, message, { status: 422 })

export class ListService {
  constructor(
    private readonly store: Store,
    private readonly lists: ListStore,
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
    private readonly enterprises: EnterpriseService,
  ) {}

  all(p: Principal | undefined): (ListRow & { firstChargedDay: string; onList: number })[] {
    authorize(p, 'list.read')
    const today = this.store.today()
    return this.lists.lists().map((l) => ({
      ...l,
      firstChargedDay: firstChargedDay(standingDates(l)),
      onList: this.lists
        .entries(l.id)
        .filter((e) => e.addedOn <= today && (e.removedOn === null || e.removedOn > today)).length,
    }))
  }

  get(p: Principal | undefined, id: string): ListDetail {
    authorize(p, 'list.read')
    return this.detail(this.row(id))
  }

  /** The economy office's proposal: a list for a schedule of the rules in force, with its first batch. */
  propose(p: Principal | undefined, body: ListProposal): ListDetail {
    const who = authorize(p, 'list.propose')
    const req = ListProposal.parse(body)
    const { rulebook } = this.rulebooks.active()
    const schedules = rulebook.sections.surcharges
    if (!schedules.some((s) => s.id === req.schedule))
      throw invalid(
        'LIST_SCHEDULE_UNKNOWN',
        `schedule '${req.schedule}' is no surcharge schedule of the rules in force (one of ${[...new Set(schedules.map((s) => s.id))].join(', ')})`,
      )
    if (req.transitionUntil !== undefined && req.transitionUntil < req.startOn)
      throw invalid(
        'LIST_DATES_INVALID',
        `transitionUntil (${req.transitionUntil}) is before startOn (${req.startOn})`,
      )
    const seen = new Set<string>()
    const entries = req.entries.map((e, i) => {
      this.knownFirm(e.creditCode, `entries[${i}].creditCode`)
      if (seen.has(e.creditCode))
        throw invalid('LIST_ENTRY_DUPLICATE', `entries[${i}]: ${e.creditCode} is listed twice`)
      seen.add(e.creditCode)
      const addedOn = e.addedOn ?? req.startOn
      if (addedOn < req.startOn)
        throw invalid(
          'LIST_DATES_INVALID',
          `entries[${i}].addedOn (${addedOn}) is before the list's start (${req.startOn})`,
        )
      return { creditCode: e.creditCode, addedOn, addedRef: req.document }
    })
    const row = this.lists.propose(
      {
        id: req.id,
        label: req.label,
        schedule: req.schedule,
        document: req.document,
        startOn: req.startOn,
        transitionUntil: req.transitionUntil ?? null,
      },
      entries,
      actorOf(who),
    )
    return this.detail(row)
  }

  /**
   * The bureau approves or rejects a proposed list (with its 文号); its proposer withdraws it. An approval whose first
   * charged day is before today reaches back: it is made as a correction.
   */
  decide(
    p: Principal | undefined,
    id: string,
    action: ListAction,
    body: ListDecision,
    ifMatch?: string,
  ): ListDetail {
    const who = authorize(
      p,
      action === 'approve' ? 'list.approve' : action === 'reject' ? 'list.reject' : 'list.propose',
    )
    const d = ListDecision.parse(body)
    const row = this.row(id)
    fresh(row, ifMatch)
    if (row.status !== 'proposed')
      throw new MujunError(
        'TRANSITION_NOT_ALLOWED',
        `cannot ${action} list '${id}': it is ${row.status} (${action} needs proposed)`,
        { status: 409 },
      )
    if (action !== 'withdraw' && !d.ref)
      throw invalid('DECISION_REF_REQUIRED', `${action} needs a decision reference (ref, 文号)`)
    if (action !== 'approve' && !d.reason)
      throw invalid('REASON_REQUIRED', `${action} needs a reason`)
    let correction: CorrectionNote | undefined
    if (action === 'approve') {
      const first = this.lists
        .entries(id)
        .map((e) => maxDay(e.addedOn, firstChargedDay(standingDates(row))))
        .sort()[0]
      correction = this.reach(
        first,
        `approving list ${id} (its first listed firm pays from ${first})`,
        d.correction,
      )
    }
    const to = action === 'approve' ? 'approved' : action === 'reject' ? 'rejected' : 'withdrawn'
    return this.detail(
      this.lists.decide(id, row.version, to, {
        by: actorOf(who),
        ref: d.ref ?? null,
        reason: d.reason ?? null,
        correction,
      }),
    )
  }

  /** The bureau records a firm added to a list from `addedOn` (a backdated addition is a correction). */
  add(p: Principal | undefined, id: string, body: ListAddition, ifMatch?: string): ListDetail {
    const who = authorize(p, 'list.record')
    const req = ListAddition.parse(body)
    const row = this.live(id)
    fresh(row, ifMatch)
    this.knownFirm(req.creditCode, 'creditCode')
    if (req.addedOn < row.startOn)
      throw invalid(
        'LIST_DATES_INVALID',
        `addedOn (${req.addedOn}) is before the list's start (${row.startOn})`,
      )
    const earlier = this.lists
      .entries(id)
      .find((e) => e.creditCode === req.creditCode && e.removedOn && e.removedOn > req.addedOn)
    if (earlier)
      throw invalid(
        'LIST_ENTRY_OVERLAPS',
        `${req.creditCode} was on list ${id} until ${earlier.removedOn}: it can be added again from that day on`,
      )
    const correction =
      row.status === 'approved'
        ? this.reach(
            req.addedOn,
            `adding ${req.creditCode} to list ${id} from ${req.addedOn}`,
            req.correction,
          )
        : undefined
    this.lists.addEntry(
      id,
      { creditCode: req.creditCode, addedOn: req.addedOn, addedRef: req.ref },
      actorOf(who),
      correction,
      row.version,
    )
    return this.detail(this.row(id))
  }

  /** The bureau records a firm taken off a list after 复查, from `removedOn` (backdated: a correction). */
  remove(p: Principal | undefined, id: string, body: ListRemoval, ifMatch?: string): ListDetail {
    const who = authorize(p, 'list.record')
    const req = ListRemoval.parse(body)
    const row = this.live(id)
    fresh(row, ifMatch)
    this.knownFirm(req.creditCode, 'creditCode')
    const entry = this.lists.openEntry(id, req.creditCode)
    if (!entry)
      throw new MujunError(
        'LIST_ENTRY_NOT_FOUND',
        `${req.creditCode} is not on list ${id}: there is no entry to end`,
        { status: 404 },
      )
    if (req.removedOn <= entry.addedOn)
      throw invalid(
        'LIST_REMOVAL_BEFORE_ADDITION',
        `removedOn (${req.removedOn}) must be after the day ${req.creditCode} was added (${entry.addedOn}): a removal cannot come before the addition`,
      )
    const correction =
      row.status === 'approved'
        ? this.reach(
            req.removedOn,
            `removing ${req.creditCode} from list ${id} from ${req.removedOn}`,
            req.correction,
          )
        : undefined
    this.lists.removeEntry(
      id,
      entry.id,
      { removedOn: req.removedOn, removedRef: req.ref },
      actorOf(who),
      correction,
      row.version,
    )
    return this.detail(this.row(id))
  }

  /**
   * A firm's standing on every approved list, as known at `at` (an ISO instant; default now): the lists approved
   * and the entries and removals recorded by then. Built once per revision for every firm.
   */
  standingsOf(code: string, at?: string): ListStanding[] | undefined {
    const byFirm = this.cache.get(
      `lists|${at ?? ''}`,
      () => standingsByFirm(this.lists.approved(), at),
      (m) => 200 + m.size * 300,
    )
    return byFirm.get(code)
  }

  private detail(row: ListRow): ListDetail {
    return {
      ...row,
      firstChargedDay: firstChargedDay(standingDates(row)),
      entries: this.lists.entries(row.id),
    }
  }

  private row(id: string): ListRow {
    const row = this.lists.list(id)
    if (!row) throw new NotFoundError(`list ${id}`)
    return row
  }

  /** A list entries can be recorded on: proposed (its batch still being drawn up) or approved. */
  private live(id: string): ListRow {
    const row = this.row(id)
    if (row.status !== 'proposed' && row.status !== 'approved')
      throw new MujunError(
        'TRANSITION_NOT_ALLOWED',
        `list ${id} is ${row.status}: its entries can no longer change`,
        { status: 409 },
      )
    return row
  }

  private knownFirm(code: string, field: string): void {
    const problem = creditCodeProblem(code)
    if (problem) throw invalid('CREDIT_CODE_INVALID', `${field}: ${problem}`)
    try {
      this.enterprises.row(code)
    } catch (e) {
      if (e instanceof NotFoundError)
        throw invalid(
          'LIST_ENTRY_UNKNOWN_FIRM',
          `${field}: no enterprise ${code} is registered; register it before listing it`,
        )
      throw e
    }
  }

  /** An act that changes answers from `firstDay`: before today only as a correction (reason and document). */
  private reach(
    firstDay: string | undefined,
    what: string,
    correction: z.infer<typeof ListCorrection> | undefined,
  ): CorrectionNote | undefined {
    const today = this.store.today()
    if (firstDay === undefined || firstDay >= today) return undefined
    if (!correction)
      throw new CorrectionRequiredError(
        firstDay,
        `${what} would change answers from ${firstDay}, before today (${today}). Date it ${today} or later, or make it as a correction with its reason and document (文号): correction {reason, document} over the API, --correction REASON --correction-document 文号 on the command line`,
      )
    return { ...correction, firstDay }
  }
}

const maxDay = (a: string, b: string) => (a > b ? a : b)

/** An If-Match, when sent, must be the list's current ETag (412 otherwise). */
function fresh(row: ListRow, ifMatch: string | undefined) {
  if (ifMatch === undefined || ifMatch === '*' || ifMatch === listEtag(row)) return
  throw new PreconditionError(
    `If-Match ${ifMatch} is stale; list ${row.id} is now ${listEtag(row)}: read it again`,
    412,
  )
}

const standingDates = (l: ListRow) => ({
  startOn: l.startOn,
  transitionUntil: l.transitionUntil ?? undefined,
})

/** Each firm's standings on the lists approved by `at`, from the entries (and removals) recorded by then. */
function standingsByFirm(
  approved: { list: ListRow; entries: EntryRow[] }[],
  at: string | undefined,
): Map<string, ListStanding[]> {
  const out = new Map<string, ListStanding[]>()
  for (const { list, entries } of approved) {
    if (at !== undefined && (list.decidedAt ?? '') > at) continue
    const byFirm = new Map<string, ListStanding['entries'][number][]>()
    for (const e of entries) {
      if (at !== undefined && e.addedAt > at) continue
      const removed = e.removedOn !== null && (at === undefined || (e.removedAt ?? '') <= at)
      const spans = byFirm.get(e.creditCode) ?? []
      spans.push({
        from: e.addedOn,
        ...(removed && { to: e.removedOn!, removedRef: e.removedRef ?? undefined }),
        ref: e.addedRef,
      })
      byFirm.set(e.creditCode, spans)
    }
    for (const [code, spans] of byFirm) {
      const s: ListStanding = {
        list: list.id,
        label: list.label,
        document: list.document,
        startOn: list.startOn,
        transitionUntil: list.transitionUntil ?? undefined,
        entries: spans.sort((a, b) => (a.from < b.from ? -1 : 1)),
      }
      const all = out.get(code)
      if (all) all.push(s)
      else out.set(code, [s])
    }
  }
  return out
}
