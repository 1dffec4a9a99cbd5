/**
 * Evaluation runs, their results and peer statistics, and the objections filed during a notice: named queries and
 * the writes the evaluation use cases (app/evaluations) make inside their transactions, once they have checked
 * the rules (the notice window, one open objection per firm, what may be published).
 * @module db/evaluation-store
 */
import { and, asc, desc, eq } from 'drizzle-orm'
import { NotFoundError } from '../errors.ts'
import type { RatedFacts } from '../pricing/quote.ts'
import { emptyFrame, type PeerFrame, type RatingResult } from '../rating/rate.ts'
import type { BaseStore, Tx } from './base-store.ts'
import type { Db } from './client.ts'
import { evaluationPeers, evaluationResults, evaluationRuns, objections } from './schema.ts'

/**
 * A category's JSON text as a result row stores it, made once per category: a category is one shared object per
 * sector-table row (rating/rate), so a run's million rows make a few dozen texts, not a million.
 */
export function categoryTexts(): (category: object) => string {
  const texts = new Map<object, string>()
  return (category) => {
    let text = texts.get(category)
    if (text === undefined) {
      text = JSON.stringify(category)
      texts.set(category, text)
    }
    return text
  }
}

export class EvaluationStore {
  constructor(private readonly core: BaseStore) {}

  /** Rated results of a run counted by county, sector and class (the overview), without reading each row. */
  classCounts(runId: number): { county: string; sector: string; class: string; n: number }[] {
    return this.core.db.$client
      .prepare(
        `SELECT county, sector, class, count(*) AS n FROM evaluation_results
          WHERE run_id = ? AND class IS NOT NULL GROUP BY county, sector, class`,
      )
      .all(runId) as { county: string; sector: string; class: string; n: number }[]
  }

