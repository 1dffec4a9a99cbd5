/**
 * The `mujun` command line: argv → the same core functions the API uses. Exit codes: 0 ok, 1 problems found, 2 usage.
 * @module cli/main
 */
import { formatRuleProblem, MujunError, RulebookError } from '../errors.ts'
import { backupCmd } from './backup-cmd.ts'
import { rulesChange } from './change-cmd.ts'
import {
  evaluateCmd,
  exportCmd,
  importCmd,
  objectionsCmd,
  provenanceCmd,
  publishCmd,
} from './evaluate-cmd.ts'
import { figuresCmd } from './figures-cmd.ts'
import { listsCmd } from './lists-cmd.ts'
import { measuresCmd } from './measures-cmd.ts'
import { billCmd, quoteCmd, rateCmd } from './pricing-cmd.ts'
import { programmeCmd } from './programme-cmd.ts'
import { ledgerCmd, refundsCmd } from './refunds-cmd.ts'
import {
  rulesCheck,
  rulesDiff,
  rulesExport,
  rulesImport,
  rulesSchema,
  rulesShow,
  versionsDiff,
} from './rules-cmd.ts'
import { type Io, UsageError } from './shared.ts'
import { tiersCmd } from './tiers-cmd.ts'
import { tokensCmd } from './tokens-cmd.ts'

export { BILL_HEADER } from './pricing-cmd.ts'
export type { Io } from './shared.ts'
export { cityDirs, loadCity } from './shared.ts'

