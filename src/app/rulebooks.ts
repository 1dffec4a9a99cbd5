/**
 * City rulebook versions: the first load into an empty database, explicit and audited imports (a rollback when the
 * files equal an older version), the rules in force, a rule-level diff, and what differs between files and database.
 * Rule files are an import/export format; the database is the system of record.
 * @module app/rulebooks
 */
import { parseDocument } from 'yaml'
import { overrideFileName, rulebookEtag } from '../db/rule-store.ts'
import type { Store } from '../db/store.ts'
import { ConflictError, MujunError, RulebookError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { compileRulebook, isCountyFile, type Rulebook, type RuleText } from '../rulebook/compile.ts'
import { applyDatedChange, type DatedChange } from '../rulebook/dated-change.ts'
import { getOrMakeBounded as remember } from '../rulebook/derived.ts'
import { type ChangeReach, diffRulebooks, type RulebookDiff, reachOf } from '../rulebook/diff.ts'
import { type ResolvedRules, resolve } from '../rulebook/resolve.ts'
import { checkRulePaths, RULE_PATH_RULE, rulePathProblem } from '../rulebook/rule-path.ts'
import { actorOf, authorize } from './authorize.ts'
import { type Correction, checkReach } from './correction.ts'

/**
 * The reasons of an override's first revision when it was read from a rule file. The file name is kept there (and
 * read back by `importedFileOf`), so that `rules export` writes the override under the name it was read from.
 */
import {
  checkRulesEtag,
  importedFileOf,
  importOverride,
  loadedFrom,
  movedFrom,
} from './rulebook-imports.ts'

export interface ImportResult {
  id: number
  hash: string
  /** A version with these files was stored now (false: they equal a stored version). */
  created: boolean
  /** The version in force changed (a new version, or a rollback to an older one). */
  activated: boolean
  etag: string
  /** County files left out of a command-line import (overrides change only through their workflow). */
  ignored: string[]
  /** The day it comes into force, when scheduled for a later one. */
  effectiveOn?: string
  /** What it changes, and from which day. */
  reach?: ChangeReach
  /** Made as a correction of the past: its reason and document. */
  correction?: { reason: string; document: string }
}

/** Where the rule files on disk differ from the database (see `drift`). */
export interface Drift {
  versionId: number
  city: { path: string; change: 'changed' | 'added' | 'removed' }[]
  overrides: { path: string; id: string; change: 'changed' | 'not in the database' }[]
}

/** The override records that can price: only a filed override changes an answer (see resolve). */
export const IN_FORCE: readonly string[] = ['filed']

/** The rules in force, compiled, with what they were compiled from. */
export interface ActiveRulebook {
  /** The city version in force. */
  id: number
  activationId: number
  overrideSeq: number
  /** Which overrides are filed, at which version (see RuleStore.filedOverridesKey). */
  filedKey: string
  etag: string
  cityHash: string
  rulebook: Rulebook
  /** Override records left out because the rules cannot be read with them (see compileLive). */
  setAside: { path: string; problem: string }[]
}

export class RulebookService {
  private current?: ActiveRulebook
  private currentAt = -1
  /** Compiled city versions by id: a version never changes, so these need no revision. */
  private compiled = new Map<number, Rulebook>()

  constructor(private readonly store: Store) {}

  /**
   * The rules in force: the active city version compiled with the filed county overrides, the only ones that change
   * an answer. Drafts and proposals awaiting a decision are left out: a county's texts, however many and large, never
   * cost the request thread a compile (a preview compiles its own override, off the request thread: see
   * `previewing`). The head is re-read at each new revision; the rules are recompiled only when the activation or
   * a filed override changed.
   */
  active(): ActiveRulebook {
    if (this.current && this.currentAt === this.store.revision) return this.current
    const rev = this.store.revision
    const head = this.head()
    const filedKey = this.store.filedOverridesKey()
    if (this.current?.activationId !== head.activationId || this.current.filedKey !== filedKey) {
      const city = this.city(head.versionId)
      const { rulebook, set } = this.compileLive(city)
      this.current = {
        id: head.versionId,
        activationId: head.activationId,
        overrideSeq: head.overrideSeq,
        filedKey,
        etag: rulebookEtag(head.versionId, head.activationId),
        cityHash: city.hash,
        rulebook,
        setAside: set,
      }
    } else this.current = { ...this.current, overrideSeq: head.overrideSeq }
    this.currentAt = rev
    return this.current
  }

  /**
   * The rules in force with override `id` too (a draft or a proposal, for its preview): compiled off the request
   * thread (a preview is a job), a few kept.
   */
  previewing(id: string): Rulebook {
    const active = this.active()
    const row = this.store.overrideRow(id)
    if (!row || IN_FORCE.includes(row.status)) return active.rulebook
    return remember(
      this.previews,
      `${active.activationId}|${active.filedKey}|${id}.${row.version}`,
      () =>
        compileRulebook([
          ...this.city(active.id).files,
          ...this.store.liveOverrideFiles(IN_FORCE).filter((f) => f.path !== overrideFileName(id)),
          { path: overrideFileName(id), text: row.text },
        ]),
      4,
    )
  }
  private previews = new Map<string, Rulebook>()

  /**
   * The city rules with every filed override. Every write keeps them valid (assertValid), but a database written
   * before that rule may hold an override record the rules cannot be read with: rather than failing every county,
   * such a record is set aside (named by /healthz and at start-up) until the bureau repairs it.
   */
  private compileLive(city: Rulebook): { rulebook: Rulebook; set: ActiveRulebook['setAside'] } {
    const live = this.store.liveOverrideFiles(IN_FORCE)
    try {
      return { rulebook: compileRulebook([...city.files, ...live]), set: [] }
    } catch (e) {
      if (!(e instanceof RulebookError)) throw e
    }
    const set: ActiveRulebook['setAside'] = []
    const kept = live.filter((f) => {
      try {
        compileRulebook([...city.files, f])
        return true
      } catch (e) {
        if (!(e instanceof RulebookError)) throw e
        set.push({ path: f.path, problem: e.message })
        return false
      }
    })
    try {
      return { rulebook: compileRulebook([...city.files, ...kept]), set }
    } catch (e) {
      if (!(e instanceof RulebookError)) throw e
      // Together they still do not fit: the city's own rules alone.
      return {
        rulebook: compileRulebook(city.files),
        set: live.map((f) => ({
          path: f.path,
          problem: set.find((x) => x.path === f.path)?.problem ?? e.message,
        })),
      }
    }
  }

  /**
   * Inside a write transaction: the rules in force after it (the city version in force and every filed override as
   * the transaction has them) must be valid for every county, or the write is refused and nothing is committed.
   * Each other live override was checked alone against the city version when it was written (app/overrides).
   */
  assertValid(): void {
    const head = this.head()
    try {
      compileRulebook([
        ...this.city(head.versionId).files,
        ...this.store.liveOverrideFiles(IN_FORCE),
      ])
    } catch (e) {
      if (!(e instanceof RulebookError)) throw e
      throw new MujunError(
        'RULES_WOULD_BREAK',
        `this change would leave the rules in force invalid, so nothing was changed:\n${e.message}`,
        { status: 422 },
      )
    }
  }

  /** Which city version is in force; an error when the database holds no rules yet. */
  private head() {
    const head = this.store.rulesHead()
    if (!head)
      throw new MujunError(
        'NO_RULEBOOK',
        'the database holds no rulebook yet: start the service once (it loads RULES_DIR) or run `mujun rules import DIR`',
        { status: 503 },
      )
    return head
  }

  /** A stored city version, compiled (city files only). */
  city(versionId: number): Rulebook {
    let rb = this.compiled.get(versionId)
    if (!rb) {
      rb = compileRulebook(this.store.getRulebookVersion(versionId).files)
      if (this.compiled.size >= 8) this.compiled.delete(this.compiled.keys().next().value!)
      this.compiled.set(versionId, rb)
    }
    return rb
  }

  /**
   * The rules a run applied: its city version compiled with the filed override files as they were at its override
   * revision (the others never change an answer). A trace is recomputed under these (see EvaluationService.stored).
   */
  ofRun(versionId: number, overrideSeq: number): Rulebook {
    // A run made under the rules still in force: those, already compiled.
    const active = this.active()
    if (active.id === versionId && active.overrideSeq === overrideSeq) return active.rulebook
    return remember(
      this.ofRuns,
      `${versionId}|${overrideSeq}`,
      () =>
        compileRulebook([
          ...this.store.getRulebookVersion(versionId).files,
          ...this.store.liveOverrideFilesAt(overrideSeq, IN_FORCE),
        ]),
      8,
    )
  }
  private ofRuns = new Map<string, Rulebook>()

  /**
   * The rules as known at `at` (an ISO instant): the city version whose activation was recorded by then and in
   * force that day, with the override texts as they were then. Undefined `at`, or one not yet past: the rules in
   * force now.
   */
  knownAt(at: string | undefined): { id: number; rulebook: Rulebook } {
    if (at === undefined || at >= this.store.now()) return this.active()
    const head = this.store.rulesHead(this.store.db, at)
    if (!head)
      throw new MujunError('NO_RULEBOOK', `no rules were in force as known at ${at}`, {
        status: 422,
      })
    return { id: head.versionId, rulebook: this.ofRun(head.versionId, head.overrideSeq) }
  }

  /** True when the database holds no rulebook yet. */
  isEmpty(): boolean {
    return this.store.rulesHead() === undefined
  }

  /**
   * Loads a rules folder into an empty database: the city files become version 1, each `counties/*.yaml` an
   * override record with the status its file states. Refused once the database has rules.
   */
  loadInitial(texts: RuleText[], by: string): { id: number; hash: string; overrides: string[] } {
    checkRulePaths(texts.map((t) => t.path))
    // Everything at once, as `mujun rules check` does: city files and overrides together.
    const all = compileRulebook(texts)
    const city = texts.filter((t) => !isCountyFile(t.path))
    const cityRb = compileRulebook(city)
    const loaded = this.store.write((tx) => {
      if (this.store.rulesHead(tx))
        throw new ConflictError(
          'the database already holds rules; apply files with `mujun rules import DIR`',
        )
      const id = this.store.insertVersion(tx, {
        hash: cityRb.hash,
        files: cityRb.files,
        by,
        note: 'first load of the rule files',
      })
      this.store.activate(tx, id, by, 'first load of the rule files')
      for (const o of all.overrides) importOverride(this.store, tx, o, by, loadedFrom(o.file))
      return { id, hash: cityRb.hash, overrides: all.overrides.map((o) => o.id) }
    })
    this.compiled.set(loaded.id, cityRb) // the version holds cityRb's files: the compile `city` would make
    return loaded
  }

  /**
   * A database from before overrides were records keeps county files inside its city version in force. Moves them
   * out once: each becomes an override record with the status its file states, and the city files alone become the
   * version in force. Audited; nothing happens when there is nothing to move.
   */
  upgradeLegacy(by: string): { moved: string[]; versionId?: number } {
    const head = this.store.rulesHead()
    if (!head) return { moved: [] }
    const files = this.store.getRulebookVersion(head.versionId).files
    if (!files.some((f) => isCountyFile(f.path))) return { moved: [] }
    const before = compileRulebook(files)
    const city = compileRulebook(files.filter((f) => !isCountyFile(f.path)))
    return this.store.write((tx) => {
      const moved: string[] = []
      for (const o of before.overrides) {
        if (this.store.overrideRow(o.id, tx)) continue
        importOverride(this.store, tx, o, by, movedFrom(head.versionId, o.file))
        moved.push(o.id)
      }
      const versionId =
        this.store.findVersionByHash(tx, city.hash)?.id ??
        this.store.insertVersion(tx, {
          hash: city.hash,
          files: city.files,
          by,
          note: `the city files of version ${head.versionId}, without its county files`,
        })
      this.store.activate(
        tx,
        versionId,
        by,
        `county files of version ${head.versionId} moved into override records`,
        head.versionId,
      )
      return { moved, versionId }
    })
  }

  /**
   * What making the city files `texts` the version in force would change, and from which day: the rule items that
   * change an answer and the first day one does (see reachOf). The act is what a correction's digest names.
   */
  cityChange(
    texts: RuleText[],
    effectiveOn?: string,
  ): { city: Rulebook; base?: number; reach: ChangeReach; act: Record<string, unknown> } {
    const city = compileRulebook(texts.filter((t) => !isCountyFile(t.path)))
    const head = this.store.rulesHead()
    const reach: ChangeReach = head
      ? reachOf(diffRulebooks(this.city(head.versionId), city))
      : { firstDay: null, items: [] }
    return {
      city,
      base: head?.versionId,
      reach,
      act: { kind: 'city-version', base: head?.versionId ?? null, hash: city.hash, effectiveOn },
    }
  }

  /**
   * Makes the city files `texts` the version in force. Files equal to a stored version make that version active
   * again (a rollback, audited); new files are stored as a new version. Refused when a live county override would
   * no longer fit the new rules, and when the change would alter an answer for a day before the activation's own
   * (today, or the later `effectiveOn` it is scheduled for) unless made as a correction (`CITY_RETROACTIVE`).
   * `countyFiles`: 'refuse' (the API) or 'ignore' (a folder import).
   */
  importCity(
    p: Principal | undefined,
    texts: RuleText[],
    note: string,
    options: {
      ifMatch?: string
      requireIfMatch?: boolean
      countyFiles: 'refuse' | 'ignore'
      correction?: Correction
      /** A later Ningbo day from which the version is in force (scheduled activation). */
      effectiveOn?: string
    },
  ): ImportResult {
    const who = authorize(p, 'rulebook.import')
    checkRulePaths(texts.map((t) => t.path))
    const county = texts.filter((t) => isCountyFile(t.path))
    if (county.length > 0 && options.countyFiles === 'refuse')
      throw new MujunError(
        'COUNTY_FILE_IN_CITY_VERSION',
        `${county.map((f) => f.path).join(', ')}: a city version holds city files only; county overrides are records of their own (POST /v1/overrides to propose, then submit, approve and file)`,
        { status: 422 },
      )
    // The precondition first: a stale or missing If-Match is answered before anything is measured.
    checkRulesEtag(this.store.rulesHead(), options)
    const today = this.store.today()
    if (options.effectiveOn !== undefined && !(options.effectiveOn > today))
      throw new MujunError(
        'VALIDATION_FAILED',
        `effectiveOn ${options.effectiveOn} must be a later day than today (${today}); leave it out to activate now`,
        { status: 422 },
      )
    const scheduled = this.store.scheduledActivation()
    if (scheduled && options.effectiveOn !== undefined)
      throw new ConflictError(
        `version ${scheduled.versionId} is already scheduled for ${scheduled.effectiveOn} (activation ${scheduled.id}); one schedule at a time: activate the version in force again to cancel it`,
      )
    const change = this.cityChange(texts, options.effectiveOn)
    const { city } = change
    const correction = checkReach(
      this.store,
      'CITY_RETROACTIVE',
      `city version ${city.hash.slice(0, 12)}`,
      change.reach,
      options.effectiveOn ?? today,
      change.act,
      options.correction,
    )
    const seenOverrides = this.store.rulesHead()?.overrideSeq ?? 0
    const live = this.store.liveOverrideFiles()
    try {
      compileRulebook([...city.files, ...live])
    } catch (e) {
      if (!(e instanceof RulebookError)) throw e
      throw new MujunError(
        'OVERRIDES_WOULD_BREAK',
        `these city rules do not fit the county overrides on record (withdraw or edit those first):\n${e.message}`,
        { status: 422, details: e.problems },
      )
    }
    const by = actorOf(who)
    return this.store.write((tx) => {
      const head = this.store.rulesHead(tx)
      checkRulesEtag(head, options)
      // The overrides checked against these rules above are still the ones on record, and the version the change
      // was measured from is still the one in force.
      if ((head?.overrideSeq ?? 0) !== seenOverrides || head?.versionId !== change.base)
        throw new ConflictError('the rules changed meanwhile; try again')
      const existing = this.store.findVersionByHash(tx, city.hash)
      let id: number
      let activationId = head?.activationId ?? 0
      // The version in force again while another is scheduled: the schedule is cancelled by activating it anew.
      const cancels = scheduled !== undefined && existing?.id === head?.versionId
      if (existing && existing.id === head?.versionId && !cancels) id = existing.id
      else {
        id =
          existing?.id ??
          this.store.insertVersion(tx, { hash: city.hash, files: city.files, by, note })
        activationId = this.store.activate(
          tx,
          id,
          by,
          cancels
            ? `schedule of version ${scheduled.versionId} for ${scheduled.effectiveOn} cancelled: ${note}`
            : existing
              ? `rollback to version ${id}: ${note}`
              : note,
          head?.versionId,
          {
            effectiveOn: options.effectiveOn,
            correction: correction && { ...correction, items: correction.items.slice(0, 50) },
          },
        )
      }
      return {
        id,
        hash: city.hash,
        created: !existing,
        activated:
          options.effectiveOn === undefined && (existing?.id !== head?.versionId || cancels),
        etag: rulebookEtag(id, activationId),
        ignored: county.map((f) => f.path),
        ...(options.effectiveOn && { effectiveOn: options.effectiveOn }),
        reach: change.reach,
        ...(correction && {
          correction: { reason: correction.reason, document: correction.document },
        }),
      }
    })
  }

  /** The city files in force with the dated change `change` made to them (see rulebook/dated-change). */
  changedFiles(change: DatedChange): RuleText[] {
    return applyDatedChange(this.store.getRulebookVersion(this.head().versionId).files, change)
  }

  /** The ETag of the version in force (If-Match of the next import). */
  activeEtag(): string {
    const head = this.store.rulesHead()
    return head ? rulebookEtag(head.versionId, head.activationId) : '"none"'
  }

  /** Any role: the city versions (public rules; drafts are never part of one), newest first. */
  versions(p: Principal | undefined) {
    authorize(p, 'rulebook.read')
    return this.store.listRulebookVersions()
  }

  /** Any role: the version scheduled to come into force on a later day, if one is. */
  scheduled = (p: Principal | undefined) =>
    authorize(p, 'rulebook.read') && this.store.scheduledActivation()
  version(p: Principal | undefined, id: number) {
    authorize(p, 'rulebook.read')
    const v = this.store.getRulebookVersion(id)
    return { ...v, active: this.store.rulesHead()?.versionId === id }
  }

  diff(
    p: Principal | undefined,
    from: number,
    to: number,
  ): RulebookDiff & { from: number; to: number } {
    authorize(p, 'rulebook.read')
    return {
      from,
      to,
      ...diffRulebooks(this.city(from), this.city(to)),
    }
  }

  /** The rules in force for a county on a date: the city version in force plus that county's filed overrides. */
  resolved(p: Principal | undefined, county: string | undefined, date: string) {
    authorize(p, 'rulebook.read')
    const active = this.active()
    const resolved: ResolvedRules = resolve(
      active.rulebook,
      county ?? active.rulebook.meta.jurisdiction.code,
      date,
    )
    return { active, resolved }
  }

  /** What differs between the rule files `texts` and the database (the version in force and the override records). */
  drift(texts: RuleText[]): Drift {
    const head = this.head()
    const stored = new Map(
      this.store.getRulebookVersion(head.versionId).files.map((f) => [f.path, f.text]),
    )
    const city: Drift['city'] = []
    const onDisk = new Set<string>()
    for (const t of texts) {
      if (isCountyFile(t.path)) continue
      onDisk.add(t.path)
      const s = stored.get(t.path)
      if (s === undefined) city.push({ path: t.path, change: 'added' })
      else if (s !== t.text) city.push({ path: t.path, change: 'changed' })
    }
    for (const path of stored.keys()) if (!onDisk.has(path)) city.push({ path, change: 'removed' })
    const overrides: Drift['overrides'] = []
    for (const t of texts) {
      if (!isCountyFile(t.path)) continue
      let id = ''
      try {
        id = String(parseDocument(t.text).getIn(['override', 'id']) ?? '')
      } catch {}
      const row = id ? this.store.overrideRow(id) : undefined
      if (!row) overrides.push({ path: t.path, id, change: 'not in the database' })
      else if (row.text !== t.text) overrides.push({ path: t.path, id, change: 'changed' })
    }
    return { versionId: head.versionId, city, overrides }
  }

  /**
   * The database's rules as files: the city version in force and every override record's current text. Refused,
   * naming the record, when a stored name is not a plain relative one (a file written there would land outside).
   */
  exportFiles(): { versionId: number; files: RuleText[] } {
    const head = this.head()
    const city = this.store
      .getRulebookVersion(head.versionId)
      .files.map((f) => ({ ...f, record: `rulebook version ${head.versionId}` }))
    const rows = this.store.listOverrideRows()
    const names = this.overrideFileNames(rows.map((o) => o.id))
    const overrides = rows.map((o) => ({
      path: names.get(o.id)!,
      text: o.text,
      record: `override ${o.id}`,
    }))
    const files = [...city, ...overrides]
    const unsafe = files.flatMap((f) => {
      const problem = rulePathProblem(f.path)
      return problem ? [`${f.record}: file ${problem}`] : []
    })
    if (unsafe.length > 0)
      throw new MujunError(
        'RULE_PATH_INVALID',
        `not exported: ${unsafe.join('; ')} (${RULE_PATH_RULE})`,
        { status: 422 },
      )
    return { versionId: head.versionId, files: files.map(({ path, text }) => ({ path, text })) }
  }

  /**
   * The file each override is exported as: the one it was read from, unless another override's id or file claims
   * that name; otherwise (and for an override proposed over the API) `counties/<id>.yaml`. No two share a name.
   */
  private overrideFileNames(ids: string[]): Map<string, string> {
    const imported = new Map<string, string>()
    for (const first of this.store.firstOverrideRevisions()) {
      const file = importedFileOf(first)
      if (file) imported.set(first.id, file)
    }
    const byId = new Set(ids.map(overrideFileName))
    const uses = new Map<string, number>()
    for (const file of imported.values()) uses.set(file, (uses.get(file) ?? 0) + 1)
    return new Map(
      ids.map((id) => {
        const own = overrideFileName(id)
        const file = imported.get(id)
        if (file === undefined) return [id, own]
        const claimed = file !== own && (byId.has(file) || (uses.get(file) ?? 0) > 1)
        return [id, claimed ? own : file]
      }),
    )
  }
}
