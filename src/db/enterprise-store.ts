/**
 * Enterprises (the register) and their yearly figures, with the figure versions they replaced and the registry
 * stamp that moves with any change to either.
 * @module db/enterprise-store
 */
import { and, asc, eq, sql } from 'drizzle-orm'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { ConflictError, NotFoundError } from '../errors.ts'
import { type BaseStore, checkIfMatch, etagOf, type Tx } from './base-store.ts'
import { enterprises, figures, figureVersions } from './schema.ts'

/** Rows a page of `population` reads at once. */
export const POPULATION_PAGE = 5000
/** A page of `population`: year, then the last credit code of the page before ('' for the first). */
export const POPULATION_PAGE_SQL = `SELECT e.credit_code, e.name, e.county, e.industry_code, f.data, f.version
   FROM figures f JOIN enterprises e ON e.credit_code = f.credit_code
  WHERE f.year = ? AND f.credit_code > ?
  ORDER BY f.credit_code LIMIT ${POPULATION_PAGE}`

export interface EnterpriseRow {
  creditCode: string
  name: string
  county: string
  industryCode: string
  version: number
  updatedAt: string
  updatedBy: string
}

/** An enterprise row as the raw reads return it (the shape of EnterpriseRow). */
const ENTERPRISE_SELECT = `SELECT credit_code AS creditCode, name, county, industry_code AS industryCode, version,
  updated_at AS updatedAt, updated_by AS updatedBy FROM enterprises`
const enterpriseView = (row: EnterpriseRow): Readonly<EnterpriseRow & { etag: string }> =>
  Object.freeze({ ...row, etag: etagOf('e', row.version) })

export class EnterpriseStore {
  constructor(private readonly core: BaseStore) {}

  /**
   * How many firms have `year`'s figures, and the sums of some of their numeric figures (a non-number counts 0), in
   * SQL: of the above-scale firms only, or of the firms of one class in a run. The overview reads these instead of
   * loading a population.
   */
  figureTotals(
    year: number,
    ids: string[],
    filter: { aboveScale?: true; run?: { id: number; class: string } } = {},
  ): { firms: number; sums: Record<string, number> } {
    const sums = ids.map(
      (_, i) =>
        `total(CASE json_type(f.data, @p${i}) WHEN 'integer' THEN json_extract(f.data, @p${i}) WHEN 'real' THEN json_extract(f.data, @p${i}) END)`,
    )
    const where = [
      'f.year = @year',
      ...(filter.aboveScale ? [`json_extract(f.data, '$.above_scale') = 1`] : []),
      ...(filter.run ? ['r.run_id = @run', 'r.class = @class'] : []),
    ]
    const row = this.core.db.$client
      .prepare(
        `SELECT count(*) AS firms${sums.map((x, i) => `, ${x} AS s${i}`).join('')}
           FROM figures f
           ${filter.run ? 'JOIN evaluation_results r ON r.credit_code = f.credit_code' : ''}
          WHERE ${where.join(' AND ')}`,
      )
      .get({
        year,
        ...Object.fromEntries(ids.map((id, i) => [`p${i}`, `$.${id}`])),
        ...(filter.run && { run: filter.run.id, class: filter.run.class }),
      }) as Record<string, number>
    return { firms: row.firms, sums: Object.fromEntries(ids.map((id, i) => [id, row[`s${i}`]])) }
  }

