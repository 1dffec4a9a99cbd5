/**
 * One rule for time, for every act that changes a price: an act may change answers only from its own day on
 * (Ningbo date). Changing an answer for an earlier day is a correction: its reason and document (文号) are
 * required, its preview must have been asked for on the state it changes (the preview's digest names that state),
 * and it is audited as a correction. Everything else that reaches back is refused with a code naming the items,
 * the first day affected and the change.
 * @module app/correction
 */
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { Store } from '../db/store.ts'
import { MujunError } from '../errors.ts'

export const CorrectionSchema = z
  .object({
    reason: z.string().trim().min(3).max(2000),
    /** The document that orders or records the correction (文号). */
    document: z.string().trim().min(2).max(200),
    /** The digest a preview of this act answered with: proof it was seen on the state it corrects. */
    preview: z.string().regex(/^[0-9a-f]{16}$/),
  })
  .strict()
export type Correction = z.infer<typeof CorrectionSchema>

/** What reaches back: the first day an answer changes and the items (or records) that change it. */
export interface Reach {
  firstDay: string | null
  items: readonly unknown[]
}

/**
 * A digest of an act on the current state: a preview answers with it, and a correction must bring it back. Any
 * write since (the audit log moved) makes it stale.
 */
export function actDigest(store: Store, act: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify({ act, state: store.auditHead() }))
    .digest('hex')
    .slice(0, 16)
}

/**
 * Refuses an act that reaches before `today` unless it comes as a correction of this very act, previewed on this
 * state. Returns the correction record to store and audit (undefined when the act does not reach back).
 */
export function checkReach(
  store: Store,
  code: string,
  what: string,
  reach: Reach,
  today: string,
  act: Record<string, unknown>,
  correction: Correction | undefined,
): (Correction & { firstDay: string; items: readonly unknown[] }) | undefined {
  if (reach.firstDay === null || reach.firstDay >= today) return undefined
  const firstDay = reach.firstDay === '0000-01-01' ? 'every day (an undated part)' : reach.firstDay
  if (!correction)
    throw new MujunError(
      code,
      `${what} would change answers from ${firstDay}, before today (${today}). Make it from ${today} or later, or make it as a correction: preview it, then send correction {reason, document (文号), preview (the preview's digest)}`,
      { status: 422, details: { firstDay: reach.firstDay, today, items: reach.items } },
    )
  const parsed = CorrectionSchema.safeParse(correction)
  if (!parsed.success)
    throw new MujunError(
      'CORRECTION_INVALID',
      `a correction needs a reason (3 characters or more), the document that orders it (文号) and the digest of its preview: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'correction'}: ${i.message}`).join('; ')}`,
      { status: 422 },
    )
  const digest = actDigest(store, act)
  if (parsed.data.preview !== digest)
    throw new MujunError(
      'PREVIEW_STALE',
      `the preview ${parsed.data.preview} was not made for this ${what} on the data as it is now (something changed since, or the act differs): preview it again`,
      { status: 409 },
    )
  return { ...parsed.data, firstDay: reach.firstDay, items: reach.items }
}
