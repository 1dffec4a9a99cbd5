/**
 * The application layer: one service per use case over one store, sharing one bounded cache. HTTP routes, pages
 * and the CLI call these, so a rule about who may do what is enforced once.
 * @module app/services
 */

import { ListStore } from '../db/list-store.ts'
import { MoneyStore } from '../db/money-store.ts'
import { ProgrammeStore } from '../db/programme-store.ts'
import type { Store } from '../db/store.ts'
import { diffRulebooks, reachOf } from '../rulebook/diff.ts'
import { AuditService } from './audit.ts'
import { type CacheLimits, DEFAULT_CACHE_LIMITS, RevisionCache } from './cache.ts'
import { ChangeService } from './changes.ts'
import { CollectionService } from './collections.ts'
import { EnterpriseService } from './enterprises.ts'
import { EvaluationService } from './evaluations.ts'
import { IntakeService } from './intake.ts'
import { JobService } from './jobs.ts'
import { ListService } from './lists.ts'
import { MeasureService } from './measures.ts'
import { type OverrideLimits, OverrideService } from './overrides.ts'
import { OverviewService } from './overview.ts'
import { PricingService } from './pricing.ts'
import { PricingSnapshots } from './pricing-snapshot.ts'
import { ProgrammeService } from './programme.ts'
import { ProvenanceService } from './provenance.ts'
import { RefundService } from './refunds.ts'
import { RuleCheckThread } from './rule-check.ts'
import { RulebookService } from './rulebooks.ts'
import { SelfCheckService } from './self-check.ts'
import { SessionService } from './sessions.ts'
import { TierExportService } from './tier-export.ts'
import { TierFeedService } from './tier-feed.ts'
import { TokenService } from './tokens.ts'

export interface Services {
  store: Store
  cache: RevisionCache
  rulebooks: RulebookService
  overrides: OverrideService
  tokens: TokenService
  sessions: SessionService
  enterprises: EnterpriseService
  evaluations: EvaluationService
  pricing: PricingService
  programme: ProgrammeService
  provenance: ProvenanceService
  jobs: JobService
  changes: ChangeService
  selfChecks: SelfCheckService
  overview: OverviewService
  audit: AuditService
  lists: ListService
  collections: CollectionService
  refunds: RefundService
  measures: MeasureService
  intake: IntakeService
  tierFeed: TierFeedService
  tierExport: TierExportService
}

export function createServices(
  store: Store,
  options: {
    limits?: CacheLimits
    /** The database file the job worker opens; with it, override texts are also checked on a thread of their own. */
    jobsDbPath?: string
    overrideLimits?: OverrideLimits
  } = {},
): Services {
  const cache = new RevisionCache(
    () => store.cachedRevision,
    options.limits ?? DEFAULT_CACHE_LIMITS,
  )
  const rulebooks = new RulebookService(store)
  const enterprises = new EnterpriseService(store, cache, rulebooks)
  const intake = new IntakeService(store, rulebooks)
  const evaluations = new EvaluationService(store, cache, rulebooks, (year, actor) =>
    intake.settle(year, actor),
  )
  const jobs: JobService = new JobService(
    store,
    () => ({ evaluations, enterprises, overrides, changes, refunds }),
    options.jobsDbPath,
  )
  const overrides: OverrideService = new OverrideService(store, rulebooks, {
    startJob: (p, req, owner) => jobs.start(p, req, owner),
    checker: options.jobsDbPath ? new RuleCheckThread().check : undefined,
    limits: options.overrideLimits,
  })
  const programmeStore = new ProgrammeStore(store)
  const programme = new ProgrammeService(store, programmeStore, cache, rulebooks, enterprises)
  const lists = new ListService(store, new ListStore(store), cache, rulebooks, enterprises)
  const changes = new ChangeService(store, rulebooks, programme, (code) => lists.standingsOf(code))
  const pricing = new PricingService(
    cache,
    rulebooks,
    enterprises,
    evaluations,
    programme,
    () => store.today(),
    (code, at) => lists.standingsOf(code, at),
    new PricingSnapshots(store, () => programmeStore.closures()),
  )
  const tokens = new TokenService(store, cache, rulebooks, jobs)
  const money = new MoneyStore(store)
  const refunds: RefundService = new RefundService(store, money, rulebooks, evaluations)
  return {
    store,
    cache,
    rulebooks,
    overrides,
    tokens,
    sessions: new SessionService(store, tokens),
    enterprises,
    evaluations,
    pricing,
    programme,
    provenance: new ProvenanceService(store, rulebooks, enterprises, pricing, programmeStore),
    jobs,
    changes,
    selfChecks: new SelfCheckService(store, rulebooks, evaluations),
    overview: new OverviewService(store),
    audit: new AuditService(store),
    lists,
    collections: new CollectionService(store, money, enterprises, rulebooks, pricing),
    refunds,
    measures: new MeasureService(store, rulebooks, enterprises, evaluations, programme),
    intake,
    tierFeed: new TierFeedService(store, pricing, {
      override: (id, version) => {
        const text = store.overrideRevisions(id).find((r) => r.version === version)?.text
        return /^ {2}from: *['"]?(\d{4}-\d{2}-\d{2})/m.exec(text ?? '')?.[1]
      },
      rules: (id, previous) =>
        previous === null
          ? []
          : reachOf(diffRulebooks(rulebooks.city(previous), rulebooks.city(id))).items.map(
              (i) => i.firstDay,
            ),
    }),
    tierExport: new TierExportService(store, pricing, rulebooks, (codes, lastYear) =>
      evaluations.prefetchHistories(codes, lastYear),
    ),
  }
}
