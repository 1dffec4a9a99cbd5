/**
 * `mujun rules …`: check, show, diff (folders or stored versions), export and import a city's rule files.
 * @module cli/rules-cmd
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { RulebookService } from '../app/rulebooks.ts'
import { ningboDate } from '../dates.ts'
import type { parseEnterprisesCsv } from '../enterprise/csv.ts'
import { formatRuleProblem, RulebookError, type RuleProblem } from '../errors.ts'
import { previewOverride } from '../pricing/override-preview.ts'
import { compileRulebook } from '../rulebook/compile.ts'
import { groupCoverage } from '../rulebook/coverage.ts'
import { loadRulebook, readRuleTexts } from '../rulebook/load.ts'
import { resolve } from '../rulebook/resolve.ts'
import { resolvedToJson } from '../rulebook/resolved-json.ts'
import { RULE_PATH_RULE, rulePathProblem } from '../rulebook/rule-path.ts'
import { ruleFileJsonSchema, type Surcharge } from '../rulebook/schema.ts'
import { kindOf } from '../rulebook/tariff-kinds/index.ts'
import { ACT_OPTIONS, rulesImportAct } from './change-cmd.ts'
import { formatResolved } from './rules-table.ts'
import {
  cityDir,
  cityDirs,
  type Io,
  loadCity,
  openStore,
  readEnterprises,
  UsageError,
  yearOf,
} from './shared.ts'

export function rulesCheck(args: string[], io: Io): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
  const dir = positionals[0] ?? 'rules'
  const cities = cityDirs(dir)
  let failed = 0
  for (const city of cities) {
    const texts = readRuleTexts(city)
    // A name the database cannot store is a problem too: `rules import` would refuse the folder.
    let problems: RuleProblem[] = texts.flatMap((t) => {
      const named = rulePathProblem(t.path)
      return named
        ? [
            {
              file: t.path,
              line: 1,
              col: 1,
              path: '',
              message: `file name ${named}: ${RULE_PATH_RULE}`,
            },
          ]
        : []
    })
    try {
      const rb = compileRulebook(texts)
      if (problems.length === 0) {
        const count = Object.values(rb.sections).reduce((a, l) => a + l.length, 0)
        io.out(
          `${city}: ok — ${rb.files.length} files, ${rb.inputs.length} inputs, ${count} dated items, ${rb.overrides.length} county overrides (city files sha256 ${rb.hash.slice(0, 12)})`,
        )
        // Gaps and overlaps between evaluation groups: warnings to read, not errors (a gap may be the intended scope).
        for (const w of groupCoverage(rb))
          io.out(`${join(city, w.file)}:${w.line}: warning: ${w.message}`)
        continue
      }
    } catch (e) {
      if (!(e instanceof RulebookError)) throw e
      problems = [...problems, ...e.problems]
    }
    failed++
    io.err(problems.map((p) => formatRuleProblem({ ...p, file: join(city, p.file) })).join('\n'))
    io.err(`${city}: ${problems.length} problem(s)`)
  }
  return failed > 0 ? 1 : 0
}

/** `mujun rules schema`: a check only reads; the schema editors complete from is written when asked for. */
export function rulesSchema(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string', default: 'rules/rulebook.schema.json' } },
  })
  writeFileSync(values.out!, `${JSON.stringify(ruleFileJsonSchema(), null, 2)}\n`)
  io.out(`wrote ${values.out}`)
  return 0
}

