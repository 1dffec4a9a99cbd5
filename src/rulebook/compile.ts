/**
 * Turns rule file texts into a typed, checked Rulebook with every formula compiled once.
 * Pure: texts in, Rulebook out (or a RulebookError listing every problem with file:line:col).
 * @module rulebook/compile
 */

import { createHash } from 'node:crypto'
import { isCollection, LineCounter, parseDocument, visit } from 'yaml'
import type { z } from 'zod'
import { RulebookError, type RuleProblem } from '../errors.ts'
import type { SymbolKind } from '../formula/compile.ts'
import { checkGroupRefs, checkIndicatorCycles, checkOverlaps, checkStatus } from './checks.ts'
import { collectSections } from './compile-sections.ts'
import { Derived } from './derived.ts'
import { describeIssue, position, salvage } from './locate.ts'
import {
  type DatedSection,
  type Input,
  type OverrideFile,
  OverrideFileSchema,
  type RuleFile,
  RuleFileSchema,
  type Sector,
} from './schema.ts'
import {
  type CheckContext,
  EVALUATION_YEAR,
  emptySections,
  type ItemLocations,
  type Located,
  type Origin,
  type Override,
  type Reporter,
  type Rulebook,
  type RuleText,
} from './types.ts'

export * from './types.ts'

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