  /**
   * Above-scale firms' totals of `ids` in a year per county (the county the firm is registered in now), over the
   * next `size` firms of the year after credit code `after` in key order: one bounded step of a pass over the year,
   * so a caller can let other requests in between steps. `next` is the last code the step took, or null when the
   * year is done.
   */
  aboveScaleTotalsStep(
    year: number,
    ids: string[],
    after: string,
    size: number,
  ): {
    byCounty: Map<string, { firms: number; sums: Record<string, number> }>
    next: string | null
  } {
    const end = this.core
      .statement(
        'figureKeyAt',
        () =>
          'SELECT credit_code AS code FROM figures WHERE year = ? AND credit_code > ? ORDER BY credit_code LIMIT 1 OFFSET ?',
      )
      .get(year, after, size - 1) as { code: string } | undefined
    const sums = ids.map(
      (_, i) =>
        `total(CASE json_type(f.data, @p${i}) WHEN 'integer' THEN json_extract(f.data, @p${i}) WHEN 'real' THEN json_extract(f.data, @p${i}) END)`,
    )
    // Prepared once per shape (a pass at a million firms takes a hundred steps).
    const rows = this.core
      .statement(
        `aboveScaleStep|${ids.length}|${end ? 'bounded' : 'last'}`,
        () =>
          `SELECT e.county AS county, count(*) AS firms${sums.map((x, i) => `, ${x} AS s${i}`).join('')}
           FROM figures f JOIN enterprises e ON e.credit_code = f.credit_code
          WHERE f.year = @year AND f.credit_code > @after${end ? ' AND f.credit_code <= @end' : ''}
            AND json_extract(f.data, '$.above_scale') = 1
          GROUP BY e.county`,
      )
      .all({
        year,
        after,
        ...(end && { end: end.code }),
        ...Object.fromEntries(ids.map((id, i) => [`p${i}`, `$.${id}`])),
      }) as Record<string, number | string>[]
    return {
      byCounty: new Map(
        rows.map((r) => [
          String(r.county),
          {
            firms: Number(r.firms),
            sums: Object.fromEntries(ids.map((id, i) => [id, Number(r[`s${i}`])])),
          },
        ]),
      ),
      next: end?.code ?? null,
    }
  }

  /** The register or the figures changed, in the transaction `tx` that changes them (see registry_stamp). */
  bumpRegistry(tx: Tx): void {
    tx.run(
      sql`INSERT INTO registry_stamp (id, stamp) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET stamp = stamp + 1`,
    )
  }

  /** How many times the register or the figures have changed (0 before the first change). */
  registryStamp(): number {
    const row = this.core
      .statement('registryStamp', () => 'SELECT stamp FROM registry_stamp WHERE id = 1')
      .get() as { stamp: number } | undefined
    return row?.stamp ?? 0
  }

  /** One enterprise by credit code (a prepared statement: tier and quote lookups read it on every cache miss). */
  getEnterprise(code: string): Readonly<EnterpriseRow & { etag: string }> {
    // A raw statement: every quote and tier miss reads one row, and the query builder's row mapping costs more
    // than the lookup.
    const row = this.core
      .statement('enterprise', () => `${ENTERPRISE_SELECT} WHERE credit_code = ?`)
      .get(code) as EnterpriseRow | undefined
    if (!row) throw new NotFoundError(`enterprise ${code}`)
    return enterpriseView(row)
  }

