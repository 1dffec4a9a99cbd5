/**
 * Where a problem is in a rule file: the line and column of a YAML path, the offset of a quoted formula, a schema
 * issue in plain words, and the valid part of a file that failed its schema.
 * @module rulebook/locate
 */
import { isNode, isScalar as isScalarNode } from 'yaml'
import type { z } from 'zod'
import { suggest } from '../formula/compile.ts'
import { type RuleFile, RuleFileSchema } from './schema.ts'
import type { Located, Where } from './types.ts'

export function at(item: object, sub: (string | number)[], message: string, ctx: Where): void {
  const where = ctx.locations.get(item)
  if (where) ctx.report(where.loc, [...where.path, ...sub], message)
}

/**
 * The valid part of a city file that failed its schema: each section keeps its items up to the first invalid one
 * (so every kept item keeps its index, and problems found later point at the right line). The ids of the items left
 * out go into `broken`.
 */
export function salvage(raw: unknown, broken: Set<string>): RuleFile | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined
  const out: Record<string, unknown> = {}
  const shape = RuleFileSchema.shape
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in shape)) continue
    const schema = (shape[key as keyof typeof shape] as z.ZodOptional<z.ZodType>).unwrap()
    if (key === 'rulebook') {
      const meta = schema.safeParse(value)
      if (meta.success) out[key] = meta.data
      continue
    }
    if (!Array.isArray(value)) continue
    const element = (schema as z.ZodArray<z.ZodType>).element
    const kept: unknown[] = []
    let failed = false
    for (const item of value) {
      const r = failed ? undefined : element.safeParse(item)
      if (r?.success) kept.push(r.data)
      else {
        failed = true
        const id = (item as { id?: unknown } | null)?.id
        if (typeof id === 'string') broken.add(id)
      }
    }
    out[key] = kept
  }
  return out as RuleFile
}

export function describeIssue(
  issue: z.core.$ZodIssue,
  context?: { schema: z.ZodType; input: unknown },
): string {
  if (issue.code === 'unrecognized_keys') {
    const known = context ? keysAt(context.schema, issue.path, context.input) : []
    const hint =
      known.length === 0
        ? ''
        : issue.keys.length === 1 && closestKey(issue.keys[0], known)
          ? `; did you mean '${closestKey(issue.keys[0], known)}'?`
          : `; the keys here are ${known.join(', ')}`
    return `unknown key(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}: not part of the rule format${hint}`
  }
  if (
    (issue.code === 'invalid_type' || issue.code === 'invalid_value') &&
    issue.input === undefined
  )
    return `missing required field '${String(issue.path.at(-1))}'`
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    // The input is the whole item: name only the value that chose no kind, and the kinds there are.
    const value = (issue.input as Record<string, unknown> | undefined)?.[issue.discriminator]
    const options = (issue as { options?: unknown[] }).options ?? []
    return `unknown ${issue.discriminator} ${JSON.stringify(value)}: one of ${options.join(', ')}`
  }
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'benchmark')
    return `a benchmark is { fixed: N } or { peer: mean|median, over: [county, sector, group …] } (got ${JSON.stringify(issue.input)})${typeof issue.input === 'number' ? `; for a fixed value write { fixed: ${issue.input} }` : ''}`
  if (
    issue.code === 'invalid_type' ||
    issue.code === 'invalid_value' ||
    issue.code === 'invalid_union'
  ) {
    return `${issue.message} (got ${JSON.stringify(issue.input)})`
  }
  return issue.message
}

/** 1-based line/col of the YAML node at `path`, or of its nearest existing ancestor. */
export function position(loc: Located, path: (string | number)[]): { line: number; col: number } {
  if (!loc.doc) return { line: 1, col: 1 }
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n)
    const node = sub.length === 0 ? loc.doc.contents : loc.doc.getIn(sub, true)
    if (isNode(node) && node.range) {
      // A key that is present but whose value is a map points at the key line: that is where the author looks.
      if (n === path.length && n > 0 && !isScalarNode(node)) {
        const parent = n === 1 ? loc.doc.contents : loc.doc.getIn(path.slice(0, n - 1), true)
        const pair = (parent as any)?.items?.find?.((p: any) => p.key?.value === path[n - 1])
        if (pair?.key?.range) return loc.lc.linePos(pair.key.range[0])
      }
      return loc.lc.linePos(node.range[0])
    }
  }
  return { line: 1, col: 1 }
}

export function quoteOffset(loc: Located, path: (string | number)[]): number {
  const node = loc.doc.getIn(path, true) as any
  return node?.type === 'QUOTE_DOUBLE' || node?.type === 'QUOTE_SINGLE' ? 1 : 0
}

type Def = {
  type: string
  shape?: Record<string, z.ZodType>
  element?: z.ZodType
  innerType?: z.ZodType
  in?: z.ZodType
  options?: z.ZodType[]
  discriminator?: string
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def

/** The keys the object at `path` of `input` may have under `schema` (none when the path leads elsewhere). */
export function keysAt(schema: z.ZodType, path: PropertyKey[], input: unknown): string[] {
  let s: z.ZodType | undefined = schema
  let value = input
  for (let i = 0; s && i <= path.length; ) {
    const d = defOf(s)
    if (d.innerType) s = d.innerType
    else if (d.type === 'pipe') s = d.in
    else if (d.type === 'union' && d.options) {
      // A union of kinds (a surcharge's basis): the option the item's discriminator chose, else any object option.
      const tag = d.discriminator && (value as Record<string, unknown> | null)?.[d.discriminator]
      s =
        d.options.find((o) => {
          const lit = defOf(o).shape?.[d.discriminator ?? ''] as unknown as
            | { _zod: { def: { values?: unknown[] } } }
            | undefined
          return lit?._zod.def.values?.includes(tag)
        }) ?? d.options.find((o) => defOf(o).type === 'object')
    } else if (i === path.length) return d.type === 'object' ? Object.keys(d.shape ?? {}) : []
    else if (d.type === 'object') {
      const key = String(path[i])
      s = d.shape?.[key]
      value = (value as Record<string, unknown> | null)?.[key]
      i++
    } else if (d.type === 'array') {
      s = d.element
      value = Array.isArray(value) ? value[Number(path[i])] : undefined
      i++
    } else return []
  }
  return []
}

/** The known key meant by `typed`: one it begins (`hit` for `hitPolicy`), else a near spelling (two edits). */
function closestKey(typed: string, known: string[]): string | undefined {
  const lower = typed.toLowerCase()
  const begun = typed.length >= 3 ? known.find((k) => k.toLowerCase().startsWith(lower)) : undefined
  return begun ?? suggest(typed, known).match(/'(.+)'/)?.[1]
}
