/**
 * County overrides as records of their own: propose, edit a draft, move through the workflow, read, preview.
 * Who may act, what the text must satisfy (the city rules it changes, its own county, no retroactive effect) and
 * the optimistic concurrency of each record are decided here; the store only writes rows.
 * @module app/overrides
 */
import { LineCounter, parseDocument } from 'yaml'
import { ningboDate } from '../dates.ts'
import { checkIfMatch } from '../db/base-store.ts'
import { LIVE_STATUSES, overrideFileName } from '../db/rule-store.ts'
import type { Store } from '../db/store.ts'
import { AuthError, ConflictError, MujunError, NotFoundError } from '../errors.ts'
import { type OverridePreview, previewOverride } from '../pricing/override-preview.ts'
import type { Principal } from '../principal.ts'
import { compileRulebook, type Override } from '../rulebook/compile.ts'
import {
  applyTransition,
  endOverride,
  markWithdrawn,
  type OverrideAction,
  TransitionError,
} from '../rulebook/override-workflow.ts'
import { actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import { inScope, ownCounty } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

const ID = /^[a-z][a-z0-9_-]{0,63}$/

export interface OverrideSummary {
  id: string
  county: string
  label: string
  status: string
  from: string
  to: string | null
  supersedes: string | null
  version: number
  etag: string
  createdAt: string
  createdBy: string
  updatedAt: string
  updatedBy: string
}

export interface OverrideEvent {
  version: number
  action: string
  fromStatus: string | null
  toStatus: string
  at: string
  by: string
  reason: string
  ref: string | null
  decisionDate: string | null
}

export interface OverrideDetail extends OverrideSummary {
  text: string
  /** The city rulebook version in force now, which this override is checked against. */
  rulebookVersion: number
  events: OverrideEvent[]
}

export const overrideEtag = (id: string, version: number) => `"${id}.v${version}"`

/** An override's revisions as events (who took each step, when, with which reference), its text left out. */
export function overrideEvents(store: Store, id: string): OverrideEvent[] {
  return store.overrideRevisions(id).map((r) => ({
    version: r.version,
    action: r.action,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    at: r.at,
    by: r.by,
    reason: r.reason,
    ref: r.ref,
    decisionDate: r.decisionDate,
  }))
}

export class OverrideService {
  constructor(
    private readonly store: Store,
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
    /** Runs a preview as a job (off the request thread); without one, previews run in place. */
    private readonly startJob?: StartPreviewJob,
  ) {}

  /** The bureau sees every county's overrides; a county sees its own. */
  list(p: Principal | undefined): OverrideSummary[] {
    const who = authorize(p, 'override.read')
    return this.store.listOverrideRows(ownCounty(who)).map((row) => summary(row))
  }

  /** One override with its text and history. A county asking for an id that is not its own gets 403, existing or not. */
  get(p: Principal | undefined, id: string): OverrideDetail {
    return this.detail(this.owned(authorize(p, 'override.read'), id))
  }

  /** A county's new proposal, in status draft, checked against the city rules in force. */
  propose(p: Principal | undefined, text: string): OverrideDetail {
    const who = authorize(p, 'override.propose')
    const header = readHeader(text, 'strict')
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
    const { versionId, compiled } = this.check(id, text)
    this.checkSupersedes(compiled)
    this.store.write((tx) => {
      this.sameCityVersion(versionId)
      if (this.store.overrideRow(id, tx))
        throw new ConflictError(
          `override ${id} already exists; choose another id (ids are never reused)`,
        )
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
      this.rulebooks.assertValid()
    })
    return this.detail(this.store.overrideRow(id)!)
  }

  /** Replaces a draft's text; `ifMatch` must be this override's current ETag. */
  edit(
    p: Principal | undefined,
    id: string,
    text: string,
    ifMatch: string | undefined,
  ): OverrideDetail {
    const who = authorize(p, 'override.propose')
    const current = this.owned(who, id)
    checkIfMatch(ifMatch, overrideEtag(id, current.version))
    if (current.status !== 'draft')
      throw new TransitionError(
        `cannot edit override '${id}': it is ${current.status}; only a draft can be edited`,
      )
    const header = readHeader(text, 'strict')
    if (header.id !== id || header.status !== 'draft' || header.county !== current.county)
      throw invalid('an edit keeps the id, the county and the status draft')
    const { versionId, compiled } = this.check(id, text)
    this.checkSupersedes(compiled)
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
      this.rulebooks.assertValid()
    })
    return this.detail(this.store.overrideRow(id)!)
  }

  /**
   * One workflow step. The decision date defaults to today; it may not lie in the future nor before the previous
   * step was recorded, so no step is dated before the one it answers. Filing refuses an override that would take
   * effect before its filing date: bills already issued are never changed after the fact.
   */
  transition(
    p: Principal | undefined,
    id: string,
    action: OverrideAction,
    decision: { ref?: string; reason?: string; date?: string },
    ifMatch?: string,
  ): OverrideDetail {
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
    const from = readHeader(current.text).from ?? ''
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
    const next = applyTransition(current.text, action, { ...decision, date, by })
    const { versionId, compiled } = this.check(id, next.text)
    const superseded = action === 'file' ? this.checkSupersedes(compiled) : undefined
    // A successor ends its filed predecessor on its own first day, never later than the end the city approved.
    let endOld: string | undefined
    if (superseded?.status === 'filed') {
      const old = readHeader(superseded.text)
      if (old.from !== undefined && old.from >= compiled.from)
        throw new MujunError(
          'OVERRIDE_SUPERSEDES_UNSTARTED',
          `override ${id} starts ${compiled.from}, not after ${superseded.id}'s start ${old.from}: ${superseded.id} would end before it begins. Withdraw ${superseded.id} (it has not taken effect), or start ${id} after ${old.from}`,
          { status: 422 },
        )
      if (old.to === undefined || old.to > compiled.from) endOld = compiled.from
    }
    this.store.write((tx) => {
      this.sameCityVersion(versionId)
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
      this.rulebooks.assertValid()
    })
    return this.detail(this.store.overrideRow(id)!)
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
   * What a (pending) override would change, computed off the request thread: from the cache when this revision
   * already has it, else as a job whose answer is then kept.
   */
  async previewOffThread(
    p: Principal | undefined,
    id: string,
    year: number,
  ): Promise<OverridePreview> {
    this.previewable(p, id)
    const key = `preview|${id}|${year}`
    const hit = this.cache.peek<OverridePreview>(key)
    if (hit || !this.startJob) return hit ?? this.preview(p, id, year)
    const revision = this.store.revision
    // Shared only by one token's requests: joining another's job would wait in that owner's queue (app/jobs), and
    // be cancelled with its token.
    const flight = `${key}|${revision}|${p!.tokenId}`
    let pending = this.inFlight.get(flight)
    if (!pending) {
      pending = this.startJob(p, { kind: 'preview', overrideId: id, year })
        .done.then((pv) => {
          this.cache.put(
            key,
            pv as OverridePreview,
            revision,
            (x) => 4096 + x.enterprises.length * 300,
          )
          return pv as OverridePreview
        })
        .finally(() => this.inFlight.delete(flight))
      this.inFlight.set(flight, pending)
    }
    return pending
  }

  /** What a (pending) override would change for the stored population of `year`. */
  preview(p: Principal | undefined, id: string, year: number): OverridePreview {
    this.previewable(p, id)
    // Re-rates the county twice: kept until the next change (the overview page shows one per pending override).
    const { rulebook } = this.rulebooks.active()
    return this.cache.get(
      `preview|${id}|${year}`,
      () => previewOverride(rulebook, id, this.store.population(year), year),
      (pv) => 4096 + pv.enterprises.length * 300,
    )
  }

  /** An override `p` may read and that can still be previewed (not rejected or withdrawn). */
  private previewable(p: Principal | undefined, id: string): void {
    const row = this.owned(authorize(p, 'override.read'), id)
    if (!LIVE_STATUSES.includes(row.status))
      throw new ConflictError(
        `override ${id} is ${row.status}; only a live override can be previewed`,
      )
  }

  /** The override, checked to exist and to belong to a county principal. */
  private owned(who: Principal, id: string) {
    const row = this.store.overrideRow(id)
    if (ownCounty(who) !== undefined && row?.county !== who.scope)
      throw new AuthError(403, `override ${id} is not one of county ${who.scope}'s overrides`)
    if (!row) throw new NotFoundError(`override ${id}`)
    return row
  }

  /** Compiles the city version in force with this text alone: the override must fit the rules it changes. */
  private check(id: string, text: string): { versionId: number; compiled: Override } {
    const { id: versionId } = this.rulebooks.active()
    const city = this.rulebooks.city(versionId)
    let rb: ReturnType<typeof compileRulebook>
    try {
      rb = compileRulebook([...city.files, { path: overrideFileName(id), text }])
    } catch (e) {
      if (e instanceof RangeError) throw invalid(`the override text is nested too deeply`)
      throw e
    }
    return { versionId, compiled: rb.overrides[0] }
  }

  /** `supersedes` may name only an existing override of the same county. */
  private checkSupersedes(o: Override) {
    const name = o.header.supersedes
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
      ...summary(row),
      text: row.text,
      rulebookVersion: this.rulebooks.active().id,
      events: overrideEvents(this.store, row.id),
    }
  }
}

