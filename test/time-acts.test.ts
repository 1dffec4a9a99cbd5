// Issue "Nothing silently rewrites what was billed, published or reported", observations 1–3 and the dated change:
// each act as its user makes it (the bureau with the CLI on the database a server runs on, the economy office over
// the API), and the bills of months already billed before and after it.
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { NINGBO_DIR } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

const cli = async (args: string[]) => {
  const out: string[] = []
  const code = await runCli(args, { out: (s) => out.push(s), err: (s) => out.push(s) })
  return { code, out: out.join('\n') }
}

async function bill(t: TestApp, from: string, to: string, quantity = '10000', knownAt?: string) {
  const res = await call(t.app, 'POST', '/v1/quotes', {
    token: t.tokens.utility,
    body: {
      creditCode: t.tokens.creditCode,
      resource: 'electricity',
      quantity,
      from,
      to,
      ...(knownAt && { knownAt }),
    },
  })
  expect(res.status).toBe(200)
  return (await res.json()) as {
    total: string
    lines: { from: string; to: string; rate: string; amount: string }[]
  }
}

describe('1. a city rule file edited and imported does not re-price months already billed', () => {
  let t: TestApp
  let db: string
  let rules: string
  beforeAll(() => {
    const dir = tempDir('time')
    db = join(dir, 'm.db')
    rules = join(dir, 'rules')
    cpSync(NINGBO_DIR, rules, { recursive: true })
    t = createTestApp({ size: 300, path: db })
  })

  it('the import is refused (CITY_RETROACTIVE) and September 2025 still bills 3,000.00', async () => {
    const september = await bill(t, '2025-09-01', '2025-10-01')
    expect(september.total).toBe('3000.00')
    // As the README's pricing-bureau user did: class D electricity "0.30" → "0.35" in the file, checked, imported.
    const file = join(rules, 'pricing.yaml')
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replaceAll(
        '{ class: D, rate: "0.30" }',
        '{ class: D, rate: "0.35" }',
      ),
    )
    expect((await cli(['rules', 'check', rules])).code).toBe(0)
    const imported = await cli(['rules', 'import', rules, '--db', db])
    // Before: exit 0, "version 2 … now in force", and September 2025 billed 3,500.00.
    expect(imported.code).toBe(1)
    expect(imported.out).toContain('CITY_RETROACTIVE')
    expect(imported.out).toMatch(/changes answers from 2016-01-01/)
    expect(imported.out).toContain('preview digest')
    expect((await bill(t, '2025-09-01', '2025-10-01')).total).toBe('3000.00')
    const versions = await call(t.app, 'GET', '/v1/rulebook/versions', { token: t.tokens.utility })
    expect(((await versions.json()) as { versions: unknown[] }).versions).toHaveLength(1)
  })

  it('`rules change` from a later day is the normal act: the quote splits on that day', async () => {
    const changed = await cli([
      'rules',
      'change',
      '--db',
      db,
      '--id',
      'class_electricity',
      '--from',
      '2027-01-01',
      '--set',
      'rates[class=D][minConsecutiveYears=].rate=0.35',
      '--document',
      '甬发改价格〔2026〕9号',
    ])
    expect(changed.code).toBe(0)
    // The app checks for other connections' commits once per event-loop turn (as a server's requests arrive).
    await new Promise((r) => setImmediate(r))
    expect(changed.out).toMatch(/rulebook version 2 created and now in force/)
    expect(changed.out).toContain('it changes answers from 2027-01-01')
    // September 2025 is untouched; December 2026 – January 2027 splits at the new day.
    expect((await bill(t, '2025-09-01', '2025-10-01')).total).toBe('3000.00')
    const split = await bill(t, '2026-12-01', '2027-02-01', '62000')
    expect(split.lines.map((l) => [l.from, l.to, l.rate, l.amount])).toEqual([
      // 31 days of 62 at 0.30 (evaluation 2025 is not published: 2024's D binds), then 31 at 0.35.
      ['2026-12-01', '2027-01-01', '0.3', '9300.00'],
      ['2027-01-01', '2027-02-01', '0.35', '10850.00'],
    ])
    expect(split.total).toBe('20150.00')
  })

  it('a dated change reaching back is refused unless made as a correction with --yes', async () => {
    const args = [
      'rules',
      'change',
      '--db',
      db,
      '--id',
      'class_gas',
      '--from',
      '2025-01-01',
      '--set',
      'rates[class=D].rate=1.50',
      '--document',
      '甬发改价格〔2026〕10号',
    ]
    const refused = await cli(args)
    expect(refused.code).toBe(1)
    expect(refused.out).toContain('CITY_RETROACTIVE')
    const previewOnly = await cli([...args, '--preview'])
    expect(previewOnly.code).toBe(0)
    expect(previewOnly.out).toMatch(/priced 2025-01 to /)
    const corrected = await cli([...args, '--correction', '2025 gas notice', '--yes'])
    expect(corrected.code).toBe(0)
    expect(corrected.out).toMatch(/as a correction \(甬发改价格〔2026〕10号\)/)
  })
})

