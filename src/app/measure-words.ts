/**
 * The words for measures beyond price, in Chinese and English: each kind's name, each value in plain words, and the
 * columns of a department's list (the CSV headers are the Chinese ones). Shared by the downloads and the pages.
 * @module app/measure-words
 */
import type { MeasureKind, MeasureValue } from '../rulebook/schema.ts'

export type Lang = 'zh' | 'en'
type Words = Record<string, { zh: string; en: string }>

const KIND: Record<MeasureKind, { zh: string; en: string }> = {
  land: { zh: '用地', en: 'Land' },
  energy_quota: { zh: '用能指标', en: 'Energy-use quota' },
  power_rationing: { zh: '有序用电', en: 'Orderly power use' },
  emission_permit: { zh: '排污权', en: 'Emission permits' },
  credit: { zh: '信贷', en: 'Credit' },
  land_use_tax: { zh: '城镇土地使用税', en: 'Urban land-use tax' },
  award: { zh: '奖励和扶持资金', en: 'Awards and subsidies' },
}

const ALLOCATION: Words = {
  priority: { zh: '优先保障', en: 'first served' },
  normal: { zh: '正常保障', en: 'as usual' },
  restricted: { zh: '从严控制', en: 'restricted' },
  refused: { zh: '不予安排', en: 'none' },
}

const GUIDANCE: Words = {
  support: { zh: '优先支持', en: 'supported' },
  normal: { zh: '正常支持', en: 'as usual' },
  restrict: { zh: '从严控制', en: 'restricted' },
  withdraw: { zh: '压降退出', en: 'reduced and withdrawn' },
}

/** A kind of measure's name. */
export const measureKindLabel = (lang: Lang, kind: MeasureKind) => KIND[kind][lang]

const pct = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : ''}${Math.abs(n)}%`

/** The value a class gets of a measure, in a short phrase. */
export function measureValueText(lang: Lang, kind: MeasureKind, value: MeasureValue): string {
  const v = value as Record<string, unknown>
  const zh = lang === 'zh'
  switch (kind) {
    case 'land': {
      const supply = ALLOCATION[String(v.supply)][lang]
      const deposit = v.depositPercent as number | undefined
      const what = zh ? `新增用地${supply}` : `new land: ${supply}`
      if (deposit === undefined) return what
      return zh
        ? `${what}，履约保证金为地价的${deposit}%`
        : `${what}; deposit ${deposit}% of the land price`
    }
    case 'energy_quota':
      return zh
        ? `年度用能指标${pct(v.changePercent as number)}`
        : `annual energy-use quota ${pct(v.changePercent as number)}`
    case 'power_rationing':
      return zh
        ? `有序用电第${v.group}序位（第1序位最先限电）`
        : `orderly power use group ${v.group} (group 1 is limited first)`
    case 'emission_permit':
      return zh
        ? `新增排污权${ALLOCATION[String(v.allocation)].zh}`
        : `new emission permits: ${ALLOCATION[String(v.allocation)].en}`
    case 'credit':
      return zh
        ? `信贷${GUIDANCE[String(v.guidance)].zh}`
        : `credit ${GUIDANCE[String(v.guidance)].en}`
    case 'land_use_tax':
      return zh
        ? `城镇土地使用税减免${v.reliefPercent}%`
        : `${v.reliefPercent}% of the urban land-use tax relieved`
    case 'award':
      return v.eligible
        ? zh
          ? '可申报奖励和扶持资金'
          : 'may apply for awards and subsidies'
        : zh
          ? '不得申报奖励和扶持资金'
          : 'may not apply for awards and subsidies'
  }
}

/** The columns a department's list of a kind of measure carries after the firm's identity and class. */
export function valueColumns(
  kind: MeasureKind,
): { head: string; cell: (v: MeasureValue) => string | number }[] {
  const f = (v: MeasureValue) => v as Record<string, unknown>
  switch (kind) {
    case 'land':
      return [
        { head: '新增用地', cell: (v) => ALLOCATION[String(f(v).supply)].zh },
        {
          head: '履约保证金比例（%）',
          cell: (v) => (f(v).depositPercent as number | undefined) ?? '',
        },
      ]
    case 'energy_quota':
      return [{ head: '用能指标调整（%）', cell: (v) => f(v).changePercent as number }]
    case 'power_rationing':
      return [{ head: '有序用电序位（1为最先限电）', cell: (v) => f(v).group as number }]
    case 'emission_permit':
      return [{ head: '新增排污权', cell: (v) => ALLOCATION[String(f(v).allocation)].zh }]
    case 'credit':
      return [{ head: '信贷指导', cell: (v) => GUIDANCE[String(f(v).guidance)].zh }]
    case 'land_use_tax':
      return [{ head: '城镇土地使用税减免比例（%）', cell: (v) => f(v).reliefPercent as number }]
    case 'award':
      return [{ head: '可申报奖励和扶持资金', cell: (v) => (f(v).eligible ? '是' : '否') }]
  }
}
