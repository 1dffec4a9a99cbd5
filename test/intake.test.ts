import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RulebookService } from '../src/app/rulebooks.ts'
import { runCli } from '../src/cli/main.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { toCsv } from '../src/enterprise/csv.ts'
import { EVALUATING_OFFICE } from '../src/enterprise/intake.ts'
import { createTestApp, principalOf, type TestApp } from './support/app.ts'
import { encodeGbk } from './support/gbk.ts'
import { ningboTexts } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

const YEAR = 2024

/** Each department's CSV of the year's stored figures: its own columns only, by credit code. */
function departmentCsvs(t: TestApp) {
  const rb = t.services.rulebooks.active().rulebook
  const population = t.store.population(YEAR)
  return t.services.intake.departments().map((d, i) => {
    // Half the files with Chinese headers (the labels), half with input ids.
    const chinese = d.id === 'tax' || i % 2 === 0
    const header = [
      chinese ? '统一社会信用代码' : 'credit_code',
      chinese ? '企业名称' : 'name',
      ...d.inputs.map((x) => (chinese ? rb.inputById.get(x.id)!.label : x.id)),
    ]
    const rows = population.map((e) => [
      e.creditCode,
      e.name,
      ...d.inputs.map((x) => {
        const v = e.figures[x.id]
        return v === undefined
          ? ''
          : typeof v === 'boolean'
            ? chinese
              ? v
                ? '是'
                : '否'
              : String(v)
            : v
      }),
    ])
    return { department: d.id, csv: toCsv(header, rows), chinese }
  })
}

/** A principal for each department (a department token scoped to it; the economy office for its own inputs). */
function submitter(t: TestApp, department: string) {
  if (department === EVALUATING_OFFICE) return principalOf(t, t.tokens.economy)
  const { token } = t.store.createToken('department', department, `test ${department}`, {
    by: 'test',
  })
  return principalOf(t, token)
}

/** The year's firms as rated in a run: status, class and score by credit code. */
function outcome(t: TestApp, runId: number) {
  return new Map(
    t.store
      .runResults(runId)
      .map((r) => [r.creditCode, { status: r.status, class: r.class, score: r.score }]),
  )
}

/** Submits the demo year department by department (the tax office's file in GBK), after wiping the year's figures. */
function intakeByDepartment(t: TestApp) {
  const files = departmentCsvs(t)
  t.store.db.$client.prepare('DELETE FROM figures WHERE year = ?').run(YEAR)
  for (const f of files) {
    const bytes =
      f.department === 'tax' ? encodeGbk(f.csv.slice(1)) : new TextEncoder().encode(f.csv)
    const r = t.services.intake.submitCsv(submitter(t, f.department), f.department, YEAR, bytes)
    expect(r.encoding).toBe(f.department === 'tax' ? 'gbk' : 'utf-8')
  }
}

