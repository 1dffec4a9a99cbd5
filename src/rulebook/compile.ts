/**
 * Turns rule file texts into a typed, checked Rulebook with every formula compiled once.
 * Pure: texts in, Rulebook out (or a RulebookError listing every problem with file:line:col).
 * @module rulebook/compile
 */

import { createHash } from 'node:crypto'
import { Decimal } from 'decimal.js'
import {
  type Document,
  isCollection,
  isNode,
  isScalar as isScalarNode,
  LineCounter,
  parseDocument,
  visit,
} from 'yaml'
import type { z } from 'zod'
import { FormulaError, RulebookError, type RuleProblem } from '../errors.ts'
import {
  type CompiledFormula,
  compileFormula,
  type SymbolKind,
  suggest,
} from '../formula/compile.ts'
import { Derived } from './derived.ts'
import {
  type Adjustment,
  type ClassScheme,
  DATED_SECTIONS,
  type DatedSection,
  type Deadline,
  type Fund,
  type Group,
  type Indicator,
  type Input,
  type Meta,
  type OverrideFile,
  OverrideFileSchema,
  type OverrideStatus,
  type RuleFile,
  RuleFileSchema,
  type Scoring,
  type Sector,
  type SectorTable,
  type Stacking,
  type Surcharge,
  type Target,
  type Veto,
} from './schema.ts'

/** A rule file as text, named by its path relative to the rules folder. */
export interface RuleText {
  path: string
  text: string
}

/** Where an item came from: the city rulebook or a county override. */
export interface Origin {
  file: string
  line: number
  kind: 'city' | 'county'
  overrideId?: string
  county?: string
}

export type TableRowC = SectorTable['rows'][number] & { whenFn: CompiledFormula }
export type GroupC = Group & { origin: Origin; whenFn: CompiledFormula }

/** A built-in number in a group's `when`: the year being rated (e.g. for "producing for under two years"). */
export const EVALUATION_YEAR = 'evaluation_year'
/** The sections evaluated while a year is rated, where `evaluation_year` has a value. */
const RATING_SECTIONS: ReadonlySet<string> = new Set(['groups', 'adjustments', 'vetoes'])
export type IndicatorC = Indicator & { origin: Origin; fn: CompiledFormula }
export type ScoringItemC = Scoring['items'][number] & { missingFn?: CompiledFormula }
export type ScoringC = Omit<Scoring, 'items'> & { origin: Origin; items: ScoringItemC[] }
export type AdjustmentC = Adjustment & { origin: Origin; whenFn: CompiledFormula }
export type VetoC = Veto & { origin: Origin; whenFn: CompiledFormula }
export type ClassSchemeC = ClassScheme & { origin: Origin }
export type SectorTableC = Omit<SectorTable, 'rows'> & { origin: Origin; rows: TableRowC[] }
export type SurchargeC = Surcharge & { origin: Origin }
export type StackingC = Stacking & { origin: Origin }
export type TargetC = Target & { origin: Origin }
export type DeadlineC = Deadline & { origin: Origin }
export type FundC = Fund & { origin: Origin }

export interface Sections {
  groups: GroupC[]
  indicators: IndicatorC[]
  scoring: ScoringC[]
  adjustments: AdjustmentC[]
  vetoes: VetoC[]
  classes: ClassSchemeC[]
  sectorTables: SectorTableC[]
  surcharges: SurchargeC[]
  stacking: StackingC[]
  targets: TargetC[]
  deadlines: DeadlineC[]
  funds: FundC[]
}

export interface Override {
  id: string
  county: string
  label: string
  status: OverrideStatus
  from: string
  to?: string
  header: OverrideFile['override']
  file: string
  /** Items replacing city items with the same id, by section. */
  replace: Partial<Sections>
  /** New items, by section. */
  add: Partial<Sections>
  /** The override file's source text, kept so an export round-trips byte for byte. */
  text: string
}

export interface Rulebook {
  meta: Meta
  inputs: Input[]
  inputById: ReadonlyMap<string, Input>
  symbols: ReadonlyMap<string, SymbolKind>
  sectors: Sector[]
  sections: Sections
  overrides: Override[]
  /** The city files hash (see `cityFilesHash`): the city version's identity; override files are not part of it. */
  hash: string
  files: RuleText[]
  /** What the core derives from this rulebook, made on first use (not enumerable: not part of its value). */
  readonly derived: Derived
}

interface Located {
  file: string
  doc: Document
  lc: LineCounter
}

type Reporter = (
  loc: Located,
  path: (string | number)[],
  message: string,
  extraCol?: number,
) => void

/** True for a county override file (under a `counties/` folder); every other rule file is a city file. */
export const isCountyFile = (path: string) => /(^|\/)counties\//.test(path)

/**
 * The city files hash: sha256 over each city file's path and text, in code-unit order of the paths (no locale's
 * collation, so every machine agrees). County override files are left out: they are records of their own.
 */
