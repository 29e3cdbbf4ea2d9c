/**
 * A notice goes to the tenant's breach contacts as they are when it is sent, not as they were
 * when it was approved (review 19, items 5 and 3): a contact removed while the notice waits
 * (held, or retrying) receives nothing, a contact added meanwhile receives one copy, and a
 * notice that reached nobody goes to a contact added later. Real SMTP on loopback.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditEntriesFor, verifyAuditLog } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import { approveHold, releaseHold, requestHold } from '../../src/notify/holds.ts';
import { buildMessageId } from '../../src/notify/message.ts';
import { createFollowUp } from '../../src/notify/phases.ts';
import { notificationState } from '../../src/notify/reachability.ts';
import { resendNotice } from '../../src/notify/recipients.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { breachContacts, clocks, notices, outbox, staffAlerts } from '../../src/store/schema.ts';
import { addContact, removeContact } from '../../src/tenants/contacts.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { describeEachBackend } from '../support/backends.ts';
import {
  MAIL_DOMAIN,
  type ScriptedSink,
  type SinkBehaviour,
  startScriptedSink,
} from '../support/delivery-fixtures.ts';
import { buildTenant, snapshot } from '../support/factories.ts';
import { startTestServer } from '../support/server.ts';
import { declaredInvestigation, manager, noticeOf } from './declared-investigation.ts';

const DAY = 86_400_000;
const lea = cliActor('legal', 'lea');
const eve = cliActor('executive_incident_manager', 'eve');
const hanamoriAdmin = {
  id: 'token:ta-hanamori',
  role: 'tenant_admin' as const,
  tenantId: 'hanamori',
};
const OLGA = 'olga@hanamori.example';
const KENJI = 'kenji@hanamori.example';
const NEWDPO = 'newdpo@hanamori.example';

const hanamori = {
  breachContacts: [
    { name: 'Olga Petrova', email: OLGA, language: 'en' },
    { name: 'Kenji Sato', email: KENJI, language: 'en' },
  ],
};

/** A sink, a transport into it, and a declared investigation with hanamori and globex. */
function setup(backendOpen: () => Promise<Store>) {
  const ctx = {} as {
    store: Store;
    db: Db;
    sink: ScriptedSink;
    transport: Transport;
    id: string;
    /** hanamori's notice to its breach contacts. */
    notice: string;
    script: Map<string, SinkBehaviour>;
  };
  beforeEach(async () => {
    ctx.store = await backendOpen();
    ctx.db = ctx.store.db;
    ctx.script = new Map();
    ctx.sink = await startScriptedSink({ behaviour: (r) => ctx.script.get(r) ?? 'accept' });
    ctx.transport = createTransport({ smtpUrl: ctx.sink.url, outboxDir: '/nonexistent' });
    ctx.id = await declaredInvestigation(ctx.db, { hanamori, globex: {} });
    ctx.notice = (await noticeOf(ctx.db, ctx.id, 'hanamori', 'tenant')).id;
  });
  afterEach(async () => {
    await ctx.transport.close();
    await ctx.sink.close();
    await ctx.store.close();
  });
  return ctx;
}

function validHold() {
  return {
    ground: 'risk_to_other_customers',
    reason: 'the adversary still reads the mailbox of one contact',
    reviewAt: new Date(Date.now() + 7 * DAY).toISOString(),
  };
}

async function contactId(db: Db, email: string): Promise<string> {
  const [c] = await db.select().from(breachContacts).where(eq(breachContacts.email, email));
  if (!c) throw new Error(`no contact ${email}`);
  return c.id;
}

