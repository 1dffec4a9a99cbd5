/**
 * County overrides as records of their own: propose, edit a draft, move through the workflow, read, preview.
 * Who may act, what the text must satisfy (the city rules it changes, its own county, no retroactive effect) and
 * the optimistic concurrency of each record are decided here; the store only writes rows.
 * @module app/overrides
 */
import { ningboDate } from '../dates.ts'
import { checkIfMatch } from '../db/base-store.ts'
import { LIVE_STATUSES, overrideFileName } from '../db/rule-store.ts'
import type { Store } from '../db/store.ts'
import { AuthError, ConflictError, MujunError, NotFoundError } from '../errors.ts'
import { type OverridePreview, previewOverride } from '../pricing/override-preview.ts'
import { ownerKey, type Principal } from '../principal.ts'
import {
  endOverride,
  markWithdrawn,
  type OverrideAction,
  TransitionError,
} from '../rulebook/override-workflow.ts'
import { countyPrefix } from '../rulebook/schema.ts'
import { actorOf, authorize } from './authorize.ts'
import { previousYearStats } from './evaluation-rules.ts'
import { DEFAULT_OVERRIDE_LIMITS, OverrideChecks, type OverrideLimits } from './override-checks.ts'
import { type OverrideHeader, quickHeader, readHeader } from './override-header.ts'
import {
  type OverrideDetail,
  type OverrideSummary,
  overrideEtag,
  overrideEvents,
} from './override-views.ts'
import { can, inScope, ownCounty } from './permissions.ts'
import { type CheckedOverride, checkInPlace, type RuleChecker, unwrap } from './rule-check.ts'

export type { OverrideLimits } from './override-checks.ts'
export {
  type OverrideDetail,
  type OverrideEvent,
  type OverrideSummary,
  overrideEtag,
  overrideEvents,
} from './override-views.ts'

import type { RulebookService } from './rulebooks.ts'

const ID = /^[a-z][a-z0-9_-]{0,63}$/

/** A draft written or edited changes no answer the cache holds (only filed overrides are in force). */
const DRAFT_WRITE = { changesCached: false }

