import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { ConfigInput } from '../../src/config.ts';
import { startTestServer, type TestServer } from './testServer.ts';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). Playwright cannot download browsers here. */
export const CHROMIUM = '/usr/bin/chromium';
export const NO_CHROMIUM = `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
/** A host name other than localhost (browsers treat localhost as secure), resolved to 127.0.0.1 by Chromium itself. */
export const BROWSER_HOST = 'plaza.example';

/** Skips the suite, saying why, when Chromium is absent. Call first in `before`. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (!fs.existsSync(CHROMIUM)) {
    console.warn(`      skipped: ${NO_CHROMIUM}`);
    ctx.skip();
  }
}

/** What a browser suite shares: one test server, one Chromium, and the console's address on that server. */
export interface BrowserAndServer {
  server: TestServer;
  browser: Browser;
  base: string;
}

/**
 * Registers a suite's `before`/`after`: skips without Chromium, starts one test server (with `config`, which may
 * first start what the config names) and one Chromium, runs `setup`; afterwards closes both and runs `teardown`.
 * The answer's fields are filled in by `before`: read them inside tests, not at describe time.
 */
export function useBrowserAndServer(
  options: {
    config?: () => ConfigInput | Promise<ConfigInput>;
    setup?: (server: TestServer) => Promise<unknown>;
    teardown?: () => Promise<unknown>;
  } = {},
): BrowserAndServer {
  const shared = {} as BrowserAndServer;
  before(async function () {
    skipWithoutChromium(this);
    shared.server = await startTestServer(await options.config?.());
    shared.base = `http://${BROWSER_HOST}:${shared.server.port}`;
    shared.browser = await launchChromium();
    await options.setup?.(shared.server);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
    await options.teardown?.();
  });
  return shared;
}

/**
 * Headless Chromium. Playwright gives every launch a fresh temporary profile (user-data-dir) and removes
 * it on close; each `browser.newContext()` is a separate cookie jar (a second person).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--host-resolver-rules=MAP ${BROWSER_HOST} 127.0.0.1`,
    ],
  });
}

/** Opens a page that records every Content-Security-Policy violation and every uncaught page error. */
export async function openPage(
  target: Browser | BrowserContext,
): Promise<{ page: Page; violations: string[]; errors: string[] }> {
  const page = await target.newPage();
  const violations: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
  // Browser-side code as text: the test's TypeScript has no DOM types.
  await page.addInitScript({
    content:
      "document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));",
  });
  return { page, violations, errors };
}

/** A new person: a fresh cookie jar and page, signed up and signed in through the console's own forms. */
export async function signUpInBrowser(
  browser: Browser,
  base: string,
  user: { username: string; password?: string; nickname?: string },
): Promise<{ context: BrowserContext; page: Page; violations: string[]; errors: string[] }> {
  const context = await browser.newContext();
  const opened = await openPage(context);
  const { page } = opened;
  await page.goto(`${base}/console/signup`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('E-mail').fill(`${user.username}@example.test`);
  if (user.nickname) await page.getByLabel('Nickname (optional)').fill(user.nickname);
  await page.getByLabel('Password').fill(user.password ?? `${user.username}-password`);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return { context, ...opened };
}

/**
 * An existing account (password `<username>-password`) signed in through the console's form, in a fresh
 * cookie jar (`contextOptions`: e.g. a viewport for the screenshots).
 */
export async function signInBrowser(
  browser: Browser,
  base: string,
  username: string,
  contextOptions: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; violations: string[]; errors: string[] }> {
  const context = await browser.newContext(contextOptions);
  const opened = await openPage(context);
  const { page } = opened;
  await page.goto(`${base}/console/signin`);
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByLabel('Password').fill(`${username}-password`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return { context, ...opened };
}

/**
 * Saves a screenshot of a main screen for the README when SCREENSHOTS_DIR is set
 * (`SCREENSHOTS_DIR=docs/screenshots npx mocha test/web/*.test.ts`); otherwise does nothing.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: `${dir}/${name}.png`, fullPage: options.fullPage ?? false });
}
