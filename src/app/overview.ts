/**
 * The city overview's use case: the latest published evaluation and its classes by county and sector, for the
 * city's offices.
 * @module app/overview
 */
import type { Store } from '../db/store.ts'
import type { Principal } from '../principal.ts'
import { authorize } from './authorize.ts'

export class OverviewService {
  constructor(private readonly store: Store) {}

  /** The latest published evaluation, if any. */
  latestPublished(p: Principal | undefined) {
    authorize(p, 'overview.read')
    return this.store.listRuns().find((r) => r.status === 'published')
  }

  /** How many firms of each county and sector a run put in each class. */
  classCounts(p: Principal | undefined, runId: number) {
    authorize(p, 'overview.read')
    return this.store.classCounts(runId)
  }
}
