/**
 * The on-call rota on PGlite and PostgreSQL: training warnings for untrained and overdue
 * people (and none for trained ones), recorded in the audit entry; period refusals that store
 * nothing (a role that does not respond, a start more than 366 days ahead); removal; and
 * trainingWarnings as other parts call it.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { disablePerson } from '../../src/auth/people.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog } from '../../src/store/schema.ts';
import {
  addOnCall,
  listOnCall,
  removeOnCall,
  trainingWarnings,
} from '../../src/training/on-call.ts';
import { describeEachBackend } from '../support/backends.ts';
import { seedTenants } from '../support/factories.ts';
import { fullSnapshot, joinPerson, manager, trainAll } from './training-fixtures.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
// The roles that respond to incidents, and so the only ones a rota may call.
const ONCALL_ROLES = [
  'admin',
  'responder',
  'investigator',
  'incident_manager',
  'executive_incident_manager',
  'legal',
];
const SHIFT = { startsAt: '2026-11-23T08:00:00Z', endsAt: '2026-11-30T08:00:00Z' };

async function auditData(store: Store, action: string) {
  const rows = await store.db.select().from(auditLog).where(eq(auditLog.action, action));
  return rows.map((r) => JSON.parse(r.data) as Record<string, unknown>);
}

describeEachBackend('on-call rota', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
  });
  afterEach(async () => {
    await store.close();
  });

  it('puts a trained person on call without warnings and audits it', async () => {
    await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
    await trainAll(store.db, 'rita@provider.example', '2026-02-10T00:00:00Z');

    const added = await addOnCall(
      store.db,
      manager,
      { person: 'rita@provider.example', ...SHIFT },
      NOW,
    );

    expect(added.warnings).toEqual([]);
    expect(await auditData(store, 'oncall.added')).toEqual([
      expect.objectContaining({ personId: added.shift.personId, warnings: [] }),
    ]);
  });

  it('warns about each topic never completed, and audits the warnings', async () => {
    await joinPerson(store.db, 'new@provider.example', '2026-11-15T00:00:00Z');

    const added = await addOnCall(
      store.db,
      manager,
      { person: 'new@provider.example', ...SHIFT },
      NOW,
    );

    expect(added.warnings).toHaveLength(6);
    expect(added.warnings[0]).toBe(
      'new@provider.example has never completed "What a security incident is" ' +
        '(what-is-an-incident)',
    );
    expect((await auditData(store, 'oncall.added'))[0]?.warnings).toEqual(added.warnings);
  });

  it('warns about a person whose refresher falls overdue before the shift ends', async () => {
    await joinPerson(store.db, 'old@provider.example', '2026-01-02T00:00:00Z');
    await trainAll(store.db, 'old@provider.example', '2026-01-05T00:00:00Z');
    const shift = { startsAt: '2026-12-30T00:00:00Z', endsAt: '2027-01-06T00:00:00Z' };

    const added = await addOnCall(
      store.db,
      manager,
      { person: 'old@provider.example', ...shift },
      NOW,
    );

    expect(added.warnings).toHaveLength(6);
    expect(added.warnings[2]).toBe(
      'old@provider.example is overdue for "How to escalate" (escalation), ' +
        'due 2027-01-05T00:00:00.000Z',
    );
  });

  describe('refuses an unusable shift, naming the field and storing nothing', () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      [
        'an end before the start',
        { endsAt: '2026-11-22T00:00:00Z' },
        'BD_ONCALL_INVALID',
        'endsAt',
      ],
      [
        'a shift 1 ms over 31 days',
        { endsAt: '2026-12-24T08:00:00.001Z' },
        'BD_ONCALL_INVALID',
        'endsAt',
      ],
      [
        'a shift already over',
        { startsAt: '2026-11-01T00:00:00Z', endsAt: '2026-11-20T12:00:00Z' },
        'BD_ONCALL_INVALID',
        'endsAt',
      ],
      [
        'a start without offset',
        { startsAt: '2026-11-23T08:00:00' },
        'BD_ONCALL_INVALID',
        'startsAt',
      ],
      ['a tenant admin', { person: 'ta@acme.example' }, 'BD_ONCALL_INVALID', 'person'],
      ['a reporter', { person: 'reporter@provider.example' }, 'BD_ONCALL_INVALID', 'person'],
      ['an auditor', { person: 'auditor@provider.example' }, 'BD_ONCALL_INVALID', 'person'],
      [
        'an account team member',
        { person: 'account_team@provider.example' },
        'BD_ONCALL_INVALID',
        'person',
      ],
      [
        'a start 366 days and 1 ms from now',
        { startsAt: '2027-11-21T12:00:00.001Z', endsAt: '2027-11-22T12:00:00Z' },
        'BD_ONCALL_INVALID',
        'startsAt',
      ],
      [
        'a shift in the year 9999',
        { startsAt: '9999-01-01T00:00:00Z', endsAt: '9999-01-02T00:00:00Z' },
        'BD_ONCALL_INVALID',
        'startsAt',
      ],
      ['a disabled person', { person: 'gone@provider.example' }, 'BD_ONCALL_INVALID', 'person'],
      [
        'an overlapping shift',
        { startsAt: '2026-11-29T00:00:00Z', endsAt: '2026-12-02T00:00:00Z' },
        'BD_ONCALL_STATE',
        'startsAt',
      ],
    ];

    it.each(cases)('%s', async (_name, change, code, field) => {
      await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
      await joinPerson(store.db, 'ta@acme.example', '2026-02-01T00:00:00Z', {
        role: 'tenant_admin',
        tenantId: 'acme',
      });
      for (const role of ['reporter', 'auditor', 'account_team']) {
        await joinPerson(store.db, `${role}@provider.example`, '2026-02-01T00:00:00Z', { role });
      }
      const gone = await joinPerson(store.db, 'gone@provider.example', '2026-02-01T00:00:00Z');
      await disablePerson(store.db, gone, 'test');
      await addOnCall(store.db, manager, { person: 'rita@provider.example', ...SHIFT }, NOW);
      const before = await fullSnapshot(store.db);

      const body = { person: 'rita@provider.example', ...SHIFT, ...change };
      const attempt = addOnCall(store.db, manager, body, NOW);

      await expect(attempt).rejects.toMatchObject({ code, field });
      expect(await fullSnapshot(store.db)).toEqual(before);
    });
  });

  it('accepts a shift of exactly 31 days', async () => {
    await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
    const month = { startsAt: '2026-12-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z' };

    const added = await addOnCall(
      store.db,
      manager,
      { person: 'rita@provider.example', ...month },
      NOW,
    );

    expect(added.shift.endsAt).toBe('2027-01-01T00:00:00.000Z');
  });

  it('accepts a shift that starts exactly 366 days from now', async () => {
    await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
    const late = { startsAt: '2027-11-21T12:00:00Z', endsAt: '2027-11-22T12:00:00Z' };

    const added = await addOnCall(
      store.db,
      manager,
      { person: 'rita@provider.example', ...late },
      NOW,
    );

    expect(added.shift.startsAt).toBe('2027-11-21T12:00:00.000Z');
  });

  it.each(ONCALL_ROLES)('puts a person of role %s on call', async (role) => {
    await joinPerson(store.db, 'pat@provider.example', '2026-02-01T00:00:00Z', { role });

    const added = await addOnCall(
      store.db,
      manager,
      { person: 'pat@provider.example', ...SHIFT },
      NOW,
    );

    expect(added.shift.email).toBe('pat@provider.example');
  });

  it('removes a shift once, audited, and lists only current and upcoming shifts', async () => {
    await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
    await joinPerson(store.db, 'bo@provider.example', '2026-02-01T00:00:00Z');
    const a = await addOnCall(
      store.db,
      manager,
      { person: 'rita@provider.example', ...SHIFT },
      NOW,
    );
    const b = await addOnCall(store.db, manager, { person: 'bo@provider.example', ...SHIFT }, NOW);

    await removeOnCall(store.db, manager, a.shift.id, NOW);
    const again = removeOnCall(store.db, manager, a.shift.id, NOW);

    await expect(again).rejects.toMatchObject({ code: 'BD_ONCALL_STATE' });
    expect((await listOnCall(store.db, NOW)).map((s) => s.id)).toEqual([b.shift.id]);
    expect(await listOnCall(store.db, new Date(SHIFT.endsAt))).toEqual([]);
    expect(await auditData(store, 'oncall.removed')).toHaveLength(1);
  });

  it('refuses a role that may not change the rota', async () => {
    await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
    const before = await fullSnapshot(store.db);

    const attempt = addOnCall(
      store.db,
      cliActor('responder'),
      { person: 'rita@provider.example', ...SHIFT },
      NOW,
    );

    await expect(attempt).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
    expect(await fullSnapshot(store.db)).toEqual(before);
  });

  it('gives other parts the same warnings by person id at any instant', async () => {
    const id = await joinPerson(store.db, 'rita@provider.example', '2026-02-01T00:00:00Z');
    await trainAll(store.db, 'rita@provider.example', '2026-02-10T00:00:00Z');

    expect(await trainingWarnings(store.db, id, '2026-11-20T00:00:00Z')).toEqual([]);
    expect(await trainingWarnings(store.db, id, new Date('2027-02-10T00:00:00.001Z'))).toHaveLength(
      6,
    );
    await expect(trainingWarnings(store.db, 'no-such-person', NOW)).rejects.toMatchObject({
      code: 'BD_NOT_FOUND',
    });
  });
});
