/**
 * Changing the deployment's role deliberately (`breachdesk settings set deployment-role`):
 * the one way the stored role (deployment-role.ts) moves once obligations were computed.
 */
import { and, asc, inArray, ne } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { parseOrFail } from '../domain/validate.ts';
import type { Db, Tx } from '../store/db.ts';
import { clocks, investigations, settings } from '../store/schema.ts';
import { ensureClocks } from './clocks.ts';
import {
  DEPLOYMENT_ROLE_KEY,
  roleFromEnvironment,
  storedDeploymentRole,
} from './deployment-role.ts';

const changeSchema = z.object({
  role: z.enum(['processor', 'controller']),
  reason: z.string().trim().min(10, 'say why the role changes, in a sentence').max(4000),
});

/**
 * Changes the stored role (admin only), audited with its reason, and recomputes at once the
 * obligations of every open investigation that has any: duties the new role brings are
 * opened "to decide", and open duties it no longer brings are decided "not required", saying
 * why. Met and hand-decided obligations stay as they are.
 */
export async function setDeploymentRole(db: Db, actor: Actor, input: unknown) {
  assertCan(actor, 'settings.write');
  const body = parseOrFail(changeSchema, input, 'BD_REQUEST_INVALID');
  // This process recomputes the obligations, so its own environment must agree.
  const env = roleFromEnvironment();
  if (env !== null && env !== body.role) {
    fail(
      'BD_CONFIG_INVALID',
      `BREACHDESK_DEPLOYMENT_ROLE is ${env}; unset it or set it to ${body.role}`,
      'BREACHDESK_DEPLOYMENT_ROLE',
    );
  }

  return db.transaction(async (tx) => {
    const previous = await storedDeploymentRole(tx);
    await tx
      .insert(settings)
      .values({ key: DEPLOYMENT_ROLE_KEY, value: body.role })
      .onConflictDoUpdate({ target: settings.key, set: { value: body.role } });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'settings.deployment_role_changed',
      entityType: 'settings',
      entityId: DEPLOYMENT_ROLE_KEY,
      data: { role: body.role, previous, reason: body.reason },
    });

    const open = await openInvestigationsWithObligations(tx);
    for (const id of open) await ensureClocks(tx, id, actor);
    return { role: body.role, previous, recomputed: open.length };
  });
}

// Locked in one statement, in id order, so that no writer changes them meanwhile.
async function openInvestigationsWithObligations(tx: Tx): Promise<string[]> {
  const withClocks = tx.select({ id: clocks.investigationId }).from(clocks);
  const rows = await tx
    .select({ id: investigations.id })
    .from(investigations)
    .where(and(ne(investigations.stage, 'close'), inArray(investigations.id, withClocks)))
    .orderBy(asc(investigations.id))
    .for('update');
  return rows.map((r) => r.id);
}
