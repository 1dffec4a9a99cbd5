/**
 * What utilities and enterprises ask: an enterprise's tier on a date, tiers in bulk, an itemised quote for a
 * billing period, and the what-if self-check. Answers rest on published runs and the rules in force, and name both.
 * @module app/pricing
 */
import { addDays } from '../dates.ts'
import { creditCodeProblem, isCreditCode } from '../enterprise/credit-code.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import { MujunError, NotFoundError } from '../errors.ts'
import type { ListStanding } from '../pricing/lists.ts'
import {
  bindingOn,
  type Quote,
  type QuoteRequest,
  quote,
  type RatedFacts,
  ratesOn,
} from '../pricing/quote.ts'
import {
  type ByteWriter,
  markQuote,
  type QuoteTemplate,
  quoteTemplate,
  SlotText,
  templateNumbersOf,
} from '../pricing/quote-template.ts'
import type { Principal } from '../principal.ts'
import { resultToJson } from '../rating/result-json.ts'
import { selfCheck } from '../rating/self-check.ts'
import { authorize } from './authorize.ts'
import type { RevisionCache } from './cache.ts'
import type { EnterpriseService } from './enterprises.ts'
import type { EvaluationService } from './evaluations.ts'
import { inScope, ownCounty, ownCreditCode } from './permissions.ts'
import type { PricingSnapshots } from './pricing-snapshot.ts'
import type { ProgrammeService } from './programme.ts'
import { QUANTITY, QuoteBody } from './requests.ts'
import type { RulebookService } from './rulebooks.ts'

/**
 * A templated bill's answer: its JSON text (or those bytes, written where a billing run gathers its answers), and
 * what a billing file reports of it.
 */
export class BillText {
  constructor(
    private readonly slots: SlotText,
    private readonly numbers: readonly string[],
    readonly total: string,
    /** Lines charged. */
    readonly lines: number,
    readonly rulebookVersion: number,
    readonly overrides: readonly string[],
  ) {}

  get json(): string {
    return this.slots.fill(this.numbers)
  }

  /** The UTF-8 bytes of `json`, written to `out`. */
  writeTo(out: ByteWriter): void {
    this.slots.write(out, this.numbers)
  }
}

/** A bill in its plain form: a quantity over a period, as known now, with no other member. */
interface PlainBill {
  creditCode: string
  resource: string
  from: string
  to: string
  quantity: string | number
}

function plainBill(v: unknown): v is PlainBill {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const b = v as Record<string, unknown>
  if (
    typeof b.creditCode !== 'string' ||
    typeof b.resource !== 'string' ||
    typeof b.from !== 'string' ||
    typeof b.to !== 'string' ||
    Object.keys(b).length !== 5
  )
    return false
  const q = b.quantity
  return typeof q === 'string'
    ? QUANTITY.test(q)
    : typeof q === 'number' && Number.isFinite(q) && q >= 0 && QUANTITY.test(String(q))
}

export class PricingService {
  constructor(
    private readonly cache: RevisionCache,
    private readonly rulebooks: RulebookService,
    private readonly enterprises: EnterpriseService,
    private readonly evaluations: EvaluationService,
    private readonly programme: ProgrammeService,
    /** Today's date in Ningbo, by the store's clock. */
    private readonly today: () => string,
    /** A firm's standing on the designated lists (名单), as known at an instant (default now). */
    private readonly lists: (code: string, at?: string) => ListStanding[] | undefined = () =>
      undefined,
    /** Pricing snapshots per revision; without them every answer takes the database path. */
    readonly snapshots?: PricingSnapshots,
  ) {}

  /**
   * An enterprise's tier on `date`, serialised once per revision (tier lookups are the hottest route). The entry
   * keeps the firm's county, so a hit is authorized without a second lookup.
   */
  tierJson(p: Principal | undefined, code: string, date: string, knownAt?: string): string {
    const who = authorize(p, 'tier.read')
    const hit = this.cache.get(
      knownAt === undefined ? `tier|${code}|${date}` : `tier|${code}|${date}|${knownAt}`,
      () => {
        const e = this.enterprises.visible(who, code, 'tier.read')
        return { county: e.county, json: JSON.stringify(this.tierOf(code, date, knownAt)) }
      },
      (t) => t.json.length * 2,
    )
    // A hit made for another principal: the scope check `visible` does on a miss, done again (it throws the 403).
    if (!inScope(who, { county: hit.county, creditCode: code }))
      this.enterprises.visible(who, code, 'tier.read')
    return hit.json
  }

