/**
 * An investigation's team: the people who work it, each as `lead` or `member`. The team
 * decides who outside management reads the post-mortem (scope `own_team` in
 * src/auth/policy-table.ts). A removal keeps the row, with who removed whom and when, so that
 * who was on the team at any moment stays known. Every change is audited.
 */
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { normaliseEmail } from '../auth/people.ts';
import { type Action, assertCan, can, scopeOf } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import type { Role } from '../domain/types.ts';
import { parseOrFail } from '../domain/validate.ts';
import { type Conn, type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { investigationTeam, investigations, people } from '../store/schema.ts';
import { trainingWarnings } from '../training/on-call.ts';

export const TEAM_ROLES = ['lead', 'member'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** One person's place on a team, current or past. */
export interface TeamMember {
  id: string;
  investigationId: string;
  personId: string;
  email: string;
  displayName: string;
  role: Role;
  teamRole: TeamRole;
  addedBy: string;
  addedAt: string;
  removedBy: string | null;
  removedAt: string | null;
}

type PersonRow = typeof people.$inferSelect;

/**
 * Warnings about a person about to join a team, e.g. that their incident-response training is
 * due (issue 5 §8). They never refuse the addition; addTeamMember returns them to the caller.
 */
export type TeamWarningCheck = (
  conn: Conn,
  person: { id: string; email: string; role: Role },
  now: Date,
) => Promise<string[]>;

/** The checks made unless the caller names others: incident-response training is current. */
export const DEFAULT_TEAM_CHECKS: readonly TeamWarningCheck[] = [
  (conn, person, now) => trainingWarnings(conn, person.id, now),
];

export interface AddTeamMemberOptions {
  /** Checks whose warnings come back with the new member; DEFAULT_TEAM_CHECKS when absent. */
  warningChecks?: readonly TeamWarningCheck[];
  now?: Date;
}

const addSchema = z.object({
  person: z
    .string({ error: "give the person's e-mail address or person id" })
    .trim()
    .min(1, "give the person's e-mail address or person id")
    .max(320),
  teamRole: z.enum(TEAM_ROLES, { error: `teamRole must be one of ${TEAM_ROLES.join(', ')}` }),
});

/** Actor id of a signed-in person (src/auth/sessions.ts). */
export function personActorId(email: string): string {
  return `person:${normaliseEmail(email)}`;
}

/**
 * Adds a person (by e-mail or person id) to the investigation's team. Refuses an unknown
 * person (BD_NOT_FOUND), a disabled one, a tenant admin or a role that reads no post-mortem
 * (BD_TEAM_INELIGIBLE), and one already on the team (BD_TEAM_CONFLICT); field `person`.
 */
export async function addTeamMember(
  db: Db,
  actor: Actor,
  investigationId: string,
  input: unknown,
  opts: AddTeamMemberOptions = {},
): Promise<{ member: TeamMember; warnings: string[] }> {
  assertCan(actor, 'team.manage');
  const { person: ref, teamRole } = parseOrFail(addSchema, input, 'BD_REQUEST_INVALID');
  const now = opts.now ?? new Date();

  return db.transaction(async (tx) => {
    await lockInvestigation(tx, investigationId);
    const person = await findPerson(tx, ref);
    checkEligible(person);
    // Joining a team opens its post-mortem; those who reach post-mortems only that way (an
    // administrator managing teams) may not open one for themselves.
    const self = actor.id === personActorId(person.email);
    if (self && scopeOf(actor, 'postmortem.read') !== 'all') {
      fail(
        'BD_AUTH_FORBIDDEN',
        'you may not add yourself to a team (it would open the post-mortem to you); ask an ' +
          'incident manager',
        'person',
      );
    }
    const current = await currentRow(tx, investigationId, person.id);
    if (current) {
      fail(
        'BD_TEAM_CONFLICT',
        `${person.email} is already on the team as ${current.teamRole}; remove them first to ` +
          'change their team role',
        'person',
      );
    }

    const [row] = await tx
      .insert(investigationTeam)
      .values({
        id: newId(),
        investigationId,
        personId: person.id,
        teamRole,
        addedBy: actorLabel(actor),
        addedAt: now.toISOString(),
      })
      .returning();
    if (!row) throw new Error('insert returned no team row');

    // Warnings never refuse the addition, but the audit keeps what the manager was told.
    const who = { id: person.id, email: person.email, role: person.role as Role };
    const warnings: string[] = [];
    for (const check of opts.warningChecks ?? DEFAULT_TEAM_CHECKS) {
      warnings.push(...(await check(tx, who, now)));
    }
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.team_added',
      entityType: 'investigation',
      entityId: investigationId,
      data: { personId: person.id, email: person.email, teamRole, warnings },
      at: now,
    });

    return { member: memberView(row, person), warnings };
  });
}

