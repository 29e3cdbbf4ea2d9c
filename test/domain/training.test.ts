/**
 * The training rules (src/domain/training.ts): due dates at their exact boundaries, leap
 * years, offsets, version bumps, and properties that hold for any history of completions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  type Completion,
  JOINING_GRACE_DAYS,
  REFRESHER_DAYS,
  REFRESHER_WINDOW_DAYS,
  TRAINING_TOPICS,
  type TrainingState,
  type TrainingTopic,
  topicStatus,
  trainingStatus,
  versionAt,
} from '../../src/domain/training.ts';

const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

// A topic that got a second version on 1 March 2027.
const BUMPED: TrainingTopic = {
  id: 'escalation',
  title: 'How to escalate',
  versions: [
    { version: '2026.1', since: '2026-01-01T00:00:00.000Z' },
    { version: '2027.1', since: '2027-03-01T00:00:00.000Z' },
  ],
};
const FIRST = TRAINING_TOPICS[0] as TrainingTopic;
const JOINED = '2026-04-01T09:00:00.000Z';

function done(completedAt: string, version = '2026.1', topic = FIRST.id): Completion {
  return { topic, version, completedAt };
}

describe('training catalogue', () => {
  it('covers the six topics of issue 5, each with a version in force', () => {
    expect(TRAINING_TOPICS.map((t) => t.id)).toEqual([
      'what-is-an-incident',
      'duty-to-report',
      'escalation',
      'response-process',
      'privacy',
      'where-to-find-more',
    ]);
    for (const t of TRAINING_TOPICS) expect(versionAt(t, JOINED).version).toBe('2026.1');
  });
});

describe('a person who joins', () => {
  const joined = Date.parse(JOINED);

  it('is due, not overdue, on the last instant of the joining grace period', () => {
    const status = topicStatus(FIRST, JOINED, [], at(joined + JOINING_GRACE_DAYS * DAY));
    expect(status).toMatchObject({ state: 'due', dueAt: at(joined + 30 * DAY) });
  });

  it('is overdue one millisecond after the joining grace period', () => {
    const status = topicStatus(FIRST, JOINED, [], at(joined + 30 * DAY + 1));
    expect(status.state).toBe('overdue');
  });

  it('is given the grace from the topic introduction when they joined before it', () => {
    const status = topicStatus(FIRST, '2025-05-01T00:00:00Z', [], '2026-01-10T00:00:00Z');
    expect(status).toMatchObject({ state: 'due', dueAt: '2026-01-31T00:00:00.000Z' });
  });

  it('does not count a completion after the instant asked about', () => {
    const later = done('2026-04-20T00:00:00Z');
    expect(topicStatus(FIRST, JOINED, [later], '2026-04-10T00:00:00Z').lastCompletedAt).toBeNull();
  });
});

describe('the yearly refresher', () => {
  const completed = Date.parse('2026-05-10T12:00:00Z');
  const history = [done(at(completed))];
  const stateAt = (ms: number) => topicStatus(FIRST, JOINED, history, at(ms)).state;

  it('is ok until the refresher window opens 30 days before the due date', () => {
    expect(stateAt(completed + (REFRESHER_DAYS - REFRESHER_WINDOW_DAYS) * DAY - 1)).toBe('ok');
    expect(stateAt(completed + 335 * DAY)).toBe('due');
  });

  it('is still due exactly 365 days after the completion and overdue a millisecond later', () => {
    expect(stateAt(completed + 365 * DAY)).toBe('due');
    expect(stateAt(completed + 365 * DAY + 1)).toBe('overdue');
  });

  it('counts 365 elapsed days across 29 February, one calendar day short of a year', () => {
    const status = topicStatus(FIRST, JOINED, [done('2028-01-15T10:00:00Z')], '2028-06-01T00:00Z');
    expect(status.dueAt).toBe('2029-01-14T10:00:00.000Z');
  });

  it('falls due on 29 February when the year before had none', () => {
    const status = topicStatus(FIRST, JOINED, [done('2027-03-01T08:00:00Z')], '2027-06-01T00:00Z');
    expect(status.dueAt).toBe('2028-02-29T08:00:00.000Z');
  });

  it('reads an offset as the instant it names, whatever the zone', () => {
    const asked = '2026-07-01T00:00:00+09:00';
    const withOffset = topicStatus(FIRST, JOINED, [done('2026-06-01T01:00:00+02:00')], asked);
    const inUtc = topicStatus(FIRST, JOINED, [done('2026-05-31T23:00:00Z')], asked);
    expect(withOffset.dueAt).toBe(inUtc.dueAt);
    expect(withOffset.dueAt).toBe('2027-05-31T23:00:00.000Z');
  });
});

describe('a new topic version', () => {
  it('leaves a completion of the old version ok until the new one is published', () => {
    const status = topicStatus(
      BUMPED,
      JOINED,
      [done('2026-06-01T00:00Z', '2026.1', 'escalation')],
      '2027-02-28T00:00Z',
    );
    expect(status).toMatchObject({ state: 'ok', currentVersion: '2026.1' });
  });

  it('makes the topic due at once, for 30 days from publication', () => {
    const history = [done('2026-06-01T00:00Z', '2026.1', 'escalation')];
    const status = topicStatus(BUMPED, JOINED, history, '2027-03-01T00:00Z');
    expect(status).toMatchObject({
      state: 'due',
      currentVersion: '2027.1',
      dueAt: '2027-03-31T00:00:00.000Z',
      lastVersion: '2026.1',
    });
    expect(topicStatus(BUMPED, JOINED, history, '2027-03-31T00:00:00.001Z').state).toBe('overdue');
  });

  it('keeps the yearly clock of the old completion when it runs out first', () => {
    const history = [done('2026-03-10T00:00Z', '2026.1', 'escalation')];
    const status = topicStatus(BUMPED, '2026-01-05T00:00Z', history, '2027-03-02T00:00Z');
    expect(status.dueAt).toBe('2027-03-10T00:00:00.000Z');
  });

  it('is ok again once the new version is completed', () => {
    const history = [
      done('2026-06-01T00:00Z', '2026.1', 'escalation'),
      done('2027-03-05T00:00Z', '2027.1', 'escalation'),
    ];
    const status = topicStatus(BUMPED, JOINED, history, '2027-04-01T00:00Z');
    expect(status).toMatchObject({ state: 'ok', dueAt: '2028-03-04T00:00:00.000Z' });
  });
});

// Arbitraries: instants between 2026 and 2031, completions valid for BUMPED (after joining and
// after their version's publication), and an instant to ask at after all of them.
const YEAR_2026 = Date.parse('2026-01-01T00:00:00Z');
const span = fc.integer({ min: 0, max: 5 * 365 * DAY });
const history = fc.record({
  joined: span.map((ms) => YEAR_2026 + ms),
  completions: fc.array(fc.record({ after: span, v2: fc.boolean() }), { maxLength: 4 }),
  gap: fc.integer({ min: 0, max: 3 * 365 * DAY }),
});

function build(h: { joined: number; completions: { after: number; v2: boolean }[] }) {
  return h.completions.map(({ after, v2 }) => {
    const since = Date.parse(BUMPED.versions[v2 ? 1 : 0]?.since ?? '');
    return done(at(Math.max(h.joined, since) + after), v2 ? '2027.1' : '2026.1', 'escalation');
  });
}

const RANK: Record<TrainingState, number> = { ok: 0, due: 1, overdue: 2 };

describe('training rules, for any history', () => {
  it('never get better as time passes without a new completion', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 2 * 365 * DAY }), (h, later) => {
        const completions = build(h);
        const last = Math.max(
          h.joined,
          ...completions.map((c) => Date.parse(String(c.completedAt))),
        );
        const first = topicStatus(BUMPED, at(h.joined), completions, at(last + h.gap));
        const second = topicStatus(BUMPED, at(h.joined), completions, at(last + h.gap + later));
        expect(RANK[second.state]).toBeGreaterThanOrEqual(RANK[first.state]);
      }),
    );
  });

  it('never make a person worse off, or a due date earlier, for one more completion', () => {
    fc.assert(
      fc.property(history, fc.record({ after: span, v2: fc.boolean() }), (h, extra) => {
        const before = build(h);
        const withExtra = build({ ...h, completions: [...h.completions, extra] });
        // Completions after the instant asked about count on neither side.
        const asked = at(h.joined + 2 * h.gap);
        const a = topicStatus(BUMPED, at(h.joined), before, asked);
        const b = topicStatus(BUMPED, at(h.joined), withExtra, asked);
        expect(RANK[b.state]).toBeLessThanOrEqual(RANK[a.state]);
        expect(Date.parse(b.dueAt)).toBeGreaterThanOrEqual(Date.parse(a.dueAt));
      }),
    );
  });

  it('are ok only with a completion of the version in force, due within the year after it', () => {
    fc.assert(
      fc.property(history, (h) => {
        const completions = build(h);
        const asked = at(h.joined + h.gap);
        const status = topicStatus(BUMPED, at(h.joined), completions, asked);
        if (status.state !== 'ok') return;
        expect(status.lastVersion).toBe(status.currentVersion);
        const sinceCompletion = Date.parse(status.dueAt) - Date.parse(status.lastCompletedAt ?? '');
        expect(sinceCompletion).toBe(REFRESHER_DAYS * DAY);
      }),
    );
  });

  it('give one status per catalogue topic, in catalogue order', () => {
    const statuses = trainingStatus(JOINED, [], JOINED);
    expect(statuses.map((s) => s.topic)).toEqual(TRAINING_TOPICS.map((t) => t.id));
  });
});