export function cityFilesHash(texts: RuleText[]): string {
  const hash = createHash('sha256')
  const city = texts.filter((t) => !isCountyFile(t.path))
  for (const t of city.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    hash.update(`${t.path}\0${t.text}\0`)
  return hash.digest('hex')
}

/** Compiles the rule files of one city (section files plus `counties/*.yaml` overrides). */
export function compileRulebook(texts: RuleText[]): Rulebook {
  const problems: RuleProblem[] = []
  const report: Reporter = (loc, path, message, extraCol = 0) => {
    const { line, col } = position(loc, path)
    problems.push({ file: loc.file, line, col: col + extraCol, path: path.join('.'), message })
  }
  const sorted = [...texts].sort((a, b) => a.path.localeCompare(b.path))
  const cityFiles: { loc: Located; data: RuleFile }[] = []
  const overrideFiles: { loc: Located; data: OverrideFile; text: string }[] = []
  /** Ids of items a schema error kept out: references to them are not reported again as unknown. */
  const broken = new Set<string>()
  // Problems of files that could not be read at all (YAML errors, keys that are maps): nothing of them is salvaged,
  // so cross-file checks would only echo them.
  let unreadable = 0

  for (const t of sorted) {
    const lc = new LineCounter()
    const doc = parseDocument(t.text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false })
    const loc: Located = { file: t.path, doc, lc }
    if (doc.errors.length > 0) {
      // Later YAML errors are mostly echoes of the first; report the first one, precisely.
      const err = doc.errors[0]
      const { line, col } = lc.linePos(err.pos[0])
      problems.push({
        file: t.path,
        line,
        col,
        path: '',
        message: `YAML: ${err.message.split('\n')[0]}`,
      })
      unreadable++
      continue
    }
    // A key that is itself a map or list is never meant: report it instead of letting it be stringified.
    let badKey: number | undefined
    visit(doc, {
      Pair(_, pair) {
        if (isCollection(pair.key)) {
          badKey = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0
          return visit.BREAK
        }
      },
    })
    if (badKey !== undefined) {
      const { line, col } = lc.linePos(badKey)
      problems.push({
        file: t.path,
        line,
        col,
        path: '',
        message: 'YAML: a key must be a plain name, not a map or a list',
      })
      unreadable++
      continue
    }
    let raw: unknown
    try {
      raw = doc.toJS({ maxAliasCount: 50 })
    } catch (e) {
      // Unresolved or exploding aliases: point at the offending alias.
      let at = 0
      visit(doc, {
        Alias(_, node) {
          if (!node.resolve(doc) || at === 0) at = node.range?.[0] ?? 0
          if (!node.resolve(doc)) return visit.BREAK
        },
      })
      const { line, col } = lc.linePos(at)
      problems.push({ file: t.path, line, col, path: '', message: `YAML: ${(e as Error).message}` })
      unreadable++
      continue
    }
    const isOverride = isCountyFile(t.path)
    const schema: z.ZodType = isOverride ? OverrideFileSchema : RuleFileSchema
    const parsed = schema.safeParse(raw ?? {}, { reportInput: true })
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path as (string | number)[]
        report(
          loc,
          issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]] : path,
          describeIssue(issue),
        )
      }
      // The file's valid items still take part in the cross-file checks, so a schema error and a wrong reference
      // elsewhere are reported in one run; the ids of its broken items are remembered so that references to them
      // are not reported as unknown too.
      if (!isOverride) {
        const salvaged = salvage(raw, broken)
        if (salvaged) cityFiles.push({ loc, data: salvaged })
      }
      continue
    }
    if (isOverride) overrideFiles.push({ loc, data: parsed.data as OverrideFile, text: t.text })
    else cityFiles.push({ loc, data: parsed.data as RuleFile })
  }

  // Meta: exactly one file carries `rulebook:`.
  const metaFiles = cityFiles.filter((f) => f.data.rulebook)
  if (metaFiles.length === 0 && !sorted.some((t) => /^\s*rulebook:/m.test(t.text))) {
    problems.push({
      file: sorted[0]?.path ?? '(none)',
      line: 1,
      col: 1,
      path: 'rulebook',
      message: 'no file declares the `rulebook:` section',
    })
  }
  for (const extra of metaFiles.slice(1)) {
    report(extra.loc, ['rulebook'], `\`rulebook:\` is already declared in ${metaFiles[0].loc.file}`)
  }
  // Cross-file checks run on the valid items of every file (see salvage); without the meta section they cannot.
  if (metaFiles.length === 0 || unreadable > 0) throw new RulebookError(problems)
  const schemaProblems = problems.length
  const meta = metaFiles[0].data.rulebook!

  // Inputs and sectors: undated identity data, unique ids.
  const inputs: Input[] = []
  const sectors: Sector[] = []
  const seenUndated = new Map<string, string>()
  for (const { loc, data } of cityFiles) {
    for (const [section, list] of [
      ['inputs', data.inputs ?? []],
      ['sectors', data.sectors ?? []],
    ] as const) {
      list.forEach((item, i) => {
        const key = `${section}:${item.id}`
        const prev = seenUndated.get(key)
        if (prev)
          report(loc, [section, i, 'id'], `duplicate ${section} id '${item.id}' (first at ${prev})`)
        else seenUndated.set(key, `${loc.file}:${position(loc, [section, i]).line}`)
        if (section === 'inputs') inputs.push(item as Input)
        else sectors.push(item as Sector)
      })
    }
  }
  inputs.forEach((inp) => {
    const loc = cityFiles.find((f) => f.data.inputs?.includes(inp))!.loc
    const i = cityFiles.find((f) => f.data.inputs?.includes(inp))!.data.inputs!.indexOf(inp)
    if (inp.type === 'category' && !inp.values)
      report(
        loc,
        ['inputs', i, 'values'],
        `category input '${inp.id}' needs a list of allowed values`,
      )
    if (inp.type !== 'category' && inp.values)
      report(loc, ['inputs', i, 'values'], `only category inputs take values`)
  })
  // A rulebook that names no sectors rates every firm in one implicit default sector.
  if (sectors.length === 0)
    sectors.push({
      id: 'all',
      label: '全部行业',
      industryCodes: [],
      default: true,
      source: { document: '(no sectors declared)' },
    } as Sector)
  if (sectors.filter((s) => s.default).length !== 1) {
    const f = cityFiles.find((c) => c.data.sectors) ?? metaFiles[0]
    report(
      f.loc,
      ['sectors'],
      'exactly one sector must be marked `default: true` (the fallback for unmatched industry codes)',
    )
  }

  const symbols = new Map<string, SymbolKind>()
  for (const inp of inputs) {
    const d = inp.default ?? (inp.type === 'flag' ? false : undefined)
    if (
      d !== undefined &&
      typeof d !== (inp.type === 'number' ? 'number' : inp.type === 'flag' ? 'boolean' : 'string')
    ) {
      const f = cityFiles.find((c) => c.data.inputs?.includes(inp))!
      report(
        f.loc,
        ['inputs', f.data.inputs!.indexOf(inp), 'default'],
        `default ${JSON.stringify(d)} does not fit a ${inp.type} input`,
      )
    }
    if (inp.type === 'category' && d !== undefined && !inp.values?.includes(d as string)) {
      const f = cityFiles.find((c) => c.data.inputs?.includes(inp))!
      report(
        f.loc,
        ['inputs', f.data.inputs!.indexOf(inp), 'default'],
        `default '${d}' is not one of the values`,
      )
    }
    symbols.set(
      inp.id,
      inp.type === 'category'
        ? { kind: 'category', values: inp.values ?? [], default: d as string | undefined }
        : inp.type === 'flag'
          ? { kind: 'flag', default: d as boolean | undefined }
          : { kind: 'number', default: d as number | undefined },
    )
  }
  if (symbols.has(EVALUATION_YEAR)) {
    const f = cityFiles.find((c) => c.data.inputs?.some((i) => i.id === EVALUATION_YEAR))!
    report(
      f.loc,
      ['inputs', f.data.inputs!.findIndex((i) => i.id === EVALUATION_YEAR), 'id'],
      `'${EVALUATION_YEAR}' is built in (the year being rated); give the input another id`,
    )
  }
  symbols.set(EVALUATION_YEAR, { kind: 'number', default: undefined })
  const indicatorIds = new Set<string>()
  for (const { data } of cityFiles)
    for (const ind of data.indicators ?? []) indicatorIds.add(ind.id)
  for (const { data } of overrideFiles)
    for (const ind of data.add?.indicators ?? []) indicatorIds.add(ind.id)
  for (const id of indicatorIds) {
    if (symbols.has(id)) {
      const f = cityFiles.find((c) => c.data.indicators?.some((x) => x.id === id))
      if (f)
        report(
          f.loc,
          ['indicators', f.data.indicators!.findIndex((x) => x.id === id), 'id'],
          `indicator '${id}' has the same id as an input`,
        )
    } else symbols.set(id, { kind: 'number' })
  }

  meta.resources.forEach((r, i) => {
    if (r.quantityInput && !symbols.has(r.quantityInput))
      report(
        metaFiles[0].loc,
        ['rulebook', 'resources', i, 'quantityInput'],
        `unknown input '${r.quantityInput}'`,
      )
  })
  // Each item's file and path, so later checks (overlaps, cycles) can point at it.
  const locations: ItemLocations = new WeakMap()
  const ctx: CheckContext = { meta, inputs, sectors, symbols, report, indicatorIds, locations }
  const sections = emptySections()
  for (const { loc, data } of cityFiles) {
    collectSections(data, loc, { file: loc.file, line: 0, kind: 'city' }, sections, ctx, [])
  }
  checkOverlaps(sections, ctx)
  checkIndicatorCycles(sections.indicators, ctx)
  const cityGroupIds = new Set(sections.groups.map((g) => g.id))
  checkGroupRefs([sections], cityGroupIds, ctx)

  const overrides: Override[] = []
  const overrideIds = new Map<string, string>()
  for (const { loc, data, text } of overrideFiles) {
    const h = data.override
    if (overrideIds.has(h.id))
      report(
        loc,
        ['override', 'id'],
        `override id '${h.id}' is already used in ${overrideIds.get(h.id)}`,
      )
    overrideIds.set(h.id, loc.file)
    if (!meta.counties.some((c) => c.code === h.county)) {
      report(
        loc,
        ['override', 'county'],
        `county '${h.county}' is not one of ${meta.jurisdiction.name}'s counties (${meta.counties.map((c) => c.code).join(', ')})`,
      )
    }
    checkStatus(h, loc, report)
    if (h.to && h.to <= h.from)
      report(loc, ['override', 'to'], `'to' (${h.to}) must be after 'from' (${h.from})`)
    const origin: Origin = {
      file: loc.file,
      line: 0,
      kind: 'county',
      overrideId: h.id,
      county: h.county,
    }
    const replace = emptySections()
    const add = emptySections()
    for (const [mode, part, target] of [
      ['replace', data.replace, replace],
      ['add', data.add, add],
    ] as const) {
      if (!part) continue
      for (const section of Object.keys(part) as (keyof RuleFile)[]) {
        if (!(meta.overridable as string[]).includes(section)) {
          report(
            loc,
            [mode, section],
            `section '${section}' is not overridable by counties (overridable: ${meta.overridable.join(', ') || 'none'})`,
          )
          continue
        }
        if (section === 'inputs' || section === 'sectors') {
          report(
            loc,
            [mode, section],
            `section '${section}' is identity data and cannot be overridden`,
          )
          continue
        }
        const items = (part as any)[section] as { id: string }[]
        items.forEach((item, i) => {
          const exists = sections[section as DatedSection].some((x) => x.id === item.id)
          if (mode === 'replace' && !exists) {
            report(
              loc,
              [mode, section, i, 'id'],
              `override replaces unknown ${section} id '${item.id}'; use 'add' for a new item`,
            )
          }
          if (mode === 'add' && exists) {
            report(
              loc,
              [mode, section, i, 'id'],
              `override adds ${section} id '${item.id}', which the city rulebook already has; use 'replace'`,
            )
          }
        })
      }
      collectSections(part as RuleFile, loc, origin, target, ctx, [mode])
    }
    checkGroupRefs([replace, add], new Set([...cityGroupIds, ...add.groups.map((g) => g.id)]), ctx)
    checkOverlaps(replace, ctx)
    checkOverlaps(add, ctx)
    overrides.push({
      id: h.id,
      county: h.county,
      label: h.label,
      status: h.status,
      from: h.from,
      to: h.to,
      header: h,
      file: loc.file,
      replace,
      add,
      text,
    })
  }

  if (problems.length > 0) {
    // A reference to an item that failed its schema is that item's problem, already reported.
    const echoes = (m: string) => [...broken].some((id) => m.includes(`'${id}'`))
    throw new RulebookError(problems.filter((p, i) => i < schemaProblems || !echoes(p.message)))
  }
  const fields: Omit<Rulebook, 'derived'> = {
    meta,
    inputs,
    inputById: new Map(inputs.map((i) => [i.id, i])),
    symbols,
    sectors,
    sections,
    overrides,
    hash: cityFilesHash(sorted),
    files: sorted,
  }
  return Object.defineProperty(fields, 'derived', { value: new Derived() }) as Rulebook
}