describe('figures by department', () => {
  it('a department-by-department intake of the demo year reproduces the single-CSV result exactly', () => {
    const t = createTestApp({ size: 300, clockStart: '2026-03-01T02:00:00Z' })
    const economy = principalOf(t, t.tokens.economy)
    const single = t.store.publishedRun(YEAR)!.id
    const expected = outcome(t, single)
    intakeByDepartment(t)
    expect(t.store.population(YEAR)).toHaveLength(0)
    // Rating before the land areas were published for objection is refused.
    expect(() => t.services.evaluations.run(economy, YEAR)).toThrow(/publish the land areas/)
    t.services.intake.publishLand(economy, YEAR)
    expect(() => t.services.evaluations.run(economy, YEAR)).toThrow(/open to objection until/)
    t.advanceDays(8)
    const run = t.services.evaluations.run(economy, YEAR)
    expect(run.intake).toMatchObject({ firms: expected.size, deemed: expected.size, disputed: 0 })
    const got = outcome(t, run.id)
    expect(got.size).toBe(expected.size)
    for (const [code, e] of expected) expect(got.get(code), code).toEqual(e)
    // Every figure rated names its source: the department, its submitter and its version.
    for (const r of t.store.runResults(run.id)) {
      const lineage = t.services.intake.lineage(r.creditCode, YEAR, r.figuresVersion!)
      expect(lineage?.sheet).toBe('deemed')
      const land = lineage!.sources.find((s) => s.input === 'land_mu')!
      expect(land).toMatchObject({ department: 'natural_resources', version: 1 })
      expect(land.submittedBy).toContain('natural_resources')
    }
  })

  it('a disputed land area changes the firm result only after the dispute is resolved', () => {
    const t = createTestApp({ size: 120, clockStart: '2026-03-01T02:00:00Z' })
    const economy = principalOf(t, t.tokens.economy)
    const firm = principalOf(t, t.tokens.enterprise)
    const code = t.tokens.creditCode
    const expected = outcome(t, t.store.publishedRun(YEAR)!.id).get(code)!
    expect(expected.status).toBe('rated')
    intakeByDepartment(t)
    t.services.intake.publishLand(economy, YEAR)
    const sheet = t.services.intake.sheet(firm, code, YEAR)
    const land = sheet.figures.find((f) => f.input === 'land_mu')!
    expect(land.department).toBe('natural_resources')
    const claimed = String((land.value as number) * 4)
    const dispute = t.services.intake.dispute(firm, code, YEAR, {
      input: 'land_mu',
      claimed,
      reason: '不动产权证记载的用地面积为申报面积的四倍',
    })
    expect(t.services.intake.sheet(firm, code, YEAR).standing).toBe('disputed')
    t.advanceDays(8)
    // Disputed: rated on the published area, the same as before.
    const during = t.services.evaluations.run(economy, YEAR)
    expect(during.intake?.disputed).toBe(1)
    expect(outcome(t, during.id).get(code)).toEqual(expected)
    // Another firm cannot dispute after the window.
    expect(() =>
      t.services.intake.dispute(firm, code, YEAR, {
        input: 'tax',
        claimed: '1',
        reason: '税额有误请核实',
      }),
    ).toThrow(/objection window/)
    t.services.intake.resolve(economy, dispute.id, { upheld: true, reason: '经核实不动产权证' })
    const after = t.services.evaluations.run(economy, YEAR)
    const changed = outcome(t, after.id).get(code)!
    expect(changed.score).not.toBe(expected.score)
    expect(changed.score!).toBeLessThan(expected.score!)
    const sources = t.services.intake.lineage(
      code,
      YEAR,
      t.store.runResult(after.id, code)!.figuresVersion!,
    )
    expect(sources?.sources.find((s) => s.input === 'land_mu')).toMatchObject({
      department: 'natural_resources',
      version: 2,
      note: `dispute ${dispute.id}`,
    })
    expect(t.store.runResult(after.id, code)).toBeDefined()
    expect(
      t.store.figuresAt(code, YEAR, t.store.runResult(after.id, code)!.figuresVersion!)?.land_mu,
    ).toBe(Number(claimed))
  })

  it('a department submits only its own columns, and a new value is a new version', () => {
    const t = createTestApp({ size: 30, clockStart: '2026-03-01T02:00:00Z' })
    const power = principalOf(t, t.tokens.department)
    const code = t.tokens.creditCode
    const csv = (v: number) => new TextEncoder().encode(`统一社会信用代码,年用电量\n${code},${v}\n`)
    expect(t.services.intake.submitCsv(power, 'power_supply', YEAR, csv(1000))).toMatchObject({
      versions: 1,
    })
    expect(t.services.intake.submitCsv(power, 'power_supply', YEAR, csv(1000))).toMatchObject({
      versions: 0,
      unchanged: 1,
    })
    expect(t.services.intake.submitCsv(power, 'power_supply', YEAR, csv(2000))).toMatchObject({
      versions: 1,
    })
    const subs = t.store.intake.submissions(YEAR, code)
    expect(subs.map((s) => [s.value, s.version, s.department])).toEqual([
      [1000, 1, 'power_supply'],
      [2000, 2, 'power_supply'],
    ])
    expect(() =>
      t.services.intake.submitCsv(
        power,
        'power_supply',
        YEAR,
        new TextEncoder().encode(`credit_code,tax\n${code},1\n`),
      ),
    ).toThrow(/supplied by tax, not power_supply/)
    expect(() => t.services.intake.submitCsv(power, 'tax', YEAR, csv(1))).toThrow(/scoped/)
    const report = t.services.intake.completeness(principalOf(t, t.tokens.economy), YEAR)
    const cixi = report.counties.find((c) => c.county === t.tokens.countyCode)!
    const mine = cixi.missing.find((m) => m.creditCode === code)!
    expect(mine.inputs.map((i) => i.input)).toContain('land_mu')
    expect(mine.inputs.map((i) => i.input)).not.toContain('electricity_kwh')
  })
})

describe('mujun figures', () => {
  it('submits a department’s columns, reports completeness, publishes land areas and shows a sheet', async () => {
    const db = join(tempDir('figures'), 'm.db')
    new RulebookService(new Store(createDb(db))).loadInitial(ningboTexts(), 'test')
    const logs: string[] = []
    const io = { out: (s: string) => logs.push(s), err: (s: string) => logs.push(s) }
    const fixture = new URL('./fixtures/firms-gbk.csv', import.meta.url).pathname
    expect(await runCli(['import', fixture, '--year', '2024', '--db', db], io)).toBe(0)
    const dir = tempDir('figures-csv')
    const land = join(dir, 'land.csv')
    writeFileSync(land, encodeGbk('统一社会信用代码,用地面积\n91330205MA20000019,11\n'))
    expect(
      await runCli(
        [
          'figures',
          'submit',
          land,
          '--department',
          'natural_resources',
          '--year',
          '2025',
          '--db',
          db,
        ],
        io,
      ),
    ).toBe(0)
    expect(logs.at(-1)).toBe(
      'natural_resources 2025 (gbk): 1 firms, land_mu; 1 new version(s), 0 unchanged',
    )
    expect(await runCli(['figures', 'completeness', '--year', '2025', '--db', db], io)).toBe(0)
    expect(logs.join('\n')).toContain('330205 江北区: 0/3 complete')
    expect(logs.join('\n')).toMatch(
      /91330205MA20000019 宁波甲机械有限公司: lacks tax \(tax\), revenue \(statistics\)/,
    )
    expect(await runCli(['figures', 'publish-land', '--year', '2025', '--db', db], io)).toBe(0)
    expect(logs.at(-1)).toMatch(
      /^land areas of 2025 published on \d{4}-\d\d-\d\d; objections until /,
    )
    expect(
      await runCli(['figures', 'sheet', '91330205MA20000019', '--year', '2025', '--db', db], io),
    ).toBe(0)
    expect(logs.at(-1)).toMatch(/^ {2}land_mu\t11\tnatural_resources v1\t/)
    // Land areas can no longer be submitted once published.
    expect(
      await runCli(
        [
          'figures',
          'submit',
          land,
          '--department',
          'natural_resources',
          '--year',
          '2025',
          '--db',
          db,
        ],
        io,
      ),
    ).not.toBe(0)
  })
})
