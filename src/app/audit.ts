/**
 * Reading the audit log: who may, and what they see. A county's draft is its own and the bureau's until it is
 * submitted (override.readDraft), so its entries are left out for every other reader, as the draft itself is.
 * @module app/audit
 */
import type { Store } from '../db/store.ts'
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'
import { can } from './permissions.ts'

export type AuditFilter = Omit<Parameters<Store['listAudit']>[0], 'withoutDrafts'>

export class AuditService {
  constructor(private readonly store: Store) {}

  list(p: Principal | undefined, filter: AuditFilter) {
    const who = authorize(p, 'audit.read')
    return this.store.listAudit({ ...filter, withoutDrafts: !can(who, 'override.readDraft') })
  }
}
