// The rule check thread: registers tsx (workers do not inherit the loader) and runs the TypeScript body.
import { register } from 'tsx/esm/api'

register()
await import('./rule-check-worker.ts')
