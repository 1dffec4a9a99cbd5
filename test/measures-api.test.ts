/**
 * Measures through the API and the command line, over the demo population: for every class present on the day, a
 * firm's measures are exactly what rules/ningbo/measures.yaml lists for that class (read here from the file itself,
 * not through the compiler), and a department's list holds the firms of the classes the measure names, as CSV with
 * Chinese headers and as NDJSON.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { runCli } from '../src/cli/main.ts'
import { parseCsv } from '../src/enterprise/csv.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { tempDir } from './support/tmp.ts'

interface FileMeasure {
  id: string
  from: string
  to?: string
  sectors?: string[]
  values: ({ class: string } & Record<string, unknown>)[]
}
const FILE = parse(
  readFileSync(new URL('../rules/ningbo/measures.yaml', import.meta.url), 'utf8'),
) as { measures: FileMeasure[] }
const DATE = '2025-08-01'

/** What the file says a class gets on `date` (no sector limits and no county measures in the shipped files). */
function expected(cls: string, date: string) {
  return FILE.measures
    .filter((m) => m.from <= date && (m.to === undefined || date < m.to) && !m.sectors)
    .flatMap((m) => {
      const v = m.values.find((x) => x.class === cls)
      if (!v) return []
      const { class: _c, ...value } = v
      return [{ id: m.id, value }]
    })
}

let t: TestApp
/** One demo firm of each class binding on DATE, and every firm's class. */
const byClass = new Map<string, string>()
const classOf = new Map<string, string | null>()
beforeAll(async () => {
  t = createTestApp({ size: 200 })
  const { rows } = t.store.listEnterprises({ limit: 1000, offset: 0 })
  for (const e of rows) {
    const res = await call(t.app, 'GET', `/v1/enterprises/${e.creditCode}/tier?date=${DATE}`, {
      token: t.tokens.bureau,
    })
    const cls = ((await res.json()) as { class: string | null }).class
    classOf.set(e.creditCode, cls)
    if (cls && !byClass.has(cls)) byClass.set(cls, e.creditCode)
  }
})

describe('a firm’s measures', () => {
  it('the demo has firms of several classes on the day', () => {
    expect([...byClass.keys()].sort()).toEqual(expect.arrayContaining(['A', 'B', 'C', 'D']))
  })

  it('match the rule file for every class present in the demo population', async () => {
    for (const [cls, code] of byClass) {
      const res = await call(t.app, 'GET', `/v1/enterprises/${code}/measures?date=${DATE}`, {
        token: t.tokens.utility,
      })
      expect(res.status).toBe(200)
      const body = (await res.json()) as {
        class: string
        measures: { id: string; value: unknown; source: { document: string }; assumed: boolean }[]
        trace: string[]
      }
      expect(body.class, code).toBe(cls)
      expect(
        body.measures.map((m) => ({ id: m.id, value: m.value })),
        `class ${cls}`,
      ).toEqual(expected(cls, DATE))
      expect(body.measures.every((m) => m.source.document.length > 0 && m.assumed)).toBe(true)
      expect(body.trace.length).toBe(FILE.measures.filter((m) => m.from <= DATE).length)
    }
  })

  it('are the same from the command line, and so is a list', async () => {
    const dir = tempDir('measures')
    const db = join(dir, 'm.db')
    const f = createTestApp({ size: 60, path: db })
    // The demo enterprise is a 慈溪 firm rated D (or C) in 2024.
    const firm = { creditCode: f.tokens.creditCode }
    f.store.db.$client.close()
    const out: string[] = []
    const io = { out: (s: string) => out.push(s), err: (s: string) => out.push(s) }
    expect(
      await runCli(
        ['measures', '--code', firm.creditCode, '--date', DATE, '--db', db, '--format', 'json'],
        io,
      ),
    ).toBe(0)
    const json = JSON.parse(out.join('\n')) as {
      class: string
      measures: { id: string; value: unknown }[]
    }
    expect(['C', 'D']).toContain(json.class)
    expect(json.measures.map((m) => ({ id: m.id, value: m.value }))).toEqual(
      expected(json.class, DATE),
    )
    out.length = 0
    expect(
      await runCli(['measures', '--code', firm.creditCode, '--date', DATE, '--db', db], io),
    ).toBe(0)
    expect(out[0]).toContain(`class ${json.class}`)
    expect(out.join('\n')).toContain(
      `orderly_power_use [power_supply] orderly power use group ${json.class === 'D' ? 1 : 2}`,
    )
    out.length = 0
    const file = join(dir, 'rationing.csv')
    expect(
      await runCli(
        ['measures', '--list', 'orderly_power_use', '--date', DATE, '--db', db, '--out', file],
        io,
      ),
    ).toBe(0)
    expect(readFileSync(file, 'utf8')).toContain('有序用电序位')
    expect(readFileSync(file, 'utf8')).toContain(firm.creditCode)
    expect(await runCli(['measures', '--date', DATE, '--db', db], io)).toBe(2)
  })
})

