// Issue "Hostile input, second round", row DEMO_SIZE=10: the schema's smallest demo starts, serves and its tokens
// work; the demo is one transaction, so a start that fails while seeding leaves no demo data and no tokens behind.
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { DemoTokens } from '../../src/demo/seed.ts'
import { EnvSchema } from '../../src/env.ts'
import { api, startServer, stopAll } from '../support/server.ts'
import { tempDir } from '../support/tmp.ts'

afterAll(stopAll)

/** The smallest DEMO_SIZE the environment accepts, asked of the schema itself. */
const smallest = () => {
  for (let n = 1; ; n++) if (EnvSchema.shape.DEMO_SIZE.safeParse(String(n)).success) return n
}

/** Every demo token answers the demo enterprise's tier (each role may read it, the county and firm their own). */
async function tokensWork(base: string, tokens: DemoTokens) {
  const roles = ['bureau', 'economy', 'observer', 'county', 'utility', 'enterprise'] as const
  for (const role of roles) {
    const tier = await api(
      base,
      'GET',
      `/v1/enterprises/${tokens.creditCode}/tier?date=2025-03-01`,
      tokens[role],
    )
    expect([role, tier.status]).toEqual([role, 200])
  }
}

describe('DEMO_SIZE=10', () => {
  it('a server started with the smallest DEMO_SIZE serves, and demo-tokens.json holds working tokens', async () => {
    const size = smallest()
    expect(size).toBe(10)
    const dir = tempDir('demo-size')
    const s = await startServer({ DB_PATH: join(dir, 'm.db'), DEMO_SIZE: String(size) })
    const tokens: DemoTokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
    expect(tokens.countyCode).toBe('330282')
    await tokensWork(s.base, tokens)
    const runs = (await api(s.base, 'GET', '/v1/evaluations', tokens.economy)).body.runs
    expect(runs.map((r: { year: number; status: string }) => [r.year, r.status]).sort()).toEqual([
      [2023, 'published'],
      [2024, 'published'],
    ])
    await s.stop()
  }, 120_000)

  it('a start that fails while seeding commits neither data nor tokens; the next start seeds and serves', async () => {
    const dir = tempDir('demo-fail')
    const db = join(dir, 'm.db')
    // demo-tokens.json cannot be written (a folder stands there): the seeding fails at its very end.
    mkdirSync(join(dir, 'demo-tokens.json'))
    await expect(startServer({ DB_PATH: db, DEMO_SIZE: '10' })).rejects.toThrow(/exited/)
    const left = new Database(db, { readonly: true })
    const count = (t: string) => (left.prepare(`SELECT count(*) AS n FROM ${t}`).get() as any).n
    expect({ enterprises: count('enterprises'), tokens: count('api_tokens') }).toEqual({
      enterprises: 0,
      tokens: 0,
    })
    left.close()
    rmdirSync(join(dir, 'demo-tokens.json'))
    const s = await startServer({ DB_PATH: db, DEMO_SIZE: '10' })
    await tokensWork(s.base, JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8')))
    await s.stop()
  }, 120_000)
})
