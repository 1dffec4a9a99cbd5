/**
 * Reads a rules folder from disk (the only I/O of the rulebook module) and compiles it.
 * @module rulebook/load
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { compileRulebook, type Rulebook, type RuleText } from './compile.ts'

/** Rule files under `dir` (recursively), as texts named relative to `dir`. Generated schema files are skipped. */
export function readRuleTexts(dir: string): RuleText[] {
  const out: RuleText[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name)
      if (statSync(full).isDirectory()) walk(full)
      else if (/\.ya?ml$/.test(name))
        out.push({
          path: relative(dir, full).split('\\').join('/'),
          text: readFileSync(full, 'utf8'),
        })
    }
  }
  walk(dir)
  return out
}

/** Loads the city rulebook in `dir` (e.g. `rules/ningbo`). Throws RulebookError with every problem found. */
export function loadRulebook(dir: string): Rulebook {
  return compileRulebook(readRuleTexts(dir))
}
