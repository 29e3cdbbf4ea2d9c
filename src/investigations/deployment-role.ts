/**
 * The deployment's role for the affected data (GDPR Art. 4(7)/(8)): processor for its tenants,
 * or controller. Which regimes apply follows from it, so it is a property of the data, kept in
 * the settings table, not of each process's environment: a process started without
 * BREACHDESK_DEPLOYMENT_ROLE must not quietly read the data as a processor's.
 *
 * The first time obligations are computed the role is stored (from BREACHDESK_DEPLOYMENT_ROLE,
 * processor when unset) and audited. Afterwards a process whose variable names another role
 * is refused; the role changes only through setDeploymentRole (`breachdesk settings set
 * deployment-role`, role-change.ts), with a reason, audited, and the open obligations
 * recomputed at once.
 */
import { eq } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import type { DeploymentRole } from '../domain/applicability.ts';
import { fail } from '../domain/errors.ts';
import type { Conn, Tx } from '../store/db.ts';
import { settings } from '../store/schema.ts';

export const DEPLOYMENT_ROLES: readonly DeploymentRole[] = ['processor', 'controller'];
/** Its key in the settings table. */
export const DEPLOYMENT_ROLE_KEY = 'deployment_role';
const KEY = DEPLOYMENT_ROLE_KEY;
const ENV = 'BREACHDESK_DEPLOYMENT_ROLE';
const CHANGE = 'breachdesk settings set deployment-role <role> --reason "…"';

/** The role BREACHDESK_DEPLOYMENT_ROLE names, null when unset; any other value is refused. */
export function roleFromEnvironment(value = process.env[ENV]): DeploymentRole | null {
  if (value === undefined || value === '') return null;
  if (!isRole(value)) {
    fail(
      'BD_CONFIG_INVALID',
      `${ENV} is "${value}"; it must be processor or controller, in lower case`,
      ENV,
    );
  }
  return value;
}

/**
 * The stored role. On first use it stores the environment's role (processor when unset) and
 * audits that; a later process whose environment names another role is refused with
 * BD_CONFIG_INVALID naming the stored role and the command that changes it.
 */
export async function deploymentRole(tx: Tx, actor: Actor): Promise<DeploymentRole> {
  const wanted = roleFromEnvironment();
  const stored = await storedDeploymentRole(tx);
  if (stored !== null) {
    if (wanted !== null && wanted !== stored) {
      fail(
        'BD_CONFIG_INVALID',
        `${ENV} is ${wanted}, but this data was set up with the deployment role ${stored}. ` +
          `Unset ${ENV} (the stored role applies) or change the role deliberately: ${CHANGE}`,
        ENV,
      );
    }
    return stored;
  }

  const role = wanted ?? 'processor';
  const inserted = await tx
    .insert(settings)
    .values({ key: KEY, value: role })
    .onConflictDoNothing()
    .returning({ key: settings.key });
  // Another process stored it first: its value is the one that counts.
  if (inserted.length === 0) return deploymentRole(tx, actor);

  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: 'settings.deployment_role_set',
    entityType: 'settings',
    entityId: KEY,
    data: { role, from: wanted === null ? `default (${ENV} unset)` : ENV },
  });
  return role;
}

/** The stored role, null before obligations were first computed. */
export async function storedDeploymentRole(tx: Conn): Promise<DeploymentRole | null> {
  const [row] = await tx.select().from(settings).where(eq(settings.key, KEY));
  if (!row) return null;
  if (!isRole(row.value)) {
    fail(
      'BD_CONFIG_INVALID',
      `the stored deployment role is "${row.value}"; set it again with ${CHANGE}`,
      KEY,
    );
  }
  return row.value;
}

function isRole(value: string): value is DeploymentRole {
  return (DEPLOYMENT_ROLES as readonly string[]).includes(value);
}
