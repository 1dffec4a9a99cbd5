/**
 * Database tables (drizzle, SQLite). Nothing is overwritten in place without a version bump, and every change is
 * in the append-only audit log.
 * @module db/schema
 */

import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'
import { ROLES } from '../principal.ts'

/** WITHOUT ROWID (migration 0010, which drizzle-kit cannot express: keep it if this table is ever rebuilt). */
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
  // Keyed year first and WITHOUT ROWID (migration 0009, which drizzle-kit cannot express: keep it if this table is
  // ever rebuilt): a year's population is one sequential read in credit-code order (see Store.population), and an
  // import of a year appends to one B-tree.
  (t) => [primaryKey({ columns: [t.year, t.creditCode] })],
)

/**
 * Every replaced version of a year's figures, kept so a result can be recomputed from what it was rated on. Written
 * by a trigger on `figures` (migration 0011), so no path that replaces figures can skip it.
 */
export const figureVersions = sqliteTable(
  'figure_versions',
  {
    creditCode: text('credit_code').notNull(),
    year: integer('year').notNull(),
    version: integer('version').notNull(),
    data: text('data', { mode: 'json' })
      .notNull()
      .$type<Record<string, number | boolean | string>>(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.creditCode, t.year, t.version] })],
)

/**
 * Every city rulebook version ever imported: the city's files only (county overrides are records of their own), so
 * any result can be re-derived. A version is never changed; which one is in force is `rulebook_activations`.
 */
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

/** Append-only: each row makes a city version the one in force (a new version, or a rollback to an older one). */
export const rulebookActivations = sqliteTable('rulebook_activations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  versionId: integer('version_id')
    .notNull()
    .references(() => rulebookVersions.id),
  at: text('at').notNull(),
  by: text('by').notNull(),
  note: text('note').notNull().default(''),
  /** The Ningbo day from which it is in force (null: from `at`): an activation may be scheduled for a later day. */
  effectiveOn: text('effective_on'),
  /** When it changes answers for days before its own: the correction's reason, document (文号) and reach. */
  correction: text('correction', { mode: 'json' }).$type<Record<string, unknown>>(),
})

/**
 * A county override: its id is chosen once and never becomes a path; `text` and `status` are its current
 * revision (the full history is `override_revisions`). `version` is its own ETag counter.
 */
