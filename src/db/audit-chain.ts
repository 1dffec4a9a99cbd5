/**
 * The audit log's hash chain: each entry's hash covers the previous entry's hash and the entry's fields exactly as
 * stored, so changing or removing an entry later breaks every hash after it. The database already refuses UPDATE
 * and DELETE on the log (migration 0015); the chain shows whether someone went around that (dropped the triggers,
 * edited the file). Entries written before migration 0016 carry no hash; the chain starts after them.
 * @module db/audit-chain
 */
import { createHash } from 'node:crypto'

/** One audit row as stored (`detail` is its JSON text). */
export interface AuditRow {
  id: number
  at: string
  actor: string
  action: string
  subject: string
  detail: string
  hash: string | null
}

/** The hash of an entry that follows `previous` (null for the first entry of the chain). */
export function chainHash(previous: string | null, e: Omit<AuditRow, 'id' | 'hash'>): string {
  return createHash('sha256')
    .update(JSON.stringify([previous, e.at, e.actor, e.action, e.subject, e.detail]))
    .digest('hex')
}

export interface ChainCheck {
  /** Entries with a hash, all of which were recomputed. */
  chained: number
  /** Entries before the chain started (written before migration 0016). */
  before: number
  /** The first entry whose stored hash is not the one its fields and the previous hash give; null when intact. */
  brokenAt: number | null
  /** The last entry's hash: written down elsewhere (a backup's note), it pins everything before it. */
  head: string | null
}

/** Walks the log in id order and recomputes every hash. */
export function checkChain(rows: Iterable<AuditRow>): ChainCheck {
  let previous: string | null = null
  let chained = 0
  let before = 0
  for (const r of rows) {
    if (r.hash === null) {
      // Unhashed entries may only come before the chain starts.
      if (chained > 0) return { chained, before, brokenAt: r.id, head: previous }
      before++
      continue
    }
    if (chainHash(previous, r) !== r.hash)
      return { chained, before, brokenAt: r.id, head: previous }
    previous = r.hash
    chained++
  }
  return { chained, before, brokenAt: null, head: previous }
}
