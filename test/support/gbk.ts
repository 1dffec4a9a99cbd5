/**
 * Text to GBK bytes, as Excel on a Chinese Windows saves "CSV" (Node has a GBK decoder, no encoder): the code table
 * is read back from the decoder once.
 */
let table: Map<string, number[]> | undefined

function gbkTable(): Map<string, number[]> {
  if (table) return table
  table = new Map()
  const dec = new TextDecoder('gbk')
  for (let lead = 0x81; lead <= 0xfe; lead++)
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue
      const ch = dec.decode(new Uint8Array([lead, trail]))
      if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail])
    }
  return table
}

export function encodeGbk(text: string): Uint8Array {
  const t = gbkTable()
  const out: number[] = []
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (code < 0x80) out.push(code)
    else {
      const bytes = t.get(ch)
      if (!bytes) throw new Error(`'${ch}' has no GBK code`)
      out.push(...bytes)
    }
  }
  return new Uint8Array(out)
}
