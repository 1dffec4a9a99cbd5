/**
 * Why an enterprise pays what it pays on a date, and who decided each part of it: a bureau's first question ("who
 * changed this price, when, on whose approval?") answered from the records in one read. It names the city rule
 * version in force and who activated it, the county overrides in force with every revision (submission, approval
 * and filing, with their references), the published evaluation the class rests on (who ran it, its notice, who
 * published it, the objections and their decisions), who entered the figures it rated, and a verified closure.
 * @module app/provenance
 */
import { ningboDate } from '../dates.ts'
import type { ProgrammeStore } from '../db/programme-store.ts'
import type { Store } from '../db/store.ts'
import type { Principal } from '../principal.ts'
import { overrideInForce, resolve } from '../rulebook/resolve.ts'
import type { EnterpriseService } from './enterprises.ts'
import { lineageOf } from './intake.ts'
import { overrideEvents } from './overrides.ts'
import type { PricingService } from './pricing.ts'
import type { RulebookService } from './rulebooks.ts'
import { runMethods } from './run-method.ts'

export class ProvenanceService {
  /** Today's date in Ningbo, the day a provenance is asked for by default. */
  today(): string {
    return this.store.today()
  }

  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
    private readonly enterprises: EnterpriseService,
    private readonly pricing: PricingService,
    private readonly programme: ProgrammeStore,
  ) {}

  /** The provenance of `code`'s tier on `date`; the same roles and scopes as the tier. */
  of(p: Principal | undefined, code: string, date: string) {
    const firm = this.enterprises.visible(p, code, 'provenance.read')
    const tier = this.pricing.tierOf(code, date)
    const head = this.store.rulesHead()!
    const version = this.store.listRulebookVersions().find((v) => v.id === head.versionId)!
    const activation = this.store.activation(head.activationId)
    const { rulebook } = this.rulebooks.active()
    const rules = resolve(rulebook, firm.county, date)
    const overrides = rulebook.overrides
      .filter((o) => o.county === firm.county && overrideInForce(o, date))
      .map((o) => ({
        id: o.id,
        label: o.label,
        status: o.status,
        from: o.from,
        to: o.to ?? null,
        revisions: overrideEvents(this.store, o.id),
      }))
    return {
      creditCode: code,
      county: firm.county,
      date,
      class: tier.class,
      // Each schedule with the rule item it comes from: the city's file and line, or the county override's.
      rates: tier.rates.map((r) => ({
        resource: r.resource,
        rate: r.rate,
        stacking: r.stacking,
        schedules: r.schedules.map((x) => {
          const item = rules.sections.surcharges.find((s) => s.id === x.scheduleId)
          return {
            ...x,
            origin: item ? item.origin : null,
            source: item?.source ?? null,
            assumed: item?.assumed ?? false,
          }
        }),
      })),
      notes: tier.notes,
      rules: {
        versionId: version.id,
        hash: version.hash,
        createdAt: version.createdAt,
        createdBy: version.createdBy,
        note: version.note,
        activation: {
          id: activation.id,
          at: activation.at,
          by: activation.by,
          note: activation.note,
        },
        // Corrections are named wherever they reach: each one that changed answers for this date.
        corrections: this.store.rulesCorrections(date),
      },
      overrides,
      evaluation: tier.evaluationId === null ? null : this.evaluation(code, tier.evaluationId),
      closure: tier.closure ? this.closure(tier.closure) : null,
    }
  }

  /**
   * Which evaluation method rated the county's firms in `run`: null for the city's, else the county override id(s)
   * in force on the run's rule date (Y-12-31) under the rules the run applied. Undefined for a run that records no
   * override revision (made before they were recorded) or a firm it did not rate.
   */
  private methodOf(run: ReturnType<Store['getRun']>, county: string | undefined) {
    return county === undefined ? undefined : runMethods(this.rulebooks, run)(county)
  }

  /** Where each figure rated came from (figures composed from the departments), with the names people read. */
  private lineage(code: string, year: number, version: number) {
    const l = lineageOf(this.store, code, year, version)
    if (!l) return undefined
    const { rulebook } = this.rulebooks.active()
    const dept = (id: string) => rulebook.meta.departments.find((d) => d.id === id)
    return {
      sheet: l.sheet,
      sources: l.sources.map((x) => ({
        ...x,
        label: rulebook.inputById.get(x.input)?.label ?? x.input,
        departmentLabel: dept(x.department)?.label ?? x.department,
        departmentLabelEn: dept(x.department)?.labelEn ?? dept(x.department)?.label ?? x.department,
      })),
    }
  }

  private evaluation(code: string, runId: number) {
    const run = this.store.getRun(runId)
    const result = this.store.runResult(runId, code)
    const figures =
      result?.figuresVersion == null
        ? undefined
        : this.store.figuresEntry(code, run.year, result.figuresVersion)
    return {
      id: run.id,
      year: run.year,
      status: run.status,
      rulebookVersionId: run.rulebookVersionId,
      overrideRevision: run.overrideRevision,
      createdAt: run.createdAt,
      createdBy: run.createdBy,
      notice: run.noticeFrom ? { from: run.noticeFrom, to: run.noticeTo, by: run.noticedBy } : null,
      // The day it was made public: a publication recorded after the fact has its own day (--published-on), not
      // the moment it was recorded (publishedAt).
      publishedOn:
        typeof run.correction?.publishedOn === 'string'
          ? run.correction.publishedOn
          : run.publishedAt
            ? ningboDate(run.publishedAt)
            : null,
      publishedAt: run.publishedAt,
      publishedBy: run.publishedBy,
      bindingFrom: run.bindingFrom,
      correction: run.correction ?? null,
      method: this.methodOf(run, result?.county),
      result: result
        ? {
            status: result.status,
            group: result.group,
            score: result.score,
            rank: result.rank,
            groupSize: result.groupSize,
            initialClass: result.initialClass,
            class: result.class,
          }
        : null,
      figures: figures
        ? { year: run.year, ...figures, ...this.lineage(code, run.year, figures.version) }
        : null,
      objections: this.store.listObjections({ runId, creditCode: code }).map((o) => ({
        id: o.id,
        status: o.status,
        filedAt: o.filedAt,
        filedBy: o.filedBy,
        reason: o.reason,
        classBefore: o.classBefore,
        classAfter: o.classAfter,
        decision: o.decision,
        decidedAt: o.decidedAt,
        decidedBy: o.decidedBy,
      })),
    }
  }

  private closure(c: NonNullable<ReturnType<PricingService['tierOf']>['closure']>) {
    const d = this.programme.disposition(c.dispositionId)
    return {
      on: c.on,
      inForce: c.inForce,
      dispositionId: d.id,
      projectId: d.projectId,
      completedOn: d.completedOn,
      evidence: d.evidence,
      updatedAt: d.updatedAt,
      updatedBy: d.updatedBy,
      verifiedOn: c.verifiedOn,
      verifiedBy: c.verifiedBy,
      verifiedAt: c.verifiedAt,
      correction: c.correction,
    }
  }
}
