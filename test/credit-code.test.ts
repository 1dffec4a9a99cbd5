import { expect, it } from 'vitest'
import { creditCodeProblem, withCheckChar } from '../src/enterprise/credit-code.ts'

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
