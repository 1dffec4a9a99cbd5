/** @jsxImportSource hono/jsx */
/**
 * City rule versions: the list with each one's state, two versions side by side (their files line by line and
 * the rule items that differ), and activating a version now (a rollback when it is older) or scheduling it for a
 * later day, each after a confirmation, through the same use case as `POST /v1/rulebook/versions`.
 * @module web/rules-versions-page
 */
import type { Context } from 'hono'
import { can } from '../app/permissions.ts'
import { MujunError } from '../errors.ts'
import type { Lang } from './i18n.ts'
import { BEIJING_NOTE, beijing } from './kit/format.ts'
import { Data, Field, Notice, Table } from './kit/ui.tsx'
import { CsrfField } from './layout.tsx'
import { formOf, type PageApp, type PageDeps, type Visitor } from './page-kit.ts'
import { retroWords } from './rules-confirm.tsx'
import { FileDiff } from './rules-diff.tsx'
import { gate, Refusal, RulesShell } from './rules-kit.tsx'
import { sectionLabel } from './rules-words.ts'

const vw = (lang: Lang, zh: string, en: string) => (lang === 'zh' ? zh : en)

export function registerRulesVersionPages(app: PageApp, deps: PageDeps) {
  registerListRoutes(app, deps)
  registerActRoutes(app, deps)
}

function registerListRoutes(app: PageApp, deps: PageDeps) {
  const rb = deps.services.rulebooks
  app.get('/rules/versions', (c) => {
    const g = gate(deps, c, 'rulebook.read')
    if ('denied' in g) return g.denied
    const { lang, p } = g
    const versions = rb.versions(p)
    const scheduled = rb.scheduled(p)
    const bureau = can(p, 'rulebook.import')
    const a = Number(c.req.query('a')) || versions[1]?.id || versions[0]?.id
    const b = Number(c.req.query('b')) || versions[0]?.id
    const state = (v: (typeof versions)[number]) =>
      v.active ? (
        <span class="badge st-active">{vw(lang, '在用', 'In force')}</span>
      ) : scheduled?.versionId === v.id ? (
        <span class="badge st-planned">
          {vw(lang, `${scheduled.effectiveOn} 启用`, `In force from ${scheduled.effectiveOn}`)}
        </span>
      ) : v.wasActive ? (
        <span class="badge st-superseded">{vw(lang, '已被取代', 'Superseded')}</span>
      ) : (
        <span class="badge">{vw(lang, '未启用', 'Not in force')}</span>
      )
    const head = versions.find((v) => v.active)?.id ?? 0
    return c.html(
      <RulesShell
        lang={lang}
        who={p}
        path="/rules/versions"
        title={vw(lang, '规则版本', 'Rule versions')}
      >
        <Table
          id="versions"
          head={[
            vw(lang, '版本', 'Version'),
            vw(lang, '状态', 'State'),
            `${vw(lang, '生成时间', 'Made')}（${BEIJING_NOTE[lang]}）`,
            vw(lang, '说明', 'Note'),
            '',
          ]}
          num={[0]}
          rows={versions.map((v) => [
            String(v.id),
            state(v),
            beijing(v.createdAt),
            <Data>{v.note}</Data>,
            bureau && !v.active ? (
              <span class="row">
                <a href={`/rules/versions/act?id=${v.id}&lang=${lang}`} id={`act-${v.id}`}>
                  {v.id < head
                    ? vw(lang, '回退到此版本', 'Roll back to it')
                    : vw(lang, '启用或定期启用', 'Activate or schedule')}
                </a>
              </span>
            ) : (
              ''
            ),
          ])}
        />
        <h2>{vw(lang, '对比两个版本', 'Compare two versions')}</h2>
        <form method="get" action="/rules/versions/diff" class="row" id="compare-form">
          <input type="hidden" name="lang" value={lang} />
          {(['a', 'b'] as const).map((k) => (
            <label>
              {k === 'a' ? vw(lang, '旧版本', 'Older') : vw(lang, '新版本', 'Newer')}{' '}
              <select name={k} id={`compare-${k}`}>
                {versions.map((v) => (
                  <option value={String(v.id)} selected={v.id === (k === 'a' ? a : b)}>
                    {String(v.id)}
                  </option>
                ))}
              </select>
            </label>
          ))}
          <button type="submit">{vw(lang, '对比', 'Compare')}</button>
        </form>
      </RulesShell>,
    )
  })

  app.get('/rules/versions/diff', (c) => {
    const g = gate(deps, c, 'rulebook.read')
    if ('denied' in g) return g.denied
    const { lang, p } = g
    const [a, b] = [Number(c.req.query('a')), Number(c.req.query('b'))]
    try {
      const va = rb.version(p, a)
      const vb = rb.version(p, b)
      const items = rb.diff(p, a, b)
      const paths = [...new Set([...va.files, ...vb.files].map((f) => f.path))].sort()
      const text = (v: typeof va, path: string) => v.files.find((f) => f.path === path)?.text
      return c.html(
        <RulesShell
          lang={lang}
          who={p}
          path="/rules/versions"
          here="/rules/versions/diff"
          title={vw(lang, `版本 ${a} 与版本 ${b} 对比`, `Version ${a} beside version ${b}`)}
          query={`a=${a}&b=${b}`}
        >
          <ItemChanges lang={lang} diff={items} />
          {paths.map((path) => (
            <FileDiff
              lang={lang}
              path={path}
              a={text(va, path)}
              b={text(vb, path)}
              left={vw(lang, `版本 ${a}`, `Version ${a}`)}
              right={vw(lang, `版本 ${b}`, `Version ${b}`)}
            />
          ))}
        </RulesShell>,
      )
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return c.html(
        <RulesShell
          lang={lang}
          who={p}
          path="/rules/versions"
          title={vw(lang, '版本对比', 'Compare versions')}
        >
          <Refusal lang={lang} error={e} />
        </RulesShell>,
        e.status as 404,
      )
    }
  })
}

