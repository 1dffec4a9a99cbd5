/**
 * The money's records: surcharges reported as collected, refund runs and their items. Amounts are integer fen, so
 * SQLite sums them exactly. Every change runs in one IMMEDIATE transaction with its audit entry, through the main
 * store (its revision and audit log).
 * @module db/money-store
 */
import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm'
import { MujunError, NotFoundError } from '../errors.ts'
import type { Tx } from './base-store.ts'
import { collections, refundItems, refundRuns } from './money-schema.ts'
import type { Store } from './store.ts'

/** One collected amount as reported: a firm, month (YYYY-MM) and resource, in fen. */
export interface NewCollection {
  creditCode: string
  county: string
  month: string
  resource: string
  amountFen: number
}

export type CollectionRow = typeof collections.$inferSelect
export type RefundRunRow = typeof refundRuns.$inferSelect
export type RefundItemRow = typeof refundItems.$inferSelect

/** Which collected rows a read covers: a county, a firm, a reporter, months from and to (both included). */
export interface MoneyFilter {
  county?: string
  creditCode?: string
  reporter?: string
  fromMonth?: string
  toMonth?: string
}

/** One ledger row: collected and returned fen of a county (and firm, when by firm) in a month. */
export interface LedgerFen {
  county: string
  creditCode?: string
  month: string
  collectedFen: number
  returnedFen: number
}

