/** How the pages write money, numbers and times (web/kit/format). */
import { createRequire } from 'node:module'
import type * as Echarts from 'echarts'
import { describe, expect, it } from 'vitest'
import { chartSvg } from '../../src/web/kit/charts.ts'
import { beijing, grouped, pct, yuan } from '../../src/web/kit/format.ts'
import { rankWords } from '../../src/web/rank-words.ts'

describe('page formats', () => {
  it('an instant is written in Beijing time once: a time already converted is not moved again', () => {
    expect(beijing('2026-12-03T17:14:00.000Z')).toBe('2026-12-04 01:14')
    expect(beijing('2026-12-04T01:14:00+08:00')).toBe('2026-12-04 01:14')
    // The evaluation page showed a run made at 01:14 as 09:14 in one place: the converted text converted again.
    expect(beijing(beijing('2026-12-03T17:14:00.000Z'))).toBe('2026-12-04 01:14')
    expect(beijing(undefined)).toBe('—')
  })

  it('money is grouped as text, to the fen, never through a float', () => {
    expect(yuan('60000000', 'zh')).toBe('60,000,000.00 元')
    expect(yuan('60000000.5', 'en')).toBe('¥60,000,000.50')
    expect(yuan(-123456789n, 'zh')).toBe('-1,234,567.89 元')
    // 2^53 + 1 fen: a float would lose the last fen.
    expect(yuan(9007199254740993n, 'zh')).toBe('90,071,992,547,409.93 元')
    expect(yuan('90071992547409.93', 'zh')).toBe('90,071,992,547,409.93 元')
    expect(grouped('-1234.5678')).toBe('-1,234.5678')
  })

  it('a share is a percentage', () => {
    expect(pct(0.3411)).toBe('34.1%')
    expect(pct(Number.NaN)).toBe('—')
  })
})

describe('units in English', () => {
  it('every unit the shipped rulebook writes has English words on English pages', async () => {
    const { readdirSync, readFileSync } = await import('node:fs')
    const { unitLabel } = await import('../../src/web/kit/labels.ts')
    const dir = new URL('../../rules/ningbo/', import.meta.url)
    const units = new Set<string>()
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.yaml')))
      for (const m of readFileSync(new URL(f, dir), 'utf8').matchAll(/\bunit: "?([^,}"\n]+)"?/g))
        units.add(m[1].trim())
    expect(units.size).toBeGreaterThan(5)
    const untranslated = [...units].filter((u) => /[\u4e00-\u9fff]/.test(unitLabel('en', u)))
    expect(untranslated).toEqual([])
    expect(unitLabel('en', '万元/亩')).toBe('10k yuan/mu')
    expect(unitLabel('zh', '万元/亩')).toBe('万元/亩')
  })
})

describe('ranks and charts as people read them', () => {
  it('rank 152 of 158 is said from the bottom (it read "位于同组前 97%")', () => {
    // 158 − 152 + 1 = 7 firms at or below it; 7 ÷ 158 = 4.4% → 4%.
    expect(rankWords('zh', 152, 158)).toBe('组内第 152 名 / 共 158 名，位于后 4%')
    // 3 ÷ 158 = 1.9% → 2%.
    expect(rankWords('zh', 3, 158)).toBe('组内第 3 名 / 共 158 名，位于前 2%')
    expect(rankWords('en', 152, 158)).toBe('rank 152 of 158 in the group, in the bottom 4%')
  })

  it('a chart carries its legend, its axis name with the unit and its title (charts had no legend or ticks)', () => {
    const svg = chartSvg({
      title: '各县类别分布',
      categories: ['慈溪市', '余姚市'],
      series: [
        { name: 'A 类', data: [3, 4], stack: 'c' },
        { name: 'D 类', data: [1, 2], stack: 'c' },
      ],
      valueAxis: '企业数（家）',
      horizontal: true,
    })
    for (const text of ['A 类', 'D 类', '企业数（家）', '慈溪市', '余姚市'])
      expect(svg).toContain(text)
    expect(svg).toContain('aria-label="各县类别分布"')
  })

  it("the charts' single-file build, which the pages load, draws what the module entry draws", async () => {
    const single = createRequire(import.meta.url)('echarts') as typeof Echarts
    const modular = await import('echarts')
    expect(single).not.toBe(modular)
    const draw = (lib: typeof Echarts) => {
      const chart = lib.init(null, null, { renderer: 'svg', ssr: true, width: 500, height: 300 })
      chart.setOption({
        animation: false,
        legend: { top: 0 },
        xAxis: {
          type: 'value',
          name: '企业数（家）',
          axisLabel: { formatter: (v: number) => `${v}` },
        },
        yAxis: { type: 'category', data: ['慈溪市', '余姚市'] },
        series: [
          { type: 'bar', name: 'A 类', stack: 'c', data: [3, 4] },
          { type: 'bar', name: 'D 类', stack: 'c', data: [1, 2] },
          { type: 'line', name: '趋势', data: [2.5, 3.25] },
        ],
      })
      // Ids and class names are numbered by counters of the library instance, which differ between the two: each is
      // renamed by the order it first appears in.
      const names = new Map<string, string>()
      const svg = chart.renderToSVGString().replace(/zr\d+-[a-z-]*\d+/g, (id) => {
        if (!names.has(id)) names.set(id, `id${names.size}`)
        return names.get(id) as string
      })
      chart.dispose()
      return svg
    }
    const svg = draw(single)
    expect(svg).toContain('企业数（家）')
    expect(svg).toBe(draw(modular))
  })
})
