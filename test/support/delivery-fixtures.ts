/**
 * Fixtures for delivery tests: approved notices with their outbox rows inserted directly (as
 * approveNotice would leave them), a scripted SMTP server on loopback that can accept,
 * refuse, defer, stall or drop each message, and fresh PostgreSQL databases for tests that
 * run workers in child processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { buildMessageId } from '../../src/notify/message.ts';
import type { DeliveryTally } from '../../src/notify/worker.ts';
import type { Db } from '../../src/store/db.ts';
import { newId } from '../../src/store/ids.ts';
import {
  breachContacts,
  clocks,
  investigations,
  notices,
  outbox,
  tenants,
} from '../../src/store/schema.ts';

export const MAIL_DOMAIN = 'breachdesk.invalid';

export interface TenantContacts {
  id: string;
  /** Breach-contact addresses; an empty list makes a tenant with no contact at all. */
  contacts: string[];
}

export interface SeededFanout {
  investigationId: string;
  /** Outbox rows by recipient address. */
  rows: Map<string, { outboxId: string; noticeId: string; messageId: string; tenantId: string }>;
  noticeIds: Map<string, string>;
}

/**
 * An investigation with one approved tenant notice per tenant, a GDPR Art. 33(2) clock per
 * tenant (due in 24 h) and one queued outbox row per breach contact. A tenant without
 * contacts gets a draft notice (approval would refuse it) and no rows.
 */
export async function seedFanout(db: Db, list: TenantContacts[]): Promise<SeededFanout> {
  const now = new Date().toISOString();
  const investigationId = newId();
  await db.insert(investigations).values({
    id: investigationId,
    title: 'delivery test',
    stage: 'diagnose',
    sourceKind: 'test',
    fingerprint: `test-${investigationId}`,
    firstSeen: now,
    lastSeen: now,
    severity: 'high',
    classification: 'crsi',
    awareAt: now,
    declaredAt: now,
    openedAt: now,
    updatedAt: now,
  });

  const rows: SeededFanout['rows'] = new Map();
  const noticeIds = new Map<string, string>();
  for (let i = 0; i < list.length; i += 200) {
    const chunk = list.slice(i, i + 200).map((t) => ({
      ...t,
      noticeId: newId(),
      contactRows: t.contacts.map((email, k) => ({
        id: newId(),
        tenantId: t.id,
        name: `Contact ${k + 1} of ${t.id}`,
        email,
        createdAt: now,
      })),
    }));

    await db.transaction(async (tx) => {
      await tx
        .insert(tenants)
        .values(chunk.map((t) => ({ id: t.id, name: `${t.id} Ltd`, createdAt: now })));
      const contacts = chunk.flatMap((t) => t.contactRows);
      if (contacts.length > 0) await tx.insert(breachContacts).values(contacts);
      await tx.insert(clocks).values(
        chunk.map((t) => ({
          id: newId(),
          investigationId,
          regime: 'gdpr-33-2',
          filing: 'controller',
          tenantKey: t.id,
          startsAt: now,
          due: new Date(Date.now() + 24 * 3_600_000).toISOString(),
          source: 'GDPR Art. 33(2)',
        })),
      );
      await tx.insert(notices).values(
        chunk.map((t) => ({
          id: t.noticeId,
          investigationId,
          tenantId: t.id,
          audience: 'tenant',
          status: t.contacts.length > 0 ? 'approved' : 'draft',
          subject: `Personal data breach notification for ${t.id}`,
          body: `Dear ${t.id},\n\nwe write to notify you of a personal data breach.\n`,
          bodySha256: '0'.repeat(64),
          facts: {},
          exercise: false,
          createdAt: now,
        })),
      );
      const queued = chunk.flatMap((t) =>
        t.contactRows.map((c) => ({
          id: newId(),
          noticeId: t.noticeId,
          tenantId: t.id,
          recipientKind: 'breach_contact',
          recipientId: c.id,
          recipientName: c.name,
          recipientEmail: c.email,
          messageId: buildMessageId(t.noticeId, c.id, MAIL_DOMAIN),
          status: 'queued',
          nextAttemptAt: now,
          createdAt: now,
        })),
      );
      if (queued.length > 0) await tx.insert(outbox).values(queued);
      for (const q of queued) {
        rows.set(q.recipientEmail, {
          outboxId: q.id,
          noticeId: q.noticeId,
          messageId: q.messageId,
          tenantId: q.tenantId,
        });
      }
    });
    for (const t of chunk) noticeIds.set(t.id, t.noticeId);
  }
  return { investigationId, rows, noticeIds };
}