/** Where each compiled item sits (file and path), for the whole-rulebook checks that point at it. */
type ItemLocations = WeakMap<object, { loc: Located; path: (string | number)[] }>

interface CheckContext {
  locations: ItemLocations
  meta: Meta
  inputs: Input[]
  sectors: Sector[]
  symbols: Map<string, SymbolKind>
  indicatorIds: Set<string>
  report: Reporter
}

function emptySections(): Sections {
  return {
    groups: [],
    indicators: [],
    scoring: [],
    adjustments: [],
    vetoes: [],
    classes: [],
    sectorTables: [],
    surcharges: [],
    stacking: [],
    targets: [],
    deadlines: [],
    funds: [],
  }
}

function collectSections(
  data: RuleFile,
  loc: Located,
  originBase: Origin,
  out: Sections,
  ctx: CheckContext,
  prefix: (string | number)[],
): void {
  const { report, meta } = ctx
  const classIds = new Set(meta.classes.map((c) => c.id))
  const categoryIds = new Set(meta.categories.map((c) => c.id))
  const sectorIds = new Set(ctx.sectors.map((s) => s.id))
  const resourceIds = new Set(meta.resources.map((r) => r.id))
  const inputIds = new Set(ctx.inputs.map((i) => i.id))
  const formula = (
    path: (string | number)[],
    source: string,
    expect?: 'number' | 'boolean',
  ): CompiledFormula | undefined => {
    try {
      const f = compileFormula(source, ctx.symbols)
      // The evaluation year is known when a population is rated (groups, adjustments, vetoes), not when a single
      // firm is priced or categorised.
      const section = path[0] === 'replace' || path[0] === 'add' ? path[1] : path[0]
      if (f.symbols.includes(EVALUATION_YEAR) && !RATING_SECTIONS.has(String(section))) {
        report(
          loc,
          path,
          `'${EVALUATION_YEAR}' may be used only in a group's, an adjustment's or a veto's \`when\` (it is known when a year is rated)`,
          quoteOffset(loc, path),
        )
        return undefined
      }
      // A `when` that is not a condition would never fire, an indicator that is not a number cannot be scored.
      if (expect && f.type !== expect) {
        report(
          loc,
          path,
          expect === 'boolean'
            ? `'${source}' is not a condition: a \`when\` must give true or false (e.g. a comparison)`
            : `'${source}' does not give a number: an indicator formula must`,
          quoteOffset(loc, path),
        )
        return undefined
      }
      return f
    } catch (e) {
      if (e instanceof FormulaError) {
        const extra = e.index !== undefined && !source.includes('\n') ? Math.max(0, e.index - 1) : 0
        report(loc, path, `formula '${source}': ${e.message}`, extra + quoteOffset(loc, path))
        return undefined
      }
      throw e
    }
  }
  const dateCheck = (item: { from: string; to?: string }, path: (string | number)[]) => {
    if (item.to && item.to <= item.from)
      report(loc, [...path, 'to'], `'to' (${item.to}) must be after 'from' (${item.from})`)
  }
  const originOf = (path: (string | number)[]): Origin => ({
    ...originBase,
    line: position(loc, path).line,
  })
  const dummy = compileFormula('0', new Map())

  for (const section of DATED_SECTIONS) {
    const list = (data[section] ?? []) as any[]
    list.forEach((item, i) => {
      const path = [...prefix, section, i]
      dateCheck(item, path)
      const origin = originOf(path)
      switch (section) {
        case 'groups':
          if (item.unratedClass !== undefined && !classIds.has(item.unratedClass))
            report(
              loc,
              [...path, 'unratedClass'],
              `unknown class '${item.unratedClass}' (classes: ${[...classIds].join(', ')})`,
            )
          out.groups.push({
            ...item,
            origin,
            whenFn: formula([...path, 'when'], item.when, 'boolean') ?? dummy,
          })
          break
        case 'indicators':
          out.indicators.push({
            ...item,
            origin,
            fn: formula([...path, 'formula'], item.formula, 'number') ?? dummy,
          })
          break
        case 'scoring': {
          const s = item as Scoring
          s.items.forEach((si, j) => {
            if (!ctx.indicatorIds.has(si.indicator))
              report(
                loc,
                [...path, 'items', j, 'indicator'],
                `unknown indicator '${si.indicator}'${suggest(si.indicator, ctx.indicatorIds)}`,
              )
            if (si.cap !== undefined && si.floor !== undefined && si.floor > si.cap)
              report(
                loc,
                [...path, 'items', j, 'floor'],
                `floor ${si.floor} is above cap ${si.cap}`,
              )
          })
          out.scoring.push({
            ...s,
            origin,
            items: s.items.map((si, j) =>
              si.missing
                ? {
                    ...si,
                    missingFn:
                      formula(
                        [...path, 'items', j, 'missing', 'when'],
                        si.missing.when,
                        'boolean',
                      ) ?? dummy,
                  }
                : si,
            ),
          })
          break
        }
        case 'adjustments':
          out.adjustments.push({
            ...item,
            origin,
            whenFn: formula([...path, 'when'], item.when, 'boolean') ?? dummy,
          })
          break
        case 'vetoes':
          if (!classIds.has(item.class))
            report(
              loc,
              [...path, 'class'],
              `unknown class '${item.class}' (classes: ${[...classIds].join(', ')})`,
            )
          out.vetoes.push({
            ...item,
            origin,
            whenFn: formula([...path, 'when'], item.when, 'boolean') ?? dummy,
          })
          break
        case 'classes': {
          const c = item as ClassScheme
          c.bands.forEach((b, j) => {
            if (!classIds.has(b.class))
              report(
                loc,
                [...path, 'bands', j, 'class'],
                `unknown class '${b.class}' (classes: ${[...classIds].join(', ')})`,
              )
            if (c.method === 'rank-share' && b.share === undefined)
              report(loc, [...path, 'bands', j], `a rank-share band needs 'share'`)
            if (c.method === 'score' && b.minScore === undefined && j < c.bands.length - 1)
              report(
                loc,
                [...path, 'bands', j],
                `a score band needs 'minScore' (only the last band may omit it)`,
              )
          })
          // Bands are read in order, best class first; a band listed out of order silently gives wrong classes.
          const classOrder = [...classIds]
          for (let j = 1; j < c.bands.length; j++) {
            const prev = classOrder.indexOf(c.bands[j - 1].class)
            const here = classOrder.indexOf(c.bands[j].class)
            if (prev >= 0 && here >= 0 && here <= prev)
              report(
                loc,
                [...path, 'bands', j, 'class'],
                `bands are listed best class first (${classOrder.join(', ')}): '${c.bands[j].class}' cannot follow '${c.bands[j - 1].class}'`,
              )
            const [hi, lo] = [c.bands[j - 1].minScore, c.bands[j].minScore]
            if (c.method === 'score' && hi !== undefined && lo !== undefined && lo >= hi)
              report(
                loc,
                [...path, 'bands', j, 'minScore'],
                `minScore ${lo} is not below the previous band's ${hi}: score bands go from the highest threshold down`,
              )
          }
          const last = c.bands[c.bands.length - 1]
          if (c.method === 'score' && last?.minScore !== undefined)
            report(
              loc,
              [...path, 'bands', c.bands.length - 1, 'minScore'],
              `the last score band takes every score below the band before it, so it has no minScore: a firm under ${last.minScore} would get '${last.class}' anyway. Add a band for lower scores, or remove this minScore`,
            )
          if (c.method === 'rank-share') {
            const total = c.bands.reduce((a, b) => a + (b.share ?? 0), 0)
            if (Math.abs(total - 1) > 1e-9)
              report(loc, [...path, 'bands'], `band shares add up to ${+total.toFixed(6)}, not 1`)
          }
          for (const t of c.tieBreak)
            if (!ctx.indicatorIds.has(t))
              report(
                loc,
                [...path, 'tieBreak'],
                `unknown indicator '${t}' in tieBreak${suggest(t, ctx.indicatorIds)}`,
              )
          out.classes.push({ ...c, origin })
          break
        }
        case 'sectorTables': {
          const t = item as SectorTable
          t.sectors.forEach((s, j) => {
            if (!sectorIds.has(s)) report(loc, [...path, 'sectors', j], `unknown sector '${s}'`)
          })
          if (!categoryIds.has(t.otherwise))
            report(loc, [...path, 'otherwise'], `unknown category '${t.otherwise}'`)
          const rows: TableRowC[] = t.rows.map((r, j) => {
            if (!categoryIds.has(r.category))
              report(
                loc,
                [...path, 'rows', j, 'category'],
                `unknown category '${r.category}' (categories: ${[...categoryIds].join(', ')})`,
              )
            return {
              ...r,
              whenFn: formula([...path, 'rows', j, 'when'], r.when, 'boolean') ?? dummy,
            }
          })
          out.sectorTables.push({ ...t, rows, origin })
          break
        }
        case 'surcharges': {
          const s = item as Surcharge
          if (!resourceIds.has(s.resource))
            report(
              loc,
              [...path, 'resource'],
              `resource '${s.resource}' is not declared in the rulebook`,
            )
          s.sectors?.forEach((x, j) => {
            if (!sectorIds.has(x)) report(loc, [...path, 'sectors', j], `unknown sector '${x}'`)
          })
          checkSurchargeShape(s, path, loc, report, {
            classIds,
            categoryIds,
            indicatorIds: ctx.indicatorIds,
            inputIds,
          })
          out.surcharges.push({ ...s, origin })
          break
        }
        case 'stacking':
          out.stacking.push({ ...item, origin })
          break
        case 'targets':
          out.targets.push({ ...item, origin })
          break
        case 'deadlines': {
          const d = item as Deadline
          if (d.kind === 'project_list' && !d.due)
            report(
              loc,
              [...path, 'due'],
              `a project_list deadline needs 'due' (yearOffset, month, day)`,
            )
          if (d.kind === 'quarterly_report' && d.daysAfter === undefined)
            report(loc, [...path, 'daysAfter'], `a quarterly_report deadline needs 'daysAfter'`)
          out.deadlines.push({ ...d, origin })
          break
        }
        case 'funds': {
          const f = item as Fund
          // Weights are compared as decimals: 0.3 + 0.2 + … is not 1 in binary floating point.
          const sum = f.criteria.reduce((a, c) => a.plus(String(c.weight)), new Decimal(0))
          if (!sum.eq(1))
            report(loc, [...path, 'criteria'], `criteria weights sum to ${sum}, not 1`)
          const seen = new Set<string>()
          f.criteria.forEach((c, j) => {
            if (seen.has(c.id))
              report(loc, [...path, 'criteria', j, 'id'], `duplicate criterion '${c.id}'`)
            seen.add(c.id)
          })
          out.funds.push({ ...f, origin })
          break
        }
      }
    })
  }
  // Register where each compiled item sits so later whole-rulebook checks can point at it.
  for (const section of DATED_SECTIONS) {
    const list = (data[section] ?? []) as unknown[]
    const compiled = out[section] as object[]
    list.forEach((_, i) => {
      ctx.locations.set(compiled[compiled.length - list.length + i], {
        loc,
        path: [...prefix, section, i],
      })
    })
  }
}

