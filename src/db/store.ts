/**
 * Named queries and transactions over the database: what the HTTP API and the CLI share. Every multi-row change
 * runs in one transaction and writes an audit entry in the same transaction.
 * @module db/store
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { and, asc, desc, eq, gte, inArray, like, lte, sql } from 'drizzle-orm'
import { parse as parseYaml } from 'yaml'
import { toCsv } from '../enterprise/csv.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { AuthError, MujunError, NotFoundError } from '../errors.ts'
import { memoized, remember } from '../memo.ts'
import { previewOverride } from '../pricing/override-preview.ts'
import type { RatedFacts } from '../pricing/quote.ts'
import { figureProblems, type RatingResult, rate } from '../rating/rate.ts'
import { resultToJson } from '../rating/result-json.ts'
import { compileRulebook, type Rulebook, type RuleText } from '../rulebook/compile.ts'
import {
  applyTransition,
  type Decision,
  endOverride,
  type OverrideAction,
  TransitionError,
} from '../rulebook/override-workflow.ts'
import { HISTORY_YEARS } from '../rulebook/schema.ts'
import type { Db } from './client.ts'
import {
  apiTokens,
  auditLog,
  enterprises,
  evaluationResults,
  evaluationRuns,
  figures,
  overrideEvents,
  rulebookVersions,
} from './schema.ts'

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export type Role = 'bureau' | 'county' | 'utility' | 'enterprise'
export interface Principal {
  role: Role
  /** County code (county role) or credit code (enterprise role). */
  scope: string
  label: string
}

export class PreconditionError extends MujunError {
  constructor(message: string, status: 412 | 428) {
    super(status === 412 ? 'PRECONDITION_FAILED' : 'PRECONDITION_REQUIRED', message, { status })
  }
}
export class ConflictError extends MujunError {
  constructor(message: string) {
    super('CONFLICT', message, { status: 409 })
  }
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')
const etagOf = (kind: string, version: number) => `"${kind}${version}"`

export interface EnterpriseRow {
  creditCode: string
  name: string
  county: string
  industryCode: string
  version: number
  updatedAt: string
}

export class Store {
  private active?: { id: number; rulebook: Rulebook }
  private publishedCache = new Map<number, { id: number } | null>()
  private factsCache = new Map<string, readonly RatedFacts[]>()
  /** Derived answers (e.g. serialised tiers) that stay valid until any write; cleared by `changed()`. */
  readonly derived = new Map<string, unknown>()
  private enterpriseStmt?: {
    get(args: { code: string }): (EnterpriseRow & { updatedBy: string }) | undefined
  }
  /** Principals by the token itself: a Map lookup costs less than the sha256 of every request. */
  private tokenCache = new Map<string, Principal | null>()
  private enterpriseCache = new Map<string, Readonly<EnterpriseRow & { etag: string }>>()

  constructor(
    readonly db: Db,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Runs a write transaction, then forgets cached answers derived from the data it may have changed. */
  private write<T>(fn: (tx: Tx) => T): T {
    const out = this.db.transaction(fn)
    this.changed()
    return out
  }

  /** Forgets every cached answer derived from stored data; called by each write. */
  changed(): void {
    this.derived.clear()
    this.enterpriseCache.clear()
    this.factsCache.clear()
    this.publishedCache.clear()
  }

  // ---------------------------------------------------------------- audit
  /** Appends an audit entry inside the transaction `tx` whose change it records. */
  private audit(
    tx: Tx,
    actor: string,
    action: string,
    subject: string,
    detail: Record<string, unknown>,
    at: string = this.now(),
  ): void {
    tx.insert(auditLog).values({ at, actor, action, subject, detail }).run()
  }

  listAudit(filter: {
    subject?: string
    from?: string
    to?: string
    limit?: number
    offset?: number
  }) {
    const where = and(
      filter.subject ? like(auditLog.subject, `${filter.subject}%`) : undefined,
      filter.from ? gte(auditLog.at, filter.from) : undefined,
      filter.to ? lte(auditLog.at, `${filter.to}\uffff`) : undefined,
    )
    return this.db
      .select()
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.id))
      .limit(filter.limit ?? 100)
      .offset(filter.offset ?? 0)
      .all()
  }

