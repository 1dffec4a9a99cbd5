/**
 * A readable table of the rules in force, for `mujun rules show`.
 * @module cli/rules-table
 */
import { describeValue } from '../pricing/measures.ts'
import { benchmarkKind } from '../rating/plan.ts'
import type { Rulebook } from '../rulebook/compile.ts'
import type { ResolvedRules } from '../rulebook/resolve.ts'
import { kindOf } from '../rulebook/tariff-kinds/index.ts'

const origin = (o: { file: string; line: number; overrideId?: string }) =>
  `${o.file}:${o.line}${o.overrideId ? ` [${o.overrideId}]` : ''}`
const dates = (x: { from: string; to?: string }) => `${x.from}→${x.to ?? ''}`

export function formatResolved(rb: Rulebook, r: ResolvedRules): string {
  const county =
    rb.meta.counties.find((c) => c.code === r.county)?.name ?? rb.meta.jurisdiction.name
  const out: string[] = []
  const s = r.sections
  out.push(
    `${rb.meta.label} — ${county} (${r.county}) on ${r.date}   city files sha256 ${rb.hash.slice(0, 12)}`,
  )
  const pending = rb.overrides.filter(
    (o) => o.county === r.county && !r.overrides.some((x) => x.id === o.id),
  )
  out.push(
    `county overrides in force: ${r.overrides.map((o) => o.id).join(', ') || 'none'}${pending.length ? `; not in force: ${pending.map((o) => `${o.id} (${o.status})`).join(', ')}` : ''}`,
  )
  out.push('', 'GROUPS')
  for (const g of s.groups) out.push(`  ${g.id.padEnd(24)} ${g.label}   when ${g.when}`)
  out.push('', 'SCORING (indicator · weight · benchmark · cap/floor)')
  for (const sc of s.scoring) {
    out.push(
      `  ${sc.id} [${sc.group}] ${dates(sc)} ${origin(sc.origin)}${sc.assumed ? ' (assumed)' : ''}`,
    )
    for (const it of sc.items) {
      const ind = s.indicators.find((i) => i.id === it.indicator)
      const b = it.benchmark
      // A plain peer statistic in the table's short words; the other forms as the trace names them.
      const bm =
        'fixed' in b
          ? `fixed ${b.fixed}`
          : b.peer === 'min-max' || b.year === 'previous' || b.multiple
            ? benchmarkKind(b)
            : `${b.peer} over ${b.over.join('×')}`
      out.push(
        `    ${it.indicator.padEnd(26)} ${String(it.weight).padStart(4)}  ${bm.padEnd(28)} cap ${it.cap ?? '-'} floor ${it.floor ?? '-'}   = ${ind?.formula ?? '?'} (${ind?.unit ?? ''})`,
      )
    }
  }
  out.push('', 'ADJUSTMENTS')
  for (const a of s.adjustments)
    out.push(
      `  ${a.id.padEnd(24)} ${a.kind === 'bonus' ? '+' : '-'}${a.points}  when ${a.when}   ${a.label}`,
    )
  out.push('', 'VETOES')
  for (const v of s.vetoes)
    out.push(`  ${v.id.padEnd(26)} ${v.effect.padEnd(5)} ${v.class}  when ${v.when}   ${v.label}`)
  out.push('', 'CLASSES')
  for (const c of s.classes)
    out.push(
      `  ${c.id} ${c.method} over ${c.over.join('×')}: ${c.bands.map((b) => `${b.class} ${b.share !== undefined ? `${b.share * 100}%` : `≥${b.minScore ?? '-'}`}`).join(' · ')}; ties by ${c.tieBreak.join(', ') || 'credit code'}${c.industries ? `; industries ${c.industries.map((g) => `${g.id} ${g.industryCodes.join('/') || '(the rest)'}`).join(', ')}; rounding ${c.rounding}` : ''}`,
    )
  out.push('', 'SECTOR TABLES')
  for (const t of s.sectorTables) {
    out.push(
      `  ${t.id} [${t.sectors.join(', ')}] hit policy ${t.hitPolicy}, otherwise ${t.otherwise}`,
    )
    for (const row of t.rows)
      out.push(`    ${row.category.padEnd(10)} ${row.id.padEnd(28)} when ${row.when}`)
  }
  out.push('', 'SURCHARGES (yuan per unit)')
  for (const x of s.surcharges) {
    const unit = rb.meta.resources.find((res) => res.id === x.resource)?.unit
    const what = kindOf(x).describe(x)
    out.push(
      `  ${x.resource.padEnd(11)} ${x.id.padEnd(28)} ${x.basis.padEnd(9)} ${what} /${unit}   ${x.sectors ? `[${x.sectors.join(', ')}] ` : ''}${x.list ? `list ${x.list} ` : ''}${dates(x)} ${origin(x.origin)}${x.assumed ? ' (assumed)' : ''}`,
    )
  }
  out.push('', 'STACKING')
  for (const x of s.stacking) out.push(`  ${x.resource.padEnd(11)} ${x.mode}   ${x.label}`)
  out.push('', 'PROGRAMME TARGETS')
  for (const x of s.targets)
    out.push(
      `  ${x.id.padEnd(22)} ${x.metric.padEnd(26)} ${x.value} ${x.unit}   ${dates(x)} ${origin(x.origin)}`,
    )
  out.push('', 'PROGRAMME DEADLINES')
  for (const x of s.deadlines)
    out.push(
      `  ${x.id.padEnd(22)} ${x.kind.padEnd(17)} ${
        x.due
          ? `due ${x.due.month}-${x.due.day}${x.due.yearOffset ? ' of the year before' : ''}, at least ${x.minProjects ?? 1}`
          : `due ${x.daysAfter} days after the quarter`
      }   ${dates(x)} ${origin(x.origin)}${x.assumed ? ' (assumed)' : ''}`,
    )
  out.push('', 'FUNDS')
  for (const x of s.funds)
    out.push(
      `  ${x.id.padEnd(22)} ${x.amount} yuan a year: ${x.criteria.map((c) => `${c.id} ${c.weight}`).join(', ')}   ${dates(x)} ${origin(x.origin)}${x.assumed ? ' (assumed)' : ''}`,
    )
  out.push('', 'REFUNDS')
  for (const x of s.refunds)
    out.push(
      `  ${x.id.padEnd(22)} ${x.basis} ${x.shares.map((r) => `${r.from}→${r.to.join('/')} ${r.share}`).join(', ')}${x.counties ? ` in ${x.counties.join(', ')}` : ''}   ${dates(x)} ${origin(x.origin)}${x.assumed ? ' (assumed)' : ''}`,
    )
  out.push('', 'MEASURES BEYOND PRICE (by class)')
  for (const x of s.measures)
    out.push(
      `  ${x.id.padEnd(22)} ${x.kind.padEnd(16)} ${x.department.padEnd(20)} ${x.values.map((v) => `${v.class}: ${describeValue(x.kind, v)}`).join('; ')}   ${x.sectors ? `[${x.sectors.join(', ')}] ` : ''}${dates(x)} ${origin(x.origin)}${x.assumed ? ' (assumed)' : ''}`,
    )
  // A heading with nothing under it says so: a section whose items all start later (or ended) is not a blank.
  const lines: string[] = []
  out.forEach((line, i) => {
    lines.push(line)
    const heading = i > 0 && out[i - 1] === '' && /^[A-Z]/.test(line)
    if (heading && (i + 1 >= out.length || out[i + 1] === ''))
      lines.push(`  (nothing in force on ${r.date})`)
  })
  return lines.join('\n')
}
