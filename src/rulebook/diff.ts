/**
 * A rule-level diff of two compiled rulebooks: the items added, removed and changed, field by field. Pure.
 * Dated items are matched by section, id and `from` (each dated value is an item of its own); the undated parts
 * (the `rulebook:` header, inputs, sectors) by section and id.
 * @module rulebook/diff
 */
import type { Rulebook } from './compile.ts'
import { DATED_SECTIONS } from './schema.ts'

export interface DiffItem {
  section: string
  id: string
  /** The item's start date, for dated sections. */
  from?: string
  item: unknown
}

export interface FieldChange {
  /** Dot path inside the item, e.g. `rates.1.rate`. */
  field: string
  before: unknown
  after: unknown
}

export interface RulebookDiff {
  added: DiffItem[]
  removed: DiffItem[]
  changed: { section: string; id: string; from?: string; changes: FieldChange[] }[]
}

/** What changes from rulebook `a` to rulebook `b` (city items only; overrides are records of their own). */
export function diffRulebooks(a: Rulebook, b: Rulebook): RulebookDiff {
  const out: RulebookDiff = { added: [], removed: [], changed: [] }
  const compare = (
    section: string,
    before: Map<string, DiffItem>,
    after: Map<string, DiffItem>,
  ) => {
    for (const [key, x] of before) {
      const y = after.get(key)
      if (!y) out.removed.push(x)
      else {
        const changes = fieldChanges(x.item, y.item)
        if (changes.length > 0)
          out.changed.push({ section, id: x.id, ...(x.from ? { from: x.from } : {}), changes })
      }
    }
    for (const [key, y] of after) if (!before.has(key)) out.added.push(y)
  }
  compare('rulebook', keyed('rulebook', [a.meta]), keyed('rulebook', [b.meta]))
  compare('inputs', keyed('inputs', a.inputs), keyed('inputs', b.inputs))
  compare('sectors', keyed('sectors', a.sectors), keyed('sectors', b.sectors))
  for (const section of DATED_SECTIONS)
    compare(
      section,
      keyed(section, a.sections[section] as never[]),
      keyed(section, b.sections[section] as never[]),
    )
  return out
}

function keyed(
  section: string,
  items: readonly { id: string; from?: string }[],
): Map<string, DiffItem> {
  const m = new Map<string, DiffItem>()
  for (const it of items) {
    const item = plain(it)
    m.set(`${it.id}@${it.from ?? ''}`, {
      section,
      id: it.id,
      ...(it.from ? { from: it.from } : {}),
      item,
    })
  }
  return m
}

/** The item as its author wrote it: compiled functions and where it came from are not part of it. */
function plain(x: unknown): unknown {
  return JSON.parse(
    JSON.stringify(x, (k, v) =>
      k === 'origin' || k === 'fn' || k === 'whenFn' || k === 'missingFn' ? undefined : v,
    ),
  )
}

function fieldChanges(a: unknown, b: unknown, path = ''): FieldChange[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    return keys.flatMap((k) =>
      fieldChanges(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        path ? `${path}.${k}` : k,
      ),
    )
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return []
  return [{ field: path, before: a ?? null, after: b ?? null }]
}

const isObject = (x: unknown): x is object => typeof x === 'object' && x !== null

/** Fields that say where a value comes from or what it is called, never what it is: they change no answer. */
const DESCRIPTIVE = /(^|\.)(label|labelEn|note|source|assumed|description)(\.|$)/

export interface ChangeReach {
  /** The first day on which some answer may differ (null: none may; '0000-01-01': every day, an undated part). */
  firstDay: string | null
  /** Each item that changes an answer, and the first day it does. */
  items: { section: string; id: string; from?: string; firstDay: string; change: string }[]
}

/**
 * From which day the change `diff` (from rulebook `a` to `b`) can alter an answer: an added or removed dated item
 * from its start, a changed one from its start, or, when only its end moved, from the earlier of the two ends.
 * A change to an undated part (the header, inputs, sectors) reaches every day; a change of labels, notes or
 * sources reaches none. Pure.
 */
export function reachOf(diff: RulebookDiff): ChangeReach {
  const items: ChangeReach['items'] = []
  const EVERY_DAY = '0000-01-01'
  const startOf = (x: { item: unknown; from?: string }) => x.from ?? EVERY_DAY
  // A new input changes nothing by itself: the items that read it are dated and checked on their own.
  for (const x of diff.added)
    if (x.section !== 'inputs')
      items.push({
        section: x.section,
        id: x.id,
        from: x.from,
        firstDay: startOf(x),
        change: 'added',
      })
  for (const x of diff.removed)
    items.push({
      section: x.section,
      id: x.id,
      from: x.from,
      firstDay: startOf(x),
      change: 'removed',
    })
  for (const c of diff.changed) {
    const real = c.changes.filter((f) => !DESCRIPTIVE.test(f.field))
    if (real.length === 0) continue
    let firstDay = c.from ?? EVERY_DAY
    if (c.from && real.every((f) => f.field === 'to')) {
      const ends = real.flatMap((f) => [f.before, f.after]).filter((d): d is string => !!d)
      firstDay = ends.sort()[0] ?? c.from
    }
    items.push({
      section: c.section,
      id: c.id,
      from: c.from,
      firstDay,
      change: real
        .map((f) => `${f.field}: ${JSON.stringify(f.before)} → ${JSON.stringify(f.after)}`)
        .join('; '),
    })
  }
  items.sort((x, y) => (x.firstDay < y.firstDay ? -1 : x.firstDay > y.firstDay ? 1 : 0))
  return { firstDay: items[0]?.firstDay ?? null, items }
}
