/**
 * `basis: intensity`: a rate per unit that grows by steps of a measured indicator above a threshold (e.g. energy
 * per unit of output), optionally capped.
 * @module rulebook/tariff-kinds/intensity
 */
import { z } from 'zod'
import { FormulaEvalError } from '../../errors.ts'
import { Money } from '../../pricing/money.ts'
import { IdSchema, MoneySchema } from '../schema-parts.ts'
import { type RateCell, scheduleBase, tariffKind } from './kind.ts'

export const intensityKind = tariffKind({
  title: { zh: '按单耗超限幅度', en: 'By intensity above a limit' },
  schema: z.strictObject({
    ...scheduleBase,
    basis: z.literal('intensity'),
    intensity: z.strictObject({
      measure: IdSchema,
      threshold: z.number().nonnegative(),
      step: z.number().positive(),
      ratePerStep: MoneySchema,
      /** ceil: a part of a step counts as a whole step. */
      rounding: z.enum(['ceil', 'floor']),
      maxRate: MoneySchema.optional(),
    }),
  }),
  ownFigures: true,
  check(s, c) {
    const id = s.intensity.measure
    if (!c.indicatorIds.has(id))
      c.report(
        ['intensity', 'measure'],
        `unknown indicator '${id}'${c.suggest(id, c.indicatorIds)}`,
      )
  },
  charges(s, m) {
    const spec = s.intensity
    let measure: number
    try {
      measure = m.measure(spec.measure)
    } catch (e) {
      if (!(e instanceof FormulaEvalError)) throw e
      m.note(`${s.id} not applied: ${e.message}`)
      return []
    }
    if (measure <= spec.threshold) return []
    const raw = (measure - spec.threshold) / spec.step
    // A measure exactly on a step's edge is on it, whatever binary floating point made of the division.
    const steps = spec.rounding === 'ceil' ? Math.ceil(raw - 1e-12) : Math.floor(raw + 1e-12)
    let rate = new Money(spec.ratePerStep).times(steps)
    if (spec.maxRate && rate.greaterThan(spec.maxRate)) rate = new Money(spec.maxRate)
    if (rate.isZero()) return []
    const reason = [
      spec.measure,
      ' ',
      +measure.toFixed(3),
      ' over ',
      spec.threshold,
      ' by ',
      steps,
      ' step(s) of ',
      spec.step,
    ].join('')
    return [m.perUnit(rate, reason)]
  },
  describe: ({ intensity: i }) =>
    `+${i.ratePerStep} per ${i.step} of ${i.measure} over ${i.threshold}${i.maxRate ? ` (at most ${i.maxRate})` : ''}`,
  cells({ intensity: i }, { zh }) {
    const cells: RateCell[] = [
      {
        path: 'intensity.ratePerStep',
        name: zh ? '每档加价' : 'Per step',
        value: i.ratePerStep,
        unit: 'perUnit',
      },
      {
        path: 'intensity.threshold',
        name: zh ? '起征值' : 'Threshold',
        value: String(i.threshold),
        unit: 'measure',
      },
      {
        path: 'intensity.step',
        name: zh ? '每档幅度' : 'Step',
        value: String(i.step),
        unit: 'measure',
      },
    ]
    if (i.maxRate)
      cells.push({
        path: 'intensity.maxRate',
        name: zh ? '加价上限' : 'At most',
        value: i.maxRate,
        unit: 'perUnit',
      })
    return cells
  },
})
