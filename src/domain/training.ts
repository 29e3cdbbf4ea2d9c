/**
 * Incident-response training: the topic catalogue and the rules that say, at a given instant,
 * whether a person's training in a topic is ok, due or overdue (DESIGN.md §1.7, issue 5 item
 * 8; docs/training.md). Pure: instants go in as UTC ISO strings or Dates and every period is
 * elapsed time, so a time zone or a daylight-saving change never moves a due date.
 */
import type { Role } from './types.ts';

const MS_PER_DAY = 86_400_000;

/**
 * Days a person who joins has to complete every topic at its current version. The same grace
 * applies from a new topic version's publication to those who completed an older one.
 */
export const JOINING_GRACE_DAYS = 30;

/** Days from a completion to the refresher's due date: 365 elapsed days, not a calendar year. */
export const REFRESHER_DAYS = 365;

/** Days before a refresher's due date from which the topic shows as due. */
export const REFRESHER_WINDOW_DAYS = 30;

/** One version of a topic's material, in force from `since` until the next version's since. */
export interface TopicVersion {
  version: string;
  since: string;
}

export interface TrainingTopic {
  id: string;
  title: string;
  /** Oldest first; the last one whose `since` has passed is in force. */
  versions: readonly TopicVersion[];
}

const FIRST_EDITION: readonly TopicVersion[] = [
  { version: '2026.1', since: '2026-01-01T00:00:00.000Z' },
];

/** The topics every person on the response side completes on joining and then yearly. */
export const TRAINING_TOPICS: readonly TrainingTopic[] = [
  { id: 'what-is-an-incident', title: 'What a security incident is', versions: FIRST_EDITION },
  { id: 'duty-to-report', title: "Everyone's duty to report", versions: FIRST_EDITION },
  { id: 'escalation', title: 'How to escalate', versions: FIRST_EDITION },
  {
    id: 'response-process',
    title: 'How the response team responds',
    versions: FIRST_EDITION,
  },
  {
    id: 'privacy',
    title: 'Privacy and customer-privacy concerns',
    versions: FIRST_EDITION,
  },
  {
    id: 'where-to-find-more',
    title: 'Where to find more and whom to call',
    versions: FIRST_EDITION,
  },
];

export type TrainingState = 'ok' | 'due' | 'overdue';

/** One stored completion, as the rules need it. */
export interface Completion {
  topic: string;
  version: string;
  completedAt: string | Date;
}

/** Where a person stands in one topic at an instant. */
export interface TopicStatus {
  topic: string;
  title: string;
  state: TrainingState;
  /** The last instant that is still on time. */
  dueAt: string;
  /** The version in force at the instant asked about. */
  currentVersion: string;
  /** The latest completion counted, or null when the person never completed the topic. */
  lastCompletedAt: string | null;
  lastVersion: string | null;
}

/** Everyone but tenant admins (customers' staff) is on the response side and is trained. */
export function isResponseSide(role: Role): boolean {
  return role !== 'tenant_admin';
}

/**
 * The roles that respond to incidents, and so the only ones a rota may put on call. Reporters,
 * auditors and account teams are trained (they are on the response side) but do not respond.
 */
export const ONCALL_ROLES: readonly Role[] = [
  'admin',
  'responder',
  'investigator',
  'incident_manager',
  'executive_incident_manager',
  'legal',
];

/** Whether a person of `role` may be put on call. */
export function canBeOnCall(role: Role): boolean {
  return ONCALL_ROLES.includes(role);
}

/** The topic with `id`, or null. */
export function topicById(
  id: string,
  topics: readonly TrainingTopic[] = TRAINING_TOPICS,
): TrainingTopic | null {
  return topics.find((t) => t.id === id) ?? null;
}

/** The version in force at `at`; before the first version's publication, the first one. */
export function versionAt(topic: TrainingTopic, at: string | Date | number): TopicVersion {
  const ms = msOf(at);
  const first = topic.versions[0];
  if (first === undefined) throw new Error(`training topic ${topic.id} has no version`);
  return topic.versions.findLast((v) => Date.parse(v.since) <= ms) ?? first;
}

