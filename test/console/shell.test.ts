/**
 * The console's frame in a real browser: it is served at `/` by the API server, signs in with
 * the server's own session, puts nothing personal in the title or URL, and passes axe-core.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  describeInBrowser,
  launchBrowser,
  newPage,
  seriousA11yViolations,
  signInAs,
} from '../support/browser.ts';
import {
  type ConsoleServer,
  PASSWORD,
  PEOPLE,
  startConsoleServer,
} from '../support/console-server.ts';

describeInBrowser('console shell', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startConsoleServer();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the console at / under the API CSP, with no CSP violation', async () => {
    page = await newPage(browser);
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const methods = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/methods'));
    const res = await page.goto(`${server.base}/`);

    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
    // A new build names new assets, so the page itself is never kept.
    expect(res?.headers()['cache-control']).toBe('no-store');
    await page.getByRole('heading', { name: 'Sign in to Breachdesk' }).waitFor();
    // No provider configured: no link to one (test/console/oidc-sign-in.test.ts has one).
    expect(await (await methods).json()).toEqual({ password: true, oidc: false });
    expect(await page.getByRole('link', { name: /organisation's account/ }).count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(violations).toEqual([]);
  });

  it('refuses a wrong password with the server message, then takes the right one', async () => {
    await page.getByLabel('Email').fill(PEOPLE.responder);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('email or password is wrong');

    await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/queue');
    expect(await page.title()).toBe('Breachdesk');
    expect(page.url()).not.toContain('rita');
  });

  it('keeps API paths as API 404s and asset paths inside the build', async () => {
    const api = await page.request.get(`${server.base}/api/v1/nothing-here`);
    expect(api.status()).toBe(404);
    expect((await api.json()).error.code).toBe('BD_NOT_FOUND');

    const escape = await page.request.get(`${server.base}/assets/..%2f..%2fpackage.json`);
    expect(escape.status()).toBeGreaterThanOrEqual(400);
    expect(await escape.text()).not.toContain('"name": "breachdesk"');
  });

  it('switches to dark mode and signs out', async () => {
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Breachdesk' }).waitFor();
  });
});
