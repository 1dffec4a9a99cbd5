/**
 * `npm run screenshots`: every page of the workbench as each role sees it, in Chinese and English, from a real
 * server on a fresh demo database. Each page is written to test-artifacts/screenshots/; the few the README shows
 * are copied to docs/screenshots/. Needs Debian's chromium at /usr/bin/chromium (`apt-get install chromium`).
 *
 *   npm run screenshots [-- --size 600 --out DIR]
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium } from 'playwright-core'

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '600' },
    out: { type: 'string', default: 'test-artifacts/screenshots' },
  },
})
const CHROMIUM = '/usr/bin/chromium'
/** Pages the README shows: role, page, language. */
const README_SHOTS = [
  'bureau-rules-zh',
  'bureau-overrides-zh',
  'economy-evaluation-zh',
  'county-programme-zh',
  'enterprise-my-zh',
  'enterprise-my-en',
]
const ROLES = ['bureau', 'economy', 'county', 'enterprise', 'observer', 'utility'] as const

async function startServer(dir: string): Promise<{ base: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      DB_PATH: join(dir, 'm.db'),
      DEMO_SIZE: values.size,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      const m = /mujun listening on (http:\/\/\S+)/.exec(d.toString())
      if (m) resolve({ base: m[1], stop: () => child.kill('SIGTERM') })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)))
  })
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(
      `${CHROMIUM} is not installed: apt-get install chromium fonts-wqy-zenhei\n`,
    )
    process.exit(2)
  }
  const out = values.out!
  mkdirSync(out, { recursive: true })
  const dir = mkdtempSync(join(tmpdir(), 'mujun-screens-'))
  const server = await startServer(dir)
  const tokens = JSON.parse(readFileSync(join(dir, 'demo-tokens.json'), 'utf8'))
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
  })
  let count = 0
  try {
    for (const role of [...ROLES, 'anonymous' as const]) {
      const context = await browser.newContext({
        viewport: { width: 1240, height: 900 },
        locale: 'zh-CN',
      })
      const page = await context.newPage()
      if (role !== 'anonymous') {
        await page.goto(`${server.base}/login`)
        await page.fill('input[name=token]', tokens[role])
        await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')])
      }
      await page.goto(`${server.base}/self-check`)
      const nav = await page.$$eval('header nav a', (as) =>
        as.map((a) => new URL((a as HTMLAnchorElement).href).pathname),
      )
      const pages = [...new Set(nav)].filter((p) => p !== '/login' && p !== '/logout')
      for (const path of pages)
        for (const lang of ['zh', 'en']) {
          await page.goto(`${server.base}${path}?lang=${lang}`)
          const name = `${role}-${path.slice(1).replace(/\//g, '-') || 'home'}-${lang}`
          await page.screenshot({ path: join(out, `${name}.png`), fullPage: true })
          count++
          if (README_SHOTS.includes(name)) {
            mkdirSync('docs/screenshots', { recursive: true })
            // The README's copy is the first screen only: what a person sees on opening the page.
            await page.screenshot({ path: join('docs/screenshots', `${name}.png`) })
          }
        }
      await context.close()
    }
  } finally {
    await browser.close()
    server.stop()
  }
  process.stdout.write(`${count} screenshots in ${out}; the README's in docs/screenshots\n`)
}

await main()
