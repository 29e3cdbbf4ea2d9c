import { pino } from 'pino';
import { createToken } from '../../src/auth/tokens.ts';
import { buildServer, type BreachdeskApp, type ServerOptions } from '../../src/http/server.ts';
import type { Store } from '../../src/store/db.ts';

export interface TestServer {
  app: BreachdeskApp;
  tokens: Record<string, string>;
  /** Authorization header for a role's token. */
  as(role: string): { authorization: string };
}

/** An app on the given store with one token per common role (tenant admins for tenantIds). */
export async function startTestServer(
  store: Store,
  opts: {
    tenantAdmins?: string[];
    bodyLimit?: number;
    /** More server options (rate limits, a logger) over the test defaults. */
    server?: Partial<Omit<ServerOptions, 'store'>>;
  } = {},
): Promise<TestServer> {
  const app = await buildServer({
    store,
    logger: pino({ level: 'silent' }),
    bodyLimit: opts.bodyLimit,
    ...opts.server,
  });
  const tokens: Record<string, string> = {};
  for (const role of ['admin', 'responder', 'incident_manager', 'auditor']) {
    tokens[role] = (await createToken(store.db, { label: role, role, createdBy: 'test' })).token;
  }
  for (const tenantId of opts.tenantAdmins ?? []) {
    const t = await createToken(store.db, {
      label: `ta-${tenantId}`,
      role: 'tenant_admin',
      tenantId,
      createdBy: 'test',
    });
    tokens[`tenant_admin:${tenantId}`] = t.token;
  }

  return {
    app,
    tokens,
    as: (role) => {
      const token = tokens[role];
      if (!token) throw new Error(`no test token for ${role}`);
      return { authorization: `Bearer ${token}` };
    },
  };
}