/** Group references (scoring, classes, adjustments) must name a group of the city or of the same override. */
function checkGroupRefs(parts: Partial<Sections>[], groupIds: Set<string>, ctx: Where): void {
  for (const part of parts) {
    for (const s of part.scoring ?? []) {
      if (!groupIds.has(s.group)) at(s, ['group'], `unknown group '${s.group}'`, ctx)
    }
    for (const c of part.classes ?? []) {
      c.groups.forEach((g, j) => {
        if (!groupIds.has(g)) at(c, ['groups', j], `unknown group '${g}'`, ctx)
      })
    }
    for (const a of part.adjustments ?? []) {
      a.groups?.forEach((g, j) => {
        if (!groupIds.has(g)) at(a, ['groups', j], `unknown group '${g}'`, ctx)
      })
    }
  }
}

/** What `at` needs to point at an item. */
type Where = Pick<CheckContext, 'locations' | 'report'>

function at(item: object, sub: (string | number)[], message: string, ctx: Where): void {
  const where = ctx.locations.get(item)
  if (where) ctx.report(where.loc, [...where.path, ...sub], message)
}

function checkSurchargeShape(
  s: Surcharge,
  path: (string | number)[],
  loc: Located,
  report: Reporter,
  ids: {
    classIds: Set<string>
    categoryIds: Set<string>
    indicatorIds: Set<string>
    inputIds: Set<string>
  },
): void {
  const need = (field: 'rates' | 'intensity' | 'quota') => {
    for (const f of ['rates', 'intensity', 'quota'] as const) {
      if (f === field && !s[f]) report(loc, [...path, f], `basis '${s.basis}' needs '${f}'`)
      if (f !== field && s[f])
        report(loc, [...path, f], `'${f}' does not belong to basis '${s.basis}'`)
    }
  }
  if (s.basis === 'class' || s.basis === 'category') {
    need('rates')
    s.rates?.forEach((r, j) => {
      const key = s.basis as 'class' | 'category'
      const other = key === 'class' ? 'category' : 'class'
      if (!r[key])
        report(loc, [...path, 'rates', j], `a rate of a '${key}' schedule needs '${key}'`)
      if (r[other])
        report(
          loc,
          [...path, 'rates', j, other],
          `'${other}' does not belong in a '${key}' schedule`,
        )
      if (r.class && !ids.classIds.has(r.class))
        report(loc, [...path, 'rates', j, 'class'], `unknown class '${r.class}'`)
      if (r.category && !ids.categoryIds.has(r.category))
        report(loc, [...path, 'rates', j, 'category'], `unknown category '${r.category}'`)
    })
  } else if (s.basis === 'intensity') {
    need('intensity')
    if (s.intensity && !ids.indicatorIds.has(s.intensity.measure))
      report(
        loc,
        [...path, 'intensity', 'measure'],
        `unknown indicator '${s.intensity.measure}'${suggest(s.intensity.measure, ids.indicatorIds)}`,
      )
  } else {
    need('quota')
    if (s.quota && !ids.inputIds.has(s.quota.quotaInput))
      report(loc, [...path, 'quota', 'quotaInput'], `unknown input '${s.quota.quotaInput}'`)
    s.quota?.bands.forEach((b, j) => {
      if (b.overTo !== undefined && b.overTo <= b.overFrom)
        report(loc, [...path, 'quota', 'bands', j, 'overTo'], `overTo must be above overFrom`)
      const prev = s.quota!.bands[j - 1]
      if (prev && prev.overTo !== b.overFrom)
        report(
          loc,
          [...path, 'quota', 'bands', j, 'overFrom'],
          `bands must be contiguous: expected overFrom ${prev.overTo}`,
        )
    })
  }
}

