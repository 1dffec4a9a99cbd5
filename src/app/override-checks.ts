/**
 * What an override text must pass before it is written: its size and its county's open proposals (limits), and
 * its compile against the city rules (alone, or with the filed overrides when it is filed), on the checker thread.
 * @module app/override-checks
 */
import { overrideFileName } from '../db/rule-store.ts'
import type { Store } from '../db/store.ts'
import { MujunError } from '../errors.ts'
import type { RuleText } from '../rulebook/compile.ts'
import type { OverrideHeader } from './override-header.ts'
import { type RuleChecker, unwrap } from './rule-check.ts'
import { IN_FORCE, type RulebookService } from './rulebooks.ts'

/** What one county may keep open and send: a county's texts are compiled and stored, so both are bounded. */
export interface OverrideLimits {
  /** The largest override text, in bytes (OVERRIDE_TOO_LARGE). */
  maxTextBytes: number
  /** The most overrides of one county awaiting a decision, drafts and submitted ones (DRAFT_LIMIT). */
  maxOpen: number
}

export const DEFAULT_OVERRIDE_LIMITS: OverrideLimits = { maxTextBytes: 64 * 1024, maxOpen: 20 }

/**
 * Checks one asker (a county, or a city office) may have on the checker thread at once, of the 16 it takes in all:
 * a county sending large texts as fast as it can is refused itself, and the bureau's filing still gets its turn.
 */
export const CHECKS_PER_ASKER = 4

export class OverrideChecks {
  constructor(
    private readonly store: Store,
    private readonly rulebooks: RulebookService,
    private readonly checker: RuleChecker,
    private readonly limits: OverrideLimits,
  ) {}

  /** Checks each asker has on the checker thread now (see CHECKS_PER_ASKER). */
  private readonly inFlight = new Map<string, number>()

  /**
   * Compiles the city version in force with this text alone, on the checker thread: the override must fit the
   * rules it changes. The header is read strictly from the text there too. `asker` names whose check it is.
   */
  async check(
    path: string,
    text: string,
    asker: string,
  ): Promise<{
    versionId: number
    header: OverrideHeader
    outcome: Parameters<typeof unwrap>[0]
  }> {
    const versionId = this.cityVersion()
    const held = this.inFlight.get(asker) ?? 0
    if (held >= CHECKS_PER_ASKER)
      throw new MujunError(
        'CHECKS_BUSY',
        `${held} override texts of ${asker} are being checked (at most ${CHECKS_PER_ASKER} at once); try again shortly`,
        { status: 503, headers: { 'Retry-After': '2' } },
      )
    this.inFlight.set(asker, held + 1)
    let answer: Awaited<ReturnType<RuleChecker>>
    try {
      answer = await this.checker({
        op: 'check',
        files: [...this.rulebooks.city(versionId).files, { path, text }],
        path,
      })
    } finally {
      const n = (this.inFlight.get(asker) ?? 1) - 1
      if (n > 0) this.inFlight.set(asker, n)
      else this.inFlight.delete(asker)
    }
    if (answer.op === 'error') unwrap(answer.outcome)
    if (answer.op !== 'check') throw new Error('the checker answered another question')
    return { versionId, header: answer.header, outcome: answer.outcome }
  }

  /**
   * The rules in force after filing `id` with `text` (and ending its predecessor): the city version with every
   * filed override and this one must read together. Checked on the checker thread.
   */
  async inForce(id: string, text: string, ended?: { id: string; text: string }) {
    const filed: RuleText[] = this.store
      .liveOverrideFiles(IN_FORCE)
      .filter(
        (f) => f.path !== overrideFileName(id) && f.path !== overrideFileName(ended?.id ?? ''),
      )
    if (ended) filed.push({ path: overrideFileName(ended.id), text: ended.text })
    const versionId = this.cityVersion()
    const answer = await this.checker({
      op: 'check',
      files: [
        ...this.rulebooks.city(versionId).files,
        ...filed,
        { path: overrideFileName(id), text },
      ],
      path: overrideFileName(id),
    })
    if (answer.op === 'error') unwrap(answer.outcome)
    if (answer.op === 'check' && !answer.outcome.ok) {
      try {
        unwrap(answer.outcome)
      } catch (e) {
        throw new MujunError(
          'RULES_WOULD_BREAK',
          `this change would leave the rules in force invalid, so nothing was changed:\n${(e as Error).message}`,
          { status: 422 },
        )
      }
    }
  }

  /** The city version in force (no compile of the rules in force needed). */
  cityVersion(): number {
    const head = this.store.rulesHead()
    if (!head) return this.rulebooks.active().id
    return head.versionId
  }

  /** Refused before anything is parsed: a text over the limit. */
  size(text: string) {
    const size = Buffer.byteLength(text, 'utf8')
    if (size > this.limits.maxTextBytes)
      throw new MujunError(
        'OVERRIDE_TOO_LARGE',
        `the override text is ${size} bytes; at most ${this.limits.maxTextBytes} are accepted (MAX_OVERRIDE_BYTES)`,
        { status: 413, details: { limit: this.limits.maxTextBytes, size } },
      )
  }

  /** A county with `maxOpen` overrides awaiting a decision may not open another (inside a write: race-free). */
  open(county: string) {
    const open = this.store.openOverrideCount(county)
    if (open >= this.limits.maxOpen)
      throw new MujunError(
        'DRAFT_LIMIT',
        `county ${county} has ${open} overrides awaiting a decision (drafts and submitted), the most it may keep open (MAX_OPEN_OVERRIDES); withdraw one or wait for a decision`,
        { status: 409, details: { limit: this.limits.maxOpen, open } },
      )
  }
}
