/**
 * The outbox worker against a real SMTP server on loopback that accepts, refuses (550),
 * defers (451) or drops the connection after DATA, per recipient.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { recordFiling } from '../../src/investigations/obligations.ts';
import { notificationState, alertTenantsWithoutContacts } from '../../src/notify/reachability.ts';
import { deliverStaffAlerts } from '../../src/notify/staff-alerts.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import {
  deliverDue,
  MAX_ATTEMPTS,
  POSSIBLE_DUPLICATE_HEADER,
  retryDelayMs,
} from '../../src/notify/worker.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog, clocks, outbox, staffAlerts } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  type ScriptedSink,
  type SinkBehaviour,
  seedFanout,
  startScriptedSink,
  tenantsWithTwoContacts,
} from '../support/delivery-fixtures.ts';

async function rowOf(store: Store, email: string) {
  const [row] = await store.db.select().from(outbox).where(eq(outbox.recipientEmail, email));
  if (!row) throw new Error(`no outbox row for ${email}`);
  return row;
}

async function actions(store: Store): Promise<string[]> {
  const rows = await store.db.select({ action: auditLog.action }).from(auditLog);
  return rows.map((r) => r.action);
}

describeEachBackend('the outbox worker', (backend) => {
  let store: Store;
  let sink: ScriptedSink;
  let transport: Transport;
  const script = new Map<string, SinkBehaviour>();

  beforeEach(async () => {
    store = await backend.open();
    script.clear();
    sink = await startScriptedSink({ behaviour: (rcpt) => script.get(rcpt) ?? 'accept' });
    transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });
  });
  afterEach(async () => {
    await transport.close();
    await sink.close();
    await store.close();
  });

  it('delivers each queued message exactly once, to its own recipient only', async () => {
    const seeded = await seedFanout(store.db, tenantsWithTwoContacts(20));

    const tally = await deliverDue(store.db, transport);

    expect(tally).toEqual({ sent: 40, failed: 0, retrying: 0, uncertain: 0 });
    expect(sink.received.map((r) => `${r.rcptTo} ${r.messageId}`).sort()).toEqual(
      [...seeded.rows].map(([email, r]) => `${email} ${r.messageId}`).sort(),
    );
  });

  it('records one audit entry per delivered message and keeps the chain valid', async () => {
    await seedFanout(store.db, tenantsWithTwoContacts(30));

    await deliverDue(store.db, transport);

    expect((await actions(store)).filter((a) => a === 'notice.delivered')).toHaveLength(60);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
  });

  it("meets each tenant's controller clock at its first delivery", async () => {
    const seeded = await seedFanout(store.db, tenantsWithTwoContacts(3));

    await deliverDue(store.db, transport);

    const rows = await store.db
      .select()
      .from(clocks)
      .where(eq(clocks.investigationId, seeded.investigationId));
    const sent = await store.db.select().from(outbox);
    for (const c of rows) {
      const first = sent
        .filter((o) => o.tenantId === c.tenantKey)
        .map((o) => Date.parse(o.sentAt ?? ''))
        .sort((a, b) => a - b)[0];
      expect(Date.parse(c.metAt ?? '')).toBe(first);
    }
  });

  it('defers a 451 reply and schedules the retry with backoff', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['busy@acme.example'] }]);
    script.set('busy@acme.example', 'defer');
    const before = Date.now();

    const tally = await deliverDue(store.db, transport);

    const row = await rowOf(store, 'busy@acme.example');
    expect(tally.retrying).toBe(1);
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    const wait = Date.parse(row.nextAttemptAt) - before;
    expect(wait).toBeGreaterThanOrEqual(15_000);
    expect(wait).toBeLessThanOrEqual(31_000);
  });

  it('fails a recipient on a 550 reply and alerts the incident manager once', async () => {
    await seedFanout(store.db, [
      { id: 'acme', contacts: ['gone@acme.example', 'dpo@acme.example'] },
    ]);
    script.set('gone@acme.example', 'reject');

    await deliverDue(store.db, transport);
    await deliverDue(store.db, transport);

    const row = await rowOf(store, 'gone@acme.example');
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    const alerts = await store.db.select().from(staffAlerts);
    expect(alerts.map((a) => [a.kind, a.dedupKey])).toEqual([
      ['delivery_failed', `delivery-failed:${row.id}`],
    ]);
  });

  it('flags a tenant not notified when every breach contact fails, and leaves its clock open', async () => {
    const seeded = await seedFanout(store.db, [
      { id: 'acme', contacts: ['a@acme.example', 'b@acme.example'] },
      { id: 'globex', contacts: ['dpo@globex.example'] },
    ]);
    script.set('a@acme.example', 'reject');
    script.set('b@acme.example', 'reject');

    await deliverDue(store.db, transport);

    const states = await notificationState(store.db, seeded.investigationId);
    expect(states.map((s) => [s.tenantId, s.state, s.failedRecipients.length])).toEqual([
      ['acme', 'not_notified', 2],
      ['globex', 'notified', 0],
    ]);
    const alerts = await store.db
      .select()
      .from(staffAlerts)
      .where(eq(staffAlerts.kind, 'not_notified'));
    expect(alerts.map((a) => a.dedupKey)).toEqual([`not-notified:${seeded.noticeIds.get('acme')}`]);
    const [clock] = await store.db.select().from(clocks).where(eq(clocks.tenantKey, 'acme'));
    expect(clock?.metAt).toBeNull();
  });

  it('keeps a clock met by a recorded filing when every breach contact then fails', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['a@acme.example'] }]);
    script.set('a@acme.example', 'reject');
    const [before] = await store.db.select().from(clocks).where(eq(clocks.tenantKey, 'acme'));
    const filedAt = new Date().toISOString();
    await recordFiling(store.db, cliActor('legal', 'lou'), before?.id ?? '', {
      filedAt,
      reference: 'told the DPO of acme by telephone',
    });

    await deliverDue(store.db, transport);

    const [clock] = await store.db.select().from(clocks).where(eq(clocks.tenantKey, 'acme'));
    expect(clock).toMatchObject({ status: 'met' });
    expect(Date.parse(clock?.metAt ?? '')).toBe(Date.parse(filedAt));
  });

  it('counts a tenant notified when one of its two contacts is reached', async () => {
    const seeded = await seedFanout(store.db, [
      { id: 'acme', contacts: ['gone@acme.example', 'dpo@acme.example'] },
    ]);
    script.set('gone@acme.example', 'reject');

    await deliverDue(store.db, transport);

    const [acme] = await notificationState(store.db, seeded.investigationId);
    expect(acme).toMatchObject({
      state: 'notified',
      failedRecipients: [{ email: 'gone@acme.example' }],
    });
    expect(
      await store.db.select().from(staffAlerts).where(eq(staffAlerts.kind, 'not_notified')),
    ).toEqual([]);
  });

  it('reports a tenant pending while its message waits for a retry', async () => {
    const seeded = await seedFanout(store.db, [{ id: 'acme', contacts: ['busy@acme.example'] }]);
    script.set('busy@acme.example', 'defer');

    await deliverDue(store.db, transport);

    expect(await notificationState(store.db, seeded.investigationId)).toEqual([
      { tenantId: 'acme', state: 'pending', failedRecipients: [] },
    ]);
  });

  it('flags a tenant without any breach contact not notified, alerting once', async () => {
    const seeded = await seedFanout(store.db, [{ id: 'lonely', contacts: [] }]);

    const first = await alertTenantsWithoutContacts(store.db);
    const second = await alertTenantsWithoutContacts(store.db);

    expect([first, second]).toEqual([1, 0]);
    expect(await notificationState(store.db, seeded.investigationId)).toEqual([
      { tenantId: 'lonely', state: 'not_notified', failedRecipients: [] },
    ]);
  });

  it('leaves a message whose connection dropped after DATA possibly sent, then resends it marked', async () => {
    const seeded = await seedFanout(store.db, [{ id: 'acme', contacts: ['dpo@acme.example'] }]);
    script.set('dpo@acme.example', 'drop');

    const first = await deliverDue(store.db, transport);
    const held = await rowOf(store, 'dpo@acme.example');
    script.set('dpo@acme.example', 'accept');
    // The retry time has come (the lease of an uncertain attempt ends at its retry time).
    await store.db.update(outbox).set({ leaseUntil: new Date(Date.now() - 1000).toISOString() });
    const second = await deliverDue(store.db, transport);

    expect([first.uncertain, second.sent]).toEqual([1, 1]);
    expect(held).toMatchObject({ status: 'sending', attempts: 1 });
    const copies = sink.copies().get(seeded.rows.get('dpo@acme.example')?.messageId ?? '') ?? [];
    expect(copies.map((c) => c.raw.includes(`${POSSIBLE_DUPLICATE_HEADER}:`))).toEqual([
      false,
      true,
    ]);
  });

  it('audits an uncertain attempt and the redelivery before the new copy is recorded', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['dpo@acme.example'] }]);
    script.set('dpo@acme.example', 'drop');
    await deliverDue(store.db, transport);
    script.set('dpo@acme.example', 'accept');
    await store.db.update(outbox).set({ leaseUntil: new Date(Date.now() - 1000).toISOString() });

    await deliverDue(store.db, transport);

    expect((await actions(store)).filter((a) => a.startsWith('notice.'))).toEqual([
      'notice.delivery_uncertain',
      'notice.redelivery',
      'notice.delivered',
    ]);
  });

  it('treats a refused connection as certainly unsent: a plain retry, no duplicate mark', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['dpo@acme.example'] }]);
    const dead = createTransport({
      smtpUrl: `smtp://127.0.0.1:${await closedPort()}`,
      outboxDir: '/x',
    });

    const tally = await deliverDue(store.db, dead).finally(() => dead.close());

    expect(tally).toEqual({ sent: 0, failed: 0, retrying: 1, uncertain: 0 });
    expect(await rowOf(store, 'dpo@acme.example')).toMatchObject({ status: 'queued' });
  });

  it(`gives up after ${MAX_ATTEMPTS} temporary failures and alerts`, async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['busy@acme.example'] }]);
    script.set('busy@acme.example', 'defer');
    await store.db.update(outbox).set({ attempts: MAX_ATTEMPTS - 1 });

    const tally = await deliverDue(store.db, transport);

    expect(tally.failed).toBe(1);
    expect(await rowOf(store, 'busy@acme.example')).toMatchObject({ status: 'failed' });
  });

  it('does not take a message another worker holds under a live lease', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['dpo@acme.example'] }]);
    await store.db.update(outbox).set({
      status: 'sending',
      attempts: 1,
      leaseUntil: new Date(Date.now() + 60_000).toISOString(),
    });

    const tally = await deliverDue(store.db, transport);

    expect(tally.sent).toBe(0);
    expect(sink.received).toEqual([]);
  });

  it('mails staff alerts to the incident manager address', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['gone@acme.example'] }]);
    script.set('gone@acme.example', 'reject');
    await deliverDue(store.db, transport);

    const tally = await deliverStaffAlerts(store.db, transport, { to: 'im@provider.example' });

    expect(tally).toMatchObject({ sent: 2, failed: 0 });
    expect(sink.received.filter((r) => r.rcptTo === 'im@provider.example')).toHaveLength(2);
    const statuses = await store.db.select({ s: staffAlerts.status }).from(staffAlerts);
    expect(statuses.map((r) => r.s)).toEqual(['sent', 'sent']);
  });

  it('leaves alone a staff alert another worker is sending', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['gone@acme.example'] }]);
    script.set('gone@acme.example', 'reject');
    await deliverDue(store.db, transport);
    await store.db.update(staffAlerts).set({ status: 'sending', sentAt: new Date().toISOString() });

    const tally = await deliverStaffAlerts(store.db, transport, { to: 'im@provider.example' });

    expect(tally.sent).toBe(0);
  });

  it('takes over a staff alert whose sender died long ago', async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['gone@acme.example'] }]);
    script.set('gone@acme.example', 'reject');
    await deliverDue(store.db, transport);
    await store.db
      .update(staffAlerts)
      .set({ status: 'sending', sentAt: new Date(Date.now() - 3_600_000).toISOString() });

    const tally = await deliverStaffAlerts(store.db, transport, { to: 'im@provider.example' });

    expect(tally.sent).toBe(2);
  });

  it("marks staff alerts 'none' when no incident manager address is configured", async () => {
    await seedFanout(store.db, [{ id: 'acme', contacts: ['gone@acme.example'] }]);
    script.set('gone@acme.example', 'reject');
    await deliverDue(store.db, transport);

    const tally = await deliverStaffAlerts(store.db, transport, { to: null });

    expect(tally.unaddressed).toBe(2);
    const rows = await store.db
      .select({ s: staffAlerts.status })
      .from(staffAlerts)
      .where(and(eq(staffAlerts.status, 'none'), sql`true`));
    expect(rows).toHaveLength(2);
  });
});

describe('retry backoff', () => {
  it('waits between half and all of a ceiling that doubles from 30 s', () => {
    expect([retryDelayMs(1, 0), retryDelayMs(1, 1)]).toEqual([15_000, 30_000]);
    expect([retryDelayMs(3, 0), retryDelayMs(3, 1)]).toEqual([60_000, 120_000]);
  });

  it('caps the ceiling at one hour', () => {
    expect(retryDelayMs(20, 1)).toBe(3_600_000);
  });
});

/** A loopback port nothing listens on (free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
