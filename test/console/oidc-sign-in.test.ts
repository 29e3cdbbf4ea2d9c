/**
 * Signing in to the console through an OpenID Connect provider, in a real browser: the sign-in
 * page offers the provider only when the server is configured for one, the provider's own pages
 * (a real oidc-provider on loopback) take the login, and the console opens signed in as the
 * account with that verified address. An address without an account stays signed out.
 */
import { createServer } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, launchBrowser, newPage } from '../support/browser.ts';
import { type ConsoleServer, PEOPLE, startConsoleServer } from '../support/console-server.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.ts';

/** A loopback port free now: the provider must know the callback before the server starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describeInBrowser('console sign-in through OpenID Connect', () => {
  let provider: TestProvider;
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const redirectUri = `http://127.0.0.1:${port}/api/v1/auth/oidc/callback`;
      provider = await startTestProvider([redirectUri]);
      try {
        server = await startConsoleServer({
          port,
          oidc: {
            issuer: provider.issuer,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            redirectUri,
            scope: 'openid email',
          },
        });
        break;
      } catch (error) {
        await provider.close();
        // Another listener (the provider itself, or another test file) took the port between
        // the probe and the start: try another, a few times.
        if (attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error;
      }
    }
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  /** From the console's sign-in page through the provider's login and consent pages. */
  async function signInAtProvider(page: Page, login: string) {
    await page.goto(`${server.base}/`);
    await page.getByRole('link', { name: "Sign in with your organisation's account" }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    // The consent page: its one button.
    await page.locator('button[type="submit"]').click();
  }

  it('signs in the account whose address the provider vouches for', async () => {
    const page = await newPage(browser);
    await signInAtProvider(page, PEOPLE.responder);

    await page.waitForURL((url) => url.origin === server.base && url.pathname === '/queue');
    await page.getByRole('heading', { name: 'Open investigations' }).waitFor();
    const me = await page.request.get(`${server.base}/api/v1/auth/me`);
    expect(me.status()).toBe(200);
    expect((await me.json()).person).toMatchObject({ email: PEOPLE.responder, role: 'responder' });
    await page.close();
  });

  it('leaves an address without an account signed out, with the reason', async () => {
    const page = await newPage(browser);
    await signInAtProvider(page, 'stranger@example.org');

    // A page to read, not JSON, and a way back to the sign-in page.
    await page.getByRole('heading', { name: 'Sign-in refused' }).waitFor();
    await expect
      .poll(() => page.locator('body').textContent())
      .toContain('this identity has no Breachdesk account; ask an administrator');
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in to Breachdesk' }).waitFor();
    const me = await page.request.get(`${server.base}/api/v1/auth/me`);
    expect(me.status()).toBe(401);
    await page.close();
  });
});
