/**
 * Pricing snapshots per database revision (issue "Utilities at city scale"): every firm's published history and
 * closure read once when the revision moves, into a PricingSnapshot (pricing/snapshot) that tiers, quotes and
 * billing runs share. Built off the request path, in chunks that yield to requests between them; until it is
 * ready, and after an act that may change any price, `current()` answers undefined and the caller takes the
 * database path, so no answer ever rests on a stale snapshot. Building starts only when pricing asks for it often
 * enough at one revision (a billing run, a stream of quotes), so a process that prices little never pays for it.
 *
 * The revision also moves for writes that change no price: a login, a token made or revoked, a backup, a web
 * session's use in another worker process (no audit entry at all). A snapshot (or a build) outlives those: it is
 * kept while the Ningbo day is the same and every audit entry after the one it was built at is of an action in
 * `PRICE_NEUTRAL` (every act that can change a price writes an audit entry of its own; see app/tier-feed).
 *
 * An act that reaches one county (an override's step) or one firm (a closure, a list entry) does not stop a built
 * snapshot either: it keeps serving every other firm, sets the reached ones apart (the database path answers them),
 * and a new build is started as demand asks; the new snapshot replaces it when ready. Any other act (a publication,
 * a rule version, an act whose reach is not named) ends it at once.
 * @module app/pricing-snapshot
 */
import type { Store } from '../db/store.ts'
import { CodeIndex } from '../pricing/code-index.ts'
import type { RatedFacts } from '../pricing/facts.ts'
import { type HistoryProfile, PricingSnapshot, type SnapshotClosure } from '../pricing/snapshot.ts'

/** Rows read per chunk of a build (one statement, a few milliseconds; then the build yields to requests). */
const CHUNK = 5_000
/** Requests at one revision (a billing run counts its lines) before a build starts. */
export const SNAPSHOT_DEMAND = 200

/**
 * Audit actions that change no price, pricing snapshot or evaluation result: who may sign in, and bookkeeping. An
 * action not named here ends the snapshot, whatever it is.
 */
export const PRICE_NEUTRAL: ReadonlySet<string> = new Set([
  'session.login',
  'session.logout',
  'token.create',
  'token.revoke',
  'database.backup',
  'job.cancel',
])
/** Audit entries looked at, at most, to keep a snapshot; more than that and it is built again. */
const NEUTRAL_SCAN = 200

/**
 * The firms an audited act can change the price of, when it names them: an override's step, its county; a closure
 * or a list entry, its firm. Undefined for every other act (it may change any price).
 */
export function reachOf(
  action: string,
  detail: string,
): { county: string } | { creditCode: string } | undefined {
  const kind = action.slice(0, action.indexOf('.'))
  if (
    kind !== 'override' &&
    kind !== 'disposition' &&
    action !== 'list.entry.add' &&
    action !== 'list.entry.remove'
  )
    return undefined
  let d: Record<string, unknown>
  try {
    d = JSON.parse(detail)
  } catch {
    return undefined
  }
  if (kind === 'override') return typeof d.county === 'string' ? { county: d.county } : undefined
  return typeof d.creditCode === 'string' ? { creditCode: d.creditCode } : undefined
}

/** What a snapshot was read at: the revision it is known current at, the audit head and the Ningbo day. */
interface Basis {
  revision: number
  auditHead: number
  day: string
}

interface RunInfo {
  id: number
  year: number
  bindingFrom: string | null
  rank: string
}

interface ResultRow {
  code: string
  county: string
  class: string | null
  category: string | null
  sector: string
}

export class PricingSnapshots<C extends SnapshotClosure = SnapshotClosure> {
  private snapshot?: { value: PricingSnapshot<C>; basis: Basis }
  private building?: { basis: Basis; steps: Generator<void, PricingSnapshot<C>> }
  private demand = 0
  private demandRevision = -1
  private readonly waiting: (() => void)[] = []
  /** The last build failed (its database went away); a new demand tries again. */
  private failed = false

  constructor(
    private readonly store: Store,
    /** Every firm's verified closure, as known now (ProgrammeStore.closures). */
    private readonly closures: () => ReadonlyMap<string, C>,
    private readonly demandToBuild = SNAPSHOT_DEMAND,
  ) {}

