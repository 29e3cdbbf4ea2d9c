/**
 * Notification fan-out: N tenants with two breach contacts each and an approved notice per
 * tenant, delivered by the real outbox worker (claim, send, record, one audit entry per
 * message, controller clocks met) into a real smtp-server on loopback. Baseline, in the same
 * run: the same pooled nodemailer transport sending the same pre-rendered messages straight
 * to the same server, with no database at all. The SMTP server runs in a child process, as a
 * real one would be elsewhere. PGlite by default; PostgreSQL when DATABASE_URL is set (a
 * fresh database per round, dropped afterwards).
 *
 * This file is also the child: with BD_BENCH_SINK=1 it runs the SMTP server and answers
 * counts over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { NOTICE_HEADER, buildMessageId, type OutgoingMessage } from '../src/notify/message.ts';
import { createTransport } from '../src/notify/transport.ts';
import { deliverDue } from '../src/notify/worker.ts';
import type { Store } from '../src/store/db.ts';
import { freshStore } from './fresh-store.ts';
import { newId } from '../src/store/ids.ts';
import {
  breachContacts,
  clocks,
  investigations,
  notices,
  outbox,
  tenants,
} from '../src/store/schema.ts';
import type { BenchResult } from './run.ts';

const DOMAIN = 'breachdesk.invalid';
const FROM = { name: 'Breachdesk security response', address: `breachdesk@${DOMAIN}` };

interface SinkStats {
  count: number;
  unique: number;
  cpuSeconds: number;
}

// ---- the SMTP server child ----------------------------------------------------------------

function runSink(): void {
  let count = 0;
  const ids = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      // Only the header block is kept, to read the Message-ID; the body is counted and dropped.
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192 && !head.includes('\r\n\r\n')) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        count += 1;
        const id = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(head)?.[1];
        if (id) ids.add(id);
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.server.address() as AddressInfo).port });
  });
  process.on('message', (m: unknown) => {
    if (m === 'reset') {
      count = 0;
      ids.clear();
      process.send?.({ ok: true });
    } else if (m === 'stats') {
      const cpu = process.cpuUsage();
      const stats: SinkStats = {
        count,
        unique: ids.size,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      };
      process.send?.(stats);
    } else if (m === 'stop') {
      server.close(() => process.exit(0));
    }
  });
}

if (process.env.BD_BENCH_SINK === '1') runSink();

interface Sink {
  url: string;
  ask<T>(command: 'reset' | 'stats'): Promise<T>;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BD_BENCH_SINK: '1' },
    execArgv: ['--import', 'tsx'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('error', reject);
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    ask: <T>(command: 'reset' | 'stats') =>
      new Promise<T>((resolve) => {
        child.once('message', (m) => resolve(m as T));
        child.send(command);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

// ---- data ---------------------------------------------------------------------------------

function noticeBody(tenantName: string): string {
  // The length and shape of a rendered GDPR Art. 33(3) notice (about 2 KB).
  return [
    `Dear ${tenantName} privacy team,`,
    '',
    'This is a notification of a personal data breach under Article 33(2) GDPR, sent to you',
    'as the controller of the data we process on your behalf.',
    '',
    'Nature of the breach: unauthorised access to objects in your storage locations by a',
    'third party using credentials stolen from one of our export workers. The access was',
    'detected by our intrusion detection system and confirmed from the access logs.',
    '',
    'Categories of data concerned: customer contact details; order history.',
    'Approximate number of data subjects concerned: 1,240.',
    'Approximate number of records concerned: 3,911.',
    'First access: 2026-11-30T06:12:09Z. Last access: 2026-11-30T08:14:55Z.',
    '',
    'Likely consequences: data read by an unauthorised party may be disclosed or misused;',
    'the affected records should be reviewed for personal data and for credentials that',
    'need rotating.',
    '',
    'Measures taken or proposed: the credentials used were revoked and the access path',
    'closed. The investigation continues; a follow-up notice will carry its findings.',
    '',
    'Contact point: Security Response Team <security@breachdesk.invalid>.',
    '',
    'Reference: INV-1. Please quote it in any reply.',
  ].join('\n');
}

interface Seeded {
  messages: OutgoingMessage[];
}

/** Inserts the tenants, contacts, investigation, clocks, approved notices and outbox rows. */
export async function seed(store: Store, tenantCount: number): Promise<Seeded> {
  const db = store.db;
  const now = new Date().toISOString();
  const due = new Date(Date.now() + 24 * 3_600_000).toISOString();
  const investigationId = newId();
  await db.insert(investigations).values({
    id: investigationId,
    title: 'bench: exfiltration through a stolen instance role',
    stage: 'diagnose',
    sourceKind: 'bench',
    fingerprint: 'bench',
    firstSeen: now,
    lastSeen: now,
    severity: 'high',
    classification: 'crsi',
    awareAt: now,
    declaredAt: now,
    openedAt: now,
    updatedAt: now,
  });

  const messages: OutgoingMessage[] = [];
  const CHUNK = 500;
  for (let start = 0; start < tenantCount; start += CHUNK) {
    const ids = Array.from(
      { length: Math.min(CHUNK, tenantCount - start) },
      (_, i) => `t${String(start + i).padStart(6, '0')}`,
    );
    const rows = ids.map((id) => ({
      tenant: { id, name: `Tenant ${id} GmbH`, createdAt: now },
      contacts: [0, 1].map((k) => ({
        id: newId(),
        tenantId: id,
        name: `Privacy Officer ${k + 1} of ${id}`,
        email: `dpo${k + 1}@${id}.example`,
        createdAt: now,
      })),
      noticeId: newId(),
    }));

    await db.transaction(async (tx) => {
      await tx.insert(tenants).values(rows.map((r) => r.tenant));
      await tx.insert(breachContacts).values(rows.flatMap((r) => r.contacts));
      await tx.insert(clocks).values(
        rows.map((r) => ({
          id: newId(),
          investigationId,
          regime: 'gdpr-33-2',
          filing: 'controller',
          tenantKey: r.tenant.id,
          startsAt: now,
          due,
          source: 'GDPR Art. 33(2)',
        })),
      );
      await tx.insert(notices).values(
        rows.map((r) => {
          const body = noticeBody(r.tenant.name);
          return {
            id: r.noticeId,
            investigationId,
            tenantId: r.tenant.id,
            audience: 'tenant',
            status: 'approved',
            subject: `[INV-1] Personal data breach notification for ${r.tenant.name}`,
            body,
            bodySha256: '0'.repeat(64),
            facts: {},
            exercise: false,
            createdAt: now,
            approvedBy: 'bench',
            approvedAt: now,
          };
        }),
      );
      await tx.insert(outbox).values(
        rows.flatMap((r) =>
          r.contacts.map((c) => ({
            id: newId(),
            noticeId: r.noticeId,
            tenantId: r.tenant.id,
            recipientKind: 'breach_contact',
            recipientId: c.id,
            recipientName: c.name,
            recipientEmail: c.email,
            messageId: buildMessageId(r.noticeId, c.id, DOMAIN),
            status: 'queued',
            nextAttemptAt: now,
            createdAt: now,
          })),
        ),
      );
    });

    // The baseline's copies: the same text, other Message-IDs (the sink counts ids).
    for (const r of rows) {
      for (const c of r.contacts) {
        messages.push({
          messageId: buildMessageId(r.noticeId, `baseline:${c.id}`, DOMAIN),
          from: FROM,
          to: { name: c.name, address: c.email },
          subject: `[INV-1] Personal data breach notification for ${r.tenant.name}`,
          text: noticeBody(r.tenant.name),
          headers: { [NOTICE_HEADER]: r.noticeId },
        });
      }
    }
  }
  return { messages };
}

