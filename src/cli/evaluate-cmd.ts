/**
 * `mujun import | evaluate | publish | objections | provenance | export`: the evaluation's life from figures to
 * a published run, through the same use cases as the API.
 * @module cli/evaluate-cmd
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { isCalendarDate } from '../app/evaluations.ts'
import { createServices } from '../app/services.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { decodeCsvBytes, parseEnterprisesCsv } from '../enterprise/csv.ts'
import { publishPastAct } from './change-cmd.ts'
import { createProgress, type Progress } from './progress.ts'
import { type Io, openStore, UsageError, yearOf } from './shared.ts'

export function importCmd(args: string[], io: Io): number {
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

export function evaluateCmd(args: string[], io: Io): number {
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

export function publishCmd(args: string[], io: Io): number {
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

export function objectionsCmd(args: string[], io: Io): number {
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

export function provenanceCmd(args: string[], io: Io): number {
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
      `evaluation ${ev.id} of ${ev.year} (${ev.status}): run at ${ev.createdAt} by ${ev.createdBy}${ev.notice ? `; notice ${ev.notice.from} to ${ev.notice.to} by ${ev.notice.by}` : ''}; published ${ev.publishedOn ? `on ${ev.publishedOn} (recorded at ${ev.publishedAt})` : '-'} by ${ev.publishedBy ?? '-'}; binds from ${ev.bindingFrom ?? '-'}`,
    )
    if (ev.result)
      io.out(
        `  result: ${ev.result.status}, group ${ev.result.group ?? '-'}, score ${ev.result.score ?? '-'}, rank ${ev.result.rank ?? '-'}/${ev.result.groupSize ?? '-'}, class ${ev.result.initialClass ?? '-'} → ${ev.result.class ?? '-'}`,
      )
    if (ev.figures)
      io.out(
        `  figures of ${ev.figures.year}, version ${ev.figures.version}, entered ${ev.figures.updatedAt} by ${ev.figures.updatedBy}`,
      )
    for (const f of ev.figures?.sources ?? [])
      io.out(
        `    ${f.input}: ${f.department} v${f.version}, submitted ${f.submittedAt} by ${f.submittedBy}${f.note ? ` (${f.note})` : ''}`,
      )
    if (ev.figures?.sheet) io.out(`    sheet: ${ev.figures.sheet}`)
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

export function exportCmd(args: string[], io: Io): number {
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
