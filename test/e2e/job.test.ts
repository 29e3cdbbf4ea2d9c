/**
 * The main job end to end, on a generated scenario, delivering into a real SMTP server on
 * loopback: every affected tenant's contacts get their own tenant's notice, nobody else gets
 * anything, and the audit chain holds.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../../src/demo/run.ts';
import { generateScenario } from '../../src/demo/scenario.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import type { Store } from '../../src/store/db.ts';
import { notices, signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.ts';

interface TenantFile {
  tenants: {
    id: string;
    jurisdictions: string[];
    breachContacts: { email: string }[];
    accountTeam: { email: string }[];
  }[];
}

describeEachBackend('the main job', (backend) => {
  let store: Store;
  let sink: SmtpSink;
  let dir: string;
  let result: DemoResult;
  let tenantsFile: TenantFile;
  let expected: Awaited<ReturnType<typeof generateScenario>>['expected'];

  beforeAll(async () => {
    store = await backend.open();
    sink = await startSmtpSink();
    dir = await mkdtemp(join(tmpdir(), 'bd-job-'));
    result = await runDemo({ store, workDir: dir, smtpUrl: sink.url, progress: () => {} });

    const scenario = await generateScenario({ dir: join(dir, 'check') });
    expected = scenario.expected;
    tenantsFile = JSON.parse(await readFile(scenario.tenantsFile, 'utf8')) as TenantFile;
  });
  afterAll(async () => {
    await sink.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('closes a high-severity CRSI with a verified audit log', () => {
    expect(result).toMatchObject({
      stage: 'close',
      classification: 'crsi',
      severity: 'high',
      affectedTenants: expected.affectedTenantIds.length,
      auditVerified: true,
    });
  });

  it('stores every alert line once and skips the other event types', async () => {
    const rows = await store.db.select({ id: signals.id }).from(signals);
    expect(rows.length).toBe(expected.alertEvents);
  });

  it("sends each tenant's notice only to that tenant's own contacts and account team", async () => {
    const rows = await store.db
      .select()
      .from(notices)
      .where(eq(notices.investigationId, result.investigationId));
    const tenantOfNotice = new Map(rows.map((n) => [n.id, n.tenantId]));

    for (const mail of sink.received) {
      const noticeId = mail.parsed.headers.get('x-breachdesk-notice') as string;
      const tenantId = tenantOfNotice.get(noticeId);
      const tenant = tenantsFile.tenants.find((t) => t.id === tenantId);
      const allowed = [...(tenant?.breachContacts ?? []), ...(tenant?.accountTeam ?? [])].map(
        (c) => c.email,
      );
      expect(mail.rcptTo).toHaveLength(1);
      expect(allowed).toContain(mail.rcptTo[0]);
    }
  });

  it('reaches every breach contact of every affected tenant exactly once', () => {
    const want = tenantsFile.tenants
      .filter((t) => expected.affectedTenantIds.includes(t.id))
      .flatMap((t) => [...t.breachContacts, ...t.accountTeam].map((c) => c.email))
      .sort();
    const got = sink.received.flatMap((m) => m.rcptTo).sort();
    expect(got).toEqual(want);
    expect(result.noticesDelivered).toBe(want.length);
  });

  it('meets the controller clock of each affected EU or UK tenant, on time', async () => {
    const clocks = await listClocks(store.db, result.investigationId);
    const controller = clocks.filter((c) => c.regime === 'gdpr-33-2');
    // GDPR Art. 33(2) binds the processor for tenants whose data falls under EU or UK law.
    const gdprTenants = tenantsFile.tenants
      .filter((t) => expected.affectedTenantIds.includes(t.id))
      .filter((t) => t.jurisdictions.some((j) => j === 'EU' || j === 'UK'))
      .map((t) => t.id)
      .sort();
    expect(controller.map((c) => c.tenantId).sort()).toEqual(gdprTenants);
    expect(
      controller.every(
        (c) => c.status === 'met' && c.due !== null && c.metAt !== null && c.metAt <= c.due,
      ),
    ).toBe(true);
  });

  it('records the Art. 33(1) authority duty as decided, with approver and rationale', async () => {
    const clocks = await listClocks(store.db, result.investigationId);
    const authority = clocks.filter((c) => c.regime === 'gdpr-33-1');
    expect(authority.map((c) => c.status)).toEqual(['not_required']);
    expect(authority[0]?.decision).toMatchObject({ decidedBy: 'cli:demo-counsel (legal)' });
  });
});

describeEachBackend('the demo run twice on one database', (backend) => {
  it('runs again (a server keeps earlier demos, with the same event ids)', async () => {
    const store = await backend.open();
    const sink = await startSmtpSink();
    const dir = await mkdtemp(join(tmpdir(), 'bd-job-twice-'));
    try {
      const run = (sub: string) =>
        runDemo({ store, workDir: join(dir, sub), smtpUrl: sink.url, progress: () => {} });
      const first = await run('first');
      const again = await run('again');

      expect(again).toMatchObject({ stage: 'close', classification: 'crsi', auditVerified: true });
      expect(again.investigationId).not.toBe(first.investigationId);
    } finally {
      await sink.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
