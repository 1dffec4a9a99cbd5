import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { readRuleTexts } from '../src/rulebook/load.ts'
import { call, createTestApp, principalOf, type TestApp } from './support/app.ts'
import { ningboWithFiledCixi, ratesOf } from './support/rulebook.ts'
import { tempDir } from './support/tmp.ts'

const PROPOSAL = `# 慈溪市 proposal (test)
override:
  id: cixi_2025_water
  county: "330282"
  label: 慈溪市差别水价（C类0.80、D类1.60元/立方米）
  status: draft
  from: 2025-01-01
  source: { document: 慈溪市拟定方案 }
replace:
  surcharges:
    - id: class_water
      label: 慈溪市亩均评价C、D类企业差别水价
      from: 2025-01-01
      resource: water
      basis: class
      source: { document: 慈溪市拟定方案 }
      rates:
        - { class: C, rate: "0.80" }
        - { class: D, rate: "1.60" }
`

let t: TestApp
let dbPath: string
beforeAll(() => {
  dbPath = join(tempDir('ov'), 'm.db')
  // The clock stands in December 2024, so a 2025 override is filed before it takes effect.
  t = createTestApp({ size: 300, path: dbPath, clockStart: '2024-12-20T00:00:00Z' })
})

const quoteWater = async () => {
  const res = await call(t.app, 'POST', '/v1/quotes', {
    token: t.tokens.utility,
    body: {
      creditCode: t.tokens.creditCode,
      resource: 'water',
      quantity: 1000,
      from: '2025-03-01',
      to: '2025-04-01',
    },
  })
  expect(res.status).toBe(200)
  return ((await res.json()) as { total: string }).total
}
const step = (action: string, token: string, body: Record<string, string> = {}) =>
  call(t.app, 'POST', `/v1/overrides/cixi_2025_water/${action}`, { token, body })

