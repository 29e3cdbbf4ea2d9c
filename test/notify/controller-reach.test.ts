/**
 * GDPR Art. 33(2) met by a delivery only while that delivery stands: a notice whose every
 * message bounced reopens the tenant's controller clock even while a follow-up is on its way,
 * and met_at is the first delivery that actually reached someone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor } from '../../src/audit/log.ts';
import { applyBounce } from '../../src/notify/bounces.ts';
import { buildMessageId } from '../../src/notify/message.ts';
import { obligationOutcome } from '../../src/notify/report.ts';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import { iso, type Store } from '../../src/store/db.ts';
import { newId } from '../../src/store/ids.ts';
import { clocks, notices, outbox } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { MAIL_DOMAIN, type SeededFanout, seedFanout } from '../support/delivery-fixtures.ts';

const DPO = 'dpo@kestrel.example';
const CISO = 'ciso@kestrel.example';

/** A DSN reporting `messageId` to `rcpt` as failed (RFC 3464), as a receiving MTA writes it. */
function failedDsn(messageId: string, rcpt: string): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.kestrel.example>',
    'To: bounces@provider.example',
    'Subject: Undelivered Mail Returned to Sender',
    `In-Reply-To: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    '',
    '--R',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.kestrel.example',
    '',
    `Final-Recipient: rfc822; ${rcpt}`,
    'Action: failed',
    'Status: 5.1.1',
    '',
    '--R--',
    '',
  ].join('\r\n');
}

describeEachBackend('controller clock met by a delivery', (backend) => {
  let store: Store;
  let dir: string;
  let seeded: SeededFanout;

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-reach-'));
    seeded = await seedFanout(store.db, [{ id: 'kestrel', contacts: [DPO, CISO] }]);
    await deliver();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function deliver() {
    const transport = createTransport({ smtpUrl: null, outboxDir: dir });
    await deliverDue(store.db, transport).finally(() => transport.close());
  }

  const bounce = (email: string) =>
    applyBounce(store.db, failedDsn(seeded.rows.get(email)?.messageId ?? '', email));

  async function controllerClock() {
    const [row] = await store.db
      .select()
      .from(clocks)
      .where(
        and(eq(clocks.investigationId, seeded.investigationId), eq(clocks.tenantKey, 'kestrel')),
      );
    return row;
  }

  // Phase 2 of the notice, approved, its messages queued but not due (as while held).
  async function pendingFollowUp(): Promise<string> {
    const initial = seeded.noticeIds.get('kestrel') ?? '';
    const [first] = await store.db.select().from(notices).where(eq(notices.id, initial));
    const id = newId();
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 3_600_000).toISOString();
    await store.db.insert(notices).values({
      ...(first as typeof notices.$inferInsert),
      id,
      phase: 2,
      followsNoticeId: initial,
      createdAt: now,
    });
    const rows = await store.db.select().from(outbox).where(eq(outbox.noticeId, initial));
    await store.db.insert(outbox).values(
      rows.map((r) => ({
        ...r,
        id: newId(),
        noticeId: id,
        messageId: buildMessageId(id, r.recipientId, MAIL_DOMAIN),
        status: 'queued',
        attempts: 0,
        sentAt: null,
        lastResponse: null,
        nextAttemptAt: later,
        createdAt: now,
      })),
    );
    return id;
  }

  it('reopens the clock once every contact bounced, with a follow-up still pending', async () => {
    await pendingFollowUp();
    await bounce(DPO);
    await bounce(CISO);

    expect(await controllerClock()).toMatchObject({ status: 'required', metAt: null });
  });

  it('audits the reopening with the time the clock had been met', async () => {
    await pendingFollowUp();
    await bounce(DPO);
    // Met by the delivery to CISO now, if it came after the one to DPO.
    const met = await controllerClock();
    await bounce(CISO);

    const reopened = (await auditEntriesFor(store.db, seeded.investigationId)).filter(
      (e) => e.action === 'clock.reopened',
    );
    expect(
      reopened.map((e) => (JSON.parse(e.data) as { previouslyMetAt: unknown }).previouslyMetAt),
    ).toEqual([[{ clockId: met?.id, metAt: iso(met?.metAt ?? null) }]]);
  });

  it('meets the reopened clock late when the follow-up arrives after the due time', async () => {
    const followUp = await pendingFollowUp();
    await bounce(DPO);
    await bounce(CISO);
    const due = new Date(Date.now() - 60_000).toISOString();
    await store.db.update(clocks).set({ due }).where(eq(clocks.tenantKey, 'kestrel'));
    await store.db
      .update(outbox)
      .set({ nextAttemptAt: new Date().toISOString() })
      .where(eq(outbox.noticeId, followUp));

    await deliver();
    // The clock is met by the first message that reached a breach contact; the follow-up has
    // several recipients, each delivered at its own instant.
    const [sent] = await store.db
      .select({ sentAt: outbox.sentAt })
      .from(outbox)
      .where(and(eq(outbox.noticeId, followUp), eq(outbox.recipientKind, 'breach_contact')))
      .orderBy(asc(outbox.sentAt))
      .limit(1);
    const clock = await controllerClock();
    const view = {
      status: clock?.status ?? '',
      due,
      metAt: iso(clock?.metAt ?? null),
      lateSince: iso(clock?.lateSince ?? null),
    };
    expect(view).toMatchObject({ status: 'met', lateSince: due, metAt: iso(sent?.sentAt ?? null) });
    expect(obligationOutcome(view, new Date())).toBe('met_late');
  });

  it('moves met_at to the delivery that reached someone when the first one bounced', async () => {
    const early = '2026-11-30T10:00:00.000Z';
    const later = '2026-11-30T10:05:00.000Z';
    await store.db.update(outbox).set({ sentAt: early }).where(eq(outbox.recipientEmail, DPO));
    await store.db.update(outbox).set({ sentAt: later }).where(eq(outbox.recipientEmail, CISO));
    await store.db.update(clocks).set({ metAt: early }).where(eq(clocks.tenantKey, 'kestrel'));

    await bounce(DPO);
    expect(iso((await controllerClock())?.metAt ?? null)).toBe(later);
  });
});