  // ---------------------------------------------------------------- rulebook versions
  /** The rulebook in force: the newest stored version. */
  activeRulebook(): { id: number; rulebook: Rulebook } {
    if (this.active) return this.active
    const row = this.db
      .select()
      .from(rulebookVersions)
      .orderBy(desc(rulebookVersions.id))
      .limit(1)
      .get()
    if (!row) throw new NotFoundError('rulebook version')
    this.active = { id: row.id, rulebook: compileRulebook(row.files) }
    return this.active
  }

  /**
   * Stores a rulebook version after validating it exactly as `mujun rules check` does, and makes it the active one.
   * Files identical to a stored version are not stored twice (`created: false`).
   */
  saveRulebookVersion(
    files: RuleText[],
    actor: string,
    note: string,
    /** More writes that must commit with the version (e.g. an override's status event). */
    alongside?: (tx: Tx, versionId: number) => void,
  ): { id: number; hash: string; created: boolean; rulebook: Rulebook } {
    const rulebook = compileRulebook(files)
    const existing = this.db
      .select({ id: rulebookVersions.id })
      .from(rulebookVersions)
      .where(eq(rulebookVersions.hash, rulebook.hash))
      .get()
    if (existing) {
      // Already stored: if it is the active (newest) version, keep this compilation rather than compiling it again.
      const newest = this.db
        .select({ id: rulebookVersions.id })
        .from(rulebookVersions)
        .orderBy(desc(rulebookVersions.id))
        .limit(1)
        .get()
      if (!this.active && newest?.id === existing.id) this.active = { id: existing.id, rulebook }
      return { id: existing.id, hash: rulebook.hash, created: false, rulebook }
    }
    const id = this.db.transaction((tx) => {
      const row = tx
        .insert(rulebookVersions)
        .values({
          hash: rulebook.hash,
          files: rulebook.files,
          createdAt: this.now(),
          createdBy: actor,
          note,
        })
        .returning({ id: rulebookVersions.id })
        .get()
      this.audit(tx, actor, 'rulebook.version.create', `rulebook/${row.id}`, {
        hash: rulebook.hash,
        note,
        files: rulebook.files.map((f) => f.path),
      })
      alongside?.(tx, row.id)
      return row.id
    })
    this.active = { id, rulebook }
    this.changed()
    return { id, hash: rulebook.hash, created: true, rulebook }
  }

  listRulebookVersions() {
    return this.db
      .select({
        id: rulebookVersions.id,
        hash: rulebookVersions.hash,
        createdAt: rulebookVersions.createdAt,
        createdBy: rulebookVersions.createdBy,
        note: rulebookVersions.note,
      })
      .from(rulebookVersions)
      .orderBy(desc(rulebookVersions.id))
      .all()
  }

  getRulebookVersion(id: number) {
    const row = this.db.select().from(rulebookVersions).where(eq(rulebookVersions.id, id)).get()
    if (!row) throw new NotFoundError(`rulebook version ${id}`)
    return row
  }

  // ---------------------------------------------------------------- tokens
  /** Creates a token for a role and returns it; only its sha256 is stored. */
  createToken(
    role: Role,
    scope: string,
    label: string,
    token = `mj_${randomBytes(24).toString('base64url')}`,
  ): string {
    this.db
      .insert(apiTokens)
      .values({ tokenHash: hashToken(token), role, scope, label, createdAt: this.now() })
      .run()
    this.tokenCache.clear()
    return token
  }

