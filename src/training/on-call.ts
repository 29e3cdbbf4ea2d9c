/**
 * The on-call rota: who is on call when. Putting a person on call whose training is missing
 * or overdue is allowed (a rota cannot always wait for a course) but answers with warnings,
 * which the `oncall.added` audit entry records too. `trainingWarnings` is the same check for
 * other parts that hand work to a person (investigation team assignment).
 */
import { and, asc, eq, gt, isNull, lt } from 'drizzle-orm';
import { z } from 'zod';

import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { canBeOnCall, isResponseSide, ONCALL_ROLES } from '../domain/training.ts';
import type { Role } from '../domain/types.ts';
import { type Conn, type Db, iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { onCallShifts, people } from '../store/schema.ts';
import { instantInput, parseStrict } from './input.ts';
import { type PersonRow, responsePerson } from './person-ref.ts';
import { personTrainingAt } from './records.ts';

/** Longest shift, in days: a longer stretch is a rota to plan in several shifts. */
export const ONCALL_MAX_DAYS = 31;

/** Furthest ahead a shift may start, in days: a year's rota and a day, no further. */
export const ONCALL_MAX_LEAD_DAYS = 366;

const MS_PER_DAY = 86_400_000;

/** One shift as callers see it, with the training warnings for its person as of its end. */
export interface ShiftView {
  id: string;
  personId: string;
  email: string;
  displayName: string;
  startsAt: string;
  endsAt: string;
  addedBy: string;
  addedAt: string;
  removedBy: string | null;
  removedAt: string | null;
  warnings: string[];
}

const shiftInput = z.strictObject({
  person: z.string().trim().min(1).max(320),
  startsAt: instantInput,
  endsAt: instantInput,
});

/**
 * Why `personId` should not be trusted with incident work at `at`: one line per topic never
 * completed or overdue (a topic merely due, or completed at an older version within its grace,
 * gives none). Empty for a person whose training is in order. Unknown person: BD_NOT_FOUND.
 */
export async function trainingWarnings(
  db: Conn,
  personId: string,
  at: Date | string,
): Promise<string[]> {
  const [person] = await db.select().from(people).where(eq(people.id, personId));
  if (!person) fail('BD_NOT_FOUND', `no person ${personId}`, 'personId');
  return warningsFor(db, person, new Date(at));
}

async function warningsFor(conn: Conn, person: PersonRow, at: Date): Promise<string[]> {
  if (!isResponseSide(person.role as Role)) {
    return [`${person.email} is a tenant admin and takes no incident-response training`];
  }

  const disabled = person.disabledAt === null ? [] : [`${person.email} is disabled`];
  const training = await personTrainingAt(conn, person, at);
  const topics = training.topics.flatMap((t) => {
    if (t.lastCompletedAt === null) {
      return [`${person.email} has never completed "${t.title}" (${t.topic})`];
    }
    if (t.state === 'overdue') {
      return [`${person.email} is overdue for "${t.title}" (${t.topic}), due ${t.dueAt}`];
    }
    return [];
  });
  return [...disabled, ...topics];
}

/**
 * Puts a person of an ONCALL_ROLES role on call from `startsAt` to `endsAt` (at most
 * ONCALL_MAX_DAYS, not yet over, starting at most ONCALL_MAX_LEAD_DAYS from now, not
 * overlapping another shift of theirs). The warnings look at the shift's end: training
 * only gets staler with time, so that is its worst point.
 */
export async function addOnCall(
  db: Db,
  actor: Actor,
  input: unknown,
  now: Date = new Date(),
): Promise<{ shift: ShiftView; warnings: string[] }> {
  assertCan(actor, 'oncall.manage');
  const body = parseStrict(shiftInput, input, 'BD_ONCALL_INVALID');
  const startsAt = new Date(body.startsAt);
  const endsAt = new Date(body.endsAt);
  checkPeriod(startsAt, endsAt, now);

  return db.transaction(async (tx) => {
    // Locking the person serialises two adds for them, so the overlap check below holds.
    const person = await responsePerson(tx, body.person, {
      field: 'person',
      code: 'BD_ONCALL_INVALID',
      lock: true,
    });
    if (!canBeOnCall(person.role as Role)) {
      fail(
        'BD_ONCALL_INVALID',
        `${person.email} is ${person.role}, a role that does not respond to incidents; ` +
          `name a person of role ${ONCALL_ROLES.join(', ')}`,
        'person',
      );
    }
    if (person.disabledAt !== null) {
      fail('BD_ONCALL_INVALID', `${person.email} is disabled and cannot be on call`, 'person');
    }
    const [clash] = await tx
      .select({ id: onCallShifts.id })
      .from(onCallShifts)
      .where(
        and(
          eq(onCallShifts.personId, person.id),
          isNull(onCallShifts.removedAt),
          lt(onCallShifts.startsAt, endsAt.toISOString()),
          gt(onCallShifts.endsAt, startsAt.toISOString()),
        ),
      );
    if (clash) {
      fail('BD_ONCALL_STATE', `${person.email} is already on call then (${clash.id})`, 'startsAt');
    }

    const warnings = await warningsFor(tx, person, endsAt);
    const [row] = await tx
      .insert(onCallShifts)
      .values({
        id: newId(),
        personId: person.id,
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        addedBy: actorLabel(actor),
        addedAt: now.toISOString(),
      })
      .returning();
    if (!row) throw new Error('on-call shift insert returned no row');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'oncall.added',
      entityType: 'on_call_shift',
      entityId: row.id,
      data: { personId: person.id, startsAt: row.startsAt, endsAt: row.endsAt, warnings },
      at: now,
    });
    return { shift: viewOf(row, person, warnings), warnings };
  });
}

