/**
 * The response bodies of the API as zod schemas: the OpenAPI document publishes them as named components, and
 * test/openapi.test.ts checks real responses against the document and against types generated from it.
 * @module http/responses
 */
import { z } from '@hono/zod-openapi'
import { ROLES } from '../db/schema.ts'

const Iso = z.string()
const nullable = <T extends z.ZodType>(t: T) => t.nullable()
/** An item of a rule section as the rulebook states it (its fields are described by the rule format's schema). */
const RuleItem = z.looseObject({ id: z.string() }).openapi('RuleItem')
/** The hash a city version is known by, the same in `mujun rules check`, `rules import` and every response. */
const CityFilesHash = z.string().openapi({
  description:
    'the city files sha256: over each city file’s path and text in path order (county override files are not part of it), as `mujun rules check` prints it',
})

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ description: 'stable UPPER_SNAKE error code' }),
    instance: z.string().optional(),
    errors: z
      .array(
        z.looseObject({
          path: z.string(),
          message: z.string(),
          code: z.string().optional(),
        }),
      )
      .optional(),
    details: z.record(z.string(), z.unknown()).optional().openapi({
      description: 'what the code is about, as data (e.g. a retroactive change: firstDay, items)',
    }),
    firstDayAffected: z.string().optional().openapi({
      description:
        'CORRECTION_REQUIRED: the first day whose answers the change would alter (a correction needs reason and ref)',
    }),
  })
  .openapi('Problem')

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']).openapi({
      description:
        'degraded: some override record is set aside (see setAside) until the bureau repairs it',
    }),
    rulebookVersion: z.number().int(),
    rulebookHash: CityFilesHash,
    overrideRevision: z.number().int(),
    setAside: z.array(z.object({ path: z.string(), problem: z.string() })),
    cache: z
      .object({ entries: z.number().int(), bytes: z.number().int() })
      .openapi({ description: 'the answer cache: entries and approximate bytes held (bounded)' }),
  })
  .openapi('Health')

const Category = nullable(
  z.object({
    table: z.string(),
    row: nullable(z.string()),
    category: z.string(),
    label: z.string(),
  }),
).openapi('SectorCategory')

/** A surcharge schedule that applies on a date: its rate and whether it is charged after stacking. */
const Schedule = z.object({
  scheduleId: z.string(),
  label: z.string(),
  basis: z.string(),
  rate: z.string(),
  reason: z.string(),
  charged: z.boolean(),
})

const ResourceRate = z
  .object({
    resource: z.string(),
    unit: z.string(),
    rate: z.string(),
    stacking: z.enum(['sum', 'max']),
    schedules: z.array(Schedule),
    quota: z.array(
      z.object({
        scheduleId: z.string(),
        label: z.string(),
        annualQuota: z.number(),
        basePrice: z.string(),
        bands: z.array(
          z.object({
            overFrom: z.number(),
            overTo: z.number().optional(),
            extraMultiple: z.string(),
          }),
        ),
      }),
    ),
  })
  .openapi('ResourceRate')

/** A firm's done and verified closure under the programme: from `on` it is charged no surcharge. */
const Closure = z.object({
  on: Iso,
  dispositionId: z.number().int(),
  projectId: z.number().int(),
  completedOn: Iso,
  verifiedOn: Iso,
  verifiedAt: z.string(),
  verifiedBy: z.string(),
  correction: nullable(z.object({ reason: z.string(), ref: nullable(z.string()) })),
})

export const TierSchema = z
  .object({
    creditCode: z.string(),
    date: Iso,
    evaluationYear: z.number().int().openapi({
      description:
        'the evaluation whose class binds on the date (the previous year’s until the next is published)',
    }),
    evaluationId: nullable(z.number().int()),
    evaluationStatus: nullable(z.literal('published')).openapi({
      description: 'only a published run binds; a run in notice is provisional (see notes)',
    }),
    validFrom: nullable(Iso),
    validTo: nullable(Iso).openapi({
      description:
        'the day before a later published evaluation binds; null while none is published',
    }),
    class: nullable(z.string()),
    classLabel: nullable(z.string()),
    category: Category,
    sector: nullable(z.string()),
    rates: z.array(ResourceRate),
    notes: z.array(z.string()),
    closure: nullable(Closure.extend({ inForce: z.boolean() })).openapi({
      description:
        'the firm’s done closure under the rectification programme: from `on` it is charged no surcharge (`inForce` on this date)',
    }),
    rulebookVersion: z.number().int(),
    knownAt: z
      .string()
      .optional()
      .openapi({ description: 'answered as known at this instant (UTC)' }),
  })
  .openapi('Tier')