/** A fresh store: PGlite in memory, or a new database on the DATABASE_URL server. */
// ---- the two measurements -----------------------------------------------------------------

async function expectDelivered(sink: Sink, want: number, what: string): Promise<void> {
  const stats = await sink.ask<SinkStats>('stats');
  if (stats.count !== want || stats.unique !== want) {
    throw new Error(`${what}: sink got ${stats.count} messages, ${stats.unique} ids; want ${want}`);
  }
}

async function product(store: Store, sink: Sink, want: number): Promise<number> {
  await sink.ask('reset');
  const transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });

  const t0 = performance.now();
  const tally = await deliverDue(store.db, transport);
  const seconds = (performance.now() - t0) / 1000;
  await transport.close();

  if (tally.sent !== want) throw new Error(`product: worker sent ${tally.sent}, want ${want}`);
  await expectDelivered(sink, want, 'product');
  const left = await store.db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(sql`${outbox.status} <> 'sent'`);
  if (Number(left[0]?.n) !== 0) throw new Error('product: outbox rows left unsent');
  const met = await store.db
    .select({ n: sql<number>`count(*)::int` })
    .from(clocks)
    .where(and(eq(clocks.regime, 'gdpr-33-2'), isNotNull(clocks.metAt)));
  if (Number(met[0]?.n) !== want / 2) throw new Error('product: a controller clock is not met');
  return want / seconds;
}

