/**
 * Golden cases: each test/cases/*.yaml is a population, figures and expected results computed by hand from the
 * Ningbo rulebook, or a test rulebook of test/fixtures/rulebooks (the arithmetic is in the file's comments). Nothing here is produced by running the code.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { bindingOn } from '../src/pricing/facts.ts'
import type { ListStanding } from '../src/pricing/lists.ts'
import { measureList, measuresFor } from '../src/pricing/measures.ts'
import { quote } from '../src/pricing/quote.ts'
import { emptyFrame, type PeerFrame, type RatingResult, rate } from '../src/rating/rate.ts'
import { compileRulebook } from '../src/rulebook/compile.ts'
import { readRuleTexts } from '../src/rulebook/load.ts'
import { ningbo, ningboTexts, ningboWithFiledCixi } from './support/rulebook.ts'

interface CaseFile {
  name: string
  /**
   * `filed-cixi`: the Ningbo rules with the Cixi override filed (test/fixtures/overrides), not the shipped draft;
   * `fixture:NAME`: the test rulebook in test/fixtures/rulebooks/NAME (forms other schemes use).
   */
  rulebook?: string
  /** Override files of test/fixtures/overrides added to the rulebook (e.g. county methods, filed). */
  overrides?: string[]
  /** Designated lists (名单) in force, as recorded; a firm's entries become its standing on each. */
  lists?: {
    id: string
    label: string
    document: string
    startOn: string
    transitionUntil?: string
    entries: { code: string; from: string; to?: string; ref: string; removedRef?: string }[]
  }[]
  evaluations: {
    year: number
    enterprises: {
      code: string
      name: string
      county: string
      industry: string
      figures: Record<string, unknown>
    }[]
  }[]
  expect: {
    ratings?: {
      year: number
      code: string
      status: string
      group?: string | null
      score?: number
      rank?: number
      initialClass?: string
      class?: string | null
      category?: string | null
      /** The county override whose method rated the firm; null: the city's. */
      method?: string | null
      problem?: string
    }[]
    quotes?: {
      code: string
      resource: string
      from: string
      to: string
      quantity?: string | number
      readings?: { from: string; to: string; quantity: string | number }[]
      preview?: string
      lines: { schedule: string; from: string; to: string; rate: string; amount: string }[]
      waived?: { schedule: string; amount: string }[]
      total: string
    }[]
    /** The measures beyond price the firm's binding class brings on `date`: id and value, in rule-file order. */
    measures?: {
      code: string
      date: string
      class: string | null
      measures: ({ id: string } & Record<string, unknown>)[]
    }[]
    /** A department's list for a measure on `date`: the firms' credit codes, in the list's order. */
    lists?: { measure: string; date: string; firms: string[] }[]
  }
}

const dir = new URL('./cases/', import.meta.url).pathname
const fixtures = new URL('./fixtures/rulebooks/', import.meta.url).pathname
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
const cases = files.map((f) => ({ file: f, ...(parse(readFileSync(dir + f, 'utf8')) as CaseFile) }))

it('has at least 12 golden cases', () => {
  expect(cases.length).toBeGreaterThanOrEqual(12)
})

