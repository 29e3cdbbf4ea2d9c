/**
 * Crash safety, for real: worker processes are SIGKILLed at random moments of a fan-out into
 * a real SMTP server, and restarted until the outbox is drained. No notice may be lost, and a
 * message may arrive twice only if it was in flight at a kill; every extra copy then carries
 * the same Message-ID and the possible-duplicate mark, and its row shows a second attempt.
 * PostgreSQL only: the workers are separate processes on one database.
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/log.ts';
import { POSSIBLE_DUPLICATE_HEADER } from '../../src/notify/worker.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { auditLog, outbox } from '../../src/store/schema.ts';
import {
  createPostgresDatabase,
  type ScriptedSink,
  type SeededFanout,
  seedFanout,
  startScriptedSink,
  startWorkerChild,
  tenantsWithTwoContacts,
} from '../support/delivery-fixtures.ts';

const hasPostgres = Boolean(process.env.DATABASE_URL);
if (!hasPostgres) {
  process.stderr.write('crash: DATABASE_URL not set, skipped (worker processes need PostgreSQL)\n');
}

const KILLS = 5;
// Short, so that rows a killed worker held come back quickly; far longer than one send.
const LEASE_MS = 1500;

describe.skipIf(!hasPostgres)('SIGKILL during a fan-out', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let store: Store;
  let sink: ScriptedSink;
  let seeded: SeededFanout;
  /** Messages still queued or sending at the instant of each kill. */
  const openAtKill: number[] = [];

  async function openRows(): Promise<number> {
    const [row] = await store.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(inArray(outbox.status, ['queued', 'sending']));
    return Number(row?.n ?? 0);
  }

  beforeAll(async () => {
    database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database.url });
    seeded = await seedFanout(store.db, tenantsWithTwoContacts(400));
    // Some latency per message, so that a fan-out of 800 lasts a few seconds.
    sink = await startScriptedSink({ delayMs: 8 });
    const env = { databaseUrl: database.url, smtpUrl: sink.url, leaseMs: LEASE_MS };

    const delays: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const worker = await startWorkerChild(env);
      worker.go();
      const delay = 100 + Math.floor(Math.random() * 700);
      delays.push(delay);
      await Promise.race([new Promise((r) => setTimeout(r, delay)), worker.exited]);
      if (!worker.running()) continue;

      openAtKill.push(await openRows());
      worker.kill();
      await worker.exited;
    }
    process.stderr.write(
      `crash: killed after ${delays.join(', ')} ms; open ${openAtKill.join(', ')}\n`,
    );

    const last = await startWorkerChild(env);
    last.go();
    const end = await last.exited;
    if (end.code !== 0) throw new Error(`the last worker ended ${JSON.stringify(end)}`);
    const doubled = [...sink.copies()].filter(([, copies]) => copies.length > 1).length;
    process.stderr.write(`crash: ${doubled} of 800 messages arrived more than once\n`);
  }, 180_000);
  afterAll(async () => {
    await sink?.close();
    await store?.close();
    await database?.drop();
  });

  it('killed workers while messages were still waiting to go out', () => {
    expect(openAtKill.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('loses no notice: every row ends sent', async () => {
    const rows = await store.db.select({ status: outbox.status }).from(outbox);

    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(rows).toHaveLength(800);
  });

  it('gets every message to its own recipient at least once', () => {
    const got = new Set(sink.received.map((r) => `${r.rcptTo} ${r.messageId}`));

    const missing = [...seeded.rows].filter(([email, r]) => !got.has(`${email} ${r.messageId}`));
    expect(missing).toEqual([]);
  });

  it('duplicates only messages attempted again after a kill', async () => {
    const rows = await store.db
      .select({ messageId: outbox.messageId, attempts: outbox.attempts })
      .from(outbox);
    const attempts = new Map(rows.map((r) => [r.messageId, r.attempts]));

    const doubled = [...sink.copies()].filter(([, copies]) => copies.length > 1);
    expect(doubled.filter(([id]) => (attempts.get(id) ?? 0) < 2)).toEqual([]);
  });

  it('marks every extra copy as a possible duplicate of the same Message-ID', () => {
    const unmarked = [...sink.copies()].flatMap(([, copies]) =>
      copies.slice(1).filter((c) => !c.raw.includes(`${POSSIBLE_DUPLICATE_HEADER}:`)),
    );

    expect(unmarked).toEqual([]);
  });

  it('audits a redelivery for every message sent more than once', async () => {
    const redelivered = await store.db
      .select({ data: auditLog.data })
      .from(auditLog)
      .where(eq(auditLog.action, 'notice.redelivery'));
    const audited = new Set(
      redelivered.map((r) => (JSON.parse(r.data) as { messageId: string }).messageId),
    );

    const doubled = [...sink.copies()].filter(([, c]) => c.length > 1).map(([id]) => id);
    expect(doubled.filter((id) => !audited.has(id))).toEqual([]);
  });

  it('keeps the audit chain valid through the kills', async () => {
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
  });
});
