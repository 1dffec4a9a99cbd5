/**
 * The money end to end over HTTP: a utility reports a billing run's surcharges as collected and the ledger's totals
 * equal the bills' (by firm, county and month); CSV uploads and their refusals (nothing half-written); the yearly
 * refund run through notice and publication, and its refunds in the ledger as returned.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { Money } from '../src/pricing/money.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'

let t: TestApp
/** The demo's firms with their county and their 2024 electricity surcharge on 10,000 kWh a month. */
let firms: { code: string; county: string }[]
const MONTHS = ['2024-01', '2024-02', '2024-03']
const next = (m: string) => {
  const [y, mm] = m.split('-').map(Number)
  return mm === 12 ? `${y + 1}-01-01` : `${y}-${String(mm + 1).padStart(2, '0')}-01`
}
const requests = (codes: string[], months = MONTHS) =>
  codes.flatMap((creditCode) =>
    months.map((m) => ({
      creditCode,
      resource: 'electricity',
      quantity: '10000',
      from: `${m}-01`,
      to: next(m),
    })),
  )
const ndjson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n')
const csvBody = (lines: string[]) => ({
  raw: lines.join('\n'),
  headers: { 'content-type': 'text/csv' },
})

beforeAll(() => {
  t = createTestApp({ size: 120 })
  const all = t.store
    .listEnterprises({ limit: 200, offset: 0 })
    .rows.map((e) => ({ code: e.creditCode, county: e.county }))
  // Cixi's firms first (the refund rule is Cixi's), then the others.
  firms = [...all.filter((f) => f.county === '330282'), ...all.filter((f) => f.county !== '330282')]
})

