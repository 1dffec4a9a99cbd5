/**
 * Designated lists (名单) in the database: the lists and their entries. Every change runs in one IMMEDIATE transaction
 * with its audit entry, through the main store, so the revision and the audit log are the ones every change uses.
 * @module db/list-store
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import { ConflictError } from '../errors.ts'
import type { Tx } from './base-store.ts'
import { designatedListEntries, designatedLists } from './schema.ts'
import type { Store } from './store.ts'

export type ListRow = typeof designatedLists.$inferSelect
export type EntryRow = typeof designatedListEntries.$inferSelect
export type ListStatus = ListRow['status']

export interface NewList {
  id: string
  label: string
  schedule: string
  document: string
  startOn: string
  transitionUntil: string | null
}

export interface NewEntry {
  creditCode: string
  addedOn: string
  addedRef: string
}

/** A backdated act's record: why, and the document that orders it. */
export interface CorrectionNote {
  reason: string
  document: string
  firstDay: string
}

export class ListStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db
  }

  lists(): ListRow[] {
    return this.db.select().from(designatedLists).orderBy(asc(designatedLists.id)).all()
  }

  list(id: string, tx: Pick<Tx, 'select'> = this.db): ListRow | undefined {
    return tx.select().from(designatedLists).where(eq(designatedLists.id, id)).get()
  }

  entries(listId: string, tx: Pick<Tx, 'select'> = this.db): EntryRow[] {
    return tx
      .select()
      .from(designatedListEntries)
      .where(eq(designatedListEntries.listId, listId))
      .orderBy(asc(designatedListEntries.id))
      .all()
  }

  /** A proposed list and its first entries, in one transaction. */
  propose(list: NewList, entries: NewEntry[], actor: string): ListRow {
    return this.store.write(
      (tx) => {
        if (this.list(list.id, tx))
          throw new ConflictError(
            `list ${list.id} already exists; choose another id (ids are never reused)`,
          )
        const at = this.store.now()
        const row = tx
          .insert(designatedLists)
          .values({ ...list, status: 'proposed', proposedAt: at, proposedBy: actor })
          .returning()
          .get()
        for (const e of entries)
          tx.insert(designatedListEntries)
            .values({ ...e, listId: list.id, addedAt: at, addedBy: actor })
            .run()
        this.store.audit(tx, actor, 'list.propose', `list/${list.id}`, {
          ...list,
          entries: entries.map((e) => [e.creditCode, e.addedOn, e.addedRef]),
        })
        return row
      },
      // A proposed list charges nobody: nothing cached depends on it.
      { changesCached: false },
    )
  }

  /** Approves, rejects or withdraws a proposed list (`version` is the one the decision was made on). */
  decide(
    id: string,
    version: number,
    to: ListStatus,
    d: { by: string; ref: string | null; reason: string | null; correction?: CorrectionNote },
  ): ListRow {
    return this.store.write(
      (tx) => {
        const at = this.store.now()
        const row = tx
          .update(designatedLists)
          .set({
            status: to,
            version: sql`${designatedLists.version} + 1`,
            decidedAt: at,
            decidedBy: d.by,
            decisionRef: d.ref,
            decisionReason: d.reason,
          })
          .where(
            and(
              eq(designatedLists.id, id),
              eq(designatedLists.version, version),
              eq(designatedLists.status, 'proposed'),
            ),
          )
          .returning()
          .get()
        if (!row) throw new ConflictError(`list ${id} changed meanwhile; read it again`)
        this.store.audit(tx, d.by, `list.${verbOf(to)}`, `list/${id}`, {
          ref: d.ref,
          reason: d.reason,
          ...(d.correction && { correction: d.correction }),
        })
        return row
      },
      // Only an approval changes a price.
      { changesCached: to === 'approved' },
    )
  }

  /** Adds a firm to a list; refused when it has an entry open there (checked inside the transaction). */
  addEntry(
    listId: string,
    e: NewEntry,
    actor: string,
    correction: CorrectionNote | undefined,
    version: number,
  ): EntryRow {
    return this.store.write((tx) => {
      this.bump(tx, listId, version)
      if (this.openEntry(listId, e.creditCode, tx))
        throw new ConflictError(`${e.creditCode} is already on list ${listId}`)
      const row = tx
        .insert(designatedListEntries)
        .values({
          ...e,
          listId,
          addedAt: this.store.now(),
          addedBy: actor,
          addedCorrection: correction ? `${correction.reason} (${correction.document})` : null,
        })
        .returning()
        .get()
      this.store.audit(tx, actor, 'list.entry.add', `list/${listId}`, {
        creditCode: e.creditCode,
        addedOn: e.addedOn,
        ref: e.addedRef,
        ...(correction && { correction }),
      })
      return row
    })
  }

  /** Ends a firm's open entry from `removedOn` (after 复查, with its document). */
  removeEntry(
    listId: string,
    entryId: number,
    r: { removedOn: string; removedRef: string },
    actor: string,
    correction: CorrectionNote | undefined,
    version: number,
  ): EntryRow {
    return this.store.write((tx) => {
      this.bump(tx, listId, version)
      const row = tx
        .update(designatedListEntries)
        .set({
          ...r,
          removedAt: this.store.now(),
          removedBy: actor,
          removedCorrection: correction ? `${correction.reason} (${correction.document})` : null,
        })
        .where(and(eq(designatedListEntries.id, entryId), isNull(designatedListEntries.removedOn)))
        .returning()
        .get()
      if (!row) throw new ConflictError(`entry ${entryId} of list ${listId} changed meanwhile`)
      this.store.audit(tx, actor, 'list.entry.remove', `list/${listId}`, {
        creditCode: row.creditCode,
        addedOn: row.addedOn,
        removedOn: r.removedOn,
        ref: r.removedRef,
        ...(correction && { correction }),
      })
      return row
    })
  }

  /** The firm's entry on a list that has no removal yet. */
  openEntry(listId: string, code: string, tx: Pick<Tx, 'select'> = this.db): EntryRow | undefined {
    return tx
      .select()
      .from(designatedListEntries)
      .where(
        and(
          eq(designatedListEntries.listId, listId),
          eq(designatedListEntries.creditCode, code),
          isNull(designatedListEntries.removedOn),
        ),
      )
      .get()
  }

  /** Every approved list with its entries, for pricing (one read per revision). */
  approved(): { list: ListRow; entries: EntryRow[] }[] {
    const lists = this.db
      .select()
      .from(designatedLists)
      .where(eq(designatedLists.status, 'approved'))
      .orderBy(asc(designatedLists.id))
      .all()
    if (lists.length === 0) return []
    const entries = this.db
      .select()
      .from(designatedListEntries)
      .orderBy(asc(designatedListEntries.id))
      .all()
    return lists.map((list) => ({ list, entries: entries.filter((e) => e.listId === list.id) }))
  }

  /** Moves the list's version from `version` (the one the act was checked on): 409 when another act came first. */
  private bump(tx: Tx, listId: string, version: number) {
    const n = tx
      .update(designatedLists)
      .set({ version: sql`${designatedLists.version} + 1` })
      .where(and(eq(designatedLists.id, listId), eq(designatedLists.version, version)))
      .run()
    if (n.changes === 0)
      throw new ConflictError(`list ${listId} changed meanwhile; read it again and retry`)
  }
}

const verbOf = (to: ListStatus) =>
  to === 'approved' ? 'approve' : to === 'rejected' ? 'reject' : 'withdraw'
