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

interface Entry {
  value: unknown
  bytes: number
}

export class RevisionCache {
  // Two generations, each up to half the limits: when the young one is full it becomes the old one and the old one
  // is dropped whole. (Evicting one oldest entry at a time from a single Map walks the deleted entries V8 keeps at
  // its front: a billing run over a million firms made every insert slower than the last.)
  private young = new Map<string, Entry>()
  private old = new Map<string, Entry>()
  private youngBytes = 0
  private oldBytes = 0
  private seen = -1

  constructor(
    private readonly revision: () => number,
    readonly limits: CacheLimits = DEFAULT_CACHE_LIMITS,
  ) {}

  /**
   * The value under `key`, made by `make` on a miss and kept unless undefined or larger than a sixteenth of the
   * byte budget. When full, the older half goes first; the cache is never cleared wholesale except by a new
   * revision.
   */
  get<T>(key: string, make: () => T, bytesOf: (value: T) => number = () => 256): T {
    const rev = this.revision()
    if (rev !== this.seen) {
      this.clear()
      this.seen = rev
    }
    const hit = this.young.get(key)
    if (hit !== undefined) return hit.value as T
    const aged = this.old.get(key)
    if (aged !== undefined) {
      // Used again: moved to the young generation, so it outlives the next turnover.
      this.old.delete(key)
      this.oldBytes -= aged.bytes
      this.keep(key, aged)
      return aged.value as T
    }
    const value = make()
    // Nothing is kept for `undefined` (e.g. an unknown token): misses cannot fill the cache.
    if (value === undefined) return value
    const bytes = 64 + key.length * 2 + bytesOf(value)
    if (bytes > this.limits.bytes / 16 || this.revision() !== rev) return value
    this.keep(key, { value, bytes })
    return value
  }

  private keep(key: string, entry: Entry): void {
    if (
      this.young.size >= this.limits.entries / 2 ||
      this.youngBytes + entry.bytes > this.limits.bytes / 2
    ) {
      this.old = this.young
      this.oldBytes = this.youngBytes
      this.young = new Map()
      this.youngBytes = 0
    }
    this.young.set(key, entry)
    this.youngBytes += entry.bytes
  }

  private clear(): void {
    this.young = new Map()
    this.old = new Map()
    this.youngBytes = 0
    this.oldBytes = 0
  }

  /** The value under `key` if held at the current revision (no `make`: for answers computed elsewhere). */
  peek<T>(key: string): T | undefined {
    if (this.revision() !== this.seen) return undefined
    return (this.young.get(key) ?? this.old.get(key))?.value as T | undefined
  }

  /** Keeps `value` under `key` if the revision is still `revision` (the one it was computed at). */
  put<T>(key: string, value: T, revision: number, bytesOf: (value: T) => number = () => 256): void {
    if (this.revision() !== revision) return
    this.get(key, () => value, bytesOf)
  }

  /** Entries and approximate bytes held (for the soak test and /healthz). */
  stats(): { entries: number; bytes: number } {
    return { entries: this.young.size + this.old.size, bytes: this.youngBytes + this.oldBytes }
  }
}
