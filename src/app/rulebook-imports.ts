import type { Tx } from '../db/base-store.ts'
import { rulebookEtag } from '../db/rule-store.ts'
import type { Store } from '../db/store.ts'
import { PreconditionError } from '../errors.ts'
import { isCountyFile, type Override } from '../rulebook/compile.ts'

/**
 * The reasons of an override's first revision when it was read from a rule file. The file name is kept there (and
 * read back by `importedFileOf`), so that `rules export` writes the override under the name it was read from.
 */

export const loadedFrom = (file: string) => `loaded from ${file} with the first rule files`
export const movedFrom = (versionId: number, file: string) =>
  `moved out of rulebook version ${versionId} (${file})`
export const FILE_IN_REASON = [
  /^loaded from (\S+) with the first rule files$/,
  /^moved out of rulebook version \d+ \((\S+)\)$/,
]

/** The county file an override's first revision says it was read from, if it was read from one. */
export function importedFileOf(first: { action: string; reason: string }): string | undefined {
  if (first.action !== 'import') return undefined
  const file = FILE_IN_REASON.map((re) => re.exec(first.reason)?.[1]).find(Boolean)
  return file && isCountyFile(file) ? file : undefined
}

/** If-Match against the version in force: required (428) when asked for, refused when stale (412). */
export function checkRulesEtag(
  head: { versionId: number; activationId: number } | undefined,
  options: { ifMatch?: string; requireIfMatch?: boolean },
): void {
  const current = head ? rulebookEtag(head.versionId, head.activationId) : undefined
  if (!current) return
  if (options.requireIfMatch && options.ifMatch === undefined)
    throw new PreconditionError(
      `a new version replaces the one in force: send If-Match: ${current}`,
      428,
    )
  if (options.ifMatch !== undefined && options.ifMatch !== current)
    throw new PreconditionError(
      `If-Match ${options.ifMatch} is stale; the version in force is ${current}`,
      412,
    )
}

/** An override read from a file becomes a record with the status its file states (its first revision). */
export function importOverride(
  store: Store,
  tx: Tx,
  o: Override,
  by: string,
  reason: string,
): void {
  store.writeOverride(
    tx,
    {
      id: o.id,
      county: o.county,
      status: o.status,
      text: o.text,
      action: 'import',
      fromStatus: null,
      by,
      reason,
    },
    0,
  )
}