  /** Tiers of many enterprises on one date; unknown or malformed codes carry their own error. */
  tiers(p: Principal | undefined, date: string, codes: string[]) {
    authorize(p, 'tiers.batch')
    return codes.map((code) => {
      const problem = creditCodeProblem(code)
      if (problem)
        return { creditCode: code, error: { code: 'CREDIT_CODE_INVALID', message: problem } }
      try {
        this.enterprises.row(code)
        return this.tierOf(code, date)
      } catch (e) {
        if (e instanceof NotFoundError)
          return { creditCode: code, error: { code: 'NOT_FOUND', message: e.message } }
        throw e
      }
    })
  }

  /**
   * Reads ahead what the quotes of a billing chunk will read (enterprise rows and published histories), each kept
   * in the cache exactly as a single quote would have made it; the quotes then answer as they would alone.
   */
  prefetch(requests: { creditCode: string; to: string; knownAt?: string }[]): void {
    // The firms the snapshot of this revision answers for need no read ahead.
    const snap = this.snapshots?.current(requests.length)
    if (snap)
      requests = requests.filter(
        (r) =>
          r.knownAt !== undefined ||
          snap.historyOf(r.creditCode, Number(r.to.slice(0, 4)) - 1) === undefined,
      )
    if (requests.length === 0) return
    const byYear = new Map<string, { year: number; knownAt?: string; codes: string[] }>()
    for (const r of requests) {
      const year = Number(r.to.slice(0, 4)) - 1
      const key = `${year}|${r.knownAt ?? ''}`
      let group = byYear.get(key)
      if (!group) {
        group = { year, knownAt: r.knownAt, codes: [] }
        byYear.set(key, group)
      }
      group.codes.push(r.creditCode)
    }
    this.enterprises.prefetch(requests.map((r) => r.creditCode))
    for (const g of byYear.values()) this.evaluations.prefetchHistories(g.codes, g.year, g.knownAt)
  }

  /**
   * For a billing run: a function answering a plain bill (a quantity over a period, as known now) with the JSON
   * text of its quote from the snapshot's quote template of the firm's history over that period (see
   * pricing/quote-template), equal to JSON.stringify(quote(…)); undefined for a request it is not for (then the
   * request is validated and quoted as a single one is). Undefined itself when no snapshot of this revision is ready
   * or the principal is not city-wide. It counts no demand for a build: the requests it leaves to the full quote
   * are counted there (prefetch, quote), and those it answers were served by a snapshot already built.
   */
  billTexts(p: Principal | undefined): ((value: unknown) => BillText | undefined) | undefined {
    const snap = this.snapshots?.current(0)
    if (!snap) return
    const who = authorize(p, 'quote.create')
    if (ownCounty(who) !== undefined || ownCreditCode(who) !== undefined) return
    const { id, rulebook } = this.rulebooks.knownAt(undefined)
    type Made = {
      template: QuoteTemplate
      text: SlotText
      rulebookVersion: number
      overrides: string[]
    } | null
    // A billing run's lines mostly share one resource and period: the memo key and year of the last are kept.
    let last = { resource: '', from: '', to: '', key: '', year: 0 }
    return (value) => {
      if (!plainBill(value)) return
      const code = value.creditCode
      if (value.resource !== last.resource || value.from !== last.from || value.to !== last.to)
        last = {
          resource: value.resource,
          from: value.from,
          to: value.to,
          key: `${id}|${value.resource}|${value.from}|${value.to}`,
          year: Number(value.to.slice(0, 4)) - 1,
        }
      const history = snap.historyOf(code, last.year)
      if (!history || !isCreditCode(code)) return
      if (snap.closureOf(code) || this.lists(code)) return
      const made = snap.memo<Made>(history, last.key, () => {
        // Made from a request with these dates that passes the single route's schema (the dates checked once).
        if (!QuoteBody.safeParse(value).success) return null
        const [fromYear, toYear] = [Number(value.from.slice(0, 4)), Number(value.to.slice(0, 4))]
        if (!snap.figureFree(rulebook, history, value.resource, fromYear, toYear)) return null
        const req = { resource: value.resource, from: value.from, to: value.to, quantity: '1' }
        const template = quoteTemplate(history, rulebook, req)
        if (!template) return null
        const sample = this.cite(history, id, rulebook, req, undefined, undefined)
        markQuote(sample)
        const text = new SlotText(JSON.stringify(sample))
        return text.slots === 3 + 2 * (template.lineCount + template.waivedCount)
          ? { template, text, rulebookVersion: id, overrides: sample.overrides }
          : null
      })
      if (!made) return
      const q = value.quantity
      const numbers = templateNumbersOf(made.template, typeof q === 'number' ? String(q) : q, [
        code,
      ])
      if (numbers === undefined || numbers.length !== made.text.slots) return
      return new BillText(
        made.text,
        numbers,
        numbers[numbers.length - 1],
        made.template.lineCount,
        made.rulebookVersion,
        made.overrides,
      )
    }
  }