describe('override workflow: proposal → city approval → provincial filing', () => {
  it('walks every step; quotes change only once it is approved AND filed', async () => {
    const cityPrice = await quoteWater()
    const proposed = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text: PROPOSAL },
    })
    expect(proposed.status).toBe(201)
    const etag = proposed.headers.get('etag')!
    expect(await quoteWater()).toBe(cityPrice)

    // A draft can be edited (with If-Match), not approved.
    const edited = await call(t.app, 'PUT', '/v1/overrides/cixi_2025_water', {
      token: t.tokens.county,
      body: { text: PROPOSAL.replace('"1.60"', '"1.50"') },
      headers: { 'if-match': etag },
    })
    expect(edited.status).toBe(200)
    const approveDraft = await step('approve', t.tokens.bureau, { ref: '甬政函〔2025〕1号' })
    expect(approveDraft.status).toBe(409)
    expect(((await approveDraft.json()) as { detail: string }).detail).toBe(
      "cannot approve override 'cixi_2025_water': it is draft (approve needs submitted)",
    )

    expect((await step('submit', t.tokens.county)).status).toBe(200)
    expect(await quoteWater()).toBe(cityPrice)
    const editSubmitted = await call(t.app, 'PUT', '/v1/overrides/cixi_2025_water', {
      token: t.tokens.county,
      body: { text: PROPOSAL },
      headers: {
        'if-match': t.services.overrides.get(principalOf(t, t.tokens.county), 'cixi_2025_water')
          .etag,
      },
    })
    expect(editSubmitted.status).toBe(409)

    expect((await step('approve', t.tokens.county, { ref: 'x' })).status).toBe(403)
    expect((await step('approve', t.tokens.bureau)).status).toBe(422)
    expect(
      (
        await step('approve', t.tokens.bureau, {
          ref: '甬政函〔2025〕1号',
          reason: '符合全市差别化价格政策',
        })
      ).status,
    ).toBe(200)
    expect(await quoteWater()).toBe(cityPrice)

    const filed = await step('file', t.tokens.county, {
      ref: '浙发改备〔2025〕1号',
    })
    expect(filed.status).toBe(200)
    expect(((await filed.json()) as { status: string }).status).toBe('filed')
    expect(await quoteWater()).not.toBe(cityPrice)

    const events = t.store
      .overrideRevisions('cixi_2025_water')
      .map((e) => [e.action, e.fromStatus, e.toStatus, e.by, e.ref])
    const county = 'demo county 慈溪市 [county 330282, token #3]'
    expect(events).toEqual([
      ['propose', null, 'draft', county, null],
      ['edit', 'draft', 'draft', county, null],
      ['submit', 'draft', 'submitted', county, null],
      ['approve', 'submitted', 'approved', 'demo bureau [bureau, token #1]', '甬政函〔2025〕1号'],
      ['file', 'approved', 'filed', county, '浙发改备〔2025〕1号'],
    ])
    const audit = (await (
      await call(t.app, 'GET', '/v1/audit?subject=override/cixi_2025_water', {
        token: t.tokens.bureau,
      })
    ).json()) as { entries: { action: string; detail: { reason: string | null } }[] }
    expect(audit.entries.map((e) => e.action)).toEqual([
      'override.file',
      'override.approve',
      'override.submit',
      'override.edit',
      'override.propose',
    ])
    expect(audit.entries[1].detail.reason).toBe('符合全市差别化价格政策')
  })

  it('a rejected override never changes a quote and cannot be filed', async () => {
    const text = PROPOSAL.replaceAll('cixi_2025_water', 'cixi_2025_gas')
      .replace('class_water', 'class_gas')
      .replace('resource: water', 'resource: gas')
    const before = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: {
        creditCode: t.tokens.creditCode,
        resource: 'gas',
        quantity: 1000,
        from: '2025-03-01',
        to: '2025-04-01',
      },
    })
    const total = ((await before.json()) as { total: string }).total
    expect(
      (await call(t.app, 'POST', '/v1/overrides', { token: t.tokens.county, body: { text } }))
        .status,
    ).toBe(201)
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides/cixi_2025_gas/submit', {
          token: t.tokens.county,
          body: {},
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides/cixi_2025_gas/reject', {
          token: t.tokens.bureau,
          body: { ref: '甬政函〔2025〕2号' },
        })
      ).status,
    ).toBe(422)
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides/cixi_2025_gas/reject', {
          token: t.tokens.bureau,
          body: { ref: '甬政函〔2025〕2号', reason: '超出省定上限' },
        })
      ).status,
    ).toBe(200)
    const file = await call(t.app, 'POST', '/v1/overrides/cixi_2025_gas/file', {
      token: t.tokens.county,
      body: { ref: 'x' },
    })
    expect(file.status).toBe(409)
    const after = await call(t.app, 'POST', '/v1/quotes', {
      token: t.tokens.utility,
      body: {
        creditCode: t.tokens.creditCode,
        resource: 'gas',
        quantity: 1000,
        from: '2025-03-01',
        to: '2025-04-01',
      },
    })
    expect(((await after.json()) as { total: string }).total).toBe(total)
  })

  it('a county cannot propose for another county, nor touch its overrides', async () => {
    const other = PROPOSAL.replace('"330282"', '"330281"').replaceAll('cixi_2025_water', 'yuyao_x')
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides', {
          token: t.tokens.county,
          body: { text: other },
        })
      ).status,
    ).toBe(403)
    expect(
      (
        await call(t.app, 'POST', '/v1/overrides/yuyao_2026_gas/withdraw', {
          token: t.tokens.county,
          body: { reason: 'x' },
        })
      ).status,
    ).toBe(403)
    expect(
      (await call(t.app, 'GET', '/v1/overrides/yuyao_2026_gas', { token: t.tokens.county })).status,
    ).toBe(403)
  })

  it('a proposal that breaks the rules is refused with file:line and nothing is stored', async () => {
    const before = t.store.listOverrideRows().length
    const bad = PROPOSAL.replaceAll('cixi_2025_water', 'cixi_bad')
      .replace('  replace:', '  replace:')
      .replace('surcharges:\n    - id: class_water', 'indicators:\n    - id: tax_per_mu')
    const res = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text: bad },
    })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { code: string; errors: { path: string; message: string }[] }
    expect(body.code).toBe('RULEBOOK_INVALID')
    expect(body.errors[0].message).toMatch(
      /^counties\/cixi_bad\.yaml:11:7: .*\(at replace\.indicators\.0\.unit\)$/,
    )
    expect(t.store.listOverrideRows().length).toBe(before)
  })
})