/** `n` tenants `t0001…` with two contacts each, `dpo1@tNNNN.example` and `dpo2@…`. */
export function tenantsWithTwoContacts(n: number): TenantContacts[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `t${String(i + 1).padStart(4, '0')}`;
    return { id, contacts: [`dpo1@${id}.example`, `dpo2@${id}.example`] };
  });
}

/** What the scripted server does with a message to one recipient. */
export type SinkBehaviour =
  | 'accept'
  | 'reject' // 550 at RCPT TO
  | 'defer' // 451 at RCPT TO
  | 'drop'; // accepts the whole message, then closes the connection without the 250

export interface ReceivedCopy {
  /** The envelope sender (MAIL FROM), '' for the null reverse-path. */
  mailFrom: string;
  rcptTo: string;
  messageId: string | null;
  raw: string;
}

export interface ScriptedSink {
  url: string;
  port: number;
  received: ReceivedCopy[];
  /** Copies received per Message-ID. */
  copies(): Map<string, ReceivedCopy[]>;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 whose answer per recipient `behaviour` decides. */
export async function startScriptedSink(
  opts: { behaviour?: (rcpt: string) => SinkBehaviour; delayMs?: number } = {},
): Promise<ScriptedSink> {
  const received: ReceivedCopy[] = [];
  const behaviour = opts.behaviour ?? (() => 'accept');

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const b = behaviour(address.address);
      if (b === 'reject') {
        return callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      }
      if (b === 'defer') {
        return callback(
          Object.assign(new Error('4.2.1 Mailbox busy, try later'), { responseCode: 451 }),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const rcpt = session.envelope.rcptTo.map((r) => r.address);
        const messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? null;
        // Accepted from here on: a real server would now own the message.
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        for (const r of rcpt) received.push({ mailFrom, rcptTo: r, messageId, raw });

        if (rcpt.some((r) => behaviour(r) === 'drop')) {
          dropConnection(session);
          return;
        }
        setTimeout(() => callback(), opts.delayMs ?? 0);
      });
    },
  });

  // smtp-server keeps its connections private; the socket is found through the session id.
  type Connection = { id: string; _socket: { destroy(): void } };
  const connections = (server as unknown as { connections: Set<Connection> }).connections;
  function dropConnection(session: SMTPServerSession): void {
    for (const c of connections) if (c.id === session.id) c._socket.destroy();
  }

  // A client killed mid-session resets its connections; that is the test, not a failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    copies() {
      const out = new Map<string, ReceivedCopy[]>();
      for (const r of received) {
        const key = r.messageId ?? '(none)';
        out.set(key, [...(out.get(key) ?? []), r]);
      }
      return out;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A new, migrated-on-open database on the DATABASE_URL server, and how to drop it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL ?? '';
  const name = `bd_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface WorkerChild {
  pid: number;
  /** Starts delivering (the child waits for this after printing "ready"). */
  go(): void;
  /** SIGKILL: no handler runs, no transaction commits, sockets just close. */
  kill(): void;
  /** Resolves when the process ends; `tally` is set when it finished on its own. */
  exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    tally: DeliveryTally | null;
  }>;
  running(): boolean;
}

const CHILD = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

/** Starts test/support/worker-child.ts with node (not npx) and waits until it is ready. */
export async function startWorkerChild(env: {
  databaseUrl: string;
  smtpUrl: string;
  leaseMs: number;
}): Promise<WorkerChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      SMTP_URL: env.smtpUrl,
      BD_LEASE_MS: String(env.leaseMs),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let tally: DeliveryTally | null = null;
  let done = false;
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));

  const lines = createInterface({ input: child.stdout ?? process.stdin });
  lines.on('line', (line) => {
    if (line === 'ready') ready();
    if (line.startsWith('done ')) tally = JSON.parse(line.slice(5)) as DeliveryTally;
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    tally: DeliveryTally | null;
  }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal, tally });
    });
  });

  await Promise.race([
    isReady,
    exited.then(() => {
      throw new Error('worker child exited before it was ready');
    }),
  ]);
  return {
    pid: child.pid ?? -1,
    go: () => child.stdin?.write('go\n'),
    kill: () => child.kill('SIGKILL'),
    exited,
    running: () => !done,
  };
}
