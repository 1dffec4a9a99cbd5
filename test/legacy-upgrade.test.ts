// A database written before overrides were records (see test/support/make-legacy-db.mts) is upgraded in place:
// migrations keep the old status history, and the first start moves the county files out of the city version into
// override records, once, audited; nothing is lost.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { createServices } from '../src/app/services.ts'
import { createDb } from '../src/db/client.ts'
import { Store } from '../src/db/store.ts'
import { tempDir } from './support/tmp.ts'

it('an old database keeps its overrides, their statuses and their history', () => {
  const path = join(tempDir('legacy'), 'old.db')
  writeFileSync(
    path,
    gunzipSync(readFileSync(new URL('./fixtures/legacy-before-records.db.gz', import.meta.url))),
  )
  const store = new Store(createDb(path))
  const s = createServices(store)
  const before = store.listRulebookVersions()
  expect(before.map((v) => [v.id, v.active])).toEqual([
    [3, true],
    [2, false],
    [1, false],
  ])
  const up = s.rulebooks.upgradeLegacy('upgrade')
  expect(up.moved.sort()).toEqual(['cixi_2024_electricity', 'cixi_2026_water', 'yuyao_2026_gas'])
  expect(store.listOverrideRows().map((o) => [o.id, o.status])).toEqual([
    ['cixi_2024_electricity', 'filed'],
    ['cixi_2026_water', 'submitted'],
    ['yuyao_2026_gas', 'submitted'],
  ])
  const v = store.getRulebookVersion(up.versionId!)
  expect(v.files.some((f) => f.path.startsWith('counties/'))).toBe(false)
  // An export writes each moved override under the file it was moved out of.
  const county = (files: { path: string }[]) =>
    files.map((f) => f.path).filter((p) => p.startsWith('counties/'))
  expect(county(s.rulebooks.exportFiles().files).sort()).toEqual(
    county(store.getRulebookVersion(3).files).sort(),
  )
  expect(store.rulesHead()?.versionId).toBe(up.versionId)
  // The old status history is still there, renamed, and the move is in the audit log.
  const legacy = store.db.$client
    .prepare('select override_id, to_status from legacy_override_events order by id')
    .all()
  expect(legacy).toEqual([
    { override_id: 'cixi_2026_water', to_status: 'draft' },
    { override_id: 'cixi_2026_water', to_status: 'submitted' },
  ])
  expect(store.listAudit({ subject: 'override/' }).map((e) => e.action)).toContain(
    'override.import',
  )
  // The rules in force are what they were: the filed Cixi override still prices a 2025 Cixi bill.
  const run = store.publishedRun(2024)!
  const firm = store
    .runResults(run.id, { county: '330282' })
    .find((r) => r.class === 'D' || r.class === 'C')!
  const bureau = { role: 'bureau' as const, scope: '', label: 'test', tokenId: 0 }
  const q = s.pricing.quote(bureau, {
    creditCode: firm.creditCode,
    resource: 'electricity',
    quantity: '1000',
    from: '2025-01-01',
    to: '2025-02-01',
  })
  expect(q.overrides).toEqual(['cixi_2024_electricity'])
  expect(q.total).toBe(firm.class === 'D' ? '400.00' : '200.00')
  // Its results were stored whole, before results were compact: they are shown as they were stored, trace and
  // figures included (migration 0006 kept them as `legacy`), and pricing read those figures above.
  const row = store.runResult(run.id, firm.creditCode)!
  expect(row.legacy).toMatchObject({ creditCode: firm.creditCode, class: firm.class })
  const shown = s.evaluations.stored(store.getRun(run.id), row)
  expect(shown).toEqual(row.legacy)
  expect(shown.trace.indicators.length).toBeGreaterThan(0)
  expect(Object.keys(shown.figures ?? {}).length).toBeGreaterThan(3)
  // Once only.
  expect(s.rulebooks.upgradeLegacy('upgrade').moved).toEqual([])
})
