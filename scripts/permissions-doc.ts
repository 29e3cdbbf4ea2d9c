/**
 * Writes docs/permissions.md from the policy (src/auth/policy.ts) and the routes the server
 * registers: one row per action with its routes and what each role may do.
 *
 *   node --import tsx scripts/permissions-doc.ts
 *
 * test/docs/permissions-doc.test.ts renders it again and fails when the file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { format, resolveConfig } from 'prettier';
import { ACTIONS, isPublic, ruleOf, type Scope } from '../src/auth/policy.ts';
import { ROLES } from '../src/domain/types.ts';
import type { RouteDeclaration } from '../src/http/authorize.ts';
import { buildServer } from '../src/http/server.ts';
import { openStore } from '../src/store/db.ts';

export const PERMISSIONS_DOC = fileURLToPath(new URL('../docs/permissions.md', import.meta.url));

const CELL: Record<Scope, string> = {
  all: '✓',
  own_tenant: 'own tenant',
  served_tenants: 'tenants served',
  own_records: 'own',
  own_team: 'own team',
};

const HEADER = `# Permissions

Generated from \`src/auth/policy.ts\` by \`node --import tsx scripts/permissions-doc.ts\`; do not
edit by hand (\`test/docs/permissions-doc.test.ts\` fails when this file is stale, and
\`test/http/route-role-matrix.test.ts\` calls every route as every role and checks it against
the policy).

- ✓: the role may, for every tenant.
- own tenant: only for the tenant its token or account is bound to (tenant admins).
- tenants served: only for tenants whose account-team list (the tenants file) names the e-mail
  address the caller is known by: the label of an account-team token, or the account's e-mail.
- own: only what the caller filed itself.
- own team: only investigations whose current team (docs/postmortems.md) the caller is on, as a
  signed-in person (an API token is on no team); others get 403, and for post-mortems every
  refusal is audited as \`access.denied\`.
- –: refused. Staff get 403; a tenant user gets 404 on a route that names an object, so that
  ids cannot be probed, and so does anyone reaching an object outside their tenants. Those
  404s, and a tenant user's 404 for an id that exists nowhere, are written to the audit log
  as \`access.denied\` (actor, route, object id).
- public: no sign-in needed.

Notices shown outside the response team (tenant admins, account team) are those approved and
addressed to the tenant (the account team also sees its own), and only while the tenant is in
the investigation's latest scoping run: re-scoping changes at once who sees them.
`;

function routesCell(action: string, routes: readonly RouteDeclaration[]): string {
  const names = routes
    .filter((r) => r.actions.includes(action as never))
    .map((r) => `\`${r.method} ${r.url}\``);
  return names.length === 0 ? '(CLI and services only)' : names.join('<br>');
}

/** The document for the routes given (as the server registers them), laid out by prettier. */
export async function renderPermissionsDoc(routes: readonly RouteDeclaration[]): Promise<string> {
  const head = `| action | what | route(s) | ${ROLES.join(' | ')} |`;
  const rule = `| --- | --- | --- | ${ROLES.map(() => '---').join(' | ')} |`;
  const rows = ACTIONS.map((action) => {
    const r = ruleOf(action);
    const cells = ROLES.map((role) => {
      if (isPublic(action)) return 'public';
      const scope = r.roles[role];
      return scope === undefined ? '–' : CELL[scope];
    });
    const where = routesCell(action, routes);
    return `| \`${action}\` | ${r.summary} | ${where} | ${cells.join(' | ')} |`;
  });

  const markdown = `${HEADER}\n${head}\n${rule}\n${rows.join('\n')}\n`;
  const options = await resolveConfig(PERMISSIONS_DOC);
  return format(markdown, { ...options, parser: 'markdown' });
}

/** The routes of a server built on a throw-away in-memory store. */
export async function registeredRoutes(): Promise<readonly RouteDeclaration[]> {
  const store = await openStore({ dataDir: 'memory://permissions-doc' });
  try {
    const app = await buildServer({ store, logger: pino({ level: 'silent' }) });
    const routes = [...app.routeActions];
    await app.close();
    return routes;
  } finally {
    await store.close();
  }
}

async function main() {
  await writeFile(PERMISSIONS_DOC, await renderPermissionsDoc(await registeredRoutes()));
  console.log(`wrote ${PERMISSIONS_DOC}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