describe('golden cases', () => {
  const shipped = ningbo()
  const filedCixi = compileRulebook(ningboWithFiledCixi())
  it.each(cases)('$file: $name', (c) => {
    const rb = c.overrides
      ? compileRulebook([
          ...ningboTexts(),
          ...c.overrides.map((f) => ({
            path: `counties/${f}`,
            text: readFileSync(new URL(`./fixtures/overrides/${f}`, import.meta.url), 'utf8'),
          })),
        ])
      : c.rulebook === 'filed-cixi'
        ? filedCixi
        : c.rulebook?.startsWith('fixture:')
          ? compileRulebook(readRuleTexts(`${fixtures}${c.rulebook.slice(8)}`))
          : shipped
    const results: RatingResult[] = []
    // Each year's recorded peer statistics, for a later year's `year: previous` benchmarks (as a run stores them).
    const frames = new Map<number, PeerFrame>()
    for (const ev of c.evaluations) {
      const population = ev.enterprises.map((e) => ({
        creditCode: e.code,
        name: e.name,
        county: e.county,
        industryCode: e.industry,
        figures: e.figures as never,
      }))
      const record = emptyFrame()
      const before = frames.get(ev.year - 1)
      const previous = before && { year: ev.year - 1, stats: before.stats }
      results.push(...rate(population, rb, ev.year, { record, previous }))
      frames.set(ev.year, record)
    }
    for (const want of c.expect.ratings ?? []) {
      const got = results.find((r) => r.creditCode === want.code && r.year === want.year)
      expect(got, `${want.code} ${want.year}`).toBeDefined()
      const view = {
        status: got!.status,
        ...(want.group !== undefined && { group: got!.group }),
        ...(want.score !== undefined && { score: Number(got!.score!.toFixed(2)) }),
        ...(want.rank !== undefined && { rank: got!.rank }),
        ...(want.initialClass !== undefined && { initialClass: got!.initialClass }),
        ...(want.class !== undefined && { class: got!.class }),
        ...(want.category !== undefined && { category: got!.category?.category ?? null }),
        ...(want.method !== undefined && { method: got!.method }),
      }
      const { year: _y, code: _c, problem, ...expected } = want
      expect(view, `${want.code} ${want.year}`).toEqual(expected)
      if (problem) expect(got!.problems.join('; ')).toContain(problem)
    }
    for (const q of c.expect.quotes ?? []) {
      const history = results.filter((r) => r.creditCode === q.code)
      const got = quote(
        history,
        rb,
        {
          resource: q.resource,
          from: q.from,
          to: q.to,
          quantity: q.quantity,
          readings: q.readings,
        },
        { preview: q.preview, lists: standingsOf(c.lists, q.code) },
      )
      expect(
        got.lines.map((l) => ({
          schedule: l.scheduleId,
          from: l.from,
          to: l.to,
          rate: l.rate,
          amount: l.amount,
        })),
        `${q.code} ${q.resource} lines`,
      ).toEqual(q.lines.map((l) => ({ ...l, rate: String(Number(l.rate)) })))
      expect(
        got.waived.map((l) => ({ schedule: l.scheduleId, amount: l.amount })),
        `${q.code} waived`,
      ).toEqual(q.waived ?? [])
      expect(got.total, `${q.code} total`).toBe(q.total)
    }
    const bindingFacts = (code: string, date: string) => {
      const history = results.filter((r) => r.creditCode === code)
      const b = bindingOn(history, date)
      return { class: b?.class ?? null, sector: b?.sector ?? null, county: history[0].county }
    }
    for (const m of c.expect.measures ?? []) {
      const got = measuresFor(rb, bindingFacts(m.code, m.date), m.date)
      expect(got.class, `${m.code} ${m.date} class`).toBe(m.class)
      expect(
        got.measures.map((x) => ({ id: x.id, ...x.value })),
        `${m.code} ${m.date} measures`,
      ).toEqual(m.measures)
      // Every measure in force is accounted for in the trace, applied or not.
      expect(got.trace.length).toBeGreaterThanOrEqual(got.measures.length)
    }
    for (const l of c.expect.lists ?? []) {
      const codes = [...new Set(results.map((r) => r.creditCode))]
      const firms = codes.map((code) => ({
        creditCode: code,
        name: code,
        ...bindingFacts(code, l.date),
      }))
      expect(
        measureList(rb, l.measure, firms, l.date).map((r) => r.creditCode),
        `${l.measure} ${l.date} list`,
      ).toEqual(l.firms)
    }
  })
})

/** A firm's standing on each case list it has an entry on (as the store hands them to pricing). */
function standingsOf(lists: CaseFile['lists'], code: string): ListStanding[] {
  return (lists ?? []).flatMap((l) => {
    const entries = l.entries
      .filter((e) => e.code === code)
      .map(({ from, to, ref, removedRef }) => ({ from, to, ref, removedRef }))
    if (entries.length === 0) return []
    const { id, label, document, startOn, transitionUntil } = l
    return [{ list: id, label, document, startOn, transitionUntil, entries }]
  })
}