  /** The stored enterprises among `codes` (one statement for any number: a billing run reads them in bulk). */
  enterprisesByCodes(codes: string[]): Readonly<EnterpriseRow & { etag: string }>[] {
    const rows = this.core
      .statement(
        'enterprises',
        () => `${ENTERPRISE_SELECT} WHERE credit_code IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(codes)) as EnterpriseRow[]
    return rows.map(enterpriseView)
  }

  listEnterprises(filter: { county?: string; limit: number; offset: number }) {
    const where = filter.county ? eq(enterprises.county, filter.county) : undefined
    const total = this.core.db
      .select({ n: sql<number>`count(*)` })
      .from(enterprises)
      .where(where)
      .get()!.n
    const rows = this.core.db
      .select()
      .from(enterprises)
      .where(where)
      .orderBy(asc(enterprises.creditCode))
      .limit(filter.limit)
      .offset(filter.offset)
      .all()
    return { total, rows }
  }

  createEnterprise(e: Omit<EnterpriseRow, 'version' | 'updatedAt' | 'updatedBy'>, actor: string) {
    return this.core.write((tx) => {
      this.bumpRegistry(tx)
      const exists = tx
        .select({ c: enterprises.creditCode })
        .from(enterprises)
        .where(eq(enterprises.creditCode, e.creditCode))
        .get()
      if (exists) throw new ConflictError(`enterprise ${e.creditCode} already exists`)
      const at = this.core.now()
      tx.insert(enterprises)
        .values({ ...e, version: 1, updatedAt: at, updatedBy: actor })
        .run()
      this.core.audit(tx, actor, 'enterprise.create', `enterprise/${e.creditCode}`, e)
      return { ...e, version: 1, updatedAt: at, updatedBy: actor, etag: etagOf('e', 1) }
    })
  }

  /** Replaces an enterprise's identity fields; `ifMatch` must be its current ETag. */
  updateEnterprise(
    code: string,
    patch: { name: string; county: string; industryCode: string },
    ifMatch: string | undefined,
    actor: string,
  ) {
    return this.core.write((tx) => {
      this.bumpRegistry(tx)
      const row = tx.select().from(enterprises).where(eq(enterprises.creditCode, code)).get()
      if (!row) throw new NotFoundError(`enterprise ${code}`)
      checkIfMatch(ifMatch, etagOf('e', row.version))
      const at = this.core.now()
      tx.update(enterprises)
        .set({ ...patch, version: row.version + 1, updatedAt: at, updatedBy: actor })
        .where(eq(enterprises.creditCode, code))
        .run()
      this.core.audit(tx, actor, 'enterprise.update', `enterprise/${code}`, {
        before: { name: row.name, county: row.county, industryCode: row.industryCode },
        after: patch,
      })
      return {
        ...row,
        ...patch,
        version: row.version + 1,
        updatedAt: at,
        updatedBy: actor,
        etag: etagOf('e', row.version + 1),
      }
    })
  }

  getFigures(code: string, year: number) {
    const row = this.core.db
      .select()
      .from(figures)
      .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
      .get()
    if (!row) throw new NotFoundError(`figures of ${code} for ${year}`)
    return { ...row, etag: etagOf('f', row.version) }
  }

  /**
   * A firm's figures of its latest year, if it has any. Figures are keyed year first, so this walks the stored years
   * down (one index seek each, a handful of years) rather than scanning a city's figures for one credit code.
   */
  latestFigures(
    code: string,
  ): { year: number; data: Record<string, number | boolean | string> } | undefined {
    const below = this.core
      .statement('latest-figures-year', () => 'SELECT max(year) FROM figures WHERE year < ?')
      .pluck()
    const of = this.core
      .statement(
        'latest-figures-of',
        () => 'SELECT data FROM figures WHERE year = ? AND credit_code = ?',
      )
      .pluck()
    for (let year = below.get(Number.MAX_SAFE_INTEGER) as number | null; year !== null; ) {
      const data = of.get(year, code) as string | undefined
      if (data !== undefined) return { year, data: JSON.parse(data) }
      year = below.get(year) as number | null
    }
    return undefined
  }

  /**
   * Who entered a version of a firm's figures of a year, and when: the version in force, or a replaced one (kept in
   * figure_versions). Undefined when no such version was stored.
   */
  figuresEntry(
    code: string,
    year: number,
    version: number,
  ): { version: number; updatedAt: string; updatedBy: string } | undefined {
    const pick = {
      version: figures.version,
      updatedAt: figures.updatedAt,
      updatedBy: figures.updatedBy,
    }
    const current = this.core.db
      .select(pick)
      .from(figures)
      .where(
        and(eq(figures.creditCode, code), eq(figures.year, year), eq(figures.version, version)),
      )
      .get()
    if (current) return current
    return this.core.db
      .select({
        version: figureVersions.version,
        updatedAt: figureVersions.updatedAt,
        updatedBy: figureVersions.updatedBy,
      })
      .from(figureVersions)
      .where(
        and(
          eq(figureVersions.creditCode, code),
          eq(figureVersions.year, year),
          eq(figureVersions.version, version),
        ),
      )
      .get()
  }

  /** Creates or replaces one year's figures (checked by the caller). Replacing needs the current ETag in `ifMatch`. */
  putFigures(
    code: string,
    year: number,
    data: Record<string, number | boolean | string>,
    ifMatch: string | undefined,
    actor: string,
  ) {
    return this.core.write((tx) => {
      this.bumpRegistry(tx)
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
          .set({ data, version, updatedAt: this.core.now(), updatedBy: actor })
          .where(and(eq(figures.creditCode, code), eq(figures.year, year)))
          .run()
      else
        tx.insert(figures)
          .values({
            creditCode: code,
            year,
            data,
            version,
            updatedAt: this.core.now(),
            updatedBy: actor,
          })
          .run()
      this.core.audit(
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
   * Imports enterprises and their figures for `year` (checked by the caller) in one transaction: all rows or none.
   * Existing enterprises have their identity and that year's figures replaced where they differ (a new version
   * each; the database keeps the replaced figures in figure_versions, see migration 0011). Raw upserts in credit-code order: a million rows cost
   * a few statements each, no reads from JavaScript.
   */
  importEnterprises(
    rows: Enterprise[],
    year: number,
    actor: string,
    onProgress?: (done: number, total: number) => void,
  ): { created: number; updated: number } {
    return this.core.write((tx) => {
      this.bumpRegistry(tx)
      const c = this.core.db.$client
      // One upsert a firm, no RETURNING: an identity that is unchanged is left as it is (version included), and the
      // firms created are counted from the table before and after.
      const upsertEnterprise = c.prepare(
        `INSERT INTO enterprises (credit_code, name, county, industry_code, version, updated_at, updated_by)
         VALUES (?, ?, ?, ?, 1, ?, ?)
         ON CONFLICT (credit_code) DO UPDATE SET name = excluded.name, county = excluded.county,
           industry_code = excluded.industry_code, version = enterprises.version + 1,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by
         WHERE enterprises.name IS NOT excluded.name OR enterprises.county IS NOT excluded.county
            OR enterprises.industry_code IS NOT excluded.industry_code`,
      )
      const countEnterprises = c.prepare('SELECT count(*) FROM enterprises').pluck()
      const before = countEnterprises.get() as number
      // Unchanged identities and figures keep their version: importing the same file twice changes nothing.
      const upsertFigures = c.prepare(
        `INSERT INTO figures (credit_code, year, data, version, updated_at, updated_by) VALUES (?, ?, ?, 1, ?, ?)
         ON CONFLICT (credit_code, year) DO UPDATE SET data = excluded.data, version = figures.version + 1,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by
         WHERE figures.data IS NOT excluded.data`,
      )
      const at = this.core.now()
      let done = 0
      // In credit-code order: each B-tree insert appends, and a year's figures lie in the order they are read.
      // Sorted as strings without a comparator (native comparison, no callback per pair: a second faster at a
      // million), each code followed by NUL and its row index.
      const order = rows.map((r, i) => `${r.creditCode}\u0000${i}`)
      order.sort()
      for (const key of order) {
        const r = rows[Number(key.slice(key.lastIndexOf('\u0000') + 1))]
        let data = '{'
        for (const k in r.figures) {
          const v = r.figures[k]
          if (v !== undefined)
            data += `${data.length > 1 ? ',' : ''}${JSON.stringify(k)}:${JSON.stringify(v)}`
        }
        data += '}'
        upsertEnterprise.run(r.creditCode, r.name, r.county, r.industryCode, at, actor)
        upsertFigures.run(r.creditCode, year, data, at, actor)
        done++
        if (onProgress && (done % 10_000 === 0 || done === rows.length))
          onProgress(done, rows.length)
      }
      const created = (countEnterprises.get() as number) - before
      const updated = rows.length - created
      this.core.audit(
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
   * The population with figures for `year`, as the core consumes it, each with the version of its figures. A raw
   * statement: at a million rows, the query builder's row mapping costs seconds. `onPage` is told after each page
   * (the tests commit from another connection there).
   */
  population(year: number, onPage?: (read: number) => void): Enterprise[] {
    // In pages of 5,000 rows by credit code, each read whole by one call into the driver, not one a row through an
    // iterator.
    const db = this.core.db.$client
    const page = db.prepare(POPULATION_PAGE_SQL).raw()
    const out: Enterprise[] = []
    // A few dozen distinct counties and industry codes: one string each, not one per firm.
    const strings = new Map<string, string>()
    const intern = (s: string) => {
      const seen = strings.get(s)
      if (seen !== undefined) return seen
      strings.set(s, s)
      return s
    }
    // Every page in one read transaction: from the snapshot its first page takes, so that a commit made between two
    // pages (an import by another process) is seen by none of them rather than by the pages after it.
    const read = db.transaction(() => {
      let after = ''
      for (;;) {
        const rows = page.all(year, after) as [string, string, string, string, string, number][]
        for (const r of rows)
          out.push({
            creditCode: r[0],
            name: r[1],
            county: intern(r[2]),
            industryCode: intern(r[3]),
            figures: JSON.parse(r[4]),
            figuresVersion: r[5],
          })
        if (rows.length < POPULATION_PAGE) return
        onPage?.(out.length)
        after = rows[rows.length - 1][0]
      }
    })
    read.deferred()
    return out
  }

  /** One year's figures as they were at `version` (the current row, or a replaced one kept in figure_versions). */
  figuresAt(code: string, year: number, version: number): Enterprise['figures'] | undefined {
    const row = this.core
      .statement(
        'figuresAt',
        () =>
          `SELECT data FROM figures WHERE credit_code = @code AND year = @year AND version = @version
         UNION ALL
         SELECT data FROM figure_versions WHERE credit_code = @code AND year = @year AND version = @version`,
      )
      .pluck()
      .get({ code, year, version }) as string | undefined
    return row === undefined ? undefined : JSON.parse(row)
  }

  /**
   * Every version of a year's figures that puts a firm on plot `id` (text input `input`, see the rules' `plots`):
   * credit code, version and figures, current and replaced (a stored result names the version it rated).
   */
  figuresOnPlot(
    year: number,
    input: string,
    id: string,
  ): { creditCode: string; version: number; figures: Enterprise['figures'] }[] {
    const rows = this.core
      .statement(
        'figuresOnPlot',
        () =>
          `SELECT credit_code AS creditCode, version, data FROM figures
             WHERE year = @year AND json_extract(data, @path) = @id
           UNION ALL
           SELECT credit_code AS creditCode, version, data FROM figure_versions
             WHERE year = @year AND json_extract(data, @path) = @id`,
      )
      .all({ year, path: `$."${input}"`, id }) as {
      creditCode: string
      version: number
      data: string
    }[]
    return rows.map((r) => ({
      creditCode: r.creditCode,
      version: r.version,
      figures: JSON.parse(r.data),
    }))
  }

  /** Every registered credit code, in order (a preview walks the register in chunks). */
  creditCodes(): string[] {
    return this.core
      .statement('creditCodes', () => 'SELECT credit_code FROM enterprises ORDER BY credit_code')
      .pluck()
      .all() as string[]
  }

  /**
   * Registered firms' credit codes and counties by credit code (of one county when given): all, or with `page` the
   * next `limit` after credit code `after` (a walk over a city's register in pages, never all of it at once).
   */
  firmCounties(
    county?: string,
    page?: { after: string; limit: number },
  ): { code: string; county: string }[] {
    const where = [county !== undefined && 'county = @county', page && 'credit_code > @after']
      .filter(Boolean)
      .join(' AND ')
    return this.core
      .statement(
        `firmCounties|${county !== undefined}|${page !== undefined}`,
        () =>
          `SELECT credit_code AS code, county FROM enterprises ${where ? `WHERE ${where}` : ''} ORDER BY credit_code${page ? ' LIMIT @limit' : ''}`,
      )
      .all({
        ...(county !== undefined && { county }),
        ...(page && { after: page.after, limit: page.limit }),
      }) as { code: string; county: string }[]
  }
}
