/**
 * Evaluation runs: rate a year's stored population under the rules in force (a draft run), read, export, publish
 * atomically; and the published history pricing reads, cached per database revision.
 * @module app/evaluations
 */
import type { Principal, Store } from '../db/store.ts'
import { toCsv } from '../enterprise/csv.ts'
import { MujunError } from '../errors.ts'
import type { RatedFacts } from '../pricing/quote.ts'
import { emptyFrame, type PeerFrame, rate } from '../rating/rate.ts'
import type { resultToJson } from '../rating/result-json.ts'
import { HISTORY_YEARS } from '../rulebook/schema.ts'
import { actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import type { RulebookService } from './rulebooks.ts'

/** A stored result: as published (see resultToJson), with the figures it was rated on. */
export type StoredResult = ReturnType<typeof resultToJson> & {
  figures?: Record<string, number | boolean | string>
}

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

export class EvaluationService {
  private readonly frames = new Map<number, PeerFrame | null>()

  constructor(
    private readonly store: Store,
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
  ) {}

  /** Rates everyone with figures for `year` under the rules in force and stores the results as a draft run. */
  run(
    p: Principal | undefined,
    year: number,
    onProgress?: (stored: number, total: number) => void,
  ): { id: number; counts: Record<string, number> } {
    const who = authorize(p, ['bureau'])
    const { id, overrideSeq, rulebook } = this.rulebooks.active()
    const population = this.store.population(year)
    if (population.length === 0)
      throw new MujunError('NO_FIGURES', `no enterprise has figures for ${year}`, { status: 422 })
    const peers = emptyFrame()
    const results = rate(population, rulebook, year, { trusted: true, record: peers })
    return this.store.insertRun(
      year,
      { versionId: id, overrideRevision: overrideSeq },
      results,
      peers,
      actorOf(who),
      onProgress,
    )
  }

  publish(p: Principal | undefined, runId: number) {
    const who = authorize(p, ['bureau'])
    return this.store.publish(runId, actorOf(who))
  }

  list(p: Principal | undefined) {
    authorize(p, ['bureau', 'county', 'utility'])
    return this.store.listRuns()
  }

  get(p: Principal | undefined, id: number) {
    authorize(p, ['bureau', 'county', 'utility'])
    return this.store.getRun(id)
  }

  /** A page of a run's results; a county sees its own county only. */
  results(
    p: Principal | undefined,
    id: number,
    q: { county?: string; class?: string; limit: number; offset: number },
  ) {
    const who = authorize(p, ['bureau', 'county'])
    const county = who.role === 'county' ? who.scope : q.county
    this.store.getRun(id)
    return this.store.runResults(id, { ...q, county }).map((r) => r.result as StoredResult)
  }

  /** A run's results as CSV (see RESULTS_CSV_HEADER); `onProgress` is told every 1,000 rows. */
  resultsCsv(
    p: Principal | undefined,
    runId: number,
    onProgress?: (done: number, total: number) => void,
  ): { csv: string; rows: number; year: number } {
    authorize(p, ['bureau', 'utility'])
    const run = this.store.getRun(runId)
    const rows = this.store.runResults(runId)
    const lines = rows.map((r, i) => {
      const res = r.result as { name?: string; industryCode?: string }
      if ((i + 1) % 1000 === 0 || i + 1 === rows.length) onProgress?.(i + 1, rows.length)
      return [
        r.creditCode,
        res.name ?? '',
        r.county,
        res.industryCode ?? '',
        run.year,
        r.status,
        r.group ?? '',
        r.score?.toFixed(2) ?? '',
        r.rank ?? '',
        r.groupSize ?? '',
        r.initialClass ?? '',
        r.class ?? '',
        r.category ?? '',
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
    // firms: more than the revision cache keeps in one entry), the last few runs only.
    let frame = this.frames.get(run.id)
    if (frame === undefined) {
      frame = this.store.peerFrame(run.id) ?? null
      this.frames.set(run.id, frame)
      if (this.frames.size > 4) this.frames.delete(this.frames.keys().next().value!)
    }
    if (!frame)
      throw new MujunError(
        'NO_PEER_STATISTICS',
        `evaluation ${run.id} of ${year} was made before peer statistics were stored; run and publish ${year} again`,
        { status: 409 },
      )
    const own = code ? this.store.runResult(run.id, code) : undefined
    if (own?.status !== 'rated' || own.score === null || own.group === null) return frame
    const sector = (own.result as { sector?: string }).sector ?? ''
    return { ...frame, own: { county: own.county, sector, group: own.group, score: own.score } }
  }

  /**
   * Published results of one enterprise for the evaluation years up to `lastYear`, as the pricing core needs
   * them: HISTORY_YEARS of them, enough for any consecutive-year rule (the schema caps those at that many).
   * Tier lookups and quotes read the same span, so their reasons agree. The array is frozen: pricing memoises each
   * firm's tariff by the identity of its history.
   */
  history(code: string, lastYear: number): readonly RatedFacts[] {
    return this.cache.get(
      `history|${code}|${lastYear}`,
      () => {
        const runIds = Array.from({ length: HISTORY_YEARS }, (_, i) => lastYear - i)
          .map((y) => this.publishedRun(y)?.id)
          .filter((x): x is number => x !== undefined)
        return Object.freeze(this.store.ratedFacts(code, runIds))
      },
      (h) => 200 + h.length * 600,
    )
  }
}