export const overrides = sqliteTable(
  'overrides',
  {
    id: text('id').primaryKey(),
    county: text('county').notNull(),
    status: text('status').notNull(),
    text: text('text').notNull(),
    version: integer('version').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [index('overrides_county').on(t.county)],
)

/** Every revision of every override (text and status), with the step that made it: nothing is overwritten. */
export const overrideRevisions = sqliteTable(
  'override_revisions',
  {
    /** Global order of override changes: the compiled rules in force are keyed by the newest. */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    overrideId: text('override_id')
      .notNull()
      .references(() => overrides.id),
    version: integer('version').notNull(),
    county: text('county').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    text: text('text').notNull(),
    at: text('at').notNull(),
    by: text('by').notNull(),
    reason: text('reason').notNull().default(''),
    ref: text('ref'),
    /** The decision date (approval, filing…) as recorded, which may precede `at` by the paperwork's delay. */
    decisionDate: text('decision_date'),
  },
  (t) => [uniqueIndex('override_revisions_version').on(t.overrideId, t.version)],
)

export const evaluationRuns = sqliteTable(
  'evaluation_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    year: integer('year').notNull(),
    rulebookVersionId: integer('rulebook_version_id')
      .notNull()
      .references(() => rulebookVersions.id),
    /** The newest override revision when the run was made: with the city version, the rules it applied. */
    overrideRevision: integer('override_revision'),
    /**
     * draft → notice (公示: firms see their provisional result and may object) → published → superseded (by a later
     * published run of the same year). Runs made before notices existed went from draft to published.
     */
    status: text('status', { enum: ['draft', 'notice', 'published', 'superseded'] }).notNull(),
    /** The notice period, both days included (Ningbo dates). */
    noticeFrom: text('notice_from'),
    noticeTo: text('notice_to'),
    noticedBy: text('noticed_by'),
    /** The first day its classes bind: Y+1-01-01 or the publication date, whichever is later. */
    bindingFrom: text('binding_from'),
    counts: text('counts', { mode: 'json' }).notNull().$type<Record<string, number>>(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    publishedAt: text('published_at'),
    publishedBy: text('published_by'),
    /** A publication recorded after the fact (made outside mujun): the correction's reason, document and reach. */
    correction: text('correction', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('evaluation_runs_year').on(t.year, t.status)],
)

/**
 * Per-enterprise results of a run, compact: what is read often, and what the trace is recomputed from (the figures
 * version it was rated on, the run's rulebook and peer statistics; see EvaluationService.trace). Frozen once the run
 * is published, but for a re-grade on review (the `class` column, with its objection).
 */
export const evaluationResults = sqliteTable(
  'evaluation_results',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => evaluationRuns.id),
    creditCode: text('credit_code').notNull(),
    county: text('county').notNull(),
    /** The enterprise's name and industry code as rated (they may change later). */
    name: text('name').notNull(),
    industryCode: text('industry_code').notNull(),
    sector: text('sector').notNull(),
    /** The version of the year's figures rated (`figures` or, once replaced, `figure_versions`). */
    figuresVersion: integer('figures_version'),
    status: text('status').notNull(),
    group: text('group_id'),
    score: real('score'),
    rank: integer('rank'),
    groupSize: integer('group_size'),
    initialClass: text('initial_class'),
    class: text('class'),
    /** The sector-table category, as pricing reads it. */
    category: text('category', { mode: 'json' }).$type<{
      table: string
      row: string | null
      category: string
      label: string
    }>(),
    /** Each scored indicator's points, in trace order, as little-endian float64s. */
    points: blob('points', { mode: 'buffer' }),
    /** Runs made before results were compact: the full result as it was stored then (null for compact rows). */
    legacy: text('legacy', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  // WITHOUT ROWID (migration 0008, which drizzle-kit cannot express: keep it if this table is ever rebuilt): rows
  // are stored in key order, so a run's million rows are appended in credit-code order with no second index.
  // Every read names the run, so no index on the credit code alone is needed.
  (t) => [primaryKey({ columns: [t.runId, t.creditCode] })],
)

/**
 * An enterprise's objection (异议) to its provisional result during a run's notice, and the bureau's review (复核):
 * upheld with a new class (a manual re-grade, 手动调档), or rejected, each with its reason. Never deleted.
 */
export const objections = sqliteTable(
  'objections',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: integer('run_id')
      .notNull()
      .references(() => evaluationRuns.id),
    creditCode: text('credit_code').notNull(),
    reason: text('reason').notNull(),
    evidence: text('evidence').notNull(),
    filedAt: text('filed_at').notNull(),
    filedBy: text('filed_by').notNull(),
    status: text('status', { enum: ['open', 'upheld', 'rejected'] }).notNull(),
    classBefore: text('class_before'),
    classAfter: text('class_after'),
    decision: text('decision'),
    decidedAt: text('decided_at'),
    decidedBy: text('decided_by'),
  },
  (t) => [index('objections_run').on(t.runId, t.creditCode)],
)

/**
 * The peer statistics of a run (see PeerFrame): a benchmark's statistic (`stat`) or a rank group's scores, best
 * first, as little-endian float64s (`scores`). A self-check reads these instead of re-rating the population.
 */
export const evaluationPeers = sqliteTable(
  'evaluation_peers',
  {
    runId: integer('run_id')
      .notNull()
      .references(() => evaluationRuns.id),
    key: text('key').notNull(),
    stat: real('stat'),
    scores: blob('scores', { mode: 'buffer' }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.key] })],
)

export { ROLES } from '../principal.ts'

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** sha256 of the token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    /** County code for `county`, credit code for `enterprise`, empty otherwise. */
    scope: text('scope').notNull().default(''),
    label: text('label').notNull(),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull().default(''),
    /** ISO date-time after which the token no longer works; null = no expiry. */
    expiresAt: text('expires_at'),
    revokedAt: text('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [uniqueIndex('api_tokens_hash').on(t.tokenHash)],
)

/**
 * A browser's login: the page cookie holds a random session id, never the API token; only the id's sha256 is
 * stored. A session ends at `expires_at`, after an idle spell (app/sessions), at logout, or with its token.
 */
