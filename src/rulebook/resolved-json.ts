/**
 * The rules in force as plain JSON (compiled formula functions left out), for `rules show --format json` and the API.
 * @module rulebook/resolved-json
 */
import type { Rulebook } from './compile.ts'
import type { ResolvedRules } from './resolve.ts'

export function resolvedToJson(rb: Rulebook, resolved: ResolvedRules) {
  const strip = (x: any) => {
    const { whenFn: _w, fn: _f, ...rest } = x
    if (rest.rows) rest.rows = rest.rows.map((r: any) => strip(r))
    if (rest.items) rest.items = rest.items.map(({ missingFn: _m, ...item }: any) => item)
    return rest
  }
  return {
    rulebook: rb.meta.id,
    hash: rb.hash,
    county: resolved.county,
    date: resolved.date,
    overrides: resolved.overrides,
    method: resolved.method,
    inputs: rb.inputs,
    sectors: rb.sectors,
    ...(Object.fromEntries(
      Object.entries(resolved.sections).map(([k, v]) => [k, (v as any[]).map(strip)]),
    ) as Record<keyof ResolvedRules['sections'], ({ id: string } & Record<string, unknown>)[]>),
  }
}
