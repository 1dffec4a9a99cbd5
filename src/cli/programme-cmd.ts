/**
 * `mujun programme …`: the rectification programme's progress, deadlines, reports, fund and the counties' backdate
 * requests from the command line, acting as the economy-and-IT office (经信), which runs the programme.
 * @module cli/programme-cmd
 */
import { writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { createServices } from '../app/services.ts'
import type { BackdateRequestRow } from '../db/programme-store.ts'
import { type Io, openStore, UsageError, yearOf } from './shared.ts'

const DB = { db: { type: 'string', default: 'data/mujun.db' } } as const

/** A backdate request in one line: which record, the day claimed and the day it was sent. */
const describeRequest = (r: BackdateRequestRow) =>
  `${r.county} ${r.kind === 'project' ? `project ${r.projectId} filed` : `${r.quarter} report #${r.seq} submitted`} on ${r.claimedOn}, sent ${r.sentOn}`

export function programmeCmd(argv: string[], io: Io): number {
  const [sub, ...args] = argv
  const who = cliPrincipal(userInfo().username, 'economy')
  const services = (db: string) => createServices(openStore(db))
  switch (sub) {
    case 'progress': {
      const { values } = parseArgs({
        args,
        options: {
          ...DB,
          'as-of': { type: 'string' },
          format: { type: 'string', default: 'table' },
        },
      })
      const p = services(values.db!).programme.progress(who, values['as-of'])
      if (values.format === 'json') {
        io.out(JSON.stringify(p, null, 2))
        return 0
      }
      io.out(`progress on ${p.asOf}, measured from the programme's records`)
      for (const f of p.city)
        io.out(
          `  ${f.label.padEnd(16, '　')} ${(f.value ?? '—').padStart(12)} / ${f.target} ${f.unit}${f.ratio !== null ? `  (${(f.ratio * 100).toFixed(1)} %)` : `  ${f.note}`}`,
        )
      io.out('')
      const metrics = p.city.filter((f) => f.metric !== 'labour_productivity_gain')
      io.out(`  ${'county'.padEnd(12)}${metrics.map((f) => f.metric.padStart(22)).join('')}`)
      for (const c of p.counties)
        io.out(
          `  ${`${c.county} ${c.name}`.padEnd(12)}${metrics.map((m) => (c.figures.find((f) => f.metric === m.metric)?.value ?? '—').padStart(22)).join('')}`,
        )
      return 0
    }
    case 'lists': {
      const { values } = parseArgs({ args, options: { ...DB, year: { type: 'string' } } })
      for (const l of services(values.db!).programme.lists(who, yearOf(values.year)))
        io.out(
          `${l.year} ${l.county} ${l.status.padEnd(8)} due ${l.due}  filed: ${l.filed.join(', ') || '—'}`,
        )
      return 0
    }
    case 'reports': {
      const { values } = parseArgs({ args, options: { ...DB, quarter: { type: 'string' } } })
      if (!values.quarter) throw new UsageError('--quarter YYYYQn is required')
      for (const r of services(values.db!).programme.reportStates(who, values.quarter))
        io.out(
          `${r.quarter} ${r.county} ${r.name} ${r.state.padEnd(8)} due ${r.due}  ${r.firstSubmittedOn ?? '—'}`,
        )
      return 0
    }
    case 'report': {
      const { values } = parseArgs({
        args,
        options: {
          ...DB,
          county: { type: 'string' },
          quarter: { type: 'string' },
          out: { type: 'string' },
        },
      })
      if (!values.county || !values.quarter)
        throw new UsageError('--county CODE and --quarter YYYYQn are required')
      const csv = services(values.db!).programme.reportCsv(who, values.county, values.quarter)
      if (values.out) {
        writeFileSync(values.out, csv)
        io.out(`wrote the ${values.quarter} report of ${values.county} to ${values.out}`)
      } else io.out(csv)
      return 0
    }
    case 'fund': {
      const { values } = parseArgs({
        args,
        options: {
          ...DB,
          year: { type: 'string' },
          fix: { type: 'boolean', default: false },
          format: { type: 'string', default: 'table' },
        },
      })
      const year = yearOf(values.year)
      const { programme } = services(values.db!)
      const a = values.fix
        ? (programme.fixFund(who, year).allocation as ReturnType<typeof programme.fundPreview>)
        : programme.fundPreview(who, year)
      if (values.format === 'json') {
        io.out(JSON.stringify(a, null, 2))
        return 0
      }
      io.out(
        `${a.label} ${a.year}: ${a.amount} yuan, ${values.fix ? 'fixed' : 'preview (nothing stored)'} (rules ${a.origin.file}:${a.origin.line})`,
      )
      io.out(`  criteria: ${a.criteria.map((c) => `${c.id} ${c.weight}`).join(', ')}`)
      for (const c of a.counties)
        io.out(
          `  ${c.county} ${c.name.padEnd(4, '　')} score ${c.score.padEnd(12)} ${c.allocated.padStart(14)}  (${c.criteria.map((x) => `${x.id} ${x.value}`).join(', ')})`,
        )
      io.out(`  total ${a.total}`)
      for (const n of a.notes) io.out(`  note: ${n}`)
      return 0
    }
    case 'requests': {
      const { values } = parseArgs({
        args,
        options: {
          ...DB,
          status: { type: 'string' },
          county: { type: 'string' },
          accept: { type: 'string' },
          refuse: { type: 'string' },
          reason: { type: 'string' },
          ref: { type: 'string' },
          format: { type: 'string', default: 'table' },
        },
      })
      if (values.accept !== undefined || values.refuse !== undefined) {
        if (values.accept !== undefined && values.refuse !== undefined)
          throw new UsageError('give --accept ID or --refuse ID, not both')
        const id = values.accept ?? values.refuse!
        if (!/^\d{1,9}$/.test(id)) throw new UsageError('--accept/--refuse take a request id')
        const r = services(values.db!).programme.decideBackdate(who, Number(id), {
          decision: values.accept !== undefined ? 'accepted' : 'refused',
          reason: values.reason,
          ref: values.ref,
        })
        io.out(`request ${r.id} ${r.status}: ${describeRequest(r)}`)
        return 0
      }
      const status = values.status
      if (status !== undefined && !['pending', 'accepted', 'refused'].includes(status))
        throw new UsageError('--status is pending, accepted or refused')
      const rows = services(values.db!).programme.backdateRequests(who, {
        county: values.county,
        status: status as 'pending' | 'accepted' | 'refused' | undefined,
      })
      if (values.format === 'json') io.out(JSON.stringify(rows, null, 2))
      else
        for (const r of rows)
          io.out(`#${r.id} ${r.status.padEnd(8)} ${describeRequest(r)}  (${r.reason})`)
      return 0
    }
    default:
      throw new UsageError(`unknown command 'programme ${sub ?? ''}'`)
  }
}