export function rulesShow(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string' },
      db: { type: 'string' },
      county: { type: 'string' },
      date: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
  })
  if (values.db !== undefined && values.rules !== undefined)
    throw new UsageError(
      '--db or --rules, not both: the rules in force in the database, or in the files',
    )
  if (values.format !== 'table' && values.format !== 'json')
    throw new UsageError(`--format must be table or json`)
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date))
    throw new UsageError(`--date must be YYYY-MM-DD`)
  const shown =
    values.db === undefined ? rulesFromFiles(values.rules ?? 'rules') : rulesFromDb(values.db)
  const rb = shown.rulebook
  const date = values.date ?? shown.today
  const county = values.county ?? rb.meta.jurisdiction.code
  if (county !== rb.meta.jurisdiction.code && !rb.meta.counties.some((c) => c.code === county)) {
    throw new UsageError(
      `unknown county '${county}' (one of ${rb.meta.counties.map((c) => `${c.code} ${c.name}`).join(', ')})`,
    )
  }
  const resolved = resolve(rb, county, date)
  if (values.format === 'json')
    io.out(JSON.stringify({ source: shown.source, ...resolvedToJson(rb, resolved) }, null, 2))
  else {
    io.out(`${shown.label}\n${formatResolved(rb, resolved)}`)
    if (!values.date)
      io.out(`\n(rules in force today, ${date}; --date YYYY-MM-DD shows another day)`)
    if (values.db === undefined)
      io.out('(quotes are priced from the database: --db PATH shows the rules in force there)')
  }
  return 0
}

/** The rules `rules show` reads from a rules folder, and how it names them. */
export function rulesFromFiles(dir: string) {
  const city = cityDir(dir)
  return {
    rulebook: loadRulebook(city),
    label: `rules from files ${city}`,
    source: { files: city },
    today: ningboDate(),
  }
}

/** The rules in force in a database (the city version in force and every live override), and how it names them. */
export function rulesFromDb(path: string) {
  const store = openStore(path)
  try {
    const active = new RulebookService(store).active()
    return {
      rulebook: active.rulebook,
      label: `rules from database ${path}, city version ${active.id}`,
      source: { database: path, version: active.id },
      today: store.today(),
    }
  } finally {
    store.db.$client.close()
  }
}

export function rulesDiff(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string', default: 'rules' },
      county: { type: 'string' },
      override: { type: 'string' },
      year: { type: 'string' },
      enterprises: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
  })
  if (!values.override) throw new UsageError('--override ID is required')
  const rb = loadCity(values.rules!)
  const year = yearOf(values.year)
  const o = rb.overrides.find((x) => x.id === values.override)
  if (!o)
    throw new UsageError(
      `no override '${values.override}' (overrides: ${rb.overrides.map((x) => x.id).join(', ')})`,
    )
  if (values.county && values.county !== o.county)
    throw new UsageError(`override ${o.id} is for county ${o.county}, not ${values.county}`)
  let population: ReturnType<typeof parseEnterprisesCsv>['enterprises'] = []
  if (values.enterprises) {
    const parsed = readEnterprises(values.enterprises, rb, io)
    if (parsed.problems.length > 0) return 1
    population = parsed.enterprises
  }
  const p = previewOverride(rb, o.id, population, year)
  if (values.format === 'json') {
    io.out(JSON.stringify(p, null, 2))
    return 0
  }
  io.out(
    `override ${o.id} (${o.status}) for county ${o.county}, evaluation ${year}, priced ${p.pricedFrom}..${p.pricedTo}`,
  )
  io.out('rule rows changed:')
  for (const r of p.rules)
    io.out(`  ${r.section}.${r.id}: ${summarise(r.before)}  →  ${summarise(r.after)}`)
  if (values.enterprises) {
    io.out(`enterprises changed: ${p.enterprises.length}`)
    for (const e of p.enterprises.slice(0, 50)) {
      io.out(
        `  ${e.creditCode} ${e.name} class ${e.classBefore ?? '-'} → ${e.classAfter ?? '-'}  ${Object.entries(
          e.surcharge,
        )
          .map(([res, x]) => `${res} ${x.before} → ${x.after}`)
          .join(', ')}`,
      )
    }
    for (const [res, r] of Object.entries(p.revenue))
      io.out(
        `revenue ${res}: ${r.before} → ${r.after} (${r.change.startsWith('-') ? '' : '+'}${r.change}) 元`,
      )
  } else io.out('(give --enterprises FILE.csv to see the enterprises and revenue it changes)')
  return 0
}