  /** An itemised quote; it cites the city version and the county overrides whose rates it used. */
  quote(
    p: Principal | undefined,
    req: QuoteRequest & { creditCode: string; knownAt?: string },
  ): Quote & { rulebookVersion: number; overrides: string[]; knownAt?: string } {
    const fast = this.fromSnapshot(p, req)
    if (fast) return fast
    this.enterprises.visible(p, req.creditCode, 'quote.create')
    // As known at an instant (a bill issued then, reproduced): the rules, publications and closures recorded by it.
    const at = req.knownAt
    const { id, rulebook } = this.rulebooks.knownAt(at)
    const history = this.evaluations.history(req.creditCode, Number(req.to.slice(0, 4)) - 1, at)
    if (history.length === 0)
      throw new MujunError('NO_EVALUATION', `${req.creditCode} has no published evaluation`, {
        status: 422,
      })
    // A firm closed under the programme is billed nothing from its closure date (its done closure, verified by
    // the economy office).
    return this.cite(
      history,
      id,
      rulebook,
      req,
      this.programme.closureOf(req.creditCode, at),
      this.lists(req.creditCode, at),
    )
  }

  /**
   * The quote as the snapshot of the current revision gives it, the same as the database path would: for a
   * city-wide principal, a firm the snapshot holds, a request as known now, and schedules that read no figures.
   * Otherwise undefined (the database path answers).
   */
  private fromSnapshot(
    p: Principal | undefined,
    req: QuoteRequest & { creditCode: string; knownAt?: string },
  ): ReturnType<PricingService['cite']> | undefined {
    if (req.knownAt !== undefined || !this.snapshots) return
    const snap = this.snapshots.current()
    if (!snap) return
    const history = snap.historyOf(req.creditCode, Number(req.to.slice(0, 4)) - 1)
    if (!history) return
    const who = authorize(p, 'quote.create')
    if (ownCounty(who) !== undefined || ownCreditCode(who) !== undefined) return
    const { id, rulebook } = this.rulebooks.knownAt(undefined)
    const fromYear = Number(req.from.slice(0, 4))
    const toYear = Number(req.to.slice(0, 4))
    if (!snap.figureFree(rulebook, history, req.resource, fromYear, toYear)) return
    const q = this.cite(
      history,
      id,
      rulebook,
      req,
      snap.closureOf(req.creditCode),
      this.lists(req.creditCode),
    )
    q.creditCode = req.creditCode
    return q
  }

  /** quote() of pricing with the citation of the rules and overrides it used. */
  private cite(
    history: readonly RatedFacts[],
    id: number,
    rulebook: Parameters<typeof quote>[1],
    req: QuoteRequest & { knownAt?: string },
    closure: { on: string; dispositionId: number; projectId: number } | undefined,
    lists: ListStanding[] | undefined,
  ) {
    const at = req.knownAt
    // The quote is a fresh object: the citation is added to it rather than copied into another.
    const q = quote(history, rulebook, req, {
      ...(closure && { closedFrom: closure.on, closedBy: closureName(closure) }),
      lists,
    }) as Quote & {
      rulebookVersion: number
      overrides: string[]
      knownAt?: string
    }
    const overrides: string[] = []
    for (let i = 0; i < q.lines.length; i++) {
      const o = q.lines[i].origin.overrideId
      if (o !== undefined && !overrides.includes(o)) overrides.push(o)
    }
    q.rulebookVersion = id
    q.overrides = overrides
    if (at !== undefined) q.knownAt = at
    return q
  }