describe('2. a re-publication binds from its own day; the run it replaces binds until then', () => {
  it('June 2025 is billed as before, by the 2024 run published first', async () => {
    const t = createTestApp({ size: 200 })
    const june = () => bill(t, '2025-06-01', '2025-07-01', '100000')
    const tier = async (date: string) =>
      (await (
        await call(t.app, 'GET', `/v1/enterprises/${t.tokens.creditCode}/tier?date=${date}`, {
          token: t.tokens.utility,
        })
      ).json()) as { evaluationYear: number; evaluationId: number; class: string }
    const first = await tier('2025-06-15')
    const before = await june()
    expect(first).toMatchObject({ evaluationYear: 2024, class: 'D' })
    expect(before.total).toBe('30000.00')
    // A regular re-run of 2024: notice, then published once the notice has ended, 8 days later.
    const run = await call(t.app, 'POST', '/v1/evaluations', {
      token: t.tokens.economy,
      body: { year: 2024 },
    })
    const { id } = (await run.json()) as { id: number }
    expect(
      (await call(t.app, 'POST', `/v1/evaluations/${id}/notice`, { token: t.tokens.economy }))
        .status,
    ).toBe(200)
    t.advanceDays(8)
    const pub = await call(t.app, 'POST', `/v1/evaluations/${id}/publish`, {
      token: t.tokens.economy,
    })
    expect(pub.status).toBe(200)
    const { bindingFrom } = (await pub.json()) as { bindingFrom: string }
    expect(bindingFrom > '2026-01-01').toBe(true)
    // Before: from 2025-01-01 to the day before, the firm fell back to the 2023 evaluation (C), June 2025 15,000.00.
    expect(await tier('2025-06-15')).toMatchObject({
      evaluationYear: 2024,
      evaluationId: first.evaluationId,
      class: 'D',
    })
    expect((await june()).total).toBe('30000.00')
    expect((await tier(bindingFrom)).evaluationId).toBe(id)
  })
})

describe('3. a run made today cannot be "published" as of the past without a correction', () => {
  it('a reason alone is refused; June 2025 keeps its bill', async () => {
    const t = createTestApp({ size: 200 })
    const before = (await bill(t, '2025-06-01', '2025-07-01', '100000')).total
    const run = await call(t.app, 'POST', '/v1/evaluations', {
      token: t.tokens.economy,
      body: { year: 2024 },
    })
    const { id } = (await run.json()) as { id: number }
    const publish = (body: unknown) =>
      call(t.app, 'POST', `/v1/evaluations/${id}/publish`, { token: t.tokens.economy, body })
    // Before: 200, and the run bound from 2025-01-01 without notice or objections.
    const bypass = await publish({ publishedOn: '2025-01-01', reason: 'abc' })
    expect(bypass.status).toBe(422)
    expect(await bypass.json()).toMatchObject({
      code: 'PUBLICATION_RETROACTIVE',
      details: { firstDay: '2025-01-01' },
    })
    // A correction names its document and the preview it was shown on this very state.
    const noPreview = await publish({
      publishedOn: '2025-01-01',
      correction: { reason: 'published on paper', document: '甬经信〔2025〕1号' },
    })
    expect(noPreview.status).toBe(422)
    expect(await noPreview.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'body.correction.preview' }],
    })
    const stale = await publish({
      publishedOn: '2025-01-01',
      correction: {
        reason: 'published on paper',
        document: '甬经信〔2025〕1号',
        preview: '0123456789abcdef',
      },
    })
    expect(stale.status).toBe(409)
    expect(((await stale.json()) as { code: string }).code).toBe('PREVIEW_STALE')
    expect((await bill(t, '2025-06-01', '2025-07-01', '100000')).total).toBe(before)
    const runs = await call(t.app, 'GET', `/v1/evaluations/${id}`, { token: t.tokens.economy })
    expect(((await runs.json()) as { status: string }).status).toBe('draft')
  })
})

describe('a preview of a change to how firms are rated', () => {
  it('names the firms whose class would change at the next evaluation', async () => {
    const t = createTestApp({ size: 200 })
    // The tax-per-mu weight from next year: no price changes now, but the next evaluation would rate differently.
    const res = await call(t.app, 'POST', '/v1/rulebook/previews', {
      token: t.tokens.bureau,
      body: {
        section: 'scoring',
        id: 'above_scale_scoring',
        from: '2027-01-01',
        set: [{ path: 'items[indicator=tax_per_mu].weight', value: '60' }],
        document: '甬经信〔2026〕8号',
        months: 1,
      },
    })
    const body = (await res.json()) as {
      correctionRequired: boolean
      classChanges: {
        year: number
        figuresYear: number
        rated: number
        changed: number
        moves: unknown[]
      }
      preview: { firmsChanged: number }
    }
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.correctionRequired).toBe(false)
    expect(body.preview.firmsChanged).toBe(0)
    expect([body.classChanges.year, body.classChanges.figuresYear]).toEqual([2027, 2024])
    expect(body.classChanges.changed).toBeGreaterThan(0)
    expect(body.classChanges.moves.length).toBeGreaterThan(0)
  })
})

describe('a version scheduled for a later day', () => {
  it('is stored now and comes into force on its day, not before', async () => {
    const t = createTestApp({ size: 100 })
    const health = async () =>
      ((await (await call(t.app, 'GET', '/healthz')).json()) as { rulebookVersion: number })
        .rulebookVersion
    const made = await call(t.app, 'POST', '/v1/rulebook/changes', {
      token: t.tokens.bureau,
      body: {
        section: 'surcharges',
        id: 'class_gas',
        from: '2026-03-01',
        set: [{ path: 'rates[class=D].rate', value: '1.20' }],
        document: '甬发改价格〔2026〕4号',
        effectiveOn: '2026-02-01',
      },
    })
    expect(made.status).toBe(201)
    expect(await made.json()).toMatchObject({ id: 2, activated: false, effectiveOn: '2026-02-01' })
    expect(await health()).toBe(1)
    t.advanceDays(31)
    // A request of the new day (read in a later turn of the event loop, as a server reads it) sees the new day.
    await new Promise((r) => setImmediate(r))
    expect(await health()).toBe(2)
  })
})
