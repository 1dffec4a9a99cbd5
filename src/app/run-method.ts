/**
 * Which evaluation method rated a county's firms in a run (属地评价): the city's, or the county override(s) in force
 * on the run's rule date (Y-12-31) under the rules the run applied.
 * @module app/run-method
 */
import type { Store } from '../db/store.ts'
import { resolve } from '../rulebook/resolve.ts'
import type { RulebookService } from './rulebooks.ts'

/**
 * The method of each county in `run`, memoised per county: null for the city's, else the override id(s); undefined
 * for a run that records no override revision (made before they were recorded).
 */
export function runMethods(
  rulebooks: RulebookService,
  run: ReturnType<Store['getRun']>,
): (county: string) => string | null | undefined {
  const methods = new Map<string, string | null>()
  return (county) => {
    if (run.overrideRevision === null) return undefined
    let method = methods.get(county)
    if (method === undefined) {
      const rulebook = rulebooks.ofRun(run.rulebookVersionId, run.overrideRevision)
      method = resolve(rulebook, county, `${run.year}-12-31`).method
      methods.set(county, method)
    }
    return method
  }
}
