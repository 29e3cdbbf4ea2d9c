/**
 * Which notices people outside the response team see. A tenant admin sees the notices sent to
 * its tenant, an account-team member those sent to or about the tenants it serves; both only
 * once approved, and only while the tenant is in the investigation's latest scoping run, so
 * that re-scoping an investigation changes at once who sees its notices.
 */
import type { Role } from '../domain/types.ts';
import { latestAffectedTenants } from '../scoping/results.ts';
import type { Conn } from '../store/db.ts';
import type { Actor } from './actor.ts';
import type { Ownership } from './policy.ts';
import { scopeOf } from './policy.ts';
import { assertObjectAccess } from './tenant-access.ts';

export interface NoticeFacts {
  id: string;
  investigationId: string;
  tenantId: string;
  audience: string;
  status: string;
}

// Audiences each outside role may read; authority notices stay with the response team.
const AUDIENCES_SEEN: Partial<Record<Role, readonly string[]>> = {
  tenant_admin: ['tenant'],
  account_team: ['tenant', 'account_team'],
};

/** Whose the notice counts as for `role`: its tenant, or nobody while it is not to be shown. */
export function noticeOwnership(n: NoticeFacts, role: Role, tenantScoped: boolean): Ownership {
  const shown =
    n.status !== 'draft' && tenantScoped && (AUDIENCES_SEEN[role] ?? []).includes(n.audience);
  return { tenantIds: shown ? [n.tenantId] : [] };
}

/** Refuses (404, audited over HTTP) a notice the actor may not read. */
export async function assertNoticeReadable(conn: Conn, actor: Actor, n: NoticeFacts) {
  const scope = scopeOf(actor, 'notice.read');
  // Staff read every notice; only outside roles need the scoping run looked up.
  const scoped =
    scope === 'all' ||
    scope === null ||
    (await latestAffectedTenants(conn, n.investigationId)).tenants.some(
      (t) => t.tenantId === n.tenantId,
    );
  const owner = noticeOwnership(n, actor.role, scoped);

  await assertObjectAccess(conn, actor, 'notice.read', { kind: 'notice', id: n.id }, owner);
}
