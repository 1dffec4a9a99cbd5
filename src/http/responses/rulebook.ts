/**
 * Rule versions and their diffs and previews, county overrides, the audit log and tokens.
 * @module http/responses/rulebook
 */
import { z } from '@hono/zod-openapi'
import { ROLES } from '../../db/schema.ts'
import { SECTION_NAMES } from '../../rulebook/schema.ts'
import { CityFilesHash, Iso, nullable, RuleItem } from './common.ts'
import { OverrideEvent } from './tiers.ts'

export const ResolvedRulesSchema = z
  .object({
    version: z.number().int().openapi({ description: 'the city rulebook version in force' }),
    rulebook: z.string(),
    hash: CityFilesHash,
    county: z.string(),
    date: Iso,
    overrides: z.array(z.object({ id: z.string(), status: z.string(), preview: z.boolean() })),
    method: nullable(z.string()).openapi({
      description:
        'the evaluation method in force: null for the city’s, else the id of the county override setting the county’s own',
    }),
    ...Object.fromEntries(SECTION_NAMES.map((n) => [n, z.array(RuleItem)])),
  })
  .openapi('ResolvedRules')

export const VersionSummary = z.object({
  id: z.number().int(),
  hash: CityFilesHash,
  createdAt: z.string(),
  createdBy: z.string(),
  note: z.string(),
  active: z.boolean().openapi({ description: 'this version is the one in force' }),
})
export const VersionListSchema = z
  .object({
    versions: z.array(
      VersionSummary.extend({
        wasActive: z.boolean().openapi({
          description:
            'it has been in force (now or before): a replaced version is superseded, not unused',
        }),
      }),
    ),
  })
  .openapi('RulebookVersions')
export const VersionSchema = VersionSummary.extend({
  files: z.array(z.object({ path: z.string(), text: z.string() })),
}).openapi('RulebookVersion')
export const Reach = z
  .object({
    firstDay: nullable(z.string()).openapi({
      description:
        'the first day an answer changes (0000-01-01: every day, an undated part changed); null: none does',
    }),
    items: z.array(z.unknown()),
  })
  .openapi('ChangeReach')

export const VersionImportedSchema = z
  .object({
    id: z.number().int(),
    hash: CityFilesHash,
    created: z.boolean(),
    activated: z.boolean(),
    effectiveOn: z.string().optional(),
    reach: Reach.optional(),
    correction: z.object({ reason: z.string(), document: z.string() }).optional(),
  })
  .openapi('RulebookVersionImported')

export const Sum = z.object({ before: z.string(), after: z.string(), change: z.string() })
export const ActPreviewSchema = z
  .object({
    act: z.record(z.string(), z.unknown()),
    reach: Reach,
    today: z.string(),
    correctionRequired: z.boolean(),
    digest: z.string().openapi({
      description:
        'send as correction.preview to make the act as a correction; stale after the next write',
    }),
    classChanges: nullable(
      z.object({
        year: z.number().int(),
        figuresYear: z.number().int(),
        rated: z.number().int(),
        changed: z.number().int(),
        moves: z.array(z.object({ move: z.string(), firms: z.number().int() })),
        firms: z.array(
          z.object({
            creditCode: z.string(),
            county: z.string(),
            classBefore: nullable(z.string()),
            classAfter: nullable(z.string()),
            categoryBefore: nullable(z.string()),
            categoryAfter: nullable(z.string()),
          }),
        ),
      }),
    )
      .optional()
      .openapi({
        description:
          'for a change to how firms are rated: the latest published year re-rated under both rules, and the firms whose class or category would change at the next evaluation',
      }),
    preview: z.object({
      fromMonth: z.string(),
      toMonth: z.string(),
      firmsChanged: z.number().int(),
      firmMonths: z.number().int(),
      byMonth: z.array(Sum.extend({ month: z.string() })),
      rows: z.array(
        Sum.extend({
          month: z.string(),
          county: z.string(),
          class: nullable(z.string()),
          sector: nullable(z.string()),
          resource: z.string(),
          firms: z.number().int(),
        }),
      ),
      firms: z.array(
        Sum.extend({
          creditCode: z.string(),
          county: z.string(),
          class: nullable(z.string()),
          sector: nullable(z.string()),
          resource: z.string(),
          month: z.string(),
          quantity: z.string(),
        }),
      ),
      firmsOmitted: z.number().int(),
      total: Sum,
      horizonCapped: z.boolean(),
    }),
  })
  .openapi('ActPreview')

export const DiffItem = z.object({
  section: z.string(),
  id: z.string(),
  from: Iso.optional(),
  item: z.unknown(),
})
export const DiffSchema = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    added: z.array(DiffItem),
    removed: z.array(DiffItem),
    changed: z.array(
      z.object({
        section: z.string(),
        id: z.string(),
        from: Iso.optional(),
        changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
      }),
    ),
  })
  .openapi('RulebookDiff')

export const OverrideSummary = z
  .object({
    id: z.string(),
    county: z.string(),
    label: z.string(),
    status: z.string(),
    from: Iso,
    to: nullable(Iso),
    supersedes: nullable(z.string()),
    version: z.number().int(),
    etag: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('OverrideSummary')
export const OverrideListSchema = z
  .object({ overrides: z.array(OverrideSummary) })
  .openapi('Overrides')
export const OverrideSchema = OverrideSummary.extend({
  text: z.string(),
  rulebookVersion: z.number().int(),
  events: z.array(OverrideEvent),
}).openapi('Override')

export const PreviewSchema = z
  .object({
    overrideId: z.string(),
    county: z.string(),
    status: z.string(),
    evaluationYear: z.number().int(),
    pricedFrom: Iso,
    pricedTo: Iso,
    enterprises: z.array(
      z.object({
        creditCode: z.string(),
        name: z.string(),
        classBefore: nullable(z.string()),
        classAfter: nullable(z.string()),
        surcharge: z.record(z.string(), z.object({ before: z.string(), after: z.string() })),
      }),
    ),
    revenue: z.record(
      z.string(),
      z.object({ before: z.string(), after: z.string(), change: z.string() }),
    ),
    rules: z.array(
      z.object({ section: z.string(), id: z.string(), before: z.unknown(), after: z.unknown() }),
    ),
  })
  .openapi('OverridePreview')

export const AuditSchema = z
  .object({
    entries: z.array(
      z.object({
        id: z.number().int(),
        at: z.string(),
        actor: z.string(),
        action: z.string(),
        subject: z.string(),
        detail: z.record(z.string(), z.unknown()),
        hash: nullable(z.string()).openapi({
          description:
            'sha256 over the previous entry’s hash and this entry as stored (null before the chain started); `mujun backup --check` recomputes the chain',
        }),
      }),
    ),
  })
  .openapi('AuditEntries')

export const Token = z
  .object({
    id: z.number().int(),
    role: z.enum(ROLES),
    scope: z.string(),
    label: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    expiresAt: nullable(z.string()),
    revokedAt: nullable(z.string()),
    revokedBy: nullable(z.string()),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .openapi('Token')
export const TokenSchema = Token
export const TokenCreatedSchema = Token.extend({
  token: z.string().openapi({ description: 'shown this once; only its sha256 is stored' }),
}).openapi('TokenCreated')
export const TokenListSchema = z.object({ tokens: z.array(Token) }).openapi('Tokens')
