/**
 * The auditor's view and the dashboards in a real browser. An auditor lands on /audit, opens
 * a post-mortem, verifies the hash chain (intact), sees it broken at the very entry this test
 * edits in the database, and is refused the queue's data. A responder reads the dashboards'
 * figures for investigations seeded at known instants (test/support/timings-seed.ts). Both
 * pages pass axe in light and dark; the dashboards read at 390 px; both are photographed.
 */
import { sql } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { writePostmortem } from '../../src/investigations/workflow.ts';
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
import { buildEveAlert, openInvestigation } from '../support/factories.ts';
import { seedTimings } from '../support/timings-seed.ts';

const ROOT_CAUSE = 'a bucket policy changed in a hurry during an unrelated outage';
const TAMPERED_SEQ = 3;

describeInBrowser('auditor view and dashboards', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let ref: string;

  beforeAll(async () => {
    server = await startConsoleServer();
    await seedTimings(server.store.db);
    // Seen 40 minutes before it was opened: a recent alert, not one that sat for days.
    const ts = new Date(Date.now() - 40 * 60_000).toISOString();
    const id = await openInvestigation(server.store.db, buildEveAlert({ sid: 9_500_001, ts }));
    await writePostmortem(server.store.db, cliActor('incident_manager', 'ines'), id, {
      summary: 'Customer exports were readable from the internet for a day',
      rootCause: ROOT_CAUSE,
      lessons: 'review bucket policies weekly',
      actions: ['block public access account-wide'],
    });
    const res: unknown = await server.store.db.execute(
      sql`SELECT number FROM investigations WHERE id = ${id}`,
    );
    ref = `INV-${(res as { rows: { number: number }[] }).rows[0]?.number}`;
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function axeInBothThemes(page: Page) {
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Light mode' }).click();
  }

  describe('an auditor', () => {
    let page: Page;

    it('lands on /audit, opens a post-mortem and sees the chain intact', async () => {
      page = await newPage(browser, { width: 1280, height: 800 });
      await signInAs(page, server.base, PEOPLE.auditor, PASSWORD);
      expect(new URL(page.url()).pathname).toBe('/audit');

      await page.getByRole('button', { name: new RegExp(`^${ref}:`) }).click();
      await page.getByRole('heading', { name: 'Root cause' }).waitFor();
      await page.getByText(ROOT_CAUSE).waitFor();

      await page.getByRole('button', { name: 'Verify chain' }).click();
      const status = page.getByRole('status');
      await expect.poll(() => status.textContent()).toMatch(/Chain intact: \d+ entries/);
      await expect
        .poll(() => page.locator('table.audit-table tbody tr').count())
        .toBeGreaterThan(0);
      // The newest entry is this very read of the post-mortem.
      await page.reload();
      const newest = page.locator('table.audit-table tbody tr').first();
      await expect.poll(() => newest.textContent()).toContain('postmortem.read');
      await expect.poll(() => newest.locator('time').getAttribute('title')).toMatch(/Z \(UTC\)$/);

      await page.getByRole('button', { name: 'Verify chain' }).click();
      await expect.poll(() => status.textContent()).toMatch(/Chain intact/);
      await page.getByRole('button', { name: new RegExp(`^${ref}:`) }).click();
      await page.getByText(ROOT_CAUSE).waitFor();
      await page.screenshot({ path: screenshotPath('audit') });
      await axeInBothThemes(page);
    });

    it('sees the chain broken at the entry edited in the database', async () => {
      await server.store.db.execute(
        sql`UPDATE audit_log SET data = '{"edited":true}' WHERE seq = ${TAMPERED_SEQ}`,
      );

      await page.getByRole('button', { name: 'Verify chain' }).click();

      await expect
        .poll(() => page.getByRole('status').textContent())
        .toContain(`Chain broken at entry ${TAMPERED_SEQ}: content does not match its hash`);
    });

    it('is refused the queue: API 403, the page shows the refusal and no data', async () => {
      const api = await page.request.get(`${server.base}/api/v1/investigations`);
      expect(api.status()).toBe(403);
      expect((await api.json()).error.code).toBe('BD_AUTH_FORBIDDEN');

      await page.goto(`${server.base}/queue`);
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('role auditor may not');
      await expect.poll(() => page.getByText(ref).count()).toBe(0);
      // Nor the queue's controls, which would only draw more refusals.
      expect(await page.getByRole('group', { name: 'Stage' }).count()).toBe(0);
      expect(await page.getByLabel('Sort by').count()).toBe(0);
    });

    it('reads /audit at 390 px, tables scrolling in their own box', async () => {
      const phone = await newPage(browser, { width: 390, height: 844 });
      await signInAs(phone, server.base, PEOPLE.auditor, PASSWORD);
      await phone.locator('table.audit-table').waitFor();

      const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(390);
      expect(await seriousA11yViolations(phone)).toEqual([]);
    });
  });

  describe('a responder', () => {
    const rowOf = (page: Page, kind: string, month: string) =>
      page
        .locator('table.timings-table tbody tr')
        .filter({ has: page.getByRole('rowheader', { name: kind, exact: true }) })
        .filter({ has: page.getByRole('cell', { name: month, exact: true }) });

    it('reads the figures of the seeded investigations on /dashboards', async () => {
      const page = await newPage(browser, { width: 1280, height: 800 });
      await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
      await page.getByRole('link', { name: 'Dashboards' }).click();
      await page.locator('table.timings-table').waitFor();

      // Hand-worked in test/support/timings-seed.ts.
      const cells = (kind: string, month: string) =>
        rowOf(page, kind, month).locator('td').allTextContents();
      expect(await cells('automated alert', '2026-09')).toEqual([
        '2026-09',
        '2',
        '2 h / 3 h',
        '1 h 15 min / 2 h',
        '—',
        '—',
        '—',
        '0',
        '0',
        '0',
      ]);
      expect(await cells('internal report', '2026-10')).toEqual([
        '2026-10',
        '1',
        '2 h / 2 h',
        '1 h / 1 h',
        '10 h / 10 h',
        '8 h / 8 h',
        '24 h',
        '1',
        '0',
        '0',
      ]);
      const fp = page.getByRole('row', { name: /^automated alert/ }).filter({ hasText: '%' });
      await expect.poll(() => fp.textContent()).toContain('25 %');
      const charts = page.locator('.chart-box[role="img"] svg');
      await expect.poll(() => charts.count()).toBeGreaterThanOrEqual(6);

      await page.screenshot({ path: screenshotPath('dashboards') });
      await axeInBothThemes(page);
      expect(page.url()).not.toContain('rita');
      expect(await page.title()).toBe('Breachdesk');
    });

    it('reads at 390 px: nothing wider than the screen but the scrolling tables', async () => {
      const page = await newPage(browser, { width: 390, height: 844 });
      await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
      await page.goto(`${server.base}/dashboards`);
      await page.locator('table.timings-table').waitFor();

      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width).toBeLessThanOrEqual(390);
      expect(await seriousA11yViolations(page)).toEqual([]);
    });

    it('narrows the period to one month and shows its refusal of a bad one', async () => {
      const page = await newPage(browser, { width: 1280, height: 800 });
      await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
      await page.goto(`${server.base}/dashboards`);
      await page.getByLabel('From month (UTC)').fill('2026-10');
      await page.getByLabel('To month, included').fill('2026-10');
      await page.getByRole('button', { name: 'Show' }).click();

      await expect.poll(() => page.locator('table.timings-table tbody tr').count()).toBe(2);
      await page.getByLabel('From month (UTC)').fill('2026-11');
      await page.getByRole('button', { name: 'Show' }).click();
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('to: must be after from');
    });
  });
});