export const webSessions = sqliteTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    tokenId: integer('token_id')
      .notNull()
      .references(() => apiTokens.id),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    /** When the session was last used (kept to the minute): the idle timeout counts from here. */
    seenAt: text('seen_at').notNull(),
  },
  (t) => [index('web_sessions_token').on(t.tokenId)],
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
    /**
     * sha256 over the previous entry's hash and this entry's fields as stored (see db/audit-chain): each entry seals
     * the ones before it, so an entry changed or removed later breaks every hash after it. Null on entries written
     * before migration 0016, where the chain starts.
     */
    hash: text('hash'),
  },
  (t) => [index('audit_subject').on(t.subject), index('audit_at').on(t.at)],
)

/**
 * A county's rectification project (整治提升项目) of the programme: a sector or a block (行业/区块) in a township, for
 * a programme year. `filedOn` is when the county filed it with the city office (市腾换办): the list's deadline is measured
 * against it. A project that builds a new industrial cluster (新型工业集聚区) names it and, once built, the day.
 */
export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    county: text('county').notNull(),
    year: integer('year').notNull(),
    kind: text('kind', { enum: ['sector', 'block'] }).notNull(),
    name: text('name').notNull(),
    township: text('township').notNull(),
    industryCode: text('industry_code'),
    startsOn: text('starts_on').notNull(),
    endsOn: text('ends_on').notNull(),
    cluster: text('cluster'),
    clusterBuiltOn: text('cluster_built_on'),
    status: text('status', { enum: ['active', 'completed', 'withdrawn'] }).notNull(),
    /** The day the list was filed with the city office (Ningbo date); before mujun, recorded as historic. */
    filedOn: text('filed_on').notNull(),
    registeredAt: text('registered_at').notNull(),
    registeredBy: text('registered_by').notNull(),
    version: integer('version').notNull().default(1),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [index('projects_county_year').on(t.county, t.year)],
)

/**
 * One enterprise's disposition in a project (一企一档): upgrade (改造提升), compliance (整治规范) or closure (淘汰关停),
 * with its deadline, status, evidence and what it freed (energy, water, land, jobs) once done. A done closure ends the
 * firm's surcharges once the economy office has verified it (see `disposition_verifications`). Every change bumps
 * `version` and is in the audit log with its before and after.
 */
export const dispositions = sqliteTable(
  'dispositions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id),
    creditCode: text('credit_code')
      .notNull()
      .references(() => enterprises.creditCode),
    county: text('county').notNull(),
    kind: text('kind', { enum: ['upgrade', 'compliance', 'closure'] }).notNull(),
    deadline: text('deadline').notNull(),
    status: text('status', { enum: ['planned', 'in_progress', 'done', 'abandoned'] }).notNull(),
    startedOn: text('started_on'),
    completedOn: text('completed_on'),
    evidence: text('evidence').notNull().default(''),
    changes: text('changes').notNull().default(''),
    /** Exact decimal strings, as entered: energy (tce), water (m³) and land (mu) freed, and jobs reduced. */
    energyFreedTce: text('energy_freed_tce').notNull().default('0'),
    waterFreedM3: text('water_freed_m3').notNull().default('0'),
    landFreedMu: text('land_freed_mu').notNull().default('0'),
    jobsReduced: integer('jobs_reduced').notNull().default(0),
    /**
     * The economy office's check (核验) of a done disposition: a closure ends the firm's surcharges only once verified,
     * so no county can end a firm's surcharges alone. Any later change of the record clears it.
     */
    verifiedOn: text('verified_on'),
    verifiedBy: text('verified_by'),
    /** The instant the verification was recorded (migration 0018); its history is in `disposition_verifications`. */
    verifiedAt: text('verified_at'),
    version: integer('version').notNull().default(1),
    createdAt: text('created_at').notNull(),
    createdBy: text('created_by').notNull(),
    updatedAt: text('updated_at').notNull(),
    updatedBy: text('updated_by').notNull(),
  },
  (t) => [
    uniqueIndex('dispositions_project_firm').on(t.projectId, t.creditCode),
    index('dispositions_firm').on(t.creditCode),
    index('dispositions_county').on(t.county, t.completedOn),
  ],
)

/**
 * A county's quarterly report (季报送) as submitted: the figures generated from the records at that moment, frozen.
 * Never replaced: a correction is a later submission of the same quarter (`seq`).
 */
