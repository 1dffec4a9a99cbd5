/**
 * The demo's money: the power company's surcharges collected from 慈溪 firms in 2024 (one bill a month from each
 * firm's yearly use), and the 2024 refund run of 慈溪's 返还奖励 computed and put to notice, so the ledger, the overview
 * and `/refunds` show a year as it stands before publication.
 * @module demo/money
 */
import type { Services } from '../app/services.ts'
import { nextMonth } from '../dates.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'
import type { Principal } from '../principal.ts'

/** The demo utility's token label: a utility reads the collections it reported, matched by that label. */
const UTILITY: Principal = { role: 'utility', scope: '', label: 'demo utility', tokenId: 0 }
const ECONOMY: Principal = { role: 'economy', scope: '', label: 'demo', tokenId: 0 }

export function seedMoney(services: Services, population: Enterprise[], county: string): void {
  const firms = population.filter((e) => e.county === county)
  const months = Array.from({ length: 12 }, (_, m) => `2024-${String(m + 1).padStart(2, '0')}`)
  const items = firms.flatMap((e) => {
    const kwh = typeof e.figures.electricity_kwh === 'number' ? e.figures.electricity_kwh : 0
    return months.map((month) => ({
      value: {
        creditCode: e.creditCode,
        resource: 'electricity',
        quantity: String(Math.round(kwh / 12)),
        from: `${month}-01`,
        to: `${nextMonth(month)}-01`,
      },
    }))
  })
  if (items.length === 0) return
  // Bills of 0.00 (firms paying no surcharge) record nothing; the refund run then has nothing to return.
  services.collections.fromBills(UTILITY, items)
  const run = services.refunds.run(ECONOMY, 2024)
  services.refunds.notice(ECONOMY, run.id)
}
