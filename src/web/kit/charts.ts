/**
 * Charts drawn by Apache ECharts on the server as SVG: every chart has a legend, named axes with units and
 * readable labels. No script runs in the browser for them; the SVG carries a <title> per mark for a tooltip.
 * @module web/kit/charts
 */
import { createRequire } from 'node:module'
import type * as Echarts from 'echarts'

// Loaded when the first chart is drawn, as the library's single-file build: its module entry is some six hundred files
// with zrender's, each passed through the TypeScript loader at start-up (about 1.5 s of every process start, against
// 0.3–0.4 s for this build, once, and nothing for a process that draws no chart: an API worker, the CLI, a job
// thread; `npm run bench:startup`). Both draw the same SVG (test/workbench/format.test.ts).
let library: typeof Echarts | undefined
const echarts = () => {
  library ??= createRequire(import.meta.url)('echarts') as typeof Echarts
  return library
}

export interface Series {
  name: string
  data: number[]
  /** Stack name: series with the same one are drawn stacked. */
  stack?: string
  color?: string
}

export interface ChartSpec {
  /** Category labels along the category axis. */
  categories: string[]
  series: Series[]
  /** The value axis's name with its unit, e.g. "万元" or "家". */
  valueAxis: string
  categoryAxis?: string
  kind?: 'bar' | 'line'
  /** Bars run left to right (long category names read better this way). */
  horizontal?: boolean
  /** Values are shares 0..1, drawn as percentages. */
  percent?: boolean
  width?: number
  height?: number
  /** The chart's accessible title. */
  title: string
  /** Values are counts: the value axis ticks whole numbers only. */
  integers?: boolean
}

const PALETTE = ['#2f6fbd', '#e08a00', '#1a7f37', '#c62828', '#7b4fb8', '#4a9aa8', '#8a8a8a']

/** An SVG chart for `spec`: legend on top, axes named with units, value labels formatted. */
export function chartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 760
  const height =
    spec.height ?? Math.max(260, spec.horizontal ? 60 + spec.categories.length * 28 : 300)
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height })
  const fmt = (v: number) =>
    spec.percent
      ? `${Math.round(v * 1000) / 10}%`
      : v.toLocaleString('en-US', { maximumFractionDigits: 2 })
  const category = {
    type: 'category' as const,
    data: spec.categories,
    name: spec.categoryAxis,
    axisLabel: { interval: 0, width: spec.horizontal ? 150 : 90, overflow: 'truncate' as const },
  }
  const value = {
    type: 'value' as const,
    name: spec.valueAxis,
    nameLocation: 'end' as const,
    axisLabel: { formatter: fmt },
    max: spec.percent ? 1 : undefined,
    minInterval: spec.integers ? 1 : undefined,
  }
  chart.setOption({
    animation: false,
    color: PALETTE,
    textStyle: { fontFamily: 'Noto Sans CJK SC, WenQuanYi Zen Hei, sans-serif', fontSize: 12 },
    title: { show: false, text: spec.title },
    legend: { top: 0, data: spec.series.map((s) => s.name) },
    grid: {
      left: spec.horizontal ? 160 : 70,
      // Room for the value label at the end of the longest bar.
      right: spec.horizontal ? 120 : 40,
      top: 44,
      bottom: 50,
      containLabel: false,
    },
    xAxis: spec.horizontal ? value : category,
    yAxis: spec.horizontal ? category : value,
    series: spec.series.map((s) => ({
      name: s.name,
      type: spec.kind ?? 'bar',
      stack: s.stack,
      data: s.data,
      itemStyle: s.color ? { color: s.color } : undefined,
      label: {
        show: !s.stack && spec.series.length <= 2 && spec.categories.length <= 16,
        position: spec.horizontal ? 'right' : 'top',
        formatter: (p: { value: number }) => fmt(p.value),
      },
    })),
  })
  const svg = chart.renderToSVGString()
  chart.dispose()
  return svg.replace('<svg ', `<svg role="img" aria-label="${escapeAttr(spec.title)}" `)
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}