function checkOverlaps(sections: Sections, ctx: CheckContext): void {
  for (const section of DATED_SECTIONS) {
    const byId = new Map<string, { from: string; to?: string }[]>()
    for (const item of sections[section] as { id: string; from: string; to?: string }[]) {
      const list = byId.get(item.id) ?? []
      for (const other of list) {
        if (item.from < (other.to ?? '9999-12-31') && other.from < (item.to ?? '9999-12-31')) {
          const otherAt = (other as any).origin as Origin
          at(
            item,
            ['from'],
            `${section} '${item.id}' from ${item.from}${item.to ? ` to ${item.to}` : ''} overlaps the version from ${other.from}${other.to ? ` to ${other.to}` : ''} (${otherAt.file}:${otherAt.line})`,
            ctx,
          )
        }
      }
      list.push(item)
      byId.set(item.id, list)
    }
  }
}

function checkIndicatorCycles(indicators: IndicatorC[], ctx: CheckContext): void {
  const deps = new Map<string, Set<string>>()
  for (const ind of indicators) {
    const set = deps.get(ind.id) ?? new Set<string>()
    for (const s of ind.fn.symbols) if (ctx.indicatorIds.has(s)) set.add(s)
    deps.set(ind.id, set)
  }
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const reported = new Set<string>()
  const visit = (id: string): void => {
    if (state.get(id) === 2) return
    if (state.get(id) === 1) {
      const cycle = [...stack.slice(stack.indexOf(id)), id]
      const key = [...cycle].sort().join(',')
      if (reported.has(key)) return
      reported.add(key)
      const ind = indicators.find((x) => x.id === id)!
      at(ind, ['formula'], `indicators form a cycle: ${cycle.join(' → ')}`, ctx)
      return
    }
    state.set(id, 1)
    stack.push(id)
    for (const d of deps.get(id) ?? []) visit(d)
    stack.pop()
    state.set(id, 2)
  }
  for (const id of deps.keys()) visit(id)
}

