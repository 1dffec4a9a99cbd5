import { withCheckChar } from '../../src/enterprise/credit-code.ts'
import type { Enterprise } from '../../src/enterprise/enterprise.ts'

/** Case 01's reference firms 11–20: their taxes, chosen so that firms 1–10 keep their classes in a group of 20. */
export const REFERENCE_TAXES = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 11, 12]

/**
 * Case 01's population: twenty below-scale firms in a county, firm i (1–10) paying tax i, firms 11–20 the reference
 * taxes (firm 1 is D, 2–4 C, 5–8 B, 9–10 A), for tests that need a rated population.
 */
export function caseOneFirms(
  county = '330203',
  overrides: Record<number, Record<string, unknown>> = {},
): Enterprise[] {
  return Array.from({ length: 20 }, (_, k) => {
    const i = k + 1
    return {
      creditCode: withCheckChar(`91${county}MA2${String(i).padStart(6, '0')}`),
      name: `企业${i}`,
      county,
      industryCode: '1711',
      figures: {
        above_scale: false,
        land_mu: 10,
        tax: i <= 10 ? i : REFERENCE_TAXES[i - 11],
        electricity_kwh: 1_000_000,
        ...overrides[i],
      } as Enterprise['figures'],
    }
  })
}
