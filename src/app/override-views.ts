/**
 * How an override is answered: its summary (the header and record), its events (who took each step, when, with
 * which reference) and its detail (with the text and the city version it is checked against).
 * @module app/override-views
 */
import type { Store } from '../db/store.ts'

export interface OverrideSummary {
  id: string
  county: string
  label: string
  status: string
  from: string
  to: string | null
  supersedes: string | null
  version: number
  etag: string
  createdAt: string
  createdBy: string
  updatedAt: string
  updatedBy: string
}

export interface OverrideEvent {
  version: number
  action: string
  fromStatus: string | null
  toStatus: string
  at: string
  by: string
  reason: string
  ref: string | null
  decisionDate: string | null
}

export interface OverrideDetail extends OverrideSummary {
  text: string
  /** The city rulebook version in force now, which this override is checked against. */
  rulebookVersion: number
  events: OverrideEvent[]
}

export const overrideEtag = (id: string, version: number) => `"${id}.v${version}"`

/** An override's revisions as events (who took each step, when, with which reference), its text left out. */
export function overrideEvents(store: Store, id: string): OverrideEvent[] {
  return store.overrideRevisions(id).map((r) => ({
    version: r.version,
    action: r.action,
    fromStatus: r.fromStatus,
    toStatus: r.toStatus,
    at: r.at,
    by: r.by,
    reason: r.reason,
    ref: r.ref,
    decisionDate: r.decisionDate,
  }))
}