describe('collections from a billing run', () => {
  let bills: { creditCode: string; county: string; from: string; total: string }[]

  it('records the run, and the ledger totals equal the sums of the bills by firm, county and month', async () => {
    const asked = requests(firms.slice(0, 60).map((f) => f.code))
    const quoted = await call(t.app, 'POST', '/v1/bills', { token: t.tokens.utility, body: asked })
    expect(quoted.status).toBe(200)
    // The billing run as the utility sends it on: the firms that have a class (the others' bills are refused).
    const answers = (await quoted.json()) as (typeof bills)[number][]
    const body = asked.filter((_, i) => answers[i].total !== undefined)
    bills = answers.filter((b) => b.total !== undefined)
    expect(body.length).toBeGreaterThan(150)
    const paying = bills.filter((b) => b.total !== '0.00')
    expect(paying.length).toBeGreaterThan(3)

    const recorded = await call(t.app, 'POST', '/v1/collections', {
      token: t.tokens.utility,
      raw: ndjson(body),
      headers: { 'content-type': 'application/x-ndjson' },
    })
    expect(recorded.status).toBe(201)
    const r = (await recorded.json()) as { bills: number; created: number; total: string }
    expect(r.bills).toBe(body.length)
    expect(r.created).toBe(paying.length)

    const sum = (xs: string[]) => xs.reduce((a, x) => a.plus(x), new Money(0)).toFixed(2)
    const byKey = (key: (b: (typeof bills)[number]) => string) => {
      const m = new Map<string, string[]>()
      for (const b of bills) m.set(key(b), [...(m.get(key(b)) ?? []), b.total])
      return new Map([...m].map(([k, v]) => [k, sum(v)]))
    }
    // Each bill covers one calendar month: the month of its last day billed is the month it starts in.
    const billMonth = (b: { from: string }) => b.from.slice(0, 7)
    expect(r.total).toBe(sum(bills.map((b) => b.total)))

    const ledger = async (q: string) =>
      (await (await call(t.app, 'GET', `/v1/ledger?${q}`, { token: t.tokens.bureau })).json()) as {
        rows: {
          county: string
          creditCode?: string
          month: string
          collected: string
          returned: string
          held: string
        }[]
        totals: { collected: string; returned: string; held: string }
      }
    const firmRows = await ledger('year=2024&by=firm')
    const wantFirm = byKey((b) => `${b.creditCode}|${billMonth(b)}`)
    const gotFirm = new Map(firmRows.rows.map((x) => [`${x.creditCode}|${x.month}`, x.collected]))
    for (const [k, v] of wantFirm) expect(gotFirm.get(k) ?? '0.00', k).toBe(v)
    expect(firmRows.rows.every((x) => x.returned === '0.00' && x.held === x.collected)).toBe(true)

    const countyRows = await ledger('year=2024')
    const wantCounty = byKey((b) => `${b.county}|${billMonth(b)}`)
    const gotCounty = new Map(countyRows.rows.map((x) => [`${x.county}|${x.month}`, x.collected]))
    for (const [k, v] of wantCounty) if (v !== '0.00') expect(gotCounty.get(k), k).toBe(v)
    expect(countyRows.rows.length).toBe([...wantCounty.values()].filter((v) => v !== '0.00').length)
    expect(countyRows.totals.collected).toBe(sum(bills.map((b) => b.total)))

    for (const m of MONTHS) {
      const month = await ledger(`month=${m}`)
      expect(month.totals.collected).toBe(
        sum(bills.filter((b) => billMonth(b) === m).map((b) => b.total)),
      )
    }
  })

  it('refuses a second report of the same firm, month and resource, and replaces it only as a correction', async () => {
    const paying = bills.find((b) => b.total !== '0.00')!
    const body = requests([paying.creditCode], ['2024-01'])
    const again = await call(t.app, 'POST', '/v1/collections', { token: t.tokens.utility, body })
    expect(again.status).toBe(409)
    expect(((await again.json()) as { code: string }).code).toBe('COLLECTION_EXISTS')
    const half = await call(
      t.app,
      'POST',
      '/v1/collections?reason=meter%20misread&document=慈供电〔2024〕1号',
      {
        token: t.tokens.utility,
        body: [{ ...body[0], quantity: '5000' }],
      },
    )
    expect(half.status).toBe(201)
    expect(((await half.json()) as { replaced: number }).replaced).toBe(1)
    const rows = (await (
      await call(t.app, 'GET', `/v1/collections?creditCode=${paying.creditCode}&month=2024-01`, {
        token: t.tokens.utility,
      })
    ).json()) as { rows: { amount: string; version: number; correction: { before: string } }[] }
    expect(rows.rows[0].version).toBe(2)
    expect(rows.rows[0].correction.before).not.toBe(rows.rows[0].amount)
  })

  it('refuses a run with one bad request (its line named) and records nothing', async () => {
    const before = (await (
      await call(t.app, 'GET', '/v1/ledger', { token: t.tokens.bureau })
    ).json()) as { totals: { collected: string } }
    const body = [
      ...requests([firms[70].code], ['2024-05']),
      {
        creditCode: firms[71].code,
        resource: 'steam',
        quantity: '1',
        from: '2024-05-01',
        to: '2024-06-01',
      },
    ]
    const res = await call(t.app, 'POST', '/v1/collections', { token: t.tokens.utility, body })
    expect(res.status).toBe(422)
    const problem = (await res.json()) as {
      code: string
      detail: string
      details: { lines: { line: number }[] }
    }
    expect(problem.code).toBe('BILLS_INVALID')
    expect(problem.details.lines.map((d) => d.line)).toEqual([2])
    expect(problem.detail).toMatch(/unknown resource 'steam'/)
    const after = (await (
      await call(t.app, 'GET', '/v1/ledger', { token: t.tokens.bureau })
    ).json()) as { totals: { collected: string } }
    expect(after.totals.collected).toBe(before.totals.collected)
  })
})

describe('collections from a CSV upload', () => {
  const total = async () =>
    (
      (await (await call(t.app, 'GET', '/v1/ledger', { token: t.tokens.bureau })).json()) as {
        totals: { collected: string }
      }
    ).totals.collected

  it('takes Chinese headers and resource names, in exact yuan', async () => {
    const before = await total()
    const res = await call(t.app, 'POST', '/v1/collections:import', {
      token: t.tokens.utility,
      ...csvBody([
        '统一社会信用代码,月份,资源,征收金额（元）',
        `${firms[80].code},2024-06,电力,1234.56`,
        `${firms[81].code},2024-06,水,0.1`,
      ]),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ rows: 2, created: 2, total: '1234.66' })
    expect(new Money(await total()).minus(before).toFixed(2)).toBe('1234.66')
  })

  it('refuses a bad row by its row number, and stores nothing of the good ones', async () => {
    const before = await total()
    const cases: [string, RegExp][] = [
      [`${firms[90].code},2024-07,electricity,-5.00`, /row 3 column amount: .*negative/],
      ['91330282MA2000001X,2024-07,electricity,5.00', /row 3 column credit_code: /],
      [`${firms[90].code},2024-07,steam,5.00`, /row 3 column resource: unknown resource 'steam'/],
      [`${firms[90].code},2024-07,electricity,5.001`, /row 3 column amount: /],
      [`${firms[90].code},2099-07,electricity,5.00`, /row 3 column month: .*has not begun/],
    ]
    for (const [bad, message] of cases) {
      const res = await call(t.app, 'POST', '/v1/collections:import', {
        token: t.tokens.utility,
        ...csvBody([
          'credit_code,month,resource,amount',
          `${firms[91].code},2024-07,electricity,10.00`,
          bad,
        ]),
      })
      expect(res.status, bad).toBe(422)
      const p = (await res.json()) as { code: string; detail: string }
      expect(p.code).toBe('CSV_INVALID')
      expect(p.detail).toMatch(message)
      expect(p.detail).toMatch(/nothing was recorded/)
    }
    expect(await total()).toBe(before)
    const none = (await (
      await call(t.app, 'GET', `/v1/collections?creditCode=${firms[91].code}`, {
        token: t.tokens.bureau,
      })
    ).json()) as { rows: unknown[] }
    expect(none.rows).toEqual([])
  })
})