  /** Stores rating results as a draft run made under the given city version and override revision. */
  insertRun(
    year: number,
    rules: { versionId: number; overrideRevision: number },
    results: RatingResult[],
    peers: PeerFrame,
    actor: string,
    onProgress?: (stored: number, total: number) => void,
  ): { id: number; counts: Record<string, number> } {
    const counts: Record<string, number> = {}
    for (const r of results) counts[r.class ?? r.status] = (counts[r.class ?? r.status] ?? 0) + 1
    return this.core.write((tx) => {
      const run = tx
        .insert(evaluationRuns)
        .values({
          year,
          rulebookVersionId: rules.versionId,
          overrideRevision: rules.overrideRevision,
          status: 'draft',
          counts,
          createdAt: this.core.now(),
          createdBy: actor,
        })
        .returning({ id: evaluationRuns.id })
        .get()
      const insert = this.core.db.$client.prepare(
        `INSERT INTO evaluation_results (run_id, credit_code, county, name, industry_code, sector, figures_version,
           status, group_id, score, rank, group_size, initial_class, class, category, points)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      // One scratch buffer for every row's points: the blob is copied when bound.
      let scratch = Buffer.alloc(8 * 16)
      const categoryText = categoryTexts()
      for (let i = 0; i < results.length; i++) {
        const r = results[i]
        const p = r.points()
        if (scratch.length < 8 * p.length) scratch = Buffer.alloc(8 * p.length)
        for (let k = 0; k < p.length; k++) scratch.writeDoubleLE(p[k], 8 * k)
        insert.run(
          run.id,
          r.creditCode,
          r.county,
          r.name,
          r.industryCode,
          r.sector,
          r.enterprise.figuresVersion ?? null,
          r.status,
          r.group,
          r.score,
          r.rank,
          r.groupSize,
          r.initialClass,
          r.class,
          r.category ? categoryText(r.category) : null,
          p.length > 0 ? scratch.subarray(0, 8 * p.length) : null,
        )
        if (onProgress && ((i + 1) % 10_000 === 0 || i + 1 === results.length))
          onProgress(i + 1, results.length)
      }
      const peerRows = [
        ...[...peers.stats].map(([key, stat]) => ({ runId: run.id, key, stat, scores: null })),
        ...[...peers.scores].map(([key, best]) => ({
          runId: run.id,
          key,
          stat: null,
          scores: Buffer.from(best.buffer, best.byteOffset, best.byteLength),
        })),
      ]
      for (let i = 0; i < peerRows.length; i += 500)
        tx.insert(evaluationPeers)
          .values(peerRows.slice(i, i + 500))
          .run()
      this.core.audit(tx, actor, 'evaluation.run', `evaluation/${run.id}`, {
        year,
        rulebookVersionId: rules.versionId,
        overrideRevision: rules.overrideRevision,
        counts,
      })
      return { id: run.id, counts }
    })
  }

  /** A run by id, in the caller's transaction, or 404. */
  runOf(tx: Tx, id: number) {
    const run = tx.select().from(evaluationRuns).where(eq(evaluationRuns.id, id)).get()
    if (!run) throw new NotFoundError(`evaluation ${id}`)
    return run
  }

  /** The run of `year` in `status` (at most one is in notice and one published), if any. */
  runOfYear(tx: Tx | Db, year: number, status: 'notice' | 'published') {
    return tx
      .select({
        id: evaluationRuns.id,
        noticeFrom: evaluationRuns.noticeFrom,
        noticeTo: evaluationRuns.noticeTo,
      })
      .from(evaluationRuns)
      .where(and(eq(evaluationRuns.year, year), eq(evaluationRuns.status, status)))
      .get()
  }

  /** Records a draft run's public notice (公示) from `noticeFrom` to `noticeTo`, as checked by the caller. */
  setNotice(
    tx: Tx,
    run: { id: number; year: number },
    noticeFrom: string,
    noticeTo: string,
    actor: string,
  ) {
    tx.update(evaluationRuns)
      .set({ status: 'notice', noticeFrom, noticeTo, noticedBy: actor })
      .where(eq(evaluationRuns.id, run.id))
      .run()
    this.core.audit(tx, actor, 'evaluation.notice', `evaluation/${run.id}`, {
      year: run.year,
      noticeFrom,
      noticeTo,
    })
    return { id: run.id, year: run.year, noticeFrom, noticeTo }
  }

  /** The class of a firm's result in a run, in the caller's transaction, if it has a result. */
  resultClass(tx: Tx, runId: number, code: string) {
    return tx
      .select({ class: evaluationResults.class })
      .from(evaluationResults)
      .where(and(eq(evaluationResults.runId, runId), eq(evaluationResults.creditCode, code)))
      .get()
  }

  /** The objections of a run still under review (of one firm, when given). */
  openObjections(tx: Tx, runId: number, code?: string) {
    return tx
      .select({ id: objections.id })
      .from(objections)
      .where(
        and(
          eq(objections.runId, runId),
          code === undefined ? undefined : eq(objections.creditCode, code),
          eq(objections.status, 'open'),
        ),
      )
      .all()
  }

  /** Files an objection (checked by the caller) with the class the firm had when it was filed. */
  insertObjection(
    tx: Tx,
    runId: number,
    o: { creditCode: string; reason: string; evidence: string },
    classBefore: string | null,
    actor: string,
  ) {
    const row = tx
      .insert(objections)
      .values({
        runId,
        creditCode: o.creditCode,
        reason: o.reason,
        evidence: o.evidence,
        filedAt: this.core.now(),
        filedBy: actor,
        status: 'open',
        classBefore,
      })
      .returning()
      .get()
    this.core.audit(tx, actor, 'objection.file', `objection/${row.id}`, {
      runId,
      creditCode: o.creditCode,
      reason: o.reason,
      evidence: o.evidence,
    })
    return row
  }

  /** An objection by id, in the caller's transaction, or 404. */
  objectionOf(tx: Tx, id: number) {
    const o = tx.select().from(objections).where(eq(objections.id, id)).get()
    if (!o) throw new NotFoundError(`objection ${id}`)
    return o
  }

  /**
   * Records the bureau's decision on an objection (checked by the caller): upheld, the result's class becomes
   * `classAfter` (the objection row records the re-grade: from, to, reason); or rejected.
   */
  recordDecision(
    tx: Tx,
    o: { id: number; runId: number; creditCode: string; classBefore: string | null },
    d: { upheld: boolean; classAfter: string | null; reason: string },
    actor: string,
  ) {
    if (d.upheld)
      tx.update(evaluationResults)
        .set({ class: d.classAfter })
        .where(
          and(eq(evaluationResults.runId, o.runId), eq(evaluationResults.creditCode, o.creditCode)),
        )
        .run()
    const decided = tx
      .update(objections)
      .set({
        status: d.upheld ? 'upheld' : 'rejected',
        classAfter: d.classAfter,
        decision: d.reason,
        decidedAt: this.core.now(),
        decidedBy: actor,
      })
      .where(eq(objections.id, o.id))
      .returning()
      .get()
    this.core.audit(
      tx,
      actor,
      d.upheld ? 'objection.uphold' : 'objection.reject',
      `objection/${o.id}`,
      {
        runId: o.runId,
        creditCode: o.creditCode,
        classBefore: o.classBefore,
        classAfter: d.classAfter,
        reason: d.reason,
      },
    )
    return decided
  }

  /**
   * Publishes a run (checked by the caller) in the caller's transaction: the year's previous published run becomes
   * superseded and this one published, so a reader sees either the old run or the new one, never a mix.
   */
  markPublished(
    tx: Tx,
    run: { id: number; year: number },
    bindingFrom: string,
    actor: string,
    historic?: { publishedOn: string; correction: Record<string, unknown> & { reason: string } },
  ) {
    const runId = run.id
    // The run it replaces stays with pricing as superseded: it binds until this one's day (see bindingOn).
    const previous = this.runOfYear(tx, run.year, 'published')
    if (previous)
      tx.update(evaluationRuns)
        .set({ status: 'superseded' })
        .where(eq(evaluationRuns.id, previous.id))
        .run()
    tx.update(evaluationRuns)
      .set({
        status: 'published',
        publishedAt: this.core.now(),
        publishedBy: actor,
        bindingFrom,
        correction: historic ? { publishedOn: historic.publishedOn, ...historic.correction } : null,
      })
      .where(eq(evaluationRuns.id, runId))
      .run()
    this.core.audit(
      tx,
      actor,
      historic ? 'evaluation.publish.correction' : 'evaluation.publish',
      `evaluation/${runId}`,
      {
        year: run.year,
        supersedes: previous?.id ?? null,
        bindingFrom,
        ...(historic && { recordedPublication: historic }),
      },
    )
    return { id: runId, year: run.year, supersedes: previous?.id ?? null, bindingFrom }
  }

  listObjections(filter: { runId?: number; creditCode?: string; county?: string } = {}) {
    const rows = this.core.db
      .select({ o: objections, county: evaluationResults.county })
      .from(objections)
      .innerJoin(
        evaluationResults,
        and(
          eq(evaluationResults.runId, objections.runId),
          eq(evaluationResults.creditCode, objections.creditCode),
        ),
      )
      .where(
        and(
          filter.runId ? eq(objections.runId, filter.runId) : undefined,
          filter.creditCode ? eq(objections.creditCode, filter.creditCode) : undefined,
          filter.county ? eq(evaluationResults.county, filter.county) : undefined,
        ),
      )
      .orderBy(asc(objections.id))
      .all()
    return rows.map((r) => ({ ...r.o, county: r.county }))
  }

  getRun(id: number) {
    const run = this.core.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, id)).get()
    if (!run) throw new NotFoundError(`evaluation ${id}`)
    return run
  }

  listRuns() {
    return this.core.db.select().from(evaluationRuns).orderBy(desc(evaluationRuns.id)).all()
  }

  runResults(
    runId: number,
    filter: { county?: string; class?: string; limit?: number; offset?: number } = {},
  ) {
    const where = and(
      eq(evaluationResults.runId, runId),
      filter.county ? eq(evaluationResults.county, filter.county) : undefined,
      filter.class ? eq(evaluationResults.class, filter.class) : undefined,
    )
    let q = this.core.db
      .select()
      .from(evaluationResults)
      .where(where)
      .orderBy(asc(evaluationResults.creditCode))
      .$dynamic()
    if (filter.limit !== undefined) q = q.limit(filter.limit).offset(filter.offset ?? 0)
    return q.all()
  }

  /** The peer statistics stored with a run, or undefined for a run made before they were stored. */
  peerFrame(runId: number): PeerFrame | undefined {
    const rows = this.core.db
      .select()
      .from(evaluationPeers)
      .where(eq(evaluationPeers.runId, runId))
      .all()
    if (rows.length === 0) return undefined
    const frame = emptyFrame()
    for (const r of rows) {
      if (r.scores) {
        // Copied into an aligned buffer: a blob's bytes may start at any offset.
        const best = new Float64Array(r.scores.byteLength / 8)
        new Uint8Array(best.buffer).set(r.scores)
        frame.scores.set(r.key, best)
      } else if (r.stat !== null) frame.stats.set(r.key, r.stat)
    }
    return frame
  }

  /** One enterprise's result in a run, if it has one. */
  runResult(runId: number, code: string) {
    return this.core.db
      .select()
      .from(evaluationResults)
      .where(and(eq(evaluationResults.runId, runId), eq(evaluationResults.creditCode, code)))
      .get()
  }

  /** The latest evaluation year with a published run, if any. */
  latestPublishedYear(): number | undefined {
    const row = this.core.db.$client
      .prepare("SELECT max(year) AS y FROM evaluation_runs WHERE status = 'published'")
      .get() as { y: number | null }
    return row.y ?? undefined
  }

  /** The published run of an evaluation year, if any. */
  publishedRun(year: number) {
    return this.runOfYear(this.core.db, year, 'published')
  }

  /** The run of an evaluation year in public notice, if any, with its notice dates. */
  noticeRun(year: number) {
    return this.runOfYear(this.core.db, year, 'notice')
  }

  /**
   * What pricing needs of one enterprise's results in the runs `runIds`, oldest first: the class (a re-grade on
   * review updates it), the category and the figures as rated (by their version; a legacy row kept its own).
   */
  ratedFacts(code: string, runIds: number[]): RatedFacts[] {
    return this.ratedFactsOf([code], runIds).get(code) ?? []
  }

  /**
   * `ratedFacts` of many enterprises in one statement, by credit code (a billing run reads a chunk of firms at
   * once: one range read costs a tenth of a lookup per firm).
   */
  ratedFactsOf(codes: string[], runIds: number[]): Map<string, RatedFacts[]> {
    const out = new Map<string, RatedFacts[]>()
    if (runIds.length === 0 || codes.length === 0) return out
    const one = codes.length === 1
    const rows = this.core
      .statement(
        `ratedFacts|${runIds.length}|${one}`,
        () =>
          `SELECT r.credit_code AS creditCode, r.county, r.class, r.category, r.sector, r.legacy, u.year, u.id AS runId,
                u.binding_from AS bindingFrom, u.published_at AS publishedAt, coalesce(f.data, v.data) AS data
           FROM evaluation_results r
           JOIN evaluation_runs u ON u.id = r.run_id
           LEFT JOIN figures f ON f.credit_code = r.credit_code AND f.year = u.year AND f.version = r.figures_version
           LEFT JOIN figure_versions v
             ON v.credit_code = r.credit_code AND v.year = u.year AND v.version = r.figures_version
          WHERE r.run_id IN (${runIds.map(() => '?').join(',')})
            AND r.credit_code ${one ? '= ?' : 'IN (SELECT value FROM json_each(?))'}`,
      )
      .all(...runIds, one ? codes[0] : JSON.stringify(codes)) as {
      creditCode: string
      county: string
      class: string | null
      category: string | null
      sector: string
      legacy: string | null
      year: number
      runId: number
      bindingFrom: string | null
      publishedAt: string | null
      data: string | null
    }[]
    // Oldest first, a year's runs in the order they bind (see bindingOn); the publication instant breaks a tie.
    const order = new Map<number, string>()
    for (const row of rows) {
      const legacy = row.legacy
        ? (JSON.parse(row.legacy) as { figures?: RatedFacts['figures'] })
        : null
      order.set(row.runId, `${row.bindingFrom ?? `${row.year + 1}-01-01`}|${row.publishedAt ?? ''}`)
      let list = out.get(row.creditCode)
      if (!list) {
        list = []
        out.set(row.creditCode, list)
      }
      list.push({
        creditCode: row.creditCode,
        county: row.county,
        year: row.year,
        class: row.class,
        category: row.category ? JSON.parse(row.category) : null,
        sector: row.sector,
        figures: (row.data ? JSON.parse(row.data) : legacy?.figures) ?? {},
        runId: row.runId,
        ...(row.bindingFrom && { bindingFrom: row.bindingFrom }),
      })
    }
    const rank = (h: RatedFacts) => order.get(h.runId!) ?? ''
    for (const list of out.values())
      list.sort((a, b) => a.year - b.year || (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0))
    return out
  }

  /**
   * The runs pricing reads for evaluation years `years`: every published run and every run a later publication
   * superseded (it still binds until its successor's day), as known at `knownAt` (an ISO instant; default now).
   */
  boundRuns(years: number[], knownAt?: string): number[] {
    if (years.length === 0) return []
    return this.core
      .statement(
        `boundRuns|${years.length}|${knownAt !== undefined}`,
        () =>
          `SELECT id FROM evaluation_runs WHERE year IN (${years.map(() => '?').join(',')})
            AND status IN ('published', 'superseded')
            ${knownAt !== undefined ? 'AND published_at <= ?' : ''} ORDER BY id`,
      )
      .pluck()
      .all(...years, ...(knownAt !== undefined ? [knownAt] : [])) as number[]
  }
}
