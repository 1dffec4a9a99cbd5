/**
 * A compact index of credit codes: code → a dense number (0, 1, 2, … in the order added), held in typed arrays
 * rather than a Map of a million strings. Codes of 18 ASCII characters (every valid unified social credit code) are
 * kept as bytes in one buffer with an open-addressing hash table over them; any other code goes to a small Map.
 * @module pricing/code-index
 */

const WIDTH = 18

/**
 * FNV-1a over the code's characters when it is held as bytes (18 printable ASCII characters), else -1: the check and
 * the hash in one pass (a lookup per bill).
 */
function hashOf(code: string): number {
  if (code.length !== WIDTH) return -1
  let h = 0x811c9dc5
  for (let i = 0; i < WIDTH; i++) {
    const c = code.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) return -1
    h = Math.imul(h ^ c, 0x01000193)
  }
  return h >>> 0
}

export class CodeIndex {
  private bytes: Uint8Array
  /** Slot → index + 1 (0: empty). Its size is a power of two, at least twice the codes held. */
  private slots: Int32Array
  private readonly others = new Map<string, number>()
  private count = 0

  constructor(expected = 1024) {
    this.bytes = new Uint8Array(Math.max(16, expected) * WIDTH)
    this.slots = new Int32Array(tableSize(expected))
  }

  /** Codes held. */
  get size(): number {
    return this.count
  }

  /** The index of `code`, or -1 when it is not held. */
  get(code: string): number {
    const h = hashOf(code)
    if (h < 0) return this.others.get(code) ?? -1
    const mask = this.slots.length - 1
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const v = this.slots[s]
      if (v === 0) return -1
      if (this.equals(v - 1, code)) return v - 1
    }
  }

  /** The index of `code`, added (as the next number) when it is not held yet. */
  add(code: string): number {
    const known = this.get(code)
    if (known >= 0) return known
    const index = this.count++
    const h = hashOf(code)
    if (h < 0) {
      this.others.set(code, index)
      return index
    }
    if ((index + 1) * WIDTH > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2)
      grown.set(this.bytes)
      this.bytes = grown
    }
    for (let i = 0; i < WIDTH; i++) this.bytes[index * WIDTH + i] = code.charCodeAt(i)
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2)
    this.place(h, index)
    return index
  }

  /** Bytes of memory the index holds in typed arrays (the Map of odd codes aside). */
  byteLength(): number {
    return this.bytes.byteLength + this.slots.byteLength
  }

  private equals(index: number, code: string): boolean {
    const at = index * WIDTH
    for (let i = 0; i < WIDTH; i++) if (this.bytes[at + i] !== code.charCodeAt(i)) return false
    return true
  }

  private place(hash: number, index: number): void {
    const mask = this.slots.length - 1
    let s = hash & mask
    while (this.slots[s] !== 0) s = (s + 1) & mask
    this.slots[s] = index + 1
  }

  private rehash(size: number): void {
    const old = this.slots
    this.slots = new Int32Array(size)
    const mask = size - 1
    for (const v of old) {
      if (v === 0) continue
      const at = (v - 1) * WIDTH
      let h = 0x811c9dc5
      for (let i = 0; i < WIDTH; i++) {
        h ^= this.bytes[at + i]
        h = Math.imul(h, 0x01000193)
      }
      let s = (h >>> 0) & mask
      while (this.slots[s] !== 0) s = (s + 1) & mask
      this.slots[s] = v
    }
  }
}

function tableSize(expected: number): number {
  let size = 1024
  while (size < expected * 2) size *= 2
  return size
}
