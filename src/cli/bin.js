#!/usr/bin/env node
// The `mujun` executable: registers tsx so the TypeScript sources run as they are, then runs the CLI.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('./main.ts')
process.exitCode = await runCli(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
})
