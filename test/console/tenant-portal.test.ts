/**
 * The tenant admin's portal in a real browser: acme's admin lands on its own tenant, keeps
 * its breach contacts (adds, edits, sends a test e-mail whose link, opened signed out,
 * confirms the address), reads a notice sent to acme and files a customer report. Globex's
 * id in the URL shows "not found" and none of globex's data, as the API refuses it.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliverContactTests } from '../../src/notify/contact-tests.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { contactConfirmations } from '../../src/store/schema.ts';
import {
  describeInBrowser,
  launchBrowser,
  newPage,
  screenshotPath,
  seriousA11yViolations,
  signInAs,
} from '../support/browser.ts';
import {
  type ConsoleServer,
  PASSWORD,
  PEOPLE,
  startConsoleServer,
} from '../support/console-server.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  noticeOf,
} from '../notify/declared-investigation.ts';

describeInBrowser('tenant portal', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let noticeSubject: string;
  let mailDir: string;

  beforeAll(async () => {
    server = await startConsoleServer();
    const db = server.store.db;
    const investigation = await declaredInvestigation(db, { acme: {}, globex: {} });
    const notice = await noticeOf(db, investigation, 'acme', 'tenant');
    await approveAndDeliver(db, notice.id);
    noticeSubject = notice.subject;
    mailDir = await mkdtemp(join(tmpdir(), 'bd-portal-mail-'));
    browser = await launchBrowser();
    page = await newPage(browser);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (mailDir) await rm(mailDir, { recursive: true, force: true });
  });

  const contact = (name: string) =>
    page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });

  it("lands acme's admin on its own tenant, nothing personal in title or URL", async () => {
    await signInAs(page, server.base, PEOPLE.acmeAdmin, PASSWORD);

    expect(new URL(page.url()).pathname).toBe('/tenants/acme');
    await page.getByRole('heading', { name: 'Your organisation' }).waitFor();
    await contact('Privacy Officer acme').waitFor();
    expect(await page.title()).toBe('Breachdesk');
    expect(page.url()).not.toContain('admin');
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('adds and edits a breach contact, and shows the refusal of a bad address', async () => {
    await page.getByLabel('Name').fill('Security Desk');
    await page.getByLabel('E-mail address').fill('security@acme.example');
    await page.getByRole('button', { name: 'Add contact' }).click();
    await contact('Security Desk').waitFor();
    await expect.poll(() => contact('Security Desk').textContent()).toContain('Not confirmed');

    await page.getByRole('button', { name: 'Edit Security Desk' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Security Operations');
    await dialog.getByLabel('E-mail address').fill('not an address');
    await dialog.getByRole('button', { name: 'Save contact' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('BD_TENANT_INVALID');

    await dialog.getByLabel('E-mail address').fill('security@acme.example');
    await dialog.getByRole('button', { name: 'Save contact' }).click();
    await contact('Security Operations').waitFor();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('sends a test e-mail whose link, opened signed out, confirms the address', async () => {
    await page.getByRole('button', { name: 'Send test e-mail to Security Operations' }).click();
    await page.getByText('Test e-mail queued for security@acme.example').waitFor();

    // The outbox worker's pass mails it; the link is read from the message itself.
    const transport = createTransport({ smtpUrl: null, outboxDir: mailDir });
    const tally = await deliverContactTests(server.store.db, transport, {
      consoleUrl: server.base,
    });
    await transport.close();
    expect(tally.sent).toBe(1);
    const [file] = await readdir(mailDir);
    const mail = await simpleParser(await readFile(join(mailDir, file ?? '')));
    const link = /http:\S+\/confirm-contact#token=\S+/.exec(mail.text ?? '')?.[0] ?? '';
    expect(link.startsWith(`${server.base}/confirm-contact#token=bdc_`)).toBe(true);

    const outsider = await newPage(browser);
    await outsider.goto(link);
    await outsider.getByRole('button', { name: 'Confirm this address' }).click();
    await outsider.getByText('the address is confirmed').waitFor();
    expect(outsider.url()).toBe(`${server.base}/confirm-contact`);
    expect(await seriousA11yViolations(outsider)).toEqual([]);
    // The link works once (a fresh load: the same URL again would only change the fragment).
    await outsider.goto('about:blank');
    await outsider.goto(link);
    await outsider.getByRole('button', { name: 'Confirm this address' }).click();
    await expect
      .poll(() => outsider.getByRole('alert').textContent())
      .toContain('BD_CONFIRMATION_USED');
    await outsider.context().close();

    await page.reload();
    await contact('Security Operations').waitFor();
    await expect.poll(() => contact('Security Operations').textContent()).toMatch(/Confirmed\s*\w/);
    await expect
      .poll(() => contact('Privacy Officer acme').textContent())
      .toContain('Not confirmed');
  });

  it('reads a notice sent to acme, with its sent time and delivery state', async () => {
    const item = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: noticeSubject }) });
    await expect.poll(() => item.textContent()).toContain('Delivery: 1 delivered');
    await expect.poll(() => item.textContent()).toContain('Sent');

    await item.getByRole('button', { name: 'Read notice' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Notice text').waitFor();
    await expect
      .poll(() => dialog.getByLabel('Notice text').textContent())
      .toContain('To the breach contacts of acme GmbH');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Close notice' }).click();
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
  });

  it('submits a customer report and lists it', async () => {
    await page.getByRole('button', { name: 'Submit report' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('title');

    await page.getByLabel('What happened, in one line').fill('Phishing from a lookalike domain');
    await page
      .getByLabel('Details (optional)')
      .fill('Three staff got mails from acme-corp.example');
    await page.getByRole('button', { name: 'Submit report' }).click();
    await page.getByText('Report received').waitFor();
    await page.getByRole('heading', { name: 'Phishing from a lookalike domain' }).waitFor();

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: screenshotPath('tenant-portal') });
  });

  it('passes axe in dark mode too', async () => {
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Light mode' }).click();
  });

  it("shows only 'not found' for globex, whose data the API refuses acme's admin", async () => {
    await page.goto(`${server.base}/tenants/globex`);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain('globex.example');
    expect(text).not.toContain('Privacy Officer');
    expect(text).not.toContain('Phishing');
    await expect
      .poll(() => page.getByRole('button', { name: /test e-mail|Read notice/ }).count())
      .toBe(0);

    for (const path of ['contacts', 'notices']) {
      const res = await page.request.get(`${server.base}/api/v1/tenants/globex/${path}`);
      expect(res.status()).toBe(404);
      expect((await res.json()).error.code).toBe('BD_NOT_FOUND');
    }
    const queued = await server.store.db
      .select()
      .from(contactConfirmations)
      .where(eq(contactConfirmations.tenantId, 'globex'));
    expect(queued).toEqual([]);
  });

  it('is readable 390 px wide', async () => {
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signInAs(phone, server.base, PEOPLE.acmeAdmin, PASSWORD);
    await phone.getByRole('heading', { name: 'Breach contacts' }).waitFor();
    await phone.getByRole('heading', { name: 'Security Operations' }).waitFor();

    // A string, evaluated in the page: the test's own type check knows no DOM.
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });
});
