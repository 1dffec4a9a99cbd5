/** @jsxImportSource hono/jsx */
/**
 * Objections to a run in notice (异议): each with what the firm filed, its figures as stored beside the figures its
 * evidence claims, and, while open, the decision form (复核).
 * @module web/evaluation-objections
 */
import type { Child } from 'hono/jsx'
import { can } from '../app/permissions.ts'
import type { Services } from '../app/services.ts'
import { NotFoundError } from '../errors.ts'
import type { Principal } from '../principal.ts'
import { DecisionForm, type FormState, type Run } from './evaluation-forms.tsx'
import { w } from './evaluation-words.ts'
import type { Lang } from './i18n.ts'
import { inBeijing, num } from './kit/format.ts'
import { classLabel, countyLabel } from './kit/labels.ts'
import { Badge, Data, Facts, Table } from './kit/ui.tsx'

type Objection = ReturnType<Services['evaluations']['objections']>[number]

/**
 * The figures an objection's evidence names with a number ("land_mu: 12", "用地面积（亩）＝12.5"), by figure id:
 * what the firm says its figure should be.
 */
export function claimedFigures(
  evidence: string,
  inputs: ReadonlyMap<string, { label: string }>,
): Map<string, string> {
  const out = new Map<string, string>()
  for (const [id, input] of inputs) {
    for (const key of [id, input.label]) {
      const esc = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      const m = new RegExp(`${esc}\\s*[:：=＝为]\\s*(-?[\\d,]+(?:\\.\\d+)?)`).exec(evidence)
      if (m) {
        out.set(id, m[1].replace(/,/g, ''))
        break
      }
    }
  }
  return out
}

/** The firm's figures as stored for the run's year beside those it claims. */
function FiguresCompared(props: {
  lang: Lang
  services: Services
  who: Principal
  o: Objection
  year: number
}) {
  const { lang, services, who, o } = props
  const { rulebook } = services.rulebooks.active()
  let stored: Record<string, number | boolean | string> = {}
  try {
    stored = services.enterprises.figures(who, o.creditCode, props.year).data
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e
  }
  const claimed = claimedFigures(o.evidence, rulebook.inputById)
  const ids = [...rulebook.inputById.keys()].filter(
    (id) => typeof stored[id] === 'number' || claimed.has(id),
  )
  const show = (v: unknown) => (typeof v === 'number' ? num(v, 4) : '—')
  return (
    <>
      {claimed.size === 0 ? <p class="hint">{w(lang, 'noClaim')}</p> : null}
      <Table
        head={[w(lang, 'figure'), w(lang, 'storedValue'), w(lang, 'claimedValue')]}
        num={[1, 2]}
        rows={ids.map((id) => {
          const input = rulebook.inputById.get(id)!
          const c = claimed.get(id)
          return [
            <Data>
              {input.label}
              {input.unit ? `（${input.unit}）` : ''}
            </Data>,
            show(stored[id]),
            c === undefined ? (
              '—'
            ) : (
              <strong class={c !== String(stored[id]) ? 'D' : undefined} data-claimed={id}>
                {num(c, 4)}
              </strong>
            ),
          ]
        })}
      />
    </>
  )
}

/** One objection: the firm, what it filed, its figures, and the decision or the form to make it. */
function ObjectionCard(props: {
  lang: Lang
  services: Services
  who: Principal
  run: Run
  o: Objection
  state: FormState
}) {
  const { lang, services, who, run, o } = props
  const classes = services.rulebooks.active().rulebook.meta.classes.map((c) => c.id)
  const firm = services.enterprises.get(who, o.creditCode)
  return (
    <article class="card objection" data-objection={String(o.id)} data-status={o.status}>
      <h3>
        #{o.id} <Data>{firm.name}</Data> <Badge lang={lang} status={o.status} />
      </h3>
      <Facts
        items={[
          [w(lang, 'creditCode'), <code>{o.creditCode}</code>],
          [w(lang, 'county'), countyLabel(lang, o.county)],
          [w(lang, 'filedAt'), inBeijing(lang, o.filedAt)],
          [w(lang, 'classBefore'), classLabel(lang, o.classBefore)],
          [w(lang, 'reason'), <Data>{o.reason}</Data>],
          [w(lang, 'evidence'), <Data>{o.evidence}</Data>],
          ...(o.status === 'open'
            ? []
            : ([
                [w(lang, 'classAfter'), classLabel(lang, o.classAfter)],
                [w(lang, 'decisionReason'), <Data>{o.decision}</Data>],
              ] as [Child, Child][])),
        ]}
      />
      <FiguresCompared lang={lang} services={services} who={who} o={o} year={run.year} />
      {o.status === 'open' && run.status === 'notice' && can(who, 'objection.decide') ? (
        <DecisionForm
          lang={lang}
          who={who}
          objection={o.id}
          runId={run.id}
          classes={classes}
          state={props.state}
        />
      ) : null}
    </article>
  )
}

/** The run's objections, open ones first. */
export function ObjectionsSection(props: {
  lang: Lang
  services: Services
  who: Principal
  run: Run
  state: FormState
}) {
  const { lang, services, who, run } = props
  const list = services.evaluations
    .objections(who, { runId: run.id })
    .sort((a, b) => Number(b.status === 'open') - Number(a.status === 'open') || a.id - b.id)
  return (
    <section id="objections">
      <h3>
        {w(lang, 'objections')} ({list.length})
      </h3>
      {list.length === 0 ? <p class="hint">{w(lang, 'noObjections')}</p> : null}
      {list.map((o) => (
        <ObjectionCard {...props} o={o} />
      ))}
    </section>
  )
}
