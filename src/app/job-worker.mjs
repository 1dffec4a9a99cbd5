// A job's worker thread: registers tsx (workers do not inherit the loader) and runs the TypeScript job body.
import { register } from 'tsx/esm/api'

register()
await import('./job-worker.ts')
