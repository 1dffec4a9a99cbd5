/**
 * Progress for long CLI work: a bar with rows/s and ETA on a terminal (cli-progress), plain lines otherwise.
 * @module cli/progress
 */
import cliProgress from 'cli-progress'

export interface Progress {
  update(done: number): void
  stop(): void
}

export function createProgress(
  label: string,
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const started = Date.now()
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {speed} rows/s | ETA {eta_formatted}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    )
    bar.start(total, 0, { speed: '0' })
    return {
      update: (done) =>
        bar.update(done, {
          speed: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString(
            'en',
          ),
        }),
      stop: () => bar.stop(),
    }
  }
  // Not a terminal (a log file, CI): a plain line at each quarter.
  let next = 0
  return {
    update(done) {
      const pct = total === 0 ? 100 : Math.floor((done / total) * 100)
      if (pct < next || next > 100) return
      // One line for the quarter reached, however many quarters one update passed.
      const secs = (Date.now() - started) / 1000
      stream.write(
        `${label}: ${done}/${total} rows (${pct}%), ${Math.round(done / Math.max(secs, 0.001))} rows/s\n`,
      )
      next = Math.floor(pct / 25) * 25 + 25
    },
    stop() {},
  }
}
