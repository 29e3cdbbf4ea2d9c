/**
 * The ends of the investigation page the main-job test does not reach: closing by keyboard
 * (focus and the status line survive the moves disappearing) and the notices panel of an
 * investigation declared before any scoping run.
 */
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import {
  classifyInvestigation,
  declareCrsi,
  moveStage,
} from '../../src/investigations/workflow.ts';
import { investigations } from '../../src/store/schema.ts';
import { describeInBrowser, launchBrowser, newPage, signInAs } from '../support/browser.ts';
import {
  type ConsoleServer,
  PASSWORD,
  PEOPLE,
  startConsoleServer,
} from '../support/console-server.ts';
import { buildEveAlert, openInvestigation } from '../support/factories.ts';

const responder = cliActor('responder', 'rita');
const manager = cliActor('incident_manager', 'ines');

describeInBrowser('investigation page: closing, and declared before scoping', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let benign: string;
  let unscoped: string;

  async function refOf(id: string): Promise<string> {
    const [row] = await server.store.db
      .select({ number: investigations.number })
      .from(investigations)
      .where(eq(investigations.id, id));
    return `INV-${row?.number}`;
  }

  beforeAll(async () => {
    server = await startConsoleServer();
    const db = server.store.db;

    const a = await openInvestigation(db, buildEveAlert({ sid: 9_700_001, src: '192.0.2.71' }));
    await moveStage(db, responder, a, { to: 'assess', reason: 'paged' });
    await classifyInvestigation(db, responder, a, { classification: 'not_security_event' });
    benign = await refOf(a);

    const b = await openInvestigation(db, buildEveAlert({ sid: 9_700_002, src: '192.0.2.72' }));
    await moveStage(db, responder, b, { to: 'assess', reason: 'paged' });
    await moveStage(db, responder, b, { to: 'diagnose', reason: 'customer data at risk' });
    await declareCrsi(db, manager, b, {
      grounds: ['unauthorized_access'],
      evidence: 'the stolen role read customer buckets, per the provider log',
      awareAt: '2026-11-30T10:00:00Z',
    });
    unscoped = await refOf(b);

    browser = await launchBrowser();
    page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('closes by keyboard; focus lands on the panel and the status says so', async () => {
    await page.goto(`${server.base}/investigations/${benign}`);
    const reason = page.getByLabel('Reason for the move');
    await reason.fill('a scheduled scan, not an attack');
    // Tab from the reason through the open moves (diagnose, then close) to close.
    const close = page.getByRole('button', { name: 'Move to close' });
    const onClose = () => close.evaluate((b) => b === b.ownerDocument.activeElement);
    await expect.poll(() => close.isEnabled()).toBe(true);
    for (let tabs = 0; tabs < 3 && !(await onClose()); tabs++) await page.keyboard.press('Tab');
    expect(await onClose()).toBe(true);
    await page.keyboard.press('Space');

    const panel = page.getByRole('region', { name: 'Stage' });
    await panel.getByText('Closed: no further moves.').waitFor();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Moved to close.');
    const heading = panel.getByRole('heading', { name: 'Stage' });
    await expect
      .poll(() => heading.evaluate((h) => h === h.ownerDocument.activeElement))
      .toBe(true);
  });

  it('says a declared investigation has no notice until it is scoped', async () => {
    await page.goto(`${server.base}/investigations/${unscoped}`);
    const notices = page.getByRole('region', { name: 'Notices' });
    await expect
      .poll(() => notices.textContent())
      .toContain('No notice yet: declared, but not scoped. Run scoping');
    expect(await notices.textContent()).not.toContain('drafted when a CRSI is declared');
  });
});
