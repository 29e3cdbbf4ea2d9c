/**
 * A live server on a loopback port for the console's browser tests: a fresh PGlite store,
 * tenants `acme` and `globex`, and one signed-in-able person per role the console serves.
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { buildServer, type BreachdeskApp } from '../../src/http/server.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { seedTenants } from './factories.ts';
import { addTestPerson, PASSWORD } from './sign-in.ts';
import type { OidcSettings } from '../../src/auth/oidc.ts';

export { PASSWORD };

/** The people of a console test, by the role each signs in as. */
export const PEOPLE = {
  responder: 'rita@provider.example',
  incident_manager: 'ines@provider.example',
  executive_incident_manager: 'eve@provider.example',
  legal: 'lee@provider.example',
  auditor: 'otto@provider.example',
  admin: 'ada@provider.example',
  acmeAdmin: 'admin@acme.example',
  globexAdmin: 'admin@globex.example',
} as const;

/** Names shown in the header (and in the screenshots). */
const NAMES: Record<keyof typeof PEOPLE, string> = {
  responder: 'Rita Responder',
  incident_manager: 'Ines Manager',
  executive_incident_manager: 'Eve Executive',
  legal: 'Lee Counsel',
  auditor: 'Otto Auditor',
  admin: 'Ada Admin',
  acmeAdmin: 'Alex (acme admin)',
  globexAdmin: 'Gina (globex admin)',
};

export interface ConsoleServer {
  app: BreachdeskApp;
  store: Store;
  base: string;
  close(): Promise<void>;
}

export async function startConsoleServer(
  options: { port?: number; oidc?: OidcSettings } = {},
): Promise<ConsoleServer> {
  const store = await openStore({ dataDir: 'memory://console' });
  await seedTenants(store.db, ['acme', 'globex']);
  for (const [key, email] of Object.entries(PEOPLE)) {
    const tenantId = key === 'acmeAdmin' ? 'acme' : key === 'globexAdmin' ? 'globex' : null;
    const role = tenantId ? 'tenant_admin' : key;
    const displayName = NAMES[key as keyof typeof PEOPLE];
    await addTestPerson(store.db, { email, role, tenantId, displayName });
  }

  const app = await buildServer({
    store,
    logger: pino({ level: 'silent' }),
    signIn: { plainHttpCookies: true, ...(options.oidc ? { oidc: options.oidc } : {}) },
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    store,
    base,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
