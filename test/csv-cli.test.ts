import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { RulebookService } from '../src/app/rulebooks.ts'
import { runCli } from '../src/cli/main.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { decodeCsvBytes, parseEnterprisesCsv } from '../src/enterprise/csv.ts'
import { ningbo, ningboTexts } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname
const rb = ningbo()

describe('CSV in', () => {
  it('reads a GBK file with Chinese headers (as Excel on a Chinese Windows saves it)', () => {
    const { text, encoding } = decodeCsvBytes(readFileSync(fixture('firms-gbk.csv')))
    expect(encoding).toBe('gbk')
    const parsed = parseEnterprisesCsv(text, rb)
    expect(parsed.problems).toEqual([])
    expect(
      parsed.enterprises.map((e) => [e.name, e.county, e.figures.land_mu, e.figures.above_scale]),
    ).toEqual([
      ['宁波甲机械有限公司', '330205', 10, false],
      ['=HYPERLINK("http://x")', '330205', 8, false],
      ['宁波丙电子有限公司', '330205', 12, false],
    ])
  })

  it('reads UTF-8 with a BOM and reports each bad cell by row and column', () => {
    const { text, encoding } = decodeCsvBytes(readFileSync(fixture('firms-bad-utf8bom.csv')))
    expect(encoding).toBe('utf-8')
    const parsed = parseEnterprisesCsv(text, rb)
    expect(parsed.problems.map((p) => `row ${p.row}, ${p.column}: ${p.message}`)).toEqual([
      "row 3, 统一社会信用代码: credit code '91330205MA2000002X' fails its check character: expected 'C', found 'X'",
      'row 3, 用地面积: land_mu must be at least 0, got -8',
    ])
    expect(parsed.enterprises).toHaveLength(2)
  })
})