describe('a department’s list', () => {
  it('holds every firm of the classes the measure names, in rationing order, as CSV and NDJSON', async () => {
    const csv = await call(
      t.app,
      'GET',
      `/v1/measures/orderly_power_use/firms?date=${DATE}&format=csv`,
      { token: t.tokens.department },
    )
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const rows = parseCsv((await csv.text()).replace(/^\ufeff/, ''))
    expect(rows[0]).toEqual([
      '序号',
      '统一社会信用代码',
      '企业名称',
      '县（市、区）代码',
      '亩均评价类别',
      '有序用电序位（1为最先限电）',
    ])
    const body = rows.slice(1).filter((r) => r.length > 1)
    const rated = [...classOf.values()].filter((c) => c !== null).length
    // Every class has a rationing group, so every firm with a class is on the list (the demo closes none by then).
    expect(body.length).toBeGreaterThan(0)
    expect(body.length).toBeLessThanOrEqual(rated)
    const groups = body.map((r) => Number(r[5]))
    expect(groups).toEqual([...groups].sort((a, b) => a - b))
    const group = { D: 1, C: 2, B: 3, T: 3, A: 4 } as Record<string, number>
    for (const r of body) {
      expect(classOf.get(r[1])).toBe(r[4])
      expect(Number(r[5])).toBe(group[r[4]])
    }
    const nd = await call(
      t.app,
      'GET',
      `/v1/measures/orderly_power_use/firms?date=${DATE}&format=ndjson`,
      { token: t.tokens.department },
    )
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines.map((l) => l.creditCode)).toEqual(body.map((r) => r[1]))
  })

  it('the tax office’s relief list holds only A and B firms', async () => {
    const res = await call(t.app, 'GET', `/v1/measures/land_use_tax_relief/firms?date=${DATE}`, {
      token: t.tokens.bureau,
    })
    const body = (await res.json()) as {
      count: number
      firms: { creditCode: string; class: string }[]
    }
    const ab = [...classOf.entries()].filter(([, c]) => c === 'A' || c === 'B').map(([k]) => k)
    expect(body.firms.map((f) => f.creditCode).sort()).toEqual(ab.sort())
    expect(body.count).toBe(ab.length)
  })
})

describe('department tokens', () => {
  it('are made for a department of the rulebook, and refused without one or with another scope', () => {
    const bureau = t.services.tokens.principal(t.tokens.bureau)
    const made = t.services.tokens.create(bureau, {
      role: 'department',
      department: 'tax',
      label: '税务局土地使用税科',
    })
    expect(made.scope).toBe('tax')
    expect(t.services.tokens.principal(made.token)).toMatchObject({
      role: 'department',
      scope: 'tax',
    })
    expect(() => t.services.tokens.create(bureau, { role: 'department', label: 'x' })).toThrow(
      /a department token needs --department, one of natural_resources/,
    )
    expect(() =>
      t.services.tokens.create(bureau, { role: 'department', department: 'taxes', label: 'x' }),
    ).toThrow(/needs --department/)
    expect(() =>
      t.services.tokens.create(bureau, {
        role: 'department',
        department: 'tax',
        county: '330282',
        label: 'x',
      }),
    ).toThrow(/takes no county/)
    expect(() =>
      t.services.tokens.create(bureau, { role: 'utility', department: 'tax', label: 'x' }),
    ).toThrow(/takes no department/)
  })

  it('are made from the command line with --department', async () => {
    const dir = tempDir('dept')
    const db = join(dir, 'd.db')
    createTestApp({ size: 20, path: db }).store.db.$client.close()
    const out: string[] = []
    const err: string[] = []
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }
    expect(
      await runCli(
        [
          'tokens',
          'create',
          '--role',
          'department',
          '--department',
          'natural_resources',
          '--db',
          db,
        ],
        io,
      ),
    ).toBe(0)
    expect(err.join('\n')).toContain('for department natural_resources')
    expect(await runCli(['tokens', 'create', '--role', 'department', '--db', db], io)).toBe(1)
  })
})
