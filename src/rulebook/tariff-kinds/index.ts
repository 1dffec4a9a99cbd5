/**
 * The tariff kinds, by `basis`: the one list a new kind is added to.
 * @module rulebook/tariff-kinds
 */
import { z } from 'zod'
import { categoryKind } from './category.ts'
import { classKind } from './class.ts'
import { intensityKind } from './intensity.ts'
import type { CellWords, ChargeMaker, KindCheck, QuotaTerms, RateCell } from './kind.ts'
import { percentKind } from './percent.ts'
import { quotaKind } from './quota.ts'

export type {
  CellWords,
  ChargeMaker,
  KindCheck,
  QuotaBandSpec,
  QuotaTerms,
  RateCell,
  ScheduleFacts,
  TariffKind,
} from './kind.ts'

/** A surcharge schedule: one of the kinds, told apart by `basis`. A new kind is added here, and only here. */
export const SurchargeSchema = z.discriminatedUnion('basis', [
  classKind.schema,
  categoryKind.schema,
  intensityKind.schema,
  quotaKind.schema,
  percentKind.schema,
])
const KINDS = [classKind, categoryKind, intensityKind, quotaKind, percentKind]
export type Surcharge = z.infer<typeof SurchargeSchema>
export type Basis = Surcharge['basis']

/** A kind's methods for any schedule: kindOf chose the kind by the schedule's basis, so the shapes match. */
export interface AnyKind {
  title: { zh: string; en: string }
  ownFigures: boolean
  check(s: Surcharge, c: KindCheck): void
  charges<C>(s: Surcharge, m: ChargeMaker<C>): C[]
  describe(s: Surcharge): string
  cells(s: Surcharge, w: CellWords): RateCell[]
  quotaTerms?(s: Surcharge): QuotaTerms
}

const byBasis: ReadonlyMap<string, AnyKind> = new Map(
  KINDS.map((k) => [k.schema.shape.basis.value, k as unknown as AnyKind]),
)

/** The kind of a schedule (by its `basis`). */
export function kindOf(s: { basis: string }): AnyKind {
  const k = byBasis.get(s.basis)
  // The schema admits only the kinds listed here: a miss is a bug, not bad input.
  if (!k) throw new Error(`no tariff kind '${s.basis}'`)
  return k
}

/** The bases, for documentation and pages. */
export const BASES: readonly Basis[] = KINDS.map((k) => k.schema.shape.basis.value)
