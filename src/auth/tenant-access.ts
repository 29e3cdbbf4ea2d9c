/**
 * The I/O half of object-level checks: loads what the pure policy needs to decide whether an
 * object is within the actor's reach (the tenants an account-team member serves), then asks
 * it. Services call assertObjectAccess after loading the object they were asked for.
 */
import { eq, sql } from 'drizzle-orm';
import type { Conn } from '../store/db.ts';
import { accountTeam } from '../store/schema.ts';
import type { Actor } from './actor.ts';
import { type Action, assertCan, type ObjectKind, type Ownership, scopeOf } from './policy.ts';

// An e-mail address after the actor id's prefix (`token:am-acme@provider.example`).
const EMAIL_IN_ID = /^[a-z_]+:([^\s@:]+@[^\s@:]+\.[^\s@:]+)$/i;

/**
 * The tenants an account-team actor serves: those whose account-team list (the tenants file)
 * names the e-mail address the actor is known by. An account-team token is labelled with that
 * address; a token labelled otherwise serves no tenant.
 */
export async function servedTenants(conn: Conn, actor: Actor): Promise<string[]> {
  const email = EMAIL_IN_ID.exec(actor.id)?.[1];
  if (email === undefined) return [];

  const rows = await conn
    .selectDistinct({ tenantId: accountTeam.tenantId })
    .from(accountTeam)
    .where(eq(sql`lower(${accountTeam.email})`, email.toLowerCase()));
  return rows.map((r) => r.tenantId);
}

/** Refuses unless the actor may do the action to this object (see assertCan). */
export async function assertObjectAccess(
  conn: Conn,
  actor: Actor,
  action: Action,
  object: { kind: ObjectKind; id: string },
  owner: Ownership,
): Promise<void> {
  const served =
    scopeOf(actor, action) === 'served_tenants' ? await servedTenants(conn, actor) : [];
  assertCan(actor, action, { object, owner, served });
}