export const programmeReports = sqliteTable(
  'programme_reports',
  {
    county: text('county').notNull(),
    quarter: text('quarter').notNull(),
    seq: integer('seq').notNull(),
    /** The day it was submitted (Ningbo date), measured against the due day; historic when before mujun. */
    submittedOn: text('submitted_on').notNull(),
    submittedAt: text('submitted_at').notNull(),
    submittedBy: text('submitted_by').notNull(),
    report: text('report', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  },
  (t) => [primaryKey({ columns: [t.county, t.quarter, t.seq] })],
)

/**
 * Every verification (核验) of a disposition and every clearing of one, in order: what a closure ends, and from which
 * day, as known at any instant (only rows recorded by then count). `effectiveFrom` is the day the verification
 * changes answers from: its own day (a closure ends surcharges from the later of its completion and its verification),
 * or, for a correction (reason and reference required), the completion day. Append-only (migration 0018).
 */
export const dispositionVerifications = sqliteTable(
  'disposition_verifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    dispositionId: integer('disposition_id')
      .notNull()
      .references(() => dispositions.id),
    projectId: integer('project_id').notNull(),
    creditCode: text('credit_code').notNull(),
    kind: text('kind', { enum: ['upgrade', 'compliance', 'closure'] }).notNull(),
    event: text('event', { enum: ['verified', 'cleared'] }).notNull(),
    /** The verified record's completion day, as it stood when verified (null when cleared). */
    completedOn: text('completed_on'),
    /** The day of the check (Ningbo date; null when cleared). */
    verifiedOn: text('verified_on'),
    effectiveFrom: text('effective_from'),
    /** A correction's reason and document reference (文号); null for a verification of its own day. */
    correctionReason: text('correction_reason'),
    correctionRef: text('correction_ref'),
    at: text('at').notNull(),
    by: text('by').notNull(),
  },
  (t) => [
    index('disposition_verifications_firm').on(t.creditCode, t.at),
    index('disposition_verifications_disposition').on(t.dispositionId),
  ],
)

/**
 * A county's claim that a record was filed or submitted before the day it reached mujun (a project list's `filedOn`,
 * a quarterly report's `submittedOn`): the programme's dates are the economy office's to certify, so the record
 * counts from the day it was sent (`sentOn`) until the office accepts the claim. Append-only (migration 0018).
 */
export const backdateRequests = sqliteTable(
  'backdate_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['project', 'report'] }).notNull(),
    county: text('county').notNull(),
    /** The project (kind `project`). */
    projectId: integer('project_id').references(() => projects.id),
    /** The submission (kind `report`). */
    quarter: text('quarter'),
    seq: integer('seq'),
    claimedOn: text('claimed_on').notNull(),
    sentOn: text('sent_on').notNull(),
    reason: text('reason').notNull(),
    requestedAt: text('requested_at').notNull(),
    requestedBy: text('requested_by').notNull(),
  },
  (t) => [
    index('backdate_requests_project').on(t.projectId),
    index('backdate_requests_report').on(t.county, t.quarter, t.seq),
  ],
)

/** The economy office's decision on a backdate request: one each, never changed (migration 0018). */
export const backdateDecisions = sqliteTable('backdate_decisions', {
  requestId: integer('request_id')
    .primaryKey()
    .references(() => backdateRequests.id),
  decision: text('decision', { enum: ['accepted', 'refused'] }).notNull(),
  reason: text('reason').notNull(),
  /** The document (文号) an acceptance rests on: accepting is a correction. */
  ref: text('ref'),
  decidedAt: text('decided_at').notNull(),
  decidedBy: text('decided_by').notNull(),
})

/** A year's fund allocation once fixed (定案): the full trace as computed, under the rules then in force. Immutable. */
export const fundAllocations = sqliteTable('fund_allocations', {
  year: integer('year').primaryKey(),
  fundId: text('fund_id').notNull(),
  rulebookVersionId: integer('rulebook_version_id')
    .notNull()
    .references(() => rulebookVersions.id),
  total: text('total').notNull(),
  allocation: text('allocation', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
  fixedAt: text('fixed_at').notNull(),
  fixedBy: text('fixed_by').notNull(),
})

/**
 * Moves whenever the enterprise register or any year's figures change (one row): answers derived from figures alone,
 * such as the programme's productivity totals, are kept until it moves, not only until the next write of any kind.
 */
export const registryStamp = sqliteTable('registry_stamp', {
  id: integer('id').primaryKey(),
  stamp: integer('stamp').notNull(),
})