describe('scopes of the ledger', () => {
  it('a county sees its own firms, an enterprise its own, a utility what it reported', async () => {
    const county = (await (
      await call(t.app, 'GET', '/v1/ledger?by=firm', { token: t.tokens.county })
    ).json()) as { rows: { county: string }[] }
    expect(county.rows.length).toBeGreaterThan(0)
    expect(new Set(county.rows.map((r) => r.county))).toEqual(new Set(['330282']))
    const other = await call(t.app, 'GET', '/v1/ledger?county=330203', { token: t.tokens.county })
    expect(other.status).toBe(403)
    const own = (await (
      await call(t.app, 'GET', '/v1/ledger?by=firm', { token: t.tokens.enterprise })
    ).json()) as { rows: { creditCode: string }[] }
    expect(own.rows.every((r) => r.creditCode === t.tokens.creditCode)).toBe(true)
    const someoneElse = t.store.createToken('utility', '', 'another utility', { by: 'test' }).token
    const nothing = (await (
      await call(t.app, 'GET', '/v1/ledger', { token: someoneElse })
    ).json()) as { totals: { collected: string } }
    expect(nothing.totals.collected).toBe('0.00')
  })
})

describe('the yearly refund run', () => {
  const economy = () => t.tokens.economy
  it('is refused before the next year’s evaluation is published', async () => {
    const res = await call(t.app, 'POST', '/v1/refunds', { token: economy(), body: { year: 2025 } })
    expect(res.status).toBe(422)
    const p = (await res.json()) as { code: string; detail: string }
    expect(p.code).toBe('NO_PUBLISHED_RUN')
    expect(p.detail).toMatch(/evaluation of 2025 .* is not published/)
  })

  it('runs, goes through notice, is published (audited), and its refunds enter the ledger as returned', async () => {
    // Run as a job: answered at once with the job to poll, its result the draft run.
    const started = await call(t.app, 'POST', '/v1/refunds', {
      token: economy(),
      body: { year: 2024 },
      headers: { prefer: 'respond-async' },
    })
    expect(started.status).toBe(202)
    const job = (await started.json()) as { id: string; kind: string }
    expect(job.kind).toBe('refund')
    let polled: { status: string; result: unknown } = { status: 'running', result: null }
    for (let i = 0; i < 50 && polled.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20))
      polled = (await (
        await call(t.app, 'GET', `/v1/jobs/${job.id}`, { token: economy() })
      ).json()) as typeof polled
    }
    expect(polled.status).toBe('done')
    const run = polled.result as { id: number; status: string; total: string; paid: string }
    expect(run.status).toBe('draft')
    // The demo's Cixi firm rated C for 2023 and B for 2024 paid in 2024 and gets three tenths back.
    expect(new Money(run.total).gt(0)).toBe(true)
    const detail = (await (
      await call(t.app, 'GET', `/v1/refunds/${run.id}`, { token: economy() })
    ).json()) as {
      items: {
        county: string
        classBefore: string
        classAfter: string
        paid: string
        amount: string
        share: string | null
      }[]
    }
    // Every refund is its share of what the firm paid, to the fen, and only Cixi's improved firms get one.
    for (const i of detail.items) {
      if (i.amount === '0.00') continue
      expect(i.county).toBe('330282')
      expect(i.amount).toBe(
        new Money(i.paid).times(i.share!).toDecimalPlaces(2, Money.ROUND_HALF_UP).toFixed(2),
      )
    }
    expect(detail.items.reduce((a, i) => a.plus(i.amount), new Money(0)).toFixed(2)).toBe(run.total)

    const early = await call(t.app, 'POST', `/v1/refunds/${run.id}/publish`, { token: economy() })
    expect(early.status).toBe(409)
    const noticed = await call(t.app, 'POST', `/v1/refunds/${run.id}/notice`, { token: economy() })
    expect(noticed.status).toBe(200)
    const during = await call(t.app, 'POST', `/v1/refunds/${run.id}/publish`, { token: economy() })
    expect(during.status).toBe(409)
    t.advanceDays(10)
    const published = await call(t.app, 'POST', `/v1/refunds/${run.id}/publish`, {
      token: economy(),
    })
    expect(published.status).toBe(200)
    const pub = (await published.json()) as { publishedOn: string }
    const again = await call(t.app, 'POST', '/v1/refunds', {
      token: economy(),
      body: { year: 2024 },
    })
    expect(again.status).toBe(409)

    // Its items are its trace: the database refuses to change or remove them, whatever connection writes.
    expect(() =>
      t.store.db.$client.prepare('UPDATE refund_items SET amount_fen = 0').run(),
    ).toThrow('refund_items is append-only')
    expect(() => t.store.db.$client.prepare('DELETE FROM collections').run()).toThrow(
      'collections are never removed',
    )
    const audit = t.store.listAudit({ subject: `refund/${run.id}` }).map((a) => a.action)
    expect(audit.sort()).toEqual(['refund.notice', 'refund.publish', 'refund.run'])

    const ledger = (await (
      await call(t.app, 'GET', `/v1/ledger?month=${pub.publishedOn.slice(0, 7)}`, {
        token: t.tokens.bureau,
      })
    ).json()) as { totals: { returned: string; held: string; collected: string } }
    expect(ledger.totals.returned).toBe(run.total)
    expect(ledger.totals.held).toBe(new Money(ledger.totals.collected).minus(run.total).toFixed(2))
    // 2024 is closed by its published refund: a late report of one of its months is a correction.
    const refusedLate = await call(t.app, 'POST', '/v1/collections:import', {
      token: t.tokens.utility,
      ...csvBody([
        'credit_code,month,resource,amount',
        `${firms[100].code},2024-11,electricity,10.00`,
      ]),
    })
    expect(refusedLate.status).toBe(409)
    expect(((await refusedLate.json()) as { code: string }).code).toBe('COLLECTION_YEAR_REFUNDED')
    // The utility that reported every amount sees every refund on them; one that reported nothing sees none.
    const mine = (await (
      await call(t.app, 'GET', `/v1/ledger?month=${pub.publishedOn.slice(0, 7)}`, {
        token: t.tokens.utility,
      })
    ).json()) as { totals: { returned: string } }
    expect(mine.totals.returned).toBe(run.total)
    const other = t.store.createToken('utility', '', 'a third utility', { by: 'test' }).token
    const theirs = (await (
      await call(t.app, 'GET', `/v1/ledger?month=${pub.publishedOn.slice(0, 7)}`, { token: other })
    ).json()) as { totals: { returned: string } }
    expect(theirs.totals.returned).toBe('0.00')
  })
})

