/**
 * The application layer: one service per use case over one store, sharing one bounded cache. HTTP routes, pages
 * and the CLI call these, so a rule about who may do what is enforced once.
 * @module app/services
 */
import type { Store } from '../db/store.ts'
import { type CacheLimits, DEFAULT_CACHE_LIMITS, RevisionCache } from './cache.ts'
import { EnterpriseService } from './enterprises.ts'
import { EvaluationService } from './evaluations.ts'
import { OverrideService } from './overrides.ts'
import { PricingService } from './pricing.ts'
import { RulebookService } from './rulebooks.ts'
import { TokenService } from './tokens.ts'

export interface Services {
  store: Store
  cache: RevisionCache
  rulebooks: RulebookService
  overrides: OverrideService
  tokens: TokenService
  enterprises: EnterpriseService
  evaluations: EvaluationService
  pricing: PricingService
}

export function createServices(store: Store, limits: CacheLimits = DEFAULT_CACHE_LIMITS): Services {
  const cache = new RevisionCache(() => store.revision, limits)
  const rulebooks = new RulebookService(store)
  const enterprises = new EnterpriseService(store, cache, rulebooks)
  const evaluations = new EvaluationService(store, cache, rulebooks)
  return {
    store,
    cache,
    rulebooks,
    overrides: new OverrideService(store, cache, rulebooks),
    tokens: new TokenService(store, cache, rulebooks),
    enterprises,
    evaluations,
    pricing: new PricingService(store, cache, rulebooks, enterprises, evaluations),
  }
}
