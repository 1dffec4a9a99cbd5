/** @jsxImportSource hono/jsx */
/**
 * Two versions' rule files side by side, line by line: the lines each side holds alone are marked, the common
 * ones shown around them (three lines of context), file by file.
 * @module web/rules-diff
 */
import type { Lang } from './i18n.ts'

type Op = { kind: 'same' | 'del' | 'add'; a?: number; b?: number; text: string }

/** A line diff of `a` and `b` (longest common subsequence; rule files are a few hundred lines). */
export function lineDiff(a: string[], b: string[]): Op[] {
  const n = a.length
  const m = b.length
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
  const out: Op[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ kind: 'same', a: i + 1, b: j + 1, text: a[i] })
      i++
      j++
    } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push({ kind: 'add', b: j + 1, text: b[j] })
      j++
    } else {
      out.push({ kind: 'del', a: i + 1, text: a[i] })
      i++
    }
  }
  return out
}

/** Side-by-side rows: a deletion and the addition after it share a row. */
function sideBySide(ops: Op[]) {
  const rows: { left?: Op; right?: Op }[] = []
  for (let k = 0; k < ops.length; ) {
    if (ops[k].kind === 'same') {
      rows.push({ left: ops[k], right: ops[k] })
      k++
      continue
    }
    const dels: Op[] = []
    const adds: Op[] = []
    while (k < ops.length && ops[k].kind !== 'same') {
      ;(ops[k].kind === 'del' ? dels : adds).push(ops[k])
      k++
    }
    for (let x = 0; x < Math.max(dels.length, adds.length); x++)
      rows.push({ left: dels[x], right: adds[x] })
  }
  return rows
}

const CSS = `table.diff{font-family:ui-monospace,"Noto Sans Mono CJK SC",monospace;font-size:.82rem;width:100%;table-layout:fixed}
table.diff td{padding:0 .4rem;white-space:pre-wrap;word-break:break-all;border:0}table.diff td{font-family:"DejaVu Sans Mono","Liberation Mono",monospace}table.diff th.ln{width:3.2rem}table.diff td.ln{width:3.2rem;color:#5b6470;text-align:right}
table.diff td.del{background:#fdecec}table.diff td.add{background:#eaf6ed}table.diff tr.gap td{background:#f6f8fa;color:#5b6470;text-align:center}`

/** One file's changes side by side; nothing when it is the same on both sides. */
export function FileDiff(props: {
  lang: Lang
  path: string
  a?: string
  b?: string
  left: string
  right: string
}) {
  const a = props.a === undefined ? [] : props.a.split('\n')
  const b = props.b === undefined ? [] : props.b.split('\n')
  if (props.a === props.b) return null
  const rows = sideBySide(lineDiff(a, b))
  const near = new Set<number>()
  rows.forEach((r, k) => {
    if (r.left?.kind !== 'same') for (let d = -3; d <= 3; d++) near.add(k + d)
  })
  const cell = (o: Op | undefined, side: 'a' | 'b') =>
    o
      ? [
          <td class="ln">{side === 'a' ? o.a : o.b}</td>,
          <td class={o.kind === 'same' ? '' : o.kind}>{o.text}</td>,
        ]
      : [<td class="ln" />, <td />]
  return (
    <section class="file-diff" data-path={props.path}>
      <style>{CSS}</style>
      <h3>
        <code>{props.path}</code>
        {props.a === undefined ? (props.lang === 'zh' ? '（新增文件）' : ' (new file)') : ''}
        {props.b === undefined ? (props.lang === 'zh' ? '（已删除）' : ' (removed)') : ''}
      </h3>
      <table class="diff">
        <thead>
          <tr>
            <th class="ln" scope="col">
              #
            </th>
            <th scope="col">{props.left}</th>
            <th class="ln" scope="col">
              #
            </th>
            <th scope="col">{props.right}</th>
          </tr>
        </thead>
        <tbody class="data" lang="zh-CN">
          {rows.map((r, k) =>
            near.has(k) ? (
              <tr>
                {cell(r.left, 'a')}
                {cell(r.right, 'b')}
              </tr>
            ) : near.has(k - 1) ? (
              <tr class="gap">
                <td colspan={4}>⋯</td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
    </section>
  )
}
