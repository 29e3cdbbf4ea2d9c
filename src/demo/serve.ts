/**
 * `demo --serve`: after the demo, the console on a loopback port with the demo's data, and one
 * account per kind of console user, each with a password made for this run and printed once.
 * The data folder is the demo's own; nothing here is meant for a real deployment.
 */
import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { addPerson } from '../auth/people.ts';
import type { Store } from '../store/db.ts';
import { notices } from '../store/schema.ts';

export interface DemoAccount {
  role: string;
  email: string;
  password: string;
  tenantId: string | null;
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

/** Serves the API and console until SIGINT/SIGTERM. */
export async function serveDemo(
  store: Store,
  opts: { host: string; port: number; log: Logger; ready: (url: string) => void },
): Promise<void> {
  const { buildServer } = await import('../http/server.ts');
  const app = await buildServer({
    store,
    logger: opts.log,
    signIn: { plainHttpCookies: true },
  });
  const url = await app.listen({ host: opts.host, port: opts.port });
  opts.ready(url);

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
}
