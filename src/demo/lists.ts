/**
 * The demo's designated list (名单): the Ningbo stainless list of the 2011 opinion (差别电价 for the stainless firms it
 * lists, a transition period to 2012-09-30), with a few of the demo's stainless firms, one of them taken off after
 * 复查. Recorded as the offices would record a list found in the archive: proposed by the economy office, approved
 * and amended by the pricing bureau as corrections (every act reaches back to 2011).
 * @module demo/lists
 */
import type { Services } from '../app/services.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Principal } from '../principal.ts'
import { sectorOf } from '../rating/rate.ts'

const ECONOMY: Principal = { role: 'economy', scope: '', label: 'demo', tokenId: 0 }
const BUREAU: Principal = { role: 'bureau', scope: '', label: 'demo', tokenId: 0 }
const ARCHIVE = {
  reason: '演示数据：2011年名单据档案补录',
  document: '演示数据：不锈钢差别电价名单档案',
}

/** Seeds the list with up to four stainless firms of `population` (none in a population without any). */
export function seedLists(services: Services, population: Enterprise[]): void {
  const { rulebook } = services.rulebooks.active()
  const stainless = population
    .filter((e) => sectorOf(rulebook, e.industryCode) === 'stainless')
    .slice(0, 4)
  if (stainless.length === 0) return
  const id = 'ningbo_stainless_2011'
  services.lists.propose(ECONOMY, {
    id,
    label: '宁波市不锈钢企业差别电价名单（第一批）',
    schedule: 'stainless_electricity',
    document: '宁波市《关于对全市不锈钢企业执行差别电价政策的实施意见》',
    startOn: '2011-10-01',
    transitionUntil: '2012-09-30',
    entries: stainless.slice(0, 3).map((e) => ({ creditCode: e.creditCode })),
  })
  services.lists.decide(BUREAU, id, 'approve', { ref: '演示：第一批93家报省', correction: ARCHIVE })
  if (stainless[3])
    services.lists.add(BUREAU, id, {
      creditCode: stainless[3].creditCode,
      addedOn: '2012-03-01',
      ref: '演示：第二批',
      correction: ARCHIVE,
    })
  services.lists.remove(BUREAU, id, {
    creditCode: stainless[0].creditCode,
    removedOn: '2013-03-16',
    ref: '演示：复查合格（2013）',
    correction: ARCHIVE,
  })
}
