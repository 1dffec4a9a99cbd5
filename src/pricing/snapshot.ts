/**
 * A pricing snapshot: what a tier or a bill needs of every firm at one database revision, in compact form. Firms
 * are numbered by a CodeIndex; each firm's published history is one number, the id of a history profile shared by
 * every firm with the same results (county, class, category, sector, run and binding day of each evaluation year),
 * so a million firms are a few typed arrays and some thousands of shared profiles, and the tariff of a profile
 * (see tariffOf, memoised by the identity of the history) is built once for all of its firms. Closures are kept
 * per firm (few firms close). Figures are not held: a quote whose schedules read the firm's own figures (quota,
 * intensity) is not for the snapshot (see figureFree). Pure: built from data by its maker (app/pricing-snapshot).
 * @module pricing/snapshot
 */
import type { Rulebook } from '../rulebook/compile.ts'
import { resolve, ruleBoundaries } from '../rulebook/resolve.ts'
import { HISTORY_YEARS, type Resource } from '../rulebook/schema.ts'
import { kindOf } from '../rulebook/tariff-kinds/index.ts'
import { CodeIndex } from './code-index.ts'
import type { QuoteOptions, RatedFacts } from './facts.ts'
import { type TariffInterval, tariffOf } from './tariff.ts'

/** A closure under the programme as pricing reads it: from `on` nothing is charged. */
export interface SnapshotClosure {
  on: string
  dispositionId: number
  projectId: number
}

/** Firms sharing one published history, apart from their credit code and figures. */
export interface HistoryProfile {
  /** Oldest first, a year's runs in the order they bind (as the store reads a history). */
  facts: readonly RatedFacts[]
}

export class PricingSnapshot<C extends SnapshotClosure = SnapshotClosure> {
  /** Per profile, the histories of each span of evaluation years (lastYear → the frozen span), made on first use. */
  private readonly spans: Map<number, readonly RatedFacts[]>[]
  /** Per rulebook and shared history: whether the schedules of a resource over some years read no figures. */
  private readonly free = new WeakMap<
    Rulebook,
    WeakMap<readonly RatedFacts[], Map<string, boolean>>
  >()

  /** Per shared history: values made once per key (quote templates; see memo). */
  private readonly memos = new WeakMap<readonly RatedFacts[], Map<string, unknown>>()

  /**
   * Counties and firms set apart by acts recorded after the build (an override's step, a closure): the snapshot
   * holds nothing of them any more (historyOf answers undefined), and the database path answers them.
   */
  private readonly apartCounties = new Set<string>()
  private readonly apartCodes = new Set<string>()

  constructor(
    /** The database revision (Store.cachedRevision) it was built from. */
    readonly revision: number,
    readonly codes: CodeIndex,
    /** Per firm (CodeIndex number): its profile, or -1 when it has no published or superseded result. */
    readonly profileOf: Int32Array,
    readonly profiles: readonly HistoryProfile[],
    readonly closures: ReadonlyMap<string, C>,
  ) {
    this.spans = profiles.map(() => new Map())
  }

  /** Firms held. */
  get firms(): number {
    return this.codes.size
  }

  /** Whether some firms are set apart (see setApart): a newer snapshot is wanted. */
  get partial(): boolean {
    return this.apartCounties.size + this.apartCodes.size > 0
  }

  /** Sets the firms of a county, or one firm, apart: from now on the snapshot answers nothing of them. */
  setApart(reach: { county: string } | { creditCode: string }): void {
    if ('county' in reach) this.apartCounties.add(reach.county)
    else this.apartCodes.add(reach.creditCode)
  }

  /**
   * The published history of `code` for the evaluation years up to `lastYear` (HISTORY_YEARS of them), as
   * EvaluationService.history reads it but shared by every firm of its profile: `creditCode` is empty and
   * `figures` is empty. Undefined when the firm is not held or has no result in the span.
   */
  historyOf(code: string, lastYear: number): readonly RatedFacts[] | undefined {
    const i = this.codes.get(code)
    if (i < 0) return undefined
    const profile = this.profileOf[i]
    if (profile < 0) return undefined
    if (this.partial && this.isApart(code, profile)) return undefined
    const spans = this.spans[profile]
    let span = spans.get(lastYear)
    if (!span) {
      span = Object.freeze(
        this.profiles[profile].facts.filter(
          (h) => h.year <= lastYear && h.year > lastYear - HISTORY_YEARS,
        ),
      )
      spans.set(lastYear, span)
    }
    return span.length > 0 ? span : undefined
  }

