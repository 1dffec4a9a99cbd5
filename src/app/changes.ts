/**
 * Previews of acts that change a price, before they are made: a new city version (a dated change, an import, a
 * rollback) and a publication. Each prices every firm with a published history month by month under the state
 * now and under the state the act would leave (pricing/change-preview), over the next months plus the months the
 * act reaches back, and answers with the digest a correction must bring back (app/correction).
 * @module app/changes
 */

import type { Store } from '../db/store.ts'
import { MujunError } from '../errors.ts'
import { type ChangePreview, ChangePreviewer, type PreviewFirm } from '../pricing/change-preview.ts'
import type { ListStanding } from '../pricing/lists.ts'
import type { RatedFacts } from '../pricing/quote.ts'
import type { Principal } from '../principal.ts'
import { rate } from '../rating/rate.ts'
import { compileRulebook, type Rulebook, type RuleText } from '../rulebook/compile.ts'
import type { ChangeReach } from '../rulebook/diff.ts'
import { HISTORY_YEARS, RATING_SECTIONS } from '../rulebook/schema.ts'
import { authorize } from './authorize.ts'
import { actDigest } from './correction.ts'
import { bindingFromOf, previousYearStats, publicationAct } from './evaluation-rules.ts'
import type { ProgrammeService } from './programme.ts'
import { IN_FORCE, type RulebookService } from './rulebooks.ts'

export interface ClassChanges {
  /** The evaluation year rated (the first under the change), on the latest published year's figures. */
  year: number
  figuresYear: number
  rated: number
  changed: number
  /** How many firms move from each class to each other (`D→C`). */
  moves: { move: string; firms: number }[]
  /** The first 5,000 firms that move. */
  firms: {
    creditCode: string
    county: string
    classBefore: string | null
    classAfter: string | null
    categoryBefore: string | null
    categoryAfter: string | null
  }[]
}

/** A preview as answered: the act's reach, the digest a correction brings back, and what it re-prices. */
export interface ActPreview {
  /** For changes to how firms are rated: whose class would change at the next evaluation (null otherwise). */
  classChanges?: ClassChanges | null
  act: Record<string, unknown>
  /** The first day the act changes an answer, and what changes it. */
  reach: ChangeReach | { firstDay: string | null; items: unknown[] }
  /** Today in Ningbo, the act's own day unless scheduled later. */
  today: string
  /** True when the act reaches before its own day: it can only be made as a correction. */
  correctionRequired: boolean
  /** What a correction must send as `correction.preview` (valid until the next write). */
  digest: string
  preview: ChangePreview & { horizonCapped: boolean }
}

/** How far back a preview goes when an act reaches every day (an undated part of the rules). */
const MAX_MONTHS_BACK = 60

export interface PreviewHorizon {
  /** Months after the current one to price (default 12). */
  months?: number
  /** The first day the act reaches (null: none); its month starts the horizon when it is earlier. */
  firstDay: string | null
  /** The resources whose charges can change (default all). */
  resources?: string[]
}

/** What changes for the "after" side of a preview. */
export interface AfterState {
  rulebook: Rulebook
  /** A run to add to every firm's history with the day it would bind from (a publication). */
  publish?: { runId: number; year: number; bindingFrom: string }
}