describe('the demo', () => {
  it('holds the power company’s 2024 bills of the demo county as collected, and their refund run in notice', async () => {
    const d = createTestApp({ size: 300, money: true })
    const ledger = (await (
      await call(d.app, 'GET', '/v1/ledger?year=2024', { token: d.tokens.economy })
    ).json()) as { rows: { county: string; month: string; collected: string; held: string }[] }
    expect(ledger.rows.map((r) => r.month)).toEqual(
      Array.from({ length: 12 }, (_, m) => `2024-${String(m + 1).padStart(2, '0')}`),
    )
    expect(new Set(ledger.rows.map((r) => r.county))).toEqual(new Set([d.tokens.countyCode]))
    // Every month's collected amount is the sum of the rows the utility reported for it (summed in fen, as text).
    const fen = (yuan: string) => BigInt(yuan.replace('.', ''))
    for (const r of ledger.rows) {
      const rows = (await (
        await call(d.app, 'GET', `/v1/collections?month=${r.month}&limit=500`, {
          token: d.tokens.utility,
        })
      ).json()) as { rows: { amount: string }[] }
      expect(rows.rows.length, r.month).toBeGreaterThan(0)
      expect(
        rows.rows.reduce((a, x) => a + fen(x.amount), 0n),
        r.month,
      ).toBe(fen(r.collected))
      expect(r.held).toBe(r.collected)
    }
    const runs = (await (
      await call(d.app, 'GET', '/v1/refunds', { token: d.tokens.economy })
    ).json()) as { rows: { id: number; year: number; status: string }[] }
    expect(runs.rows.map((r) => [r.year, r.status])).toEqual([[2024, 'notice']])
  })
})