  principalFor(token: string): Principal | undefined {
    const p = remember(
      this.tokenCache,
      token,
      () => {
        const h = hashToken(token)
        const row = this.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, h)).get()
        // The index finds the row by hash; compare in constant time anyway so no timing depends on the token.
        const ok = row && timingSafeEqual(Buffer.from(row.tokenHash, 'hex'), Buffer.from(h, 'hex'))
        return ok ? { role: row.role, scope: row.scope, label: row.label } : null
      },
      10_000,
    )
    return p ?? undefined
  }

  // ---------------------------------------------------------------- enterprises and figures
  getEnterprise(code: string): Readonly<EnterpriseRow & { etag: string }> {
    // Hot path of every tier and quote: cached until the next write, a prepared statement on a miss.
    return remember(
      this.enterpriseCache,
      code,
      () => {
        this.enterpriseStmt ??= this.db
          .select()
          .from(enterprises)
          .where(eq(enterprises.creditCode, sql.placeholder('code')))
          .prepare()
        const row = this.enterpriseStmt.get({ code })
        if (!row) throw new NotFoundError(`enterprise ${code}`)
        return Object.freeze({ ...row, etag: etagOf('e', row.version) })
      },
      100_000,
    )
  }

  listEnterprises(filter: { county?: string; limit: number; offset: number }) {
    const where = filter.county ? eq(enterprises.county, filter.county) : undefined
    const total = this.db
      .select({ n: sql<number>`count(*)` })
      .from(enterprises)
      .where(where)
      .get()!.n
    const rows = this.db
      .select()
      .from(enterprises)
      .where(where)
      .orderBy(asc(enterprises.creditCode))
      .limit(filter.limit)
      .offset(filter.offset)
      .all()
    return { total, rows }
  }

  createEnterprise(e: Omit<EnterpriseRow, 'version' | 'updatedAt'>, actor: string) {
    return this.write((tx) => {
      const exists = tx
        .select({ c: enterprises.creditCode })
        .from(enterprises)
        .where(eq(enterprises.creditCode, e.creditCode))
        .get()
      if (exists) throw new ConflictError(`enterprise ${e.creditCode} already exists`)
      tx.insert(enterprises)
        .values({ ...e, version: 1, updatedAt: this.now(), updatedBy: actor })
        .run()
      this.audit(tx, actor, 'enterprise.create', `enterprise/${e.creditCode}`, e)
      return { ...e, version: 1, etag: etagOf('e', 1) }
    })
  }

  /** Replaces an enterprise's identity fields; `ifMatch` must be its current ETag. */
  updateEnterprise(
    code: string,
    patch: { name: string; county: string; industryCode: string },
    ifMatch: string | undefined,
    actor: string,
  ) {
    return this.write((tx) => {
      const row = tx.select().from(enterprises).where(eq(enterprises.creditCode, code)).get()
      if (!row) throw new NotFoundError(`enterprise ${code}`)
      checkIfMatch(ifMatch, etagOf('e', row.version))
      tx.update(enterprises)
        .set({ ...patch, version: row.version + 1, updatedAt: this.now(), updatedBy: actor })
        .where(eq(enterprises.creditCode, code))
        .run()
      this.audit(tx, actor, 'enterprise.update', `enterprise/${code}`, {
        before: { name: row.name, county: row.county, industryCode: row.industryCode },
        after: patch,
      })
      return { ...row, ...patch, version: row.version + 1, etag: etagOf('e', row.version + 1) }
    })
  }

  getFigures(code: string, year: number) {
    const row = this.db
      .select()
      .from(figures)
      .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
      .get()
    if (!row) throw new NotFoundError(`figures of ${code} for ${year}`)
    return { ...row, etag: etagOf('f', row.version) }
  }

  /** Creates or replaces one year's figures. Replacing needs the current ETag in `ifMatch`. */
  putFigures(
    code: string,
    year: number,
    data: Record<string, number | boolean | string>,
    ifMatch: string | undefined,
    actor: string,
  ) {
    const problems = figureProblems(this.activeRulebook().rulebook, data)
    if (problems)
      throw new MujunError('FIGURES_INVALID', problems.join('; '), {
        status: 422,
        details: problems,
      })
    return this.write((tx) => {
      if (
        !tx
          .select({ c: enterprises.creditCode })
          .from(enterprises)
          .where(eq(enterprises.creditCode, code))
          .get()
      )
        throw new NotFoundError(`enterprise ${code}`)
      const row = tx
        .select()
        .from(figures)
        .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
        .get()
      if (row) checkIfMatch(ifMatch, etagOf('f', row.version))
      const version = (row?.version ?? 0) + 1
      if (row)
        tx.update(figures)
          .set({ data, version, updatedAt: this.now(), updatedBy: actor })
          .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
          .run()
      else
        tx.insert(figures)
          .values({
            creditCode: code,
            year,
            data,
            version,
            updatedAt: this.now(),
            updatedBy: actor,
          })
          .run()
      this.audit(
        tx,
        actor,
        row ? 'figures.replace' : 'figures.create',
        `enterprise/${code}/figures/${year}`,
        { before: row?.data ?? null, after: data },
      )
      return { creditCode: code, year, data, version, etag: etagOf('f', version) }
    })
  }

  /**
   * Imports enterprises and their figures for `year` in one transaction: all rows or none. Existing enterprises
   * have their identity and that year's figures replaced (a new version each).
   */
  importEnterprises(
    rows: Enterprise[],
    year: number,
    actor: string,
    onProgress?: (done: number, total: number) => void,
  ): { created: number; updated: number } {
    const rb = this.activeRulebook().rulebook
    for (const r of rows) {
      const p = figureProblems(rb, r.figures)
      if (p)
        throw new MujunError('FIGURES_INVALID', `${r.creditCode}: ${p.join('; ')}`, { status: 422 })
    }
    return this.write((tx) => {
      let created = 0
      let updated = 0
      const at = this.now()
      let done = 0
      for (const r of rows) {
        const data = Object.fromEntries(
          Object.entries(r.figures).filter(([, v]) => v !== undefined),
        ) as Record<string, number | boolean | string>
        const existing = tx
          .select({ version: enterprises.version })
          .from(enterprises)
          .where(eq(enterprises.creditCode, r.creditCode))
          .get()
        if (existing) {
          tx.update(enterprises)
            .set({
              name: r.name,
              county: r.county,
              industryCode: r.industryCode,
              version: existing.version + 1,
              updatedAt: at,
              updatedBy: actor,
            })
            .where(eq(enterprises.creditCode, r.creditCode))
            .run()
          updated++
        } else {
          tx.insert(enterprises)
            .values({
              creditCode: r.creditCode,
              name: r.name,
              county: r.county,
              industryCode: r.industryCode,
              version: 1,
              updatedAt: at,
              updatedBy: actor,
            })
            .run()
          created++
        }
        const f = tx
          .select({ version: figures.version })
          .from(figures)
          .where(and(eq(figures.creditCode, r.creditCode), eq(figures.year, year)))
          .get()
        if (f)
          tx.update(figures)
            .set({ data, version: f.version + 1, updatedAt: at, updatedBy: actor })
            .where(and(eq(figures.creditCode, r.creditCode), eq(figures.year, year)))
            .run()
        else
          tx.insert(figures)
            .values({
              creditCode: r.creditCode,
              year,
              data,
              version: 1,
              updatedAt: at,
              updatedBy: actor,
            })
            .run()
        done++
        if (onProgress && (done % 500 === 0 || done === rows.length)) onProgress(done, rows.length)
      }
      this.audit(
        tx,
        actor,
        'enterprises.import',
        `figures/${year}`,
        { rows: rows.length, created, updated },
        at,
      )
      return { created, updated }
    })
  }

  /**
   * What a pending override would change for the stored population of `year` (see previewOverride). It re-rates
   * the county twice, so it is cached until the next write: the overview page shows one per pending override.
   */
  overridePreview(overrideId: string, year: number): ReturnType<typeof previewOverride> {
    const { id, rulebook } = this.activeRulebook()
    return memoized(
      this.derived as Map<string, ReturnType<typeof previewOverride>>,
      `preview|${id}|${overrideId}|${year}`,
      () => previewOverride(rulebook, overrideId, this.population(year), year),
    )
  }

  /** The population with figures for `year`, as the core consumes it. */
  population(year: number): Enterprise[] {
    const rows = this.db
      .select({
        creditCode: enterprises.creditCode,
        name: enterprises.name,
        county: enterprises.county,
        industryCode: enterprises.industryCode,
        data: figures.data,
      })
      .from(figures)
      .innerJoin(enterprises, eq(figures.creditCode, enterprises.creditCode))
      .where(eq(figures.year, year))
      .all()
    return rows.map((r) => ({
      creditCode: r.creditCode,
      name: r.name,
      county: r.county,
      industryCode: r.industryCode,
      figures: r.data,
    }))
  }

  // ---------------------------------------------------------------- evaluations
  /** Rates everyone with figures for `year` under the active rulebook and stores the results as a draft run. */
  runEvaluation(
    year: number,
    actor: string,
    onProgress?: (stored: number, total: number) => void,
  ): { id: number; counts: Record<string, number> } {
    const { id: rulebookVersionId, rulebook } = this.activeRulebook()
    const population = this.population(year)
    if (population.length === 0)
      throw new MujunError('NO_FIGURES', `no enterprise has figures for ${year}`, { status: 422 })
    const results = rate(population, rulebook, year, { trusted: true })
    const counts: Record<string, number> = {}
    for (const r of results) counts[r.class ?? r.status] = (counts[r.class ?? r.status] ?? 0) + 1
    return this.write((tx) => {
      const run = tx
        .insert(evaluationRuns)
        .values({
          year,
          rulebookVersionId,
          status: 'draft',
          counts,
          createdAt: this.now(),
          createdBy: actor,
        })
        .returning({ id: evaluationRuns.id })
        .get()
      const rows = results.map((r) => resultRow(run.id, r))
      for (let i = 0; i < rows.length; i += 500) {
        tx.insert(evaluationResults)
          .values(rows.slice(i, i + 500))
          .run()
        onProgress?.(Math.min(i + 500, rows.length), rows.length)
      }
      this.audit(tx, actor, 'evaluation.run', `evaluation/${run.id}`, {
        year,
        rulebookVersionId,
        counts,
      })
      return { id: run.id, counts }
    })
  }

  /**
   * Publishes a draft run atomically: in one transaction the year's previous published run becomes superseded
   * and this one published, so a reader sees either the old run or the new one, never a mix.
   */
  publish(runId: number, actor: string) {
    const out = this.db.transaction((tx) => {
      const run = tx.select().from(evaluationRuns).where(eq(evaluationRuns.id, runId)).get()
      if (!run) throw new NotFoundError(`evaluation ${runId}`)
      if (run.status !== 'draft')
        throw new ConflictError(
          `evaluation ${runId} is ${run.status}; only a draft can be published`,
        )
      const previous = tx
        .select({ id: evaluationRuns.id })
        .from(evaluationRuns)
        .where(and(eq(evaluationRuns.year, run.year), eq(evaluationRuns.status, 'published')))
        .get()
      if (previous)
        tx.update(evaluationRuns)
          .set({ status: 'superseded' })
          .where(eq(evaluationRuns.id, previous.id))
          .run()
      tx.update(evaluationRuns)
        .set({ status: 'published', publishedAt: this.now(), publishedBy: actor })
        .where(eq(evaluationRuns.id, runId))
        .run()
      this.audit(tx, actor, 'evaluation.publish', `evaluation/${runId}`, {
        year: run.year,
        supersedes: previous?.id ?? null,
      })
      return { id: runId, year: run.year, supersedes: previous?.id ?? null }
    })
    this.changed()
    return out
  }

  getRun(id: number) {
    const run = this.db.select().from(evaluationRuns).where(eq(evaluationRuns.id, id)).get()
    if (!run) throw new NotFoundError(`evaluation ${id}`)
    return run
  }

  listRuns() {
    return this.db.select().from(evaluationRuns).orderBy(desc(evaluationRuns.id)).all()
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
    let q = this.db
      .select()
      .from(evaluationResults)
      .where(where)
      .orderBy(asc(evaluationResults.creditCode))
      .$dynamic()
    if (filter.limit !== undefined) q = q.limit(filter.limit).offset(filter.offset ?? 0)
    return q.all()
  }

  /** The published run of an evaluation year, if any. */
  publishedRun(year: number): { id: number } | undefined {
    if (!this.publishedCache.has(year)) {
      const row = this.db
        .select({ id: evaluationRuns.id })
        .from(evaluationRuns)
        .where(and(eq(evaluationRuns.year, year), eq(evaluationRuns.status, 'published')))
        .get()
      this.publishedCache.set(year, row ?? null)
    }
    return this.publishedCache.get(year) ?? undefined
  }

  /**
   * Published results of one enterprise for the evaluation years up to `lastYear`, as the pricing core needs
   * them: HISTORY_YEARS of them, enough for any consecutive-year rule (the schema caps those at that many).
   * Tier lookups and quotes read the same span, so their reasons agree.
   */
  history(code: string, lastYear: number): readonly RatedFacts[] {
    // Published results are frozen, so they are cached until the next publish. The array is frozen too: pricing
    // memoises each firm's tariff by the identity of its history.
    return remember(
      this.factsCache,
      `${code}|${lastYear}`,
      () => {
        const years = Array.from({ length: HISTORY_YEARS }, (_, i) => lastYear - i)
        return Object.freeze(this.ratedFactsUncached(code, years))
      },
      100_000,
    )
  }

  private ratedFactsUncached(code: string, years: number[]): RatedFacts[] {
    const out: RatedFacts[] = []
    const runIds = years
      .map((y) => this.publishedRun(y)?.id)
      .filter((x): x is number => x !== undefined)
    if (runIds.length === 0) return out
    const rows = this.db
      .select({ result: evaluationResults.result, year: evaluationRuns.year })
      .from(evaluationResults)
      .innerJoin(evaluationRuns, eq(evaluationResults.runId, evaluationRuns.id))
      .where(and(inArray(evaluationResults.runId, runIds), eq(evaluationResults.creditCode, code)))
      .all()
    for (const row of rows) {
      const r = row.result as ReturnType<typeof resultToJson> & { figures: RatedFacts['figures'] }
      out.push({
        creditCode: r.creditCode,
        county: r.county,
        year: r.year,
        class: r.class,
        category: r.category,
        sector: r.sector,
        figures: r.figures ?? {},
      })
    }
    return out.sort((a, b) => a.year - b.year)
  }

  /** A run's results as CSV (see RESULTS_CSV_HEADER); `onProgress` is told every 1,000 rows. */
  resultsCsv(
    runId: number,
    onProgress?: (done: number, total: number) => void,
  ): { csv: string; rows: number; year: number } {
    const run = this.getRun(runId)
    const rows = this.runResults(runId)
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

  // ---------------------------------------------------------------- county overrides
  /** Overrides in the active rulebook (a county sees its own), with their status history. */
  listOverrides(county?: string) {
    const { rulebook } = this.activeRulebook()
    return rulebook.overrides.filter((o) => !county || o.county === county).map(overrideView)
  }

  getOverride(id: string) {
    const { id: versionId, rulebook } = this.activeRulebook()
    const o = rulebook.overrides.find((x) => x.id === id)
    if (!o) throw new NotFoundError(`override ${id}`)
    return {
      ...overrideView(o),
      text: o.text,
      etag: `"rb${versionId}"`,
      events: this.overrideEvents(id),
    }
  }

  /** A county's new proposal: an override file in status draft, stored as a new rulebook version. */
  proposeOverride(text: string, actor: string, countyScope?: string) {
    const { rulebook } = this.activeRulebook()
    const doc = parseYaml(text) as {
      override?: { id?: string; county?: string; status?: string }
    } | null
    const id = doc?.override?.id
    if (!id || !/^[a-z][a-z0-9_-]*$/.test(id))
      throw new MujunError(
        'OVERRIDE_INVALID',
        'the text must be an override file with override.id (lower-case id)',
        { status: 422 },
      )
    if (doc.override?.status !== 'draft')
      throw new MujunError(
        'OVERRIDE_INVALID',
        `a new override starts as draft (status is ${doc.override?.status})`,
        { status: 422 },
      )
    if (countyScope && doc.override?.county !== countyScope)
      throw new AuthError(
        403,
        `a county token for ${countyScope} cannot propose for ${doc.override?.county}`,
      )
    if (rulebook.overrides.some((o) => o.id === id))
      throw new ConflictError(`override ${id} already exists`)
    const path = `counties/${id}.yaml`
    const v = this.saveRulebookVersion(
      [...rulebook.files.filter((f) => f.path !== path), { path, text }],
      actor,
      `override ${id} proposed`,
      (tx, versionId) => {
        tx.insert(overrideEvents)
          .values({
            overrideId: id,
            county: doc.override!.county!,
            fromStatus: null,
            toStatus: 'draft',
            at: this.now(),
            by: actor,
            reason: 'proposed',
            rulebookVersionId: versionId,
          })
          .run()
      },
    )
    return { ...this.getOverride(id), rulebookVersion: v.id }
  }

  /** An override, checked to belong to `countyScope` when a county acts on it. */
  private overrideFor(id: string, countyScope?: string) {
    const current = this.getOverride(id)
    if (countyScope && current.county !== countyScope) {
      throw new AuthError(403, `override ${id} belongs to county ${current.county}`)
    }
    return current
  }

  /** Replaces a draft override's text (If-Match: the active rulebook version's ETag). */
  editOverride(
    id: string,
    text: string,
    ifMatch: string | undefined,
    actor: string,
    countyScope?: string,
  ) {
    const current = this.overrideFor(id, countyScope)
    checkIfMatch(ifMatch, current.etag)
    if (current.status !== 'draft')
      throw new TransitionError(
        `cannot edit override '${id}': it is ${current.status}; only a draft can be edited`,
      )
    const doc = parseYaml(text) as {
      override?: { id?: string; status?: string; county?: string }
    } | null
    if (
      doc?.override?.id !== id ||
      doc.override.status !== 'draft' ||
      doc.override.county !== current.county
    ) {
      throw new MujunError(
        'OVERRIDE_INVALID',
        'an edit keeps the id, the county and the status draft',
        { status: 422 },
      )
    }
    const { rulebook } = this.activeRulebook()
    this.saveRulebookVersion(
      rulebook.files.map((f) => (f.path === current.file ? { ...f, text } : f)),
      actor,
      `override ${id} edited`,
      (tx, versionId) => {
        tx.insert(overrideEvents)
          .values({
            overrideId: id,
            county: current.county,
            fromStatus: 'draft',
            toStatus: 'draft',
            at: this.now(),
            by: actor,
            reason: 'edited',
            rulebookVersionId: versionId,
          })
          .run()
      },
    )
    return this.getOverride(id)
  }

  /** Moves an override through its workflow; every step is a new rulebook version, an event and an audit entry. */
  transitionOverride(
    id: string,
    action: OverrideAction,
    decision: Omit<Decision, 'date'> & { date?: string },
    actor: string,
    countyScope?: string,
  ) {
    const current = this.overrideFor(id, countyScope)
    const date = decision.date ?? this.now().slice(0, 10)
    const { rulebook } = this.activeRulebook()
    const { text, from, to } = applyTransition(current.text, action, { ...decision, date })
    let files = rulebook.files.map((f) => (f.path === current.file ? { ...f, text } : f))
    const supersedes = current.header.supersedes
    if (action === 'file' && supersedes) {
      const old = rulebook.overrides.find((o) => o.id === supersedes)
      if (!old) throw new NotFoundError(`override ${supersedes} (superseded by ${id})`)
      if (old.status === 'filed')
        files = files.map((f) =>
          f.path === old.file ? { ...f, text: endOverride(f.text, current.from) } : f,
        )
    }
    this.saveRulebookVersion(files, actor, `override ${id}: ${from} → ${to}`, (tx, versionId) => {
      tx.insert(overrideEvents)
        .values({
          overrideId: id,
          county: current.county,
          fromStatus: from,
          toStatus: to,
          at: this.now(),
          by: actor,
          reason: decision.reason ?? '',
          ref: decision.ref ?? null,
          rulebookVersionId: versionId,
        })
        .run()
      this.audit(tx, actor, `override.${action}`, `override/${id}`, {
        from,
        to,
        ref: decision.ref ?? null,
        reason: decision.reason ?? null,
        date,
      })
    })
    return this.getOverride(id)
  }

  overrideEvents(overrideId?: string) {
    return this.db
      .select()
      .from(overrideEvents)
      .where(overrideId ? eq(overrideEvents.overrideId, overrideId) : undefined)
      .orderBy(asc(overrideEvents.id))
      .all()
  }
}

/** The public view of an override (its text and history are added where needed). */
function overrideView(o: Rulebook['overrides'][number]) {
  return {
    id: o.id,
    county: o.county,
    label: o.label,
    status: o.status,
    from: o.from,
    to: o.to ?? null,
    file: o.file,
    header: o.header,
  }
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

function checkIfMatch(ifMatch: string | undefined, current: string): void {
  if (ifMatch === undefined)
    throw new PreconditionError(
      `this write replaces a stored version: send If-Match: ${current}`,
      428,
    )
  if (ifMatch !== current && ifMatch !== '*')
    throw new PreconditionError(
      `If-Match ${ifMatch} is stale; the current version is ${current}`,
      412,
    )
}

function resultRow(runId: number, r: RatingResult) {
  return {
    runId,
    creditCode: r.creditCode,
    county: r.county,
    status: r.status,
    group: r.group,
    score: r.score,
    rank: r.rank,
    groupSize: r.groupSize,
    initialClass: r.initialClass,
    class: r.class,
    category: r.category?.category ?? null,
    result: { ...resultToJson(r), figures: r.figures } as Record<string, unknown>,
  }
}