export class MoneyStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db
  }

  /**
   * Records reported collections in one transaction: a firm, month and resource already reported is refused (every
   * such row named, nothing written), unless the report is a correction, which replaces each such amount and keeps
   * the amount before, the reason and the document on the row.
   */
  report(
    rows: NewCollection[],
    meta: { source: 'bills' | 'csv'; reporter: string; actor: string; today: string },
    correction?: { reason: string; document: string },
  ): { created: number; replaced: number; totalFen: number } {
    return this.store.write((tx) => {
      const at = this.store.now()
      const existing = this.existing(tx, rows)
      if (!correction && existing.size > 0) {
        const named = [...existing.values()]
          .slice(0, 20)
          .map((r) => `${r.creditCode} ${r.month} ${r.resource} (collection ${r.id})`)
        throw new MujunError(
          'COLLECTION_EXISTS',
          `${existing.size} firm-month-resource(s) already reported: ${named.join('; ')}; nothing was recorded. A second report replaces the first only as a correction (reason and document)`,
          {
            status: 409,
            details: [...existing.values()].map((r) => ({
              id: r.id,
              creditCode: r.creditCode,
              month: r.month,
              resource: r.resource,
            })),
          },
        )
      }
      let replaced = 0
      let totalFen = 0
      const replacedRows: Record<string, unknown>[] = []
      for (const r of rows) {
        totalFen += r.amountFen
        const old = existing.get(keyOf(r))
        const base = {
          amountFen: r.amountFen,
          county: r.county,
          source: meta.source,
          reporter: meta.reporter,
          reportedOn: meta.today,
          reportedAt: at,
          reportedBy: meta.actor,
        }
        if (old && correction) {
          tx.update(collections)
            .set({
              ...base,
              version: old.version + 1,
              correction: { ...correction, beforeFen: old.amountFen },
            })
            .where(eq(collections.id, old.id))
            .run()
          replaced++
          replacedRows.push({ id: old.id, beforeFen: old.amountFen, afterFen: r.amountFen })
          continue
        }
        tx.insert(collections)
          .values({ ...base, creditCode: r.creditCode, month: r.month, resource: r.resource })
          .run()
      }
      this.store.audit(
        tx,
        meta.actor,
        correction ? 'collection.report.correction' : 'collection.report',
        `collections/${meta.reporter}`,
        {
          source: meta.source,
          rows: rows.length,
          totalFen,
          months: [...new Set(rows.map((r) => r.month))].sort(),
          ...(correction && { ...correction, replaced: replacedRows }),
        },
      )
      return { created: rows.length - replaced, replaced, totalFen }
    })
  }

  /** The stored rows among `rows`' firm-month-resources, by key. */
  private existing(tx: Tx, rows: NewCollection[]): Map<string, CollectionRow> {
    const found = new Map<string, CollectionRow>()
    const codes = [...new Set(rows.map((r) => r.creditCode))]
    const wanted = new Set(rows.map(keyOf))
    for (let i = 0; i < codes.length; i += 500)
      for (const row of tx
        .select()
        .from(collections)
        .where(inArray(collections.creditCode, codes.slice(i, i + 500)))
        .all())
        if (wanted.has(keyOf(row))) found.set(keyOf(row), row)
    return found
  }

  listCollections(f: MoneyFilter & { limit?: number; offset?: number }): CollectionRow[] {
    return this.db
      .select()
      .from(collections)
      .where(and(...collectedWhere(f)))
      .orderBy(asc(collections.month), asc(collections.creditCode), asc(collections.resource))
      .limit(f.limit ?? 1000)
      .offset(f.offset ?? 0)
      .all()
  }

  /** What each firm paid in `year` by resource (fen), with its county as reported. */
  paidInYear(
    year: number,
  ): { creditCode: string; county: string; resource: string; fen: number }[] {
    return this.db
      .select({
        creditCode: collections.creditCode,
        county: sql<string>`max(${collections.county})`,
        resource: collections.resource,
        fen: sql<number>`sum(${collections.amountFen})`,
      })
      .from(collections)
      .where(sql`${collections.month} between ${`${year}-01`} and ${`${year}-12`}`)
      .groupBy(collections.creditCode, collections.resource)
      .all()
  }

  /**
   * The ledger: collected by month (of the bills), returned by the month its refund run was published, per county
   * and month (and firm, when `byFirm`). A reporter's ledger counts the refunds on the firms and resources it
   * reported in the refund's year only.
   */
  ledger(f: MoneyFilter, byFirm: boolean): LedgerFen[] {
    const firm = byFirm ? sql`, credit_code` : sql``
    const cw = collectedWhere(f)
    const collected = sql`SELECT county${firm}, month, amount_fen AS collected, 0 AS returned
      FROM collections ${cw.length ? sql`WHERE ${and(...cw)}` : sql``}`
    const rw: SQL[] = [sql`r.status = 'published'`]
    if (f.county) rw.push(sql`i.county = ${f.county}`)
    if (f.creditCode) rw.push(sql`i.credit_code = ${f.creditCode}`)
    if (f.fromMonth) rw.push(sql`substr(r.published_on, 1, 7) >= ${f.fromMonth}`)
    if (f.toMonth) rw.push(sql`substr(r.published_on, 1, 7) <= ${f.toMonth}`)
    const amount = f.reporter
      ? sql`(SELECT coalesce(sum(json_extract(l.value, '$.fen')), 0) FROM json_each(i.lines) l
           WHERE EXISTS (SELECT 1 FROM collections c WHERE c.credit_code = i.credit_code
             AND c.resource = json_extract(l.value, '$.resource') AND c.reporter = ${f.reporter}
             AND c.month BETWEEN r.year || '-01' AND r.year || '-12'))`
      : sql`i.amount_fen`
    const returned = sql`SELECT i.county${byFirm ? sql`, i.credit_code` : sql``}, substr(r.published_on, 1, 7) AS month,
        0 AS collected, ${amount} AS returned
      FROM refund_items i JOIN refund_runs r ON r.id = i.run_id WHERE ${and(...rw)}`
    const rows = this.db.all<{
      county: string
      credit_code?: string
      month: string
      collected: number
      returned: number
    }>(sql`SELECT county${firm}, month, sum(collected) AS collected, sum(returned) AS returned
      FROM (${collected} UNION ALL ${returned})
      GROUP BY county${firm}, month
      HAVING sum(collected) <> 0 OR sum(returned) <> 0
      ORDER BY month, county${firm}`)
    return rows.map((r) => ({
      county: r.county,
      ...(byFirm && { creditCode: r.credit_code }),
      month: r.month,
      collectedFen: r.collected,
      returnedFen: r.returned,
    }))
  }

  // ------------------------------------------------------------------------------------------------ refund runs

  insertRefundRun(
    run: Omit<typeof refundRuns.$inferInsert, 'id' | 'status' | 'createdAt' | 'createdBy'>,
    items: Omit<RefundItemRow, 'runId'>[],
    actor: string,
  ): RefundRunRow {
    return this.store.write((tx) => {
      const row = tx
        .insert(refundRuns)
        .values({ ...run, status: 'draft', createdAt: this.store.now(), createdBy: actor })
        .returning()
        .get()
      for (let i = 0; i < items.length; i += 200)
        tx.insert(refundItems)
          .values(items.slice(i, i + 200).map((x) => ({ ...x, runId: row.id })))
          .run()
      this.store.audit(tx, actor, 'refund.run', `refund/${row.id}`, {
        year: run.year,
        rulebookVersionId: run.rulebookVersionId,
        evaluations: [run.evaluationBefore, run.evaluationAfter],
        firms: items.length,
        paid: run.paid,
        total: run.total,
      })
      return row
    })
  }

  refundRunOf(tx: Pick<Tx, 'select'>, id: number): RefundRunRow {
    const row = tx.select().from(refundRuns).where(eq(refundRuns.id, id)).get()
    if (!row) throw new NotFoundError(`refund run ${id}`)
    return row
  }

  refundRun(id: number): RefundRunRow {
    return this.refundRunOf(this.db, id)
  }

  listRefundRuns(year?: number): RefundRunRow[] {
    return this.db
      .select()
      .from(refundRuns)
      .where(year === undefined ? undefined : eq(refundRuns.year, year))
      .orderBy(desc(refundRuns.id))
      .all()
  }

  refundItems(runId: number, f: { county?: string; creditCode?: string } = {}): RefundItemRow[] {
    return this.db
      .select()
      .from(refundItems)
      .where(
        and(
          eq(refundItems.runId, runId),
          f.county ? eq(refundItems.county, f.county) : undefined,
          f.creditCode ? eq(refundItems.creditCode, f.creditCode) : undefined,
        ),
      )
      .orderBy(asc(refundItems.creditCode))
      .all()
  }

  /** Moves a run's status inside a write, checked by `check` against the run and its year's other runs. */
  moveRefundRun(
    id: number,
    check: (run: RefundRunRow, others: RefundRunRow[]) => Partial<RefundRunRow>,
    action: string,
    actor: string,
  ): RefundRunRow {
    return this.store.write((tx) => {
      const run = this.refundRunOf(tx, id)
      const others = tx
        .select()
        .from(refundRuns)
        .where(and(eq(refundRuns.year, run.year), sql`${refundRuns.id} <> ${id}`))
        .all()
      const patch = check(run, others)
      const row = tx.update(refundRuns).set(patch).where(eq(refundRuns.id, id)).returning().get()
      this.store.audit(tx, actor, action, `refund/${id}`, {
        year: run.year,
        from: run.status,
        to: row.status,
        total: run.total,
        ...patch,
      })
      return row
    })
  }
}

const keyOf = (r: { creditCode: string; month: string; resource: string }) =>
  `${r.creditCode}|${r.month}|${r.resource}`

function collectedWhere(f: MoneyFilter): SQL[] {
  const w: SQL[] = []
  if (f.county) w.push(eq(collections.county, f.county))
  if (f.creditCode) w.push(eq(collections.creditCode, f.creditCode))
  if (f.reporter) w.push(eq(collections.reporter, f.reporter))
  if (f.fromMonth) w.push(sql`${collections.month} >= ${f.fromMonth}`)
  if (f.toMonth) w.push(sql`${collections.month} <= ${f.toMonth}`)
  return w
}
