/**
 * The queue in a real browser: a responder sees open investigations by nearest deadline,
 * filters and pages through them (the server filters across all pages), and sees a new alert
 * sent through the API appear without reloading. Checked with axe in light and dark, at phone
 * width, and photographed for docs/screenshots/queue.png.
 */
import { inArray } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.ts';
import { investigations } from '../../src/store/schema.ts';
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
import { buildEveAlert } from '../support/factories.ts';
import { byDeadline, type SeededInvestigation, seedQueue } from '../support/queue-seed.ts';

const COUNT = 26;

interface Widths {
  page: number;
  body: number;
  viewport: number;
  wrapScroll: number;
  wrapClient: number;
}

describeInBrowser('console queue', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let seeded: SeededInvestigation[];
  const refOf = new Map<string, string>();

  beforeAll(async () => {
    server = await startConsoleServer();
    seeded = await seedQueue(server.store.db, COUNT);
    const rows = await server.store.db
      .select({ id: investigations.id, number: investigations.number })
      .from(investigations)
      .where(
        inArray(
          investigations.id,
          seeded.map((s) => s.id),
        ),
      );
    for (const r of rows) refOf.set(r.id, `INV-${r.number}`);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const refs = (list: readonly SeededInvestigation[]) => list.map((s) => refOf.get(s.id));
  const shownRefs = () =>
    page.locator('table.queue-table tbody tr td:first-child a').allTextContents();

  async function expectRows(want: (string | undefined)[], countText: string) {
    await expect.poll(shownRefs, { timeout: 10_000 }).toEqual(want);
    await expect.poll(() => page.locator('.queue-count').textContent()).toContain(countText);
  }

  it('shows open investigations by nearest deadline, and passes axe in light mode', async () => {
    page = await newPage(browser, { width: 1280, height: 800 });
    await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/queue');

    const ordered = refs(byDeadline(seeded));
    // 25 a page unless chosen otherwise: the 26th is on the next page.
    await expectRows(ordered.slice(0, 25), `Showing 1–25 of ${COUNT}`);
    const first = page.locator('table.queue-table tbody tr').first();
    await expect.poll(() => first.locator('time').count()).toBe(1);
    await expect
      .poll(() => first.textContent())
      .toContain('GDPR controller to supervisory authority');
    const link = first.getByRole('link');
    await expect.poll(() => link.getAttribute('href')).toBe(`/investigations/${ordered[0]}`);

    await page.screenshot({ path: screenshotPath('queue') });
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('pages through the queue, filtered by stage and by severity across pages', async () => {
    const ordered = byDeadline(seeded);
    await page.getByLabel('Per page').selectOption('10');
    await expectRows(refs(ordered.slice(0, 10)), `Showing 1–10 of ${COUNT}`);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectRows(refs(ordered.slice(10, 20)), `Showing 11–20 of ${COUNT}`);

    // Filtering goes back to the first page.
    const stages = page.getByRole('group', { name: 'Stage' });
    await stages.getByLabel('diagnose').check();
    await stages.getByLabel('stabilize').check();
    const later = ordered.filter((s) => ['diagnose', 'stabilize'].includes(s.stage));
    expect(later.length).toBeGreaterThan(10);
    await expectRows(refs(later.slice(0, 10)), `Showing 1–10 of ${later.length}`);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectRows(refs(later.slice(10)), `of ${later.length}`);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    const severities = page.getByRole('group', { name: 'Severity' });
    await severities.getByLabel('high').check();
    await severities.getByLabel('medium').check();
    const pressing = ordered.filter((s) => s.severity !== 'low');
    expect(pressing.length).toBeGreaterThan(10);
    await expectRows(refs(pressing.slice(0, 10)), `Showing 1–10 of ${pressing.length}`);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectRows(refs(pressing.slice(10)), `of ${pressing.length}`);

    await severities.getByLabel('medium').uncheck();
    await severities.getByLabel('low').check();
    await page.getByRole('group', { name: 'Stage' }).getByLabel('detect').check();
    const none = seeded.filter((s) => s.stage === 'detect' && s.severity !== 'medium');
    await expectRows(refs(byDeadline(none)), `of ${none.length}`);

    await page
      .getByRole('group', { name: 'Classification' })
      .getByLabel('privacy incident')
      .check();
    await page.getByText('No open investigation matches these filters.').waitFor();
    expect(await shownRefs()).toEqual([]);
    await page.getByRole('button', { name: 'Clear filters' }).click();
  });

  it('keeps its view in the address: reload, Back, and the header link', async () => {
    const stages = page.getByRole('group', { name: 'Stage' });
    const entries = () => page.evaluate('history.length');
    const before = await entries();
    await page.getByLabel('Per page').selectOption('10');
    await stages.getByLabel('diagnose').check();
    await stages.getByLabel('stabilize').check();
    await page.getByLabel('Sort by').selectOption('severity');
    const countText = () => page.locator('.queue-count').textContent();
    await expect.poll(countText).toMatch(/^Showing 1–10 of \d+ .*sorted by severity$/);
    await page.getByRole('button', { name: 'Next page' }).click();
    // The second page's own answer, not the first one still shown while it loads.
    await expect.poll(countText).toMatch(/^Showing 11–\d+ of \d+ .*sorted by severity$/);
    const second = await shownRefs();
    const count = (await countText()) ?? '';
    // Each change replaced the entry: Back leaves the queue instead of undoing filters.
    expect(await entries()).toBe(before);

    await page.reload();
    await expectRows(second, count);
    await expect.poll(() => stages.getByLabel('diagnose').isChecked()).toBe(true);
    await expect.poll(() => stages.getByLabel('detect').isChecked()).toBe(false);
    expect(await page.getByLabel('Sort by').inputValue()).toBe('severity');
    expect(await page.getByLabel('Per page').inputValue()).toBe('10');
    const url = new URL(page.url());
    expect([...new Set(url.searchParams.keys())].sort()).toEqual(
      ['page', 'pageSize', 'sort', 'stage'].sort(),
    );
    expect(url.searchParams.get('page')).toBe('2');

    // Open one, come Back: the same page of the same view.
    await page.locator('table.queue-table tbody tr td:first-child a').first().click();
    await page.getByRole('heading', { level: 1, name: /^INV-\d+:/ }).waitFor();
    await page.goBack();
    await expectRows(second, count);

    // The header's link opens the queue as it starts; Back returns to the filtered view.
    await page.getByRole('link', { name: 'Queue', exact: true }).click();
    await expectRows(refs(byDeadline(seeded).slice(0, 25)), `Showing 1–25 of ${COUNT}`);
    await expect.poll(() => stages.getByLabel('diagnose').isChecked()).toBe(false);
    await page.goBack();
    await expectRows(second, count);
    await expect.poll(() => stages.getByLabel('diagnose').isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Sort by').selectOption('deadline');
    await expectRows(refs(byDeadline(seeded).slice(0, 10)), `Showing 1–10 of ${COUNT}`);
  });

  it('shows a new alert sent through the API without a reload', async () => {
    await page.getByLabel('Sort by').selectOption('opened');
    const newestFirst = refs([...seeded].reverse());
    await expectRows(newestFirst.slice(0, 10), `Showing 1–10 of ${COUNT}`);
    await page.getByText('● live').waitFor();
    // A full reload would lose this mark.
    await page.evaluate('window.notReloaded = true');

    const { token } = await createToken(server.store.db, {
      label: 'sensor',
      role: 'responder',
      createdBy: 'test',
    });
    const res = await fetch(`${server.base}/api/v1/intake/suricata`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(buildEveAlert({ sid: 9_600_001, src: '192.0.2.201' })),
    });
    expect(res.status).toBe(200);
    const [opened] = await server.store.db
      .select({ number: investigations.number })
      .from(investigations)
      .orderBy(investigations.number)
      .limit(1)
      .offset(COUNT);

    await expectRows([`INV-${opened?.number}`, ...newestFirst.slice(0, 9)], `of ${COUNT + 1}`);
    expect(await page.evaluate('window.notReloaded === true')).toBe(true);
  });

  it('passes axe in dark mode', async () => {
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Light mode' }).click();
  });

  it('reads at 390 px: no sideways page scroll, the table scrolls in its frame', async () => {
    const phone = await newPage(browser, { width: 390, height: 844 });
    await signInAs(phone, server.base, PEOPLE.responder, PASSWORD);
    await phone.locator('table.queue-table tbody tr').first().waitFor();

    // A string, as the tests are compiled without the DOM's types.
    const widths = await phone.evaluate<Widths>(`(() => {
      const wrap = document.querySelector('.table-wrap');
      return {
        page: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        viewport: document.documentElement.clientWidth,
        wrapScroll: wrap ? wrap.scrollWidth : 0,
        wrapClient: wrap ? wrap.clientWidth : 0,
      };
    })()`);
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.body).toBeLessThanOrEqual(widths.viewport);
    expect(widths.wrapClient).toBeLessThanOrEqual(widths.viewport);
    expect(widths.wrapScroll).toBeGreaterThan(widths.wrapClient);
    expect(await seriousA11yViolations(phone)).toEqual([]);
    await phone.context().close();
  });
});
