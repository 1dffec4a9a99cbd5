import { withCheckChar } from '../../src/enterprise/credit-code.ts'
import type { Enterprise } from '../../src/enterprise/enterprise.ts'

/** Ten below-scale firms in a county with tax i (case 01's pattern), for tests that need a rated population. */
export function tenFirms(
  county = '330203',
  overrides: Record<number, Record<string, unknown>> = {},
): Enterprise[] {
  return Array.from({ length: 10 }, (_, k) => {
    const i = k + 1
    return {
      creditCode: withCheckChar(`91${county}MA2${String(i).padStart(6, '0')}`),
      name: `企业${i}`,
      county,
      industryCode: '1711',
      figures: {
        above_scale: false,
        land_mu: 10,
        tax: i,
        electricity_kwh: 1_000_000,
        ...overrides[i],
      } as Enterprise['figures'],
    }
  })
}