describeEachBackend('recipients resolved when the notice is sent (review 19, item 5)', (b) => {
  const ctx = setup(() => b.open());

  /** Copies the sink received per address. */
  const copiesTo = (email: string) => ctx.sink.received.filter((r) => r.rcptTo === email);

  async function holdAndApprove(): Promise<string> {
    const hold = await requestHold(ctx.db, manager, ctx.notice, validHold());
    await approveHold(ctx.db, lea, hold.id);
    await approveHold(ctx.db, eve, hold.id);
    await approveNotice(ctx.db, manager, ctx.notice);
    await deliverDue(ctx.db, ctx.transport);
    return hold.id;
  }

  async function release(holdId: string): Promise<void> {
    await releaseHold(ctx.db, manager, holdId, { reason: 'adversary evicted' });
    await deliverDue(ctx.db, ctx.transport);
    await deliverDue(ctx.db, ctx.transport);
  }

  it('sends nothing to a contact removed while the notice was held', async () => {
    const holdId = await holdAndApprove();

    await removeContact(ctx.db, hanamoriAdmin, 'hanamori', await contactId(ctx.db, OLGA));
    await release(holdId);

    expect(copiesTo(OLGA)).toEqual([]);
    expect(copiesTo(KENJI)).toHaveLength(1);
  });

  it('sends exactly one copy to a contact added while the notice was held', async () => {
    const holdId = await holdAndApprove();

    const added = await addContact(ctx.db, hanamoriAdmin, 'hanamori', {
      name: 'New DPO',
      email: NEWDPO,
    });
    await release(holdId);

    const got = copiesTo(NEWDPO);
    expect(got).toHaveLength(1);
    expect(got[0]?.messageId).toBe(buildMessageId(ctx.notice, added.id, MAIL_DOMAIN));
  });

  it('replaces a removed contact by an added one, as the reviewer did', async () => {
    const holdId = await holdAndApprove();

    await removeContact(ctx.db, hanamoriAdmin, 'hanamori', await contactId(ctx.db, OLGA));
    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });
    await release(holdId);

    const to = ctx.sink.received.map((r) => r.rcptTo).filter((r) => r.endsWith('hanamori.example'));
    expect(to.sort()).toEqual([KENJI, NEWDPO]);
  });

  it('marks the message to a removed contact withdrawn and audits why', async () => {
    await holdAndApprove();

    await removeContact(ctx.db, hanamoriAdmin, 'hanamori', await contactId(ctx.db, OLGA));

    const [row] = await ctx.db.select().from(outbox).where(eq(outbox.recipientEmail, OLGA));
    expect(row?.status).toBe('withdrawn');
    const entry = (await auditEntriesFor(ctx.db, ctx.id)).find(
      (e) => e.action === 'notice.recipients_updated',
    );
    expect(JSON.parse(entry?.data ?? '{}')).toMatchObject({
      noticeId: ctx.notice,
      reason: expect.stringContaining('removed'),
      withdrawn: [{ email: OLGA }],
      added: [],
    });
    expect(await verifyAuditLog(ctx.db)).toMatchObject({ ok: true });
  });

  it('never resends to a removed contact a message whose worker died mid-send', async () => {
    await approveNotice(ctx.db, manager, ctx.notice);
    // As a SIGKILLed worker leaves it: claimed, attempt 1, lease run out.
    await ctx.db
      .update(outbox)
      .set({
        status: 'sending',
        attempts: 1,
        leaseUntil: new Date(Date.now() - 1000).toISOString(),
      })
      .where(eq(outbox.recipientEmail, OLGA));

    await removeContact(ctx.db, hanamoriAdmin, 'hanamori', await contactId(ctx.db, OLGA));
    await deliverDue(ctx.db, ctx.transport);

    expect(copiesTo(OLGA)).toEqual([]);
    expect(copiesTo(KENJI)).toHaveLength(1);
  });

  it('adds a contact to a notice still retrying, without a second row after repeated changes', async () => {
    ctx.script.set(KENJI, 'defer');
    ctx.script.set(OLGA, 'defer');
    await approveNotice(ctx.db, manager, ctx.notice);
    await deliverDue(ctx.db, ctx.transport);

    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });
    await addContact(ctx.db, hanamoriAdmin, 'hanamori', {
      name: 'Other',
      email: 'x@hanamori.example',
    });
    await removeContact(
      ctx.db,
      hanamoriAdmin,
      'hanamori',
      await contactId(ctx.db, 'x@hanamori.example'),
    );

    const rows = await ctx.db.select().from(outbox).where(eq(outbox.noticeId, ctx.notice));
    expect(rows.filter((r) => r.recipientEmail === NEWDPO)).toHaveLength(1);
    await deliverDue(ctx.db, ctx.transport);
    expect(copiesTo(NEWDPO)).toHaveLength(1);
  });

  it('adds a contact imported while the notice was held', async () => {
    const holdId = await holdAndApprove();

    const t = buildTenant('hanamori', {
      breachContacts: [...hanamori.breachContacts, { name: 'New DPO', email: NEWDPO }],
    });
    await importTenants(ctx.db, { tenants: [t] }, cliActor('admin'));
    await release(holdId);

    expect(copiesTo(NEWDPO)).toHaveLength(1);
  });

  it('leaves a notice that reached the tenant alone when a contact is added later', async () => {
    await approveNotice(ctx.db, manager, ctx.notice);
    await deliverDue(ctx.db, ctx.transport);

    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });
    await deliverDue(ctx.db, ctx.transport);

    expect(copiesTo(NEWDPO)).toEqual([]);
  });

  it('flags the tenant not notified when its last contacts are removed before sending', async () => {
    await holdAndApprove();

    await removeContact(ctx.db, hanamoriAdmin, 'hanamori', await contactId(ctx.db, OLGA));
    await removeContact(ctx.db, hanamoriAdmin, 'hanamori', await contactId(ctx.db, KENJI));

    const state = (await notificationState(ctx.db, ctx.id)).find((s) => s.tenantId === 'hanamori');
    expect(state?.state).toBe('not_notified');
    const alerts = await ctx.db
      .select()
      .from(staffAlerts)
      .where(eq(staffAlerts.dedupKey, `not-notified:${ctx.notice}`));
    expect(alerts).toHaveLength(1);
  });

  it('withdraws over HTTP when the tenant admin deletes a contact', async () => {
    await holdAndApprove();
    const server = await startTestServer(ctx.store, { tenantAdmins: ['hanamori'] });
    try {
      const res = await server.app.inject({
        method: 'DELETE',
        url: `/api/v1/tenants/hanamori/contacts/${await contactId(ctx.db, OLGA)}`,
        headers: server.as('tenant_admin:hanamori'),
      });
      expect(res.statusCode).toBeLessThan(300);
    } finally {
      await server.app.close();
    }

    const [row] = await ctx.db.select().from(outbox).where(eq(outbox.recipientEmail, OLGA));
    expect(row?.status).toBe('withdrawn');
  });
});