  /**
   * The firm's class history: each published evaluation's class and the days it binds (until the next binds), and,
   * once the firm is closed under the programme, its closure, from which nothing is charged.
   */
  classHistory(p: Principal | undefined, code: string) {
    this.enterprises.visible(p, code, 'classes.read')
    const { rulebook } = this.rulebooks.active()
    const today = this.today()
    const history = [...this.evaluations.history(code, Number(today.slice(0, 4)))].sort(
      (a, b) => a.year - b.year,
    )
    const closure = this.programme.closureOf(code)
    const from = (h: RatedFacts) => h.bindingFrom ?? `${h.year + 1}-01-01`
    const entries = history
      .map((h, i) => {
        const next = history.slice(i + 1).find((x) => from(x) > from(h))
        let to = next ? addDays(from(next), -1) : null
        if (closure && (to === null || to >= closure.on)) to = addDays(closure.on, -1)
        return {
          evaluationYear: h.year,
          evaluationId: h.runId ?? null,
          class: h.class ?? null,
          classLabel: rulebook.meta.classes.find((c) => c.id === h.class)?.label ?? null,
          category: h.category ?? null,
          validFrom: from(h),
          validTo: to,
        }
      })
      // A class that would only bind after the firm closed never applies.
      .filter((e) => !closure || e.validFrom < closure.on)
    return { creditCode: code, classes: entries, closure: closure ?? null }
  }

  /** What-if rating of submitted figures against the stored peers of `year`; nothing is stored. */
  selfCheck(
    p: Principal | undefined,
    body: {
      creditCode?: string
      county: string
      industryCode: string
      year: number
      figures: Enterprise['figures']
    },
  ) {
    authorize(p, 'selfCheck.run', { county: body.county, creditCode: body.creditCode })
    const { rulebook } = this.rulebooks.active()
    const peers = this.evaluations.peersFor(p, body.year, body.creditCode)
    const result = selfCheck(peers, rulebook, body.year, {
      creditCode: body.creditCode ?? 'SELF-CHECK',
      name: '自查',
      county: body.county,
      industryCode: body.industryCode,
      figures: body.figures,
    })
    return resultToJson(result)
  }

  /** The tier of `code` on `date`, for a caller that has already checked who may read it (see tierJson). */
  tierOf(code: string, date: string, knownAt?: string) {
    const { id, rulebook } = this.rulebooks.knownAt(knownAt)
    const lastYear = Number(date.slice(0, 4)) - 1
    const history = this.evaluations.history(code, lastYear, knownAt)
    const current = bindingOn(history, date)
    const closure = this.programme.closureOf(code, knownAt)
    const closed = closure !== undefined && closure.on <= date
    const { rates, notes } = closed
      ? {
          rates: [],
          notes: [`closed on ${closure.on} (${closureName(closure)}): no surcharge from that day`],
        }
      : ratesOn(history, rulebook, date, { lists: this.lists(code, knownAt) })
    // It binds until a later evaluation that is already published binds (or a re-publication of its year).
    const next = history
      .filter(
        (h) => current && h.year >= current.year && h !== current && (h.bindingFrom ?? '') > date,
      )
      .sort((a, b) => (a.bindingFrom! < b.bindingFrom! ? -1 : 1))[0]
    const pending = this.evaluations.inNotice(lastYear)
    if (pending)
      notes.push(
        `evaluation ${pending.id} of ${lastYear} is in public notice until ${pending.noticeTo}: its classes are provisional and charge nothing until it is published`,
      )
    return {
      creditCode: code,
      date,
      evaluationYear: current?.year ?? lastYear,
      evaluationId: current?.runId ?? null,
      evaluationStatus: current ? ('published' as const) : null,
      validFrom: current ? (current.bindingFrom ?? `${current.year + 1}-01-01`) : null,
      validTo: next ? addDays(next.bindingFrom!, -1) : null,
      class: current?.class ?? null,
      classLabel: rulebook.meta.classes.find((c) => c.id === current?.class)?.label ?? null,
      category: current?.category ?? null,
      sector: current?.sector ?? null,
      rates,
      notes,
      closure: closure ? { ...closure, inForce: closed } : null,
      rulebookVersion: id,
      ...(knownAt !== undefined && { knownAt }),
    }
  }
}

/** How a quote and a tier name the closure that ends a firm's surcharges. */
function closureName(c: { dispositionId: number; projectId: number }): string {
  return `closure disposition ${c.dispositionId} of project ${c.projectId}`
}
