/**
 * The main job through the investigation page, in a real browser: an alert opens an
 * investigation; a responder rates it, moves it and scopes it from a CloudTrail log on the
 * server; an incident manager declares a CRSI in the dialog and approves the notices; the
 * outbox worker delivers them and the page shows each recipient's copy delivered. Every stop
 * is checked with axe-core (light and dark), and once at phone width.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HOLD_GROUNDS } from '../../src/notify/holds.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import { investigations } from '../../src/store/schema.ts';
import { HOLD_GROUNDS as PAGE_HOLD_GROUNDS } from '../../web/src/investigation/hold-grounds.ts';
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
import { openInvestigation } from '../support/factories.ts';

const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';

/** One GetObject by the attacker on each tenant's bucket (acme twice), as scoping reads it. */
function cloudTrail() {
  const read = (bucket: string, minute: number) => ({
    eventVersion: '1.08',
    eventTime: `2026-11-30T08:${String(minute).padStart(2, '0')}:00Z`,
    eventSource: 's3.amazonaws.com',
    eventName: 'GetObject',
    sourceIPAddress: '203.0.113.50',
    userIdentity: { type: 'AssumedRole', arn: ATTACKER },
    recipientAccountId: '111111111111',
    requestParameters: { bucketName: bucket, key: `export-${minute}.csv` },
  });
  return { Records: [read('acme-data', 1), read('acme-data', 40), read('globex-data', 12)] };
}

/** A datetime-local value `days` ahead, in the page's zone (Europe/Berlin, UTC+1 in winter). */
function localInput(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000 + 3_600_000);
  return at.toISOString().slice(0, 16);
}

