/**
 * The command line's acts that change a price, each shown before it is made: `rules import` and `rules change`
 * (a new city version, now or from a later day) and `evaluate --publish` (recording a past publication). Each
 * prints its preview; one that reaches before its own day is made only as a correction (--correction REASON
 * --document 文号 --yes), with the digest of the preview it printed.
 * @module cli/change-cmd
 */
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { cliPrincipal } from '../app/authorize.ts'
import type { ActPreview } from '../app/changes.ts'
import { isCalendarDate } from '../app/evaluations.ts'
import { createServices, type Services } from '../app/services.ts'
import type { Principal } from '../principal.ts'
import type { RuleText } from '../rulebook/compile.ts'
import { createProgress, type Progress } from './progress.ts'
import { type Io, openStore, UsageError } from './shared.ts'

/** Thousands separators for a yuan amount given as a decimal string ("-12345.60" → "-12,345.60"). */
export function grouped(amount: string): string {
  const [int, frac] = amount.split('.')
  const sign = int.startsWith('-') ? '-' : ''
  const digits = sign ? int.slice(1) : int
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac !== undefined ? `.${frac}` : ''}`
}

/** A preview as the terminal shows it: the reach, the sums per month, the largest groups and firms. */
export function formatPreview(pv: ActPreview): string {
  const out: string[] = []
  const first = pv.reach.firstDay
  out.push(
    first === null
      ? 'changes no answer'
      : `changes answers from ${first === '0000-01-01' ? 'every day (an undated part)' : first}${pv.correctionRequired ? ` — before today (${pv.today}): only as a correction` : ''}`,
  )
  for (const item of pv.reach.items.slice(0, 20)) out.push(`  ${JSON.stringify(item)}`)
  const p = pv.preview
  out.push(
    `priced ${p.fromMonth} to ${p.toMonth} (month after the last)${p.horizonCapped ? ', capped at 60 months back' : ''}: ${p.firmsChanged} firm(s) change, ${p.firmMonths} firm-month(s) priced`,
  )
  out.push('month      before (yuan)        after (yuan)         change (yuan)')
  for (const m of p.byMonth)
    out.push(
      `${m.month}    ${grouped(m.before).padStart(18)}   ${grouped(m.after).padStart(18)}   ${grouped(m.change).padStart(18)}`,
    )
  out.push(
    `total      ${grouped(p.total.before).padStart(18)}   ${grouped(p.total.after).padStart(18)}   ${grouped(p.total.change).padStart(18)}`,
  )
  if (p.firms.length > 0) {
    out.push('firms (first 20 of the changes):')
    for (const f of p.firms.slice(0, 20))
      out.push(
        `  ${f.creditCode} ${f.county} ${f.class ?? '-'} ${f.resource} ${f.month}: ${grouped(f.before)} → ${grouped(f.after)} (${grouped(f.change)})`,
      )
  }
  if (pv.classChanges)
    out.push(
      `rated again as the ${pv.classChanges.year} evaluation (${pv.classChanges.figuresYear} figures): ${pv.classChanges.changed} of ${pv.classChanges.rated} firms would change class or category at the next evaluation: ${pv.classChanges.moves.map((m) => `${m.move} ${m.firms}`).join(', ') || 'none'}`,
    )
  out.push(`preview digest ${pv.digest} (valid until the next change to the data)`)
  return out.join('\n')
}

/** The options of an act that changes a price (rules import, rules change). */
export const ACT_OPTIONS = {
  db: { type: 'string', default: 'data/mujun.db' },
  note: { type: 'string' },
  'effective-on': { type: 'string' },
  preview: { type: 'boolean', default: false },
  correction: { type: 'string' },
  document: { type: 'string' },
  yes: { type: 'boolean', default: false },
  months: { type: 'string' },
  format: { type: 'string', default: 'table' },
} as const

type ActValues = {
  db?: string
  note?: string
  'effective-on'?: string
  preview?: boolean
  correction?: string
  document?: string
  yes?: boolean
  months?: string
  format?: string
}

function monthsOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  if (!/^\d{1,2}$/.test(v) || Number(v) < 1 || Number(v) > 60)
    throw new UsageError('--months N: 1 to 60 months after this one')
  return Number(v)
}

/**
 * Makes `files` the city version in force through the same use case as the API: the preview first (printed),
 * then the act; a correction only with its reason, document and --yes.
 */
function actOnCity(
  services: Services,
  p: Principal,
  files: RuleText[],
  note: string,
  values: ActValues,
  io: Io,
): number {
  const effectiveOn = values['effective-on']
  if (effectiveOn !== undefined && !isCalendarDate(effectiveOn))
    throw new UsageError(`--effective-on '${effectiveOn}' is not a calendar date (YYYY-MM-DD)`)
  const change = services.rulebooks.cityChange(files, effectiveOn)
  const day = effectiveOn ?? services.store.today()
  const reachesBack = change.reach.firstDay !== null && change.reach.firstDay < day
  let pv: ActPreview | undefined
  if (values.preview || reachesBack) {
    let bar: Progress | undefined
    pv = services.changes.previewCity(
      p,
      files,
      { effectiveOn, months: monthsOf(values.months) },
      (done, total) => {
        bar ??= createProgress('preview', total)
        bar.update(done)
      },
    )
    bar?.stop()
    io.out(values.format === 'json' ? JSON.stringify(pv, null, 2) : formatPreview(pv))
    if (values.preview) return 0
  }
  if (reachesBack && (!values.correction || !values.document || !values.yes)) {
    io.err(
      `CITY_RETROACTIVE: this change alters answers from ${change.reach.firstDay}, before ${day}. Make it from ${day} or later, or make it as a correction after reading the preview above: --correction "REASON" --document "文号" --yes`,
    )
    return 1
  }
  const v = services.rulebooks.importCity(p, files, note, {
    countyFiles: 'ignore',
    effectiveOn,
    correction:
      reachesBack && pv
        ? { reason: values.correction!, document: values.document!, preview: pv.digest }
        : undefined,
  })
  io.out(
    v.effectiveOn
      ? `rulebook version ${v.id} scheduled: in force from ${v.effectiveOn} (city files sha256 ${v.hash.slice(0, 12)})`
      : v.created
        ? `rulebook version ${v.id} created and now in force (city files sha256 ${v.hash.slice(0, 12)})${v.correction ? `, as a correction (${v.correction.document})` : ''}`
        : v.activated
          ? `the files equal stored version ${v.id}: it is in force again (rollback, audited)`
          : `unchanged: version ${v.id} is in force and equals the files`,
  )
  if (v.reach?.firstDay)
    io.out(`it changes answers from ${v.reach.firstDay}: ${v.reach.items.length} rule item(s)`)
  if (v.ignored.length > 0)
    io.out(
      `left alone: ${v.ignored.join(', ')} (county overrides change only through their workflow: POST /v1/overrides)`,
    )
  return 0
}

/** `mujun rules import DIR`: the folder's city files as the version in force (see actOnCity). */
export function rulesImportAct(
  dir: string,
  texts: RuleText[],
  args: string[],
  io: Io,
): number | undefined {
  const { values } = parseArgs({ args, allowPositionals: true, options: ACT_OPTIONS })
  const store = openStore(values.db!)
  const services = createServices(store)
  if (services.rulebooks.isEmpty()) return undefined
  try {
    return actOnCity(
      services,
      cliPrincipal(userInfo().username),
      texts,
      values.note ?? `imported from ${dir}`,
      values,
      io,
    )
  } finally {
    store.db.$client.close()
  }
}

/**
 * `mujun rules change`: one item's values from a day, the normal way a tariff changes (the item in force that
 * day closes on it and a copy with the new values opens; see rulebook/dated-change).
 */
export function rulesChange(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    options: {
      ...ACT_OPTIONS,
      section: { type: 'string', default: 'surcharges' },
      id: { type: 'string' },
      from: { type: 'string' },
      set: { type: 'string', multiple: true },
    },
  })
  if (!values.id) throw new UsageError('--id ITEM is required (the rule item to change)')
  if (!values.from || !isCalendarDate(values.from))
    throw new UsageError('--from YYYY-MM-DD is required: the first day of the new value')
  if (!values.document)
    throw new UsageError('--document "文号" is required: the document that sets the value')
  const set = (values.set ?? []).map((s) => {
    const at = s.indexOf('=', s.lastIndexOf(']') + 1)
    if (at <= 0)
      throw new UsageError(
        `--set PATH=VALUE, got '${s}' (e.g. 'rates[class=D][minConsecutiveYears=].rate=0.35')`,
      )
    return { path: s.slice(0, at), value: s.slice(at + 1) }
  })
  if (set.length === 0) throw new UsageError('give at least one --set PATH=VALUE')
  const store = openStore(values.db!)
  const services = createServices(store)
  try {
    const files = services.rulebooks.changedFiles({
      section: values.section!,
      id: values.id,
      from: values.from,
      set,
      document: values.document,
      note: values.note,
    })
    const note =
      values.note ??
      `${values.section} ${values.id} from ${values.from}: ${set.map((x) => `${x.path} = ${x.value}`).join(', ')} (${values.document})`
    return actOnCity(services, cliPrincipal(userInfo().username), files, note, values, io)
  } finally {
    store.db.$client.close()
  }
}

/**
 * `mujun evaluate --publish`: records a publication made outside mujun, a correction: its preview printed, made
 * with --document and --yes.
 */
export function publishPastAct(
  services: Services,
  p: Principal,
  runId: number,
  publishedOn: string,
  reason: string,
  document: string | undefined,
  yes: boolean,
  io: Io,
): { bindingFrom: string } | undefined {
  const pv = services.changes.previewPublication(p, runId, { publishedOn })
  io.out(formatPreview(pv))
  if (!document || !yes) {
    io.err(
      `recording evaluation ${runId} as published on ${publishedOn} is a correction: after reading the preview above, give --document "文号" (the publication's) and --yes; the run stays a draft`,
    )
    return undefined
  }
  return services.evaluations.publish(p, runId, {
    publishedOn,
    correction: { reason, document, preview: pv.digest },
  })
}
