/**
 * Builders for the training and on-call tests: people who joined at a given instant, a full
 * set of completions, and a snapshot that covers the tables these features write.
 */
import { eq, sql } from 'drizzle-orm';
import { cliActor } from '../../src/auth/actor.ts';
import { addPerson } from '../../src/auth/people.ts';
import { TRAINING_TOPICS } from '../../src/domain/training.ts';
import type { Db } from '../../src/store/db.ts';
import { people } from '../../src/store/schema.ts';
import { recordCompletion } from '../../src/training/records.ts';
import { snapshot } from '../support/factories.ts';

export const manager = cliActor('incident_manager', 'mira');

/** Adds a person and back-dates their joining to `joinedAt`; returns their id. */
export async function joinPerson(
  db: Db,
  email: string,
  joinedAt: string,
  over: { role?: string; tenantId?: string; name?: string } = {},
): Promise<string> {
  const { person } = await addPerson(db, {
    email,
    displayName: over.name ?? email.split('@')[0] ?? email,
    role: over.role ?? 'responder',
    tenantId: over.tenantId ?? null,
    by: 'test',
  });
  await db.update(people).set({ createdAt: joinedAt }).where(eq(people.id, person.id));
  return person.id;
}

/** Records every topic of the catalogue as completed by `person` at `completedAt`. */
export async function trainAll(db: Db, person: string, completedAt: string): Promise<void> {
  for (const topic of TRAINING_TOPICS) {
    await recordCompletion(db, manager, { person, topic: topic.id, completedAt });
  }
}

/** The shared snapshot plus the people, training and on-call tables. */
export async function fullSnapshot(db: Db): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = await snapshot(db);
  for (const table of ['people', 'training_completions', 'on_call_shifts']) {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) ` +
          `AS d FROM ${table} x`,
      ),
    );
    out[table] = (res as { rows: { d: string }[] }).rows[0]?.d;
  }
  return out;
}