/** Takes a person off the team; the row stays, marked removed. BD_NOT_FOUND when not on it. */
export async function removeTeamMember(
  db: Db,
  actor: Actor,
  investigationId: string,
  personRef: string,
  now = new Date(),
): Promise<TeamMember> {
  assertCan(actor, 'team.manage');

  return db.transaction(async (tx) => {
    await lockInvestigation(tx, investigationId);
    const person = await findPerson(tx, personRef, 'personId');
    const current = await currentRow(tx, investigationId, person.id);
    if (!current) {
      fail('BD_NOT_FOUND', `${person.email} is not on the team of this investigation`, 'personId');
    }

    const [row] = await tx
      .update(investigationTeam)
      .set({ removedBy: actorLabel(actor), removedAt: now.toISOString() })
      .where(eq(investigationTeam.id, current.id))
      .returning();
    if (!row) throw new Error('update returned no team row');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.team_removed',
      entityType: 'investigation',
      entityId: investigationId,
      data: { personId: person.id, email: person.email, teamRole: current.teamRole },
      at: now,
    });
    return memberView(row, person);
  });
}

/** The current team, leads first, then in the order they joined. */
export async function listTeam(conn: Conn, investigationId: string): Promise<TeamMember[]> {
  const [inv] = await conn
    .select({ id: investigations.id })
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!inv) fail('BD_NOT_FOUND', `investigation ${investigationId} not found`, 'investigationId');

  const rows = await conn
    .select({ row: investigationTeam, person: people })
    .from(investigationTeam)
    .innerJoin(people, eq(people.id, investigationTeam.personId))
    .where(
      and(
        eq(investigationTeam.investigationId, investigationId),
        isNull(investigationTeam.removedAt),
      ),
    )
    .orderBy(asc(investigationTeam.addedAt), asc(investigationTeam.id));
  const members = rows.map((r) => memberView(r.row, r.person));
  return [
    ...members.filter((m) => m.teamRole === 'lead'),
    ...members.filter((m) => m.teamRole !== 'lead'),
  ];
}

/**
 * The actor ids (`person:<email>`) of the current team's members who may still sign in: what
 * the policy's `own_team` scope compares the caller's id with.
 */
export async function teamActorIds(conn: Conn, investigationId: string): Promise<string[]> {
  const rows = await conn
    .select({ email: people.email })
    .from(investigationTeam)
    .innerJoin(people, eq(people.id, investigationTeam.personId))
    .where(
      and(
        eq(investigationTeam.investigationId, investigationId),
        isNull(investigationTeam.removedAt),
        isNull(people.disabledAt),
      ),
    );
  return rows.map((r) => personActorId(r.email));
}

/** Whether the actor is a signed-in person currently on the investigation's team. */
export async function isOnTeam(
  conn: Conn,
  investigationId: string,
  actor: Actor,
): Promise<boolean> {
  if (!actor.id.startsWith('person:')) return false;
  return (await teamActorIds(conn, investigationId)).includes(actor.id);
}

/**
 * Refuses unless the actor may do the action to this investigation: everywhere, or (scope
 * `own_team`) as a member of its team. Off the team, staff get the action's 403.
 */
export async function assertTeamAccess(
  conn: Conn,
  actor: Actor,
  action: Action,
  investigationId: string,
): Promise<void> {
  const team =
    scopeOf(actor, action) === 'own_team' ? await teamActorIds(conn, investigationId) : [];
  assertCan(actor, action, {
    object: { kind: 'investigation', id: investigationId },
    owner: { tenantIds: [], team },
  });
}

async function lockInvestigation(tx: Tx, id: string): Promise<void> {
  // The row lock serialises two additions of the same person: the second sees the first.
  const [inv] = await tx
    .select({ id: investigations.id })
    .from(investigations)
    .where(eq(investigations.id, id))
    .for('update');
  if (!inv) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');
}

async function findPerson(conn: Conn, ref: string, field = 'person'): Promise<PersonRow> {
  const where = ref.includes('@') ? eq(people.email, normaliseEmail(ref)) : eq(people.id, ref);
  const [row] = await conn.select().from(people).where(where);
  if (!row) {
    fail('BD_NOT_FOUND', `no person ${ref}; give an e-mail or id from \`people list\``, field);
  }
  return row;
}

function checkEligible(person: PersonRow): void {
  if (person.disabledAt !== null) {
    fail('BD_TEAM_INELIGIBLE', `${person.email} is disabled; enable them first`, 'person');
  }
  if (person.role === 'tenant_admin') {
    fail(
      'BD_TEAM_INELIGIBLE',
      `${person.email} is a tenant admin; only people of the provider work an investigation`,
      'person',
    );
  }
  // A member who could not read the post-mortem would be on the team in name only.
  const role = person.role as Role;
  if (!can({ role }, 'postmortem.read')) {
    fail(
      'BD_TEAM_INELIGIBLE',
      `${person.email} has role ${role}, which reads no post-mortem; give them a response role ` +
        'first',
      'person',
    );
  }
}

async function currentRow(tx: Tx, investigationId: string, personId: string) {
  const [row] = await tx
    .select()
    .from(investigationTeam)
    .where(
      and(
        eq(investigationTeam.investigationId, investigationId),
        eq(investigationTeam.personId, personId),
        isNull(investigationTeam.removedAt),
      ),
    );
  return row ?? null;
}

function memberView(row: typeof investigationTeam.$inferSelect, person: PersonRow): TeamMember {
  return {
    id: row.id,
    investigationId: row.investigationId,
    personId: person.id,
    email: person.email,
    displayName: person.displayName,
    role: person.role as Role,
    teamRole: row.teamRole as TeamRole,
    addedBy: row.addedBy,
    addedAt: iso(row.addedAt),
    removedBy: row.removedBy,
    removedAt: iso(row.removedAt),
  };
}