export const ClassHistorySchema = z
  .object({
    creditCode: z.string(),
    classes: z.array(
      z.object({
        evaluationYear: z.number().int(),
        evaluationId: nullable(z.number().int()),
        class: nullable(z.string()),
        classLabel: nullable(z.string()),
        category: Category,
        validFrom: Iso,
        validTo: nullable(Iso).openapi({ description: 'null while no later class binds' }),
      }),
    ),
    closure: nullable(Closure),
  })
  .openapi('ClassHistory')

const Actor = z.string().openapi({ description: 'the label of the token (office) that did it' })
const Stamp = z.string().openapi({ description: 'when, as an ISO timestamp' })
/** One step of an override's life: who took it, when, and the decision's reference and date. */
const OverrideEvent = z.object({
  version: z.number().int(),
  action: z.string(),
  fromStatus: nullable(z.string()),
  toStatus: z.string(),
  at: Stamp,
  by: Actor,
  reason: z.string(),
  ref: nullable(z.string()).openapi({ description: 'the approval or filing reference' }),
  decisionDate: nullable(Iso),
})

export const ProvenanceSchema = z
  .object({
    creditCode: z.string(),
    county: z.string(),
    date: Iso,
    class: nullable(z.string()),
    rates: z.array(
      z.object({
        resource: z.string(),
        rate: z.string(),
        stacking: z.string(),
        schedules: z.array(
          Schedule.extend({
            origin: nullable(
              z.object({
                file: z.string(),
                line: z.number().int(),
                kind: z.enum(['city', 'county']),
                overrideId: z.string().optional(),
                county: z.string().optional(),
              }),
            ),
            source: nullable(z.record(z.string(), z.unknown())),
            assumed: z.boolean(),
          }),
        ),
      }),
    ),
    notes: z.array(z.string()),
    rules: z.object({
      versionId: z.number().int(),
      hash: CityFilesHash,
      createdAt: Stamp,
      createdBy: Actor,
      note: z.string(),
      activation: z.object({ id: z.number().int(), at: Stamp, by: Actor, note: z.string() }),
      corrections: z
        .array(
          z.object({
            activation: z.number().int(),
            versionId: z.number().int(),
            at: Stamp,
            by: Actor,
            reason: z.string(),
            document: z.string(),
            firstDay: Iso,
          }),
        )
        .openapi({
          description:
            'every correction of the city rules that changed answers for this date (activated as a correction, reaching back to it or earlier)',
        }),
    }),
    overrides: z.array(
      z.object({
        id: z.string(),
        label: z.string(),
        status: z.string(),
        from: Iso,
        to: nullable(Iso),
        revisions: z.array(OverrideEvent),
      }),
    ),
    evaluation: nullable(
      z.object({
        id: z.number().int(),
        year: z.number().int(),
        status: z.string(),
        rulebookVersionId: z.number().int(),
        overrideRevision: nullable(z.number().int()),
        createdAt: Stamp,
        createdBy: Actor,
        notice: nullable(z.object({ from: Iso, to: nullable(Iso), by: nullable(Actor) })),
        publishedAt: nullable(Stamp),
        publishedBy: nullable(Actor),
        bindingFrom: nullable(Iso),
        correction: nullable(z.record(z.string(), z.unknown())).openapi({
          description:
            'a publication recorded after the fact: its date, reason and document (文号)',
        }),
        result: nullable(
          z.object({
            status: z.string(),
            group: nullable(z.string()),
            score: nullable(z.number()),
            rank: nullable(z.number().int()),
            groupSize: nullable(z.number().int()),
            initialClass: nullable(z.string()),
            class: nullable(z.string()),
          }),
        ),
        figures: nullable(
          z.object({
            year: z.number().int(),
            version: z.number().int(),
            updatedAt: Stamp,
            updatedBy: Actor,
          }),
        ),
        objections: z.array(
          z.object({
            id: z.number().int(),
            status: z.string(),
            filedAt: Stamp,
            filedBy: Actor,
            reason: z.string(),
            classBefore: nullable(z.string()),
            classAfter: nullable(z.string()),
            decision: nullable(z.string()),
            decidedAt: nullable(Stamp),
            decidedBy: nullable(Actor),
          }),
        ),
      }),
    ),
    closure: nullable(
      z.object({
        on: Iso,
        inForce: z.boolean(),
        dispositionId: z.number().int(),
        projectId: z.number().int(),
        completedOn: nullable(Iso),
        evidence: nullable(z.string()),
        updatedAt: Stamp,
        updatedBy: Actor,
        verifiedOn: nullable(Iso),
        verifiedBy: nullable(Actor),
        verifiedAt: Stamp,
        correction: nullable(z.object({ reason: z.string(), ref: nullable(z.string()) })).openapi({
          description: 'a verification recorded as a correction: why, and the document',
        }),
      }),
    ),
  })
  .openapi('Provenance')

