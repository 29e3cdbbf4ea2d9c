/**
 * Every registered route, called as every role (and as nobody), answers as the table in
 * docs/permissions.md says: a role the table allows is never refused for its role (401/403;
 * a 400 or 404 for the dummy body and ids is fine), a role it refuses gets 403, or 404 when a
 * tenant user names an object. The table itself is checked against the policy by
 * test/docs/permissions-doc.test.ts.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createToken } from '../../src/auth/tokens.ts';
import { ruleOf } from '../../src/auth/policy.ts';
import { ROLES, type Role } from '../../src/domain/types.ts';
import type { Store } from '../../src/store/db.ts';
import { PERMISSIONS_DOC } from '../../scripts/permissions-doc.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface TableRow {
  routes: string[];
  cells: Record<string, string>;
}

/** docs/permissions.md as action → routes and one cell per role. */
function readTable(): Map<string, TableRow> {
  const cellsOf = (line: string) =>
    line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
  const lines = readFileSync(PERMISSIONS_DOC, 'utf8').split('\n');
  const header = lines.find((l) => /^\| action +\|/.test(l));
  if (header === undefined) throw new Error('docs/permissions.md has no table');
  const columns = cellsOf(header).slice(3);

  const table = new Map<string, TableRow>();
  for (const line of lines.filter((l) => l.startsWith('| `'))) {
    const [action, , routes, ...cells] = cellsOf(line);
    table.set(action?.replaceAll('`', '') ?? '', {
      routes: (routes ?? '').split('<br>').map((r) => r.replaceAll('`', '')),
      cells: Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])),
    });
  }
  return table;
}

const dummyUrl = (url: string) => url.replace(/:(\w+)/g, (_m, name: string) => `no-such-${name}`);

describeEachBackend('every route × every role', (backend) => {
  let store: Store;
  let server: TestServer;
  const headers: Partial<Record<Role, { authorization: string }>> = {};

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store);
    for (const role of ROLES) {
      // The account-team token carries the e-mail the tenants file lists for acme.
      const label = role === 'account_team' ? 'am-acme@provider.example' : `matrix ${role}`;
      const tenantId = role === 'tenant_admin' ? 'acme' : null;
      const { token } = await createToken(store.db, { label, role, tenantId, createdBy: 'test' });
      headers[role] = { authorization: `Bearer ${token}` };
    }
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  it('lists every registered route in docs/permissions.md under its action', () => {
    const table = readTable();
    const missing = server.app.routeActions.flatMap((r) =>
      r.actions
        .filter((a) => !table.get(a)?.routes.includes(`${r.method} ${r.url}`))
        .map((a) => `${r.method} ${r.url} (${a})`),
    );

    expect(missing).toEqual([]);
  });

  it('answers every role on every route as docs/permissions.md says', async () => {
    const table = readTable();
    const mismatches: string[] = [];

    for (const route of server.app.routeActions) {
      const rows = route.actions.map((a) => table.get(a));
      const namesObject =
        route.url.includes(':') && route.actions.some((a) => ruleOf(a).object !== null);
      const open = rows.some((r) => r?.cells[ROLES[0]] === 'public');

      for (const role of [...ROLES, null]) {
        const res = await server.app.inject({
          method: route.method as 'GET',
          url: dummyUrl(route.url),
          headers: role === null ? {} : headers[role],
          ...(route.method === 'POST' ? { payload: {} } : {}),
        });
        const allowed = role === null ? open : rows.some((r) => (r?.cells[role] ?? '–') !== '–');
        const refusal = role === null ? 401 : role === 'tenant_admin' && namesObject ? 404 : 403;

        const ok = allowed ? ![401, 403].includes(res.statusCode) : res.statusCode === refusal;
        if (!ok) {
          const who = role ?? 'nobody';
          mismatches.push(
            `${route.method} ${route.url} as ${who}: ${res.statusCode}, table says ` +
              `${allowed ? 'allowed' : `refused (${refusal})`}`,
          );
        }
      }
    }

    expect(mismatches).toEqual([]);
  });
});
