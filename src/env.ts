/**
 * The only module that reads process.env: validated once with zod; the process exits with a clear message if bad.
 * @module env
 */
import { availableParallelism } from 'node:os'
import { z } from 'zod'

export const EnvSchema = z.object({
  /** 0: any free port (the listening line says which). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DB_PATH: z.string().min(1).default('data/mujun.db'),
  RULES_DIR: z.string().min(1).default('rules/ningbo'),
  /** Load the demo population and demo tokens into an empty database. */
  DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  // Up to a city of a million firms (issue "City scale"): two years imported, rated and recorded as published.
  DEMO_SIZE: z.coerce.number().int().min(10).max(1_000_000).default(3000),
  /** Largest request body accepted, in bytes (bigger → 413). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  /** Largest CSV body a bureau token may send to the import route (a year's figures of a city), in bytes. */
  MAX_IMPORT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(256 * 1024 * 1024),
  /** 1: the pages' session cookie is always Secure (the service sits behind a proxy that terminates TLS). */
  COOKIE_SECURE: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
  /** Largest county override text, in bytes (bigger → 413 OVERRIDE_TOO_LARGE). */
  MAX_OVERRIDE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  /** Most overrides one county may keep awaiting a decision, drafts and submitted (one more → 409 DRAFT_LIMIT). */
  MAX_OPEN_OVERRIDES: z.coerce.number().int().min(1).default(20),
  /**
   * How long a request waits for the database's write lock (held by a job's import or run) before it is answered
   * 503 WRITER_BUSY with Retry-After, in ms. The wait blocks every request, so it is short.
   */
  WRITE_WAIT_MS: z.coerce.number().int().min(0).max(5000).default(100),
  LOG_LEVEL: z.enum(['silent', 'error', 'info']).default('info'),
  /**
   * HTTP processes over the one database (default: one per core); 1 serves in this process. The first worker also
   * runs the jobs. An in-memory database is always served by one process.
   */
  WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
  /** Set by the primary for its workers (not by hand): the secret of their private job port, and which runs jobs. */
  MUJUN_WORKER_SECRET: z.string().default(''),
  MUJUN_JOB_PROCESS: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1'),
})
export type Env = z.infer<typeof EnvSchema>

/** Parses an environment (process.env by default); throws with every problem listed. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source)
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`)
  return parsed.data
}
