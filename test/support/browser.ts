/**
 * Journeys in a real browser: Debian's chromium driven by playwright-core, against the app served over HTTP on a
 * free port. Without /usr/bin/chromium the journeys are skipped with a notice (.ci/run installs it).
 */
import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { type Browser, chromium, type Page } from 'playwright-core'
import { createTestApp, type TestApp } from './app.ts'

export const CHROMIUM = '/usr/bin/chromium'
export const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname
export const browserAvailable = existsSync(CHROMIUM)
if (!browserAvailable)
  process.stderr.write(
    `browser tests skipped: ${CHROMIUM} is not installed (.ci/run installs it)\n`,
  )

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

export interface Served {
  t: TestApp
  base: string
  browser: Browser
  close(): Promise<void>
}

/** A test app (in-memory, seeded) served on 127.0.0.1 and a browser to drive it. */
export async function serveWithBrowser(
  options: Parameters<typeof createTestApp>[0] = {},
): Promise<Served> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const t = createTestApp(options)
  let server: ReturnType<typeof serve> | undefined
  const base = await new Promise<string>((resolve) => {
    server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve(`http://127.0.0.1:${info.port}`),
    )
  })
  const browser = await launchBrowser()
  return {
    t,
    base,
    browser,
    close: async () => {
      await browser.close()
      server?.close()
    },
  }
}

/** A new page logged in with `token` (through the login form, as a person would). */
export async function loggedIn(s: Served, token: string, lang: 'zh' | 'en' = 'zh'): Promise<Page> {
  const context = await s.browser.newContext({
    viewport: { width: 1200, height: 1400 },
    locale: 'zh-CN',
  })
  const page = await context.newPage()
  await page.goto(`${s.base}/login?lang=${lang}`)
  await page.fill('input[name=token]', token)
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')])
  return page
}

/** A screenshot of the page into test-artifacts/ (kept by CI for a person to look at). */
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true })
}
