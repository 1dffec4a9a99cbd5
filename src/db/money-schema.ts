/**
 * The money's tables (migration 0021): surcharges reported as collected, refund runs and their items. Kept apart
 * from db/schema so that neither file outgrows the size limit; drizzle.config.ts names both.
 * @module db/money-schema
 */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { enterprises, rulebookVersions } from './schema.ts'

/** A refund run's rules and per-county sums (pricing/refund RefundOutcome without the firms). */
export interface RefundSummary {
  rulesOn: string
  rules: { id: string; label: string; assumed: boolean; document: string }[]
  byCounty: { county: string; firms: number; refunded: number; paid: string; amount: string }[]
}

/**
 * Differential surcharges a utility reports as collected (征收), one row per firm, month (YYYY-MM) and resource, in
 * integer fen. `reporter` is whose report it is (the utility token's label): a
 * utility reads only its own. A second report of the same firm, month and resource is refused; it replaces the
 * first only as a correction (its reason and document in `correction`, the row's `version` moved, audited with the
 * amount before). Migration 0021.
 */
export const collections = sqliteTable(
  'collections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    creditCode: text('credit_code')
      .notNull()
      .references(() => enterprises.creditCode),
    /** The firm's county when reported. */
    county: text('county').notNull(),
    month: text('month').notNull(),
    resource: text('resource').notNull(),
    /** Integer fen (0.01 yuan): SQLite sums integers exactly. */
    amountFen: integer('amount_fen').notNull(),
    source: text('source', { enum: ['bills', 'csv'] }).notNull(),
    reporter: text('reporter').notNull(),
    /** The Ningbo day of the report (or of its correction). */
    reportedOn: text('reported_on').notNull(),
    reportedAt: text('reported_at').notNull(),
    reportedBy: text('reported_by').notNull(),
    version: integer('version').notNull().default(1),
    correction: text('correction', { mode: 'json' }).$type<{
      reason: string
      document: string
      /** The amount replaced, in fen. */
      beforeFen: number
    }>(),
  },
  (t) => [
    uniqueIndex('collections_firm_month_resource').on(t.creditCode, t.month, t.resource),
    index('collections_county_month').on(t.county, t.month),
    index('collections_reporter').on(t.reporter, t.month),
  ],
)

/**
 * A yearly refund run (返还奖励) of the surcharges collected in `year`: computed (draft) under the rules in force,
 * put to notice (公示) like an evaluation, then published; its refunds count as returned from the publication day.
 * One published run a year. Migration 0021.
 */
export const refundRuns = sqliteTable(
  'refund_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    status: text('status', { enum: ['draft', 'notice', 'published'] }).notNull(),
    rulebookVersionId: integer('rulebook_version_id')
      .notNull()
      .references(() => rulebookVersions.id),
    /** The published evaluations compared: of year−1 (the class paid by) and of year (the class after). */
    evaluationBefore: integer('evaluation_before').notNull(),
    evaluationAfter: integer('evaluation_after').notNull(),
    paid: text('paid').notNull(),
    total: text('total').notNull(),
    /** The outcome's rules and per-county sums (see pricing/refund RefundOutcome, without the firms). */
    summary: text('summary', { mode: 'json' }).notNull().$type<RefundSummary>(),
    noticeFrom: text('notice_from'),
    noticeTo: text('notice_to'),
    noticedBy: text('noticed_by'),
    publishedOn: text('published_on'),
    publishedAt: text('published_at'),
    publishedBy: text('published_by'),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('refund_runs_year').on(t.year, t.status)],
)

/** Each firm's refund in a run, with its trace (the rule, the classes, the lines by resource, the reason). */
export const refundItems = sqliteTable(
  'refund_items',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => refundRuns.id),
    creditCode: text('credit_code').notNull(),
    county: text('county').notNull(),
    classBefore: text('class_before'),
    classAfter: text('class_after'),
    rule: text('rule'),
    share: text('share'),
    /** What the firm paid in the year, and what it gets back, in integer fen. */
    paidFen: integer('paid_fen').notNull(),
    amountFen: integer('amount_fen').notNull(),
    lines: text('lines', { mode: 'json' })
      .notNull()
      .$type<{ resource: string; paid: string; share: string; amount: string; fen: number }[]>(),
    reason: text('reason').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.creditCode] }),
    index('refund_items_county').on(t.county),
  ],
)