describe('preview', () => {
  it('shows the enterprises, revenue and rule rows a pending override changes', async () => {
    const res = await call(t.app, 'GET', '/v1/overrides/yuyao_2026_gas/preview?year=2024', {
      token: t.tokens.bureau,
    })
    expect(res.status).toBe(200)
    const p = (await res.json()) as {
      rules: { section: string; id: string }[]
      revenue: Record<string, { before: string; after: string; change: string }>
      pricedFrom: string
    }
    // The override starts in 2026: the preview prices 2026 with the 2024 evaluation's classes.
    expect(p.pricedFrom).toBe('2026-01-01')
    expect(p.rules.map((r) => `${r.section}.${r.id}`)).toEqual(['surcharges.class_gas'])
    expect(Number(p.revenue.gas.change)).toBeGreaterThan(0)
    expect(p.revenue.electricity.change).toBe('0.00')
    const q = (await (
      await call(t.app, 'GET', '/v1/overrides/cixi_2025_water/preview?year=2024', {
        token: t.tokens.county,
      })
    ).json()) as typeof p & {
      enterprises: {
        classBefore: string
        surcharge: Record<string, { before: string; after: string }>
      }[]
    }
    expect(q.rules).toEqual([])
  })

  it('computes revenue change for a draft that would change prices', async () => {
    const text = PROPOSAL.replaceAll('cixi_2025_water', 'cixi_2025_water2').replace(
      '"0.80"',
      '"0.90"',
    )
    // The filed cixi_2025_water already replaced class_water; this second draft would replace it again.
    const res = await call(t.app, 'POST', '/v1/overrides', {
      token: t.tokens.county,
      body: { text },
    })
    expect(res.status).toBe(201)
    const p = (await (
      await call(t.app, 'GET', '/v1/overrides/cixi_2025_water2/preview?year=2024', {
        token: t.tokens.county,
      })
    ).json()) as {
      rules: { section: string; id: string }[]
      enterprises: {
        classBefore: string
        surcharge: Record<string, { before: string; after: string }>
      }[]
      revenue: Record<string, { change: string }>
    }
    expect(p.rules.map((r) => `${r.section}.${r.id}`)).toEqual(['surcharges.class_water'])
    const cFirms = p.enterprises.filter((e) => e.classBefore === 'C')
    expect(cFirms.length).toBeGreaterThan(0)
    // In force: C 0.80, D 1.50 (the filed override as edited); the draft: C 0.90, D 1.60 → every C and D firm using water.
    expect(
      p.enterprises.every((e) => ['C', 'D'].includes(e.classBefore) && e.surcharge.water),
    ).toBe(true)
    expect(Number(p.revenue.water.change)).toBeGreaterThan(0)
    expect(p.revenue.electricity.change).toBe('0.00')

    // Previews are cached until the next write: editing the draft shows at once.
    const url = '/v1/overrides/cixi_2025_water2/preview?year=2024'
    const again = await call(t.app, 'GET', url, { token: t.tokens.county })
    expect(((await again.json()) as typeof p).revenue.water.change).toBe(p.revenue.water.change)
    const draft = await call(t.app, 'GET', '/v1/overrides/cixi_2025_water2', {
      token: t.tokens.county,
    })
    const edited = await call(t.app, 'PUT', '/v1/overrides/cixi_2025_water2', {
      token: t.tokens.county,
      body: { text: text.replace('"0.90"', '"0.80"') },
      headers: { 'if-match': draft.headers.get('etag')! },
    })
    expect(edited.status).toBe(200)
    const after = (await (await call(t.app, 'GET', url, { token: t.tokens.county })).json()) as {
      rules: unknown[]
      revenue: Record<string, { change: string }>
    }
    // C back at 0.80 as in force; only D (1.60 vs 1.50) still changes, so less revenue than before the edit.
    expect(Number(after.revenue.water.change)).toBeLessThan(Number(p.revenue.water.change))
  })
})

