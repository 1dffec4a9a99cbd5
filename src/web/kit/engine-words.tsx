/** @jsxImportSource hono/jsx */
/**
 * The pricing engine explains each charge and note in English (the API's language, kept stable for clients). The
 * pages say the same in the reader's language: each known form is rewritten from its parts; a form not known here is
 * shown as the engine wrote it, as code, so nothing is hidden.
 * @module web/kit/engine-words
 */
import type { Child } from 'hono/jsx'
import type { Lang } from '../i18n.ts'
import { Data } from './ui.tsx'

type Rewrite = [RegExp, (m: RegExpExecArray) => Child]

const ZH: Rewrite[] = [
  [
    /^class ([A-Z]): ([\d.]+)% of the base price ([\d.]+) \(evaluation (\d{4})\)$/,
    (m) => `${m[1]} 类：按基准价 ${m[3]} 元加价 ${m[2]}%（${m[4]} 年度评价）`,
  ],
  [
    /^(.+): ([\d.]+)% of the base price ([\d.]+) \(evaluation (\d{4})\)$/,
    (m) => (
      <>
        <Data>{m[1]}</Data>：按基准价 {m[3]} 元加价 {m[2]}%（{m[4]} 年度评价）
      </>
    ),
  ],
  [
    /^class ([A-Z]) (.+?) \(evaluation (\d{4})(?:, (\d+) consecutive years)?\)$/,
    (m) => `${m[1]} 类（${m[2]}，${m[3]} 年度评价${m[4] ? `，连续 ${m[4]} 年` : ''}）`,
  ],
  [
    /^(.+) \((.+), evaluation (\d{4})\)$/,
    (m) => (
      <>
        <Data>{m[1]}</Data>（<code>{m[2]}</code>，{m[3]} 年度评价）
      </>
    ),
  ],
  [
    /^(\S+) ([-\d.]+) over ([-\d.]+) by (\d+) step\(s\) of ([-\d.]+)$/,
    (m) => (
      <>
        <code>{m[1]}</code> 为 {m[2]}，超过 {m[3]}，按每 {m[5]} 一档共 {m[4]} 档加价
      </>
    ),
  ],
  [
    /^over quota ([\d.]+)%–([\d.]+%|∞) \(annual quota ([\d.]+), \+([\d.]+) × ([\d.]+)\)$/,
    (m) =>
      `超定额 ${m[1]}%–${m[2] === '∞' ? '以上' : m[2]} 部分（年定额 ${m[3]}，加收 ${m[4]} 倍基本价 ${m[5]}）`,
  ],
  [
    /^evaluation (\d{4}) still applies on (\d{4}-\d\d-\d\d): the evaluation of (\d{4}) is not published yet$/,
    (m) => `${m[2]} 仍执行 ${m[1]} 年度评价结果：${m[3]} 年度评价尚未发布`,
  ],
  [
    /^evaluation (\d{4}) still applies: the evaluation of (\d{4}) binds only once it is published$/,
    (m) => `仍执行 ${m[1]} 年度评价结果：${m[2]} 年度评价发布后方才执行`,
  ],
  [
    /^no published evaluation binds on (\d{4}-\d\d-\d\d): no class or category applies$/,
    (m) => `${m[1]} 没有已发布的评价结果：不加收按类别或分类的加价`,
  ],
  [
    /^no published evaluation binds from (\S+) to (\S+): no class or category applies$/,
    (m) => `${m[1]} 至 ${m[2]} 没有已发布的评价结果：不加收按类别或分类的加价`,
  ],
  [
    /^closed on (\d{4}-\d\d-\d\d)(?: \((.+)\))?: nothing is charged from that day$/,
    (m) => (
      <>
        {m[1]} 关停
        {m[2] ? (
          <>
            （<Data>{m[2]}</Data>）
          </>
        ) : null}
        ：自当日起不再加收
      </>
    ),
  ],
  [
    /^evaluation (\d+) of (\d{4}) is in public notice until (\S+): its classes are provisional and charge nothing until it is published$/,
    (m) => `${m[2]} 年度评价（批次 ${m[1]}）公示至 ${m[3]}：公示中的类别为拟定结果，发布前不加收`,
  ],
  [
    /^(\S+) not applied: (.+)$/,
    (m) => (
      <>
        <code>{m[1]}</code> 未适用：<code>{m[2]}</code>
      </>
    ),
  ],
]

const EN: Rewrite[] = [
  [
    /^(.+): ([\d.]+)% of the base price ([\d.]+) \(evaluation (\d{4})\)$/,
    (m) =>
      /^class [A-Z]$/.test(m[1]) ? (
        `${m[1]}: ${m[2]}% of the base price ¥${m[3]} (evaluation ${m[4]})`
      ) : (
        <>
          <Data>{m[1]}</Data>: {m[2]}% of the base price ¥{m[3]} (evaluation {m[4]})
        </>
      ),
  ],
  [
    /^class ([A-Z]) (.+?) \(evaluation (\d{4})(?:, (\d+) consecutive years)?\)$/,
    (m) => `class ${m[1]} (evaluation ${m[3]}${m[4] ? `, ${m[4]} consecutive years` : ''})`,
  ],
  [
    /^(.+) \((.+), evaluation (\d{4})\)$/,
    (m) => (
      <>
        <Data>{m[1]}</Data> (<code>{m[2]}</code>, evaluation {m[3]})
      </>
    ),
  ],
]

/** An engine explanation (a charge's reason or a note) in `lang`. */
export function EngineWords(props: { lang: Lang; text: string }) {
  for (const [re, say] of props.lang === 'zh' ? ZH : EN) {
    const m = re.exec(props.text)
    if (m) return <span class="engine">{say(m)}</span>
  }
  return <code>{props.text}</code>
}
