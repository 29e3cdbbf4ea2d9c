/**
 * `demo --serve`: after the demo, the console on a loopback port with the demo's data, and one
 * account per kind of console user, each with a password made for this run and printed once.
 * The server delivers its own outbox (the embedded database is one process's), and scoping
 * from the console may read the demo's own scenario logs. Nothing here is meant for a real
 * deployment.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { asc, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { addPerson } from '../auth/people.ts';
import { fail } from '../domain/errors.ts';
import { createTransport } from '../notify/transport.ts';
import { workerPass } from '../notify/worker-pass.ts';
import type { Store } from '../store/db.ts';
import { notices } from '../store/schema.ts';

const HOST = '127.0.0.1';

export interface DemoAccount {
  role: string;
  email: string;
  password: string;
  tenantId: string | null;
}

/**
 * Refuses a port that is taken before the demo runs, rather than after it (port 0 is always
 * free). The port could still be taken in between; listen() then fails with the same words.
 */
export async function assertPortFree(port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, HOST, resolve);
    });
  } catch (error) {
    portRefused(port, error);
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}

function portRefused(port: number, error: unknown): never {
  const code = (error as { code?: string }).code ?? String(error);
  fail(
    'BD_CONFIG_INVALID',
    `cannot listen on ${HOST}:${port} (${code}); pick another --port`,
    'port',
  );
}

/** Accounts for the console: a responder, an incident manager, an auditor, a tenant admin. */
export async function addDemoAccounts(store: Store, investigationId: string) {
  const [notified] = await store.db
    .selectDistinct({ tenantId: notices.tenantId })
    .from(notices)
    .where(eq(notices.investigationId, investigationId))
    .orderBy(asc(notices.tenantId))
    .limit(1);

  const wanted: Omit<DemoAccount, 'password'>[] = [
    { role: 'responder', email: 'responder@demo.example', tenantId: null },
    { role: 'incident_manager', email: 'manager@demo.example', tenantId: null },
    { role: 'auditor', email: 'auditor@demo.example', tenantId: null },
  ];
  if (notified) {
    wanted.push({ role: 'tenant_admin', email: 'admin@tenant.example', ...notified });
  }

  const accounts: DemoAccount[] = [];
  for (const want of wanted) {
    const password = randomBytes(12).toString('base64url');
    await addPerson(store.db, {
      email: want.email,
      displayName: `Demo ${want.role.replaceAll('_', ' ')}`,
      role: want.role,
      tenantId: want.tenantId,
      password,
      by: 'demo',
    });
    accounts.push({ ...want, password });
  }
  return accounts;
}

export interface ServeDemoOptions {
  port: number;
  /** The demo's folder: the outbox goes to <dir>/outbox, scoping may read <dir>/scenario. */
  dir: string;
  smtpUrl: string | null;
  log: Logger;
  ready: (url: string) => void;
}

/** Serves the API and console, and delivers the outbox every 2 s, until SIGINT/SIGTERM. */
export async function serveDemo(store: Store, opts: ServeDemoOptions): Promise<void> {
  // The console's "Run scoping" reads only folders named here; the demo's logs qualify.
  process.env.BREACHDESK_LOG_ROOTS ??= join(opts.dir, 'scenario');

  const { buildServer } = await import('../http/server.ts');
  const app = await buildServer({ store, logger: opts.log, signIn: { plainHttpCookies: true } });
  const url = await app.listen({ host: HOST, port: opts.port }).catch((error: unknown) => {
    return portRefused(opts.port, error);
  });

  const transport = createTransport({ smtpUrl: opts.smtpUrl, outboxDir: join(opts.dir, 'outbox') });
  const stopping = new AbortController();
  const deliveries = (async () => {
    while (!stopping.signal.aborted) {
      await workerPass(store, transport, { log: opts.log, consoleUrl: url });
      await sleep(2000, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  opts.ready(url);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  stopping.abort();
  await app.close();
  await deliveries;
  await transport.close();
}
