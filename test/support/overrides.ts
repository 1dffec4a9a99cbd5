/**
 * Override texts for tests: a draft that replaces one class-based surcharge from `from`.
 * `extra` adds header lines (e.g. `  supersedes: …\n`).
 */
export function draftOverride(
  id: string,
  county: string,
  from: string,
  options: { resource?: 'electricity' | 'gas'; rate?: string; extra?: string } = {},
): string {
  const resource = options.resource ?? 'electricity'
  return `override:
  id: ${id}
  county: "${county}"
  label: 试验 ${id}
  status: draft
  from: ${from}
${options.extra ?? ''}  source: { document: 试验方案 }
replace:
  surcharges:
    - id: class_${resource}
      label: 试验差别价格
      from: ${from}
      resource: ${resource}
      basis: class
      source: { document: 试验方案 }
      rates:
        - { class: C, rate: "0.30" }
        - { class: D, rate: "${options.rate ?? '2.00'}" }
`
}

export { largeOverride } from '../../src/bench/hostile.ts'