describe('disk and database stay consistent', () => {
  it('mujun rules export writes YAML that rules check accepts, and importing it changes nothing', async () => {
    const out = join(tempDir('export'), 'ningbo')
    const logs: string[] = []
    const io = { out: (s: string) => logs.push(s), err: (s: string) => logs.push(s) }
    t.store.db.$client.pragma('wal_checkpoint(FULL)')
    expect(await runCli(['rules', 'export', '--db', dbPath, '--out', out], io)).toBe(0)
    const texts = readRuleTexts(out)
    expect(texts.map((x) => x.path)).toContain('counties/cixi_2025_water.yaml')
    expect(t.services.rulebooks.drift(texts)).toEqual({
      versionId: t.services.rulebooks.active().id,
      city: [],
      overrides: [],
    })
    expect(await runCli(['rules', 'check', out], io)).toBe(0)
    const again = t.services.rulebooks.importCity(
      principalOf(t, t.tokens.bureau),
      texts,
      're-import',
      {
        countyFiles: 'ignore',
      },
    )
    expect([again.created, again.activated]).toEqual([false, false])
    expect(again.ignored).toContain('counties/cixi_2025_water.yaml')
  })
})

describe('supersede', () => {
  it('a filed successor ends the override it supersedes on its own start date', async () => {
    // The Cixi override filed (a test fixture; the shipped one is a draft).
    const a = createTestApp({ size: 200, rules: ningboWithFiledCixi() })
    const text = `override:
  id: cixi_2026_electricity
  county: "330282"
  label: 慈溪市差别电价（2026年起 D类0.50）
  status: draft
  from: 2026-01-01
  supersedes: cixi_2024_electricity
  source: { document: 慈溪市拟定方案 }
replace:
  surcharges:
    - id: class_electricity
      label: 慈溪市亩均评价C、D类企业差别电价（2026）
      from: 2026-01-01
      resource: electricity
      basis: class
      source: { document: 慈溪市拟定方案 }
      rates:
        - { class: C, rate: "0.25" }
        - { class: D, rate: "0.50" }
`
    const go = (path: string, token: string, body: unknown) =>
      call(a.app, 'POST', path, { token, body })
    expect((await go('/v1/overrides', a.tokens.county, { text })).status).toBe(201)
    expect(
      (await go('/v1/overrides/cixi_2026_electricity/submit', a.tokens.county, {})).status,
    ).toBe(200)
    expect(
      (
        await go('/v1/overrides/cixi_2026_electricity/approve', a.tokens.bureau, {
          ref: '甬政函〔2025〕9号',
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await go('/v1/overrides/cixi_2026_electricity/file', a.tokens.bureau, {
          ref: '浙发改备〔2025〕9号',
        })
      ).status,
    ).toBe(200)
    const old = a.services.overrides.get(principalOf(a, a.tokens.bureau), 'cixi_2024_electricity')
    expect(old.to).toBe('2026-01-01')
    expect(old.text).toContain('to: 2026-01-01')
    const { rulebook } = a.services.rulebooks.active()
    const { resolve } = await import('../src/rulebook/resolve.ts')
    const rate = (date: string) =>
      ratesOf(
        resolve(rulebook, '330282', date).sections.surcharges.find(
          (s) => s.id === 'class_electricity',
        ),
      )?.map((r) => `${r.class}:${r.rate}`)
    expect(rate('2025-12-31')).toEqual(['C:0.20', 'D:0.40'])
    expect(rate('2026-01-01')).toEqual(['C:0.25', 'D:0.50'])
  })
})