describeEachBackend('a notice nobody received (review 19, item 3)', (b) => {
  const ctx = setup(() => b.open());

  async function bounceEveryone(): Promise<void> {
    ctx.script.set(OLGA, 'reject');
    ctx.script.set(KENJI, 'reject');
    await approveNotice(ctx.db, manager, ctx.notice);
    await deliverDue(ctx.db, ctx.transport);
  }

  it('sends the notice to a contact the tenant admin adds afterwards, once', async () => {
    await bounceEveryone();

    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });
    await deliverDue(ctx.db, ctx.transport);
    await deliverDue(ctx.db, ctx.transport);

    expect(ctx.sink.received.filter((r) => r.rcptTo === NEWDPO)).toHaveLength(1);
    const state = (await notificationState(ctx.db, ctx.id)).find((s) => s.tenantId === 'hanamori');
    expect(state?.state).toBe('notified');
  });

  it('meets the controller clock and lets a follow-up be drafted after that delivery', async () => {
    await bounceEveryone();
    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });
    await deliverDue(ctx.db, ctx.transport);

    const [clock] = await ctx.db
      .select()
      .from(clocks)
      .where(and(eq(clocks.regime, 'gdpr-33-2'), eq(clocks.tenantKey, 'hanamori')));
    expect(clock?.metAt).not.toBeNull();
    const next = await createFollowUp(ctx.db, manager, ctx.notice, { what: 'root cause found' });
    expect(next.phase).toBe(2);
  });

  it('does not try the failed addresses again', async () => {
    await bounceEveryone();

    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });
    await deliverDue(ctx.db, ctx.transport);

    const rows = await ctx.db.select().from(outbox).where(eq(outbox.noticeId, ctx.notice));
    expect(rows.map((r) => [r.recipientEmail, r.status, r.attempts]).sort()).toEqual([
      [KENJI, 'failed', 1],
      [NEWDPO, 'sent', 1],
      [OLGA, 'failed', 1],
    ]);
  });

  it('tells the incident manager in the alert how the notice reaches a new contact', async () => {
    await bounceEveryone();

    const [alert] = await ctx.db
      .select()
      .from(staffAlerts)
      .where(eq(staffAlerts.dedupKey, `not-notified:${ctx.notice}`));
    expect(alert?.body).toContain('/api/v1/tenants/hanamori/contacts');
    expect(alert?.body).toContain('goes to it');
    expect(alert?.body).not.toContain('send the notice again');
  });

  it('resends on an incident manager decision only to contacts it has not reached', async () => {
    await bounceEveryone();
    // A contact added by hand in the database, as older versions left them: no message yet.
    await ctx.db.insert(breachContacts).values({
      id: 'legacy-contact',
      tenantId: 'hanamori',
      name: 'Legacy',
      email: NEWDPO,
      createdAt: new Date().toISOString(),
    });

    expect(await resendNotice(ctx.db, manager, ctx.notice)).toBe(1);
    await deliverDue(ctx.db, ctx.transport);

    expect(ctx.sink.received.map((r) => r.rcptTo)).toEqual([NEWDPO]);
    const resent = (await auditEntriesFor(ctx.db, ctx.id)).find(
      (e) => e.action === 'notice.resent',
    );
    expect(JSON.parse(resent?.data ?? '{}')).toMatchObject({ added: [{ email: NEWDPO }] });
  });

  it('refuses a resend when every contact already has the notice, changing nothing', async () => {
    await bounceEveryone();
    const before = await snapshot(ctx.db);

    await expect(resendNotice(ctx.db, manager, ctx.notice)).rejects.toMatchObject({
      code: 'BD_NOTICE_NO_RECIPIENTS',
    });
    expect(await snapshot(ctx.db)).toEqual(before);
  });

  it('refuses a resend by a responder and of a draft', async () => {
    const responder = cliActor('responder', 'rita');
    const draft = (await noticeOf(ctx.db, ctx.id, 'globex', 'tenant')).id;

    await expect(resendNotice(ctx.db, responder, ctx.notice)).rejects.toMatchObject({
      code: 'BD_AUTH_FORBIDDEN',
    });
    await expect(resendNotice(ctx.db, manager, draft)).rejects.toMatchObject({
      code: 'BD_NOTICE_INVALID_STATE',
    });
  });

  it('resends over HTTP for an incident manager and refuses an auditor', async () => {
    await bounceEveryone();
    await ctx.db.insert(breachContacts).values({
      id: 'legacy-contact',
      tenantId: 'hanamori',
      name: 'Legacy',
      email: NEWDPO,
      createdAt: new Date().toISOString(),
    });
    const server = await startTestServer(ctx.store);
    try {
      const url = `/api/v1/notices/${ctx.notice}/resend`;
      const auditor = await server.app.inject({
        method: 'POST',
        url,
        headers: server.as('auditor'),
      });
      const im = await server.app.inject({
        method: 'POST',
        url,
        headers: server.as('incident_manager'),
      });

      expect(auditor.statusCode).toBe(403);
      expect(im.json()).toEqual({ queued: 1 });
    } finally {
      await server.app.close();
    }
  });

  it('keeps the notice rows of other tenants untouched', async () => {
    await bounceEveryone();
    const globex = (await noticeOf(ctx.db, ctx.id, 'globex', 'tenant')).id;

    await addContact(ctx.db, hanamoriAdmin, 'hanamori', { name: 'New DPO', email: NEWDPO });

    expect(await ctx.db.select().from(outbox).where(eq(outbox.noticeId, globex))).toEqual([]);
    expect((await ctx.db.select().from(notices).where(eq(notices.id, globex)))[0]?.status).toBe(
      'draft',
    );
  });
});
