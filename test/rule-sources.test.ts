// The shipped Ningbo rules against their sources (issue "The evaluation as Zhejiang runs it", defects in the
// rulebook): an item starts no earlier than the source it cites, and each cites the source the evidence names.
import { describe, expect, it } from 'vitest'
import { rate } from '../src/rating/rate.ts'
import { resolve } from '../src/rulebook/resolve.ts'
import { countiesOn } from '../src/rulebook/schema.ts'
import { caseOneFirms } from './support/population.ts'
import { ningbo } from './support/rulebook.ts'

const rb = ningbo()
const HAISHU = '330203'

describe('rule items are dated from their sources', () => {
  it('no item starts before the year of the document it cites (〔YYYY〕 in its number)', () => {
    const early: string[] = []
    for (const [section, items] of Object.entries(rb.sections))
      for (const x of items as { id: string; from: string; source: { document: string } }[]) {
        const year = /〔(\d{4})〕/.exec(x.source.document)?.[1]
        if (year && x.from < `${year}-01-01`)
          early.push(`${section} ${x.id} from ${x.from} cites ${x.source.document}`)
      }
    expect(early).toEqual([])
  })

  it('water, gas and stacking start with their sources of 2017–2025, not in 2010 or 2016', () => {
    const from = (section: 'surcharges' | 'stacking', id: string) =>
      rb.sections[section].filter((x) => x.id === id).map((x) => x.from)
    // 浙政发〔2018〕5号, public by 2018-01-28 (Xinhua's repost).
    expect(from('surcharges', 'class_water')).toEqual(['2018-01-28'])
    expect(from('stacking', 'water_stacking')).toEqual(['2018-01-28'])
    expect(from('stacking', 'gas_stacking')).toEqual(['2018-01-28'])
    // 发改价格〔2017〕1792号, its day in 2017 not found.
    expect(from('surcharges', 'water_above_quota')).toEqual(['2018-01-01'])
    // Qingdao under 鲁发改价格〔2022〕56号 (2022-03-03).
    expect(from('surcharges', 'class_gas')).toEqual(['2022-03-03'])
    // Haining's draft of 2025, with the class rates that cite it.
    expect(from('stacking', 'electricity_stacking')).toEqual(['2025-07-01'])
    // No water or gas surcharge is charged in 2017.
    const in2017 = resolve(rb, HAISHU, '2017-06-01').sections.surcharges
    expect(in2017.filter((s) => s.resource === 'water' || s.resource === 'gas')).toEqual([])
  })

  it('unfixable non-compliance forces D from 浙转升办〔2015〕13号 of 2015-05-26, not from the seed plan', () => {
    const veto = (date: string) =>
      resolve(rb, HAISHU, date).sections.vetoes.find((v) => v.id === 'unfixable_noncompliance')
    expect(veto('2015-05-25')).toBeUndefined()
    expect(veto('2015-05-26')).toMatchObject({
      effect: 'force',
      class: 'D',
      source: { document: '浙转升办〔2015〕13号', url: 'crsrw.com/qiyezixun/85342.html' },
    })
  })

  it("the 7-day notice cites Haishu's published notice, a Ningbo source", () => {
    const p = rb.meta.publication
    expect(p.noticeDays).toBe(7)
    expect(p.source).toMatchObject({ url: 'chacewang.com/newsdetail/news851641.html' })
    expect(p.source?.document).toContain('海经信〔2025〕2号')
    expect(p.note).not.toMatch(/not found\./)
  })
})

describe('the counties over time (codes of 2017 were used from 2015)', () => {
  const statusOf = (county: string, year: number) => {
    const r = rate(caseOneFirms(county), rb, year)
    return [...new Set(r.map((x) => x.status))].join(',')
  }

  it('rates 江东区 (330204) and 奉化市 (330283) to 2016 and 奉化区 (330213) from 2017', () => {
    expect([2015, 2016, 2017].map((y) => statusOf('330204', y))).toEqual([
      'rated',
      'rated',
      'invalid',
    ])
    expect([2015, 2016, 2017].map((y) => statusOf('330283', y))).toEqual([
      'rated',
      'rated',
      'invalid',
    ])
    expect([2015, 2016, 2017].map((y) => statusOf('330213', y))).toEqual([
      'invalid',
      'invalid',
      'rated',
    ])
    // Counties that never changed their code are rated every year.
    expect([2015, 2017, 2024].map((y) => statusOf('330212', y))).toEqual([
      'rated',
      'rated',
      'rated',
    ])
  })

  it('says which county a code was, and when', () => {
    const [r] = rate(caseOneFirms('330283').slice(0, 1), rb, 2017)
    expect(r.problems).toEqual([
      "county '330283' (奉化市) was a county of 宁波市 only until 2017-01-01, not on 2017-12-31 (on 2017-12-31: 330213 奉化区)",
    ])
    const [early] = rate(caseOneFirms('330213').slice(0, 1), rb, 2015)
    expect(early.problems).toEqual([
      "county '330213' (奉化区) was a county of 宁波市 only from 2017-01-01, not on 2015-12-31 (on 2015-12-31: 330283 奉化市)",
    ])
  })

  it('offers only the counties of today where a county is chosen now', () => {
    const today = countiesOn(rb.meta.counties, '2026-12-03').map((c) => c.code)
    expect(today).toHaveLength(10)
    expect(today).not.toContain('330204')
    expect(today).not.toContain('330283')
    expect(countiesOn(rb.meta.counties, '2016-06-30').map((c) => c.code)).toEqual(
      expect.arrayContaining(['330204', '330283']),
    )
    expect(countiesOn(rb.meta.counties, '2016-06-30').map((c) => c.code)).not.toContain('330213')
  })
})
