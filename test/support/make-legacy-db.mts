// Makes test/fixtures/legacy-before-records.db.gz: a database written by mujun before overrides were records
// (commit cb1708d): the shipped rules and one proposed-and-submitted override inside city rulebook versions, with
// its status history in override_events. Run it from a checkout of that commit (it imports that commit's code):
//   git worktree add /tmp/base cb1708d && cp test/support/make-legacy-db.mts /tmp/base/ && cd /tmp/base && npm ci
//   OUT=$REPO/test/fixtures/legacy-before-records.db npx tsx make-legacy-db.mts && gzip -9 -n $OUT
import { rmSync } from 'node:fs'
import { createDb } from './src/db/client.ts'
import { Store } from './src/db/store.ts'
import { seedDemo } from './src/demo/seed.ts'
import { readRuleTexts } from './src/rulebook/load.ts'

const out = process.env.OUT ?? 'legacy-before-records.db'
rmSync('/tmp/legacy-src.db', { force: true })
rmSync(out, { force: true })
const db = createDb('/tmp/legacy-src.db')
const store = new Store(db, () => '2025-06-01T00:00:00.000Z')
store.saveRulebookVersion(readRuleTexts('rules/ningbo'), 'rules-dir', 'loaded')
seedDemo(store, 40)
const text = `override:
  id: cixi_2026_water
  county: "330282"
  label: 慈溪市差别水价（旧库草案）
  status: draft
  from: 2026-01-01
  source: { document: 慈溪市拟定方案 }
replace:
  surcharges:
    - id: class_water
      label: 慈溪市差别水价
      from: 2026-01-01
      resource: water
      basis: class
      source: { document: 慈溪市拟定方案 }
      rates:
        - { class: D, rate: "1.60" }
`
store.proposeOverride(text, 'county:330282', '330282')
store.transitionOverride(
  'cixi_2026_water',
  'submit',
  { by: 'county:330282' },
  'county:330282',
  '330282',
)
db.$client.exec(`VACUUM INTO '${out}'`)
console.log(`${store.listRulebookVersions().length} versions written to ${out}`)
