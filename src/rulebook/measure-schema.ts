/**
 * The non-price measures a class brings (资源要素差别化配置): land, energy-use quota, orderly power use, emission
 * permits, credit, land-use tax relief, awards. One item per measure, dated, applied by one department, with a
 * typed value per class (a class not listed does not get the measure).
 * @module rulebook/measure-schema
 */
import { z } from 'zod'
import { ClassIdSchema, dated, IdSchema, itemBase } from './schema-parts.ts'

/** Priority in an allocation: first served, as usual, only what is left, none. */
export const AllocationSchema = z.enum(['priority', 'normal', 'restricted', 'refused'])
export type Allocation = z.infer<typeof AllocationSchema>

/** A percentage, e.g. −10 for a quota cut by a tenth or 30 for a 30 % deposit. */
const Percent = z.number().min(-100).max(100)

const common = {
  ...itemBase,
  ...dated,
  /** The department that applies the measure (one of the rulebook's `departments`); its list is its own. */
  department: IdSchema,
  /** Only firms of these sectors get the measure (every sector when left out). */
  sectors: z.array(IdSchema).min(1).optional(),
}
const byClass = <T extends z.ZodRawShape>(shape: T) =>
  z.array(z.strictObject({ class: ClassIdSchema, ...shape })).min(1)

/** Each kind of measure and the value a class gets. */
export const MeasureSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    ...common,
    /** 用地: supply (优先供地 … 不再供地) and the deposit (履约保证金) as a share of the land price. */
    kind: z.literal('land'),
    values: byClass({
      supply: AllocationSchema,
      depositPercent: z.number().min(0).max(100).optional(),
    }),
  }),
  z.strictObject({
    ...common,
    /** 用能指标: the annual energy-use quota changed by this percentage (−10: a tenth less). */
    kind: z.literal('energy_quota'),
    values: byClass({ changePercent: Percent }),
  }),
  z.strictObject({
    ...common,
    /** 有序用电: the rationing group; group 1 is limited first when power is short. */
    kind: z.literal('power_rationing'),
    values: byClass({ group: z.number().int().min(1).max(20) }),
  }),
  z.strictObject({
    ...common,
    /** 排污权: how new emission permits are allocated. */
    kind: z.literal('emission_permit'),
    values: byClass({ allocation: AllocationSchema }),
  }),
  z.strictObject({
    ...common,
    /** 信贷: the guidance to banks (支持, 正常, 限制, 压降退出). */
    kind: z.literal('credit'),
    values: byClass({ guidance: z.enum(['support', 'normal', 'restrict', 'withdraw']) }),
  }),
  z.strictObject({
    ...common,
    /** 城镇土地使用税: the share of the tax relieved (减免), in percent. */
    kind: z.literal('land_use_tax'),
    values: byClass({ reliefPercent: z.number().min(0).max(100) }),
  }),
  z.strictObject({
    ...common,
    /** 奖励和扶持资金: whether the class may receive awards and subsidies. */
    kind: z.literal('award'),
    values: byClass({ eligible: z.boolean() }),
  }),
])
export type Measure = z.infer<typeof MeasureSchema>
export type MeasureKind = Measure['kind']
/** The value one class gets of a measure (its fields after `class`). */
export type MeasureValue = Measure['values'][number] extends infer V
  ? V extends unknown
    ? Omit<V, 'class'>
    : never
  : never

/** A department that applies measures (自然资源, 税务, 供电…): its id is a department token's scope. */
export const DepartmentSchema = z.strictObject({
  id: IdSchema,
  label: z.string().min(1),
  /** The department's name on English pages. */
  labelEn: z.string().min(1).optional(),
})
export type Department = z.infer<typeof DepartmentSchema>
