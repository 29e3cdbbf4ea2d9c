/**
 * Training records in the store, on PGlite and PostgreSQL: recording (audited), refusals that
 * name the field and store nothing, statuses at their boundaries, who is listed, and the
 * auditors' export with formula-neutralised CSV cells.
 */
import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { disablePerson } from '../../src/auth/people.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog } from '../../src/store/schema.ts';
import { exportTraining } from '../../src/training/export.ts';
import { listTrainingStatus, recordCompletion } from '../../src/training/records.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { fullSnapshot, joinPerson, manager, trainAll } from './training-fixtures.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-20T12:00:00Z');
const JOINED = '2026-03-01T08:00:00.000Z';

describeEachBackend('training records', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
  });
  afterEach(async () => {
    await store.close();
  });

  it('records a completion by e-mail at the current version and audits it', async () => {
    const id = await joinPerson(store.db, 'rita@provider.example', JOINED);
    const input = {
      person: 'Rita@Provider.example',
      topic: 'escalation',
      completedAt: '2026-03-05T10:00:00+01:00',
      note: 'classroom, cohort 7',
    };

    const done = await recordCompletion(store.db, manager, input, NOW);

    expect(done).toMatchObject({
      personId: id,
      topicVersion: '2026.1',
      completedAt: '2026-03-05T09:00:00.000Z',
      recordedBy: 'cli:mira (incident_manager)',
    });
    const [entry] = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'training.completed'));
    expect(entry).toMatchObject({ entityId: id, actor: 'cli:mira (incident_manager)' });
    expect(JSON.parse(entry?.data ?? '{}')).toMatchObject({
      topic: 'escalation',
      note: input.note,
    });
  });

  describe('refuses bad input, naming the field and storing nothing', () => {
    const good = { person: 'rita@provider.example', topic: 'privacy', completedAt: JOINED };
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['an unknown topic', { topic: 'phishing' }, 'BD_TRAINING_INVALID', 'topic'],
      ['an unknown version', { version: '2019.1' }, 'BD_TRAINING_INVALID', 'version'],
      [
        'a time in the future',
        { completedAt: '2026-11-21T00:00:00Z' },
        'BD_TRAINING_INVALID',
        'completedAt',
      ],
      [
        'a time before joining',
        { completedAt: '2026-02-28T00:00:00Z' },
        'BD_TRAINING_INVALID',
        'completedAt',
      ],
      [
        'a time without offset',
        { completedAt: '2026-03-05T10:00:00' },
        'BD_TRAINING_INVALID',
        'completedAt',
      ],
      ['a tenant admin', { person: 'ta@acme.example' }, 'BD_TRAINING_INVALID', 'person'],
      ['an unknown person', { person: 'nobody@provider.example' }, 'BD_NOT_FOUND', 'person'],
      ['an over-long note', { note: 'x'.repeat(1001) }, 'BD_TRAINING_INVALID', 'note'],
      ['an unknown field', { passed: true }, 'BD_TRAINING_INVALID', 'passed'],
    ];

    it.each(cases)('%s', async (_name, change, code, field) => {
      await joinPerson(store.db, 'rita@provider.example', JOINED);
      await joinPerson(store.db, 'ta@acme.example', JOINED, {
        role: 'tenant_admin',
        tenantId: 'acme',
      });
      const before = await fullSnapshot(store.db);

      const attempt = recordCompletion(store.db, manager, { ...good, ...change }, NOW);

      await expect(attempt).rejects.toMatchObject({ code, field });
      expect(await fullSnapshot(store.db)).toEqual(before);
    });

    it('a role that may not record (auditor)', async () => {
      await joinPerson(store.db, 'rita@provider.example', JOINED);
      const before = await fullSnapshot(store.db);

      const attempt = recordCompletion(store.db, cliActor('auditor'), good, NOW);

      await expect(attempt).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
      expect(await fullSnapshot(store.db)).toEqual(before);
    });
  });

  it('shows a refresher due at exactly 365 days and overdue a moment later', async () => {
    await joinPerson(store.db, 'rita@provider.example', JOINED);
    await trainAll(store.db, 'rita@provider.example', '2026-03-10T00:00:00Z');
    const due = Date.parse('2027-03-10T00:00:00Z');

    const onTime = await listTrainingStatus(store.db, { at: new Date(due) });
    const late = await listTrainingStatus(store.db, { at: new Date(due + 1) });

    expect(onTime[0]?.topics.map((t) => t.state)).toEqual(Array(6).fill('due'));
    expect(late[0]).toMatchObject({ state: 'overdue', email: 'rita@provider.example' });
  });

  it('lists only the people with gaps, and only their gaps, when asked who is due', async () => {
    await joinPerson(store.db, 'rita@provider.example', JOINED);
    await joinPerson(store.db, 'new@provider.example', '2026-11-10T00:00:00Z');
    await trainAll(store.db, 'rita@provider.example', '2026-03-10T00:00:00Z');
    await recordCompletion(
      store.db,
      manager,
      { person: 'new@provider.example', topic: 'privacy', completedAt: '2026-11-12T00:00:00Z' },
      NOW,
    );

    const due = await listTrainingStatus(store.db, { at: NOW, dueOnly: true });

    expect(due.map((p) => p.email)).toEqual(['new@provider.example']);
    expect(due[0]?.topics).toHaveLength(5);
    expect(
      due[0]?.topics.every((t) => t.state === 'due' && t.dueAt === '2026-12-10T00:00:00.000Z'),
    ).toBe(true);
  });

  it('leaves tenant admins and disabled people out of the statuses', async () => {
    await joinPerson(store.db, 'rita@provider.example', JOINED);
    await joinPerson(store.db, 'ta@acme.example', JOINED, {
      role: 'tenant_admin',
      tenantId: 'acme',
    });
    const gone = await joinPerson(store.db, 'gone@provider.example', JOINED);
    await disablePerson(store.db, gone, 'test');

    const listed = await listTrainingStatus(store.db, { at: NOW });

    expect(listed.map((p) => p.email)).toEqual(['rita@provider.example']);
  });

  describe('export for auditors', () => {
    const FORMULA_NAME = "=cmd|' /C calc'!A0";

    beforeEach(async () => {
      await joinPerson(store.db, 'eve@provider.example', JOINED, { name: FORMULA_NAME });
      await recordCompletion(
        store.db,
        manager,
        {
          person: 'eve@provider.example',
          topic: 'privacy',
          completedAt: '2026-03-02T00:00:00Z',
          note: '@SUM(A1:A9)',
        },
        NOW,
      );
    });

    it('neutralises formula prefixes in CSV cells of the status rows', async () => {
      const file = await exportTraining(store.db, cliActor('auditor'), {
        format: 'csv',
        rows: 'status',
        at: NOW,
      });

      const lines = file.body.split('\r\n');
      expect(lines[0]).toMatch(/^person_id,email,display_name,role,joined_at,topic,/);
      expect(lines).toHaveLength(1 + 6 + 1);
      expect(file.body).toContain(`"'=cmd|' /C calc'!A0"`);
      expect(file.body).not.toMatch(/,=cmd/);
    });

    it('neutralises notes in the completion rows and keeps them intact in JSON', async () => {
      const csv = await exportTraining(store.db, cliActor('auditor'), {
        format: 'csv',
        rows: 'completions',
        at: NOW,
      });
      const json = await exportTraining(store.db, cliActor('auditor'), {
        format: 'json',
        rows: 'status',
        at: NOW,
      });

      expect(csv.body).toContain(`"'@SUM(A1:A9)"`);
      const doc = JSON.parse(json.body);
      expect(doc.completions[0]).toMatchObject({ note: '@SUM(A1:A9)', displayName: FORMULA_NAME });
      expect(doc.rules).toMatchObject({ joiningGraceDays: 30, refresherDays: 365 });
    });

    it('audits each export and refuses roles that may not export', async () => {
      await exportTraining(store.db, cliActor('auditor', 'ada'), {
        format: 'json',
        rows: 'status',
      });
      const refused = exportTraining(store.db, cliActor('responder'), {
        format: 'csv',
        rows: 'status',
      });

      await expect(refused).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
      const entries = await store.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'training.exported')));
      expect(entries.map((e) => e.actor)).toEqual(['cli:ada (auditor)']);
    });
  });

  it('counts a completion recorded on the last day of the joining grace as on time', async () => {
    await joinPerson(store.db, 'rita@provider.example', JOINED);
    const last = new Date(Date.parse(JOINED) + 30 * DAY).toISOString();
    await trainAll(store.db, 'rita@provider.example', last);

    const [rita] = await listTrainingStatus(store.db, { at: new Date(last) });

    expect(rita?.state).toBe('ok');
  });
});