function registerActRoutes(app: PageApp, deps: PageDeps) {
  const rb = deps.services.rulebooks
  const actPage = (
    c: Context,
    lang: Lang,
    p: Visitor,
    id: number,
    input: { effectiveOn: string; note: string },
    error?: unknown,
  ) => {
    const v = rb.version(p, id)
    const errors =
      error instanceof MujunError && error.code === 'VALIDATION_FAILED'
        ? { effectiveOn: error.message }
        : {}
    return c.html(
      <RulesShell
        lang={lang}
        who={p}
        path="/rules/versions"
        here="/rules/versions/act"
        query={`id=${id}`}
        title={vw(lang, `启用版本 ${id}`, `Bring version ${id} into force`)}
      >
        {error ? <Refusal lang={lang} error={error} extra={retroWords(lang, error)} /> : null}
        <p>
          <a
            href={`/rules/versions/diff?a=${rb.versions(p).find((x) => x.active)?.id ?? id}&b=${id}&lang=${lang}`}
          >
            {vw(
              lang,
              '先查看与在用版本的差异',
              'See how it differs from the version in force first',
            )}
          </a>
        </p>
        <form method="post" action={`/rules/versions/act?lang=${lang}`} class="card" id="act-form">
          <CsrfField who={p} />
          <input type="hidden" name="id" value={String(v.id)} />
          <Field
            name="effectiveOn"
            type="date"
            label={vw(lang, '启用日期（不填则立即启用）', 'In force from (empty: now)')}
            value={input.effectiveOn}
            error={errors.effectiveOn ? vw(lang, '须晚于今天', 'Must be after today') : undefined}
          />
          <Field name="note" label={vw(lang, '说明', 'Note')} value={input.note} required />
          <label class="row">
            <input type="checkbox" name="confirm" value="yes" id="act-confirm" required />
            <span>
              {vw(lang, `确认启用版本 ${id}`, `I confirm bringing version ${id} into force`)}
            </span>
          </label>
          <button type="submit" class="danger" id="act-button">
            {vw(lang, '确认', 'Confirm')}
          </button>
        </form>
      </RulesShell>,
      error ? 422 : 200,
    )
  }

  app.get('/rules/versions/act', (c) => {
    const g = gate(deps, c, 'rulebook.import')
    if ('denied' in g) return g.denied
    return actPage(c, g.lang, g.p, Number(c.req.query('id')), { effectiveOn: '', note: '' })
  })

  app.post('/rules/versions/act', async (c) => {
    const g = gate(deps, c, 'rulebook.import')
    if ('denied' in g) return g.denied
    const { lang, p } = g
    const body = (await formOf(c)) ?? {}
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : '')
    const id = Number(str('id'))
    const input = { effectiveOn: str('effectiveOn'), note: str('note') }
    try {
      if (str('confirm') !== 'yes' || !input.note)
        throw new MujunError('VALIDATION_FAILED', 'confirm and note required', { status: 422 })
      const files = rb.version(p, id).files
      const made = rb.importCity(p, files, input.note, {
        countyFiles: 'refuse',
        ...(input.effectiveOn ? { effectiveOn: input.effectiveOn } : {}),
      })
      return c.html(
        <RulesShell
          lang={lang}
          who={p}
          path="/rules/versions"
          title={vw(lang, '规则版本', 'Rule versions')}
        >
          <Notice kind="ok" id="act-done">
            {made.effectiveOn
              ? vw(
                  lang,
                  `版本 ${made.id} 将于 ${made.effectiveOn} 启用。`,
                  `Version ${made.id} comes into force on ${made.effectiveOn}.`,
                )
              : made.activated
                ? vw(lang, `版本 ${made.id} 已启用。`, `Version ${made.id} is in force now.`)
                : vw(
                    lang,
                    `版本 ${made.id} 本已在用，未作改变。`,
                    `Version ${made.id} was already in force; nothing changed.`,
                  )}
          </Notice>
          <a class="button" href={`/rules/versions?lang=${lang}`}>
            {vw(lang, '返回版本列表', 'Back to the versions')}
          </a>
        </RulesShell>,
        201,
      )
    } catch (e) {
      if (!(e instanceof MujunError)) throw e
      return actPage(c, lang, p, id, input, e)
    }
  })
}

function ItemChanges(props: {
  lang: Lang
  diff: ReturnType<PageDeps['services']['rulebooks']['diff']>
}) {
  const { lang, diff } = props
  const rows = [
    ...diff.added.map((x) => [vw(lang, '新增', 'Added'), x]),
    ...diff.removed.map((x) => [vw(lang, '删除', 'Removed'), x]),
    ...diff.changed.map((x) => [vw(lang, '修改', 'Changed'), x]),
  ] as [string, { section: string; id: string; from?: string }][]
  return (
    <>
      <h2>{vw(lang, '变化的规则项', 'Rule items that differ')}</h2>
      <Table
        id="item-changes"
        head={[
          vw(lang, '变化', 'Change'),
          vw(lang, '部分', 'Section'),
          vw(lang, '规则项', 'Item'),
          vw(lang, '起始日', 'From'),
        ]}
        rows={rows.map(([what, x]) => [
          what,
          sectionLabel(lang, x.section),
          <code>{x.id}</code>,
          x.from ?? '—',
        ])}
        empty={vw(lang, '两个版本的规则项相同', 'The two versions hold the same rule items')}
      />
    </>
  )
}