  /**
   * The snapshot of the current revision, if built; otherwise undefined (take the database path), and `weight`
   * requests are counted towards starting a build in the background.
   */
  current(weight = 1): PricingSnapshot<C> | undefined {
    const revision = this.store.cachedRevision
    if (this.snapshot) {
      const { value, basis } = this.snapshot
      if (this.stillCurrent(basis, value)) {
        if (!value.partial) return value
        // Serving all but the firms set apart, until the build its demand starts is ready.
        this.demanded(revision, weight)
        return value
      }
      this.snapshot = undefined
    }
    this.demanded(revision, weight)
    return undefined
  }

  /** Counts `weight` requests at `revision` towards a build, and starts one when they are enough. */
  private demanded(revision: number, weight: number): void {
    if (this.demandRevision !== revision) {
      this.demandRevision = revision
      this.demand = 0
    }
    this.demand += weight
    if (this.demand >= this.demandToBuild && this.building?.basis.revision !== revision)
      this.start()
  }

  /** Builds the snapshot of the current revision now, on this thread (the CLI, tests): whole, none set apart. */
  buildNow(): PricingSnapshot<C> {
    const s = this.snapshot
    if (s && this.stillCurrent(s.basis, s.value) && !s.value.partial) return s.value
    const basis = this.basis()
    const steps = this.steps(basis.revision)
    for (;;) {
      const r = steps.next()
      if (r.done) {
        this.snapshot = { value: r.value, basis }
        return r.value
      }
    }
  }

  /** The basis of a build starting now. */
  private basis(): Basis {
    return {
      revision: this.store.cachedRevision,
      auditHead: this.store.auditHead(),
      day: this.store.today(),
    }
  }

  /**
   * Whether what was read at `basis` still holds at the current revision: the same revision, or only
   * price-neutral acts (or writes with no act) since, on the same day; for a built snapshot `built`, also acts that
   * name the firms they reach, which it sets apart. Moves `basis` on when it holds.
   */
  private stillCurrent(basis: Basis, built?: PricingSnapshot<C>): boolean {
    const revision = this.store.cachedRevision
    if (basis.revision === revision) return true
    if (this.store.today() !== basis.day) return false
    const after = this.store.auditActionsAfter(basis.auditHead, NEUTRAL_SCAN)
    if (after.length === NEUTRAL_SCAN) return false
    const reached = []
    for (const e of after) {
      if (PRICE_NEUTRAL.has(e.action)) continue
      const reach = built && reachOf(e.action, e.detail)
      if (!reach) return false
      reached.push(reach)
    }
    for (const r of reached) built!.setApart(r)
    basis.revision = revision
    if (after.length > 0) basis.auditHead = after[after.length - 1].id
    return true
  }

  /**
   * Resolves once a snapshot of the current revision is ready (a build is started if none runs); rejects when a
   * build fails (the database is gone).
   */
  ready(): Promise<PricingSnapshot<C>> {
    const now = this.current(this.demandToBuild)
    if (now) return Promise.resolve(now)
    return new Promise((resolve, reject) => {
      const check = () => {
        const s = this.current(0)
        if (s) resolve(s)
        else if (this.failed) reject(new Error('the pricing snapshot could not be built'))
        else {
          if (this.building === undefined) this.start()
          this.waiting.push(check)
        }
      }
      this.waiting.push(check)
    })
  }

  private start(): void {
    this.failed = false
    const basis = this.basis()
    this.building = { basis, steps: this.steps(basis.revision) }
    setImmediate(this.step)
  }

  private readonly step = () => {
    const b = this.building
    if (!b) return
    // A commit by another connection (a job's thread, another process) since the last step moves the revision.
    try {
      this.store.sync()
    } catch {
      this.building = undefined
      this.failed = true
      this.wake()
      return
    }
    if (!this.stillCurrent(b.basis)) {
      // The data moved under the build: it starts over at the new revision if still wanted.
      this.building = undefined
      if (this.demandRevision === this.store.cachedRevision && this.demand >= this.demandToBuild)
        this.start()
      else this.wake()
      return
    }
    try {
      const r = b.steps.next()
      if (r.done) {
        this.building = undefined
        if (this.stillCurrent(b.basis)) this.snapshot = { value: r.value, basis: b.basis }
        this.wake()
      } else setImmediate(this.step)
    } catch {
      // The database went away (a closed test store) or a read failed: no snapshot; the database path serves.
      this.building = undefined
      this.failed = true
      this.wake()
    }
  }

