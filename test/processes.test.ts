// Issue "One source of truth", the observations that need more than one process: a restart with edited rule
// files, the CLI writing to a running server's database, and two servers on one database file. Every server here
// is a real `src/server.ts` process on a temporary database.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import type { DemoTokens } from '../src/demo/seed.ts'
import { withCheckChar } from '../src/enterprise/credit-code.ts'
import { readRuleTexts } from '../src/rulebook/load.ts'
import { draftOverride } from './support/overrides.ts'
import { NINGBO_DIR } from './support/rulebook.ts'
import { api, type Server, startServer, stopAll } from './support/server.ts'
import { tempDir } from './support/tmp.ts'

const cli = async (args: string[]) => {
  const out: string[] = []
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => out.push(s) })
  return { code, out: out.join('\n') }
}

afterAll(stopAll)

describe('one database, several processes', () => {
  let dir: string
  let db: string
  let rules: string
  let tokens: DemoTokens
  let a: Server

  beforeAll(async () => {
    dir = tempDir('proc')
    db = join(dir, 'm.db')
    rules = join(dir, 'rules')
    cpSync(NINGBO_DIR, rules, { recursive: true })
    a = await startServer({ DB_PATH: db, RULES_DIR: rules })
    tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
  }, 60_000)

  it('4. firms imported and a run published by the CLI are what the running server answers next', async () => {
    const code = tokens.creditCode
    const tier = (c = code) =>
      api(a.base, 'GET', `/v1/enterprises/${c}/tier?date=2025-03-01`, tokens.utility)
    const bill = () =>
      api(a.base, 'POST', '/v1/quotes', tokens.utility, {
        creditCode: code,
        resource: 'electricity',
        quantity: '120000',
        from: '2025-01-01',
        to: '2025-02-01',
      })
    const before = await tier()
    const billBefore = await bill()
    expect([before.status, billBefore.status]).toEqual([200, 200])
    expect(['C', 'D']).toContain(before.body.class)
    // Through the CLI: the demo firm's 2024 tax a hundred times higher, and a firm the server has never seen.
    const figures = (
      await api(a.base, 'GET', `/v1/enterprises/${code}/figures/2024`, tokens.bureau)
    ).body.data
    const fresh = withCheckChar('91330282MA2NEW00A')
    const ids = Object.keys(figures)
    const row = (c: string, name: string, tax: number) =>
      [c, name, '330282', '3411', ...ids.map((k) => (k === 'tax' ? tax : figures[k]))].join(',')
    const csv = join(dir, 'more.csv')
    writeFileSync(
      csv,
      `${['credit_code', 'name', 'county_code', 'industry_code', ...ids].join(',')}\n${row(code, '改造后企业', figures.tax * 100)}\n${row(fresh, '新入库企业', figures.tax)}\n`,
    )
    expect((await cli(['import', csv, '--year', '2024', '--db', db])).code).toBe(0)
    const r = await cli([
      'evaluate',
      '--year',
      '2024',
      '--publish',
      '--published-on',
      '2025-01-01',
      '--reason',
      "re-rated after the firm's upgrade, published on paper",
      '--document',
      '慈经信〔2025〕1号',
      '--yes',
      '--db',
      db,
    ])
    expect(r.code).toBe(0)
    const run = Number(/evaluation (\d+)/.exec(r.out)![1])
    const after = await tier()
    expect(after.body.evaluationId).toBe(run)
    expect(after.body.class).toBe('A')
    expect((await bill()).body.total).not.toBe(billBefore.body.total)
    const newcomer = await tier(fresh)
    expect(newcomer.status).toBe(200)
    expect(newcomer.body.evaluationId).toBe(run)
    const runs = await api(a.base, 'GET', '/v1/evaluations', tokens.bureau)
    expect(runs.body.runs.find((x: any) => x.id === run).status).toBe('published')
  })

  it('8. a token made with the CLI works at once and stops at once after revoke, in every server', async () => {
    const b = await startServer({ DB_PATH: db, RULES_DIR: rules })
    try {
      const made = await cli([
        'tokens',
        'create',
        '--role',
        'utility',
        '--label',
        '慈溪供电',
        '--db',
        db,
      ])
      expect(made.code).toBe(0)
      const token = made.out.split('\n')[0]
      const id = /token #(\d+)/.exec(made.out)![1]
      const path = `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01`
      for (const s of [a, b]) expect((await api(s.base, 'GET', path, token)).status).toBe(200)
      expect((await cli(['tokens', 'revoke', id, '--db', db])).code).toBe(0)
      for (const s of [a, b]) expect((await api(s.base, 'GET', path, token)).status).toBe(401)
      const list = await cli(['tokens', 'list', '--db', db])
      expect(list.out).toContain(`${id}\trevoked\tutility`)
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('4. two servers on one database lose no proposal and serve no stale enterprise', async () => {
    const b = await startServer({ DB_PATH: db, RULES_DIR: rules })
    try {
      const text = (id: string) => draftOverride(id, '330282', '2027-01-01', { resource: 'gas' })
      const [pa, pb] = await Promise.all([
        api(a.base, 'POST', '/v1/overrides', tokens.county, { text: text('cixi_srv_a') }),
        api(b.base, 'POST', '/v1/overrides', tokens.county, { text: text('cixi_srv_b') }),
      ])
      expect([pa.status, pb.status]).toEqual([201, 201])
      for (const s of [a, b]) {
        const ids = (await api(s.base, 'GET', '/v1/overrides', tokens.bureau)).body.overrides.map(
          (o: any) => o.id,
        )
        expect(ids).toEqual(
          expect.arrayContaining(['cixi_srv_a', 'cixi_srv_b', 'cixi_2024_electricity']),
        )
      }
      // An enterprise renamed through server A is read renamed from server B at once.
      const path = `/v1/enterprises/${tokens.creditCode}`
      const readB = await api(b.base, 'GET', path, tokens.bureau)
      const put = await api(
        a.base,
        'PUT',
        path,
        tokens.bureau,
        { name: '改名企业', county: readB.body.county, industryCode: readB.body.industryCode },
        { 'if-match': readB.etag! },
      )
      expect(put.status).toBe(200)
      expect((await api(b.base, 'GET', path, tokens.bureau)).body.name).toBe('改名企业')
      // B's cached ETag is stale now: a write through B with it is refused, not applied over A's.
      const stale = await api(
        b.base,
        'PUT',
        path,
        tokens.bureau,
        { name: '覆盖', county: readB.body.county, industryCode: readB.body.industryCode },
        { 'if-match': readB.etag! },
      )
      expect(stale.status).toBe(412)
    } finally {
      await b.stop()
    }
  }, 60_000)

  it('3. a restart with edited rule files changes nothing and says so; `rules import` applies them', async () => {
    // State made through the API: a city rate change and a withdrawn override.
    const health = await api(a.base, 'GET', '/healthz')
    // Every city file (county overrides are not part of a city version).
    const files = readRuleTexts(rules).filter((f) => !f.path.startsWith('counties/'))
    const changed = files.map((f) =>
      f.path === 'pricing.yaml'
        ? { ...f, text: f.text.replace('basePrice: "4.00"', 'basePrice: "4.30"') }
        : f,
    )
    const current = (await api(a.base, 'GET', '/v1/rulebook/versions', tokens.bureau)).etag!
    expect(current).toBe(`"rb${health.body.rulebookVersion}.1"`)
    // The base price in force since 2016 reaches back: a correction, after its preview.
    const preview = await api(a.base, 'POST', '/v1/rulebook/previews', tokens.bureau, {
      files: changed,
      months: 1,
    })
    expect(preview.status).toBe(200)
    const posted = await api(
      a.base,
      'POST',
      '/v1/rulebook/versions',
      tokens.bureau,
      {
        note: 'water 4.30',
        files: changed,
        correction: {
          reason: 'water 4.30',
          document: '甬价〔2016〕2号',
          preview: preview.body.digest,
        },
      },
      { 'if-match': current },
    )
    expect(posted.status).toBe(201)
    const withdrawn = await api(
      a.base,
      'POST',
      '/v1/overrides/yuyao_2026_gas/withdraw',
      tokens.bureau,
      { reason: '撤回' },
    )
    expect(withdrawn.status).toBe(200)
    const version = posted.body.id
    await a.stop()

    // One comment line added to a rule file on disk.
    writeFileSync(
      join(rules, 'evaluation.yaml'),
      `${readFileSync(join(rules, 'evaluation.yaml'), 'utf8')}# edited\n`,
    )
    a = await startServer({ DB_PATH: db, RULES_DIR: rules })
    const said = a.lines.join('\n')
    expect(said).toContain(`rulebook version ${version} in force (from the database)`)
    expect(said).toMatch(/changed\s+evaluation\.yaml/)
    expect(said).toMatch(/changed\s+pricing\.yaml/)
    expect(said).toContain(`mujun rules import ${rules} --db ${db}`)
    expect((await api(a.base, 'GET', '/healthz')).body.rulebookVersion).toBe(version)
    const water = await api(
      a.base,
      'GET',
      '/v1/rulebook?county=330203&date=2025-06-01',
      tokens.utility,
    )
    expect(JSON.stringify(water.body)).toContain('"basePrice":"4.30"')
    const ov = async (id: string) =>
      (await api(a.base, 'GET', `/v1/overrides/${id}`, tokens.bureau)).body.status
    expect([await ov('yuyao_2026_gas'), await ov('cixi_2024_electricity')]).toEqual([
      'withdrawn',
      'draft',
    ])

    // Applying the files is explicit: a new city version; every override keeps its status.
    // Reaching back (the base price since 2018): refused as a plain import, made as a correction.
    const refused = await cli(['rules', 'import', rules, '--db', db])
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('CITY_RETROACTIVE')
    const imported = await cli([
      'rules',
      'import',
      rules,
      '--db',
      db,
      '--correction',
      'back to the files',
      '--document',
      '甬价〔2016〕3号',
      '--yes',
    ])
    expect(imported.code).toBe(0)
    expect(imported.out).toContain(`rulebook version ${version + 1} created`)
    expect(imported.out).toContain('left alone: counties/cixi-2024-electricity.yaml')
    expect((await api(a.base, 'GET', '/healthz')).body.rulebookVersion).toBe(version + 1)
    expect([await ov('yuyao_2026_gas'), await ov('cixi_2024_electricity')]).toEqual([
      'withdrawn',
      'draft',
    ])
    const diff = await cli([
      'rules',
      'diff',
      '--from',
      String(version),
      '--to',
      String(version + 1),
      '--db',
      db,
      '--format',
      'json',
    ])
    const d = JSON.parse(diff.out)
    expect(d.changed).toContainEqual(
      expect.objectContaining({
        section: 'surcharges',
        id: 'water_above_quota',
        changes: [{ field: 'quota.basePrice', before: '4.30', after: '4.00' }],
      }),
    )
    await a.stop()
  }, 90_000)
})
