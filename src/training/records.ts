/**
 * Training records in the store: recording completions (audited as `training.completed`),
 * where each person on the response side stands, and the export for auditors. The rules live
 * in src/domain/training.ts; docs/training.md explains them.
 */
import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';

import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import {
  type Completion,
  currentVersion,
  type TopicStatus,
  topicById,
  TRAINING_TOPICS,
  type TrainingState,
  trainingStatus,
  worstState,
} from '../domain/training.ts';
import type { Role } from '../domain/types.ts';
import { type Conn, type Db, iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { people, trainingCompletions } from '../store/schema.ts';
import { instantInput, parseStrict } from './input.ts';
import { type PersonRow, responsePerson } from './person-ref.ts';

/** Longest note kept with a completion, in characters. */
export const NOTE_MAX = 1000;

/** One stored completion as callers see it. */
export interface CompletionView {
  id: string;
  personId: string;
  email: string;
  displayName: string;
  topic: string;
  topicVersion: string;
  completedAt: string;
  recordedBy: string;
  recordedAt: string;
  note: string | null;
}

/** Where one person stands in every topic. */
export interface PersonTraining {
  personId: string;
  email: string;
  displayName: string;
  role: Role;
  /** When the person was added: the joining date the rules count from. */
  joinedAt: string;
  /** The worst state over the topics listed. */
  state: TrainingState;
  topics: TopicStatus[];
}

const completionInput = z.strictObject({
  person: z.string().trim().min(1).max(320),
  topic: z.string().trim().min(1).max(100),
  version: z.string().trim().min(1).max(50).optional(),
  completedAt: instantInput,
  note: z.string().trim().max(NOTE_MAX).nullish(),
});

/**
 * Records that a person completed a topic (at the current version unless `version` names an
 * earlier one). Refused, with nothing stored, when the person is unknown or a tenant admin,
 * the topic or version unknown, or `completedAt` in the future, before the person joined or
 * before the version was published.
 */
export async function recordCompletion(
  db: Db,
  actor: Actor,
  input: unknown,
  now: Date = new Date(),
): Promise<CompletionView> {
  assertCan(actor, 'training.record');
  const body = parseStrict(completionInput, input, 'BD_TRAINING_INVALID');
  const { topic, version, completedAt } = checkedCompletion(body, now);

  return db.transaction(async (tx) => {
    const person = await responsePerson(tx, body.person, {
      field: 'person',
      code: 'BD_TRAINING_INVALID',
    });
    if (completedAt.getTime() < Date.parse(iso(person.createdAt))) {
      fail(
        'BD_TRAINING_INVALID',
        `completedAt is before ${person.email} joined (${iso(person.createdAt)})`,
        'completedAt',
      );
    }

    const [row] = await tx
      .insert(trainingCompletions)
      .values({
        id: newId(),
        personId: person.id,
        topic: topic.id,
        topicVersion: version.version,
        completedAt: completedAt.toISOString(),
        recordedBy: actorLabel(actor),
        recordedAt: now.toISOString(),
        note: body.note || null,
      })
      .returning();
    if (!row) throw new Error('training completion insert returned no row');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'training.completed',
      entityType: 'person',
      entityId: person.id,
      data: {
        completionId: row.id,
        topic: row.topic,
        topicVersion: row.topicVersion,
        completedAt: row.completedAt,
        note: row.note,
      },
      at: now,
    });
    return viewOf(row, person);
  });
}

/**
 * Where every active person on the response side stands at `at`, by e-mail address. With
 * `dueOnly`, only people with a topic due or overdue, and only those topics.
 */
