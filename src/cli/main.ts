/**
 * The `mujun` command line: argv → the same core functions the API uses. Exit codes: 0 ok, 1 problems found, 2 usage.
 * @module cli/main
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { cliPrincipal } from '../app/authorize.ts'
import { quoteAll } from '../app/billing.ts'
import { isCalendarDate } from '../app/evaluations.ts'
import { RulebookService } from '../app/rulebooks.ts'
import { createServices } from '../app/services.ts'
import { TokenRequest } from '../app/tokens.ts'
import { ningboDate } from '../dates.ts'
import { problemOf } from '../edge-shared/problem.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { csvCell, csvRows, decodeCsvBytes, parseEnterprisesCsv, toCsv } from '../enterprise/csv.ts'
import { formatRuleProblem, MujunError, RulebookError, type RuleProblem } from '../errors.ts'
import { previewOverride } from '../pricing/override-preview.ts'
import { quote } from '../pricing/quote.ts'
import { rate } from '../rating/rate.ts'
import { resultToJson } from '../rating/result-json.ts'
import { compileRulebook, type Rulebook } from '../rulebook/compile.ts'
import { groupCoverage } from '../rulebook/coverage.ts'
import { loadRulebook, readRuleTexts } from '../rulebook/load.ts'
import { resolve } from '../rulebook/resolve.ts'
import { resolvedToJson } from '../rulebook/resolved-json.ts'
import { RULE_PATH_RULE, rulePathProblem } from '../rulebook/rule-path.ts'
import { ruleFileJsonSchema } from '../rulebook/schema.ts'
import { backupCmd } from './backup-cmd.ts'
import { ACT_OPTIONS, publishPastAct, rulesChange, rulesImportAct } from './change-cmd.ts'
import { programmeCmd } from './programme-cmd.ts'
import { createProgress, type Progress } from './progress.ts'
import { formatResolved } from './rules-table.ts'
import { type Io, openStore, UsageError, yearOf } from './shared.ts'

export type { Io } from './shared.ts'

const USAGE = `mujun — 亩均效益 rating and differential utility surcharges

  mujun rules check [DIR]                     validate every rule file; writes DIR/rulebook.schema.json; prints the
                                               city files sha256 (paths and texts of the files outside counties/),
                                               the hash a stored city version of the same files has
  mujun rules show [--rules DIR | --db data/mujun.db] [--county CODE] [--date YYYY-MM-DD] [--format table|json]
                                               the rules in force for a county on a date, from the files (default
                                               rules) or, with --db, from the database: its city version in force and
                                               filed county overrides, which quotes use; the first line says which
  mujun rules diff --county CODE --override ID --year YYYY [--rules DIR] [--enterprises FILE.csv] [--format table|json]
                                               what a (pending) override would change: rule rows, classes, surcharge revenue
  mujun rules diff --from A --to B [--db data/mujun.db] [--format table|json]
                                               what changes between two stored city versions, field by field
  mujun rules import DIR [--db data/mujun.db] [--note TEXT] [--effective-on YYYY-MM-DD] [--preview [--months N]]
                      [--correction REASON --document 文号 --yes]
                                               make DIR's city files the version in force (audited; files equal to an
                                               older version make it active again); county files are left alone. A
                                               change of any answer before its day is refused unless made as a
                                               correction, after its preview (printed); --preview only shows it
  mujun rules change --id ITEM [--section surcharges] --from YYYY-MM-DD --set PATH=VALUE [--set ...]
                     --document 文号 [--note TEXT] [--effective-on YYYY-MM-DD] [--preview] [--db data/mujun.db]
                     [--correction REASON --yes]
                                               change one item's values from a day: the item in force that day ends
                                               on it, a copy with the new values begins (e.g. --id class_electricity
                                               --from 2027-01-01 --set 'rates[class=D][minConsecutiveYears=].rate=0.35')
  mujun rules export [--db data/mujun.db] [--out rules/ningbo]
                                               write the database's city version in force and every override as YAML
                                               (each override under the file name it was read from)
  mujun tokens create --role bureau|economy|county|utility|enterprise|observer [--county CODE | --credit-code CODE]
                      [--label TEXT] [--expires YYYY-MM-DD] [--db data/mujun.db]
                                               print a new token (shown once, stored hashed)
  mujun tokens list [--db data/mujun.db]       every token's id, role, scope, label, expiry and status
  mujun tokens revoke ID [--db data/mujun.db]  the token stops working on the next request, in every process
  mujun rate --enterprises FILE.csv --year YYYY [--rules DIR] [--county CODE] [--format json|csv] [--out FILE]
  mujun quote --enterprises FILE.csv --year YYYY --credit-code CODE --resource electricity|water|gas
              (--quantity Q | --readings FROM:TO:Q,...) --from YYYY-MM-DD --to YYYY-MM-DD [--rules DIR]
  mujun import FILE.csv --year YYYY [--db data/mujun.db] [--skip-bad]
                                               import enterprises and figures (UTF-8 or GBK, English or Chinese headers);
                                               any bad row and nothing is imported, unless --skip-bad
  mujun evaluate --year YYYY [--db data/mujun.db] [--notice | --publish --published-on YYYY-MM-DD --reason TEXT
                 --document 文号 --yes]
                                               rate the year (a draft run); --notice puts it to public notice (公示)
                                               for the rulebook's period; --publish records a past publication made
                                               outside mujun: a correction, its preview printed first
  mujun publish RUN [--db data/mujun.db]       publish a run after its notice, every objection decided; its classes
                                               bind from Y+1-01-01 or today, whichever is later
  mujun objections [--run ID] [--db data/mujun.db]
                                               objections (异议) filed during notices, with their decisions
  mujun objections decide ID (--uphold --class C | --reject) --reason TEXT [--db data/mujun.db]
                                               the economy office's review (复核): a re-grade or a rejection, audited
  mujun provenance CODE [--date YYYY-MM-DD] [--db data/mujun.db] [--format text|json]
                                               why the firm pays what it pays on the date (default today) and who
                                               decided each part: rule version and its activation, county overrides
                                               with their approval and filing, the evaluation, objections, figures
  mujun export (--year YYYY | --run ID) [--db data/mujun.db] [--out FILE.csv]
                                               published results as CSV that Excel opens (UTF-8 BOM)
  mujun bill --in REQUESTS.csv --out BILLS.csv [--db data/mujun.db]
                                               a billing run offline: one quote per row (credit_code, resource, from,
                                               to, quantity), each answered as POST /v1/quotes answers it: its total
                                               and lines, or its error code and message
  mujun programme progress [--as-of YYYY-MM-DD] [--db data/mujun.db] [--format table|json]
                                               the plan's targets against the records (city and each county)
  mujun programme lists --year YYYY [--db data/mujun.db]
                                               each county's project list for the year: on time, late, missing
  mujun programme reports --quarter YYYYQn [--db data/mujun.db]
                                               each county's quarterly report: on time, late, missing
  mujun programme report --county CODE --quarter YYYYQn [--out FILE.csv] [--db data/mujun.db]
                                               a county's quarterly report from the records (CSV, Excel opens it)
  mujun programme fund --year YYYY [--fix] [--db data/mujun.db] [--format table|json]
                                               the fund's allocation among the counties (a preview; --fix stores it
                                               as the economy office, once)
  mujun programme requests [--status pending|accepted|refused] [--county CODE] [--db data/mujun.db]
                                               counties' claims that a list or a report went in before the day it
                                               reached mujun, and the economy office's decisions
  mujun programme requests --accept ID --reason TEXT --ref DOCUMENT [--db data/mujun.db]
  mujun programme requests --refuse ID --reason TEXT [--db data/mujun.db]
                                               decide one, as the economy office: accepting is a correction (the
                                               record counts from the day claimed), so it needs the document (文号)
  mujun backup --out FILE [--db data/mujun.db]
                                               a consistent copy of the whole database while the service runs
                                               (never over an existing file), checked and recorded in the audit log
  mujun backup --check FILE                    SQLite's integrity check of a copy, its audit chain, records, sha256
  mujun serve                                  start the HTTP service (same as npm start)

Exit codes: 0 ok, 1 problems found (each printed as file:line:col or row/column), 2 usage error.`

/** The usage of the command `argv` names (with its subcommand for rules, tokens and programme), or all of it. */
function usageOf(argv: string[]): string {
  const [cmd, sub] = argv
  if (!cmd) return USAGE
  const named = sub && !sub.startsWith('-') ? `${cmd} ${sub}` : cmd
  return helpFor(cmd === 'rules' || cmd === 'tokens' || cmd === 'programme' ? named : cmd)
}