const USAGE = `mujun — 亩均效益 rating and differential utility surcharges

  mujun rules check [DIR]                     validate every rule file (writes nothing); prints the city files sha256
                                               (paths and texts of the files outside counties/), the hash a stored
                                               city version of the same files has
  mujun rules schema [--out FILE]             write the JSON Schema of a rule file, which editors complete from
                                               (default rules/rulebook.schema.json, the file the rule files name)
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
  mujun tokens create --role bureau|economy|county|utility|enterprise|observer|department [--county CODE | --credit-code CODE | --department ID]
                      [--label TEXT] [--expires YYYY-MM-DD] [--db data/mujun.db]
                                               print a new token (shown once, stored hashed)
  mujun tokens list [--db data/mujun.db]       every token's id, role, scope, label, expiry and status
  mujun tokens revoke ID [--db data/mujun.db]  the token stops working on the next request, in every process
  mujun rate --enterprises FILE.csv --year YYYY [--rules DIR] [--county CODE] [--format json|csv] [--out FILE]
             [--history YEAR=FILE.csv ...]    earlier years' figures, which a previous-year benchmark reads
  mujun quote --enterprises FILE.csv --year YYYY --credit-code CODE --resource electricity|water|gas|sewage
              (--quantity Q | --readings FROM:TO:Q,...) --from YYYY-MM-DD --to YYYY-MM-DD [--rules DIR]
              [--history YEAR=FILE.csv ...]    earlier years' figures, for rates that rise with consecutive years
                                               (a quote such a rate may change is refused without them)
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
  mujun measures --code CODE [--date YYYY-MM-DD] [--db data/mujun.db] [--format text|json]
                                               every measure beyond price the firm's class brings on the date
                                               (land, energy-use quota, orderly power use, permits, credit, tax, awards)
  mujun measures --list MEASURE [--date YYYY-MM-DD] [--format csv|ndjson|json] [--out FILE] [--db data/mujun.db]
                                               the firms a measure applies to, for the department that applies it
  mujun figures submit FILE.csv --department ID --year YYYY [--db data/mujun.db]
                                               one department's own columns of a year by credit code (UTF-8 or GBK,
                                               ids or Chinese labels); a changed figure is a new version
  mujun figures completeness --year YYYY [--county CODE] [--format text|json] [--db data/mujun.db]
                                               who lacks which figure, per county, and whose it is
  mujun figures publish-land --year YYYY [--db data/mujun.db]
                                               publish the year's land areas for objection (the notice period)
  mujun figures sheet CODE --year YYYY [--format text|json] [--db data/mujun.db]
                                               a firm's sheet (一企一单): each figure's department, submitter, version
  mujun figures disputes [--year YYYY] [--db data/mujun.db]
  mujun figures resolve ID (--uphold [--value V] | --reject) --reason TEXT [--db data/mujun.db]
                                               firms' disputes of their sheets, and the economy office's resolution
  mujun export (--year YYYY | --run ID) [--db data/mujun.db] [--out FILE.csv]
                                               published results as CSV that Excel opens (UTF-8 BOM)
  mujun bill --in REQUESTS.csv --out BILLS.csv [--db data/mujun.db]
                                               a billing run offline: one quote per row (credit_code, resource, from,
                                               to, quantity), each answered as POST /v1/quotes answers it: its total
                                               and lines, or its error code and message
  mujun tiers changes [--since CURSOR] [--county CODE] [--db data/mujun.db]
                                               the change feed: one JSON line per firm whose tier changed since the
                                               cursor (why, from which day), then {"cursor": …} to ask from next time
  mujun tiers export --month YYYY-MM [--format csv|ndjson] [--county CODE] [--out FILE] [--db data/mujun.db]
                                               every firm's tier for a billing month (CSV with Chinese headers)
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
  mujun lists [--db data/mujun.db]            designated lists (名单) for sector pricing: id, status, schedule, start,
                                               first charged day, firms on it today
  mujun lists show ID [--format text|json] [--db data/mujun.db]
                                               one list with its entries (added on, removed on after 复查)
  mujun lists propose --id ID --label TEXT --schedule SCHEDULE --document 文号 --start YYYY-MM-DD
                      [--transition-until YYYY-MM-DD] [--firms CODE,CODE,...] [--db data/mujun.db]
                                               propose a list with its first batch, as the economy office
  mujun lists approve|reject|withdraw ID [--ref 文号] [--reason TEXT] [--db data/mujun.db]
                      [--correction REASON --correction-document 文号]
                                               the pricing bureau's decision (withdraw: the economy office's); an
                                               approval whose first charged day is past is a correction
  mujun lists add|remove ID --credit-code CODE --on YYYY-MM-DD --ref 文号 [--db data/mujun.db]
                      [--correction REASON --correction-document 文号]
                                               record a firm added to a list, or taken off it after 复查, from a day
                                               (before today only as a correction), as the pricing bureau
  mujun refunds run --year YYYY [--db data/mujun.db]
                                               the refund (返还奖励) of what firms paid in YYYY, by the rules'
                                               refunds items, as a draft run (after the evaluation of YYYY is
                                               published), as the economy office
  mujun refunds list [--year YYYY] [--db data/mujun.db]
  mujun refunds show ID [--format table|json] [--db data/mujun.db]
                                               a run's refunds, each with its reason
  mujun refunds notice ID [--db data/mujun.db] put a draft run to notice (公示) for the rulebook's period
  mujun refunds publish ID [--db data/mujun.db]
                                               publish it after its notice: its refunds count as returned from today
  mujun ledger [--year YYYY | --month YYYY-MM] [--county CODE] [--by county|firm] [--format table|json]
               [--db data/mujun.db]            collected, returned and held per county (or firm) and month
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
  return helpFor(
    cmd === 'rules' ||
      cmd === 'tokens' ||
      cmd === 'programme' ||
      cmd === 'lists' ||
      cmd === 'refunds'
      ? named
      : cmd,
  )
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
  if (cmd === 'rules' && sub === 'schema') return rulesSchema(argv.slice(2), io)
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
  if (cmd === 'measures') return measuresCmd(argv.slice(1), io)
  if (cmd === 'figures') return figuresCmd(argv.slice(1), io)
  if (cmd === 'backup') return backupCmd(argv.slice(1), io)
  if (cmd === 'quote') return quoteCmd(argv.slice(1), io)
  if (cmd === 'bill') return billCmd(argv.slice(1), io)
  if (cmd === 'programme') return programmeCmd(argv.slice(1), io)
  if (cmd === 'lists') return listsCmd(argv.slice(1), io)
  if (cmd === 'refunds') return refundsCmd(argv.slice(1), io)
  if (cmd === 'ledger') return ledgerCmd(argv.slice(1), io)
  if (cmd === 'tiers') return tiersCmd(argv.slice(1), io)
  if (cmd === 'serve') {
    await import('../server.ts')
    return 0
  }
  throw new UsageError(`unknown command '${argv.join(' ')}'`)
}
