/**
 * Recipients resolved at sending time survive worker crashes (review 19, item 5): worker
 * processes are SIGKILLed during a fan-out into a real SMTP server while tenants' breach
 * contacts change under held notices and under messages a killed worker left half-sent. A
 * removed contact receives nothing (or, if its message was in flight at the kill, that one
 * copy and never a retry); an added contact receives its own Message-ID, and only copies
 * marked as possible duplicates beyond the first. PostgreSQL only, like crash.test.ts.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { releaseHold } from '../../src/notify/holds.ts';
import { buildMessageId } from '../../src/notify/message.ts';
import { POSSIBLE_DUPLICATE_HEADER } from '../../src/notify/worker.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { breachContacts, holds, outbox } from '../../src/store/schema.ts';
import { newId } from '../../src/store/ids.ts';
import { addContact, removeContact } from '../../src/tenants/contacts.ts';
import {
  createPostgresDatabase,
  MAIL_DOMAIN,
  type ScriptedSink,
  type SeededFanout,
  seedFanout,
  startScriptedSink,
  startWorkerChild,
  type WorkerChild,
  tenantsWithTwoContacts,
} from '../support/delivery-fixtures.ts';

const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres) {
  process.stderr.write('crash-recipients: DATABASE_URL not set, skipped (needs PostgreSQL)\n');
}

const TENANTS = 300;
const HELD = 30;
const LEASE_MS = 1500;
const admin = cliActor('admin', 'ada');
const manager = cliActor('incident_manager', 'ines');

describe.skipIf(!hasPostgres)('contact changes around SIGKILLed workers', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let store: Store;
  let sink: ScriptedSink;
  let seeded: SeededFanout;
  const held = tenantsWithTwoContacts(TENANTS).slice(0, HELD);
  const holdIds: string[] = [];
  /** Contacts removed while their message was 'sending' under a killed worker. */
  const removedMidSend: string[] = [];
  /** Added contacts: address → the Message-ID its message must carry. */
  const added = new Map<string, string>();

  const copiesTo = (email: string) => sink.received.filter((r) => r.rcptTo === email);

  async function holdNotices(): Promise<void> {
    const now = new Date().toISOString();
    const later = new Date(Date.now() + 86_400_000).toISOString();
    for (const t of held) {
      const id = newId();
      holdIds.push(id);
      await store.db.insert(holds).values({
        id,
        noticeId: seeded.noticeIds.get(t.id) ?? '',
        ground: 'risk_to_other_customers',
        reason: 'the adversary still reads one contact mailbox',
        reviewAt: later,
        requestedBy: 'cli:ines (incident_manager)',
        createdAt: now,
        legalApprover: 'cli:lea',
        legalApprovedAt: now,
        executiveApprover: 'cli:eve',
        executiveApprovedAt: now,
      });
    }
  }

  /** Under the holds: dpo1 leaves, new@ joins, while a worker is busy with other tenants. */
  async function changeHeldContacts(): Promise<void> {
    for (const t of held) {
      const [c] = await store.db
        .select()
        .from(breachContacts)
        .where(
          and(eq(breachContacts.tenantId, t.id), eq(breachContacts.email, `dpo1@${t.id}.example`)),
        );
      if (c) await removeContact(store.db, admin, t.id, c.id);
      const email = `new@${t.id}.example`;
      const contact = await addContact(store.db, admin, t.id, { name: 'New DPO', email });
      added.set(email, buildMessageId(seeded.noticeIds.get(t.id) ?? '', contact.id, MAIL_DOMAIN));
    }
  }

  /** Removes the contacts of up to 10 messages a killed worker left 'sending'. */
  async function removeHalfSent(): Promise<void> {
    const rows = await store.db.select().from(outbox).where(eq(outbox.status, 'sending')).limit(10);
    for (const r of rows) {
      await removeContact(store.db, admin, r.tenantId, r.recipientId);
      removedMidSend.push(r.recipientEmail);
    }
  }

  async function runAndKill(
    env: Parameters<typeof startWorkerChild>[0],
    during?: () => Promise<void>,
  ) {
    const worker: WorkerChild = await startWorkerChild(env);
    worker.go();
    const delay = 150 + Math.floor(Math.random() * 500);
    await Promise.all([
      during?.(),
      Promise.race([new Promise((r) => setTimeout(r, delay)), worker.exited]),
    ]);
    if (worker.running()) worker.kill();
    await worker.exited;
  }

  beforeAll(async () => {
    database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database.url });
    seeded = await seedFanout(store.db, tenantsWithTwoContacts(TENANTS));
    await holdNotices();
    sink = await startScriptedSink({ delayMs: 8 });
    const env = { databaseUrl: database.url, smtpUrl: sink.url, leaseMs: LEASE_MS };

    await runAndKill(env);
    await removeHalfSent();
    await runAndKill(env, changeHeldContacts);
    await runAndKill(env, async () => {
      for (const id of holdIds) {
        await releaseHold(store.db, manager, id, { reason: 'adversary evicted' });
      }
    });
    await runAndKill(env);

    const last = await startWorkerChild(env);
    last.go();
    const end = await last.exited;
    if (end.code !== 0) throw new Error(`the last worker ended ${JSON.stringify(end)}`);
  }, 180_000);
  afterAll(async () => {
    await sink?.close();
    await store?.close();
    await database?.drop();
  });

  it('left messages half-sent by a killed worker, whose contacts were then removed', () => {
    expect(removedMidSend.length).toBeGreaterThan(0);
  });

  it('sends nothing to a contact removed while its notice was held', () => {
    const reached = held.filter((t) => copiesTo(`dpo1@${t.id}.example`).length > 0);
    expect(reached.map((t) => t.id)).toEqual([]);
  });

  it('never retries a message whose contact was removed after its worker died', async () => {
    const rows = await store.db
      .select({ email: outbox.recipientEmail, status: outbox.status })
      .from(outbox)
      .where(inArray(outbox.recipientEmail, removedMidSend));

    expect(rows.every((r) => r.status === 'withdrawn')).toBe(true);
    expect(removedMidSend.filter((e) => copiesTo(e).length > 1)).toEqual([]);
  });

  it('gets the notice to each added contact under its own Message-ID', () => {
    const wrong = [...added].filter(([email, messageId]) => {
      const ids = new Set(copiesTo(email).map((c) => c.messageId));
      return ids.size !== 1 || !ids.has(messageId);
    });
    expect(wrong).toEqual([]);
  });

  it('never gives one address two different messages of one notice', () => {
    const ids = new Map<string, Set<string | null>>();
    for (const r of sink.received)
      ids.set(r.rcptTo, (ids.get(r.rcptTo) ?? new Set()).add(r.messageId));

    expect([...ids].filter(([, set]) => set.size > 1)).toEqual([]);
  });

  it('marks every extra copy as a possible duplicate', () => {
    const unmarked = [...sink.copies()].flatMap(([, copies]) =>
      copies.slice(1).filter((c) => !c.raw.includes(`${POSSIBLE_DUPLICATE_HEADER}:`)),
    );
    expect(unmarked).toEqual([]);
  });

  it('ends every message sent or withdrawn, and withdraws only removed contacts', async () => {
    const rows = await store.db.select().from(outbox);
    const removed = new Set([...held.map((t) => `dpo1@${t.id}.example`), ...removedMidSend]);

    expect(rows.filter((r) => r.status !== 'sent' && r.status !== 'withdrawn')).toEqual([]);
    const withdrawn = rows.filter((r) => r.status === 'withdrawn').map((r) => r.recipientEmail);
    expect(withdrawn.sort()).toEqual([...removed].sort());
  });

  it('keeps the audit chain valid', async () => {
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
  });
});
