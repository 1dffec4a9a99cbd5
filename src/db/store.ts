/**
 * The store every use case holds: the base store (connection, revision, transactions, audit log) with one store per
 * aggregate (db/token-store, db/rule-store, db/enterprise-store, db/evaluation-store; db/programme-store is held by
 * the programme's use cases), whose methods it names too so callers read `store.getEnterprise(…)`.
 * @module db/store
 */
import { BaseStore } from './base-store.ts'
import { EnterpriseStore } from './enterprise-store.ts'
import { EvaluationStore } from './evaluation-store.ts'
import { IntakeStore } from './intake-store.ts'
import { RuleStore } from './rule-store.ts'
import { SessionStore } from './session-store.ts'
import { TokenStore } from './token-store.ts'

export class Store extends BaseStore {
  readonly tokens: TokenStore = new TokenStore(this)
  readonly sessions: SessionStore = new SessionStore(this)
  readonly rules: RuleStore = new RuleStore(this)
  readonly enterprises: EnterpriseStore = new EnterpriseStore(this)
  readonly evaluations: EvaluationStore = new EvaluationStore(this)
  readonly intake: IntakeStore = new IntakeStore(this, this.enterprises)

  // tokens

  createToken(...a: Parameters<TokenStore['createToken']>) {
    return this.tokens.createToken(...a)
  }

  listTokens(...a: Parameters<TokenStore['listTokens']>) {
    return this.tokens.listTokens(...a)
  }

  revokeToken(...a: Parameters<TokenStore['revokeToken']>) {
    return this.tokens.revokeToken(...a)
  }

  tokenByHash(...a: Parameters<TokenStore['tokenByHash']>) {
    return this.tokens.tokenByHash(...a)
  }

  tokenById(...a: Parameters<TokenStore['tokenById']>) {
    return this.tokens.tokenById(...a)
  }

  // rules

  rulesHead(...a: Parameters<RuleStore['rulesHead']>) {
    return this.rules.rulesHead(...a)
  }

  scheduledActivation(...a: Parameters<RuleStore['scheduledActivation']>) {
    return this.rules.scheduledActivation(...a)
  }

  liveOverrideFiles(...a: Parameters<RuleStore['liveOverrideFiles']>) {
    return this.rules.liveOverrideFiles(...a)
  }

  liveOverrideFilesAt(...a: Parameters<RuleStore['liveOverrideFilesAt']>) {
    return this.rules.liveOverrideFilesAt(...a)
  }

  filedOverridesKey(...a: Parameters<RuleStore['filedOverridesKey']>) {
    return this.rules.filedOverridesKey(...a)
  }

  openOverrideCount(...a: Parameters<RuleStore['openOverrideCount']>) {
    return this.rules.openOverrideCount(...a)
  }

  findVersionByHash(...a: Parameters<RuleStore['findVersionByHash']>) {
    return this.rules.findVersionByHash(...a)
  }

  insertVersion(...a: Parameters<RuleStore['insertVersion']>) {
    return this.rules.insertVersion(...a)
  }

  activate(...a: Parameters<RuleStore['activate']>) {
    return this.rules.activate(...a)
  }

  rulesCorrections(...a: Parameters<RuleStore['rulesCorrections']>) {
    return this.rules.rulesCorrections(...a)
  }

  activation(...a: Parameters<RuleStore['activation']>) {
    return this.rules.activation(...a)
  }

  listRulebookVersions(...a: Parameters<RuleStore['listRulebookVersions']>) {
    return this.rules.listRulebookVersions(...a)
  }

  getRulebookVersion(...a: Parameters<RuleStore['getRulebookVersion']>) {
    return this.rules.getRulebookVersion(...a)
  }

  listOverrideRows(...a: Parameters<RuleStore['listOverrideRows']>) {
    return this.rules.listOverrideRows(...a)
  }

  overrideRow(...a: Parameters<RuleStore['overrideRow']>) {
    return this.rules.overrideRow(...a)
  }

  firstOverrideRevisions(...a: Parameters<RuleStore['firstOverrideRevisions']>) {
    return this.rules.firstOverrideRevisions(...a)
  }

  overrideRevisions(...a: Parameters<RuleStore['overrideRevisions']>) {
    return this.rules.overrideRevisions(...a)
  }

  writeOverride(...a: Parameters<RuleStore['writeOverride']>) {
    return this.rules.writeOverride(...a)
  }

  // enterprises

  figureTotals(...a: Parameters<EnterpriseStore['figureTotals']>) {
    return this.enterprises.figureTotals(...a)
  }

