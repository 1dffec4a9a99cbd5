/**
 * `mujun tiers changes | export`: the change feed and a month's tiers, against the database, as the API answers
 * them (GET /v1/tiers/changes, GET /v1/tiers/export).
 * @module cli/tiers-cmd
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import { createServices } from '../app/services.ts'
import { exportCsvCells, exportCsvHeader } from '../app/tier-export.ts'
import { csvCell } from '../enterprise/csv.ts'
import type { Principal } from '../principal.ts'
import { type Io, openStore, UsageError } from './shared.ts'

/** The CLI's principal: the bureau's, or a county's with `--county`. */
function who(county: string | undefined): Principal {
  const p = cliPrincipal(userInfo().username)
  if (county === undefined) return p
  if (!/^\d{6}$/.test(county))
    throw new UsageError(`--county is a 6-digit county code, got '${county}'`)
  return { ...p, role: 'county', scope: county }
}

export function tiersCmd(args: string[], io: Io): number {
  const [sub, ...rest] = args
  if (sub === 'changes') return changes(rest, io)
  if (sub === 'export') return exportMonth(rest, io)
  throw new UsageError(`unknown command 'tiers ${sub ?? ''}': tiers changes | tiers export`)
}

/** Every page from `--since`: one JSON line a firm, then `{"cursor": …}` to ask from next time. */
function changes(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      since: { type: 'string' },
      county: { type: 'string' },
    },
  })
  const services = createServices(openStore(values.db!))
  const p = who(values.county)
  let page = services.tierFeed.changes(p, values.since)
  for (;;) {
    for (const c of page.changes) io.out(JSON.stringify(c))
    if (!page.more) break
    page = services.tierFeed.changes(p, page.cursor)
  }
  io.out(JSON.stringify({ cursor: page.cursor }))
  return 0
}

/** A month's tiers to `--out` (or standard output), written as they are made. */
function exportMonth(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      month: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      county: { type: 'string' },
      out: { type: 'string' },
    },
  })
  if (values.format !== 'csv' && values.format !== 'ndjson')
    throw new UsageError('--format must be csv or ndjson')
  const services = createServices(openStore(values.db!))
  const x = services.tierExport.export(who(values.county), values.month)
  const fd = values.out ? openSync(values.out, 'w') : undefined
  let buffer = ''
  const flush = (force = false) => {
    if (!force && buffer.length < 1 << 20) return
    if (fd !== undefined) writeSync(fd, buffer)
    else if (buffer) io.out(buffer.replace(/\r?\n$/, ''))
    buffer = ''
  }
  const csv = values.format === 'csv'
  if (csv)
    buffer += `${fd !== undefined ? '\ufeff' : ''}${exportCsvHeader(x.resources).map(csvCell).join(',')}\r\n`
  let n = 0
  for (const row of x.rows) {
    n++
    buffer += csv
      ? `${exportCsvCells(row, x.resources).map(csvCell).join(',')}\r\n`
      : `${JSON.stringify(row)}\n`
    flush()
  }
  flush(true)
  if (fd !== undefined) {
    closeSync(fd)
    io.err(`wrote ${n} rows of ${x.month} into ${values.out}; change feed cursor ${x.cursor}`)
  }
  return 0
}
