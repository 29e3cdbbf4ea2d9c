/**
 * An outbox worker in a process of its own, for the multi-worker and crash tests:
 * `node --import tsx test/support/worker-child.ts`. It reads DATABASE_URL, SMTP_URL and
 * BD_LEASE_MS, prints "ready" once the store is open, waits for "go" on stdin (so that a test
 * can start several at the same moment), delivers until no message is queued or sending,
 * then prints "done <tally as JSON>" and exits 0.
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { inArray, sql } from 'drizzle-orm';
import { createTransport } from '../../src/notify/transport.ts';
import { deliverDue, type DeliveryTally } from '../../src/notify/worker.ts';
import { openStore } from '../../src/store/db.ts';
import { outbox } from '../../src/store/schema.ts';

const databaseUrl = process.env.DATABASE_URL;
const smtpUrl = process.env.SMTP_URL;
if (!databaseUrl || !smtpUrl) {
  process.stderr.write('worker-child needs DATABASE_URL and SMTP_URL\n');
  process.exit(2);
}

const store = await openStore({ databaseUrl });
const transport = createTransport({ smtpUrl, outboxDir: '/nonexistent' });
const leaseMs = Number(process.env.BD_LEASE_MS ?? 60_000);

process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'go') {
      lines.close();
      // An open stdin would keep this process alive after its work is done.
      process.stdin.destroy();
      resolve();
    }
  });
});

const total: DeliveryTally = { sent: 0, failed: 0, retrying: 0, uncertain: 0 };
for (;;) {
  const tally = await deliverDue(store.db, transport, { leaseMs });
  for (const key of Object.keys(total) as (keyof DeliveryTally)[]) total[key] += tally[key];

  // Rows another worker holds (or held, before it was killed) may still come back to us.
  const [open] = await store.db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(inArray(outbox.status, ['queued', 'sending']));
  if (Number(open?.n ?? 0) === 0) break;
  await sleep(50);
}

await transport.close();
await store.close();
process.stdout.write(`done ${JSON.stringify(total)}\n`);
