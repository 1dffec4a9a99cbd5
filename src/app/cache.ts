/**
 * The one cache of derived answers (principals, enterprise rows, published histories, tier answers, previews):
 * bounded by entries and by bytes, keyed by validated canonical values, and emptied whenever the database revision
 * moves (a write here or a commit by any other process, see Store.sync), so no answer outlives the data it came from.
 * @module app/cache
 */

export interface CacheLimits {
  entries: number
  /** Approximate bytes of keys and values kept. */
  bytes: number
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { entries: 200_000, bytes: 128 * 1024 * 1024 }

export class RevisionCache {
  private map = new Map<string, { value: unknown; bytes: number }>()
  private bytes = 0
  private seen = -1

  constructor(
    private readonly revision: () => number,
    readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS,
  ) {}

  /**
   * The value under `key`, made by `make` on a miss and kept unless undefined or larger than a sixteenth of the
   * byte budget.
   * When full, the oldest entries go first; the cache is never cleared wholesale except by a new revision.
   */
  get<T>(key: string, make: () => T, bytesOf: (value: T) => number = () => 256): T {
    const rev = this.revision()
    if (rev !== this.seen) {
      this.map.clear()
      this.bytes = 0
      this.seen = rev
    }
    const hit = this.map.get(key)
    if (hit !== undefined) return hit.value as T
    const value = make()
    // Nothing is kept for `undefined` (e.g. an unknown token): misses cannot fill the cache.
    if (value === undefined) return value
    const bytes = 64 + key.length * 2 + bytesOf(value)
    if (bytes > this.limits.bytes / 16 || this.revision() !== rev) return value
    while (
      this.map.size > 0 &&
      (this.map.size >= this.limits.entries || this.bytes + bytes > this.limits.bytes)
    ) {
      const oldest = this.map.keys().next().value as string
      this.bytes -= this.map.get(oldest)!.bytes
      this.map.delete(oldest)
    }
    this.map.set(key, { value, bytes })
    this.bytes += bytes
    return value
  }

  /** The value under `key` if held at the current revision (no `make`: for answers computed elsewhere). */
  peek<T>(key: string): T | undefined {
    if (this.revision() !== this.seen) return undefined
    return this.map.get(key)?.value as T | undefined
  }

  /** Keeps `value` under `key` if the revision is still `revision` (the one it was computed at). */
  put<T>(key: string, value: T, revision: number, bytesOf: (value: T) => number = () => 256): void {
    if (this.revision() !== revision) return
    this.get(key, () => value, bytesOf)
  }

  /** Entries and approximate bytes held (for the soak test and /healthz). */
  stats(): { entries: number; bytes: number } {
    return { entries: this.map.size, bytes: this.bytes }
  }
}