function checkStatus(h: OverrideFile['override'], loc: Located, report: Reporter): void {
  const needs: Record<OverrideStatus, ('submitted' | 'approval' | 'filing' | 'rejection')[]> = {
    draft: [],
    submitted: ['submitted'],
    approved: ['submitted', 'approval'],
    filed: ['submitted', 'approval', 'filing'],
    rejected: ['submitted', 'rejection'],
    withdrawn: [],
  }
  for (const f of needs[h.status]) {
    if (!h[f])
      report(
        loc,
        ['override', 'status'],
        `status '${h.status}' needs the '${f}' record (reference and date)`,
      )
  }
  // A filed override withdrawn before its first day keeps the record of its filing.
  if (h.status !== 'filed' && h.status !== 'withdrawn' && h.filing)
    report(
      loc,
      ['override', 'filing'],
      `a filing record only belongs to status 'filed' or 'withdrawn' (status is '${h.status}')`,
    )
  if (h.approval && h.filing && h.filing.date < h.approval.date)
    report(
      loc,
      ['override', 'filing', 'date'],
      `filed (${h.filing.date}) before it was approved (${h.approval.date})`,
    )
  if (h.status === 'filed' && h.filing && h.from < h.filing.date)
    report(
      loc,
      ['override', 'from'],
      `takes effect ${h.from}, before its filing date ${h.filing.date}: an override applies only from its filing onward`,
    )
  if (h.status === 'draft' && h.approval)
    report(loc, ['override', 'approval'], `a draft cannot carry an approval`)
}

