/**
 * A rank said honestly: "组内第 152 名 / 共 158 名，位于后 4%". The upper half of a group is told its place from the
 * top, the lower half from the bottom, so rank 152 of 158 is never "the top 97%".
 * @module web/rank-words
 */
import type { Lang } from './i18n.ts'

/** Whether `rank` of `size` is in the upper half, and the share of the group at or beyond it on that side (whole %). */
export function rankSide(rank: number, size: number): { top: boolean; percent: number } {
  const top = rank <= size / 2
  const counted = top ? rank : size - rank + 1
  return { top, percent: Math.max(1, Math.round((counted / size) * 100)) }
}

/** The rank as words in `lang`; "—" without a rank. */
export function rankWords(
  lang: Lang,
  rank: number | null | undefined,
  size: number | null | undefined,
): string {
  if (!rank || !size) return '—'
  const { top, percent } = rankSide(rank, size)
  return lang === 'zh'
    ? `组内第 ${rank} 名 / 共 ${size} 名，位于${top ? '前' : '后'} ${percent}%`
    : `rank ${rank} of ${size} in the group, in the ${top ? 'top' : 'bottom'} ${percent}%`
}