  private wake(): void {
    const waiting = this.waiting.splice(0)
    for (const w of waiting) w()
  }

  /** The build, one chunk of rows per step. */
  private *steps(revision: number): Generator<void, PricingSnapshot<C>> {
    const runs = this.runs()
    const codes = new CodeIndex(1 << 16)
    // Per run (in binding order): each firm's entry in that run, +1 (0: no result in it).
    const entryOf: Int32Array[] = runs.map(() => new Int32Array(1 << 16))
    const entries = runs.map(() => [] as ResultRow[])
    const categories = new Map<string, unknown>()
    for (let r = 0; r < runs.length; r++) {
      const intern = new Map<string, number>()
      let after = ''
      for (;;) {
        const rows = this.store
          .statement(
            'snapshot|results',
            () =>
              `SELECT r.credit_code AS code, r.county, r.class, r.category, r.sector FROM evaluation_results r
                WHERE r.run_id = ? AND r.credit_code > ?
                  AND EXISTS (SELECT 1 FROM enterprises e WHERE e.credit_code = r.credit_code)
                ORDER BY r.credit_code LIMIT ${CHUNK}`,
          )
          .all(runs[r].id, after) as ResultRow[]
        for (const row of rows) {
          const key = `${row.county}\u0001${row.class}\u0001${row.category}\u0001${row.sector}`
          let e = intern.get(key)
          if (e === undefined) {
            e = entries[r].length
            intern.set(key, e)
            entries[r].push(row)
          }
          const i = codes.add(row.code)
          if (i >= entryOf[r].length)
            for (let k = 0; k < runs.length; k++) entryOf[k] = grow(entryOf[k], i)
          entryOf[r][i] = e + 1
        }
        if (rows.length < CHUNK) break
        after = rows[rows.length - 1].code
        yield
      }
    }
    const profileOf = new Int32Array(codes.size)
    const profiles: HistoryProfile[] = []
    const byKey = new Map<string, number>()
    for (let i = 0; i < codes.size; i++) {
      let key = ''
      for (let r = 0; r < runs.length; r++) if (entryOf[r][i] !== 0) key += `${r}:${entryOf[r][i]},`
      let id = byKey.get(key)
      if (id === undefined) {
        id = profiles.length
        byKey.set(key, id)
        const facts: RatedFacts[] = []
        for (let r = 0; r < runs.length; r++) {
          const e = entryOf[r][i]
          if (e === 0) continue
          facts.push(factsOf(runs[r], entries[r][e - 1], categories))
        }
        profiles.push({ facts: Object.freeze(facts) })
      }
      profileOf[i] = id
    }
    return new PricingSnapshot(revision, codes, profileOf, profiles, this.closures())
  }

  /** Every run pricing may read (published or superseded), oldest year first, a year's runs in binding order. */
  private runs(): RunInfo[] {
    const rows = this.store
      .statement(
        'snapshot|runs',
        () =>
          `SELECT id, year, binding_from AS bindingFrom, published_at AS publishedAt FROM evaluation_runs
            WHERE status IN ('published', 'superseded')`,
      )
      .all() as {
      id: number
      year: number
      bindingFrom: string | null
      publishedAt: string | null
    }[]
    return rows
      .map((u) => ({
        id: u.id,
        year: u.year,
        bindingFrom: u.bindingFrom,
        rank: `${u.bindingFrom ?? `${u.year + 1}-01-01`}|${u.publishedAt ?? ''}`,
      }))
      .sort((a, b) => a.year - b.year || (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
  }
}

function grow(a: Int32Array, index: number): Int32Array {
  let size = a.length
  while (size <= index) size *= 2
  const b = new Int32Array(size)
  b.set(a)
  return b
}

/** One evaluation result as a shared history holds it: no credit code, no figures. */
function factsOf(run: RunInfo, row: ResultRow, categories: Map<string, unknown>): RatedFacts {
  let category = row.category ? categories.get(row.category) : null
  if (row.category && category === undefined) {
    category = JSON.parse(row.category)
    categories.set(row.category, category)
  }
  return Object.freeze({
    creditCode: '',
    county: row.county,
    year: run.year,
    class: row.class,
    category,
    sector: row.sector,
    figures: Object.freeze({}),
    runId: run.id,
    ...(run.bindingFrom && { bindingFrom: run.bindingFrom }),
  }) as RatedFacts
}