/** The version in force now: what a completion is recorded at when none is named. */
export function currentVersion(topic: TrainingTopic, now: Date = new Date()): string {
  return versionAt(topic, now).version;
}

/**
 * Where a person who joined at `joinedAt` stands in `topic` at `at`, from their completions
 * (of any topic; completions after `at` are not counted). The rules:
 *
 * - Never completed: due until `JOINING_GRACE_DAYS` after joining (or after the topic was
 *   introduced, for people who joined before it), overdue after.
 * - Completed at the version in force: ok until `REFRESHER_WINDOW_DAYS` before the refresher
 *   date (`REFRESHER_DAYS` after the latest such completion), due from then, overdue after.
 * - Completed only at an older version: the new version makes the topic due again at once. It
 *   is due until `JOINING_GRACE_DAYS` after the new version's publication (or after joining,
 *   if later), but never later than the refresher date of that older completion: the yearly
 *   clock keeps running whatever the version.
 *
 * Due dates are inclusive: exactly at `dueAt` the topic is still due, a millisecond later it is
 * overdue.
 */
export function topicStatus(
  topic: TrainingTopic,
  joinedAt: string | Date,
  completions: readonly Completion[],
  at: string | Date,
): TopicStatus {
  const atMs = msOf(at);
  const inForce = versionAt(topic, atMs);
  const rank = (version: string) => topic.versions.findIndex((v) => v.version === version);
  const counted = completions
    .filter((c) => c.topic === topic.id && msOf(c.completedAt) <= atMs)
    .sort((a, b) => msOf(b.completedAt) - msOf(a.completedAt));
  const current = counted.find((c) => rank(c.version) >= rank(inForce.version));
  const latest = current ?? counted[0];

  const dueMs = dueOf(topic, msOf(joinedAt), inForce, current, latest);
  const state = stateAt(atMs, dueMs, current !== undefined);
  return {
    topic: topic.id,
    title: topic.title,
    state,
    dueAt: new Date(dueMs).toISOString(),
    currentVersion: inForce.version,
    lastCompletedAt: latest === undefined ? null : new Date(msOf(latest.completedAt)).toISOString(),
    lastVersion: latest?.version ?? null,
  };
}

/** Where a person stands in every topic at `at`, in catalogue order. */
export function trainingStatus(
  joinedAt: string | Date,
  completions: readonly Completion[],
  at: string | Date,
  topics: readonly TrainingTopic[] = TRAINING_TOPICS,
): TopicStatus[] {
  return topics.map((t) => topicStatus(t, joinedAt, completions, at));
}

/** The worst of several states: overdue over due over ok. */
export function worstState(states: readonly TrainingState[]): TrainingState {
  if (states.includes('overdue')) return 'overdue';
  return states.includes('due') ? 'due' : 'ok';
}

function dueOf(
  topic: TrainingTopic,
  joinedMs: number,
  inForce: TopicVersion,
  current: Completion | undefined,
  latest: Completion | undefined,
): number {
  if (current !== undefined) return msOf(current.completedAt) + REFRESHER_DAYS * MS_PER_DAY;

  if (latest === undefined) {
    const introduced = Date.parse(topic.versions[0]?.since ?? inForce.since);
    return Math.max(joinedMs, introduced) + JOINING_GRACE_DAYS * MS_PER_DAY;
  }

  const published = Math.max(joinedMs, Date.parse(inForce.since));
  const versionDue = published + JOINING_GRACE_DAYS * MS_PER_DAY;
  return Math.min(versionDue, msOf(latest.completedAt) + REFRESHER_DAYS * MS_PER_DAY);
}

// Only a completion at the version in force can be ok; anything else is at least due.
function stateAt(atMs: number, dueMs: number, upToDate: boolean): TrainingState {
  if (atMs > dueMs) return 'overdue';
  if (!upToDate) return 'due';
  return atMs >= dueMs - REFRESHER_WINDOW_DAYS * MS_PER_DAY ? 'due' : 'ok';
}

function msOf(value: string | Date | number): number {
  if (typeof value === 'number') return value;
  return value instanceof Date ? value.getTime() : Date.parse(value);
}
