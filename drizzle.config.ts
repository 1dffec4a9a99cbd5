import { defineConfig } from 'drizzle-kit'

// `npm run db:generate` writes SQL migrations into migrations/; the service applies them at start-up.
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/db/schema.ts', './src/db/money-schema.ts', './src/db/intake-schema.ts'],
  out: './migrations',
  dbCredentials: { url: 'data/mujun.db' },
})