/** Starts a preview job for `p`; `done` settles with the preview (JobService.start). */
export type StartPreviewJob = (
  p: Principal | undefined,
  req: { kind: 'preview'; overrideId: string; year: number },
) => { done: Promise<unknown> }

type OverrideRow = NonNullable<ReturnType<Store['overrideRow']>>

function summary(row: OverrideRow): OverrideSummary {
  const h = readHeader(row.text)
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

/**
 * The header fields of an override text. 'strict' (a text a client sent): YAML that does not parse is a 422 naming
 * the line and column. Otherwise (stored texts) unreadable fields are left out. The full check is compile's.
 */
function readHeader(
  text: string,
  mode: 'strict' | 'lenient' = 'lenient',
): {
  id?: string
  county?: string
  status?: string
  label?: string
  from?: string
  to?: string
  supersedes?: string
} {
  try {
    const lc = new LineCounter()
    const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lc })
    const err = doc.errors[0]
    if (err && mode === 'strict') {
      const { line, col } = lc.linePos(err.pos[0])
      throw new MujunError(
        'OVERRIDE_INVALID',
        `the override text is not valid YAML at line ${line}, column ${col}: ${err.message.split('\n')[0]}`,
        { status: 422, details: [{ line, col, message: err.message.split('\n')[0] }] },
      )
    }
    const get = (k: string) => {
      const v = doc.getIn(['override', k])
      return v === undefined || v === null ? undefined : String(v)
    }
    return {
      id: get('id'),
      county: get('county'),
      status: get('status'),
      label: get('label'),
      from: get('from'),
      to: get('to'),
      supersedes: get('supersedes'),
    }
  } catch (e) {
    if (e instanceof MujunError) throw e
    if (mode === 'strict')
      throw invalid('the override text is nested too deeply or cannot be read as YAML')
    return {}
  }
}

function invalid(message: string) {
  return new MujunError('OVERRIDE_INVALID', message, { status: 422 })
}
