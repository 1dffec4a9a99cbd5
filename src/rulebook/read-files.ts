/**
 * Reads rule file texts: YAML parsed with positions, keys checked, each file checked against its schema (a city
 * section file or a county override). A file that fails its schema keeps its valid items (see salvage).
 * @module rulebook/read-files
 */
import { isCollection, LineCounter, parseDocument, visit } from 'yaml'
import type { z } from 'zod'
import type { RuleProblem } from '../errors.ts'
import { describeIssue, salvage } from './locate.ts'
import { type OverrideFile, OverrideFileSchema, type RuleFile, RuleFileSchema } from './schema.ts'
import type { Located, Reporter, RuleText } from './types.ts'

/** True for a county override file (under a `counties/` folder); every other rule file is a city file. */
export const isCountyFile = (path: string) => /(^|\/)counties\//.test(path)

/** The files read: city files, override files, and how many could not be read at all. */
export interface ReadFiles {
  cityFiles: { loc: Located; data: RuleFile }[]
  overrideFiles: { loc: Located; data: OverrideFile; text: string }[]
  /**
   * Problems of files that could not be read at all (YAML errors, keys that are maps): nothing of them is salvaged,
   * so cross-file checks would only echo them.
   */
  unreadable: number
}

/**
 * Reads `sorted` into city and override files, pushing each file's problems to `problems` (through `report` where a
 * path is known) and the ids of items a schema error kept out to `broken`.
 */
export function readRuleFiles(
  sorted: RuleText[],
  problems: RuleProblem[],
  report: Reporter,
  broken: Set<string>,
): ReadFiles {
  const cityFiles: ReadFiles['cityFiles'] = []
  const overrideFiles: ReadFiles['overrideFiles'] = []
  let unreadable = 0
  for (const t of sorted) {
    const lc = new LineCounter()
    const doc = parseDocument(t.text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false })
    const loc: Located = { file: t.path, doc, lc }
    if (doc.errors.length > 0) {
      // Later YAML errors are mostly echoes of the first; report the first one, precisely.
      const err = doc.errors[0]
      const { line, col } = lc.linePos(err.pos[0])
      problems.push({
        file: t.path,
        line,
        col,
        path: '',
        message: `YAML: ${err.message.split('\n')[0]}`,
      })
      unreadable++
      continue
    }
    // A key that is itself a map or list is never meant: report it instead of letting it be stringified.
    let badKey: number | undefined
    visit(doc, {
      Pair(_, pair) {
        if (isCollection(pair.key)) {
          badKey = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0
          return visit.BREAK
        }
      },
    })
    if (badKey !== undefined) {
      const { line, col } = lc.linePos(badKey)
      problems.push({
        file: t.path,
        line,
        col,
        path: '',
        message: 'YAML: a key must be a plain name, not a map or a list',
      })
      unreadable++
      continue
    }
    let raw: unknown
    try {
      raw = doc.toJS({ maxAliasCount: 50 })
    } catch (e) {
      // Unresolved or exploding aliases: point at the offending alias.
      let at = 0
      visit(doc, {
        Alias(_, node) {
          if (!node.resolve(doc) || at === 0) at = node.range?.[0] ?? 0
          if (!node.resolve(doc)) return visit.BREAK
        },
      })
      const { line, col } = lc.linePos(at)
      problems.push({ file: t.path, line, col, path: '', message: `YAML: ${(e as Error).message}` })
      unreadable++
      continue
    }
    const isOverride = isCountyFile(t.path)
    const schema: z.ZodType = isOverride ? OverrideFileSchema : RuleFileSchema
    const parsed = schema.safeParse(raw ?? {}, { reportInput: true })
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path as (string | number)[]
        report(
          loc,
          issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]] : path,
          describeIssue(issue, { schema, input: raw }),
        )
      }
      // The file's valid items still take part in the cross-file checks, so a schema error and a wrong reference
      // elsewhere are reported in one run; the ids of its broken items are remembered so that references to them
      // are not reported as unknown too.
      if (!isOverride) {
        const salvaged = salvage(raw, broken)
        if (salvaged) cityFiles.push({ loc, data: salvaged })
      }
      continue
    }
    if (isOverride) overrideFiles.push({ loc, data: parsed.data as OverrideFile, text: t.text })
    else cityFiles.push({ loc, data: parsed.data as RuleFile })
  }
  return { cityFiles, overrideFiles, unreadable }
}
