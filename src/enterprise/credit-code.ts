/**
 * 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters, the last a check character.
 * @module enterprise/credit-code
 */

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
/** Each character code's value in CHARSET, -1 when not in it (a billing run checks a code per bill). */
const VALUE = new Int8Array(128).fill(-1)
for (let v = 0; v < CHARSET.length; v++) VALUE[CHARSET.charCodeAt(v)] = v

/** The CHARSET index of the check character for the first 17 characters of `s`, or -1 if one is not allowed. */
function checkIndex(s: string): number {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i)
    const v = c < 128 ? VALUE[c] : -1
    if (v < 0) return -1
    sum += v * WEIGHTS[i]
  }
  return (31 - (sum % 31)) % 31
}

/** Whether `code` is a valid credit code (creditCodeProblem says why not). */
export function isCreditCode(code: string): boolean {
  if (typeof code !== 'string' || code.length !== 18) return false
  const check = checkIndex(code)
  const last = code.charCodeAt(17)
  return check >= 0 && last < 128 && VALUE[last] === check
}

/** The check character for the first 17 characters, or undefined if one of them is not allowed. */
export function creditCodeCheckChar(first17: string): string | undefined {
  const check = checkIndex(first17)
  return check < 0 ? undefined : CHARSET[check]
}

/** Why `code` is not a valid credit code, or undefined when it is. */
export function creditCodeProblem(code: string): string | undefined {
  if (isCreditCode(code)) return undefined
  if (typeof code !== 'string' || code.length !== 18) {
    return `credit code '${code}' must have 18 characters (has ${typeof code === 'string' ? code.length : 0})`
  }
  for (let i = 0; i < 18; i++) {
    if (!CHARSET.includes(code[i])) {
      return `credit code '${code}' has '${code[i]}' at position ${i + 1}; allowed are digits and upper-case letters except I, O, Z, S, V`
    }
  }
  const expected = creditCodeCheckChar(code.slice(0, 17))
  if (expected !== code[17])
    return `credit code '${code}' fails its check character: expected '${expected}', found '${code[17]}'`
  return undefined
}

/** Builds a valid credit code from a 17-character body (for demo data and tests). */
export function withCheckChar(first17: string): string {
  const c = creditCodeCheckChar(first17)
  if (!c) throw new Error(`'${first17}' has characters a credit code cannot contain`)
  return first17 + c
}
