/**
 * The county-override state machine: draft → submitted → approved (city) → filed (province) → in force from its
 * date; or rejected / withdrawn. Pure: an override file's text in, the edited text out (comments kept).
 * @module rulebook/override-workflow
 */
import { parseDocument } from 'yaml'
import { MujunError } from '../errors.ts'
import type { OverrideStatus } from './schema.ts'

export type OverrideAction = 'submit' | 'approve' | 'reject' | 'file' | 'withdraw'

export interface Decision {
  /** Decision or filing reference (文号), required for approve, reject and file. */
  ref?: string
  /** ISO date of the decision; defaults to today. */
  date: string
  by: string
  reason?: string
}

/** Which status each action needs, and what it leads to. */
export const TRANSITIONS: Record<OverrideAction, { from: OverrideStatus[]; to: OverrideStatus }> = {
  submit: { from: ['draft'], to: 'submitted' },
  approve: { from: ['submitted'], to: 'approved' },
  reject: { from: ['submitted'], to: 'rejected' },
  file: { from: ['approved'], to: 'filed' },
  // A filed override only before its first day (checked by the use case, which knows today).
  withdraw: { from: ['draft', 'submitted', 'approved', 'filed'], to: 'withdrawn' },
}

export class TransitionError extends MujunError {
  constructor(message: string) {
    super('TRANSITION_NOT_ALLOWED', message, { status: 409 })
  }
}

/** Applies `action` to an override file's text and returns the new text and status. */
export function applyTransition(
  text: string,
  action: OverrideAction,
  d: Decision,
): { text: string; from: OverrideStatus; to: OverrideStatus } {
  const doc = parseDocument(text)
  const status = doc.getIn(['override', 'status']) as OverrideStatus
  const id = doc.getIn(['override', 'id']) as string
  const rule = TRANSITIONS[action]
  if (!rule.from.includes(status)) {
    throw new TransitionError(
      `cannot ${action} override '${id}': it is ${status} (${action} needs ${rule.from.join(' or ')})`,
    )
  }
  if ((action === 'approve' || action === 'reject' || action === 'file') && !d.ref)
    throw new MujunError('DECISION_REF_REQUIRED', `${action} needs a decision reference (ref)`, {
      status: 422,
    })
  if ((action === 'reject' || action === 'withdraw') && !d.reason)
    throw new MujunError('REASON_REQUIRED', `${action} needs a reason`, { status: 422 })
  doc.setIn(['override', 'status'], rule.to)
  if (action === 'submit')
    doc.setIn(['override', 'submitted'], doc.createNode({ date: d.date, by: d.by }, { flow: true }))
  if (action === 'approve')
    doc.setIn(
      ['override', 'approval'],
      doc.createNode({ ref: d.ref, date: d.date, by: d.by }, { flow: true }),
    )
  if (action === 'reject')
    doc.setIn(
      ['override', 'rejection'],
      doc.createNode({ ref: d.ref, date: d.date, by: d.by, reason: d.reason }, { flow: true }),
    )
  if (action === 'file')
    doc.setIn(
      ['override', 'filing'],
      doc.createNode({ ref: d.ref, date: d.date, by: d.by }, { flow: true }),
    )
  if (action === 'withdraw')
    doc.setIn(['override', 'note'], `withdrawn ${d.date} by ${d.by}: ${d.reason}`)
  return { text: doc.toString({ lineWidth: 0 }), from: status, to: rule.to }
}

/** Sets an override's end date (a newer filed override supersedes it), or removes it (`null`, a repair). */
export function endOverride(text: string, to: string | null): string {
  const doc = parseDocument(text)
  if (to === null) doc.deleteIn(['override', 'to'])
  else doc.setIn(['override', 'to'], to)
  return doc.toString({ lineWidth: 0 })
}

/** Marks an override withdrawn outside its workflow (a bureau repair), with why. */
export function markWithdrawn(text: string, note: string): string {
  const doc = parseDocument(text)
  doc.setIn(['override', 'status'], 'withdrawn')
  doc.setIn(['override', 'note'], note)
  return doc.toString({ lineWidth: 0 })
}
