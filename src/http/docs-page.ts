/**
 * A self-contained API reference page rendered from the OpenAPI document (no CDN, works offline).
 * @module http/docs-page
 */
interface OpenApiDoc {
  info: { title: string; description?: string; version: string }
  paths: Record<
    string,
    Record<
      string,
      {
        summary?: string
        tags?: string[]
        parameters?: { name: string; in: string; required?: boolean; schema?: unknown }[]
        requestBody?: { content: Record<string, { schema?: unknown }> }
        responses?: Record<string, { description?: string }>
      }
    >
  >
}

const esc = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

export function docsPage(doc: OpenApiDoc): string {
  const ops: string[] = []
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? [])
        .map(
          (p) =>
            `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ', required' : ''})</li>`,
        )
        .join('')
      const body = op.requestBody
        ? Object.entries(op.requestBody.content)
            .map(
              ([type, c]) =>
                `<details><summary>body: ${esc(type)}</summary><pre>${esc(JSON.stringify(c.schema, null, 2))}</pre></details>`,
            )
            .join('')
        : ''
      const responses = Object.entries(op.responses ?? {})
        .map(([code, r]) => `<li><b>${esc(code)}</b> ${esc(r.description ?? '')}</li>`)
        .join('')
      ops.push(
        `<section><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3><p>${esc(op.summary ?? '')}</p>${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul></section>`,
      )
    }
  }
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(doc.info.title)}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:4em;color:#fff;border-radius:3px;padding:0 .4em;font-size:.8em}
.get{background:#2b7}.post{background:#27c}.put{background:#c82}.delete{background:#c33}pre{background:#f6f6f6;padding:.5rem;overflow:auto;font-size:.8em}</style></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1><p>${esc(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>.</p>
${ops.join('\n')}</body></html>`
}