export class ChangeService {
  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
    private readonly programme: ProgrammeService,
    /** A firm's standing on the designated lists (名单), as now. */
    private readonly lists: (code: string) => ListStanding[] | undefined = () => undefined,
  ) {}

  /** The bureau's preview of city files `texts` becoming the version in force (now, or from `effectiveOn`). */
  previewCity(
    p: Principal | undefined,
    texts: RuleText[],
    options: { effectiveOn?: string; months?: number } = {},
    progress?: (done: number, total: number) => void,
  ): ActPreview {
    authorize(p, 'rulebook.preview')
    const change = this.rulebooks.cityChange(texts, options.effectiveOn)
    const digest = actDigest(this.store, change.act)
    const before = this.rulebooks.active().rulebook
    // The rules in force after it: the new city files with the filed overrides (the others never price).
    const after = compileRulebook([...change.city.files, ...this.store.liveOverrideFiles(IN_FORCE)])
    const day = options.effectiveOn ?? this.store.today()
    return {
      act: change.act,
      reach: change.reach,
      today: this.store.today(),
      correctionRequired: change.reach.firstDay !== null && change.reach.firstDay < day,
      digest,
      classChanges: this.classChanges(before, after, change.reach),
      preview: this.preview(
        before,
        { rulebook: after },
        {
          firstDay: change.reach.firstDay,
          months: options.months,
          resources: resourcesReached(change.reach, before, after),
        },
        progress,
      ),
    }
  }

  /**
   * Where a change reaches how firms are rated (groups, indicators, scoring, adjustments, vetoes, classes, sector
   * tables), the firms whose class or category would change: the latest published year's figures rated under the
   * rules now and after. Prices read stored results, so these change a price only once an evaluation is run and
   * published under the new rules; the preview says which firms that would be.
   */
  private classChanges(before: Rulebook, after: Rulebook, reach: ChangeReach): ClassChanges | null {
    if (!reach.items.some((i) => RATING_SECTIONS.has(i.section) || i.firstDay === '0000-01-01'))
      return null
    const latest = this.store.latestPublishedYear()
    if (latest === undefined) return null
    // The first evaluation rated under the change (rules in force on its 31 December), on the latest figures.
    const first =
      reach.firstDay && reach.firstDay !== '0000-01-01' ? Number(reach.firstDay.slice(0, 4)) : 0
    const year = Math.max(latest, first)
    const population = this.store.population(latest)
    const previous = previousYearStats(this.store, year)
    const a = rate(population, before, year, { trusted: true, previous })
    const b = rate(population, after, year, { trusted: true, previous })
    const afterByCode = new Map(b.map((r) => [r.creditCode, r]))
    const firms: ClassChanges['firms'] = []
    const counts = new Map<string, number>()
    let changed = 0
    for (const r of a) {
      const x = afterByCode.get(r.creditCode)
      const classAfter = x?.class ?? null
      const categoryAfter = x?.category?.category ?? null
      if (r.class === classAfter && (r.category?.category ?? null) === categoryAfter) continue
      changed++
      const key = `${r.class ?? '-'}→${classAfter ?? '-'}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
      if (firms.length < 5000)
        firms.push({
          creditCode: r.creditCode,
          county: r.county,
          classBefore: r.class ?? null,
          classAfter,
          categoryBefore: r.category?.category ?? null,
          categoryAfter,
        })
    }
    return {
      year,
      figuresYear: latest,
      rated: a.length,
      changed,
      moves: [...counts].map(([move, n]) => ({ move, firms: n })),
      firms,
    }
  }

  /**
   * The economy office's preview of publishing run `runId`: after its notice (binding from its day), or as the
   * record of a past publication on `publishedOn` (a correction).
   */
  previewPublication(
    p: Principal | undefined,
    runId: number,
    options: { publishedOn?: string; months?: number } = {},
    progress?: (done: number, total: number) => void,
  ): ActPreview {
    authorize(p, 'evaluation.preview')
    const run = this.store.getRun(runId)
    if (run.status !== 'draft' && run.status !== 'notice')
      throw new MujunError(
        'CONFLICT',
        `evaluation ${runId} is ${run.status}; only a draft or a run in notice can be published`,
        { status: 409 },
      )
    const today = this.store.today()
    const on = options.publishedOn ?? today
    const bindingFrom = bindingFromOf(run.year, on)
    const act = options.publishedOn
      ? publicationAct(runId, options.publishedOn)
      : { kind: 'publication', runId }
    const digest = actDigest(this.store, act)
    const rulebook = this.rulebooks.active().rulebook
    const firstDay = bindingFrom
    return {
      act,
      reach: { firstDay, items: [{ evaluation: runId, year: run.year, bindingFrom }] },
      today,
      correctionRequired: options.publishedOn !== undefined,
      digest,
      preview: this.preview(
        rulebook,
        { rulebook, publish: { runId, year: run.year, bindingFrom } },
        { firstDay, months: options.months },
        progress,
      ),
    }
  }

  /**
   * Prices every firm with a published history under `before` and `after` over the horizon. Synchronous: a job
   * runs it off the request thread at city scale; `progress` is told the share done.
   */
  preview(
    before: Rulebook,
    after: AfterState,
    horizon: PreviewHorizon,
    progress?: (done: number, total: number) => void,
  ): ChangePreview & { horizonCapped: boolean } {
    const today = this.store.today()
    const thisMonth = today.slice(0, 7)
    let fromMonth = thisMonth
    let capped = false
    if (horizon.firstDay && horizon.firstDay.slice(0, 7) < thisMonth) {
      const earliest = monthsBack(thisMonth, MAX_MONTHS_BACK)
      fromMonth = horizon.firstDay.slice(0, 7)
      if (fromMonth < earliest) {
        fromMonth = earliest
        capped = true
      }
    }
    const toMonth = monthsBack(thisMonth, -((horizon.months ?? 12) + 1))
    const previewer = new ChangePreviewer({
      before,
      after: after.rulebook,
      fromMonth,
      toMonth,
      resources: horizon.resources,
    })
    // Every evaluation year that can bind in the horizon, with the years its consecutive-year rules look back on.
    const lastYear = Number(toMonth.slice(0, 4)) - 1
    const firstYear = Number(fromMonth.slice(0, 4)) - HISTORY_YEARS
    const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i)
    const runIds = this.store.boundRuns(years)
    const afterRunIds = after.publish ? [...runIds, after.publish.runId] : runIds
    const codes = this.store.creditCodes()
    const CHUNK = 4000
    for (let i = 0; i < codes.length; i += CHUNK) {
      const chunk = codes.slice(i, i + CHUNK)
      const facts = this.store.ratedFactsOf(chunk, afterRunIds)
      for (const code of chunk) {
        const all = facts.get(code)
        if (!all) continue
        const firm: PreviewFirm = {
          creditCode: code,
          before: after.publish ? all.filter((h) => h.runId !== after.publish!.runId) : all,
          after: after.publish ? withPublication(all, after.publish) : all,
        }
        const standing = this.lists(code)
        if (standing) firm.lists = standing
        const closure = this.programme.closureOf(code)
        if (closure) {
          firm.closedBefore = closure.on
          firm.closedAfter = closure.on
        }
        previewer.add(firm)
      }
      progress?.(Math.min(i + CHUNK, codes.length), codes.length)
    }
    return { ...previewer.result(), horizonCapped: capped }
  }
}

/** The history with a run about to be published: it binds from its day, after the runs of its year before it. */
function withPublication(
  all: readonly RatedFacts[],
  pub: { runId: number; bindingFrom: string },
): RatedFacts[] {
  const mine = all.find((h) => h.runId === pub.runId)
  const rest = all.filter((h) => h.runId !== pub.runId)
  if (!mine) return rest
  const entry = { ...mine, bindingFrom: pub.bindingFrom }
  // After every entry of an earlier year, or of its year binding no later than it.
  let at = rest.length
  while (
    at > 0 &&
    (rest[at - 1].year > entry.year ||
      (rest[at - 1].year === entry.year && bindingDay(rest[at - 1]) > pub.bindingFrom))
  )
    at--
  return [...rest.slice(0, at), entry, ...rest.slice(at)]
}

/**
 * The resources a change of city rules can re-price: those of the surcharge and stacking items it changes. Other
 * sections change how the next evaluation rates, not the stored results prices are read from; an undated part
 * (the header, inputs, sectors) may change any.
 */
function resourcesReached(
  reach: ChangeReach,
  before: Rulebook,
  after: Rulebook,
): string[] | undefined {
  const out = new Set<string>()
  for (const item of reach.items) {
    if (item.section !== 'surcharges' && item.section !== 'stacking') {
      if (item.firstDay === '0000-01-01') return undefined
      continue
    }
    for (const rb of [before, after])
      for (const x of rb.sections[item.section]) if (x.id === item.id) out.add(x.resource)
  }
  return [...out]
}

const bindingDay = (h: RatedFacts) => h.bindingFrom ?? `${h.year + 1}-01-01`

/** The month `n` months before `month` (YYYY-MM); a negative `n` goes forward. */
function monthsBack(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number)
  const k = y * 12 + (m - 1) - n
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`
}
