/**
 * `mujun figures`: figures by department (一企一单): a department's columns of a year submitted by credit code, the
 * completeness report per county, the land areas published for objection, a firm's sheet, and the disputes with
 * their resolution; as the economy office, through the same use cases as the API.
 * @module cli/figures-cmd
 */
import { existsSync, readFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { createServices } from '../app/services.ts'
import { type Io, openStore, UsageError, yearOf } from './shared.ts'

const USAGE = `mujun figures submit FILE.csv --department ID --year YYYY | completeness --year YYYY [--county CODE]
  | publish-land --year YYYY | sheet CODE --year YYYY | disputes [--year YYYY] | resolve ID (--uphold [--value V] | --reject) --reason TEXT`

export function figuresCmd(args: string[], io: Io): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      year: { type: 'string' },
      department: { type: 'string' },
      county: { type: 'string' },
      format: { type: 'string', default: 'text' },
      uphold: { type: 'boolean', default: false },
      reject: { type: 'boolean', default: false },
      value: { type: 'string' },
      reason: { type: 'string' },
    },
  })
  const [sub, arg] = positionals
  if (!['text', 'json'].includes(values.format!)) throw new UsageError('--format text|json')
  const { intake } = createServices(openStore(values.db!))
  const p = cliPrincipal(userInfo().username, 'economy')
  const json = (x: unknown) => {
    io.out(JSON.stringify(x, null, 2))
    return 0
  }
  if (sub === 'submit') {
    if (!arg || !existsSync(arg))
      throw new UsageError(`give the CSV file to submit${arg ? ` ('${arg}' does not exist)` : ''}`)
    if (!values.department) throw new UsageError('--department ID (whose columns the file holds)')
    const r = intake.submitCsv(p, values.department, yearOf(values.year), readFileSync(arg))
    if (values.format === 'json') return json(r)
    io.out(
      `${r.department} ${r.year} (${r.encoding}): ${r.firms} firms, ${r.inputs.join(', ')}; ${r.versions} new version(s), ${r.unchanged} unchanged`,
    )
    return 0
  }
  if (sub === 'completeness') {
    const r = intake.completeness(p, yearOf(values.year), values.county)
    if (values.format === 'json') return json(r)
    for (const c of r.counties) {
      io.out(`${c.county} ${c.name}: ${c.complete}/${c.firms} complete`)
      for (const m of c.missing)
        io.out(
          `  ${m.creditCode} ${m.name}: lacks ${m.inputs.map((i) => `${i.input} (${i.department})`).join(', ')}`,
        )
    }
    io.out(
      r.landPublication
        ? `land areas published ${r.landPublication.publishedOn}, objections until ${r.landPublication.objectionUntil}`
        : 'land areas not yet published for objection',
    )
    return 0
  }
  if (sub === 'publish-land') {
    const r = intake.publishLand(p, yearOf(values.year))
    io.out(
      `land areas of ${r.year} published on ${r.publishedOn}; objections until ${r.objectionUntil}`,
    )
    return 0
  }
  if (sub === 'sheet') {
    if (!arg) throw new UsageError('mujun figures sheet CODE --year YYYY')
    const r = intake.sheet(p, arg, yearOf(values.year))
    if (values.format === 'json') return json(r)
    io.out(`${r.creditCode} ${r.name} ${r.year}: ${r.standing}`)
    for (const f of r.figures)
      io.out(
        `  ${f.input}\t${f.value}\t${f.department} v${f.version}\t${f.submittedAt}\t${f.submittedBy}${f.note ? `\t${f.note}` : ''}`,
      )
    return 0
  }
  if (sub === 'disputes') {
    const r = intake.disputes(p, { year: values.year ? yearOf(values.year) : undefined })
    if (values.format === 'json') return json(r)
    for (const d of r)
      io.out(
        `${d.id}\t${d.year}\t${d.creditCode}\t${d.status}\t${d.input}: ${d.disputedValue} → ${d.claimed}\t${d.reason}${d.decision ? `\t${d.decision}` : ''}`,
      )
    return 0
  }
  if (sub === 'resolve') {
    const id = Number(arg)
    if (!Number.isInteger(id) || values.uphold === values.reject || !values.reason)
      throw new UsageError(
        'mujun figures resolve ID (--uphold [--value V] | --reject) --reason TEXT',
      )
    const r = intake.resolve(p, id, {
      upheld: values.uphold!,
      value: values.value,
      reason: values.reason,
    })
    io.out(
      `dispute ${r.id} ${r.status}${r.resolvedSubmissionId ? ` (new version: submission ${r.resolvedSubmissionId})` : ''}`,
    )
    return 0
  }
  throw new UsageError(USAGE)
}