/** The usage lines of one command (with their continuation lines), or everything when none match. */
function helpFor(command: string): string {
  const lines = USAGE.split('\n')
  const picked: string[] = []
  let taking = false
  for (const line of lines) {
    if (line.startsWith('  mujun '))
      taking = line.startsWith(`  mujun ${command} `) || line === `  mujun ${command}`
    else if (!line.startsWith('      ')) taking = false
    if (taking) picked.push(line)
  }
  return picked.length > 0 ? `${picked.join('\n')}\n\n${lines[lines.length - 1]}` : USAGE
}

/** The city rulebook folders under `dir`: `dir` itself if it holds rule files, else its sub-folders that do. */
export function cityDirs(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`rules folder '${dir}' does not exist`)
  const hasYaml = (d: string) => readdirSync(d).some((f) => /\.ya?ml$/.test(f))
  if (hasYaml(dir)) return [dir]
  const subs = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f))
    .filter((d) => statSync(d).isDirectory() && hasYaml(d))
  if (subs.length === 0) throw new UsageError(`no rule files under '${dir}'`)
  return subs
}

/** The one city rulebook folder `dir` names (itself, or its only sub-folder with rule files). */
function cityDir(dir: string): string {
  const dirs = cityDirs(dir)
  if (dirs.length > 1)
    throw new UsageError(`'${dir}' holds several rulebooks (${dirs.join(', ')}); name one`)
  return dirs[0]
}

