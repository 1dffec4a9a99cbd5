/** @jsxImportSource hono/jsx */
/**
 * A whole city rule file in an editor: "check" shows the problems `rules check` finds at their line (file, line,
 * field) and keeps the text; "save" makes the edited files a new city version through the same use case as
 * `rules import` (refused, with the first day affected, when it would change an answer for a day before today).
 * @module web/rules-editor-page
 */
import type { Context } from 'hono'
import { MujunError } from '../errors.ts'
import type { Lang } from './i18n.ts'
import { ruleProblemsOf } from './kit/problems.ts'
import { Field, Notice, Table } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, type Visitor } from './page-kit.ts'
import { retroWords } from './rules-confirm.tsx'
import { gate, Refusal, RulesShell } from './rules-kit.tsx'

const EDITOR_CSS = `#editor-form .field{max-width:none}#editor-form textarea{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.85rem;line-height:1.45}`

const ew = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en)

interface EditorState {
  path: string
  text: string
  note: string
  outcome?: { ok: true; firstDay: string | null } | { ok: false; error: unknown }
  saved?: { id: number; activated: boolean }
}

export function registerRulesEditorPages(app: PageApp, deps: PageDeps) {
  const rb = deps.services.rulebooks
  const filesNow = (p: Visitor) => {
    const head = rb.versions(p).find((v) => v.active)
    return head ? rb.version(p, head.id).files : []
  }

  const page = (
    c: Context,
    lang: Lang,
    p: Visitor,
    s: EditorState,
    status: 200 | 201 | 422 = 200,
  ) => {
    const files = filesNow(p)
    return c.html(
      <RulesShell
        lang={lang}
        who={p}
        path="/rules/edit"
        title={ew(lang, '编辑规则文件', 'Edit a rule file')}
        query={`path=${encodeURIComponent(s.path)}`}
      >
        <form method="get" action="/rules/edit" class="row noprint">
          <input type="hidden" name="lang" value={lang} />
          <label>
            {ew(lang, '文件', 'File')}{' '}
            <select name="path" id="file-pick">
              {files.map((f) => (
                <option value={f.path} selected={f.path === s.path} class="data" lang="zh-CN">
                  {f.path}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="secondary">
            {ew(lang, '打开', 'Open')}
          </button>
        </form>
        <Outcome lang={lang} state={s} />
        <form method="post" action={`/rules/edit?lang=${lang}`} id="editor-form">
          <style>{EDITOR_CSS}</style>
          <CsrfField who={p} />
          <input type="hidden" name="path" value={s.path} />
          <div class="data" lang="zh-CN">
            <Field name="text" type="textarea" rows={30} label={s.path} value={s.text} />
          </div>
          <Field
            name="note"
            label={ew(lang, '保存说明（保存时必填）', 'What the change is (needed to save)')}
            value={s.note}
          />
          <p class="row">
            <button type="submit" name="do" value="check" class="secondary" id="check-button">
              {ew(lang, '检查', 'Check')}
            </button>
            <label class="row">
              <input type="checkbox" name="confirm" value="yes" id="save-confirm" />
              <span>
                {ew(lang, '确认导入为新的规则版本', 'I confirm making it a new rule version')}
              </span>
            </label>
            <button type="submit" name="do" value="save" class="danger" id="save-button">
              {ew(lang, '保存为新版本', 'Save as a new version')}
            </button>
          </p>
        </form>
      </RulesShell>,
      status,
    )
  }

  app.get('/rules/edit', (c) => {
    const g = gate(deps, c, 'rulebook.import')
    if ('denied' in g) return g.denied
    const files = filesNow(g.p)
    const f =
      files.find((x) => x.path === c.req.query('path')) ??
      files.find((x) => x.path === 'pricing.yaml') ??
      files[0]
    return page(c, g.lang, g.p, { path: f?.path ?? '', text: f?.text ?? '', note: '' })
  })

  app.post('/rules/edit', async (c) => {
    const g = gate(deps, c, 'rulebook.import')
    if ('denied' in g) return g.denied
    const { lang, p } = g
    const body = (await formOf(c)) ?? {}
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '')
    const s: EditorState = {
      path: str('path'),
      text: str('text').replace(/\r\n/g, '\n'),
      note: str('note').trim(),
    }
    const files = filesNow(p).map((f) => (f.path === s.path ? { path: f.path, text: s.text } : f))
    try {
      const { reach } = rb.cityChange(files)
      if (str('do') !== 'save')
        return page(c, lang, p, { ...s, outcome: { ok: true, firstDay: reach.firstDay } })
      if (str('confirm') !== 'yes' || !s.note)
        throw new MujunError('CONFIRMATION_REQUIRED', 'confirm and note required', { status: 422 })
      const made = rb.importCity(p, files, s.note, { countyFiles: 'refuse' })
      return page(
        c,
        lang,
        p,
        { ...s, note: '', saved: { id: made.id, activated: made.activated } },
        201,
      )
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return page(c, lang, p, { ...s, outcome: { ok: false, error: e } }, 422)
    }
  })
}

/** What the check or the save found: the problems by line, the first day changed, or the version made. */
function Outcome(props: { lang: Lang; state: EditorState }) {
  const { lang, state } = props
  if (state.saved)
    return (
      <Notice kind="ok" id="saved">
        {ew(
          lang,
          `已保存为规则版本 ${state.saved.id}${state.saved.activated ? '，已启用' : ''}。`,
          `Saved as rule version ${state.saved.id}${state.saved.activated ? ', now in force' : ''}.`,
        )}
      </Notice>
    )
  const o = state.outcome
  if (!o) return null
  if (o.ok)
    return (
      <Notice kind="ok" id="check-ok">
        {ew(lang, '检查通过，未发现问题。', 'Checked: no problems found.')}
        {o.firstDay
          ? ew(
              lang,
              ` 此修改自 ${o.firstDay} 起改变计价结果。`,
              ` The edit changes answers from ${o.firstDay}.`,
            )
          : ew(lang, ' 此修改不改变任何计价结果。', ' The edit changes no answer.')}
      </Notice>
    )
  const problems = ruleProblemsOf(o.error)
  const lines = state.text.split('\n')
  return (
    <>
      <Refusal lang={lang} error={o.error} extra={retroWords(lang, o.error)} />
      {problems.length ? (
        <Table
          id="problems"
          head={[
            ew(lang, '文件', 'File'),
            ew(lang, '行', 'Line'),
            ew(lang, '字段', 'Field'),
            ew(lang, '该行内容', 'The line'),
            ew(lang, '问题', 'Problem'),
          ]}
          num={[1]}
          rows={problems.map((x) => [
            <code>{x.file}</code>,
            String(x.line),
            <code>{x.path}</code>,
            <code>{x.file === state.path ? (lines[x.line - 1] ?? '') : ''}</code>,
            <code lang="en">{x.message}</code>,
          ])}
        />
      ) : null}
    </>
  )
}
