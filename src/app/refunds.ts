/**
 * Yearly refund runs (返还奖励): the surcharges collected in a payment year Y, part returned to the firms the
 * evaluation of Y (published in Y+1) moved up a class, by the rulebook's `refunds` items (pricing/refund). Like an
 * evaluation a run is made (draft), put to notice (公示) for the rulebook's notice period, then published, each step
 * audited; a published run's refunds count as returned in the ledger from its publication day.
 * @module app/refunds
 */
import { addDays } from '../dates.ts'
import type { MoneyStore, RefundRunRow } from '../db/money-store.ts'
import type { Store } from '../db/store.ts'
import { ConflictError, MujunError } from '../errors.ts'
import { computeRefunds } from '../pricing/refund.ts'
import type { Principal } from '../principal.ts'
import { actorOf, authorize } from './authorize.ts'
import { fenOf, yuanOfFen } from './collections.ts'
import type { EvaluationService } from './evaluations.ts'
import { ownCounty } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

/** A run as the API shows it. */
export const runView = (r: RefundRunRow) => ({
  id: r.id,
  year: r.year,
  status: r.status,
  rulebookVersionId: r.rulebookVersionId,
  evaluationBefore: r.evaluationBefore,
  evaluationAfter: r.evaluationAfter,
  paid: r.paid,
  total: r.total,
  summary: r.summary,
  noticeFrom: r.noticeFrom,
  noticeTo: r.noticeTo,
  publishedOn: r.publishedOn,
  publishedAt: r.publishedAt,
  publishedBy: r.publishedBy,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
})

export class RefundService {
  constructor(
    private readonly store: Store,
    private readonly money: MoneyStore,
    private readonly rulebooks: RulebookService,
    private readonly evaluations: EvaluationService,
  ) {}

  /**
   * Computes the refund of payment year `year` as a draft run: what each firm paid in `year` (reported
   * collections), its class in the published evaluations of `year`−1 and `year`, under the rules in force now.
   * Refused before `year` is over, before the evaluation of `year` is published, and once a run of `year` is.
   */
  run(p: Principal | undefined, year: number, onProgress?: (done: number, total: number) => void) {
    const who = authorize(p, 'refunds.run')
    const today = this.store.today()
    if (today < `${year + 1}-01-01`)
      throw new MujunError(
        'YEAR_NOT_OVER',
        `${year} is not over (today is ${today}): its refund is computed once what was paid in it is known`,
        { status: 422 },
      )
    const after = this.evaluations.publishedRun(year)
    if (!after)
      throw new MujunError(
        'NO_PUBLISHED_RUN',
        `the evaluation of ${year} (published in ${year + 1}) is not published yet: a refund of ${year} compares each firm's class in it with its class in the evaluation of ${year - 1}, so it waits for that publication`,
        { status: 422 },
      )
    const before = this.evaluations.publishedRun(year - 1)
    if (!before)
      throw new MujunError(
        'NO_PUBLISHED_RUN',
        `the evaluation of ${year - 1} (the class firms paid by in ${year}) is not published`,
        { status: 422 },
      )
    const done = this.money.listRefundRuns(year).find((r) => r.status === 'published')
    if (done) throw new ConflictError(`refund run ${done.id} of ${year} is already published`)
    const { id: versionId, rulebook } = this.rulebooks.active()
    const firms = new Map<string, { county: string; paid: Record<string, string> }>()
    for (const row of this.money.paidInYear(year)) {
      const f = firms.get(row.creditCode) ?? { county: row.county, paid: {} }
      f.paid[row.resource] = yuanOfFen(row.fen)
      firms.set(row.creditCode, f)
    }
    const classOf = (runId: number, code: string) =>
      this.store.runResult(runId, code)?.class ?? null
    const total = firms.size
    const outcome = computeRefunds(
      rulebook.sections.refunds,
      year,
      [...firms].map(([creditCode, f], i) => {
        if ((i + 1) % 1000 === 0 || i + 1 === total) onProgress?.(i + 1, total)
        return {
          creditCode,
          county: f.county,
          paid: f.paid,
          classBefore: classOf(before.id, creditCode),
          classAfter: classOf(after.id, creditCode),
        }
      }),
    )
    const row = this.money.insertRefundRun(
      {
        year,
        rulebookVersionId: versionId,
        evaluationBefore: before.id,
        evaluationAfter: after.id,
        paid: outcome.paid,
        total: outcome.total,
        summary: { rulesOn: outcome.rulesOn, rules: outcome.rules, byCounty: outcome.byCounty },
      },
      outcome.firms.map((f) => ({
        creditCode: f.creditCode,
        county: f.county,
        classBefore: f.classBefore,
        classAfter: f.classAfter,
        rule: f.rule,
        share: f.share,
        paidFen: fenOf(f.paid)!,
        amountFen: fenOf(f.amount)!,
        lines: f.lines.map((l) => ({ ...l, fen: fenOf(l.amount)! })),
        reason: f.reason,
      })),
      actorOf(who),
    )
    return runView(row)
  }