export class OverrideService {
  /** Runs a preview as a job (off the request thread); without one, previews run in place. */
  private readonly startJob?: StartPreviewJob
  /** Compiles texts and applies workflow steps: on the checker thread in the server, inline otherwise. */
  private readonly checker: RuleChecker
  private readonly checks: OverrideChecks

  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
    options: { startJob?: StartPreviewJob; checker?: RuleChecker; limits?: OverrideLimits } = {},
  ) {
    this.startJob = options.startJob
    this.checker = options.checker ?? checkInPlace
    this.checks = new OverrideChecks(
      store,
      rulebooks,
      this.checker,
      options.limits ?? DEFAULT_OVERRIDE_LIMITS,
    )
  }

  /** The city's offices see every county's overrides, a county its own; drafts only their county and the bureau. */
  list(p: Principal | undefined): OverrideSummary[] {
    const who = authorize(p, 'override.read')
    return this.store
      .listOverrideRows(ownCounty(who))
      .filter((row) => visible(who, row))
      .map((row) => this.summary(row))
  }

  /**
   * One override with its text and history. An id `p` may not read gets the answer an unknown id gets: 403 for a
   * county (another county's, or none), 404 for the city's offices (a draft they may not read, or none).
   */
  get(p: Principal | undefined, id: string): OverrideDetail {
    return this.detail(this.owned(authorize(p, 'override.read'), id))
  }

  /**
   * A county's new proposal, in status draft, checked against the city rules in force on the checker thread. A
   * county keeps at most `maxOpen` overrides awaiting a decision, each text at most `maxTextBytes`.
   */
  async propose(p: Principal | undefined, text: string): Promise<OverrideDetail> {
    const who = authorize(p, 'override.propose')
    this.checks.size(text)
    const own = ownCounty(who)
    if (own !== undefined) this.checks.open(own)
    // The file name only names the text in problems; the id is read (strictly) with the check.
    const guess = quickHeader(text)?.id
    const path = overrideFileName(guess && ID.test(guess) ? guess : 'proposed')
    const { versionId, header, outcome } = await this.checks.check(path, text, ownerKey(who))
    if (!header.id || !ID.test(header.id))
      throw invalid(
        'the text must be an override file whose override.id is a lower-case id (a-z, 0-9, _ or -, at most 64)',
      )
    if (header.status !== 'draft')
      throw invalid(`a new override starts as draft (status is ${header.status ?? 'missing'})`)
    if (!inScope(who, { county: header.county }))
      throw new AuthError(
        403,
        `a county token for ${who.scope} cannot propose for ${header.county ?? 'no county'}`,
      )
    const id = header.id
    // Ids are namespaced by county: a proposal can only ever collide with its own county's ids, so its 409 tells
    // nothing about another county's, and no county can take an id another will want.
    const prefix = this.idPrefix(header.county)
    if (prefix !== undefined && !id.startsWith(`${prefix}_`) && !id.startsWith(`${prefix}-`))
      throw invalid(
        `a new override id of county ${header.county} begins with its prefix: ${prefix}_… or ${prefix}-…`,
      )
    const compiled = unwrap(outcome)[0]
    this.checkSupersedes(compiled)
    this.store.write((tx) => {
      this.sameCityVersion(versionId)
      if (this.store.overrideRow(id, tx))
        throw new ConflictError(
          `override ${id} already exists; choose another id (ids are never reused)`,
        )
      this.checks.open(compiled.county)
      this.store.writeOverride(
        tx,
        {
          id,
          county: compiled.county,
          status: 'draft',
          text,
          action: 'propose',
          fromStatus: null,
          by: actorOf(who),
        },
        0,
      )
    }, DRAFT_WRITE)
    return this.written(id, header)
  }

  /** Replaces a draft's text; `ifMatch` must be this override's current ETag. */
  async edit(
    p: Principal | undefined,
    id: string,
    text: string,
    ifMatch: string | undefined,
  ): Promise<OverrideDetail> {
    const who = authorize(p, 'override.propose')
    const current = this.owned(who, id)
    checkIfMatch(ifMatch, overrideEtag(id, current.version))
    if (current.status !== 'draft')
      throw new TransitionError(
        `cannot edit override '${id}': it is ${current.status}; only a draft can be edited`,
      )
    this.checks.size(text)
    const { versionId, header, outcome } = await this.checks.check(
      overrideFileName(id),
      text,
      ownerKey(who),
    )
    if (header.id !== id || header.status !== 'draft' || header.county !== current.county)
      throw invalid('an edit keeps the id, the county and the status draft')
    this.checkSupersedes(unwrap(outcome)[0])
    this.store.write((tx) => {
      this.sameCityVersion(versionId)
      this.store.writeOverride(
        tx,
        {
          id,
          county: current.county,
          status: 'draft',
          text,
          action: 'edit',
          fromStatus: 'draft',
          by: actorOf(who),
        },
        current.version,
      )
    }, DRAFT_WRITE)
    return this.written(id, header)
  }

  /**
   * One workflow step. The decision date defaults to today; it may not lie in the future nor before the previous
   * step was recorded, so no step is dated before the one it answers. Filing refuses an override that would take
   * effect before its filing date: bills already issued are never changed after the fact.
   */
  async transition(
    p: Principal | undefined,
    id: string,
    action: OverrideAction,
    decision: { ref?: string; reason?: string; date?: string },
    ifMatch?: string,
  ): Promise<OverrideDetail> {
    const who = authorize(p, `override.${action}`)
    const current = this.owned(who, id)
    if (ifMatch !== undefined) checkIfMatch(ifMatch, overrideEtag(id, current.version))
    const today = this.store.today()
    const date = decision.date ?? today
    const last = this.store.overrideRevisions(id).at(-1)!
    if (date > today)
      throw new MujunError(
        'DECISION_DATE_INVALID',
        `the ${action} date ${date} is in the future (today is ${today})`,
        { status: 422 },
      )
    if (date < ningboDate(last.at))
      throw new MujunError(
        'DECISION_DATE_INVALID',
        `the ${action} date ${date} is before the previous step (${last.action}, recorded ${ningboDate(last.at)})`,
        { status: 422 },
      )
    const by = actorOf(who)
    const from = this.header(current).from ?? ''
    if (action === 'file' && from < date)
      throw new MujunError(
        'OVERRIDE_RETROACTIVE',
        `override ${id} would take effect from ${from}, before its filing date ${date}: an override applies only from its filing onward. Withdraw it and propose it again with from: ${date} or later`,
        { status: 422 },
      )
    // A filed override that has not taken effect yet may still be withdrawn: nothing was priced by it.
    if (action === 'withdraw' && current.status === 'filed' && from <= today)
      throw new MujunError(
        'OVERRIDE_RETROACTIVE',
        `override ${id} has been in force since ${from}: withdrawing it would re-price the days since. End it with a filed successor (supersedes: ${id}), or the bureau repairs it as a correction`,
        { status: 422 },
      )
    // The text is rewritten and checked on the checker thread: a county's text may be large.
    const step = await this.checker({
      op: 'transition',
      text: current.text,
      action,
      decision: { ...decision, date, by },
    })
    if (step.op === 'error') unwrap(step.outcome)
    if (step.op !== 'transition') throw new Error('the checker answered another question')
    const next = step.next
    const filedKey = this.store.filedOverridesKey()
    const { versionId, header, outcome } = await this.checks.check(
      overrideFileName(id),
      next.text,
      ownerKey(who),
    )
    const compiled = unwrap(outcome)[0]
    const superseded = action === 'file' ? this.checkSupersedes(compiled) : undefined
    // A successor ends its filed predecessor on its own first day, never later than the end the city approved.
    let endOld: string | undefined
    if (superseded?.status === 'filed') {
      const old = this.header(superseded)
      if (old.from !== undefined && old.from >= compiled.from)
        throw new MujunError(
          'OVERRIDE_SUPERSEDES_UNSTARTED',
          `override ${id} starts ${compiled.from}, not after ${superseded.id}'s start ${old.from}: ${superseded.id} would end before it begins. Withdraw ${superseded.id} (it has not taken effect), or start ${id} after ${old.from}`,
          { status: 422 },
        )
      if (old.to === undefined || old.to > compiled.from) endOld = compiled.from
    }
    // Filing changes the rules in force: they must still read together, the predecessor ended (checked off the
    // request thread, against the filed overrides as read here; a filing meanwhile makes this one try again).
    if (action === 'file')
      await this.checks.inForce(
        id,
        next.text,
        superseded && endOld !== undefined
          ? { id: superseded.id, text: endOverride(superseded.text, endOld) }
          : undefined,
      )
    this.store.write(
      (tx) => {
        this.sameCityVersion(versionId)
        if (action === 'file' && this.store.filedOverridesKey(tx) !== filedKey)
          throw new ConflictError('the filed overrides changed meanwhile; try again')
        this.store.writeOverride(
          tx,
          {
            id,
            county: current.county,
            status: next.to,
            text: next.text,
            action,
            fromStatus: next.from,
            by,
            reason: decision.reason,
            ref: decision.ref ?? null,
            decisionDate: date,
          },
          current.version,
        )
        // A filed successor ends the filed override it supersedes on its own start date, as a revision of that one.
        if (superseded && endOld !== undefined) {
          const old = this.store.overrideRow(superseded.id, tx)!
          this.store.writeOverride(
            tx,
            {
              id: old.id,
              county: old.county,
              status: old.status,
              text: endOverride(old.text, endOld),
              action: 'supersede',
              fromStatus: old.status,
              by,
              reason: `superseded by ${id} from ${compiled.from}`,
              ref: decision.ref ?? null,
              decisionDate: date,
            },
            old.version,
          )
        }
        // Only a filing, or a change to a filed override, changes a price: nothing cached depends on the others.
      },
      { changesCached: next.to === 'filed' || next.from === 'filed' },
    )
    return this.written(id, header)
  }

  /**
   * The bureau's repair of an override record the rules cannot be read with (or that must end otherwise than its
   * workflow allows): its end set (`to`) or the record withdrawn, checked so the rules in force are valid after
   * it, and made as a correction (reason and document), since it may change answers for days past.
   */
  repair(
    p: Principal | undefined,
    id: string,
    fix: {
      to?: string | null
      withdraw?: boolean
      correction: { reason: string; document: string }
    },
  ): OverrideDetail {
    const who = authorize(p, 'override.repair')
    const current = this.owned(who, id)
    if ((fix.to === undefined) === (fix.withdraw !== true))
      throw invalid(
        'a repair either sets the end (to, a date or null) or withdraws the record (withdraw: true)',
      )
    const reason = fix.correction.reason?.trim() ?? ''
    const document = fix.correction.document?.trim() ?? ''
    if (reason.length < 3 || document.length < 2)
      throw new MujunError(
        'CORRECTION_INVALID',
        'a repair is a correction: give correction.reason and correction.document (文号)',
        { status: 422 },
      )
    let text = current.text
    let status = current.status
    if (fix.withdraw) {
      status = 'withdrawn'
      text = markWithdrawn(text, `repaired ${this.store.today()}: ${reason}`)
      // An end before the start (what broke it) is dropped, so the withdrawn record still reads as a rule file.
      const h = readHeader(text)
      if (h.to !== undefined && h.from !== undefined && h.to <= h.from)
        text = endOverride(text, null)
    } else text = endOverride(text, fix.to ?? null)
    const by = actorOf(who)
    this.store.write((tx) => {
      this.store.writeOverride(
        tx,
        {
          id,
          county: current.county,
          status,
          text,
          action: 'repair',
          fromStatus: current.status,
          by,
          reason: `correction: ${reason}`,
          ref: document,
          decisionDate: this.store.today(),
        },
        current.version,
      )
      this.rulebooks.assertValid()
    })
    return this.detail(this.store.overrideRow(id)!)
  }

  /** Previews being computed, so that the same question asked again by the same token waits for the same job. */
  private inFlight = new Map<string, Promise<OverridePreview>>()
  /**
   * Previews by what they depend on (see previewKey), not by revision: a write elsewhere (another county's draft,
   * a token) leaves them valid, so the overview does not re-rate every pending override after each change.
   */
  private previews = new Map<string, OverridePreview>()

  /** The preview of `id` for `year`, if one was computed for the data as they are now. */
  cachedPreview(id: string, year: number): OverridePreview | undefined {
    const row = this.store.overrideRow(id)
    return row && this.previews.get(this.previewKey(row, year))
  }

  /**
   * What a (pending) override would change, computed off the request thread: kept while the override, the rules in
   * force and the population stay as they are, else computed as a job whose answer is then kept.
   */
  async previewOffThread(
    p: Principal | undefined,
    id: string,
    year: number,
    /**
     * Whose queue the job waits in (app/jobs): the asker's, or the override's county's for previews a page asks
     * for by itself (the bureau's /overview previews every pending override: a county's many drafts must cost
     * that county's queue, never a city office's).
     */
    queue: 'asker' | 'county' = 'asker',
  ): Promise<OverridePreview> {
    const row = this.previewable(p, id)
    const key = this.previewKey(row, year)
    const hit = this.previews.get(key)
    if (hit || !this.startJob) return hit ?? this.preview(p, id, year)
    // Shared only by one token's requests: joining another's job would wait in that owner's queue (app/jobs), and
    // be cancelled with its token.
    const flight = `${key}|${p!.tokenId}|${queue}`
    let pending = this.inFlight.get(flight)
    if (!pending) {
      pending = this.startJob(
        p,
        { kind: 'preview', overrideId: id, year },
        queue === 'county' ? `county:${row.county}` : undefined,
      )
        .done.then((pv) => {
          this.keepPreview(key, pv as OverridePreview)
          return pv as OverridePreview
        })
        .finally(() => this.inFlight.delete(flight))
      this.inFlight.set(flight, pending)
    }
    return pending
  }

  /** What a (pending) override would change for the stored population of `year`. */
  preview(p: Principal | undefined, id: string, year: number): OverridePreview {
    const row = this.previewable(p, id)
    const key = this.previewKey(row, year)
    const hit = this.previews.get(key)
    if (hit) return hit
    // Re-rates the county twice, under the rules in force with this override compiled in.
    const pv = previewOverride(
      this.rulebooks.previewing(id),
      id,
      this.store.population(year),
      year,
      previousYearStats(this.store, year),
    )
    this.keepPreview(key, pv)
    return pv
  }

  /** A preview depends on the override's version, the rules in force and the population. */
  private previewKey(row: OverrideRow, year: number): string {
    const { activationId, filedKey } = this.rulebooks.active()
    return `${row.id}.${row.version}|${year}|${activationId}|${filedKey}|${this.store.registryStamp()}`
  }

  private keepPreview(key: string, pv: OverridePreview) {
    // A few dozen pending overrides at most (DRAFT_LIMIT per county): the oldest answers go first.
    if (this.previews.size >= 256) this.previews.delete(this.previews.keys().next().value!)
    this.previews.set(key, pv)
  }

  /** An override `p` may read and that can still be previewed (not rejected or withdrawn). */
  private previewable(p: Principal | undefined, id: string): OverrideRow {
    const row = this.owned(authorize(p, 'override.read'), id)
    if (!LIVE_STATUSES.includes(row.status))
      throw new ConflictError(
        `override ${id} is ${row.status}; only a live override can be previewed`,
      )
    return row
  }

  /** The override, if `who` may read it; otherwise the one refusal "not yours" and "no such" share. */
  private owned(who: Principal, id: string) {
    const row = this.store.overrideRow(id)
    if (row && visible(who, row)) return row
    if (ownCounty(who) !== undefined)
      throw new AuthError(403, `override ${id} is not one of county ${who.scope}'s overrides`)
    throw new NotFoundError(`override ${id}`)
  }

  /** The prefix every new override id of `county` begins with (see the rulebook's county slugs). */
  private idPrefix(county: string | undefined): string | undefined {
    const c = this.rulebooks.active().rulebook.meta.counties.find((x) => x.code === county)
    return c && countyPrefix(c)
  }

  /** `supersedes` may name only an existing override of the same county. */
  private checkSupersedes(o: CheckedOverride) {
    const name = o.supersedes
    if (!name) return undefined
    const old = this.store.overrideRow(name)
    if (!old || old.county !== o.county)
      throw invalid(
        `override ${o.id} supersedes '${name}', which is not an override of county ${o.county}`,
      )
    if (old.id === o.id) throw invalid(`override ${o.id} cannot supersede itself`)
    return old
  }

  /** Inside a write: the city version checked against is still the one in force (another process may have moved it). */
  private sameCityVersion(versionId: number) {
    const head = this.store.rulesHead()
    if (head?.versionId !== versionId)
      throw new ConflictError(
        `the city rulebook changed meanwhile (version ${versionId} → ${head?.versionId}); try again`,
      )
  }

  private detail(row: OverrideRow): OverrideDetail {
    return {
      ...this.summary(row),
      text: row.text,
      rulebookVersion: this.checks.cityVersion(),
      events: overrideEvents(this.store, row.id),
    }
  }

  /** The override just written, its header (read on the checker thread) kept for its new version. */
  private written(id: string, header: OverrideHeader): OverrideDetail {
    const row = this.store.overrideRow(id)!
    this.keepHeader(row, header)
    return this.detail(row)
  }

  /** Headers by id and version (a version's text never changes): listing drafts does not parse them again. */
  private headers = new Map<string, OverrideHeader>()

  private header(row: OverrideRow): OverrideHeader {
    const hit = this.headers.get(`${row.id}.${row.version}`)
    if (hit) return hit
    const h = readHeader(row.text)
    this.keepHeader(row, h)
    return h
  }

  private keepHeader(row: OverrideRow, h: OverrideHeader) {
    if (this.headers.size >= 4096) this.headers.delete(this.headers.keys().next().value!)
    this.headers.set(`${row.id}.${row.version}`, h)
  }

  private summary(row: OverrideRow): OverrideSummary {
    const h = this.header(row)
    return {
      id: row.id,
      county: row.county,
      label: h.label ?? '',
      status: row.status,
      from: h.from ?? '',
      to: h.to ?? null,
      supersedes: h.supersedes ?? null,
      version: row.version,
      etag: overrideEtag(row.id, row.version),
      createdAt: row.createdAt,
      createdBy: row.createdBy,
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
    }
  }
}

/** Starts a preview job for `p`; `done` settles with the preview (JobService.start). */
export type StartPreviewJob = (
  p: Principal | undefined,
  req: { kind: 'preview'; overrideId: string; year: number },
  /** The queue it waits in (app/jobs), when not the asker's. */
  owner?: string,
) => { done: Promise<unknown> }

type OverrideRow = NonNullable<ReturnType<Store['overrideRow']>>

/** Whether `who` may read `row`: within its scope, and a draft only with override.readDraft. */
function visible(who: Principal, row: OverrideRow): boolean {
  return (
    inScope(who, { county: row.county }) &&
    (row.status !== 'draft' || can(who, 'override.readDraft'))
  )
}

function invalid(message: string) {
  return new MujunError('OVERRIDE_INVALID', message, { status: 422 })
}
