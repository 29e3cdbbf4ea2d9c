/**
 * Three worker processes on one PostgreSQL database deliver one fan-out in parallel into a
 * real SMTP server on loopback, and no message arrives twice (FOR UPDATE SKIP LOCKED).
 * PostgreSQL only: PGlite is an in-process database and cannot be shared by processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryTally } from '../../src/notify/worker.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { outbox } from '../../src/store/schema.ts';
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
  process.stderr.write(
    'worker-parallel: DATABASE_URL not set, skipped (several processes need PostgreSQL)\n',
  );
}

describe.skipIf(!hasPostgres)('three worker processes on one PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let store: Store;
  let sink: ScriptedSink;
  let seeded: SeededFanout;
  const tallies: DeliveryTally[] = [];

  beforeAll(async () => {
    database = await createPostgresDatabase();
    store = await openStore({ databaseUrl: database.url });
    seeded = await seedFanout(store.db, tenantsWithTwoContacts(150));
    // A little latency per message, so that the three really overlap.
    sink = await startScriptedSink({ delayMs: 10 });

    const workers = await Promise.all(
      [1, 2, 3].map(() =>
        startWorkerChild({ databaseUrl: database.url, smtpUrl: sink.url, leaseMs: 60_000 }),
      ),
    );
    for (const w of workers) w.go();
    for (const w of workers) {
      const end = await w.exited;
      if (end.code !== 0 || !end.tally) throw new Error(`worker ended ${JSON.stringify(end)}`);
      tallies.push(end.tally);
    }
  }, 120_000);
  afterAll(async () => {
    await sink?.close();
    await store?.close();
    await database?.drop();
  });

  it('delivers each of the 300 Message-IDs exactly once', () => {
    const counts = [...sink.copies()].map(([id, copies]) => [id, copies.length] as const);

    expect(counts).toHaveLength(300);
    expect(counts.filter(([, n]) => n !== 1)).toEqual([]);
  });

  it('delivers each message to its own recipient', () => {
    const got = sink.received.map((r) => `${r.rcptTo} ${r.messageId}`).sort();

    expect(got).toEqual([...seeded.rows].map(([email, r]) => `${email} ${r.messageId}`).sort());
  });

  it('shares the work between the processes', () => {
    expect(tallies.map((t) => t.sent).reduce((a, b) => a + b, 0)).toBe(300);
    expect(tallies.filter((t) => t.sent > 0).length).toBeGreaterThan(1);
  });

  it('records every message sent at its first attempt', async () => {
    const rows = await store.db
      .select({ status: outbox.status, attempts: outbox.attempts })
      .from(outbox);

    expect(rows.filter((r) => r.status !== 'sent' || r.attempts !== 1)).toEqual([]);
  });
});
