/**
 * The self-check page's use case: an enterprise (or anyone, anonymously) rates figures of its own against the
 * published peers of a year, sees which class a change would reach and what a month of electricity would cost;
 * a logged-in enterprise starts from its stored figures and sees its results under public notice.
 * @module app/self-check
 */
import type { Store } from '../db/store.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { type MeasuresAnswer, measuresFor } from '../pricing/measures.ts'
import { quote } from '../pricing/quote.ts'
import type { Principal } from '../principal.ts'
import type { PeerFrame, RatingResult } from '../rating/rate.ts'
import { classMoves, selfCheck } from '../rating/self-check.ts'
import { countiesOn } from '../rulebook/schema.ts'
import type { EvaluationService } from './evaluations.ts'
import { ownCreditCode } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

export class SelfCheckService {
  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
    private readonly evaluations: EvaluationService,
  ) {}

  /** Today's date in Ningbo. */
  today(): string {
    return this.store.today()
  }

  /** The counties a firm can be in today (a merged or renamed county is no choice). */
  counties() {
    return countiesOn(this.rulebooks.active().rulebook.meta.counties, this.store.today())
  }

  /** The years with a published evaluation, newest first. */
  publishedYears(): number[] {
    const years = this.store
      .listRuns()
      .filter((r) => r.status === 'published')
      .map((r) => r.year)
    return [...new Set(years)].sort((a, b) => b - a)
  }

  /** What an enterprise principal has stored for `year` (its register entry and figures); else undefined. */
  stored(p: Principal | undefined, year: number) {
    const own = ownCreditCode(p)
    if (own === undefined) return undefined
    try {
      const e = this.store.getEnterprise(own)
      const figures = this.store.getFigures(own, year).data
      return { county: e.county, industryCode: e.industryCode, figures }
    } catch {
      // No stored figures for that year: an empty form.
      return undefined
    }
  }

  /** An enterprise principal's provisional results under public notice, with its objections to each. */
  notices(p: Principal | undefined) {
    const own = ownCreditCode(p)
    if (own === undefined) return []
    return this.store
      .listRuns()
      .filter((r) => r.status === 'notice')
      .flatMap((run) => {
        const row = this.store.runResult(run.id, own)
        if (!row) return []
        const objections = this.store.listObjections({ runId: run.id, creditCode: own })
        return [{ run, row, objections }]
      })
  }

  /**
   * The stored peer statistics of `year`'s published evaluation (NO_PUBLISHED_RUN when there is none). A logged-in
   * enterprise's own published score gives way to the figures it checks; anyone else's figures join the group.
   */
  peers(p: Principal | undefined, year: number): PeerFrame {
    return this.evaluations.peersFor(p, year)
  }

  /** The evaluation year of each of the runs `ids` (an objection names its run; its receipt says the year). */
  runsYears(ids: number[]): [number, number][] {
    const wanted = new Set(ids)
    return this.store
      .listRuns()
      .filter((r) => wanted.has(r.id))
      .map((r) => [r.id, r.year])
  }

  /**
   * An enterprise principal's latest published result (newest published year in which it was rated), in full as
   * stored, with its run; undefined for anyone else or a firm never published.
   */
  published(p: Principal | undefined) {
    const own = ownCreditCode(p)
    if (own === undefined) return undefined
    for (const year of this.publishedYears()) {
      const run = this.store.publishedRun(year)
      const row = run && this.store.runResult(run.id, own)
      if (!run || !row) continue
      const full = this.store.getRun(run.id)
      return { run: full, result: this.evaluations.stored(full, row) }
    }
    return undefined
  }

  /**
   * `candidate` rated against `peers` as if in `year`'s evaluation, the class moves a change of one figure would
   * make, and the surcharge of a month of the following year for each resource given a monthly quantity > 0 (a
   * bare number is a month of electricity, kWh), and the measures beyond price the class would bring today (or
   * on the day it would first bind).
   */
  rate(
    peers: PeerFrame,
    year: number,
    candidate: Enterprise,
    monthly: number | Record<string, number>,
  ): {
    result: RatingResult
    moves: ReturnType<typeof classMoves>
    monthlyCost?: string
    monthlyCosts: { resource: string; quantity: number; total: string }[]
    measures: MeasuresAnswer
  } {
    const { rulebook } = this.rulebooks.active()
    const result = selfCheck(peers, rulebook, year, candidate)
    const moves = classMoves(peers, rulebook, year, candidate, result)
    const perResource = typeof monthly === 'number' ? { electricity: monthly } : monthly
    const monthlyCosts = rulebook.meta.resources
      .filter((r) => (perResource[r.id] ?? 0) > 0)
      .map((r) => {
        const quantity = perResource[r.id]
        const q = quote([result], rulebook, {
          resource: r.id,
          from: `${year + 1}-01-01`,
          to: `${year + 1}-02-01`,
          quantity,
        })
        return { resource: r.id, quantity, total: q.total }
      })
    const electricity = monthlyCosts.find((c) => c.resource === 'electricity')
    const binds = `${year + 1}-01-01`
    const today = this.store.today()
    const measures = measuresFor(
      rulebook,
      { class: result.class, sector: result.sector, county: candidate.county },
      today > binds ? today : binds,
    )
    return {
      result,
      moves,
      monthlyCosts,
      measures,
      ...(electricity && { monthlyCost: electricity.total }),
    }
  }
}
