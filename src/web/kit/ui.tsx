/** @jsxImportSource hono/jsx */
/**
 * The pieces every page is built from: form fields that keep their input and carry their error next to them,
 * status badges, tables with header rows, confirmations, notices.
 * @module web/kit/ui
 */

import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { Lang } from '../i18n.ts'
import { type ChartSpec, chartSvg } from './charts.ts'
import { statusLabel } from './labels.ts'

/** Field errors of a form, by field name, already in the page's language. */
export type FieldErrors = Record<string, string>

/**
 * A labelled input. `value` is what was typed (kept on an error); `error` is shown next to the field.
 * `type="textarea"` and `type="select"` (with `options`) are supported.
 */
export function Field(props: {
  name: string
  label: string
  value?: string
  error?: string
  type?: string
  hint?: string
  required?: boolean
  options?: { value: string; label: string }[]
  rows?: number
  step?: string
  min?: string
  placeholder?: string
}) {
  const id = `f-${props.name}`
  const common = {
    id,
    name: props.name,
    required: props.required,
    'aria-invalid': props.error ? 'true' : undefined,
    'aria-describedby': props.error ? `${id}-err` : undefined,
  }
  const input =
    props.type === 'textarea' ? (
      <textarea {...common} rows={props.rows ?? 12} placeholder={props.placeholder}>
        {props.value ?? ''}
      </textarea>
    ) : props.type === 'select' ? (
      <select {...common}>
        {(props.options ?? []).map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    ) : (
      <input
        {...common}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        step={props.step}
        min={props.min}
        placeholder={props.placeholder}
      />
    )
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>
        {props.label}
        {props.required ? <span class="req">*</span> : null}
      </label>
      {input}
      {props.hint ? <small class="hint">{props.hint}</small> : null}
      {props.error ? (
        <small class="field-error" id={`${id}-err`} role="alert">
          {props.error}
        </small>
      ) : null}
    </div>
  )
}

/** A status word as a coloured badge. */
export function Badge(props: { lang: Lang; status: string }) {
  return <span class={`badge st-${props.status}`}>{statusLabel(props.lang, props.status)}</span>
}

/** A table with a header row; `num` marks the columns that hold numbers (right-aligned). */
export function Table(props: {
  head: Child[]
  rows: Child[][]
  num?: number[]
  id?: string
  empty?: string
  caption?: string
}) {
  const num = new Set(props.num ?? [])
  return (
    <table id={props.id}>
      {props.caption ? <caption>{props.caption}</caption> : null}
      <thead>
        <tr>
          {props.head.map((h, i) => (
            <th class={num.has(i) ? 'num' : undefined} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.length === 0 && props.empty ? (
          <tr>
            <td colspan={props.head.length} class="empty">
              {props.empty}
            </td>
          </tr>
        ) : (
          props.rows.map((r) => (
            <tr>
              {r.map((c, i) => (
                <td class={num.has(i) ? 'num' : undefined}>{c}</td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  )
}

/** A message box: what happened (ok), what went wrong (error), or something to know (info). */
export function Notice(props: { kind: 'ok' | 'error' | 'info'; children: Child; id?: string }) {
  return (
    <div
      class={`notice ${props.kind}`}
      id={props.id}
      role={props.kind === 'error' ? 'alert' : 'status'}
    >
      {props.children}
    </div>
  )
}

/** A chart from `charts.ts`, inline SVG in a figure with its caption. */
export function Chart(props: { spec: ChartSpec; id?: string }) {
  return (
    <figure class="chart" id={props.id}>
      {raw(chartSvg(props.spec))}
      <figcaption>{props.spec.title}</figcaption>
    </figure>
  )
}

/** A key–value list (a record's facts). */
export function Facts(props: { items: [Child, Child][]; id?: string }) {
  return (
    <dl class="facts" id={props.id}>
      {props.items.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </>
      ))}
    </dl>
  )
}

/** Data as entered by people (names, document numbers, notes): shown as written, in its own language. */
export function Data(props: { children: Child }) {
  return (
    <span class="data" lang="zh-CN">
      {props.children}
    </span>
  )
}

/** A checkbox that must be ticked to confirm an act, with its error beside it. */
export function Confirm(props: { name: string; label: string; error?: string; checked?: boolean }) {
  const id = `f-${props.name}`
  return (
    <div class={`field${props.error ? ' has-error' : ''}`}>
      <label for={id}>
        <input
          type="checkbox"
          id={id}
          name={props.name}
          value="yes"
          checked={props.checked}
          aria-invalid={props.error ? 'true' : undefined}
        />{' '}
        {props.label}
      </label>
      {props.error ? (
        <small class="field-error" id={`${id}-err`} role="alert">
          {props.error}
        </small>
      ) : null}
    </div>
  )
}
