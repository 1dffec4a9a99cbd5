/**
 * `mujun lists …`: designated lists (名单) for sector pricing in the service's database. The command line acts as the
 * office whose duty each step is: the economy office (经信) proposes and withdraws, the pricing bureau approves,
 * rejects and records additions and removals after 复查.
 * @module cli/lists-cmd
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { cliPrincipal } from '../app/authorize.ts'
import type { ListAction, ListDetail } from '../app/lists.ts'
import { createServices } from '../app/services.ts'
import { type Io, openStore, UsageError } from './shared.ts'

const OPTIONS = {
  db: { type: 'string', default: 'data/mujun.db' },
  format: { type: 'string', default: 'text' },
  id: { type: 'string' },
  label: { type: 'string' },
  schedule: { type: 'string' },
  document: { type: 'string' },
  start: { type: 'string' },
  'transition-until': { type: 'string' },
  firms: { type: 'string' },
  'credit-code': { type: 'string' },
  on: { type: 'string' },
  ref: { type: 'string' },
  reason: { type: 'string' },
  correction: { type: 'string' },
  'correction-document': { type: 'string' },
} as const

export async function listsCmd(args: string[], io: Io): Promise<number> {
  const [first, ...rest] = args
  const sub = first === undefined || first.startsWith('-') ? 'all' : first
  const { values, positionals } = parseArgs({
    args: sub === 'all' ? args : rest,
    allowPositionals: true,
    options: OPTIONS,
  })
  const store = openStore(values.db!)
  const { lists } = createServices(store)
  const user = userInfo().username
  const bureau = cliPrincipal(user, 'bureau')
  const economy = cliPrincipal(user, 'economy')
  const id = () => {
    if (!positionals[0]) throw new UsageError(`give the list's id: mujun lists ${sub} ID`)
    return positionals[0]
  }
  const correction = () => {
    if (values.correction === undefined) return undefined
    if (!values['correction-document'])
      throw new UsageError('a correction needs --correction-document 文号 beside its reason')
    return { reason: values.correction, document: values['correction-document'] }
  }
  const show = (l: ListDetail) => {
    if (values.format === 'json') io.out(JSON.stringify(l, null, 2))
    else io.out(describe(l))
    return 0
  }
  try {
    if (sub === 'all') {
      for (const l of lists.all(bureau))
        io.out(
          [l.id, l.status, l.schedule, l.startOn, l.firstChargedDay, l.onList, l.label].join('\t'),
        )
      return 0
    }
    if (sub === 'show') return show(lists.get(bureau, id()))
    if (sub === 'propose') {
      const firms = (values.firms ?? '').split(',').filter((c) => c.trim() !== '')
      return show(
        lists.propose(economy, {
          id: values.id ?? '',
          label: values.label ?? '',
          schedule: values.schedule ?? '',
          document: values.document ?? '',
          startOn: values.start ?? '',
          transitionUntil: values['transition-until'],
          entries: firms.map((c) => ({ creditCode: c.trim() })),
        }),
      )
    }
    if (sub === 'approve' || sub === 'reject' || sub === 'withdraw')
      return show(
        lists.decide(sub === 'withdraw' ? economy : bureau, id(), sub as ListAction, {
          ref: values.ref,
          reason: values.reason,
          correction: correction(),
        }),
      )
    if (sub === 'add' || sub === 'remove') {
      const code = values['credit-code']
      if (!code || !values.on || !values.ref)
        throw new UsageError(`lists ${sub} needs --credit-code, --on YYYY-MM-DD and --ref 文号`)
      return show(
        sub === 'add'
          ? lists.add(bureau, id(), {
              creditCode: code,
              addedOn: values.on,
              ref: values.ref,
              correction: correction(),
            })
          : lists.remove(bureau, id(), {
              creditCode: code,
              removedOn: values.on,
              ref: values.ref,
              correction: correction(),
            }),
      )
    }
    throw new UsageError(
      `unknown lists command '${sub}' (show, propose, approve, reject, withdraw, add or remove)`,
    )
  } catch (e) {
    if (e instanceof z.ZodError) throw new UsageError(z.prettifyError(e))
    throw e
  } finally {
    store.db.$client.close()
  }
}

/** A list and its entries as lines of text. */
function describe(l: ListDetail): string {
  const head = [
    `${l.id}  ${l.label}  [${l.status}]`,
    `  schedule ${l.schedule} · document ${l.document} · from ${l.startOn}${l.transitionUntil ? ` · transition until ${l.transitionUntil}` : ''} · listed firms pay from ${l.firstChargedDay}`,
  ]
  if (l.decisionRef) head.push(`  decision ${l.decisionRef} by ${l.decidedBy} at ${l.decidedAt}`)
  const rows = l.entries.map(
    (e) =>
      `  ${e.creditCode}  on ${e.addedOn} (${e.addedRef})${e.removedOn ? `  off ${e.removedOn} after 复查 (${e.removedRef})` : ''}`,
  )
  return [...head, ...rows].join('\n')
}