  aboveScaleTotalsStep(...a: Parameters<EnterpriseStore['aboveScaleTotalsStep']>) {
    return this.enterprises.aboveScaleTotalsStep(...a)
  }

  registryStamp(...a: Parameters<EnterpriseStore['registryStamp']>) {
    return this.enterprises.registryStamp(...a)
  }

  getEnterprise(...a: Parameters<EnterpriseStore['getEnterprise']>) {
    return this.enterprises.getEnterprise(...a)
  }

  enterprisesByCodes(...a: Parameters<EnterpriseStore['enterprisesByCodes']>) {
    return this.enterprises.enterprisesByCodes(...a)
  }

  listEnterprises(...a: Parameters<EnterpriseStore['listEnterprises']>) {
    return this.enterprises.listEnterprises(...a)
  }

  createEnterprise(...a: Parameters<EnterpriseStore['createEnterprise']>) {
    return this.enterprises.createEnterprise(...a)
  }

  updateEnterprise(...a: Parameters<EnterpriseStore['updateEnterprise']>) {
    return this.enterprises.updateEnterprise(...a)
  }

  getFigures(...a: Parameters<EnterpriseStore['getFigures']>) {
    return this.enterprises.getFigures(...a)
  }

  latestFigures(...a: Parameters<EnterpriseStore['latestFigures']>) {
    return this.enterprises.latestFigures(...a)
  }

  figuresEntry(...a: Parameters<EnterpriseStore['figuresEntry']>) {
    return this.enterprises.figuresEntry(...a)
  }

  putFigures(...a: Parameters<EnterpriseStore['putFigures']>) {
    return this.enterprises.putFigures(...a)
  }

  importEnterprises(...a: Parameters<EnterpriseStore['importEnterprises']>) {
    return this.enterprises.importEnterprises(...a)
  }

  population(...a: Parameters<EnterpriseStore['population']>) {
    return this.enterprises.population(...a)
  }

  figuresAt(...a: Parameters<EnterpriseStore['figuresAt']>) {
    return this.enterprises.figuresAt(...a)
  }

  figuresOnPlot(...a: Parameters<EnterpriseStore['figuresOnPlot']>) {
    return this.enterprises.figuresOnPlot(...a)
  }

  creditCodes(...a: Parameters<EnterpriseStore['creditCodes']>) {
    return this.enterprises.creditCodes(...a)
  }

  firmCounties(...a: Parameters<EnterpriseStore['firmCounties']>) {
    return this.enterprises.firmCounties(...a)
  }

  // evaluations

  classCounts(...a: Parameters<EvaluationStore['classCounts']>) {
    return this.evaluations.classCounts(...a)
  }

  insertRun(...a: Parameters<EvaluationStore['insertRun']>) {
    return this.evaluations.insertRun(...a)
  }

  listObjections(...a: Parameters<EvaluationStore['listObjections']>) {
    return this.evaluations.listObjections(...a)
  }

  getRun(...a: Parameters<EvaluationStore['getRun']>) {
    return this.evaluations.getRun(...a)
  }

  listRuns(...a: Parameters<EvaluationStore['listRuns']>) {
    return this.evaluations.listRuns(...a)
  }

  runResults(...a: Parameters<EvaluationStore['runResults']>) {
    return this.evaluations.runResults(...a)
  }

  peerFrame(...a: Parameters<EvaluationStore['peerFrame']>) {
    return this.evaluations.peerFrame(...a)
  }

  runResult(...a: Parameters<EvaluationStore['runResult']>) {
    return this.evaluations.runResult(...a)
  }

  latestPublishedYear(...a: Parameters<EvaluationStore['latestPublishedYear']>) {
    return this.evaluations.latestPublishedYear(...a)
  }

  publishedRun(...a: Parameters<EvaluationStore['publishedRun']>) {
    return this.evaluations.publishedRun(...a)
  }

  noticeRun(...a: Parameters<EvaluationStore['noticeRun']>) {
    return this.evaluations.noticeRun(...a)
  }

  ratedFacts(...a: Parameters<EvaluationStore['ratedFacts']>) {
    return this.evaluations.ratedFacts(...a)
  }

  ratedFactsOf(...a: Parameters<EvaluationStore['ratedFactsOf']>) {
    return this.evaluations.ratedFactsOf(...a)
  }

  boundRuns(...a: Parameters<EvaluationStore['boundRuns']>) {
    return this.evaluations.boundRuns(...a)
  }
}
