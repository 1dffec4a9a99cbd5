/**
 * Another commit's tree for a side-by-side benchmark (`--against REF`): a temporary git worktree of REF sharing this
 * checkout's node_modules, and its removal.
 * @module bench/worktree
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../..', import.meta.url).pathname

export function worktreeOf(ref: string): { tree: string; remove: () => void } {
  const tree = join(mkdtempSync(join(tmpdir(), 'mujun-against-')), 'tree')
  execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', '-q', tree, ref])
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'))
  return {
    tree,
    remove: () => {
      execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', tree])
      rmSync(join(tree, '..'), { recursive: true, force: true })
    },
  }
}
