/**
 * The header of an override text (`override:` id, county, status, dates): read strictly from a text a client sent
 * (a YAML error is a 422 naming the line), or leniently from a stored one. A stored text's header is read from its
 * `override:` block alone when that block stands by itself, so listing a county's large drafts costs no parse of
 * their rules.
 * @module app/override-header
 */
import { LineCounter, parseDocument } from 'yaml'
import { MujunError } from '../errors.ts'

export interface OverrideHeader {
  id?: string
  county?: string
  status?: string
  label?: string
  from?: string
  to?: string
  supersedes?: string
}

const FIELDS = ['id', 'county', 'status', 'label', 'from', 'to', 'supersedes'] as const

/**
 * The header fields of an override text. 'strict' (a text a client sent): YAML that does not parse is a 422 naming
 * the line and column. Otherwise (stored texts) unreadable fields are left out. The full check is compile's.
 */
export function readHeader(text: string, mode: 'strict' | 'lenient' = 'lenient'): OverrideHeader {
  if (mode === 'lenient') {
    const fast = quickHeader(text)
    if (fast) return fast
  }
  try {
    const lc = new LineCounter()
    const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lc })
    const err = doc.errors[0]
    if (err && mode === 'strict') {
      const { line, col } = lc.linePos(err.pos[0])
      throw new MujunError(
        'OVERRIDE_INVALID',
        `the override text is not valid YAML at line ${line}, column ${col}: ${err.message.split('\n')[0]}`,
        { status: 422, details: [{ line, col, message: err.message.split('\n')[0] }] },
      )
    }
    return pick(doc)
  } catch (e) {
    if (e instanceof MujunError) throw e
    if (mode === 'strict')
      throw new MujunError(
        'OVERRIDE_INVALID',
        'the override text is nested too deeply or cannot be read as YAML',
        { status: 422 },
      )
    return {}
  }
}

/** The header when its `override:` block reads by itself (no parse of the rest), else undefined. */
export function quickHeader(text: string): OverrideHeader | undefined {
  const block = overrideBlock(text)
  return block === undefined ? undefined : fieldsOf(block)
}

function pick(doc: ReturnType<typeof parseDocument>): OverrideHeader {
  const out: OverrideHeader = {}
  for (const k of FIELDS) {
    const v = doc.getIn(['override', k])
    if (v !== undefined && v !== null) out[k] = String(v)
  }
  return out
}

/**
 * The lines of the one top-level `override:` entry (up to the next line at column 0 that is not a comment), or
 * undefined when the text does not have exactly one such line or uses anchors, aliases, tags or document markers
 * (the block might then not mean alone what it means in the whole text).
 */
function overrideBlock(text: string): string | undefined {
  const starts = text.match(/^override:/gm)
  if (starts?.length !== 1) return undefined
  const start = text.search(/^override:/m)
  const eol = text.indexOf('\n', start)
  const next = eol < 0 ? -1 : text.slice(eol + 1).search(/^[^\s#]/m)
  const block = text.slice(start, next < 0 ? undefined : eol + 1 + next)
  if (/(^|[\s,[{])[&*!][^\s,\]}]|^(%|---|\.\.\.)/m.test(block)) return undefined
  return block
}

/** The header read from the block alone, or undefined when the block does not read cleanly by itself. */
function fieldsOf(block: string): OverrideHeader | undefined {
  try {
    const doc = parseDocument(block, { uniqueKeys: false })
    if (doc.errors.length > 0 || doc.warnings.length > 0) return undefined
    return pick(doc)
  } catch {
    return undefined
  }
}