async function baseline(messages: OutgoingMessage[], sink: Sink): Promise<number> {
  await sink.ask('reset');
  const transport = createTransport({ smtpUrl: sink.url, outboxDir: '/nonexistent' });

  // Everything handed to the pool at once: nodemailer queues and feeds its connections.
  const t0 = performance.now();
  const results = await Promise.all(messages.map((m) => transport.send(m)));
  const seconds = (performance.now() - t0) / 1000;
  await transport.close();

  if (results.some((r) => r.status !== 'sent')) throw new Error('baseline: a send failed');
  await expectDelivered(sink, messages.length, 'baseline');
  return messages.length / seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function notifyFanoutBench(quick: boolean): Promise<BenchResult> {
  const tenantCount = quick ? 500 : 10_000;
  const rounds = quick ? 5 : 3;
  const backend = process.env.DATABASE_URL ? 'postgresql' : 'pglite';
  console.error(
    `notify-fanout: ${tenantCount} tenants x 2 contacts = ${tenantCount * 2} messages, ` +
      `${rounds} rounds, ${backend}`,
  );

  const sink = await startSink();
  const p: number[] = [];
  const b: number[] = [];
  try {
    // One round first, unmeasured, so that neither side pays for JIT warm-up.
    const warm = await freshStore('bench-fanout');
    try {
      const { messages } = await seed(warm, Math.min(tenantCount, 1000));
      await product(warm, sink, messages.length);
      await baseline(messages, sink);
    } finally {
      await warm.close();
    }

    for (let r = 0; r < rounds; r++) {
      const store = await freshStore('bench-fanout');
      try {
        const t0 = performance.now();
        const { messages } = await seed(store, tenantCount);
        console.error(
          `round ${r + 1}: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );

        // Alternate the order, so that neither side always runs on a warmer process.
        if (r % 2 === 0) {
          p.push(await product(store, sink, messages.length));
          b.push(await baseline(messages, sink));
        } else {
          b.push(await baseline(messages, sink));
          p.push(await product(store, sink, messages.length));
        }
      } finally {
        await store.close();
      }
      console.error(
        `round ${r + 1}: product ${p.at(-1)?.toFixed(0)} messages/s, ` +
          `baseline ${b.at(-1)?.toFixed(0)} messages/s`,
      );
    }
  } finally {
    await sink.stop();
  }

  const productRate = Math.round(median(p));
  const baselineRate = Math.round(median(b));
  return {
    bench: 'notify-fanout',
    unit: 'messages/s',
    product: productRate,
    baseline: baselineRate,
    ratio: Math.round((productRate / baselineRate) * 1000) / 1000,
  };
}
