/** Placeholder until the service lands: prints the rulebook summary. */
const { runCli } = await import('./cli/main.ts')
process.exitCode = await runCli(['rules', 'show', '--rules', 'rules', '--county', '330282'], {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
})
