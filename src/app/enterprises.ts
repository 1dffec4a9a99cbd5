/**
 * Enterprises and their annual figures: read (each role within its scope), create, replace with If-Match,
 * figures checked against the rulebook in force, bulk CSV import (all rows or none).
 * @module app/enterprises
 */
import type { EnterpriseRow } from '../db/enterprise-store.ts'
import type { Store } from '../db/store.ts'
import { decodeCsvBytes, parseEnterprisesCsv } from '../enterprise/csv.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { AuthError, MujunError, NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { figureProblems } from '../rating/rate.ts'
import { type Action, actorOf, authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import { ownCounty, ownCreditCode } from './permissions.ts'
import type { RulebookService } from './rulebooks.ts'

type Figures = Record<string, number | boolean | string>
export type EnterpriseView = Readonly<EnterpriseRow & { etag: string }>

/** The cache key of an enterprise's stored row (read by `row`, filled ahead by `prefetch`). */
const rowKey = (code: string) => `enterprise|${code}`

export class EnterpriseService {
  constructor(
    private readonly store: Store,
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
  ) {}

  /** The stored enterprise, from the cache (tier and quote lookups read it on every request). */
  row(code: string): EnterpriseView {
    return this.cache.get(
      rowKey(code),
      () => this.store.getEnterprise(code),
      () => 400,
    )
  }

  /** Reads the stored rows among `codes` in one statement and keeps each in the cache, as `row` would have. */
  prefetch(codes: string[]): void {
    const revision = this.store.cachedRevision
    for (const e of this.store.enterprisesByCodes(codes))
      this.cache.put(rowKey(e.creditCode), e, revision, () => 400)
  }

  /**
   * An enterprise as `p` may see it. A token scoped to another enterprise or county gets 403 whether or not the
   * code exists, so a scoped token learns nothing about other firms.
   */
  visible(p: Principal | undefined, code: string, action: Action): EnterpriseView {
    const who = authorize(p, action)
    if (ownCreditCode(who) !== undefined && who.scope !== code)
      throw new AuthError(403, `this enterprise token is scoped to ${who.scope}`)
    let e: EnterpriseView
    try {
      e = this.row(code)
    } catch (err) {
      if (err instanceof NotFoundError && ownCounty(who) !== undefined)
        throw new AuthError(403, `enterprise ${code} is not in county ${who.scope}`)
      throw err
    }
    if (ownCounty(who) !== undefined && e.county !== who.scope)
      throw new AuthError(403, `enterprise ${code} is not in county ${who.scope}`)
    return e
  }

  get(p: Principal | undefined, code: string): EnterpriseView {
    return this.visible(p, code, 'enterprise.read')
  }

  list(p: Principal | undefined, q: { county?: string; limit: number; offset: number }) {
    const who = authorize(p, 'enterprise.list')
    const county = ownCounty(who) ?? q.county
    return this.store.listEnterprises({ county, limit: q.limit, offset: q.offset })
  }

  create(
    p: Principal | undefined,
    e: { creditCode: string; name: string; county: string; industryCode: string },
  ) {
    const who = authorize(p, 'enterprise.write')
    this.checkCounty(e.county)
    return this.store.createEnterprise(e, actorOf(who))
  }

  update(
    p: Principal | undefined,
    code: string,
    patch: { name: string; county: string; industryCode: string },
    ifMatch: string | undefined,
  ) {
    const who = authorize(p, 'enterprise.write')
    this.checkCounty(patch.county)
    return this.store.updateEnterprise(code, patch, ifMatch, actorOf(who))
  }

  figures(p: Principal | undefined, code: string, year: number) {
    this.get(p, code)
    return this.store.getFigures(code, year)
  }

  putFigures(
    p: Principal | undefined,
    code: string,
    year: number,
    data: Figures,
    ifMatch: string | undefined,
  ) {
    const who = authorize(p, 'enterprise.write')
    const problems = figureProblems(this.rulebooks.active().rulebook, data)
    if (problems)
      throw new MujunError('FIGURES_INVALID', problems.join('; '), {
        status: 422,
        details: problems,
      })
    return this.store.putFigures(code, year, data, ifMatch, actorOf(who))
  }

  /** Imports parsed rows for `year`, each checked against the rulebook in force first: all rows or none. */
  importRows(
    p: Principal | undefined,
    rows: Enterprise[],
    year: number,
    onProgress?: (done: number, total: number) => void,
  ) {
    const who = authorize(p, 'enterprise.write')
    const rb = this.rulebooks.active().rulebook
    for (const r of rows) {
      const problem = figureProblems(rb, r.figures)
      if (problem)
        throw new MujunError('FIGURES_INVALID', `${r.creditCode}: ${problem.join('; ')}`, {
          status: 422,
        })
    }
    return this.store.importEnterprises(rows, year, actorOf(who), onProgress)
  }

  /** A CSV (UTF-8 with or without BOM, or GBK) of enterprises and one year's figures. */
  importCsv(
    p: Principal | undefined,
    bytes: Uint8Array,
    year: number,
    skipBad: boolean,
    onProgress?: (done: number, total: number) => void,
  ) {
    authorize(p, 'enterprise.write')
    const { text, encoding } = decodeCsvBytes(bytes)
    const parsed = parseEnterprisesCsv(text, this.rulebooks.active().rulebook)
    if (parsed.problems.length > 0 && !skipBad) {
      throw new MujunError(
        'CSV_INVALID',
        `${parsed.problems.length} bad row(s); nothing was imported: ${parsed.problems
          .slice(0, 20)
          .map((x) => `row ${x.row}${x.column ? ` column ${x.column}` : ''}: ${x.message}`)
          .join('; ')}`,
        { status: 422, details: parsed.problems },
      )
    }
    return {
      year,
      rows: parsed.enterprises.length,
      encoding,
      ...this.importRows(p, parsed.enterprises, year, onProgress),
      skipped: parsed.problems,
    }
  }

  private checkCounty(county: string): void {
    const { rulebook } = this.rulebooks.active()
    if (!rulebook.meta.counties.some((c) => c.code === county))
      throw new MujunError(
        'COUNTY_UNKNOWN',
        `county ${county} is not a county of ${rulebook.meta.jurisdiction.name}`,
        { status: 422 },
      )
  }
}
