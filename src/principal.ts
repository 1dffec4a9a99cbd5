/**
 * Who is acting: a token's role and scope. The bottom floor every layer may import (no dependencies).
 * @module principal
 */

/**
 * Every role a token can have. bureau: the pricing office (发改/物价), owns the tariff rules and the tokens; economy:
 * the economy-and-IT office (经信), runs the evaluation and the programme; observer: another department, reads only; department: a department that applies
 * measures beyond price (自然资源, 税务, 供电…), reads the lists of its own measures.
 */
export const ROLES = [
  'bureau',
  'economy',
  'county',
  'utility',
  'enterprise',
  'observer',
  'department',
] as const

/** A token's role (see ROLES). */
export type Role = (typeof ROLES)[number]

export interface Principal {
  role: Role
  /** County code (county role), credit code (enterprise role) or department id (department role). */
  scope: string
  label: string
  /** The token's row id (0 for the command line, which acts without a token). */
  tokenId: number
  expiresAt?: string
}

/** Whose work a principal's request is: a role, or a scoped role and its scope (each county its own). */
export const ownerKey = (p: Principal): string => (p.scope ? `${p.role}:${p.scope}` : p.role)