const ItemError = z.object({
  creditCode: z.string(),
  error: z.object({ code: z.string(), message: z.string() }),
})

export const TiersSchema = z
  .object({
    date: Iso,
    count: z.number().int(),
    tiers: z.array(z.union([TierSchema, ItemError])),
  })
  .openapi('Tiers')

const QuoteLine = z
  .object({
    from: Iso,
    to: Iso,
    days: z.number().int(),
    scheduleId: z.string(),
    label: z.string(),
    basis: z.string(),
    reason: z.string(),
    rate: z.string(),
    quantity: z.string(),
    amount: z.string().openapi({ description: 'yuan, exact, rounded half-up to the fen' }),
    origin: z.object({
      file: z.string(),
      line: z.number().int(),
      overrideId: z.string().optional(),
    }),
    document: z.string(),
  })
  .openapi('QuoteLine')

export const QuoteSchema = z
  .object({
    creditCode: z.string(),
    county: z.string(),
    resource: z.string(),
    unit: z.string(),
    from: Iso,
    to: Iso,
    quantity: z.string(),
    lines: z.array(QuoteLine),
    waived: z.array(QuoteLine),
    notes: z.array(z.string()),
    total: z.string(),
    rulebookVersion: z
      .number()
      .int()
      .openapi({ description: 'the city rulebook version in force' }),
    overrides: z
      .array(z.string())
      .openapi({ description: 'county overrides whose rates were charged' }),
    knownAt: z.string().optional().openapi({
      description: 'answered as known at this instant (UTC): a bill issued then, reproduced',
    }),
  })
  .openapi('Quote')

/** One answer of a billing run: the quote, or the problem the single quote request would get. */
export const BillAnswerSchema = z.union([QuoteSchema, ProblemSchema]).openapi('BillAnswer')
export const BillAnswersSchema = z.array(BillAnswerSchema).openapi('BillAnswers')

export const RatingResultSchema = z
  .object({
    creditCode: z.string(),
    name: z.string(),
    county: z.string(),
    industryCode: z.string(),
    sector: z.string(),
    year: z.number().int(),
    status: z.string(),
    problems: z.array(z.string()),
    group: nullable(z.string()),
    score: nullable(z.number()),
    baseScore: nullable(z.number()),
    rank: nullable(z.number().int()),
    groupSize: nullable(z.number().int()),
    percentile: nullable(z.number()),
    initialClass: nullable(z.string()),
    class: nullable(z.string()),
    category: Category,
    trace: z.object({
      indicators: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          unit: z.string(),
          formula: z.string(),
          value: nullable(z.number()).openapi({
            description:
              'null when the figure is not reported (the item then scores the peers’ mean points)',
          }),
          benchmark: z.number(),
          benchmarkKind: z.string(),
          ratio: nullable(z.number()),
          cappedRatio: nullable(z.number()),
          weight: z.number(),
          points: z.number(),
        }),
      ),
      adjustments: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          kind: z.enum(['bonus', 'deduction']),
          points: z.number(),
        }),
      ),
      vetoes: z.array(
        z.object({
          id: z.string(),
          label: z.string(),
          effect: z.enum(['force', 'cap', 'floor']),
          class: z.string(),
          applied: z.boolean(),
        }),
      ),
      rules: z.array(
        z.object({
          section: z.string(),
          id: z.string(),
          label: z.string(),
          from: Iso,
          file: z.string(),
          line: z.number().int(),
          document: z.string(),
          assumed: z.boolean(),
        }),
      ),
    }),
  })
  .openapi('RatingResult')

