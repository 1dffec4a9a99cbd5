/**
 * Evaluation runs: rate a year's stored population under the rules in force (a draft run), read, export, publish
 * atomically; and the published history pricing reads, cached per database revision.
 * @module app/evaluations
 */
import { addDays } from '../dates.ts'
import type { Store } from '../db/store.ts'
import { toCsv } from '../enterprise/csv.ts'
import { AuthError, MujunError } from '../errors.ts'
import type { RatedFacts } from '../pricing/quote.ts'
import type { Principal } from '../principal.ts'
import { emptyFrame, type PeerFrame, type RatingResult, rate } from '../rating/rate.ts'
import { resultToJson } from '../rating/result-json.ts'
import { HISTORY_YEARS } from '../rulebook/schema.ts'
import { actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import { actDigest, type Correction, checkReach } from './correction.ts'
import {
  bindingFromOf,
  decideObjection,
  fileObjection,
  previousYearStats,
  publicationAct,
  publishRun,
  putToNotice,
} from './evaluation-rules.ts'
import { can, inScope, ownCounty, ownCreditCode } from './permissions.ts'
import { ratedWith } from './plot-tenants.ts'
import type { RulebookService } from './rulebooks.ts'
import { runMethods } from './run-method.ts'

/**
 * A stored result with its full trace (see resultToJson), the figures it was rated on, and the re-grade on review
 * that changed its class, if any.
 */
export type StoredResult = ReturnType<typeof resultToJson> & {
  figures?: Record<string, number | boolean | string>
  regrade?: { objection: number; from: string | null; to: string | null; reason: string }
}

/** How the figures of a run's year were composed from the departments' submissions (see app/intake settle). */
export interface IntakeSummary {
  firms: number
  confirmed: number
  deemed: number
  disputed: number
  written: number
  unchanged: number
}

type ResultRow = NonNullable<ReturnType<Store['runResult']>>
type RunRow = ReturnType<Store['getRun']>

/** One CSV of a run's results for every export (API and CLI): UTF-8 with BOM, formula-safe cells. */
export const RESULTS_CSV_HEADER = [
  'credit_code',
  'name',
  'county_code',
  'industry_code',
  'evaluation_year',
  'status',
  'group',
  'score',
  'rank',
  'group_size',
  'initial_class',
  'class',
  'category',
]

const historyBytes = (h: readonly RatedFacts[]) => 200 + h.length * 600
/** The cache key of a firm's published history (read by `history`, filled ahead by `prefetchHistories`). */
const historyKey = (code: string, lastYear: number, knownAt?: string) =>
  `history|${code}|${lastYear}|${knownAt ?? ''}`

/**
 * A rated stored result as its run's peer frame knows it (PeerFrame.own), with its published rank when a trace is
 * recomputed; undefined for a firm that was not rated.
 */
function ownOf(row: ResultRow, keepRank: boolean): PeerFrame['own'] {
  if (row.status !== 'rated' || row.score === null || row.group === null) return undefined
  return {
    county: row.county,
    sector: row.sector,
    group: row.group,
    score: row.score,
    ...(keepRank && row.rank !== null && { rank: row.rank }),
  }
}

/** Whether `d` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(d: string): boolean {
  const ms = Date.parse(`${d}T00:00:00Z`)
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(d) &&
    !Number.isNaN(ms) &&
    new Date(ms).toISOString().slice(0, 10) === d
  )
}

export class EvaluationService {
  private readonly frames = new Map<number, PeerFrame | null>()

  constructor(
    private readonly store: Store,
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
    /**
     * Composes the figures of a year from the departments' submissions before it is rated (see app/intake):
     * undefined when none were submitted.
     */
    private readonly settle?: (year: number, actor: string) => IntakeSummary | undefined,
  ) {}

  /**
   * Rates everyone with figures for `year` under the rules in force and stores the results as a draft run. Where
   * the departments submitted the year's figures, they are composed first (confirmed, deemed confirmed, or
   * disputed and rated as published until resolved), and the run says how many of each it rated.
   */
  run(
    p: Principal | undefined,
    year: number,
    onProgress?: (stored: number, total: number) => void,
    /** Told when the population has been read and when it has been rated (the benchmark times each phase). */
    onPhase?: (phase: 'read' | 'rated', firms: number) => void,
  ): { id: number; counts: Record<string, number>; intake?: IntakeSummary } {
    const who = authorize(p, 'evaluation.run')
    const intake = this.settle?.(year, actorOf(who))
    const { id, overrideSeq, rulebook } = this.rulebooks.active()
    const population = this.store.population(year)
    if (population.length === 0)
      throw new MujunError('NO_FIGURES', `no enterprise has figures for ${year}`, { status: 422 })
    onPhase?.('read', population.length)
    const peers = emptyFrame()
    const results = rate(population, rulebook, year, {
      trusted: true,
      record: peers,
      previous: previousYearStats(this.store, year),
    })
    onPhase?.('rated', results.length)
    const run = this.store.insertRun(
      year,
      { versionId: id, overrideRevision: overrideSeq },
      results,
      peers,
      actorOf(who),
      onProgress,
    )
    return intake ? { ...run, intake } : run
  }

  /** Puts a draft run to public notice for the rulebook's notice period, from today. */
  notice(p: Principal | undefined, runId: number) {
    const who = authorize(p, 'evaluation.publish')
    const days = this.rulebooks.active().rulebook.meta.publication.noticeDays
    return putToNotice(this.store, runId, this.store.today(), days, actorOf(who))
  }

  /**
   * The final publication of a run after its notice; or, for a draft, the record of a publication made outside
   * mujun on a past date (`historic`). Recording one changes answers for days before today, so it is a correction:
   * its reason, its document (the publication's 文号) and the digest of its preview (see publicationAct).
   */
  publish(
    p: Principal | undefined,
    runId: number,
    historic?: { publishedOn: string; reason?: string; correction?: Correction },
  ) {
    const who = authorize(p, 'evaluation.publish')
    const today = this.store.today()
    let correction: ReturnType<typeof checkReach>
    if (historic) {
      // The CLI passes these as typed: the same checks as the API's schema.
      const d = historic.publishedOn
      if (!isCalendarDate(d))
        throw new MujunError(
          'VALIDATION_FAILED',
          `publishedOn '${d}' is not a calendar date (YYYY-MM-DD)`,
          {
            status: 422,
          },
        )
      const run = this.store.getRun(runId)
      correction = checkReach(
        this.store,
        'PUBLICATION_RETROACTIVE',
        `recording evaluation ${runId} of ${run.year} as published on ${d} (a run made in mujun goes through notice; a publication made outside it is recorded as a correction)`,
        {
          firstDay: [d, today].sort()[0],
          items: [
            {
              evaluation: runId,
              year: run.year,
              publishedOn: d,
              bindingFrom: bindingFromOf(run.year, d),
            },
          ],
        },
        // Recorded after the fact, it reaches back however late its classes bind.
        d < today ? today : addDays(d, 1),
        publicationAct(runId, d),
        historic.correction,
      )
    }
    return publishRun(
      this.store,
      runId,
      today,
      actorOf(who),
      historic && correction && { publishedOn: historic.publishedOn, correction },
    )
  }

  /**
   * Records a publication made outside mujun for loading past results (the demo, a benchmark, a migration from
   * paper): `publish` as a correction whose preview digest is taken here, since no person reviews the preview.
   * Never reached from HTTP: a person records one through the preview and `publish`.
   */
  recordPastPublication(
    p: Principal | undefined,
    runId: number,
    publishedOn: string,
    reason: string,
    document: string,
  ) {
    return this.publish(p, runId, {
      publishedOn,
      correction: {
        reason,
        document,
        preview: actDigest(this.store, publicationAct(runId, publishedOn)),
      },
    })
  }

  /** The run of `year` in notice, if any (read by every tier answer: one query, cached per revision). */
  inNotice(year: number) {
    return (
      this.cache.get(
        `notice|${year}`,
        () => this.store.noticeRun(year) ?? null,
        () => 64,
      ) ?? undefined
    )
  }

  /** An enterprise's provisional result in the run of `year` under notice, with the notice dates. */
  provisional(p: Principal | undefined, code: string, year: number) {
    authorize(p, 'provisional.read', { creditCode: code })
    const run = this.inNotice(year)
    if (!run)
      throw new MujunError('NO_NOTICE', `no evaluation of ${year} is in public notice`, {
        status: 404,
      })
    const row = this.store.runResult(run.id, code)
    // A county is told the same for a firm of another county as for a code with no result: nothing of others.
    const county = ownCounty(p)
    if (county !== undefined && row?.county !== county)
      throw new AuthError(403, `county ${county} has no provisional result for ${code}`)
    if (!row)
      throw new MujunError('NOT_FOUND', `${code} has no result in evaluation ${run.id}`, {
        status: 404,
      })
    const { figures: _, ...result } = this.stored(this.store.getRun(run.id), row)
    return {
      evaluationId: run.id,
      status: 'notice' as const,
      noticeFrom: run.noticeFrom!,
      noticeTo: run.noticeTo!,
      result: result as StoredResult,
      objections: this.store.listObjections({ runId: run.id, creditCode: code }),
    }
  }

  /** An enterprise objects to its provisional result (its own token, or the bureau on its behalf). */
  object(
    p: Principal | undefined,
    runId: number,
    body: { creditCode: string; reason: string; evidence: string },
  ) {
    const who = authorize(p, 'objection.file', { creditCode: body.creditCode })
    // The page posts plain form fields: the same bounds as the API's schema, checked here for both.
    if (
      body.reason.length < 5 ||
      body.reason.length > 4000 ||
      !body.evidence ||
      body.evidence.length > 4000
    )
      throw new MujunError(
        'VALIDATION_FAILED',
        'an objection needs a reason (5 to 4,000 characters) and its evidence (up to 4,000)',
        { status: 422 },
      )
    return fileObjection(this.store, runId, body, this.store.today(), actorOf(who))
  }

  /** Objections: the bureau sees all, a county its own county's, an enterprise its own. */
  objections(p: Principal | undefined, filter: { runId?: number }) {
    const who = authorize(p, 'objection.read')
    return this.store.listObjections({
      ...filter,
      county: ownCounty(who),
      creditCode: ownCreditCode(who),
    })
  }

  /** The bureau's review: uphold with the class the firm gets, or reject; with the reason. */
  decide(
    p: Principal | undefined,
    id: number,
    d: { upheld: boolean; class?: string; reason: string },
  ) {
    const who = authorize(p, 'objection.decide')
    const classes = this.rulebooks.active().rulebook.meta.classes.map((c) => c.id)
    if (d.upheld && (!d.class || !classes.includes(d.class)))
      throw new MujunError(
        'VALIDATION_FAILED',
        `an upheld objection gives the class the firm gets: one of ${classes.join(', ')}`,
        { status: 422 },
      )
    return decideObjection(this.store, id, d, actorOf(who))
  }

  list(p: Principal | undefined) {
    authorize(p, 'evaluation.read')
    return this.store.listRuns()
  }

  get(p: Principal | undefined, id: number) {
    authorize(p, 'evaluation.read')
    return this.store.getRun(id)
  }

  /** A page of a run's results; a county sees its own county only. */
  results(
    p: Principal | undefined,
    id: number,
    q: { county?: string; class?: string; limit: number; offset: number },
  ) {
    const who = authorize(p, 'results.read')
    const county = ownCounty(who) ?? q.county
    const run = this.store.getRun(id)
    // The run's upheld objections read once for the page, not once a row.
    const upheld = this.upheld(id)
    return this.store.runResults(id, { ...q, county }).map((r) => this.stored(run, r, upheld))
  }

  /** The upheld objections of a run (of one firm, when given), by credit code: its re-grades on review. */
  private upheld(runId: number, creditCode?: string) {
    return new Map(
      this.store
        .listObjections({ runId, creditCode })
        .filter((o) => o.status === 'upheld')
        .map((o) => [o.creditCode, o]),
    )
  }

  /**
   * A stored result in full. A compact row's trace is recomputed: its figures at the version it rated, its identity
   * as rated, under the run's rules (city version and override revision) against the run's peer statistics, its
   * published rank kept. The recomputation must give the stored score, class and points, or it is refused: a
   * trace that cannot be reproduced is never shown as the record. Rows stored before results were compact keep
   * their full stored result.
   */
  stored(run: RunRow, row: ResultRow, upheld = this.upheld(run.id, row.creditCode)): StoredResult {
    const regrade = upheld.get(row.creditCode)
    const withRegrade = (r: StoredResult): StoredResult =>
      regrade
        ? {
            ...r,
            class: row.class,
            regrade: {
              objection: regrade.id,
              from: regrade.classBefore,
              to: regrade.classAfter,
              reason: regrade.decision ?? '',
            },
          }
        : r
    if (row.legacy) return withRegrade(row.legacy as StoredResult)
    const r = this.recompute(run, row)
    return withRegrade({ ...resultToJson(r), figures: r.figures as StoredResult['figures'] })
  }

  /** The rating of one stored result recomputed as its run made it (see `stored`). */
  recompute(run: RunRow, row: ResultRow): RatingResult {
    const fail = (what: string) =>
      new MujunError(
        'TRACE_NOT_REPRODUCED',
        `the trace of ${row.creditCode} in evaluation ${run.id} cannot be recomputed: ${what}`,
        { status: 500 },
      )
    if (row.figuresVersion === null || run.overrideRevision === null)
      throw fail('the row records no figures version')
    const figures = this.store.figuresAt(row.creditCode, run.year, row.figuresVersion)
    if (!figures) throw fail(`version ${row.figuresVersion} of its ${run.year} figures is missing`)
    const rulebook = this.rulebooks.ofRun(run.rulebookVersionId, run.overrideRevision)
    const frame = this.frameOf(run.id)
    if (!frame) throw fail('the run has no stored peer statistics')
    const firm = {
      creditCode: row.creditCode,
      name: row.name,
      county: row.county,
      industryCode: row.industryCode,
      figures,
      figuresVersion: row.figuresVersion,
    }
    // A tenant of a shared plot is rated again with the plot's other tenants, as the run rated it.
    const { population, unitRow } = ratedWith(this.store, rulebook, run, row, firm)
    const own = ownOf(unitRow, true)
    const r = rate(population, rulebook, run.year, {
      trusted: true,
      against: { ...frame, own },
    }).find((x) => x.creditCode === row.creditCode)!
    const points = r.points()
    const stored = row.points
      ? new Float64Array(new Uint8Array(row.points).buffer)
      : new Float64Array(0)
    const same =
      r.status === row.status &&
      r.group === row.group &&
      r.score === row.score &&
      r.rank === row.rank &&
      r.initialClass === row.initialClass &&
      points.length === stored.length &&
      points.every((x, i) => x === stored[i])
    if (!same) throw fail('the recomputed score or points differ from the stored ones')
    return r
  }

  /** A run's stored peer statistics, kept by run id (they never change), the last few runs only. */
  private frameOf(runId: number): PeerFrame | null {
    let frame = this.frames.get(runId)
    if (frame === undefined) {
      frame = this.store.peerFrame(runId) ?? null
      this.frames.set(runId, frame)
      if (this.frames.size > 4) this.frames.delete(this.frames.keys().next().value!)
    }
    return frame
  }

  /**
   * A run's results as a list (the notice list 公示名单): each firm's identity, class, score and rank, without the
   * trace (no recomputation), in credit-code order; a county sees its own county only.
   */
  listing(p: Principal | undefined, runId: number) {
    const who = authorize(p, 'results.read')
    const method = runMethods(this.rulebooks, this.store.getRun(runId))
    return this.store.runResults(runId, { county: ownCounty(who) }).map((r) => ({
      creditCode: r.creditCode,
      name: r.name,
      county: r.county,
      status: r.status,
      class: r.class,
      score: r.score,
      rank: r.rank,
      groupSize: r.groupSize,
      method: r.status === 'rated' ? method(r.county) : undefined,
    }))
  }

  /** A run's results as CSV (see RESULTS_CSV_HEADER); `onProgress` is told every 1,000 rows. */
  resultsCsv(
    p: Principal | undefined,
    runId: number,
    onProgress?: (done: number, total: number) => void,
  ): { csv: string; rows: number; year: number } {
    authorize(p, 'results.csv')
    const run = this.store.getRun(runId)
    const rows = this.store.runResults(runId)
    const lines = rows.map((r, i) => {
      if ((i + 1) % 1000 === 0 || i + 1 === rows.length) onProgress?.(i + 1, rows.length)
      return [
        r.creditCode,
        r.name,
        r.county,
        r.industryCode,
        run.year,
        r.status,
        r.group ?? '',
        r.score?.toFixed(2) ?? '',
        r.rank ?? '',
        r.groupSize ?? '',
        r.initialClass ?? '',
        r.class ?? '',
        r.category?.category ?? '',
      ]
    })
    return { csv: toCsv(RESULTS_CSV_HEADER, lines), rows: rows.length, year: run.year }
  }

  /** The published run of an evaluation year, if any. */
  publishedRun(year: number): { id: number } | undefined {
    return (
      this.cache.get(
        `published|${year}`,
        () => this.store.publishedRun(year) ?? null,
        () => 16,
      ) ?? undefined
    )
  }

  /**
   * The peer statistics of the published run of `year` that a self-check is rated against, with `code`'s own
   * published score to leave out of its rank group. Self-checks need no login, so they must never re-rate a
   * population: a run made before statistics were stored is refused, not re-rated.
   */
  publishedPeers(year: number, code?: string): PeerFrame {
    const run = this.publishedRun(year)
    if (!run)
      throw new MujunError('NO_PUBLISHED_RUN', `no evaluation of ${year} is published`, {
        status: 422,
      })
    // A run's statistics never change once stored, so they are kept by run id across revisions (8 MB at a million
    // firms: more than the revision cache keeps in one entry).
    const frame = this.frameOf(run.id)
    if (!frame)
      throw new MujunError(
        'NO_PEER_STATISTICS',
        `evaluation ${run.id} of ${year} was made before peer statistics were stored; run and publish ${year} again`,
        { status: 409 },
      )
    const row = code ? this.store.runResult(run.id, code) : undefined
    const own = row && ownOf(row, false)
    return own ? { ...frame, own } : frame
  }

  /**
   * The peers a self-check by `p` is rated against. A firm's published score is left out of its group (the figures
   * checked stand in for it) only where `p` may read that result: an enterprise's own firm, named by its token or
   * session whatever the request says, or for a role that reads results, `code` within its scope. Otherwise the
   * figures are a firm added to the group, which removes no one: no score can be found by bisecting the rank.
   */
  peersFor(p: Principal | undefined, year: number, code?: string): PeerFrame {
    const own = ownCreditCode(p)
    if (own !== undefined) return this.publishedPeers(year, own)
    if (code === undefined || !can(p, 'results.read')) return this.publishedPeers(year)
    const frame = this.publishedPeers(year, code)
    return frame.own && inScope(p, { county: frame.own.county })
      ? frame
      : { ...frame, own: undefined }
  }

  /**
   * Published results of one enterprise for the evaluation years up to `lastYear`, as the pricing core needs
   * them: HISTORY_YEARS of them, enough for any consecutive-year rule (the schema caps those at that many).
   * Tier lookups and quotes read the same span, so their reasons agree. The array is frozen: pricing memoises each
   * firm's tariff by the identity of its history.
   */
  history(code: string, lastYear: number, knownAt?: string): readonly RatedFacts[] {
    return this.cache.get(
      historyKey(code, lastYear, knownAt),
      () => Object.freeze(this.store.ratedFacts(code, this.historyRuns(lastYear, knownAt))),
      historyBytes,
    )
  }

  /**
   * Reads the histories of many enterprises up to `lastYear` in one statement and keeps each in the cache, as
   * `history` would have made it (a billing run prefetches a chunk of firms; each quote then hits).
   */
  prefetchHistories(codes: string[], lastYear: number, knownAt?: string): void {
    const revision = this.store.cachedRevision
    const runIds = this.historyRuns(lastYear, knownAt)
    const facts = this.store.ratedFactsOf(codes, runIds)
    for (const code of codes)
      this.cache.put(
        historyKey(code, lastYear, knownAt),
        Object.freeze(facts.get(code) ?? []),
        revision,
        historyBytes,
      )
  }

  /**
   * The runs of the HISTORY_YEARS evaluation years up to `lastYear` that pricing reads: the published ones and
   * those they superseded (each binds until its successor's day), as known at `knownAt` (default now).
   */
  historyRuns(lastYear: number, knownAt?: string): number[] {
    return this.cache.get(
      `boundRuns|${lastYear}|${knownAt ?? ''}`,
      () =>
        this.store.boundRuns(
          Array.from({ length: HISTORY_YEARS }, (_, i) => lastYear - i),
          knownAt,
        ),
      (ids) => 64 + ids.length * 8,
    )
  }
}