  private isApart(code: string, profile: number): boolean {
    if (this.apartCodes.has(code)) return true
    // A profile's firms share their county (facts of every year carry it; a firm that moved is another profile).
    return this.profiles[profile].facts.some((f) => this.apartCounties.has(f.county))
  }

  /** The firm's verified closure, if any. */
  closureOf(code: string): C | undefined {
    return this.closures.get(code)
  }

  /**
   * The tariff intervals of `code` for `resource` in calendar year `year` (for a billing month: the year it falls
   * in), shared with every firm of its profile; undefined when the firm is not held, has no history for the year,
   * or its schedules read its own figures (then ask the database path).
   */
  tariffOf(
    code: string,
    rulebook: Rulebook,
    resource: string,
    year: number,
    options: QuoteOptions = {},
  ): TariffInterval[] | undefined {
    const history = this.historyOf(code, year - 1)
    if (!history || !this.figureFree(rulebook, history, resource, year, year)) return
    return tariffOf(history, rulebook, resource as Resource, year, options)
  }

  /**
   * Whether no surcharge schedule of `resource` in force for the history's county on any day of the calendar years
   * `fromYear`…`toYear`, for any sector of the history, reads the firm's own figures: then a profile's history
   * prices every firm of it exactly.
   */
  figureFree(
    rulebook: Rulebook,
    history: readonly RatedFacts[],
    resource: string,
    fromYear: number,
    toYear: number,
  ): boolean {
    if (!Number.isInteger(fromYear) || !Number.isInteger(toYear) || toYear - fromYear > 6)
      return false
    // An unknown resource prices nothing from figures (the quote refuses it, on either path).
    if (!rulebook.meta.resources.some((r) => r.id === resource)) return true
    let byHistory = this.free.get(rulebook)
    if (!byHistory) {
      byHistory = new WeakMap()
      this.free.set(rulebook, byHistory)
    }
    let memo = byHistory.get(history)
    if (!memo) {
      memo = new Map()
      byHistory.set(history, memo)
    }
    const key = `${resource}|${fromYear}|${toYear}`
    let free = memo.get(key)
    if (free === undefined) {
      const county = history[0].county
      const sectors = [...new Set(history.map((h) => h.sector))]
      free = true
      for (let y = fromYear; y <= toYear && free; y++)
        free = yearFigureFree(rulebook, county, resource, y, sectors)
      // Keys come from requests (any years): the memo stays small.
      if (memo.size >= 256) memo.clear()
      memo.set(key, free)
    }
    return free
  }

  /**
   * The value of `key` for a shared history (from historyOf), made once by `make`. Keys come from requests (any
   * periods): past 64 a history starts over, so the memo stays small.
   */
  memo<T>(history: readonly RatedFacts[], key: string, make: () => T): T {
    let m = this.memos.get(history)
    if (!m) {
      m = new Map()
      this.memos.set(history, m)
    }
    const hit = m.get(key)
    if (hit !== undefined || m.has(key)) return hit as T
    const value = make()
    if (m.size >= 64) m.clear()
    m.set(key, value)
    return value
  }

  /** Bytes held in typed arrays (the code index and the profile numbers); profiles and closures are few. */
  byteLength(): number {
    return this.codes.byteLength() + this.profileOf.byteLength
  }
}

function yearFigureFree(
  rulebook: Rulebook,
  county: string,
  resource: string,
  y: number,
  sectors: readonly string[],
): boolean {
  const days = [`${y}-01-01`, ...ruleBoundaries(rulebook, county, `${y}-01-01`, `${y + 1}-01-01`)]
  for (const day of days)
    for (const s of resolve(rulebook, county, day).sections.surcharges)
      if (
        s.resource === resource &&
        kindOf(s).ownFigures &&
        (!s.sectors || sectors.some((x) => s.sectors!.includes(x as never)))
      )
        return false
  return true
}

export { CodeIndex }
