/**
 * `mujun measures`: every measure beyond price a firm's class brings on a date, or one measure's list of firms for
 * the department that applies it (CSV with Chinese headers, NDJSON or JSON).
 * @module cli/measures-cmd
 */
import { writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { isCalendarDate } from '../app/evaluations.ts'
import { createServices } from '../app/services.ts'
import { creditCodeProblem } from '../enterprise/credit-code.ts'
import { describeValue } from '../pricing/measures.ts'
import { type Io, openStore, UsageError } from './shared.ts'

export function measuresCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      code: { type: 'string' },
      list: { type: 'string' },
      date: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    },
  })
  if ((values.code === undefined) === (values.list === undefined))
    throw new UsageError(
      'give --code CODE (a firm’s measures) or --list MEASURE (its list of firms)',
    )
  if (values.date !== undefined && !isCalendarDate(values.date))
    throw new UsageError(`--date ${values.date}: not a date written YYYY-MM-DD`)
  const formats = values.code !== undefined ? ['text', 'json'] : ['csv', 'ndjson', 'json']
  const format = values.format ?? formats[0]
  if (!formats.includes(format)) throw new UsageError(`--format must be ${formats.join(' or ')}`)
  if (values.code !== undefined) {
    const problem = creditCodeProblem(values.code)
    if (problem) throw new UsageError(problem)
  }
  const store = openStore(values.db!)
  try {
    const { measures } = createServices(store)
    const date = values.date ?? store.today()
    // Read as the economy-and-IT office, which reads every firm's measures and every list; nothing is changed.
    const p = cliPrincipal(userInfo().username, 'economy')
    if (values.list !== undefined) {
      const text =
        format === 'csv'
          ? measures.listCsv(p, values.list, date)
          : format === 'ndjson'
            ? measures.listNdjson(p, values.list, date)
            : `${JSON.stringify(measures.list(p, values.list, date), null, 2)}\n`
      if (values.out) writeFileSync(values.out, text)
      else io.out(text.replace(/\n$/, ''))
      return 0
    }
    const m = measures.of(p, values.code!, date)
    if (format === 'json') {
      io.out(JSON.stringify(m, null, 2))
      return 0
    }
    io.out(
      `${m.creditCode} ${m.name} (county ${m.county}) on ${m.date}: class ${m.class ?? '-'}${m.evaluationYear ? ` (evaluation ${m.evaluationYear})` : ''}, ${m.measures.length} measure(s)`,
    )
    for (const x of m.measures)
      io.out(
        `  ${x.id} [${x.department.id}] ${describeValue(x.kind, x.value)}; ${x.source.document}${x.source.article ? ` ${x.source.article}` : ''}; rule ${x.origin.overrideId ? `county override ${x.origin.overrideId}` : `${x.origin.file}:${x.origin.line}`}${x.assumed ? ' (assumed)' : ''}`,
      )
    for (const line of m.trace) io.out(`  · ${line}`)
    return 0
  } finally {
    store.db.$client.close()
  }
}
