/**
 * What the core derives from one compiled rulebook (resolved intervals, interned tariffs, parsed dates and rates,
 * formula batches): built once per rulebook, on first use, and carried by it, so no module of the core keeps a
 * table of its own and a rulebook dropped by its holder takes its derived data with it.
 * @module rulebook/derived
 */

/** One module's part of a rulebook's derived data: a name for messages and how it is made. */
export interface DerivedKind<T> {
  readonly name: string
  make(): T
}

/** The derived data of one compiled rulebook, one part per kind (see DerivedKind). */
export class Derived {
  private readonly parts = new Map<DerivedKind<unknown>, unknown>()

  /** The part of `kind`, made the first time it is asked for. */
  of<T>(kind: DerivedKind<T>): T {
    let part = this.parts.get(kind) as T | undefined
    if (part === undefined) {
      part = kind.make()
      this.parts.set(kind, part)
    }
    return part
  }
}

/** The value kept in `table` under `key`, made by `make(key)` the first time (unbounded: for bounded key sets). */
export function getOrMake<K, V>(
  table: { get(key: K): V | undefined; set(key: K, value: V): unknown },
  key: K,
  make: (key: K) => V,
): V {
  let value = table.get(key)
  if (value === undefined) {
    value = make(key)
    table.set(key, value)
  }
  return value
}

/** As `getOrMake`, bounded: `table` is emptied when it passes `limit` entries (for keys not bounded in number). */
export function getOrMakeBounded<K, V>(
  table: Map<K, V>,
  key: K,
  make: (key: K) => V,
  limit: number,
): V {
  let value = table.get(key)
  if (value === undefined) {
    value = make(key)
    if (table.size > limit) table.clear()
    table.set(key, value)
  }
  return value
}
