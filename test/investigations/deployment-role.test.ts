/**
 * The deployment role is kept with the data: stored the first time obligations are computed,
 * used by later processes whatever their environment, and changed only deliberately.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEntriesFor } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import { setDeploymentRole } from '../../src/investigations/role-change.ts';
import { moveStage } from '../../src/investigations/workflow.ts';
import type { Store } from '../../src/store/db.ts';
import { settings } from '../../src/store/schema.ts';
import { importTenants } from '../../src/tenants/import.ts';
import { scope } from '../notify/declared-investigation.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildTenant, openInvestigation } from '../support/factories.ts';

const ENV = 'BREACHDESK_DEPLOYMENT_ROLE';
const responder = cliActor('responder', 'alice');
const admin = cliActor('admin', 'ada');

function setRole(value: string | undefined): void {
  if (value === undefined) delete process.env[ENV];
  else process.env[ENV] = value;
}

describeEachBackend('deployment role', (backend) => {
  let store: Store;
  let id: string;
  const saved = process.env[ENV];

  // An EU telecom tenant: as controller that brings ePrivacy and NIS2, as processor neither.
  beforeEach(async () => {
    store = await backend.open();
    await importTenants(
      store.db,
      { tenants: [buildTenant('acme', { sector: 'telecom' })] },
      cliActor('admin'),
    );
    id = await openInvestigation(store.db);
    await moveStage(store.db, responder, id, { to: 'assess', reason: 'paged' });
    await moveStage(store.db, responder, id, { to: 'diagnose', reason: 'data at risk' });
  });
  afterEach(async () => {
    setRole(saved);
    await store.close();
  });

  const eprivacy = async () =>
    (await listClocks(store.db, id)).find((c) => c.regime === 'eprivacy');

  it('keeps the controller duties when a later process has no role variable', async () => {
    setRole('controller');
    await scope(store.db, id, ['acme']);
    setRole(undefined);
    await scope(store.db, id, ['acme']);

    expect((await eprivacy())?.status).toBe('to_decide');
  });

  it('refuses a process whose variable names another role, naming the stored one', async () => {
    setRole('controller');
    await scope(store.db, id, ['acme']);
    setRole('processor');

    await expect(scope(store.db, id, ['acme'])).rejects.toMatchObject({
      code: 'BD_CONFIG_INVALID',
      message: expect.stringMatching(/role controller.*settings set deployment-role/),
    });
  });

  it('refuses "Controller" instead of reading it as processor', async () => {
    setRole('Controller');

    await expect(scope(store.db, id, ['acme'])).rejects.toMatchObject({
      code: 'BD_CONFIG_INVALID',
      field: ENV,
    });
  });

  it('stores processor the first time when the variable is unset, and audits it', async () => {
    setRole(undefined);
    await scope(store.db, id, ['acme']);

    const [row] = await store.db.select().from(settings).where(eq(settings.key, 'deployment_role'));
    expect(row?.value).toBe('processor');
    expect((await auditEntriesFor(store.db, 'deployment_role')).map((e) => e.action)).toEqual([
      'settings.deployment_role_set',
    ]);
  });

  it("changes the role with a reason, audited, and opens the new role's duties", async () => {
    setRole(undefined);
    await scope(store.db, id, ['acme']);

    await setDeploymentRole(store.db, admin, {
      role: 'controller',
      reason: 'we decide on this data ourselves since the merger',
    });
    expect((await eprivacy())?.status).toBe('to_decide');
    expect((await auditEntriesFor(store.db, 'deployment_role')).at(-1)?.action).toBe(
      'settings.deployment_role_changed',
    );
  });

  it("decides the old role's open duties not required: the regime no longer applies", async () => {
    setRole('controller');
    await scope(store.db, id, ['acme']);
    setRole(undefined);

    await setDeploymentRole(store.db, admin, {
      role: 'processor',
      reason: 'the role was entered wrongly at set-up',
    });
    expect(await eprivacy()).toMatchObject({
      status: 'not_required',
      decision: {
        rationale: expect.stringContaining('no longer applies: deployment role processor'),
      },
    });
  });

  it('refuses a role change without a reason and by anyone but an admin', async () => {
    await expect(
      setDeploymentRole(store.db, admin, { role: 'controller', reason: '' }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'reason' });
    await expect(
      setDeploymentRole(store.db, cliActor('legal', 'lou'), {
        role: 'controller',
        reason: 'we decide on this data ourselves',
      }),
    ).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
  });
});

describe('breachdesk settings (CLI)', () => {
  const BIN = fileURLToPath(new URL('../../bin/breachdesk.js', import.meta.url));
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bd-settings-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('sets the deployment role with a reason and shows it', async () => {
    // An embedded store of its own: no DATABASE_URL, no role from the environment.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith('BREACHDESK_') && k !== 'DATABASE_URL',
      ),
    );
    const run = (...args: string[]) =>
      promisify(execFile)('node', [BIN, '--data-dir', dir, 'settings', ...args], { env });

    await run('set', 'deployment-role', 'controller', '--reason', 'we are the controller here');
    const { stdout } = await run('show');
    expect(JSON.parse(stdout)).toEqual({ deploymentRole: 'controller' });
  });
});