const FigureValues = z.record(z.string(), z.union([z.number(), z.boolean(), z.string()]))

export const StoredResultSchema = RatingResultSchema.extend({
  figures: FigureValues.optional(),
  regrade: z
    .object({
      objection: z.number().int(),
      from: z.string().nullable(),
      to: z.string().nullable(),
      reason: z.string(),
    })
    .optional()
    .openapi({
      description: 'the upheld objection that changed the class on review (复核), if any',
    }),
}).openapi('StoredResult')

const EnterpriseRow = z.object({
  creditCode: z.string(),
  name: z.string(),
  county: z.string(),
  industryCode: z.string(),
  version: z.number().int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
})
export const EnterpriseSchema = EnterpriseRow.extend({ etag: z.string() }).openapi('Enterprise')
export const EnterpriseListSchema = z
  .object({ total: z.number().int(), rows: z.array(EnterpriseRow) })
  .openapi('EnterpriseList')

export const FiguresSchema = z
  .object({
    creditCode: z.string(),
    year: z.number().int(),
    data: FigureValues,
    version: z.number().int(),
    updatedAt: z.string().optional(),
    updatedBy: z.string().optional(),
    etag: z.string(),
  })
  .openapi('Figures')

export const ImportResultSchema = z
  .object({
    year: z.number().int(),
    rows: z.number().int(),
    encoding: z.string(),
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z.array(
      z.object({ row: z.number().int(), column: z.string().optional(), message: z.string() }),
    ),
  })
  .openapi('ImportResult')

const Run = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    rulebookVersionId: z.number().int(),
    overrideRevision: nullable(z.number().int()).openapi({
      description: 'the newest county override revision when the run was made',
    }),
    status: z.enum(['draft', 'notice', 'published', 'superseded']).openapi({
      description:
        'draft → notice (公示: provisional, firms may object) → published (final) → superseded',
    }),
    counts: z.record(z.string(), z.number().int()),
    createdAt: z.string(),
    createdBy: z.string(),
    noticeFrom: nullable(Iso),
    noticeTo: nullable(Iso),
    noticedBy: nullable(z.string()),
    publishedAt: nullable(z.string()),
    publishedBy: nullable(z.string()),
    bindingFrom: nullable(Iso).openapi({
      description:
        'the first day its classes bind: Y+1-01-01 or the publication date, whichever is later',
    }),
    correction: nullable(z.record(z.string(), z.unknown())).openapi({
      description:
        'a publication recorded after the fact (made outside mujun): its date, reason, document (文号) and reach',
    }),
  })
  .openapi('EvaluationRun')
export const RunSchema = Run
export const RunListSchema = z.object({ runs: z.array(Run) }).openapi('EvaluationRuns')
export const RunCreatedSchema = z
  .object({ id: z.number().int(), counts: z.record(z.string(), z.number().int()) })
  .openapi('EvaluationCreated')
export const PublishedSchema = z
  .object({
    id: z.number().int(),
    year: z.number().int(),
    supersedes: nullable(z.number().int()),
    bindingFrom: Iso,
  })
  .openapi('EvaluationPublished')
export const NoticeSchema = z
  .object({ id: z.number().int(), year: z.number().int(), noticeFrom: Iso, noticeTo: Iso })
  .openapi('EvaluationNotice')
