/** @jsxImportSource hono/jsx */
/**
 * An indicator's benchmark as a result page shows it: under min–max scoring (`peer: min-max`) the trace's
 * benchmark is the peers' minimum, and it is labelled so, not as a 基准值.
 * @module web/benchmark-cell
 */
import type { Lang } from './i18n.ts'
import { num } from './kit/format.ts'
import { unitLabel } from './kit/labels.ts'

type Traced = { benchmark: number; benchmarkKind: string; unit: string }

const minMax = (i: Traced) => i.benchmarkKind.startsWith('min-max')

/** The column's heading: 基准值, the peers' minimum when every item is min–max, or both when mixed. */
export function benchmarkHead(lang: Lang, items: readonly Traced[]): string {
  const n = items.filter(minMax).length
  const zh = lang === 'zh'
  if (n === 0) return zh ? '基准值' : 'Benchmark'
  if (n === items.length) return zh ? '同组最小值' : 'Peers’ minimum'
  return zh ? '基准值／同组最小值' : 'Benchmark / peers’ minimum'
}

/** One item's benchmark with its unit; a min–max item's is said to be the peers' minimum. */
export function BenchmarkCell(props: { lang: Lang; item: Traced }) {
  const { lang, item } = props
  const value = `${num(item.benchmark, 2)} ${unitLabel(lang, item.unit)}`
  if (!minMax(item)) return <>{value}</>
  return (
    <span data-benchmark="peer-min">
      {lang === 'zh' ? '同组最小值' : 'peers’ minimum'} {value}
    </span>
  )
}

/** Under the table when an item is min–max: how its points follow from the peers' minimum and maximum. */
export function MinMaxHint(props: { lang: Lang; items: readonly Traced[] }) {
  if (!props.items.some(minMax)) return null
  return (
    <p class="hint" data-hint="min-max">
      {props.lang === 'zh'
        ? '最小–最大法：该指标得分按本企业数值在同组最小值与最大值之间的位置计算。'
        : 'Min–max scoring: the item’s points follow from where your value lies between the peers’ minimum and maximum.'}
    </p>
  )
}
