/**
 * How the pages write numbers, money, shares and times: 千分位, units, Beijing time. Money arrives as a decimal
 * string and is grouped as text, so no amount passes through a binary float on its way to the page.
 * @module web/kit/format
 */
import type { Lang } from '../i18n.ts'

/** Groups the integer part of a decimal string by thousands: "-60000000.5" → "-60,000,000.5". */
export function grouped(decimal: string): string {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(decimal.trim())
  if (!m) return decimal
  return `${m[1]}${m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`
}

/** A yuan amount (a decimal string or an integer count of fen) with separators and two decimals: "60,000,000.00 元". */
export function yuan(amount: string | bigint, lang: Lang): string {
  const s = typeof amount === 'bigint' ? fenToDecimal(amount) : withTwoDecimals(amount)
  return lang === 'zh' ? `${grouped(s)} 元` : `¥${grouped(s)}`
}

function fenToDecimal(fen: bigint): string {
  const neg = fen < 0n
  const a = neg ? -fen : fen
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`
}

function withTwoDecimals(s: string): string {
  const m = /^(-?\d+)(?:\.(\d*))?$/.exec(s.trim())
  if (!m) return s
  const frac = (m[2] ?? '').padEnd(2, '0')
  // More than two decimals are shown as stored: the pages never round money themselves.
  return `${m[1]}.${frac}`
}

/** A plain number with separators and at most `digits` decimals (figures, counts, ratios). */
export function num(n: number | string, digits = 2): string {
  const v = typeof n === 'string' ? Number(n) : n
  if (!Number.isFinite(v)) return String(n)
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
}

/** A share (0.3411) as people read it: "34.1%". */
export function pct(share: number, digits = 1): string {
  if (!Number.isFinite(share)) return '—'
  return `${(share * 100).toFixed(digits)}%`
}

/** An ISO instant as Beijing time, "2026-12-03 16:05" (UTC+8, no daylight saving). */
export function beijing(iso: string | undefined | null): string {
  if (!iso) return '—'
  // Only an instant with its zone is converted: a time already written as Beijing time is left as it is.
  if (!/T.*(Z|[+-]\d\d:?\d\d)$/.test(iso)) return iso
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return iso
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')
}

/** The zone note that goes with Beijing times. */
export const BEIJING_NOTE: Record<Lang, string> = { zh: '北京时间', en: 'Beijing time' }

/** An instant in Beijing time with the zone said, bracketed as each language does. */
export function inBeijing(lang: Lang, iso: string | undefined | null): string {
  return lang === 'zh'
    ? `${beijing(iso)}（${BEIJING_NOTE.zh}）`
    : `${beijing(iso)} (${BEIJING_NOTE.en})`
}
