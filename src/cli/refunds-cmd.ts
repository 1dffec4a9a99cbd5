/**
 * `mujun refunds …` and `mujun ledger`: the yearly refund runs (返还奖励) run, put to notice and published as the
 * economy-and-IT office, and the ledger of collected, returned and held, from the command line.
 * @module cli/refunds-cmd
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { createServices } from '../app/services.ts'
import { type Io, openStore, UsageError, yearOf } from './shared.ts'

const DB = { db: { type: 'string', default: 'data/mujun.db' } } as const

/** A run in one line: id, year, status, what was paid and what is returned, and its notice or publication. */
const line = (r: {
  id: number
  year: number
  status: string
  paid: string
  total: string
  noticeFrom: string | null
  noticeTo: string | null
  publishedOn: string | null
}) =>
  `#${r.id} ${r.year} ${r.status.padEnd(9)} paid ${r.paid.padStart(14)}  returned ${r.total.padStart(12)}${
    r.publishedOn
      ? `  published ${r.publishedOn}`
      : r.noticeFrom
        ? `  notice ${r.noticeFrom} to ${r.noticeTo}`
        : ''
  }`

const idOf = (v: string | undefined) => {
  if (!v || !/^\d+$/.test(v)) throw new UsageError('a refund run id (a number) is required')
  return Number(v)
}

export function refundsCmd(argv: string[], io: Io): number {
  const [sub, ...args] = argv
  const who = cliPrincipal(userInfo().username, 'economy')
  const services = (db: string) => createServices(openStore(db))
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...DB, year: { type: 'string' }, format: { type: 'string', default: 'table' } },
  })
  const s = () => services(values.db!).refunds
  switch (sub) {
    case 'run': {
      const r = s().run(who, yearOf(values.year))
      io.out(line(r))
      for (const c of (r.summary.byCounty ?? []) as {
        county: string
        refunded: number
        amount: string
      }[])
        io.out(`  ${c.county} ${String(c.refunded).padStart(5)} firm(s) ${c.amount.padStart(14)}`)
      return 0
    }
    case 'list':
      for (const r of s().list(who, values.year ? yearOf(values.year) : undefined)) io.out(line(r))
      return 0
    case 'show': {
      const r = s().get(who, idOf(positionals[0]))
      if (values.format === 'json') {
        io.out(JSON.stringify(r, null, 2))
        return 0
      }
      io.out(line(r))
      for (const i of r.items.filter((x) => x.amount !== '0.00'))
        io.out(`  ${i.creditCode} ${i.county} ${i.amount.padStart(12)}  ${i.reason}`)
      return 0
    }
    case 'notice':
      io.out(line(s().notice(who, idOf(positionals[0]))))
      return 0
    case 'publish':
      io.out(line(s().publish(who, idOf(positionals[0]))))
      return 0
    default:
      throw new UsageError(
        `unknown refunds command '${sub ?? ''}' (run, list, show, notice, publish)`,
      )
  }
}

export function ledgerCmd(argv: string[], io: Io): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...DB,
      year: { type: 'string' },
      month: { type: 'string' },
      county: { type: 'string' },
      by: { type: 'string', default: 'county' },
      format: { type: 'string', default: 'table' },
    },
  })
  if (values.by !== 'county' && values.by !== 'firm') throw new UsageError('--by county|firm')
  const who = cliPrincipal(userInfo().username, 'economy')
  const l = createServices(openStore(values.db!)).collections.ledger(who, {
    year: values.year ? yearOf(values.year) : undefined,
    month: values.month,
    county: values.county,
    by: values.by,
  })
  if (values.format === 'json') {
    io.out(JSON.stringify(l, null, 2))
    return 0
  }
  io.out(
    `${'month'.padEnd(8)} ${'county'.padEnd(7)} ${values.by === 'firm' ? 'firm'.padEnd(19) : ''}${'collected'.padStart(14)} ${'returned'.padStart(14)} ${'held'.padStart(14)}`,
  )
  for (const r of l.rows)
    io.out(
      `${r.month.padEnd(8)} ${r.county.padEnd(7)} ${r.creditCode ? `${r.creditCode} ` : ''}${r.collected.padStart(14)} ${r.returned.padStart(14)} ${r.held.padStart(14)}`,
    )
  io.out(
    `${'total'.padEnd(values.by === 'firm' ? 36 : 16)} ${l.totals.collected.padStart(14)} ${l.totals.returned.padStart(14)} ${l.totals.held.padStart(14)}`,
  )
  return 0
}
