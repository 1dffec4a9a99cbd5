/**
 * Figures by department: submitted versions, the land areas' publication, firms' answers to their sheets, and the
 * composed figures with their lineage. Each write is one transaction with its audit entry.
 * @module db/intake-store
 */
import { and, asc, eq } from 'drizzle-orm'
import type { FigureValue, SheetStanding, Submission } from '../enterprise/intake.ts'
import { ConflictError, MujunError, NotFoundError } from '../errors.ts'
import type { BaseStore } from './base-store.ts'
import type { EnterpriseStore } from './enterprise-store.ts'
import {
  figureLineage,
  figureSubmissions,
  landPublications,
  sheetAnswers,
} from './intake-schema.ts'
import { enterprises, figures } from './schema.ts'

/** Object keys in order, so two figure sets compare by their JSON. */
const canonical = (o: Record<string, unknown>) =>
  JSON.stringify(
    Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    ),
  )

export class IntakeStore {
  constructor(
    private readonly core: BaseStore,
    private readonly register: EnterpriseStore,
  ) {}

  /**
   * Stores one department's figures of a year (checked by the caller), all rows or none: a value that differs from
   * the input's newest version is a new version; the same value again changes nothing. Every firm must be on the
   * register.
   */
  submit(
    year: number,
    department: string,
    rows: { row?: number; creditCode: string; figures: Record<string, FigureValue> }[],
    actor: string,
    note: string | null = null,
  ): { firms: number; versions: number; unchanged: number } {
    return this.core.write((tx) => {
      const c = this.core.db.$client
      const known = c.prepare('SELECT 1 FROM enterprises WHERE credit_code = ?').pluck()
      const newest = c.prepare(
        `SELECT version, value FROM figure_submissions WHERE year = ? AND credit_code = ? AND input = ?
          ORDER BY version DESC LIMIT 1`,
      )
      const insert = c.prepare(
        `INSERT INTO figure_submissions (year, credit_code, input, value, department, version, submitted_at,
           submitted_by, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      const at = this.core.now()
      let versions = 0
      let unchanged = 0
      for (const r of rows) {
        if (!known.get(r.creditCode))
          throw new MujunError(
            'ENTERPRISE_NOT_REGISTERED',
            `${r.row ? `row ${r.row}: ` : ''}${r.creditCode} is not on the register; nothing was stored`,
            { status: 422 },
          )
        for (const [input, value] of Object.entries(r.figures)) {
          const had = newest.get(year, r.creditCode, input) as
            | { version: number; value: string }
            | undefined
          const json = JSON.stringify(value)
          if (had && had.value === json) {
            unchanged++
            continue
          }
          insert.run(
            year,
            r.creditCode,
            input,
            json,
            department,
            (had?.version ?? 0) + 1,
            at,
            actor,
            note,
          )
          versions++
        }
      }
      this.core.audit(tx, actor, 'figures.submit', `figures/${year}/${department}`, {
        firms: rows.length,
        versions,
        unchanged,
        ...(note && { note }),
      })
      return { firms: rows.length, versions, unchanged }
    })
  }

  /** Every submitted version of a year (of one firm, when given), oldest first. */
  submissions(year: number, creditCode?: string): Submission[] {
    return this.core.db
      .select()
      .from(figureSubmissions)
      .where(
        and(
          eq(figureSubmissions.year, year),
          creditCode === undefined ? undefined : eq(figureSubmissions.creditCode, creditCode),
        ),
      )
      .orderBy(asc(figureSubmissions.id))
      .all()
  }

  submission(id: number): Submission | undefined {
    return this.core.db.select().from(figureSubmissions).where(eq(figureSubmissions.id, id)).get()
  }

  /** Whether any figure of `year` was submitted by a department. */
  hasSubmissions(year: number): boolean {
    return !!this.core.db.$client
      .prepare('SELECT 1 FROM figure_submissions WHERE year = ? LIMIT 1')
      .get(year)
  }

  landPublication(year: number) {
    return this.core.db.select().from(landPublications).where(eq(landPublications.year, year)).get()
  }

  /** Publishes a year's land areas for objection (checked by the caller); once only. */
  publishLand(year: number, publishedOn: string, objectionUntil: string, actor: string) {
    return this.core.write((tx) => {
      const had = tx.select().from(landPublications).where(eq(landPublications.year, year)).get()
      if (had)
        throw new ConflictError(
          `the land areas of ${year} were published on ${had.publishedOn} (objections until ${had.objectionUntil})`,
        )
      const row = tx
        .insert(landPublications)
        .values({
          year,
          publishedOn,
          objectionUntil,
          publishedAt: this.core.now(),
          publishedBy: actor,
        })
        .returning()
        .get()
      this.core.audit(tx, actor, 'land.publish', `figures/${year}/land`, {
        publishedOn,
        objectionUntil,
      })
      return row
    })
  }

  /** Answers to sheets of a year (of one firm, when given), in filing order. */
  answers(filter: { year?: number; creditCode?: string; status?: 'open' }) {
    return this.core.db
      .select()
      .from(sheetAnswers)
      .where(
        and(
          filter.year === undefined ? undefined : eq(sheetAnswers.year, filter.year),
          filter.creditCode === undefined
            ? undefined
            : eq(sheetAnswers.creditCode, filter.creditCode),
          filter.status === undefined ? undefined : eq(sheetAnswers.status, filter.status),
        ),
      )
      .orderBy(asc(sheetAnswers.id))
      .all()
  }

  answer(id: number) {
    const a = this.core.db.select().from(sheetAnswers).where(eq(sheetAnswers.id, id)).get()
    if (!a) throw new NotFoundError(`sheet answer ${id}`)
    return a
  }

  /** Records a firm's confirmation or dispute (checked by the caller). */
  insertAnswer(
    a: {
      year: number
      creditCode: string
      kind: 'confirm' | 'dispute'
      seen?: number
      input?: string
      submissionId?: number
      claimed?: FigureValue
      reason?: string
    },
    actor: string,
  ) {
    return this.core.write((tx) => {
      if (a.kind === 'dispute') {
        const open = tx
          .select({ id: sheetAnswers.id })
          .from(sheetAnswers)
          .where(
            and(
              eq(sheetAnswers.year, a.year),
              eq(sheetAnswers.creditCode, a.creditCode),
              eq(sheetAnswers.input, a.input!),
              eq(sheetAnswers.status, 'open'),
            ),
          )
          .get()
        if (open) throw new ConflictError(`dispute ${open.id} of ${a.input} is still open`)
      }
      const row = tx
        .insert(sheetAnswers)
        .values({
          ...a,
          status: a.kind === 'confirm' ? 'confirmed' : 'open',
          filedAt: this.core.now(),
          filedBy: actor,
        })
        .returning()
        .get()
      this.core.audit(tx, actor, `sheet.${a.kind}`, `figures/${a.year}/${a.creditCode}`, {
        ...a,
        id: row.id,
      })
      return row
    })
  }

  /**
   * Resolves an open dispute (checked by the caller): upheld, `value` becomes a new version of the input, from the
   * input's department, submitted by the resolver and noting the dispute; or rejected, the figure stands.
   */
  resolve(
    id: number,
    d: { upheld: boolean; value?: FigureValue; department?: string; reason: string },
    actor: string,
  ) {
    return this.core.write((tx) => {
      const a = this.answer(id)
      if (a.kind !== 'dispute' || a.status !== 'open')
        throw new ConflictError(
          `sheet answer ${id} is ${a.kind === 'dispute' ? a.status : 'a confirmation'}`,
        )
      let resolvedSubmissionId: number | null = null
      if (d.upheld) {
        const had = this.core.db.$client
          .prepare(
            'SELECT max(version) FROM figure_submissions WHERE year = ? AND credit_code = ? AND input = ?',
          )
          .pluck()
          .get(a.year, a.creditCode, a.input) as number | null
        resolvedSubmissionId = tx
          .insert(figureSubmissions)
          .values({
            year: a.year,
            creditCode: a.creditCode,
            input: a.input!,
            value: d.value!,
            department: d.department!,
            version: (had ?? 0) + 1,
            submittedAt: this.core.now(),
            submittedBy: actor,
            note: `dispute ${id}`,
          })
          .returning({ id: figureSubmissions.id })
          .get().id
      }
      const row = tx
        .update(sheetAnswers)
        .set({
          status: d.upheld ? 'upheld' : 'rejected',
          decidedAt: this.core.now(),
          decidedBy: actor,
          decision: d.reason,
          resolvedSubmissionId,
        })
        .where(eq(sheetAnswers.id, id))
        .returning()
        .get()
      this.core.audit(
        tx,
        actor,
        d.upheld ? 'sheet.uphold' : 'sheet.reject',
        `figures/${a.year}/${a.creditCode}`,
        {
          id,
          input: a.input,
          value: d.value ?? null,
          reason: d.reason,
        },
      )
      return row
    })
  }

  /**
   * Writes composed figures of a year: a firm whose figures or lineage differ from its current version gets a new
   * version (the replaced one is kept in figure_versions by the database) and its lineage row.
   */
  writeComposed(
    year: number,
    composed: {
      creditCode: string
      figures: Record<string, FigureValue>
      sources: Record<string, number>
      sheet: Exclude<SheetStanding, 'pending'>
    }[],
    actor: string,
  ): { written: number; unchanged: number } {
    return this.core.write((tx) => {
      const at = this.core.now()
      let written = 0
      for (const f of composed) {
        const row = tx
          .select()
          .from(figures)
          .where(and(eq(figures.creditCode, f.creditCode), eq(figures.year, year)))
          .get()
        const lineage = row && this.lineage(f.creditCode, year, row.version)
        if (
          row &&
          lineage &&
          canonical(row.data) === canonical(f.figures) &&
          canonical(lineage.sources) === canonical(f.sources) &&
          lineage.sheet === f.sheet
        )
          continue
        const version = (row?.version ?? 0) + 1
        if (row)
          tx.update(figures)
            .set({ data: f.figures, version, updatedAt: at, updatedBy: actor })
            .where(and(eq(figures.creditCode, f.creditCode), eq(figures.year, year)))
            .run()
        else
          tx.insert(figures)
            .values({
              creditCode: f.creditCode,
              year,
              data: f.figures,
              version,
              updatedAt: at,
              updatedBy: actor,
            })
            .run()
        tx.insert(figureLineage)
          .values({ creditCode: f.creditCode, year, version, sources: f.sources, sheet: f.sheet })
          .run()
        written++
      }
      if (written > 0) this.register.bumpRegistry(tx)
      this.core.audit(tx, actor, 'figures.compose', `figures/${year}`, {
        firms: composed.length,
        written,
      })
      return { written, unchanged: composed.length - written }
    })
  }

  /** Where one version of a firm's year figures came from, if it was composed from departments' submissions. */
  lineage(creditCode: string, year: number, version: number) {
    return this.core.db
      .select()
      .from(figureLineage)
      .where(
        and(
          eq(figureLineage.creditCode, creditCode),
          eq(figureLineage.year, year),
          eq(figureLineage.version, version),
        ),
      )
      .get()
  }

  /** The register (of one county, when given): credit code, name and county, in credit-code order. */
  firms(county?: string) {
    return this.core.db
      .select({
        creditCode: enterprises.creditCode,
        name: enterprises.name,
        county: enterprises.county,
      })
      .from(enterprises)
      .where(county ? eq(enterprises.county, county) : undefined)
      .orderBy(asc(enterprises.creditCode))
      .all()
  }

  /** The inputs given per firm in a year's submissions. */
  givenInputs(year: number): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>()
    const rows = this.core.db.$client
      .prepare(
        'SELECT DISTINCT credit_code AS c, input AS i FROM figure_submissions WHERE year = ?',
      )
      .all(year) as { c: string; i: string }[]
    for (const r of rows) {
      let s = out.get(r.c)
      if (!s) {
        s = new Set()
        out.set(r.c, s)
      }
      s.add(r.i)
    }
    return out
  }
}
