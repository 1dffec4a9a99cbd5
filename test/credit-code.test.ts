import { expect, it } from 'vitest'
import { creditCodeProblem, isCreditCode, withCheckChar } from '../src/enterprise/credit-code.ts'

it('accepts published credit codes', () => {
  // A widely published example code (GB 32100-2015 explanatory material) and the PBOC's own code.
  expect(creditCodeProblem('91350100M000100Y43')).toBeUndefined()
})

it.each([
  {
    code: '91330203MA2000001',
    message: "credit code '91330203MA2000001' must have 18 characters (has 17)",
  },
  {
    code: '91330203MA2000001D',
    message: "credit code '91330203MA2000001D' fails its check character: expected 'C', found 'D'",
  },
  {
    code: '91330203MA20000O1C',
    message:
      "credit code '91330203MA20000O1C' has 'O' at position 16; allowed are digits and upper-case letters except I, O, Z, S, V",
  },
])('rejects $code', ({ code, message }) => {
  expect(creditCodeProblem(code)).toBe(message)
})

it('builds codes that validate', () => {
  expect(creditCodeProblem(withCheckChar('91330282MA2000001'))).toBeUndefined()
})

it('isCreditCode agrees with the standard’s check over valid codes, every one-character change and other strings', () => {
  // GB 32100-2015 written out the plain way, as a reference for the table-driven check a billing run uses.
  const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY'
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
  const reference = (code: string) => {
    if (code.length !== 18 || [...code].some((c) => !charset.includes(c))) return false
    const sum = weights.reduce((a, w, i) => a + charset.indexOf(code[i]) * w, 0)
    return code[17] === charset[(31 - (sum % 31)) % 31]
  }
  let seed = 7
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const alphabet = `${charset}IOZSVaz -\u00e9\u4e2d\u{1f600}`
  const samples: string[] = ['', '91350100M000100Y43', '91350100M000100Y4', '91350100M000100Y433']
  for (let k = 0; k < 300; k++) {
    const valid = withCheckChar(Array.from({ length: 17 }, () => charset[next(31)]).join(''))
    samples.push(valid)
    for (let i = 0; i < 18; i++)
      samples.push(valid.slice(0, i) + alphabet[next(alphabet.length)] + valid.slice(i + 1))
  }
  let valid = 0
  for (const code of samples) {
    expect(isCreditCode(code), code).toBe(reference(code))
    expect(creditCodeProblem(code) === undefined, code).toBe(reference(code))
    if (reference(code)) valid++
  }
  expect(valid).toBeGreaterThan(300)
})
