import { readFileSync } from 'node:fs'
import { formatRuleProblem, RulebookError } from '../../src/errors.ts'
import { compileRulebook, type RuleText } from '../../src/rulebook/compile.ts'
import { readRuleTexts } from '../../src/rulebook/load.ts'

export const NINGBO_DIR = new URL('../../rules/ningbo', import.meta.url).pathname
export const ningboTexts = (): RuleText[] => readRuleTexts(NINGBO_DIR)
export const ningbo = () => compileRulebook(ningboTexts())

/**
 * A test fixture, not a shipped rule: the Cixi draft as if approved and filed (placeholder references and amounts),
 * so tests can show a filed override changing quotes from its date.
 */
export const FILED_CIXI = readFileSync(
  new URL('../fixtures/overrides/cixi-2024-electricity-filed.yaml', import.meta.url),
  'utf8',
)
/**
 * The invented example proposal (docs/examples/counties/yuyao-2026-gas.yaml, a submitted county override that no
 * office made), as a rule text: not shipped in rules/, so tests that need a pending proposal add it.
 */
export const EXAMPLE_PROPOSAL: RuleText = {
  path: 'counties/yuyao-2026-gas.yaml',
  text: readFileSync(
    new URL('../../docs/examples/counties/yuyao-2026-gas.yaml', import.meta.url),
    'utf8',
  ),
}
/** The Ningbo files with the example proposal added. */
export const ningboWithExample = (): RuleText[] => [...ningboTexts(), EXAMPLE_PROPOSAL]
/** The Ningbo files with the Cixi override filed (FILED_CIXI in place of the shipped draft) and the example proposal. */
export const ningboWithFiledCixi = (): RuleText[] => [
  ...ningboTexts().map((t) =>
    t.path === 'counties/cixi-2024-electricity.yaml' ? { ...t, text: FILED_CIXI } : t,
  ),
  EXAMPLE_PROPOSAL,
]

/** The Ningbo files with one text edit applied (the `find` text must occur exactly once), or a file added. */
export function edited(file: string, find: string | null, replace: string): RuleText[] {
  const texts = ningboTexts()
  const t = texts.find((x) => x.path === file)
  if (!t) return [...texts, { path: file, text: replace }]
  if (find === null) return texts.map((x) => (x === t ? { ...x, text: replace } : x))
  const count = t.text.split(find).length - 1
  if (count !== 1) throw new Error(`'${find}' occurs ${count} times in ${file}`)
  return texts.map((x) => (x === t ? { ...x, text: t.text.replace(find, replace) } : x))
}

/** The Ningbo files with several edits applied to one file. */
export function editedAll(file: string, pairs: [string, string][]): ReturnType<typeof ningboTexts> {
  let texts = ningboTexts()
  for (const [a, b] of pairs) {
    const t = texts.find((x) => x.path === file)!
    if (t.text.split(a).length !== 2) throw new Error(`'${a}' must occur once in ${file}`)
    texts = texts.map((x) => (x === t ? { ...x, text: t.text.replace(a, b) } : x))
  }
  return texts
}

/** Compiles and returns the formatted problems (empty when the rulebook is valid). */
export function problemsOf(texts: RuleText[]): string[] {
  try {
    compileRulebook(texts)
    return []
  } catch (e) {
    if (e instanceof RulebookError) return e.problems.map(formatRuleProblem)
    throw e
  }
}

/** The `class: rate` rows of a class or category schedule (none for the other kinds or no schedule). */
export function ratesOf(
  s: { basis: string; rates?: { class?: string; category?: string; rate: string }[] } | undefined,
) {
  return s && 'rates' in s && s.rates ? s.rates : undefined
}