/**
 * The valid part of a city file that failed its schema: each section keeps its items up to the first invalid one
 * (so every kept item keeps its index, and problems found later point at the right line). The ids of the items left
 * out go into `broken`.
 */
function salvage(raw: unknown, broken: Set<string>): RuleFile | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const out: Record<string, unknown> = {}
  const shape = RuleFileSchema.shape
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in shape)) continue
    const schema = (shape[key as keyof typeof shape] as z.ZodOptional<z.ZodType>).unwrap()
    if (key === 'rulebook') {
      const meta = schema.safeParse(value)
      if (meta.success) out[key] = meta.data
      continue
    }
    if (!Array.isArray(value)) continue
    const element = (schema as z.ZodArray<z.ZodType>).element
    const kept: unknown[] = []
    let failed = false
    for (const item of value) {
      const r = failed ? undefined : element.safeParse(item)
      if (r?.success) kept.push(r.data)
      else {
        failed = true
        const id = (item as { id?: unknown } | null)?.id
        if (typeof id === 'string') broken.add(id)
      }
    }
    out[key] = kept
  }
  return out as RuleFile
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}: not part of the rule format`
  if (issue.code === 'invalid_type' && issue.input === undefined)
    return `missing required field '${String(issue.path.at(-1))}'`
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'benchmark')
    return `a benchmark is { fixed: N } or { peer: mean|median, over: [county, sector, group …] } (got ${JSON.stringify(issue.input)})${typeof issue.input === 'number' ? `; for a fixed value write { fixed: ${issue.input} }` : ''}`
  if (
    issue.code === 'invalid_type' ||
    issue.code === 'invalid_value' ||
    issue.code === 'invalid_union'
  ) {
    return `${issue.message} (got ${JSON.stringify(issue.input)})`
  }
  return issue.message
}

/** 1-based line/col of the YAML node at `path`, or of its nearest existing ancestor. */
function position(loc: Located, path: (string | number)[]): { line: number; col: number } {
  if (!loc.doc) return { line: 1, col: 1 }
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n)
    const node = sub.length === 0 ? loc.doc.contents : loc.doc.getIn(sub, true)
    if (isNode(node) && node.range) {
      // A key that is present but whose value is a map points at the key line: that is where the author looks.
      if (n === path.length && n > 0 && !isScalarNode(node)) {
        const parent = n === 1 ? loc.doc.contents : loc.doc.getIn(path.slice(0, n - 1), true)
        const pair = (parent as any)?.items?.find?.((p: any) => p.key?.value === path[n - 1])
        if (pair?.key?.range) return loc.lc.linePos(pair.key.range[0])
      }
      return loc.lc.linePos(node.range[0])
    }
  }
  return { line: 1, col: 1 }
}

function quoteOffset(loc: Located, path: (string | number)[]): number {
  const node = loc.doc.getIn(path, true) as any
  return node?.type === 'QUOTE_DOUBLE' || node?.type === 'QUOTE_SINGLE' ? 1 : 0
}