export async function listTrainingStatus(
  conn: Conn,
  opts: { at?: Date; dueOnly?: boolean } = {},
): Promise<PersonTraining[]> {
  const at = opts.at ?? new Date();
  const staff = await conn
    .select()
    .from(people)
    .where(and(ne(people.role, 'tenant_admin'), isNull(people.disabledAt)))
    .orderBy(asc(people.email));
  const completions = await completionsOf(conn);

  const all = staff.map((p) => personTraining(p, completions.get(p.id) ?? [], at));
  if (!opts.dueOnly) return all;
  return all
    .map((p) => ({ ...p, topics: p.topics.filter((t) => t.state !== 'ok') }))
    .filter((p) => p.topics.length > 0);
}

/** Where one person stands at `at` (any person; the caller decides what a role means). */
export async function personTrainingAt(
  conn: Conn,
  person: PersonRow,
  at: Date,
): Promise<PersonTraining> {
  const completions = await completionsOf(conn, person.id);
  return personTraining(person, completions.get(person.id) ?? [], at);
}

/** Every completion ever recorded, oldest first, with whose it is (auditors' export). */
export async function listCompletions(conn: Conn): Promise<CompletionView[]> {
  const rows = await conn
    .select({ c: trainingCompletions, p: people })
    .from(trainingCompletions)
    .innerJoin(people, eq(people.id, trainingCompletions.personId))
    .orderBy(asc(trainingCompletions.completedAt), asc(trainingCompletions.id));
  return rows.map(({ c, p }) => viewOf(c, p));
}

// The topic, the version and the instant of a completion, each checked against the catalogue.
function checkedCompletion(body: z.output<typeof completionInput>, now: Date) {
  const topic = topicById(body.topic);
  if (topic === null) {
    const ids = TRAINING_TOPICS.map((t) => t.id).join(', ');
    fail('BD_TRAINING_INVALID', `unknown topic ${body.topic}; one of ${ids}`, 'topic');
  }
  const version = topic.versions.find(
    (v) => v.version === (body.version ?? currentVersion(topic, now)),
  );
  if (version === undefined) {
    const known = topic.versions.map((v) => v.version).join(', ');
    fail('BD_TRAINING_INVALID', `${topic.id} has versions ${known}`, 'version');
  }
  const completedAt = new Date(body.completedAt);
  if (completedAt.getTime() > now.getTime()) {
    fail(
      'BD_TRAINING_INVALID',
      'completedAt is in the future; record what has happened',
      'completedAt',
    );
  }
  if (completedAt.getTime() < Date.parse(version.since)) {
    fail(
      'BD_TRAINING_INVALID',
      `completedAt is before version ${version.version} was published (${version.since})`,
      'completedAt',
    );
  }
  return { topic, version, completedAt };
}

function personTraining(person: PersonRow, completions: Completion[], at: Date): PersonTraining {
  const topics = trainingStatus(person.createdAt, completions, at);
  return {
    personId: person.id,
    email: person.email,
    displayName: person.displayName,
    role: person.role as Role,
    joinedAt: iso(person.createdAt),
    state: worstState(topics.map((t) => t.state)),
    topics,
  };
}

// One person's completions, or everyone's when no id is given.
async function completionsOf(conn: Conn, personId?: string): Promise<Map<string, Completion[]>> {
  const byPerson = new Map<string, Completion[]>();
  const query = conn.select().from(trainingCompletions);
  const rows = await (personId === undefined
    ? query
    : query.where(eq(trainingCompletions.personId, personId)));

  for (const r of rows) {
    const list = byPerson.get(r.personId) ?? [];
    list.push({ topic: r.topic, version: r.topicVersion, completedAt: iso(r.completedAt) });
    byPerson.set(r.personId, list);
  }
  return byPerson;
}

function viewOf(row: typeof trainingCompletions.$inferSelect, person: PersonRow): CompletionView {
  return {
    id: row.id,
    personId: row.personId,
    email: person.email,
    displayName: person.displayName,
    topic: row.topic,
    topicVersion: row.topicVersion,
    completedAt: iso(row.completedAt),
    recordedBy: row.recordedBy,
    recordedAt: iso(row.recordedAt),
    note: row.note,
  };
}
