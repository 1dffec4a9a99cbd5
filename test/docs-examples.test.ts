// Every example command of README.md and docs/*.md runs as written on a fresh demo. Each file's ```sh blocks are
// read in order; each `npx mujun …` line (continuation lines joined) runs through the CLI in a folder of its own
// that holds a demo database at data/mujun.db, a copy of rules/ and the docs (so docs/examples/firms.csv is there).
// A file's commands share one demo, in order, as a reader following the page would. docs/time.md's recipe "Change a
// tariff" is also checked for what it promises: quotes from the new day charge the new rate, earlier days not.
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../src/cli/main.ts'
import { call, createTestApp, type TestApp } from './support/app.ts'
import { tempDir } from './support/tmp.ts'

const ROOT = new URL('..', import.meta.url).pathname

/** Commands shown in the docs that cannot run inside a test, each with the reason. */
const SKIPPED: { match: RegExp; reason: string }[] = [
  { match: /^serve\b/, reason: 'starts the HTTP service and runs until it is stopped' },
]

/** The words of one shell line, quotes removed, up to an unquoted `#` comment. */
function words(line: string): string[] {
  const out: string[] = []
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    if (m[3]?.startsWith('#')) break
    out.push(m[1] ?? m[2] ?? m[3])
  }
  return out
}

/** Every ```sh block of `markdown`, with the heading it sits under; continuation lines joined. */
function shellBlocks(markdown: string): { heading: string; lines: string[] }[] {
  const blocks: { heading: string; lines: string[] }[] = []
  for (const m of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)) {
    if (m[1] !== 'sh') continue
    const before = markdown.slice(0, m.index).match(/^#+ .*$/gm) ?? []
    const heading = (before[before.length - 1] ?? '').replace(/^#+ /, '')
    blocks.push({ heading, lines: m[2].replace(/\\\n\s*/g, ' ').split('\n') })
  }
  return blocks
}

/** The `npx mujun` commands of a markdown file, in order, as argument lists. */
function mujunCommands(markdown: string): { heading: string; line: string; args: string[] }[] {
  return shellBlocks(markdown).flatMap(({ heading, lines }) =>
    lines
      .map((l) => l.trim())
      .filter((l) => l.startsWith('npx mujun '))
      .map((line) => ({ heading, line, args: words(line).slice(2) })),
  )
}

const files = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
]

it('the docs show example commands, and every one of them is run below', () => {
  const all = files.flatMap((f) => mujunCommands(readFileSync(join(ROOT, f), 'utf8')))
  expect(all.length).toBeGreaterThan(30)
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('docs/examples/firms.csv')
})

describe.each(files.map((f) => ({ file: f })))('$file', ({ file }) => {
  const commands = mujunCommands(readFileSync(join(ROOT, file), 'utf8'))
  let t: TestApp | undefined
  let dir = ''
  const cwd = process.cwd()
  const outputs = new Map<string, string>()

  beforeAll(() => {
    if (commands.length === 0) return
    dir = tempDir('docs')
    mkdirSync(join(dir, 'data'))
    cpSync(join(ROOT, 'rules'), join(dir, 'rules'), { recursive: true })
    symlinkSync(join(ROOT, 'docs'), join(dir, 'docs'))
    // A fresh demo as the server seeds it (with its collected surcharges and refund run).
    t = createTestApp({ path: join(dir, 'data', 'mujun.db'), money: true })
    process.chdir(dir)
  })
  afterAll(() => {
    process.chdir(cwd)
  })

  if (commands.length === 0) {
    it('shows no `npx mujun` command', () => {})
    return
  }
  for (const { heading, line, args } of commands) {
    const skip = SKIPPED.find((s) => s.match.test(args.join(' ')))
    if (skip) {
      it.skip(`${line} (skipped: ${skip.reason})`, () => {})
      continue
    }
    it(`${heading}: ${line}`, async () => {
      const out: string[] = []
      const code = await runCli(args, { out: (s) => out.push(s), err: (s) => out.push(s) })
      expect(code, `${line}\n${out.join('\n')}`).toBe(0)
      outputs.set(line, out.join('\n'))
    })
  }

  if (file === 'docs/time.md')
    it('"Change a tariff": the preview names the day; quotes split on it', async () => {
      const change = commands.filter((c) => c.heading === 'Change a tariff')
      expect(change).toHaveLength(2)
      expect(outputs.get(change[0].line)).toContain('changes answers from 2027-01-01')
      expect(outputs.get(change[1].line)).toContain('rulebook version 2 created and now in force')
      await new Promise((r) => setImmediate(r))
      const res = await call(t!.app, 'POST', '/v1/quotes', {
        token: t!.tokens.utility,
        body: {
          creditCode: t!.tokens.creditCode,
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
})
