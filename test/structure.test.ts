// Issue "One home per use case": the structure's rules, held by a test so they stay held. A README of at most
// 12 KB; no file in src/ over 600
// lines and no function over 150 (an exception needs a comment `structure: <why>` on the line before it); no
// module-level mutable state in the pure core; no import cycle; no edge between http/ and web/.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, normalize } from 'node:path'
import ts from 'typescript'
import { expect, it } from 'vitest'

const SRC = new URL('../src/', import.meta.url).pathname
const CORE = ['formula', 'rulebook', 'rating', 'pricing', 'programme']

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return sources(p)
    return /\.(ts|tsx|mjs)$/.test(f) ? [p] : []
  })
}
const rel = (p: string) => p.slice(SRC.length)
const files = sources()
const parsed = files.map((f) => {
  const text = readFileSync(f, 'utf8')
  const kind = f.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS
  return { f, text, sf: ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true, kind) }
})
const excused = (text: string, line: number) =>
  /structure: \S/.test(text.split('\n')[line - 1] ?? '')

it('the README is a front door (at most 12 KB); the manual lives in docs/', () => {
  expect(statSync(new URL('../README.md', import.meta.url)).size).toBeLessThanOrEqual(12 * 1024)
})

it('no file in src/ is over 600 lines', () => {
  const over = parsed
    .map(({ f, text }) => [rel(f), text.split('\n').length] as const)
    .filter(([, n]) => n > 600)
  expect(over).toEqual([])
})

it('no function in src/ is over 150 lines', () => {
  const over: string[] = []
  for (const { f, text, sf } of parsed) {
    const visit = (n: ts.Node) => {
      if (ts.isFunctionLike(n) && 'body' in n && n.body) {
        const a = sf.getLineAndCharacterOfPosition(n.getStart()).line
        const b = sf.getLineAndCharacterOfPosition(n.getEnd()).line
        if (b - a + 1 > 150 && !excused(text, a))
          over.push(`${rel(f)}:${a + 1} (${b - a + 1} lines)`)
      }
      ts.forEachChild(n, visit)
    }
    visit(sf)
  }
  expect(over).toEqual([])
})

it('the pure core keeps no module-level mutable state', () => {
  const found: string[] = []
  for (const { f, sf } of parsed) {
    if (!CORE.includes(rel(f).split('/')[0])) continue
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st)) continue
      const where = `${rel(f)}:${sf.getLineAndCharacterOfPosition(st.getStart()).line + 1}`
      if (!(st.declarationList.flags & ts.NodeFlags.Const)) found.push(`${where} let/var`)
      for (const d of st.declarationList.declarations) {
        const init = d.initializer?.getText() ?? ''
        const type = d.type?.getText() ?? ''
        if (/^new (Map|WeakMap|Set|WeakSet)\b/.test(init) && !/^Readonly/.test(type))
          found.push(`${where} ${d.name.getText()} = ${init.slice(0, 20)}…`)
      }
    }
  }
  expect(found).toEqual([])
})

it('no import cycle, and no edge between http/ and web/', () => {
  const graph = new Map<string, string[]>()
  const crossing: string[] = []
  for (const { f, text } of parsed) {
    const deps: string[] = []
    for (const m of text.matchAll(/^(?:import|export)\s+(?:type\s+)?[^'"]*?from '(\.[^']+)'/gm)) {
      const target = normalize(join(f, '..', m[1]))
      deps.push(target)
      const [a, b] = [rel(f).split('/')[0], rel(target).split('/')[0]]
      if ((a === 'http' && b === 'web') || (a === 'web' && b === 'http'))
        crossing.push(`${rel(f)} → ${rel(target)}`)
    }
    graph.set(f, deps)
  }
  const state = new Map<string, 1 | 2>()
  const stack: string[] = []
  const cycles: string[] = []
  const visit = (n: string) => {
    state.set(n, 1)
    stack.push(n)
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 1)
        cycles.push([...stack.slice(stack.indexOf(d)), d].map(rel).join(' → '))
      else if (!state.get(d)) visit(d)
    }
    stack.pop()
    state.set(n, 2)
  }
  for (const f of files) if (!state.get(f)) visit(f)
  expect(cycles).toEqual([])
  expect(crossing).toEqual([])
})