describe('mujun import / evaluate / export', () => {
  let db: string
  const logs: string[] = []
  const io = { out: (s: string) => logs.push(s), err: (s: string) => logs.push(s) }
  beforeAll(() => {
    db = join(tempDir('cli'), 'm.db')
    new RulebookService(new Store(createDb(db))).loadInitial(ningboTexts(), 'test')
  })

  it('an import with a bad row changes nothing; --skip-bad imports the good rows', async () => {
    expect(
      await runCli(['import', fixture('firms-bad-utf8bom.csv'), '--year', '2024', '--db', db], io),
    ).toBe(1)
    expect(logs.at(-1)).toBe(
      '2 problem(s); nothing was imported (use --skip-bad to import the good rows)',
    )
    expect(new Store(createDb(db)).listEnterprises({ limit: 10, offset: 0 }).total).toBe(0)
    expect(
      await runCli(
        ['import', fixture('firms-bad-utf8bom.csv'), '--year', '2024', '--db', db, '--skip-bad'],
        io,
      ),
    ).toBe(0)
    expect(logs.at(-1)).toBe(
      'imported 2 rows (utf-8) for 2024: 2 created, 0 updated; 1 bad row(s) skipped',
    )
  })

  it('imports GBK, evaluates and publishes, and exports CSV that Excel opens safely', async () => {
    expect(
      await runCli(['import', fixture('firms-gbk.csv'), '--year', '2024', '--db', db], io),
    ).toBe(0)
    expect(logs.at(-1)).toBe('imported 3 rows (gbk) for 2024: 1 created, 2 updated')
    // Publishing straight from the CLI is only the record of a past publication, with its date and reason.
    expect(await runCli(['evaluate', '--year', '2024', '--db', db, '--publish'], io)).toBe(2)
    expect(
      await runCli(
        [
          'evaluate',
          '--year',
          '2024',
          '--db',
          db,
          '--publish',
          '--published-on',
          '2025-01-01',
          '--reason',
          'noticed and published on paper',
        ],
        io,
      ),
    ).toBe(1)
    // A correction: without its document and --yes only the preview is printed, and the run stays a draft.
    expect(logs.join('\n')).toContain('preview digest')
    expect(
      await runCli(
        [
          'evaluate',
          '--year',
          '2024',
          '--db',
          db,
          '--publish',
          '--published-on',
          '2025-01-01',
          '--reason',
          'noticed and published on paper',
          '--document',
          '甬经信〔2025〕1号',
          '--yes',
        ],
        io,
      ),
    ).toBe(0)
    expect(logs.at(-1)).toMatch(
      /^evaluation 2 for 2024 recorded as published on 2025-01-01, binding from 2025-01-01: /,
    )
    const out = join(tempDir('out'), 'results.csv')
    expect(await runCli(['export', '--year', '2024', '--db', db, '--out', out], io)).toBe(0)
    const bytes = readFileSync(out)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8')
    expect(text).toContain('宁波丙电子有限公司')
    // A cell that would run as a spreadsheet formula is neutralised with a leading apostrophe.
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`)
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(4)
  })

  it('exits 2 with the usage of that command (not of every command) on a missing database', async () => {
    const said: string[] = []
    const mine = { out: (x: string) => said.push(x), err: (x: string) => said.push(x) }
    expect(await runCli(['evaluate', '--year', '2024', '--db', '/nonexistent/x.db'], mine)).toBe(2)
    const text = said.join('\n')
    expect(text).toMatch(/^mujun: database '\/nonexistent\/x\.db' does not exist/)
    expect(text).toContain('  mujun evaluate --year YYYY')
    expect(text).not.toContain('mujun import')
  })
})

describe('mujun rate on a CSV with Chinese headers', () => {
  it('names a firm’s problem by its CSV row and by the column it was read from', async () => {
    const dir = tempDir('rate')
    const csv = join(dir, 'firms.csv')
    writeFileSync(
      csv,
      '统一社会信用代码,企业名称,县市区代码,行业代码,用地面积,实缴税金,年用电量,规模以上工业企业\n' +
        '91330203MA2000001C,甲,330203,1711,,5,1000000,false\n' +
        '91330203MA2000002F,乙,330203,1711,10,3,1000000,false\n',
    )
    const out: string[] = []
    const io = { out: (s: string) => out.push(s), err: () => {} }
    const rules = new URL('../rules/ningbo', import.meta.url).pathname
    expect(
      await runCli(['rate', '--enterprises', csv, '--year', '2024', '--rules', rules], io),
    ).toBe(0)
    const results = JSON.parse(out.join('')) as { creditCode: string; problems: string[] }[]
    expect(results.find((r) => r.creditCode === '91330203MA2000001C')!.problems).toEqual([
      "row 2: group below_scale: missing figure '用地面积 (land_mu)'",
    ])
  })
})

describe('mujun evaluate --publish checks what it is given', () => {
  it('refuses a publication date that is not a calendar date before rating anything', async () => {
    const dir = tempDir('pub')
    const db = join(dir, 'm.db')
    const store = new Store(createDb(db))
    new RulebookService(store).loadInitial(ningboTexts(), 'test')
    const err: string[] = []
    const io = { out: () => {}, err: (s: string) => err.push(s) }
    expect(
      await runCli(['import', fixture('firms-gbk.csv'), '--year', '2024', '--db', db], io),
    ).toBe(0)
    const args = ['evaluate', '--year', '2024', '--db', db, '--publish', '--reason', 'on paper']
    expect(await runCli([...args, '--published-on', '2025-13-45'], io)).toBe(2)
    expect(err.join('\n')).toContain("--published-on '2025-13-45' is not a calendar date")
    // Refused before rating: no run at all, let alone a published one.
    expect(store.listRuns()).toEqual([])
  })
})

describe('a bad row in a large import', () => {
  it('one bad row among 50,000 names itself and stores nothing; --skip-bad stores the other 49,999', async () => {
    const { createTestApp, principalOf } = await import('./support/app.ts')
    const { importCsv } = await import('../src/bench/hostile.ts')
    const t = createTestApp({ size: 20 })
    const bureau = principalOf(t, t.tokens.bureau)
    const lines = importCsv(50_000, 7).split('\r\n')
    const header = lines[0].replace(/^\ufeff/, '').split(',')
    const land = header.indexOf('land_mu')
    // Spreadsheet row 40,001 is line index 40,000 (the header is row 1).
    const cells = lines[40_000].split(',')
    cells[land] = '-3'
    lines[40_000] = cells.join(',')
    const bytes = new TextEncoder().encode(lines.join('\r\n'))
    const count = () =>
      t.store.db.$client.prepare('SELECT count(*) FROM figures WHERE year = 2025').pluck().get()
    expect(() => t.services.enterprises.importCsv(bureau, bytes, 2025, false)).toThrow(
      /1 bad row\(s\); nothing was imported: row 40001 column land_mu: land_mu must be at least 0, got -3/,
    )
    expect(count()).toBe(0)
    const r = t.services.enterprises.importCsv(bureau, bytes, 2025, true)
    expect([r.rows, r.skipped.map((p) => p.row)]).toEqual([49_999, [40_001]])
    expect(count()).toBe(49_999)
  }, 60_000)
})

describe('DEMO_SIZE', () => {
  it('accepts a demo city of a million firms (it refused more than 200,000) and no more', async () => {
    const { parseEnv } = await import('../src/env.ts')
    expect(parseEnv({ DEMO_SIZE: '1000000' }).DEMO_SIZE).toBe(1_000_000)
    expect(() => parseEnv({ DEMO_SIZE: '1000001' })).toThrow(/DEMO_SIZE/)
  })
})

describe('the results CSV (`mujun export`)', () => {
  it('writes a sector-table category as its id, never "[object Object]" (issue "The evaluation as Zhejiang runs it")', async () => {
    const { createTestApp } = await import('./support/app.ts')
    const { services, store } = createTestApp({ size: 300 })
    const run = store.publishedRun(2024)!
    const categorised = store.runResults(run.id).filter((r) => r.category)
    // The demo has firms a sector table places (淘汰类, 限制类…): the case the export got wrong.
    expect(categorised.length).toBeGreaterThan(0)
    const { csv } = services.evaluations.resultsCsv(
      { role: 'economy', scope: '', label: 'test', tokenId: 0 },
      run.id,
    )
    expect(csv).not.toContain('[object Object]')
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n')
    const header = lines[0].split(',')
    const byCode = new Map(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')]))
    for (const r of categorised)
      expect(byCode.get(r.creditCode)?.[header.indexOf('category')]).toBe(r.category!.category)
  })
})

describe('mujun quote from CSV files and consecutive years (issue "The evaluation as Zhejiang runs it")', () => {
  it('refuses a quote a consecutive-year rate may change without the years it needs, naming them, and applies it from --history', async () => {
    // 宁波周巷不锈钢 banned by policy: class D (a veto that forces it) in every year rated.
    const [header, ...rows] = readFileSync(
      new URL('../docs/examples/firms.csv', import.meta.url),
      'utf8',
    )
      .trim()
      .split('\n')
    const col = header.split(',').indexOf('banned_by_policy')
    const row = rows.find((r) => r.startsWith('91330282MA2C00003Y'))!.split(',')
    row[col] = 'true'
    const file = join(tempDir('quote'), 'd.csv')
    writeFileSync(file, `${header}\n${row.join(',')}\n`)
    const quoteOf = async (...extra: string[]) => {
      const out: string[] = []
      const code = await runCli(
        [
          'quote',
          ...['--enterprises', file, '--year', '2024', '--credit-code', '91330282MA2C00003Y'],
          ...['--resource', 'electricity', '--quantity', '100000'],
          ...['--from', '2025-08-01', '--to', '2025-09-01', '--format', 'json', ...extra],
        ],
        { out: (x) => out.push(x), err: (x) => out.push(x) },
      )
      return { code, text: out.join('\n') }
    }
    // From 2025-07-01 D pays 0.30, and 0.40 from its third consecutive year in D (rules/ningbo/pricing.yaml): one
    // year's figures cannot say which, so the quote is refused, naming the years it needs (it charged 0.30 with a note).
    const tail =
      " is not known here. Give {which} figures with {flags} (a firm absent from a year's file was not rated that year), or quote a stored firm through the API"
    const head =
      'mujun: 91330282MA2C00003Y is class D in 2024, and class_electricity charges class D more from its 3rd consecutive year in it: its class in '
    expect(await quoteOf()).toEqual({
      code: 1,
      text: `${head}2023 and 2022${tail.replace('{which}', 'those years’').replace('{flags}', '--history 2023=FILE.csv --history 2022=FILE.csv')}`,
    })
    expect(await quoteOf('--history', `2023=${file}`)).toEqual({
      code: 1,
      text: `${head}2022${tail.replace('{which}', 'that year’s').replace('{flags}', '--history 2022=FILE.csv')}`,
    })
    const told = await quoteOf('--history', `2022=${file}`, '--history', `2023=${file}`)
    expect(told.code).toBe(0)
    const line = (
      JSON.parse(told.text) as { lines: { scheduleId: string; rate: string; reason: string }[] }
    ).lines.find((l) => l.scheduleId === 'class_electricity')!
    expect([line.rate, line.reason]).toEqual([
      '0.4',
      'class D 淘汰关停类 (evaluation 2024, 3 consecutive years)',
    ])
    // A firm that was not D in 2023 has no third year: 2023 alone answers, at 0.30.
    const c2023 = join(tempDir('quote'), 'c.csv')
    writeFileSync(c2023, `${header}\n${rows.find((r) => r.startsWith('91330282MA2C00003Y'))}\n`)
    const notD = await quoteOf('--history', `2023=${c2023}`)
    expect(notD.code, notD.text).toBe(0)
    expect(
      (JSON.parse(notD.text) as { lines: { scheduleId: string; rate: string }[] }).lines.find(
        (l) => l.scheduleId === 'class_electricity',
      )?.rate,
    ).toBe('0.3')
    // Before the escalation's day (2025-07-01) no earlier year is needed.
    const early = await quoteOf('--from', '2025-03-01', '--to', '2025-04-01')
    expect(early.code, early.text).toBe(0)
    expect(JSON.parse(early.text).from).toBe('2025-03-01')
  })
})

describe('mujun rate on a year no evaluation rules cover (issue "The evaluation as Zhejiang runs it")', () => {
  const rateYear = async (rules: string, year: number) => {
    const out: string[] = []
    const code = await runCli(
      [
        'rate',
        ...['--rules', rules, '--enterprises', 'docs/examples/firms.csv', '--year', String(year)],
      ],
      { out: (x) => out.push(x), err: (x) => out.push(x) },
    )
    return { code, text: out.join('\n') }
  }

  it('says where the rules begin for a year before them, and where they end for a year after them', async () => {
    // The shipped rules with every class scheme ending on 2030-01-01: 2029 is the last year they rate.
    const dir = tempDir('end')
    cpSync('rules', dir, { recursive: true })
    for (const f of ['evaluation.yaml', 'version-4.0.yaml']) {
      const p = join(dir, 'ningbo', f)
      const text = readFileSync(p, 'utf8')
      const classes = text.indexOf('\nclasses:\n')
      if (classes < 0) continue
      writeFileSync(
        p,
        text.slice(0, classes) +
          text
            .slice(classes)
            .replace(/\n {4}from: (\S+)\n/g, '\n    from: $1\n    to: 2030-01-01\n'),
      )
    }
    expect(await rateYear(dir, 2010)).toEqual({
      code: 1,
      text: 'mujun: no evaluation rules are in force on 2010-12-31 (the first evaluation group starts 2015-01-13); nothing rated',
    })
    expect((await rateYear(dir, 2029)).code).toBe(0)
    expect(await rateYear(dir, 2030)).toEqual({
      code: 1,
      text: "mujun: no evaluation rules are in force on 2030-12-31 (the rules' last class scheme ended on 2030-01-01: the last year they rate is 2029); nothing rated",
    })
    // A quote of a year past the end is refused the same way (it charged a firm rated 'invalid').
    const out: string[] = []
    const quoted = await runCli(
      [
        'quote',
        ...['--rules', dir, '--enterprises', 'docs/examples/firms.csv', '--year', '2030'],
        ...['--credit-code', '91330282MA2C00003Y', '--resource', 'electricity', '--quantity', '1'],
        ...['--from', '2031-01-01', '--to', '2031-02-01'],
      ],
      { out: (x) => out.push(x), err: (x) => out.push(x) },
    )
    expect({ code: quoted, text: out.join('\n') }).toEqual({
      code: 1,
      text: "mujun: no evaluation rules are in force on 2030-12-31 (the rules' last class scheme ended on 2030-01-01: the last year they rate is 2029); nothing quoted",
    })
  })
})

describe('a firm set aside (class T) in `mujun rate` (issue "The evaluation as Zhejiang runs it")', () => {
  it('reads not_rated, not rated', async () => {
    const [header, ...rows] = readFileSync('docs/examples/firms.csv', 'utf8').trim().split('\n')
    const col = header.split(',').indexOf('public_utility')
    const row = rows.find((r) => r.startsWith('91330282MA2C00003Y'))!.split(',')
    row[col] = 'true'
    const file = join(tempDir('t'), 't.csv')
    writeFileSync(file, `${header}\n${row.join(',')}\n`)
    const out: string[] = []
    const io = { out: (x: string) => out.push(x), err: (x: string) => out.push(x) }
    expect(await runCli(['rate', '--enterprises', file, '--year', '2024'], io)).toBe(0)
    expect(JSON.parse(out.join('\n'))).toMatchObject([
      { creditCode: '91330282MA2C00003Y', status: 'not_rated', group: 'not_rated', class: 'T' },
    ])
  })
})

describe('mujun rate with a benchmark on the previous year (issue "The evaluation as Zhejiang runs it")', () => {
  // Golden case 22's firms (test/cases/22-previous-year-benchmark.yaml, where the arithmetic is): four below-scale
  // firms of county 990101, 10 mu each; 2024 is benchmarked on 2 × the 2023 county mean (3) = 6.
  const csv = (taxes: number[]) =>
    [
      'credit_code,name,county_code,industry_code,above_scale,land_mu,tax',
      ...[
        ['91990101MA00000110', '规下纺织', '1711'],
        ['91990101MA00000123', '规下化工', '2610'],
        ['91990101MA00000136', '规下汽配', '2910'],
        ['91990101MA00000149', '规下机械', '3311'],
      ].map(
        ([code, name, industry], i) => `${code},${name},990101,${industry},false,10,${taxes[i]}`,
      ),
    ].join('\n')
  const dir = tempDir('previous')
  writeFileSync(join(dir, '2023.csv'), csv([10, 20, 30, 60]))
  writeFileSync(join(dir, '2024.csv'), csv([20, 40, 60, 80]))
  const rate2024 = async (...extra: string[]) => {
    const out: string[] = []
    const code = await runCli(
      [
        'rate',
        ...['--rules', 'test/fixtures/rulebooks/scoring-forms', '--year', '2024'],
        ...['--enterprises', join(dir, '2024.csv'), ...extra],
      ],
      { out: (x) => out.push(x), err: (x) => out.push(x) },
    )
    return { code, text: out.join('\n') }
  }

  it('refuses without the previous year, naming it, and rates on its statistic once given', async () => {
    expect(await rate2024()).toEqual({
      code: 1,
      text: 'mujun: NO_PREVIOUS_YEAR: previous_scoring benchmarks tax_per_mu on the 2023 peer statistic over 990101 × below_scale, and the 2023 figures are not given: give them with --history 2023=FILE.csv',
    })
    const rated = await rate2024('--history', `2023=${join(dir, '2023.csv')}`)
    expect(rated.code, rated.text).toBe(0)
    expect(
      (JSON.parse(rated.text) as { creditCode: string; score: number; class: string }[]).map(
        (r) => [r.creditCode.slice(-3), r.score, r.class],
      ),
    ).toEqual([
      ['110', 43.3333, 'D'],
      ['123', 66.6667, 'C'],
      ['136', 100, 'B'],
      ['149', 133.3333, 'B'],
    ])
  })
})
