/**
 * GB/T 4754-2017 industry codes and their prefixes: a prefix is a section letter (C: manufacturing), a division and
 * more digits (3130), or both (C31). A firm's code is four digits, with or without its section letter.
 * @module rulebook/industry
 */

/** The divisions (two-digit codes) of each GB/T 4754-2017 section. */
const SECTIONS: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  A: [1, 5],
  B: [6, 12],
  C: [13, 43],
  D: [44, 46],
  E: [47, 50],
  F: [51, 52],
  G: [53, 60],
  H: [61, 62],
  I: [63, 65],
  J: [66, 69],
  K: [70, 70],
  L: [71, 72],
  M: [73, 75],
  N: [76, 79],
  O: [80, 82],
  P: [83, 83],
  Q: [84, 85],
  R: [86, 90],
  S: [91, 96],
  T: [97, 97],
})

const two = (n: number) => String(n).padStart(2, '0')

/** Why `prefix` is not a GB/T 4754 prefix (e.g. a letter whose section does not hold the division), or undefined. */
export function industryPrefixProblem(prefix: string): string | undefined {
  const m = /^([A-Z]?)(\d{0,4})$/.exec(prefix)
  if (!m || prefix === '')
    return `'${prefix}' is not a GB/T 4754 prefix (a section letter and/or up to four digits, e.g. C31, 3391)`
  const [, letter, digits] = m
  if (letter && !SECTIONS[letter]) return `'${letter}' is not a GB/T 4754 section (A–T)`
  if (letter && digits.length >= 2) {
    const [lo, hi] = SECTIONS[letter]
    const div = Number(digits.slice(0, 2))
    if (div < lo || div > hi)
      return `division ${digits.slice(0, 2)} is not in section ${letter} (${two(lo)}–${two(hi)})`
  }
  if (letter && digits.length === 1)
    return `'${prefix}': after a section letter give the two-digit division`
  return undefined
}

/** How specific a prefix is (its digits; a section letter alone counts less than any division). */
export const prefixLength = (prefix: string) => prefix.replace(/^[A-Z]/, '').length

/** Whether a firm's industry code falls under a prefix (checked by industryPrefixProblem). */
export function industryMatches(code: string, prefix: string): boolean {
  const digits = /^[A-Z]/.test(code) ? code.slice(1) : code
  const letter = /^[A-Z]/.test(prefix) ? prefix[0] : ''
  const want = letter ? prefix.slice(1) : prefix
  if (letter) {
    const range = SECTIONS[letter]
    const div = Number(digits.slice(0, 2))
    if (!range || digits.length < 2 || div < range[0] || div > range[1]) return false
  }
  return digits.startsWith(want)
}

/** The id of the group whose prefix is the longest match of `code`, else the default group's. */
export function industryGroupOf(
  groups: readonly { id: string; industryCodes: readonly string[]; default?: boolean }[],
  code: string,
): string | undefined {
  let best: string | undefined
  let bestLen = -1
  for (const g of groups)
    for (const p of g.industryCodes)
      if (industryMatches(code, p) && prefixLength(p) > bestLen) {
        best = g.id
        bestLen = prefixLength(p)
      }
  return best ?? groups.find((g) => g.default)?.id
}
