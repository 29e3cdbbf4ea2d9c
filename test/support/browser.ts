/**
 * Headless Debian Chromium for the console's end-to-end tests (playwright-core, never a
 * browser download). `.ci/run` installs the `chromium` package when it is missing; a machine
 * without it skips these suites and says why.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe, inject } from 'vitest';
import { CONSOLE_DIR } from '../../src/http/console.ts';

export const CHROMIUM = '/usr/bin/chromium';

const hasChromium = existsSync(CHROMIUM);
// The browser suites run in the first (UTC) pass of `npm test` only: the page's own zone is set
// per test (timezoneId), so the other passes would repeat them to no purpose.
const firstPass = !process.env.BREACHDESK_QUIET_SKIP;
if (!hasChromium && firstPass) {
  process.stderr.write(
    `${CHROMIUM} not found: the web console's browser tests are skipped ` +
      '(install the Debian package `chromium`; .ci/run does).\n',
  );
}

/** describe() that runs only where Chromium is installed, in the first pass. */
export function describeInBrowser(title: string, body: () => void): void {
  describe.skipIf(!hasChromium || !firstPass)(title, body);
}

export function assertConsoleBuilt(): void {
  if (!existsSync(`${CONSOLE_DIR}/index.html`)) {
    throw new Error(`the console is not built (${CONSOLE_DIR}): run \`npm run build:web\``);
  }
}

export function launchBrowser(): Promise<Browser> {
  assertConsoleBuilt();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in a container needs --no-sandbox; the rest keeps Chromium off the network, which
    // this machine refuses anyway.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page in its own context (own cookies), in a zone other than UTC so that deadlines are
 * shown in the viewer's zone, not the server's. axe-core needs pages made this way.
 */
export async function newPage(
  browser: Browser,
  opts: { timezoneId?: string; width?: number; height?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    timezoneId: opts.timezoneId ?? 'Europe/Berlin',
    locale: 'en-GB',
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 860 },
  });
  return context.newPage();
}

/** Serious or critical axe-core violations on the page as it is now (ids and targets). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Signs in through the console's own form. */
export async function signInAs(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/**
 * Where a test's screenshot goes: docs/screenshots when `npm run screenshots` asks for them
 * (UPDATE_SCREENSHOTS=1), otherwise a folder of this run, so that `npm test` leaves the
 * checkout as it found it while still taking every picture.
 */
export function screenshotPath(name: string): string {
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    return new URL(`../../docs/screenshots/${name}.png`, import.meta.url).pathname;
  }
  // The run's scratch folder (global-setup.ts), removed when the run ends.
  const dir = join(inject('runDir'), 'screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