describeInBrowser('investigation page: the main job', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let logs: string;
  let outboxDir: string;
  let ref: string;
  const savedRoots = process.env.BREACHDESK_LOG_ROOTS;

  beforeAll(async () => {
    logs = await mkdtemp(join(tmpdir(), 'bd-console-logs-'));
    outboxDir = await mkdtemp(join(tmpdir(), 'bd-console-outbox-'));
    await writeFile(join(logs, 'cloudtrail.json'), JSON.stringify(cloudTrail()));
    // Scoping over HTTP reads only the folders the operator listed.
    process.env.BREACHDESK_LOG_ROOTS = logs;

    server = await startConsoleServer();
    const id = await openInvestigation(server.store.db);
    const [row] = await server.store.db
      .select({ number: investigations.number })
      .from(investigations)
      .where(eq(investigations.id, id));
    ref = `INV-${row?.number}`;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    process.env.BREACHDESK_LOG_ROOTS = savedRoots;
    await browser?.close();
    await server?.close();
    await rm(logs, { recursive: true, force: true });
    await rm(outboxDir, { recursive: true, force: true });
  });

  /** Opens it the way a responder does: its row in the queue, never its address typed in. */
  async function openFromQueue(p: Page) {
    await p.goto(`${server.base}/queue`);
    await p.getByRole('link', { name: ref, exact: true }).click();
    await p.getByRole('heading', { level: 1, name: new RegExp(`^${ref}:`) }).waitFor();
  }

  async function axeBothThemes(p: Page) {
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.getByRole('button', { name: 'Dark mode' }).click();
    await expect.poll(() => p.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await seriousA11yViolations(p)).toEqual([]);
    await p.getByRole('button', { name: 'Light mode' }).click();
  }

  const moveButton = (to: string) => page.getByRole('button', { name: `Move to ${to}` });

  it('offers the hold grounds the server accepts', () => {
    expect([...PAGE_HOLD_GROUNDS]).toEqual([...HOLD_GROUNDS]);
  });

  it('lets a responder rate the investigation and see the result and its history', async () => {
    page = await newPage(browser);
    await signInAs(page, server.base, PEOPLE.responder, PASSWORD);
    await openFromQueue(page);
    expect(new URL(page.url()).pathname).toMatch(/^\/investigations\//);
    await expect.poll(() => moveButton('assess').isEnabled()).toBe(true);

    const form = page.getByRole('form', { name: 'Rate the investigation' });
    await form.getByLabel('Functional impact').selectOption('low');
    await form.getByLabel('privacy').check();
    await form.getByLabel('Risk to customer data').selectOption('imminent');
    await form.getByText('Would rate: severity high, P1').waitFor();
    await form.getByRole('button', { name: 'Save rating' }).click();

    const rating = page.getByRole('region', { name: 'Rating (NIST SP 800-61)' });
    await rating.getByText('risk to customer data: always high, P1').waitFor();
    await expect.poll(() => rating.getByRole('row').count()).toBe(2);
    await expect.poll(() => rating.getByRole('row').nth(1).textContent()).toContain('high / P1');
    await axeBothThemes(page);
  });

  it('moves it through the stages, with refused moves disabled and explained', async () => {
    const reason = page.getByLabel('Reason for the move');
    const focused = (l: typeof reason) => l.evaluate((el) => el === el.ownerDocument.activeElement);

    // A move the server refuses keeps its reason to be corrected, and focus goes to it.
    await reason.fill('   ');
    await moveButton('assess').click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Stage' }).getByRole('alert').textContent())
      .toContain('reason');
    expect(await reason.inputValue()).toBe('   ');
    await expect.poll(() => focused(reason)).toBe(true);

    await reason.fill('paged by the alert');
    await moveButton('assess').click();
    await page.locator('[aria-current="step"]', { hasText: 'assess' }).waitFor();

    // From assess, close waits on a classification that says "not our incident".
    await expect.poll(() => moveButton('close').isDisabled()).toBe(true);
    await expect
      .poll(() => page.locator('#move-close-why').textContent())
      .toContain('cannot close from assess while classification is not classified');

    // The reason was this move's: the field is empty again, and focus waits in it.
    await expect.poll(() => reason.inputValue()).toBe('');
    await expect.poll(() => focused(reason)).toBe(true);
    await page.getByRole('status').filter({ hasText: 'Moved to assess.' }).waitFor();

    // The next move by keyboard alone: type, Tab to the one open move, Enter.
    await page.keyboard.type('customer data at risk');
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(moveButton('diagnose'))).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('[aria-current="step"]', { hasText: 'diagnose' }).waitFor();
    await expect.poll(() => moveButton('stabilize').isEnabled()).toBe(true);
    await expect.poll(() => focused(reason)).toBe(true);
    await expect.poll(() => reason.inputValue()).toBe('');
    await page.getByRole('status').filter({ hasText: 'Moved to diagnose.' }).waitFor();
  });

  it('runs scoping on the server and shows affected tenants in a table and a chart', async () => {
    const scoping = page.getByRole('region', { name: 'Scoping' });
    await scoping.locator('summary', { hasText: 'Run scoping' }).click();
    const form = scoping.getByRole('form', { name: 'Run scoping' });

    // A path outside the allowed folders is refused with the server's words.
    await form.getByLabel(/Log files on the server/).fill('/etc/passwd');
    await form.getByLabel(/Attacker principals/).fill(ATTACKER);
    await form.getByRole('button', { name: 'Run scoping' }).click();
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toContain('BD_SCOPE_FORBIDDEN_PATH');

    await form.getByLabel(/Log files on the server/).fill(join(logs, 'cloudtrail.json'));
    await form.getByRole('button', { name: 'Run scoping' }).click();
    const table = scoping.getByRole('table', { name: 'Affected tenants' });
    await table.waitFor();
    const rows = await table.getByRole('row').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/acme GmbH \(acme\)2/);
    expect(rows[2]).toMatch(/globex GmbH \(globex\)1/);
    await expect.poll(() => scoping.locator('.recharts-bar').count()).toBe(2);
    const chart = scoping.getByRole('img', { name: /^Records per tenant per/ });
    await expect
      .poll(() => chart.getAttribute('aria-label'))
      .toMatch(/acme: 2 records over \d+ buckets; globex: 1 records over 1 buckets/);
    await expect
      .poll(() => scoping.locator('.recharts-legend-item').allTextContents())
      .toEqual(['acme', 'globex']);
  });

  it('shows the signals, observables and the audit timeline', async () => {
    const signals = page.getByRole('region', { name: 'Signals and observables' });
    await signals.getByText('TEST possible data exfiltration').waitFor();
    await signals.getByText('203.0.113.9').first().waitFor();

    await page.reload();
    const timeline = page.getByRole('region', { name: 'Timeline (audit log)' });
    await timeline.getByText('investigation.scoped').waitFor();
    const text = await timeline.textContent();
    for (const action of ['investigation.opened', 'investigation.rated', 'assess → diagnose']) {
      expect(text).toContain(action);
    }
  });

  it('does not offer a responder the CRSI declaration', async () => {
    await expect.poll(() => page.getByRole('button', { name: 'Declare CRSI…' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
  });

  it('lets an incident manager declare a CRSI through the dialog', async () => {
    await signInAs(page, server.base, PEOPLE.incident_manager, PASSWORD);
    await openFromQueue(page);

    // A false positive needs its root cause: refused with the field named, then classified.
    const classify = page.getByRole('form', { name: 'Classify the investigation' });
    await classify.getByLabel('Classification').selectOption('false_positive');
    await classify.getByRole('button', { name: 'Save classification' }).click();
    await expect.poll(() => classify.getByRole('alert').textContent()).toContain('field rootCause');
    await classify.getByLabel('Classification').selectOption('security_incident');
    await classify.getByRole('button', { name: 'Save classification' }).click();
    const classification = page.getByRole('region', { name: 'Classification' });
    await classification.locator('.badge', { hasText: 'security incident' }).waitFor();

    await page.getByRole('button', { name: 'Declare CRSI…' }).click();
    const dialog = page.getByRole('dialog', {
      name: 'Declare a customer-reportable security incident',
    });
    await dialog.waitFor();

    // Too short an evidence statement is refused by the server, and nothing is declared.
    await dialog.getByLabel('unauthorized access').check();
    await dialog.getByLabel(/Evidence statement/).fill('it looks bad');
    await dialog
      .getByLabel('Contact point e-mail for the notices')
      .fill('privacy@provider.example');
    await dialog.getByRole('button', { name: 'Declare', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('field evidence');

    await dialog
      .getByLabel(/Evidence statement/)
      .fill('CloudTrail shows GetObject by the stolen role on both tenant buckets');
    await dialog.getByRole('button', { name: 'Declare', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });

    await classification.getByText('Declared CRSI by').waitFor();
    await classification.getByText('crsi', { exact: true }).waitFor();
    await page.getByRole('article', { name: 'tenant notice to acme' }).waitFor();
  });

  it('shows each obligation with its deadline in the viewer zone, UTC on hover', async () => {
    const deadlines = page.getByRole('region', { name: 'Deadlines' });
    const first = deadlines.locator('.deadline').first();
    await first.waitFor();
    await expect
      .poll(() => first.getAttribute('title'))
      .toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \(UTC\)$/);
    // The page runs in Europe/Berlin: the shown instant carries that zone, not UTC.
    await expect.poll(() => first.locator('time').textContent()).toMatch(/CET|GMT\+1/);
    await expect.poll(() => deadlines.getByText('gdpr-33-2').count()).toBe(2);
  });

  it('previews a notice in another language, then approves every notice', async () => {
    const acme = page.getByRole('article', { name: 'tenant notice to acme' });
    await acme.getByLabel('Preview language').selectOption('de');
    await acme.getByRole('button', { name: 'Preview' }).click();
    await acme.locator('article.preview[lang="de"]').waitFor();
    await acme.getByRole('button', { name: 'Request hold…' }).waitFor();
    await expect.poll(() => acme.getByRole('button', { name: 'Approve hold' }).count()).toBe(0);

    // Two presses each: the first asks, Cancel takes it back, the second sends.
    const approve = page.getByRole('button', { name: 'Approve…', exact: true });
    const drafts = 4;
    await expect.poll(() => approve.count()).toBe(drafts);
    await approve.first().click();
    await page.getByRole('group', { name: 'Confirm approval' }).getByText('Cancel').click();
    await expect.poll(() => approve.count()).toBe(4);
    // Escape takes it back too, and focus returns to the button that asked.
    await approve.first().focus();
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: 'Confirm approval' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => approve.count()).toBe(4);
    await expect
      .poll(() => approve.first().evaluate((b) => b === b.ownerDocument.activeElement))
      .toBe(true);

    for (let left = drafts; left > 0; left -= 1) {
      await approve.first().click();
      const send = page.getByRole('button', { name: 'Approve and send', exact: true });
      await expect.poll(() => send.evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);
      await send.dblclick();
      await expect.poll(() => approve.count(), { timeout: 10_000 }).toBe(left - 1);
    }
    // A double press sent each notice once: no refusal shown under any of them.
    await expect.poll(() => page.getByText('is approved, not a draft').count()).toBe(0);
    await acme.getByText('queued').first().waitFor();
    await axeBothThemes(page);
  });

  it('requests a hold through its dialog; only legal and executive may approve it', async () => {
    const globex = page.getByRole('article', { name: 'tenant notice to globex' });
    await globex.getByRole('button', { name: 'Request hold…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Hold the tenant notice to globex' });
    await dialog.getByLabel('Ground').selectOption('extreme_circumstance');
    await dialog.getByLabel('Reason').fill('law enforcement asked for two days');
    // Past the 30-day limit: refused with the server's words, nothing stored.
    await dialog.getByLabel(/Review by/).fill(localInput(40));
    await dialog.getByRole('button', { name: 'Request hold' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('field reviewAt');

    await dialog.getByLabel(/Review by/).fill(localInput(3));
    await dialog.getByRole('button', { name: 'Request hold' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await globex.getByText('Hold requested on extreme circumstance').waitFor();
    // An incident manager requests holds but approves none (legal and executive do).
    await expect.poll(() => globex.getByRole('button', { name: 'Approve hold' }).count()).toBe(0);

    const legal = await newPage(browser);
    try {
      await signInAs(legal, server.base, PEOPLE.legal, PASSWORD);
      await legal.goto(`${server.base}/investigations/${ref}`);
      const held = legal.getByRole('article', { name: 'tenant notice to globex' });
      await held.getByRole('button', { name: 'Approve hold' }).click();
      await held.getByText('Hold partially approved').waitFor();
      await expect.poll(() => held.getByRole('button', { name: 'Approve hold' }).count()).toBe(0);
    } finally {
      await legal.context().close();
    }
  });

  it('shows every recipient delivered once the outbox worker has run', async () => {
    const transport = createTransport({ smtpUrl: null, outboxDir });
    try {
      const tally = await deliverDue(server.store.db, transport);
      expect(tally).toMatchObject({ sent: 4, failed: 0 });
    } finally {
      await transport.close();
    }

    await page.reload();
    const states = page.locator('tr[data-delivery] td:nth-child(2)');
    await expect
      .poll(() => states.allTextContents())
      .toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    await expect
      .poll(() => page.getByRole('article', { name: 'tenant notice to globex' }).textContent())
      .toContain('dpo@globex.example');

    await page.getByLabel('Reason for the move').fill('contained: keys rotated');
    await moveButton('stabilize').click();
    await page.locator('[aria-current="step"]', { hasText: 'stabilize' }).waitFor();
    await expect.poll(() => page.locator('#move-close-why').textContent()).toContain('postmortem');

    await page.setViewportSize({ width: 1280, height: 900 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: screenshotPath('investigation') });
  });

  it('stays readable at phone width (390 px) with no serious axe violation', async () => {
    const phone = await newPage(browser, { width: 390, height: 844 });
    try {
      await signInAs(phone, server.base, PEOPLE.responder, PASSWORD);
      await phone.goto(`${server.base}/investigations/${ref}`);
      await phone.getByRole('region', { name: 'Deadlines' }).waitFor();
      // A string, so that this Node-typed file needs no DOM types.
      const overflow = await phone.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow).toBeLessThanOrEqual(0);
      expect(await phone.title()).toBe('Breachdesk');
      expect(await seriousA11yViolations(phone)).toEqual([]);
    } finally {
      await phone.context().close();
    }
  });
});