export const ObjectionSchema = z
  .object({
    id: z.number().int(),
    runId: z.number().int(),
    creditCode: z.string(),
    county: z.string().optional(),
    reason: z.string(),
    evidence: z.string(),
    filedAt: z.string(),
    filedBy: z.string(),
    status: z.enum(['open', 'upheld', 'rejected']),
    classBefore: nullable(z.string()),
    classAfter: nullable(z.string()),
    decision: nullable(z.string()),
    decidedAt: nullable(z.string()),
    decidedBy: nullable(z.string()),
  })
  .openapi('Objection')
export const ProvisionalSchema = z
  .object({
    evaluationId: z.number().int(),
    status: z.literal('notice'),
    noticeFrom: Iso,
    noticeTo: Iso,
    result: StoredResultSchema,
    objections: z.array(ObjectionSchema),
  })
  .openapi('ProvisionalResult')
export const ObjectionListSchema = z
  .object({ objections: z.array(ObjectionSchema) })
  .openapi('Objections')
export const ResultsSchema = z
  .object({ results: z.array(StoredResultSchema) })
  .openapi('EvaluationResults')

export const ResolvedRulesSchema = z
  .object({
    version: z.number().int().openapi({ description: 'the city rulebook version in force' }),
    rulebook: z.string(),
    hash: CityFilesHash,
    county: z.string(),
    date: Iso,
    overrides: z.array(z.object({ id: z.string(), status: z.string(), preview: z.boolean() })),
    inputs: z.array(RuleItem),
    sectors: z.array(RuleItem),
    groups: z.array(RuleItem),
    indicators: z.array(RuleItem),
    scoring: z.array(RuleItem),
    adjustments: z.array(RuleItem),
    vetoes: z.array(RuleItem),
    classes: z.array(RuleItem),
    sectorTables: z.array(RuleItem),
    surcharges: z.array(RuleItem),
    stacking: z.array(RuleItem),
    targets: z.array(RuleItem),
    deadlines: z.array(RuleItem),
    funds: z.array(RuleItem),
  })
  .openapi('ResolvedRules')

const VersionSummary = z.object({
  id: z.number().int(),
  hash: CityFilesHash,
  createdAt: z.string(),
  createdBy: z.string(),
  note: z.string(),
  active: z.boolean().openapi({ description: 'this version is the one in force' }),
})
export const VersionListSchema = z
  .object({ versions: z.array(VersionSummary) })
  .openapi('RulebookVersions')
export const VersionSchema = VersionSummary.extend({
  files: z.array(z.object({ path: z.string(), text: z.string() })),
}).openapi('RulebookVersion')
const Reach = z
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

const Sum = z.object({ before: z.string(), after: z.string(), change: z.string() })
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

const DiffItem = z.object({
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

const OverrideSummary = z
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

const Token = z
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

export const JobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['evaluate', 'import', 'preview', 'city-preview', 'publication-preview']),
    status: z.enum(['running', 'done', 'failed']),
    progress: z.object({ done: z.number().int(), total: nullable(z.number().int()) }),
    createdAt: z.string(),
    createdBy: z.string(),
    finishedAt: nullable(z.string()),
    result: z.unknown().openapi({ description: 'what the synchronous call would have answered' }),
    error: nullable(
      z.object({
        code: z.string(),
        message: z.string(),
        status: z.number().int(),
        details: z.unknown().optional(),
      }),
    ),
  })
  .openapi('Job')

/** The 202 answer of a route called with `Prefer: respond-async`: the job to poll. */
export const accepted = {
  202: {
    description: 'with `Prefer: respond-async`: the job started; poll GET /v1/jobs/{id} (Location)',
    content: { 'application/json': { schema: JobSchema } },
  },
}

/** A JSON response and the problem+json answer every route may give instead. */
export function reply<T extends z.ZodType, S extends 200 | 201 = 200>(
  schema: T,
  description: string,
  status: S = 200 as S,
) {
  const ok = { description, content: { 'application/json': { schema } } }
  return {
    ...({ [status]: ok } as Record<S, typeof ok>),
    default: {
      description: 'an error: 4xx/5xx as application/problem+json with a stable code',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  }
}
