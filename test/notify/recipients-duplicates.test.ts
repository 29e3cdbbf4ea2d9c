/**
 * Contacts stored twice for one address (data from before duplicates were refused) never make
 * one notice reach that address twice: approval queues one message per address, and a later
 * change of the contacts or a resend adds no second one. Real SMTP on loopback.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { approveNotice } from '../../src/notify/approve.ts';
import { resendNotice } from '../../src/notify/recipients.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { breachContacts, outbox } from '../../src/store/schema.ts';
import { removeContact } from '../../src/tenants/contacts.ts';
import { describeEachBackend } from '../support/backends.ts';
import { type ScriptedSink, startScriptedSink } from '../support/delivery-fixtures.ts';
import { declaredInvestigation, manager, noticeOf } from './declared-investigation.ts';

const OLGA = 'olga@hanamori.example';
const KENJI = 'kenji@hanamori.example';
const hanamoriAdmin = { id: 'token:ta', role: 'tenant_admin' as const, tenantId: 'hanamori' };

describeEachBackend('one notice, one copy per address', (b) => {
  let store: Store;
  let db: Db;
  let sink: ScriptedSink;
  let transport: Transport;
  let notice: string;

  beforeEach(async () => {
    store = await b.open();
    db = store.db;
    sink = await startScriptedSink({ behaviour: () => 'accept' });
    transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });
    const id = await declaredInvestigation(db, {
      hanamori: {
        breachContacts: [
          { name: 'Olga Petrova', email: OLGA, language: 'en' },
          { name: 'Kenji Sato', email: KENJI, language: 'en' },
        ],
      },
    });
    notice = (await noticeOf(db, id, 'hanamori', 'tenant')).id;
    // As older data may hold them: the same mailbox twice more, once in another case.
    const legacy: [string, string][] = [
      ['legacy-olga-1', 'Olga@HANAMORI.example'],
      ['legacy-olga-2', OLGA],
    ];
    for (const [id, email] of legacy) {
      await db.insert(breachContacts).values({
        id,
        tenantId: 'hanamori',
        name: 'Olga again',
        email,
        language: 'en',
        createdAt: new Date().toISOString(),
      });
    }
  });
  afterEach(async () => {
    await transport.close();
    await sink.close();
    await store.close();
  });

  const copiesTo = (email: string) =>
    sink.received.filter((r) => r.rcptTo.toLowerCase() === email.toLowerCase());

  it('queues and sends one message per address at approval', async () => {
    expect(await approveNotice(db, manager, notice)).toBe(2);
    await deliverDue(db, transport);

    expect(copiesTo(OLGA)).toHaveLength(1);
    expect(copiesTo(KENJI)).toHaveLength(1);
    const rows = await db.select().from(outbox).where(eq(outbox.noticeId, notice));
    expect(rows.map((r) => r.recipientEmail.toLowerCase()).sort()).toEqual([KENJI, OLGA]);
  });

  it('adds no second copy when the contact it went to is removed, nor on resend', async () => {
    await approveNotice(db, manager, notice);
    const [row] = (await db.select().from(outbox).where(eq(outbox.noticeId, notice))).filter(
      (r) => r.recipientEmail.toLowerCase() === OLGA,
    );
    await removeContact(db, hanamoriAdmin, 'hanamori', row?.recipientId ?? '');
    await deliverDue(db, transport);

    await expect(resendNotice(db, manager, notice)).rejects.toMatchObject({
      code: 'BD_NOTICE_NO_RECIPIENTS',
    });
    await deliverDue(db, transport);
    expect(copiesTo(OLGA)).toHaveLength(1);
    expect(copiesTo(KENJI)).toHaveLength(1);
  });
});
