/**
 * `mujun tokens …`: create, list and revoke API tokens in the service's database.
 * @module cli/tokens-cmd
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { cliPrincipal } from '../app/authorize.ts'
import { createServices } from '../app/services.ts'
import { TokenRequest } from '../app/tokens.ts'
import { type Io, openStore, UsageError } from './shared.ts'

export async function tokensCmd(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      db: { type: 'string', default: 'data/mujun.db' },
      role: { type: 'string' },
      county: { type: 'string' },
      'credit-code': { type: 'string' },
      department: { type: 'string' },
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
        department: values.department,
        label:
          values.label ??
          `${values.role} ${values.county ?? values['credit-code'] ?? values.department ?? ''}`.trim(),
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
      const t = await tokens.revoke(p, Number(id))
      io.out(`token #${t.id} (${t.label}) revoked at ${t.revokedAt}`)
      return 0
    }
    throw new UsageError(`unknown tokens command '${sub ?? ''}' (create, list or revoke)`)
  } finally {
    store.db.$client.close()
  }
}
