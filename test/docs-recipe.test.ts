// docs/time.md's recipe "Change a tariff" runs as written, on a demo database: each `npx mujun` command of its
// first shell block, then the effect it promises (quotes from the new day charge the new rate, earlier days not).
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { call, createTestApp } from './support/app.ts'

/** The commands of the first ```sh block after `heading`, continuation lines joined, split as a shell would. */
function recipe(markdown: string, heading: string): string[][] {
  const after = markdown.slice(markdown.indexOf(heading))
  const block = /```sh\n([\s\S]*?)```/.exec(after)![1]
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((l) => l.startsWith('npx mujun '))
    .map((l) => words(l).slice(2))
}

function words(line: string): string[] {
  const out: string[] = []
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3])
  return out
}

it('"Change a tariff" runs as written and a quote splits on the new day', async () => {
  const commands = recipe(
    readFileSync(new URL('../docs/time.md', import.meta.url), 'utf8'),
    '## Change a tariff',
  )
  expect(commands).toHaveLength(2)
  const db = join(mkdtempSync(join(tmpdir(), 'mujun-recipe-')), 'm.db')
  const t = createTestApp({ size: 300, path: db })
  const outs: string[] = []
  for (const args of commands) {
    const out: string[] = []
    const code = await runCli(
      args.map((a) => (a === 'data/mujun.db' ? db : a)),
      { out: (s) => out.push(s), err: (s) => out.push(s) },
    )
    expect(code, out.join('\n')).toBe(0)
    outs.push(out.join('\n'))
  }
  expect(outs[0]).toContain('changes answers from 2027-01-01')
  expect(outs[1]).toContain('rulebook version 2 created and now in force')
  await new Promise((r) => setImmediate(r))
  const res = await call(t.app, 'POST', '/v1/quotes', {
    token: t.tokens.utility,
    body: {
      creditCode: t.tokens.creditCode,
      resource: 'electricity',
      quantity: '62000',
      from: '2026-12-01',
      to: '2027-02-01',
    },
  })
  const q = (await res.json()) as { lines: { from: string; rate: string }[] }
  expect(q.lines.map((l) => [l.from, l.rate])).toEqual([
    ['2026-12-01', '0.3'],
    ['2027-01-01', '0.35'],
  ])
})