export function loadCity(dir: string): Rulebook {
  return loadRulebook(cityDir(dir))
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  try {
    return await dispatch(argv, io)
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mujun: ${e.message}\n\n${usageOf(argv)}`)
      return 2
    }
    if (e instanceof RulebookError) {
      io.err(e.problems.map(formatRuleProblem).join('\n'))
      return 1
    }
    if (e instanceof MujunError) {
      io.err(`mujun: ${e.code}: ${e.message}`)
      return 1
    }
    if (e instanceof Error && 'code' in e && (e as any).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      io.err(`mujun: ${e.message}\n\n${usageOf(argv)}`)
      return 2
    }
    throw e
  }
}

async function dispatch(argv: string[], io: Io): Promise<number> {
  const [cmd, sub] = argv
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    io.out(USAGE)
    return cmd ? 0 : 2
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(usageOf(argv))
    return 0
  }
  if (cmd === 'rules' && sub === 'check') return rulesCheck(argv.slice(2), io)
  if (cmd === 'rules' && sub === 'show') return rulesShow(argv.slice(2), io)
  if (cmd === 'rules' && sub === 'diff')
    return argv.includes('--from') || argv.includes('--to')
      ? versionsDiff(argv.slice(2), io)
      : rulesDiff(argv.slice(2), io)
  if (cmd === 'rules' && sub === 'import') return rulesImport(argv.slice(2), io)
  if (cmd === 'rules' && sub === 'change') return rulesChange(argv.slice(2), io)
  if (cmd === 'rules' && sub === 'export') return rulesExport(argv.slice(2), io)
  if (cmd === 'tokens') return tokensCmd(argv.slice(1), io)
  if (cmd === 'rate') return rateCmd(argv.slice(1), io)
  if (cmd === 'import') return importCmd(argv.slice(1), io)
  if (cmd === 'evaluate') return evaluateCmd(argv.slice(1), io)
  if (cmd === 'publish') return publishCmd(argv.slice(1), io)
  if (cmd === 'objections') return objectionsCmd(argv.slice(1), io)
  if (cmd === 'export') return exportCmd(argv.slice(1), io)
  if (cmd === 'provenance') return provenanceCmd(argv.slice(1), io)
  if (cmd === 'backup') return backupCmd(argv.slice(1), io)
  if (cmd === 'quote') return quoteCmd(argv.slice(1), io)
  if (cmd === 'bill') return billCmd(argv.slice(1), io)
  if (cmd === 'programme') return programmeCmd(argv.slice(1), io)
  if (cmd === 'serve') {
    await import('../server.ts')
    return 0
  }
  throw new UsageError(`unknown command '${argv.join(' ')}'`)
}

function rulesCheck(args: string[], io: Io): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
  const dir = positionals[0] ?? 'rules'
  const cities = cityDirs(dir)
  // In DIR, as the usage says: a bureau checking its own folder finds the schema there, not in the folder above.
  const root = dir
  writeFileSync(
    join(root, 'rulebook.schema.json'),
    `${JSON.stringify(ruleFileJsonSchema(), null, 2)}\n`,
  )
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
  io.out(`wrote ${join(root, 'rulebook.schema.json')}`)
  return failed > 0 ? 1 : 0
}

function rulesShow(args: string[], io: Io): number {
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
function rulesFromFiles(dir: string) {
  const city = cityDir(dir)
  return {
    rulebook: loadRulebook(city),
    label: `rules from files ${city}`,
    source: { files: city },
    today: ningboDate(),
  }
}

/** The rules in force in a database (the city version in force and every live override), and how it names them. */
function rulesFromDb(path: string) {
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

function rulesDiff(args: string[], io: Io): number {
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
  const o = x as {
    rates?: { class?: string; category?: string; rate: string }[]
    from?: string
    origin?: { file: string }
  }
  const rates = o.rates?.map((r) => `${r.class ?? r.category} ${r.rate}`).join(', ')
  return `${rates ?? JSON.stringify(x).slice(0, 80)} from ${o.from ?? '?'} [${o.origin?.file ?? ''}]`
}

function rulesExport(args: string[], io: Io): number {
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

function rulesImport(args: string[], io: Io): number {
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

function versionsDiff(args: string[], io: Io): number {
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

function tokensCmd(args: string[], io: Io): number {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      role: { type: 'string' },
      county: { type: 'string' },
      'credit-code': { type: 'string' },
      label: { type: 'string' },
      expires: { type: 'string' },
    },
  })
  const store = openStore(values.db!)
  const { tokens } = createServices(store)
  const p = cliPrincipal(userInfo().username)
  try {
    if (sub === 'create') {
      const req = TokenRequest.safeParse({
        role: values.role,
        county: values.county,
        creditCode: values['credit-code'],
        label:
          values.label ?? `${values.role} ${values.county ?? values['credit-code'] ?? ''}`.trim(),
        expires: values.expires,
      })
      if (!req.success) throw new UsageError(z.prettifyError(req.error))
      const t = tokens.create(p, req.data)
      io.out(t.token)
      io.err(
        `token #${t.id} for ${t.role}${t.scope ? ` ${t.scope}` : ''} (${t.label})${t.expiresAt ? `, expires ${t.expiresAt}` : ''}: shown once, stored hashed`,
      )
      return 0
    }
    if (sub === 'list') {
      for (const t of tokens.list(p))
        io.out(
          [
            t.id,
            t.status,
            t.role,
            t.scope || '-',
            t.label,
            t.expiresAt ?? '-',
            t.createdAt,
            t.createdBy,
          ].join('\t'),
        )
      return 0
    }
    if (sub === 'revoke') {
      const id = positionals[0]
      if (!id || !/^\d{1,9}$/.test(id))
        throw new UsageError('give the id of the token to revoke (mujun tokens list)')
      const t = tokens.revoke(p, Number(id))
      io.out(`token #${t.id} (${t.label}) revoked at ${t.revokedAt}`)
      return 0
    }
    throw new UsageError(`unknown tokens command '${sub ?? ''}' (create, list or revoke)`)
  } finally {
    store.db.$client.close()
  }
}

