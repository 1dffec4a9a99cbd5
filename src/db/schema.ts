/**
 * Database tables (drizzle, SQLite). Nothing is overwritten in place without a version bump, and every change is
 * in the append-only audit log.
 * @module db/schema
 */
import {
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'

export const enterprises = sqliteTable(
  'enterprises',
  {
    creditCode: text('credit_code').primaryKey(),
    name: text('name').notNull(),
    county: text('county').notNull(),
    industryCode: text('industry_code').notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [index('enterprises_county').on(t.county)],
)

/** Annual figures, one row per enterprise and year, as JSON keyed by rulebook input id. */
export const figures = sqliteTable(
  'figures',
  {
    creditCode: text('credit_code')
      .notNull()
      .references(() => enterprises.creditCode),
    year: integer('year').notNull(),
    data: text('data', { mode: 'json' })
      .notNull()
      .$type<Record<string, number | boolean | string>>(),
    version: integer('version').notNull().default(1),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.creditCode, t.year] })],
)

/** Every rulebook version ever loaded or created: the full file set, so any result can be re-derived. */
export const rulebookVersions = sqliteTable(
  'rulebook_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    hash: text('hash').notNull(),
    files: text('files', { mode: 'json' }).notNull().$type<{ path: string; text: string }[]>(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    note: text('note').notNull().default(''),
  },
  (t) => [uniqueIndex('rulebook_versions_hash').on(t.hash)],
)

/** Status history of county overrides (the override text itself lives in the rulebook version's files). */
export const overrideEvents = sqliteTable(
  'override_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    overrideId: text('override_id').notNull(),
    county: text('county').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    at: text('at').notNull(),
    by: text('by').notNull(),
    reason: text('reason').notNull().default(''),
    ref: text('ref'),
    rulebookVersionId: integer('rulebook_version_id')
      .notNull()
      .references(() => rulebookVersions.id),
  },
  (t) => [index('override_events_override').on(t.overrideId)],
)

export const evaluationRuns = sqliteTable(
  'evaluation_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    rulebookVersionId: integer('rulebook_version_id')
      .notNull()
      .references(() => rulebookVersions.id),
    /** draft → published → superseded (by a later published run of the same year). */
    status: text('status', { enum: ['draft', 'published', 'superseded'] }).notNull(),
    counts: text('counts', { mode: 'json' }).notNull().$type<Record<string, number>>(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    publishedAt: text('published_at'),
    publishedBy: text('published_by'),
  },
  (t) => [index('evaluation_runs_year').on(t.year, t.status)],
)

/** Per-enterprise results of a run; frozen once the run is published. */
export const evaluationResults = sqliteTable(
  'evaluation_results',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => evaluationRuns.id),
    creditCode: text('credit_code').notNull(),
    county: text('county').notNull(),
    status: text('status').notNull(),
    group: text('group_id'),
    score: real('score'),
    rank: integer('rank'),
    groupSize: integer('group_size'),
    initialClass: text('initial_class'),
    class: text('class'),
    category: text('category'),
    /** The full result with its trace, as published. */
    result: text('result', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.creditCode] }),
    index('evaluation_results_code').on(t.creditCode),
  ],
)

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** sha256 of the token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    role: text('role', { enum: ['bureau', 'county', 'utility', 'enterprise'] }).notNull(),
    /** County code for `county`, credit code for `enterprise`, empty otherwise. */
    scope: text('scope').notNull().default(''),
    label: text('label').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)],
)

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    detail: text('detail', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  },
  (t) => [index('audit_subject').on(t.subject), index('audit_at').on(t.at)],
)
