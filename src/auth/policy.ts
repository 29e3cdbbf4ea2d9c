/**
 * Who may do what. The table (src/auth/policy-table.ts) names one action per thing that can be
 * done, the roles that may do it, and how far each role reaches (every tenant, its own tenant,
 * the tenants it serves as account team, only what it filed itself, or only the investigations
 * whose team it is on); the functions here decide with it. Pure: no I/O. Routes declare their
 * action (src/http/authorize.ts), services check theirs with assertCan, and docs/permissions.md
 * is generated from the table (scripts/permissions-doc.ts).
 */
import { BreachdeskError, type ErrorCode } from '../domain/errors.ts';
import { ROLES } from '../domain/types.ts';
import type { Actor } from './actor.ts';
import {
  type Action,
  type ActionRule,
  type ObjectKind,
  POLICY,
  type Scope,
} from './policy-table.ts';

export {
  ACTIONS,
  type Action,
  type ActionRule,
  type ObjectKind,
  POLICY,
  type Scope,
} from './policy-table.ts';

/** The rule of one action. */
export function ruleOf(action: Action): ActionRule {
  return POLICY[action];
}

/** Whether the action needs no signed-in caller at all. */
export function isPublic(action: Action): boolean {
  return ruleOf(action).public === true;
}

/** Tenant users see only their own tenant and are never told that another's object exists. */
export function isTenantUser(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'tenant_admin';
}

/** How far the actor reaches with the action, or null when its role may not do it at all. */
export function scopeOf(actor: Pick<Actor, 'role'>, action: Action): Scope | null {
  return ruleOf(action).roles[actor.role] ?? null;
}

/** Whether the actor's role may do the action somewhere (object scope is checked apart). */
export function can(actor: Pick<Actor, 'role'>, action: Action): boolean {
  return scopeOf(actor, action) !== null;
}

/**
 * Whose an object is: the tenants it belongs to, for reports who filed it, and for
 * investigations the actor ids (`person:<email>`) of its current team.
 */
export interface Ownership {
  tenantIds: readonly string[];
  actorId?: string | null;
  team?: readonly string[];
}

/**
 * Whether an object owned as given is within the actor's reach. `served` lists the tenants an
 * account-team actor serves (servedTenants in src/auth/tenant-access.ts); other scopes ignore
 * it.
 */
export function inScope(
  actor: Actor,
  action: Action,
  owner: Ownership,
  served: readonly string[] = [],
): boolean {
  const scope = scopeOf(actor, action);
  switch (scope) {
    case null:
      return false;
    case 'all':
      return true;
    case 'own_tenant':
      return actor.tenantId !== null && owner.tenantIds.includes(actor.tenantId);
    case 'served_tenants':
      return owner.tenantIds.some((t) => served.includes(t));
    case 'own_records':
      return owner.actorId !== undefined && owner.actorId === actor.id;
    case 'own_team':
      return owner.team?.includes(actor.id) ?? false;
  }
}

/**
 * A refusal by the policy. A tenant user's refusal on an object, and any refusal for an object
 * outside the actor's reach, is a 404 so that ids cannot be probed; over HTTP those are audited
 * as `access.denied` (src/http/authorize.ts), and so are the 403s of actions marked
 * `auditRefusals`. Staff outside an investigation's team get a 403: the investigation is no
 * secret to them.
 */
export class AccessDenied extends BreachdeskError {
  readonly action: Action;
  readonly objectKind: ObjectKind | null;
  readonly objectId: string | null;

  constructor(
    code: ErrorCode,
    message: string,
    detail: { action: Action; object?: ObjectRef; field?: string },
  ) {
    super(code, message, detail.field);
    this.name = 'AccessDenied';
    this.action = detail.action;
    this.objectKind = detail.object?.kind ?? null;
    this.objectId = detail.object?.id ?? null;
  }
}

export interface AssertOptions {
  /** The object the request names; a tenant user refused is told it does not exist. */
  object?: { kind: ObjectKind; id: string };
  /** Whose the object is: given, the actor's scope is checked against it too. */
  owner?: Ownership;
  /** Tenants an account-team actor serves, when the action's scope needs them. */
  served?: readonly string[];
  /** The input field the refusal is about, when there is one. */
  field?: string;
}

type ObjectRef = { kind: ObjectKind; id: string };

// "role responder may not request a hold; incident_manager, … may"
function forbidden(actor: Actor, actions: readonly Action[], first: Action, opts: AssertOptions) {
  const what = actions.map((a) => ruleOf(a).summary).join(' or ');
  const roles = ROLES.filter((r) => actions.some((a) => ruleOf(a).roles[r] !== undefined));
  const who = roles.length === 0 ? 'no role may' : `${roles.join(', ')} may`;

  return new AccessDenied(
    ruleOf(first).code ?? 'BD_AUTH_FORBIDDEN',
    `role ${actor.role} may not ${what}; ${who}`,
    { action: first, object: opts.object, field: opts.field },
  );
}

// "role investigator may read post-mortems only of investigations whose team they are on; …"
function offTeam(actor: Actor, action: Action, opts: AssertOptions) {
  const rule = ruleOf(action);
  const everywhere = ROLES.filter((r) => rule.roles[r] === 'all');
  return new AccessDenied(
    rule.code ?? 'BD_AUTH_FORBIDDEN',
    `role ${actor.role} may ${rule.summary} only of investigations whose team they are on; ` +
      `${everywhere.join(', ')} may for every investigation`,
    { action, object: opts.object, field: opts.field },
  );
}

function hidden(action: Action, object: ObjectRef) {
  return new AccessDenied('BD_NOT_FOUND', `${object.kind} ${object.id} not found`, {
    action,
    object,
    field: `${object.kind}Id`,
  });
}

/**
 * Refuses unless the actor may do one of the actions (to the object, when its owner is given).
 * Staff lacking the right get the action's 403; tenant users refused on an object, and anyone
 * reaching an object outside their scope, get BD_NOT_FOUND.
 */
export function assertCan(
  actor: Actor,
  action: Action | readonly Action[],
  opts: AssertOptions = {},
): void {
  const actions: readonly Action[] = typeof action === 'string' ? [action] : action;
  const first = actions[0];
  if (first === undefined) throw new Error('assertCan needs at least one action');
  const { object, owner, served } = opts;

  const allowed = actions.find((a) => can(actor, a));
  if (allowed === undefined) {
    throw object && isTenantUser(actor)
      ? hidden(first, object)
      : forbidden(actor, actions, first, opts);
  }

  if (owner && !actions.some((a) => inScope(actor, a, owner, served))) {
    if (!object) throw new Error('assertCan needs the object when an owner is given');
    // Staff bound to the team read the investigation itself anyway: hiding that it exists
    // would hide nothing, so they are told plainly that only its team may.
    if (!isTenantUser(actor) && scopeOf(actor, allowed) === 'own_team') {
      throw offTeam(actor, allowed, opts);
    }
    throw hidden(allowed, object);
  }
}
