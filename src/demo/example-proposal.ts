/**
 * The demo's pending county proposal: an invented example kept outside the shipped rules
 * (docs/examples/counties/yuyao-2026-gas.yaml), recorded in the demo database only, so the demo has a proposal to
 * preview, approve or reject without the shipped data attributing an act to a real office.
 * @module demo/example-proposal
 */
import { readFileSync } from 'node:fs'
import { importOverride } from '../app/rulebook-imports.ts'
import type { Services } from '../app/services.ts'
import { compileRulebook } from '../rulebook/compile.ts'

export const EXAMPLE_PROPOSAL_FILE = 'docs/examples/counties/yuyao-2026-gas.yaml'
export const EXAMPLE_PROPOSAL_ID = 'yuyao_2026_gas'

/** The example's text, read from the repository. */
export const exampleProposalText = (): string =>
  readFileSync(new URL(`../../${EXAMPLE_PROPOSAL_FILE}`, import.meta.url), 'utf8')

/** Records the example as a submitted proposal (audited as the demo's), unless a record of that id exists. */
export function seedExampleProposal(services: Services): void {
  const { store, rulebooks } = services
  if (store.overrideRow(EXAMPLE_PROPOSAL_ID)) return
  const city = rulebooks.active().rulebook.files
  const rb = compileRulebook([
    ...city,
    { path: 'counties/yuyao-2026-gas.yaml', text: exampleProposalText() },
  ])
  const o = rb.overrides.find((x) => x.id === EXAMPLE_PROPOSAL_ID)!
  store.write((tx) =>
    importOverride(
      store,
      tx,
      o,
      'demo',
      `demo: the invented example ${EXAMPLE_PROPOSAL_FILE}, not an act of any office`,
    ),
  )
}
