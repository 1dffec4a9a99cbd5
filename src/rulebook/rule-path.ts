/**
 * The names rule files are stored under: plain relative paths, so that a folder written from the database (`mujun
 * rules export`) holds every file inside it.
 * @module rulebook/rule-path
 */
import { MujunError } from '../errors.ts'

const SEGMENT = /^[A-Za-z0-9._-]+$/
/** The rule every stored rule file name follows, for messages. */
export const RULE_PATH_RULE =
  'a rule file is stored under a plain relative name: folders and a file name of A-Z a-z 0-9 . _ -, separated by /, ending .yaml or .yml'

/** What is wrong with `path` as the stored name of a rule file (`'../x.yaml' has a '..' folder`), or undefined. */
export function rulePathProblem(path: string): string | undefined {
  const why = reasonOf(path)
  return why && `'${path}' ${why}`
}

function reasonOf(path: string): string | undefined {
  if (path.length > 200) return 'is longer than 200 characters'
  if (path.includes('\\')) return 'holds a backslash'
  if (path.startsWith('/')) return 'is absolute'
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty part between slashes'
    if (segment === '.' || segment === '..') return `has a '${segment}' folder`
    if (!SEGMENT.test(segment))
      return `has a character other than A-Z a-z 0-9 . _ - in '${segment}'`
  }
  if (!/\.ya?ml$/.test(path)) return 'does not end .yaml or .yml'
}

/** Refuses rule files to be stored under any name but a plain relative one, naming each such file. */
export function checkRulePaths(paths: string[]): void {
  const problems = paths.map(rulePathProblem).filter((p) => p !== undefined)
  if (problems.length > 0)
    throw new MujunError(
      'RULE_PATH_INVALID',
      `rule file ${problems.join('; ')}: ${RULE_PATH_RULE}`,
      { status: 422 },
    )
}
