/**
 * Memo tables for values derived from immutable inputs (a compiled rulebook, a frozen history, a date string).
 * @module memo
 */

/** What `memoized` needs of a Map or a WeakMap. */
interface Table<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): unknown
}

/** The value kept under `key`, made by `make(key)` the first time. */
export function memoized<K, V>(table: Table<K, V>, key: K, make: (key: K) => V): V {
  let value = table.get(key)
  if (value === undefined) {
    value = make(key)
    table.set(key, value)
  }
  return value
}

/** As `memoized`, for keys that are not bounded in number: the memo is emptied when it passes `limit` entries. */
export function remember<K, V>(memo: Map<K, V>, key: K, make: (key: K) => V, limit: number): V {
  let value = memo.get(key)
  if (value === undefined) {
    value = make(key)
    if (memo.size > limit) memo.clear()
    memo.set(key, value)
  }
  return value
}
