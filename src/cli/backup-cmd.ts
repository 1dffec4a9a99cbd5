/**
 * `mujun backup`: a consistent copy of the database while the service runs, and a check of any copy.
 * @module cli/backup-cmd
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { actorOf, cliPrincipal } from '../app/authorize.ts'
import { backupDatabase, checkDatabase, type DatabaseCheck } from '../db/backup.ts'
import { type Io, openStore, UsageError } from './shared.ts'

export function backupCmd(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      out: { type: 'string' },
      check: { type: 'string' },
    },
  })
  if (!values.out === !values.check)
    throw new UsageError('mujun backup (--out FILE | --check FILE) [--db data/mujun.db]')
  if (values.check) {
    const found = checkDatabase(values.check)
    describe(found, io)
    return found.integrity === 'ok' && found.auditChain?.brokenAt === null ? 0 : 1
  }
  // The bureau keeps the system of record; the OS user is recorded in the audit log.
  const actor = actorOf(cliPrincipal(userInfo().username, 'bureau'))
  const made = backupDatabase(openStore(values.db!), values.out!, actor)
  describe(made, io)
  io.out('recorded in the audit log as database.backup')
  return 0
}

function describe(c: DatabaseCheck, io: Io): void {
  io.out(`${c.path}: ${c.bytes} bytes, sha256 ${c.sha256}, integrity ${c.integrity}`)
  if (c.integrity !== 'ok') return
  io.out(
    `  ${Object.entries(c.rows)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  )
  io.out(
    c.lastAudit
      ? `  holds every change up to ${c.lastAudit.at} (${c.lastAudit.action} ${c.lastAudit.subject})`
      : '  holds no audited change',
  )
  const chain = c.auditChain
  if (chain)
    io.out(
      chain.brokenAt === null
        ? `  audit chain intact: ${chain.chained} entries chained${chain.before ? ` (${chain.before} before the chain began)` : ''}, head ${chain.head ?? '-'}`
        : `  audit chain BROKEN at entry ${chain.brokenAt}: an entry was changed, removed or inserted after it was written (${chain.chained} entries before it hold)`,
    )
}
