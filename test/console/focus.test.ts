/**
 * Keyboard focus is not lost to the page when an action disables or removes the control that
 * had it (web/src/focus-keeper.ts): a button waiting for its request gets focus back, a removed
 * one hands it to its panel's heading, and the audit log's pager keeps it across pages.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { auditLog } from '../../src/store/schema.ts';
import { describeInBrowser, launchBrowser, newPage, signInAs } from '../support/browser.ts';
import {
  type ConsoleServer,
  PASSWORD,
  PEOPLE,
  startConsoleServer,
} from '../support/console-server.ts';
import { buildEveAlert, openInvestigation } from '../support/factories.ts';

describeInBrowser('console keyboard focus', () => {
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startConsoleServer();
    // Enough audit entries for three pages of 25.
    for (let i = 0; i < 40; i++) {
      await openInvestigation(
        server.store.db,
        buildEveAlert({ sid: 9_800_000 + i, src: `192.0.2.${i + 1}` }),
      );
    }
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** What has focus: its tag and text, or BODY when nothing does. */
  const focused = (page: Page) =>
    page.evaluate('`${document.activeElement.tagName} ${document.activeElement.textContent}`');

  it('gives a test e-mail button its focus back once the request ends', async () => {
    const page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.acmeAdmin, PASSWORD);
    // Slowed, so that the button stays disabled for a while, as on a busy server.
    await page.route('**/test-email', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await route.continue();
    });
    const send = page.getByRole('button', { name: /^Send test e-mail to / }).first();
    await send.focus();
    await page.keyboard.press('Enter');

    await page.getByText(/Test e-mail queued for /).waitFor();
    await expect.poll(() => focused(page)).toMatch(/^BUTTON Send test e-mail/);
    await page.close();
  });

  it('leaves focus alone once the user clicks while the button waits', async () => {
    const page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.acmeAdmin, PASSWORD);
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route('**/test-email', async (route) => {
      await held;
      await route.continue();
    });
    const send = page.getByRole('button', { name: /^Send test e-mail to / }).first();
    await send.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => send.isDisabled()).toBe(true);

    // The user takes over while the request is out: the answer must not pull focus back.
    await page.getByRole('heading', { name: 'Your organisation' }).click();
    answer();
    await page.getByText(/Test e-mail queued for /).waitFor();
    await expect.poll(() => send.isEnabled()).toBe(true);
    await page.waitForTimeout(100);
    expect(await focused(page)).toMatch(/^BODY /);
    await page.close();
  });

  it("hands a removed contact's focus to the contacts heading, not the page", async () => {
    const page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.acmeAdmin, PASSWORD);
    const items = page.locator('li.tp-contact');
    const remove = page.getByRole('button', { name: /^Remove / }).first();
    await remove.waitFor();
    const before = await items.count();
    await remove.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Remove contact' }).focus();
    await page.keyboard.press('Enter');

    await expect.poll(() => items.count()).toBe(before - 1);
    await expect.poll(() => focused(page)).toBe('H2 Breach contacts');
    await page.close();
  });

  it('leaves focus where a click on nothing in particular put it', async () => {
    const page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.acmeAdmin, PASSWORD);
    await page.getByRole('button', { name: 'Dark mode' }).focus();
    await page.getByRole('heading', { name: 'Your organisation' }).click();
    expect(await focused(page)).toMatch(/^BODY /);

    // A later change of the page does not pull focus back to the button.
    await page.evaluate("document.querySelector('main').append(document.createElement('p'))");
    await page.waitForTimeout(100);
    expect(await focused(page)).toMatch(/^BODY /);
    await page.close();
  });

  it('keeps focus on "Older entries" page after page of the audit log', async () => {
    const [row] = await server.store.db.select({ n: count() }).from(auditLog);
    expect(row?.n).toBeGreaterThan(50);
    const page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.auditor, PASSWORD);
    const firstSeq = () => page.locator('.audit-table tbody tr td').first().textContent();
    await expect.poll(firstSeq).not.toBeNull();
    const newest = Number(await firstSeq());

    await page.getByRole('button', { name: 'Older entries' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => Number(await firstSeq())).toBe(newest - 25);
    await page.keyboard.press('Enter');
    await expect.poll(async () => Number(await firstSeq())).toBe(newest - 50);
    expect(await focused(page)).toBe('BUTTON Older entries');
    await page.close();
  });
});