/** Takes a shift off the rota (kept, marked removed). A removed shift: BD_ONCALL_STATE. */
export async function removeOnCall(
  db: Db,
  actor: Actor,
  shiftId: string,
  now: Date = new Date(),
): Promise<ShiftView> {
  assertCan(actor, 'oncall.manage');

  return db.transaction(async (tx) => {
    const [found] = await tx
      .select({ shift: onCallShifts, person: people })
      .from(onCallShifts)
      .innerJoin(people, eq(people.id, onCallShifts.personId))
      .where(eq(onCallShifts.id, shiftId))
      .for('update', { of: onCallShifts });
    if (!found) fail('BD_NOT_FOUND', `no on-call shift ${shiftId}`, 'shiftId');
    if (found.shift.removedAt !== null) {
      fail('BD_ONCALL_STATE', `shift ${shiftId} was removed at ${iso(found.shift.removedAt)}`);
    }

    const [row] = await tx
      .update(onCallShifts)
      .set({ removedBy: actorLabel(actor), removedAt: now.toISOString() })
      .where(eq(onCallShifts.id, shiftId))
      .returning();
    if (!row) throw new Error('on-call shift update returned no row');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'oncall.removed',
      entityType: 'on_call_shift',
      entityId: shiftId,
      data: { personId: row.personId, startsAt: row.startsAt, endsAt: row.endsAt },
      at: now,
    });
    return viewOf(row, found.person, []);
  });
}

/** Shifts on at `at` or later, by start, each with its person's training warnings. */
export async function listOnCall(conn: Conn, at: Date = new Date()): Promise<ShiftView[]> {
  const rows = await conn
    .select({ shift: onCallShifts, person: people })
    .from(onCallShifts)
    .innerJoin(people, eq(people.id, onCallShifts.personId))
    .where(and(isNull(onCallShifts.removedAt), gt(onCallShifts.endsAt, at.toISOString())))
    .orderBy(asc(onCallShifts.startsAt), asc(onCallShifts.id));

  const out: ShiftView[] = [];
  for (const { shift, person } of rows) {
    const warnings = await warningsFor(conn, person, new Date(iso(shift.endsAt)));
    out.push(viewOf(shift, person, warnings));
  }
  return out;
}

function checkPeriod(startsAt: Date, endsAt: Date, now: Date): void {
  if (startsAt.getTime() >= endsAt.getTime()) {
    fail('BD_ONCALL_INVALID', 'endsAt must be after startsAt', 'endsAt');
  }
  if (endsAt.getTime() - startsAt.getTime() > ONCALL_MAX_DAYS * MS_PER_DAY) {
    fail(
      'BD_ONCALL_INVALID',
      `a shift lasts at most ${ONCALL_MAX_DAYS} days; split longer ones`,
      'endsAt',
    );
  }
  if (endsAt.getTime() <= now.getTime()) {
    fail('BD_ONCALL_INVALID', 'endsAt is past: the shift would already be over', 'endsAt');
  }
  if (startsAt.getTime() - now.getTime() > ONCALL_MAX_LEAD_DAYS * MS_PER_DAY) {
    fail(
      'BD_ONCALL_INVALID',
      `startsAt is more than ${ONCALL_MAX_LEAD_DAYS} days from now; plan that shift later`,
      'startsAt',
    );
  }
}

function viewOf(
  row: typeof onCallShifts.$inferSelect,
  person: PersonRow,
  warnings: string[],
): ShiftView {
  return {
    id: row.id,
    personId: row.personId,
    email: person.email,
    displayName: person.displayName,
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    addedBy: row.addedBy,
    addedAt: iso(row.addedAt),
    removedBy: row.removedBy,
    removedAt: iso(row.removedAt),
    warnings,
  };
}