function importCmd(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      year: { type: 'string' },
      'skip-bad': { type: 'boolean', default: false },
    },
  })
  const file = positionals[0]
  if (!file || !existsSync(file))
    throw new UsageError(`give the CSV file to import${file ? ` ('${file}' does not exist)` : ''}`)
  const year = yearOf(values.year)
  const services = createServices(openStore(values.db!))
  const { text, encoding } = decodeCsvBytes(readFileSync(file))
  const parsed = parseEnterprisesCsv(text, services.rulebooks.active().rulebook)
  for (const p of parsed.problems)
    io.err(`${file}: row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`)
  if (parsed.problems.length > 0 && !values['skip-bad']) {
    io.err(
      `${parsed.problems.length} problem(s); nothing was imported (use --skip-bad to import the good rows)`,
    )
    return 1
  }
  const progress = createProgress(`import ${file}`, parsed.enterprises.length)
  const r = services.enterprises.importRows(
    cliPrincipal(userInfo().username),
    parsed.enterprises,
    year,
    (done) => progress.update(done),
  )
  progress.stop()
  io.out(
    `imported ${parsed.enterprises.length} rows (${encoding}) for ${year}: ${r.created} created, ${r.updated} updated${parsed.problems.length ? `; ${new Set(parsed.problems.map((p) => p.row)).size} bad row(s) skipped` : ''}`,
  )
  return 0
}

function evaluateCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      year: { type: 'string' },
      notice: { type: 'boolean', default: false },
      publish: { type: 'boolean', default: false },
      'published-on': { type: 'string' },
      reason: { type: 'string' },
      document: { type: 'string' },
      yes: { type: 'boolean', default: false },
    },
  })
  const year = yearOf(values.year)
  if (values.publish && (!values['published-on'] || !values.reason))
    throw new UsageError(
      '--publish records a publication made outside mujun: give --published-on YYYY-MM-DD and --reason TEXT (otherwise use --notice, then `mujun publish RUN` after the notice)',
    )
  if (values.publish && values.notice) throw new UsageError('--notice or --publish, not both')
  // Checked before anything is rated, so a typo leaves no stray draft run behind.
  if (values.publish && !isCalendarDate(values['published-on']!))
    throw new UsageError(
      `--published-on '${values['published-on']}' is not a calendar date (YYYY-MM-DD)`,
    )
  const services = createServices(openStore(values.db!))
  const { evaluations } = services
  const p = cliPrincipal(userInfo().username, 'economy')
  // Progress over the results stored, once the year has been read and rated (a million firms: seconds each).
  let progress: Progress | undefined
  const run = evaluations.run(p, year, (stored, total) => {
    progress ??= createProgress(`evaluate ${year}: store`, total)
    progress.update(stored)
  })
  let what = 'stored as a draft'
  if (values.notice) {
    const n = evaluations.notice(p, run.id)
    what = `in public notice from ${n.noticeFrom} to ${n.noticeTo}`
  }
  progress?.stop()
  if (values.publish) {
    const pub = publishPastAct(
      services,
      p,
      run.id,
      values['published-on']!,
      values.reason!,
      values.document,
      values.yes!,
      io,
    )
    if (!pub) return 1
    what = `recorded as published on ${values['published-on']}, binding from ${pub.bindingFrom}`
  }
  io.out(
    `evaluation ${run.id} for ${year} ${what}: ${Object.entries(run.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  )
  return 0
}

function publishCmd(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { db: { type: 'string', default: 'data/mujun.db' } },
  })
  const runId = Number(positionals[0])
  if (!Number.isInteger(runId) || runId < 1)
    throw new UsageError('give the run id: mujun publish RUN')
  const { evaluations } = createServices(openStore(values.db!))
  const pub = evaluations.publish(cliPrincipal(userInfo().username, 'economy'), runId)
  io.out(
    `evaluation ${pub.id} of ${pub.year} published; its classes bind from ${pub.bindingFrom}${pub.supersedes ? ` (supersedes ${pub.supersedes})` : ''}`,
  )
  return 0
}

function objectionsCmd(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      run: { type: 'string' },
      uphold: { type: 'boolean', default: false },
      reject: { type: 'boolean', default: false },
      class: { type: 'string' },
      reason: { type: 'string' },
    },
  })
  const { evaluations } = createServices(openStore(values.db!))
  const p = cliPrincipal(userInfo().username, 'economy')
  if (positionals[0] === 'decide') {
    const id = Number(positionals[1])
    if (!Number.isInteger(id) || values.uphold === values.reject || !values.reason)
      throw new UsageError(
        'mujun objections decide ID (--uphold --class C | --reject) --reason TEXT',
      )
    const o = evaluations.decide(p, id, {
      upheld: values.uphold!,
      class: values.class,
      reason: values.reason,
    })
    io.out(
      `objection ${o.id} ${o.status}: ${o.creditCode} class ${o.classBefore} → ${o.classAfter}`,
    )
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`unknown objections command '${positionals[0]}'`)
  for (const o of evaluations.objections(p, { runId: values.run ? Number(values.run) : undefined }))
    io.out(
      `${o.id}\trun ${o.runId}\t${o.creditCode}\t${o.status}\t${o.classBefore ?? '-'} → ${o.classAfter ?? '?'}\t${o.reason}`,
    )
  return 0
}

function provenanceCmd(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      date: { type: 'string' },
      format: { type: 'string', default: 'text' },
    },
  })
  const code = positionals[0]
  if (!code || positionals.length > 1 || !['text', 'json'].includes(values.format!))
    throw new UsageError('mujun provenance CODE [--date YYYY-MM-DD] [--format text|json]')
  const problem = creditCodeProblem(code)
  // The problem names the code itself.
  if (problem) throw new UsageError(problem)
  if (values.date !== undefined && !isCalendarDate(values.date))
    throw new UsageError(`--date ${values.date}: not a date written YYYY-MM-DD`)
  const store = openStore(values.db!)
  const { provenance } = createServices(store)
  // Read by the city's observer role: a read of the record, changing nothing.
  const why = provenance.of(
    cliPrincipal(userInfo().username, 'observer'),
    code,
    values.date ?? store.today(),
  )
  if (values.format === 'json') {
    io.out(JSON.stringify(why, null, 2))
    return 0
  }
  io.out(`${why.creditCode} (county ${why.county}) on ${why.date}: class ${why.class ?? '-'}`)
  for (const r of why.rates)
    for (const x of r.schedules) {
      const at = x.origin
        ? x.origin.kind === 'county'
          ? `county override ${x.origin.overrideId}`
          : `${x.origin.file}:${x.origin.line}`
        : 'unknown'
      io.out(
        `  ${r.resource} ${x.scheduleId} ${x.rate}${x.charged ? '' : ' (not charged)'}: ${x.reason}; rule ${at}${x.assumed ? ' (assumed)' : ''}`,
      )
    }
  for (const n of why.notes) io.out(`  note: ${n}`)
  const a = why.rules.activation
  io.out(
    `rules: city version ${why.rules.versionId} (city files sha256 ${why.rules.hash.slice(0, 12)}), in force since ${a.at} by ${a.by}${a.note ? `: ${a.note}` : ''}`,
  )
  if (why.overrides.length === 0) io.out('county overrides in force: none')
  for (const o of why.overrides) {
    io.out(`county override ${o.id} (${o.status}, from ${o.from}): ${o.label}`)
    for (const r of o.revisions)
      io.out(
        `  ${r.action} → ${r.toStatus} at ${r.at} by ${r.by}${r.ref ? `, ref ${r.ref}` : ''}${r.decisionDate ? `, dated ${r.decisionDate}` : ''}${r.reason ? `: ${r.reason}` : ''}`,
      )
  }
  const ev = why.evaluation
  if (!ev) io.out('evaluation: none binds on this date')
  else {
    io.out(
      `evaluation ${ev.id} of ${ev.year} (${ev.status}): run at ${ev.createdAt} by ${ev.createdBy}${ev.notice ? `; notice ${ev.notice.from} to ${ev.notice.to} by ${ev.notice.by}` : ''}; published ${ev.publishedAt ?? '-'} by ${ev.publishedBy ?? '-'}; binds from ${ev.bindingFrom ?? '-'}`,
    )
    if (ev.result)
      io.out(
        `  result: ${ev.result.status}, group ${ev.result.group ?? '-'}, score ${ev.result.score ?? '-'}, rank ${ev.result.rank ?? '-'}/${ev.result.groupSize ?? '-'}, class ${ev.result.initialClass ?? '-'} → ${ev.result.class ?? '-'}`,
      )
    if (ev.figures)
      io.out(
        `  figures of ${ev.figures.year}, version ${ev.figures.version}, entered ${ev.figures.updatedAt} by ${ev.figures.updatedBy}`,
      )
    for (const o of ev.objections)
      io.out(
        `  objection ${o.id} (${o.status}) filed ${o.filedAt} by ${o.filedBy}: ${o.reason}; decided ${o.decidedAt ?? '-'} by ${o.decidedBy ?? '-'}: ${o.decision ?? '-'} (${o.classBefore ?? '-'} → ${o.classAfter ?? '-'})`,
      )
  }
  if (why.closure)
    io.out(
      `closure: disposition ${why.closure.dispositionId} of project ${why.closure.projectId}, done ${why.closure.completedOn}, verified ${why.closure.verifiedOn ?? '-'} by ${why.closure.verifiedBy ?? '-'}: nothing charged from ${why.closure.on}`,
    )
  return 0
}

function exportCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      year: { type: 'string' },
      run: { type: 'string' },
      out: { type: 'string' },
    },
  })
  const store = openStore(values.db!)
  const runId = values.run ? Number(values.run) : store.publishedRun(yearOf(values.year))?.id
  if (!runId) throw new UsageError('no published evaluation for that year (or give --run ID)')
  let progress: Progress | undefined
  const { evaluations } = createServices(store)
  const who = cliPrincipal(userInfo().username, 'economy')
  const { csv, rows, year } = evaluations.resultsCsv(who, runId, (done, total) => {
    progress ??= createProgress(`export ${runId}`, total)
    progress.update(done)
  })
  progress?.stop()
  if (values.out) {
    writeFileSync(values.out, csv)
    io.out(`wrote ${rows} results of evaluation ${runId} (${year}) to ${values.out}`)
  } else io.out(csv)
  return 0
}

function readEnterprises(file: string, rb: Rulebook, io: Io) {
  if (!existsSync(file)) throw new UsageError(`enterprises file '${file}' does not exist`)
  const parsed = parseEnterprisesCsv(decodeCsvBytes(readFileSync(file)).text, rb)
  for (const p of parsed.problems)
    io.err(`${file}: row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`)
  return parsed
}

function rateCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string', default: 'rules' },
      enterprises: { type: 'string' },
      year: { type: 'string' },
      county: { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
    },
  })
  if (!values.enterprises) throw new UsageError('--enterprises FILE.csv is required')
  if (values.format !== 'json' && values.format !== 'csv')
    throw new UsageError('--format must be json or csv')
  const rb = loadCity(values.rules!)
  const year = yearOf(values.year)
  // No evaluation group in force on the year's last day: every firm would come out of scope, which is not a rating.
  const inForce = resolve(rb, values.county ?? rb.meta.counties[0].code, `${year}-12-31`)
  if (inForce.sections.groups.length === 0 || inForce.sections.classes.length === 0) {
    const first = rb.sections.groups.map((g) => g.from).sort()[0]
    io.err(
      `mujun: no evaluation rules are in force on ${year}-12-31 (the first group starts ${first ?? 'never'}); nothing rated`,
    )
    return 1
  }
  const parsed = readEnterprises(values.enterprises, rb, io)
  if (parsed.problems.length > 0) return 1
  const population = values.county
    ? parsed.enterprises.filter((e) => e.county === values.county)
    : parsed.enterprises
  const results = rate(population, rb, year)
  // A firm's problems say where it is in the file and name each figure by the column it was read from.
  const named = [...(parsed.headers ?? [])].map(
    ([id, header]) => [new RegExp(`(?<![\\w])${id}(?![\\w])`, 'g'), `${header} (${id})`] as const,
  )
  const problemsOf = (r: (typeof results)[number]) =>
    r.status === 'invalid'
      ? r.problems.map(
          (m) =>
            `row ${(r.enterprise as { row?: number }).row}: ${named.reduce((t, [re, h]) => t.replace(re, h), m)}`,
        )
      : r.problems
  const text =
    values.format === 'json'
      ? JSON.stringify(
          results.map((r) => ({ ...resultToJson(r), problems: problemsOf(r) })),
          null,
          2,
        )
      : toCsv(
          [
            'credit_code',
            'name',
            'county_code',
            'group',
            'score',
            'class',
            'initial_class',
            'rank',
            'group_size',
            'category',
            'status',
            'problems',
          ],
          results.map((r) => [
            r.creditCode,
            r.name,
            r.county,
            r.group ?? '',
            r.score?.toFixed(2) ?? '',
            r.class ?? '',
            r.initialClass ?? '',
            r.rank ?? '',
            r.groupSize ?? '',
            r.category?.category ?? '',
            r.status,
            problemsOf(r).join('; '),
          ]),
        )
  if (values.out) writeFileSync(values.out, text)
  else io.out(text)
  return 0
}

function quoteCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      rules: { type: 'string', default: 'rules' },
      enterprises: { type: 'string' },
      year: { type: 'string' },
      'credit-code': { type: 'string' },
      resource: { type: 'string' },
      quantity: { type: 'string' },
      readings: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      format: { type: 'string', default: 'table' },
    },
  })
  for (const k of ['enterprises', 'credit-code', 'resource', 'from', 'to'] as const) {
    if (!values[k]) throw new UsageError(`--${k} is required`)
  }
  const rb = loadCity(values.rules!)
  const year = yearOf(values.year)
  const parsed = readEnterprises(values.enterprises!, rb, io)
  if (parsed.problems.length > 0) return 1
  const code = values['credit-code']!
  const results = rate(parsed.enterprises, rb, year)
  const mine = results.filter((r) => r.creditCode === code)
  if (mine.length === 0) {
    io.err(`mujun: credit code ${code} is not in ${values.enterprises}`)
    return 1
  }
  const readings = values.readings?.split(',').map((r) => {
    const [from, to, quantity] = r.split(':')
    return { from, to, quantity }
  })
  const q = quote(mine, rb, {
    resource: values.resource!,
    from: values.from!,
    to: values.to!,
    quantity: values.quantity,
    readings,
  })
  if (values.format === 'json') {
    io.out(JSON.stringify(q, null, 2))
    return 0
  }
  const r = mine[0]
  io.out(
    `${r.name} ${r.creditCode} — evaluation ${year}: class ${r.class ?? '-'}${r.category ? `, ${r.category.label}` : ''} (${r.status})`,
  )
  io.out(`${q.resource} ${q.quantity} ${q.unit}, ${q.from} to ${q.to} (exclusive)`)
  for (const l of q.lines)
    io.out(
      `  ${l.from}..${l.to}  ${l.scheduleId.padEnd(28)} ${l.rate.padStart(6)} × ${l.quantity.padStart(14)} = ${l.amount.padStart(12)}  ${l.reason}`,
    )
  for (const l of q.waived)
    io.out(
      `  (waived, only the highest applies) ${l.scheduleId} ${l.rate} × ${l.quantity} = ${l.amount}`,
    )
  for (const n of q.notes) io.out(`  note: ${n}`)
  io.out(`  total ${q.total} 元`)
  return 0
}

/** Request columns of a billing run, English or Chinese. */
const BILL_COLUMNS: Record<string, 'credit_code' | 'resource' | 'from' | 'to' | 'quantity'> = {
  credit_code: 'credit_code',
  统一社会信用代码: 'credit_code',
  resource: 'resource',
  资源: 'resource',
  from: 'from',
  起始日期: 'from',
  to: 'to',
  截止日期: 'to',
  quantity: 'quantity',
  用量: 'quantity',
}
export const BILL_HEADER = [
  'row',
  'credit_code',
  'resource',
  'from',
  'to',
  'quantity',
  'total',
  'lines',
  'rulebook_version',
  'overrides',
  'error_code',
  'error',
]

/**
 * `mujun bill`: the billing run offline, against the database. Each row is validated and quoted as the API's
 * POST /v1/quotes does (the same schema, the same use case, the same error codes), written as it is answered.
 */
function billCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      in: { type: 'string' },
      out: { type: 'string' },
    },
  })
  if (!values.in || !existsSync(values.in))
    throw new UsageError(
      `give the requests CSV with --in${values.in ? ` ('${values.in}' does not exist)` : ''}`,
    )
  if (!values.out) throw new UsageError('give the file to write with --out')
  const services = createServices(openStore(values.db!))
  const who = cliPrincipal(userInfo().username)
  const rows = csvRows(decodeCsvBytes(readFileSync(values.in)).text)
  const header = rows.next()
  const columns = header.done ? [] : header.value.map((h) => BILL_COLUMNS[h.trim()])
  for (const need of ['credit_code', 'resource', 'from', 'to', 'quantity'] as const)
    if (!columns.includes(need)) {
      io.err(`${values.in}: row 1: missing column '${need}'`)
      return 1
    }
  const fd = openSync(values.out, 'w')
  let buffer = `\ufeff${BILL_HEADER.join(',')}\r\n`
  let n = 0
  let failed = 0
  const errors: Record<string, number> = {}
  // Rows are answered in chunks: each chunk's firms are read ahead in bulk, as the billing route does.
  const answer = (chunk: Record<string, string>[]) => {
    const outcomes = quoteAll(
      services,
      who,
      chunk.map((value) => ({ value })),
    )
    chunk.forEach((req, k) => {
      n++
      const x = outcomes[k]
      let out: unknown[]
      if ('quote' in x) {
        const q = x.quote
        out = [q.total, q.lines.length, q.rulebookVersion, q.overrides.join(' '), '', '']
      } else {
        const p = problemOf(x.error, '/v1/quotes', (m) => io.err(m))
        failed++
        errors[p.code] = (errors[p.code] ?? 0) + 1
        out = ['', '', '', '', p.code, p.detail]
      }
      buffer += `${[n + 1, req.creditCode, req.resource, req.from, req.to, req.quantity, ...out].map(csvCell).join(',')}\r\n`
    })
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer)
      buffer = ''
    }
  }
  let chunk: Record<string, string>[] = []
  for (const cells of rows) {
    const req: Record<string, string> = {}
    cells.forEach((v, i) => {
      const col = columns[i]
      if (col && v.trim() !== '') req[col === 'credit_code' ? 'creditCode' : col] = v.trim()
    })
    chunk.push(req)
    if (chunk.length === 500) {
      answer(chunk)
      chunk = []
    }
  }
  answer(chunk)
  writeSync(fd, buffer)
  closeSync(fd)
  io.out(
    `answered ${n} requests into ${values.out}: ${n - failed} quoted, ${failed} refused${
      failed
        ? ` (${Object.entries(errors)
            .map(([c, k]) => `${c} ${k}`)
            .join(', ')})`
        : ''
    }`,
  )
  return 0
}