function summarise(x: unknown): string {
  if (!x) return '(none)'
  const o = x as { basis?: string; from?: string; origin?: { file: string } }
  // A surcharge says its rates as its kind writes them; other items show their beginning.
  const rates =
    typeof o.basis === 'string' ? kindOf(o as Surcharge).describe(o as Surcharge) : undefined
  return `${rates ?? JSON.stringify(x).slice(0, 80)} from ${o.from ?? '?'} [${o.origin?.file ?? ''}]`
}

export function rulesExport(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: { db: { type: 'string', default: 'data/mujun.db' }, out: { type: 'string' } },
  })
  const store = openStore(values.db!)
  const rulebooks = new RulebookService(store)
  const { versionId, files } = rulebooks.exportFiles()
  const out = values.out ?? join('rules', rulebooks.active().rulebook.meta.id)
  const written = new Set<string>()
  for (const f of files) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true })
    writeFileSync(join(out, f.path), f.text)
    written.add(f.path)
  }
  // Files the database does not have would be reported as differences on the next start: remove them.
  for (const t of existsSync(out) ? readRuleTexts(out) : []) {
    if (!written.has(t.path)) {
      rmSync(join(out, t.path))
      io.out(`removed ${join(out, t.path)} (not in the database)`)
    }
  }
  io.out(
    `wrote rulebook version ${versionId} and its override records (${files.length} files) to ${out}`,
  )
  store.db.$client.close()
  return 0
}

export function rulesImport(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: ACT_OPTIONS,
  })
  const dir = positionals[0]
  if (!dir) throw new UsageError('give the rules folder to import')
  const texts = readRuleTexts(cityDirs(dir)[0])
  // A database with rules: the change is measured, previewed when asked or when it reaches back, and made.
  const acted = rulesImportAct(dir, texts, args, io)
  if (acted !== undefined) return acted
  const store = openStore(values.db!)
  const rulebooks = new RulebookService(store)
  const p = cliPrincipal(userInfo().username)
  const note = values.note ?? `imported from ${dir}`
  const v = rulebooks.isEmpty()
    ? { ...rulebooks.loadInitial(texts, p.label), created: true, activated: true, ignored: [] }
    : rulebooks.importCity(p, texts, note, { countyFiles: 'ignore' })
  io.out(
    v.created
      ? `rulebook version ${v.id} created from ${dir} and now in force (city files sha256 ${v.hash.slice(0, 12)})`
      : v.activated
        ? `the files equal stored version ${v.id}: it is in force again (rollback, audited)`
        : `unchanged: version ${v.id} is in force and equals ${dir}`,
  )
  if (v.ignored.length > 0)
    io.out(
      `left alone: ${v.ignored.join(', ')} (county overrides change only through their workflow: POST /v1/overrides)`,
    )
  store.db.$client.close()
  return 0
}

export function versionsDiff(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
  })
  const num = (v: string | undefined, name: string) => {
    if (!v || !/^\d{1,9}$/.test(v)) throw new UsageError(`--${name} VERSION (a number) is required`)
    return Number(v)
  }
  const store = openStore(values.db!)
  const d = new RulebookService(store).diff(
    cliPrincipal(userInfo().username),
    num(values.from, 'from'),
    num(values.to, 'to'),
  )
  if (values.format === 'json') io.out(JSON.stringify(d, null, 2))
  else {
    const name = (x: { section: string; id: string; from?: string }) =>
      `${x.section}.${x.id}${x.from ? ` (from ${x.from})` : ''}`
    io.out(
      `rulebook version ${d.from} → ${d.to}: ${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed`,
    )
    for (const x of d.added) io.out(`+ ${name(x)}`)
    for (const x of d.removed) io.out(`- ${name(x)}`)
    for (const x of d.changed) {
      io.out(`~ ${name(x)}`)
      for (const c of x.changes)
        io.out(`    ${c.field}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`)
    }
  }
  store.db.$client.close()
  return 0
}
