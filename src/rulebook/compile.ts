/**
 * Turns rule file texts into a typed, checked Rulebook with every formula compiled once.
 * Pure: texts in, Rulebook out (or a RulebookError listing every problem with file:line:col).
 * @module rulebook/compile
 */
import { createHash } from 'node:crypto'
import { RulebookError, type RuleProblem } from '../errors.ts'
import type { SymbolKind } from '../formula/compile.ts'
import { checkGroupRefs, checkIndicatorCycles, checkOverlaps } from './checks.ts'
import { collectSections } from './compile-sections.ts'
import { Derived } from './derived.ts'
import { industryPrefixProblem } from './industry.ts'
import { position } from './locate.ts'
import { compileOverrides } from './overrides.ts'
import { isCountyFile, type ReadFiles, readRuleFiles } from './read-files.ts'
import { type Input, type Sector, ZONE_INPUT } from './schema.ts'
import {
  type CheckContext,
  EVALUATION_YEAR,
  emptySections,
  INDUSTRY_CODE,
  type ItemLocations,
  type Reporter,
  type Rulebook,
  type RuleText,
  SECTOR,
} from './types.ts'

export { isCountyFile } from './read-files.ts'
export * from './types.ts'

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

/** Compiles the rule files of one city (section files plus `counties/*.yaml` overrides). */ export function compileRulebook(
  texts: RuleText[],
): Rulebook {
  const problems: RuleProblem[] = []
  const report: Reporter = (loc, path, message, extraCol = 0) => {
    const { line, col } = position(loc, path)
    problems.push({ file: loc.file, line, col: col + extraCol, path: path.join('.'), message })
  }
  const sorted = [...texts].sort((a, b) => a.path.localeCompare(b.path))
  /** Ids of items a schema error kept out: references to them are not reported again as unknown. */
  const broken = new Set<string>()
  const files = readRuleFiles(sorted, problems, report, broken)
  const { cityFiles, overrideFiles, unreadable } = files

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
  const { inputs, sectors } = collectIdentity(cityFiles, metaFiles[0], report)
  const { symbols, indicatorIds } = collectSymbols(inputs, files, report)

  meta.resources.forEach((r, i) => {
    if (r.quantityInput && !symbols.has(r.quantityInput))
      report(
        metaFiles[0].loc,
        ['rulebook', 'resources', i, 'quantityInput'],
        `unknown input '${r.quantityInput}'`,
      )
  })
  checkZones(meta, inputs, (path, message) => report(metaFiles[0].loc, path, message))
  meta.departments.forEach((d, i) => {
    if (meta.departments.findIndex((x) => x.id === d.id) < i)
      report(
        metaFiles[0].loc,
        ['rulebook', 'departments', i, 'id'],
        `duplicate department '${d.id}'`,
      )
  })
  // Each item's file and path, so later checks (overlaps, cycles) can point at it.
  const locations: ItemLocations = new WeakMap()
  // A rated firm's conditions may also compare its sector (see FIRM_CODE_SECTIONS).
  const firmSymbols = new Map(symbols).set(SECTOR, {
    kind: 'category',
    values: sectors.map((s) => s.id),
  })
  const ctx: CheckContext = {
    meta,
    inputs,
    sectors,
    symbols,
    firmSymbols,
    report,
    indicatorIds,
    locations,
  }
  const sections = emptySections()
  for (const { loc, data } of cityFiles) {
    collectSections(data, loc, { file: loc.file, line: 0, kind: 'city' }, sections, ctx, [])
  }
  checkOverlaps(sections, ctx)
  checkIndicatorCycles(sections.indicators, ctx)
  const cityGroupIds = new Set(sections.groups.map((g) => g.id))
  checkGroupRefs([sections], cityGroupIds, ctx)
  const overrides = compileOverrides(overrideFiles, sections, cityGroupIds, ctx)

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

/** Inputs and sectors: undated identity data, unique ids; a rulebook naming no sectors gets one default sector. */
function collectIdentity(
  cityFiles: ReadFiles['cityFiles'],
  metaFile: ReadFiles['cityFiles'][number],
  report: Reporter,
): { inputs: Input[]; sectors: Sector[] } {
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
        else {
          sectors.push(item as Sector)
          // A letter that is not the code's section would never match: said here, not found out by a wrong sector.
          ;(item as Sector).industryCodes.forEach((p, k) => {
            const problem = industryPrefixProblem(p)
            if (problem) report(loc, [section, i, 'industryCodes', k], problem)
          })
        }
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
    if (inp.department && !metaFile.data.rulebook!.departments.some((d) => d.id === inp.department))
      report(
        loc,
        ['inputs', i, 'department'],
        `unknown department '${inp.department}' (departments: ${metaFile.data.rulebook!.departments.map((d) => d.id).join(', ') || 'none declared in rulebook.departments'})`,
      )
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
    const f = cityFiles.find((c) => c.data.sectors) ?? metaFile
    report(
      f.loc,
      ['sectors'],
      'exactly one sector must be marked `default: true` (the fallback for unmatched industry codes)',
    )
  }
  return { inputs, sectors }
}

/** The formula symbols: each input with its kind and default, the evaluation year, and every indicator id. */
function collectSymbols(
  inputs: Input[],
  files: ReadFiles,
  report: Reporter,
): { symbols: Map<string, SymbolKind>; indicatorIds: Set<string> } {
  const { cityFiles, overrideFiles } = files
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
    // A text input is an identifier (a plot's number), not a figure a formula reads.
    if (inp.type === 'text') continue
    symbols.set(
      inp.id,
      inp.type === 'category'
        ? { kind: 'category', values: inp.values ?? [], default: d as string | undefined }
        : inp.type === 'flag'
          ? { kind: 'flag', default: d as boolean | undefined }
          : { kind: 'number', default: d as number | undefined },
    )
  }
  const builtIn: [string, string][] = [
    [EVALUATION_YEAR, 'the year being rated'],
    [SECTOR, "the firm's sector"],
    [INDUSTRY_CODE, "the firm's industry code, read by industry_in"],
  ]
  for (const [id, what] of builtIn)
    if (symbols.has(id)) {
      const f = cityFiles.find((c) => c.data.inputs?.some((i) => i.id === id))!
      report(
        f.loc,
        ['inputs', f.data.inputs!.findIndex((i) => i.id === id), 'id'],
        `'${id}' is built in (${what}); give the input another id`,
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
  return { symbols, indicatorIds }
}

/** Zones (evaluation units that are not divisions): unique ids, a county of the rulebook, and a `zone` text input. */
function checkZones(
  meta: Rulebook['meta'],
  inputs: Input[],
  report: (path: (string | number)[], message: string) => void,
): void {
  if (meta.zones.length === 0) return
  const zone = inputs.find((i) => i.id === ZONE_INPUT)
  if (zone?.type !== 'text')
    report(
      ['rulebook', 'zones'],
      `zones need a text input '${ZONE_INPUT}' naming each firm's zone (blank: none)${zone ? `; '${ZONE_INPUT}' is a ${zone.type}` : ''}`,
    )
  meta.zones.forEach((z, i) => {
    if (meta.zones.findIndex((x) => x.id === z.id) < i)
      report(['rulebook', 'zones', i, 'id'], `duplicate zone '${z.id}'`)
    if (!meta.counties.some((c) => c.code === z.county))
      report(['rulebook', 'zones', i, 'county'], `unknown county '${z.county}'`)
  })
}
