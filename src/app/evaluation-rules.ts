/**
 * The rules of an evaluation's publication cycle, each run inside the write transaction that acts on it: the
 * notice window (公示), one open objection per firm, the review (复核), and what publication requires and binds.
 * @module app/evaluation-rules
 */
import { addDays } from '../dates.ts'
import type { Store } from '../db/store.ts'
import { ConflictError, MujunError, NotFoundError } from '../errors.ts'

/** The first day a run of `year` published on `on` binds: the next 1 January, or its publication day if later. */
export const bindingFromOf = (year: number, on: string) =>
  on > `${year + 1}-01-01` ? on : `${year + 1}-01-01`

/**
 * What a rating of `year` needs for its `year: previous` benchmarks: the peer statistics stored with the published
 * run of the year before (the result made public, not a draft). None published: undefined, and rules that need it
 * stop with NO_PREVIOUS_YEAR.
 */
export function previousYearStats(
  store: Store,
  year: number,
): { year: number; stats: ReadonlyMap<string, number> } | undefined {
  const run = store.publishedRun(year - 1)
  const frame = run && store.peerFrame(run.id)
  return frame && { year: year - 1, stats: frame.stats }
}

/** The act a historic publication's correction names (its preview answers with this act's digest). */
export const publicationAct = (runId: number, publishedOn: string) => ({
  kind: 'publication',
  runId,
  publishedOn,
})

/**
 * Puts a draft run to public notice (公示) for `days` calendar days from `today`: firms see their provisional result
 * and may object. One run of a year is in notice at a time.
 */
export function putToNotice(
  store: Store,
  runId: number,
  today: string,
  days: number,
  actor: string,
) {
  return store.write((tx) => {
    const run = store.evaluations.runOf(tx, runId)
    if (run.status !== 'draft')
      throw new ConflictError(`evaluation ${runId} is ${run.status}; only a draft goes to notice`)
    const other = store.evaluations.runOfYear(tx, run.year, 'notice')
    if (other)
      throw new ConflictError(
        `evaluation ${other.id} of ${run.year} is already in notice; publish it or make a new run after it`,
      )
    return store.evaluations.setNotice(tx, run, today, addDays(today, days - 1), actor)
  })
}

/** An enterprise's objection to its provisional result: filed within the notice period, one open at a time. */
export function fileObjection(
  store: Store,
  runId: number,
  o: { creditCode: string; reason: string; evidence: string },
  today: string,
  actor: string,
) {
  return store.write((tx) => {
    const run = store.evaluations.runOf(tx, runId)
    if (run.status !== 'notice' || today < run.noticeFrom! || today > run.noticeTo!)
      throw new ConflictError(
        run.status === 'notice'
          ? `the notice of evaluation ${runId} runs ${run.noticeFrom} to ${run.noticeTo}; today is ${today}`
          : `evaluation ${runId} is ${run.status}; objections are filed during its notice`,
      )
    const result = store.evaluations.resultClass(tx, runId, o.creditCode)
    if (!result) throw new NotFoundError(`a result of ${o.creditCode} in evaluation ${runId}`)
    const [open] = store.evaluations.openObjections(tx, runId, o.creditCode)
    if (open)
      throw new ConflictError(`objection ${open.id} of ${o.creditCode} is still being reviewed`)
    return store.evaluations.insertObjection(tx, runId, o, result.class, actor)
  })
}

/**
 * The bureau's review of an objection (复核): upheld with the class the firm gets (a manual re-grade recorded in the
 * run's result), or rejected; either way with its reason. Only an open objection, while the run is in notice.
 */
export function decideObjection(
  store: Store,
  id: number,
  d: { upheld: boolean; class?: string; reason: string },
  actor: string,
) {
  return store.write((tx) => {
    const o = store.evaluations.objectionOf(tx, id)
    if (o.status !== 'open')
      throw new ConflictError(`objection ${id} was already ${o.status} on ${o.decidedAt}`)
    const run = store.evaluations.runOf(tx, o.runId)
    if (run.status !== 'notice')
      throw new ConflictError(
        `evaluation ${run.id} is ${run.status}; objections are decided before publication`,
      )
    const classAfter = d.upheld ? d.class! : o.classBefore
    return store.evaluations.recordDecision(
      tx,
      o,
      { upheld: d.upheld, classAfter, reason: d.reason },
      actor,
    )
  })
}

/**
 * Publishes a run atomically (see markPublished). A run in notice is published once its notice has ended and every
 * objection is decided; its classes bind from Y+1-01-01 or `today`, whichever is later, never before. A draft is
 * published only as the record of a publication made outside mujun (`historic`: its date, before today, and why).
 */
export function publishRun(
  store: Store,
  runId: number,
  today: string,
  actor: string,
  historic?: { publishedOn: string; correction: Record<string, unknown> & { reason: string } },
) {
  return store.write((tx) => {
    const run = store.evaluations.runOf(tx, runId)
    let on = today
    if (run.status === 'notice') {
      if (historic)
        throw new ConflictError(`evaluation ${runId} is in notice; it is published today or later`)
      if (today <= run.noticeTo!)
        throw new ConflictError(
          `the notice of evaluation ${runId} runs until ${run.noticeTo}; publish from ${addDays(run.noticeTo!, 1)}`,
        )
      const open = store.evaluations.openObjections(tx, runId)
      if (open.length > 0)
        throw new ConflictError(
          `objections ${open.map((o) => o.id).join(', ')} of evaluation ${runId} are not decided yet`,
        )
    } else if (run.status === 'draft') {
      if (!historic)
        throw new ConflictError(
          `evaluation ${runId} is a draft: put it to notice first (POST /v1/evaluations/${runId}/notice), or record a publication made outside mujun with its date and reason`,
        )
      if (!(historic.publishedOn < today))
        throw new MujunError(
          'VALIDATION_FAILED',
          `publishedOn ${historic.publishedOn} must be before today (${today}): only a past publication is recorded this way`,
          { status: 422 },
        )
      on = historic.publishedOn
    } else
      throw new ConflictError(`evaluation ${runId} is ${run.status}; it cannot be published again`)
    return store.evaluations.markPublished(tx, run, bindingFromOf(run.year, on), actor, historic)
  })
}
