/**
 * The application layer: one service per use case over one store. HTTP routes, pages and the CLI call these, so
 * a rule about who may do what is enforced once.
 * @module app/services
 */
import type { Store } from '../db/store.ts'
import { OverrideService } from './overrides.ts'
import { RulebookService } from './rulebooks.ts'
import { TokenService } from './tokens.ts'

export interface Services {
  store: Store
  rulebooks: RulebookService
  overrides: OverrideService
  tokens: TokenService
}

export function createServices(store: Store): Services {
  return {
    store,
    rulebooks: new RulebookService(store),
    overrides: new OverrideService(store),
    tokens: new TokenService(store),
  }
}
