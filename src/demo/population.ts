/**
 * A deterministic synthetic population of Ningbo enterprises (seeded PRNG, lognormal figures), for the demo
 * database and the benchmark. Same seed → same enterprises.
 * @module demo/population
 */
import { withCheckChar } from '../enterprise/credit-code.ts'
import type { Enterprise } from '../enterprise/enterprise.ts'

/** mulberry32: a tiny seeded PRNG, good enough for synthetic data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Ningbo's ten counties (districts and county-level cities) with the demo's share of firms in each. */
export const COUNTIES = [
  ['330203', 0.09],
  ['330205', 0.06],
  ['330206', 0.13],
  ['330211', 0.08],
  ['330212', 0.16],
  ['330213', 0.07],
  ['330225', 0.05],
  ['330226', 0.06],
  ['330281', 0.15],
  ['330282', 0.15],
] as const
const SURNAMES = '甬江海天东方明州港城北仑镇海鄞州奉化慈溪余姚宁海象山'.split('')
const TRADES = [
  '机械',
  '电子',
  '纺织',
  '模具',
  '五金',
  '塑料',
  '汽配',
  '家电',
  '化工',
  '服装',
  '不锈钢',
  '铸造',
]
const INDUSTRY: Record<string, string[]> = {
  机械: ['3411', '3441', '3489'],
  电子: ['3971', '3982'],
  纺织: ['1711', '1761'],
  模具: ['3525'],
  五金: ['3389', '3351'],
  塑料: ['2927', '2929'],
  汽配: ['3670'],
  家电: ['3851', '3856'],
  化工: ['2614', '2661'],
  服装: ['1810'],
  不锈钢: ['3130', '3120'],
  铸造: ['3391', '3392'],
}

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
function base31(n: number, width: number): string {
  let s = ''
  for (let k = 0; k < width; k++) {
    s = CHARSET[n % 31] + s
    n = Math.floor(n / 31)
  }
  return s
}

/** Builds `n` enterprises for evaluation year figures; `seed` fixes them. */
export function syntheticPopulation(n: number, seed = 2024): Enterprise[] {
  const rnd = prng(seed)
  const normal = () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd())
  const logn = (median: number, sigma: number) => median * Math.exp(sigma * normal())
  const r2 = (x: number) => Math.round(x * 100) / 100
  const out: Enterprise[] = new Array(n)
  for (let i = 0; i < n; i++) {
    let u = rnd()
    let county: string = COUNTIES[0][0]
    for (const [code, share] of COUNTIES) {
      county = code
      u -= share
      if (u < 0) break
    }
    const trade = TRADES[Math.floor(rnd() ** 1.3 * TRADES.length)]
    const codes = INDUSTRY[trade]
    const industryCode = codes[Math.floor(rnd() * codes.length)]
    const above = rnd() < 0.35
    const land = r2(above ? logn(25, 0.8) : logn(6, 0.7))
    const taxPerMu = logn(above ? 18 : 8, 0.9)
    const tax = r2(land * taxPerMu)
    const revenue = r2(tax * logn(14, 0.4))
    const valueAdded = r2(revenue * logn(0.22, 0.3))
    const energy = r2(valueAdded / logn(2.5, 0.6))
    const electricity = Math.round(energy * logn(5200, 0.3))
    const employees = Math.max(3, Math.round(valueAdded / logn(16, 0.5)))
    const metal = trade === '不锈钢' || trade === '铸造'
    const output = metal ? Math.round(electricity / logn(600, 0.35)) : 0
    const body = `91${county}MA${base31(i, 7)}`
    const f: Enterprise['figures'] = {
      above_scale: above,
      land_mu: land,
      tax,
      revenue,
      value_added: valueAdded,
      energy_tce: energy,
      electricity_kwh: electricity,
      employees,
      rd_spend: r2(revenue * logn(0.02, 0.8) * (rnd() < 0.6 ? 1 : 0)),
      cod_t: r2(logn(1.2, 1)),
      so2_t: r2(logn(0.4, 1)),
      water_m3: Math.round(logn(20000, 1)),
      water_quota_m3: Math.round(logn(22000, 0.8)),
      gas_m3: rnd() < 0.5 ? Math.round(energy * logn(120, 0.8)) : 0,
    }
    // Sewage discharged: 85 % of the water used (no draw from the generator, so every other figure stays as it was).
    f.sewage_m3 = Math.round((f.water_m3 as number) * 0.85)
    if (metal) {
      f.output_t = output
      f.energy_limit_kwh_per_t = 650
      const fu = rnd()
      f.furnace_type =
        fu < 0.15
          ? 'mf_induction_yokeless_al_shell'
          : fu < 0.25
            ? 'cupola'
            : fu < 0.7
              ? 'mf_induction'
              : 'electric_arc'
      f.furnace_use = trade === '不锈钢' && rnd() < 0.3 ? 'steel_billet' : 'castings'
      if (f.furnace_type === 'cupola') f.cupola_melt_tph = r2(logn(4, 0.4))
    }
    if (rnd() < 0.08) f.high_tech = true
    if (rnd() < 0.03) f.tech_centre = true
    if (rnd() < 0.02) f.env_penalty = true
    if (rnd() < 0.005) f.safety_accident = true
    if (rnd() < 0.004) f.banned_by_policy = true
    // 小升规: a few above-scale firms became so in the year rated (the draw is kept for every firm, so the other
    // figures stay as they were).
    if (rnd() < 0.03 && above) f.above_scale_from_year = seed
    // Tenants (租赁企业, no industrial land of their own; land_mu is the area rented): one below-scale firm in seven,
    // chosen by index so that every firm's random draws stay as they were.
    if (!above && i % 7 === 3) f.tenant = true
    out[i] = {
      // Flat strings, as a CSV or database read gives: a template literal would keep each name as a tree of
      // concatenations (about 80 bytes more per enterprise in a million-firm benchmark).
      creditCode: [body, withCheckChar(body).slice(17)].join(''),
      name: [
        '宁波',
        SURNAMES[i % SURNAMES.length],
        SURNAMES[(i * 7) % SURNAMES.length],
        trade,
        above ? '股份' : '',
        '有限公司',
        i,
      ].join(''),
      county,
      industryCode,
      figures: f,
    }
  }
  return out
}