  /** Puts a draft run to notice (公示) from today for the rulebook's notice period; one run of a year at a time. */
  notice(p: Principal | undefined, id: number) {
    const who = authorize(p, 'refunds.publish')
    const today = this.store.today()
    const days = this.rulebooks.active().rulebook.meta.publication.noticeDays
    const row = this.money.moveRefundRun(
      id,
      (run, others) => {
        if (run.status !== 'draft')
          throw new ConflictError(`refund run ${id} is ${run.status}; only a draft goes to notice`)
        const other = others.find((o) => o.status !== 'draft')
        if (other)
          throw new ConflictError(
            `refund run ${other.id} of ${run.year} is already ${other.status === 'notice' ? 'in notice' : 'published'}`,
          )
        return {
          status: 'notice',
          noticeFrom: today,
          noticeTo: addDays(today, days - 1),
          noticedBy: actorOf(who),
        }
      },
      'refund.notice',
      actorOf(who),
    )
    return runView(row)
  }

  /** Publishes a run once its notice has ended: its refunds count as returned from today. */
  publish(p: Principal | undefined, id: number) {
    const who = authorize(p, 'refunds.publish')
    const today = this.store.today()
    const row = this.money.moveRefundRun(
      id,
      (run, others) => {
        if (run.status === 'draft')
          throw new ConflictError(
            `refund run ${id} is a draft: put it to notice first (POST /v1/refunds/${id}/notice)`,
          )
        if (run.status === 'published')
          throw new ConflictError(`refund run ${id} was published on ${run.publishedOn}`)
        if (today <= run.noticeTo!)
          throw new ConflictError(
            `the notice of refund run ${id} runs until ${run.noticeTo}; publish from ${addDays(run.noticeTo!, 1)}`,
          )
        const other = others.find((o) => o.status === 'published')
        if (other) throw new ConflictError(`refund run ${other.id} of ${run.year} is published`)
        return {
          status: 'published',
          publishedOn: today,
          publishedAt: this.store.now(),
          publishedBy: actorOf(who),
        }
      },
      'refund.publish',
      actorOf(who),
    )
    return runView(row)
  }

  list(p: Principal | undefined, year?: number) {
    authorize(p, 'refunds.read')
    return this.money.listRefundRuns(year).map(runView)
  }

  /** A run with each firm's refund and its trace; a county sees its own firms' items. */
  get(p: Principal | undefined, id: number, q: { county?: string; refundedOnly?: boolean } = {}) {
    const who = authorize(p, 'refunds.read', { county: q.county })
    const run = this.money.refundRun(id)
    const items = this.money
      .refundItems(id, { county: ownCounty(who) ?? q.county })
      .filter((i) => !q.refundedOnly || i.amountFen > 0)
      .map((i) => ({
        creditCode: i.creditCode,
        county: i.county,
        classBefore: i.classBefore,
        classAfter: i.classAfter,
        rule: i.rule,
        share: i.share,
        paid: yuanOfFen(i.paidFen),
        amount: yuanOfFen(i.amountFen),
        lines: i.lines.map(({ fen: _, ...l }) => l),
        reason: i.reason,
      }))
    return { ...runView(run), items }
  }
}
