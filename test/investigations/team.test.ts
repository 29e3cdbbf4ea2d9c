/**
 * An investigation's team (src/investigations/team.ts): adding by e-mail or person id,
 * removing (the row stays), listing, who counts as on it, and the refusals that leave stored
 * data as it was.
 */
import { auditEntriesFor } from '../../src/audit/log.ts';
import { TRAINING_TOPICS } from '../../src/domain/training.ts';
import { trainAll } from '../training/training-fixtures.ts';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Actor, cliActor } from '../../src/auth/actor.ts';
import { addPerson, disablePerson } from '../../src/auth/people.ts';
import {
  addTeamMember,
  isOnTeam,
  listTeam,
  removeTeamMember,
  type TeamWarningCheck,
} from '../../src/investigations/team.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { auditLog, investigationTeam } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';

const manager = cliActor('incident_manager', 'ines');

async function person(db: Db, email: string, role: string, tenantId: string | null = null) {
  const { person: p } = await addPerson(db, {
    email,
    displayName: email.split('@')[0] ?? email,
    role,
    tenantId,
    by: 'test',
  });
  return p;
}

/** The shared snapshot plus the tables this feature writes. */
async function digest(db: Db) {
  const res: unknown = await db.execute(
    sql.raw(
      `SELECT count(*)::text || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) ` +
        'AS d FROM investigation_team x',
    ),
  );
  const team = (res as { rows: { d: string }[] }).rows[0]?.d;
  return { ...(await snapshot(db)), investigation_team: team };
}

const asPerson = (email: string, role: Actor['role'] = 'investigator'): Actor => ({
  id: `person:${email}`,
  role,
  tenantId: null,
});

describeEachBackend('investigation team', (backend) => {
  let store: Store;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    id = await openInvestigation(store.db);
  });
  afterEach(async () => {
    await store.close();
  });

  it('adds people by e-mail or id and lists the current team, leads first', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    const lee = await person(store.db, 'lee@provider.example', 'legal');

    const first = await addTeamMember(store.db, manager, id, {
      person: 'IVY@provider.example',
      teamRole: 'member',
    });
    await addTeamMember(store.db, manager, id, { person: lee.id, teamRole: 'lead' });

    expect(first).toMatchObject({ member: { personId: ivy.id, teamRole: 'member' } });
    const team = await listTeam(store.db, id);
    expect(team.map((m) => [m.email, m.teamRole])).toEqual([
      ['lee@provider.example', 'lead'],
      ['ivy@provider.example', 'member'],
    ]);
  });

  it('audits additions and removals with who and whom', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    await addTeamMember(store.db, manager, id, { person: ivy.email, teamRole: 'lead' });
    await removeTeamMember(store.db, manager, id, ivy.id);

    const entries = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, id))
      .orderBy(auditLog.seq);
    const team = entries.filter((e) => e.action.startsWith('investigation.team_'));
    const whom = (data: string) => (JSON.parse(data) as { personId?: string }).personId;
    expect(team.map((e) => [e.action, e.actor, whom(e.data)])).toEqual([
      ['investigation.team_added', 'cli:ines (incident_manager)', ivy.id],
      ['investigation.team_removed', 'cli:ines (incident_manager)', ivy.id],
    ]);
  });

  it('keeps the row of a removed member, marked with who removed them and when', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    await addTeamMember(store.db, manager, id, { person: ivy.email, teamRole: 'member' });

    const removed = await removeTeamMember(store.db, manager, id, ivy.email);

    expect(removed.removedBy).toBe('cli:ines (incident_manager)');
    expect(await listTeam(store.db, id)).toEqual([]);
    const rows = await store.db.select().from(investigationTeam);
    expect(rows.map((r) => r.removedAt !== null)).toEqual([true]);
  });

  it('counts a signed-in person as on the team only while they are a current member', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    const ivyActor = asPerson(ivy.email);
    const before = await isOnTeam(store.db, id, ivyActor);
    await addTeamMember(store.db, manager, id, { person: ivy.email, teamRole: 'member' });
    const during = await isOnTeam(store.db, id, ivyActor);
    await removeTeamMember(store.db, manager, id, ivy.id);

    expect([before, during, await isOnTeam(store.db, id, ivyActor)]).toEqual([false, true, false]);
  });

  it('does not count a token or CLI caller named like a member as on the team', async () => {
    await person(store.db, 'ivy@provider.example', 'investigator');
    await addTeamMember(store.db, manager, id, {
      person: 'ivy@provider.example',
      teamRole: 'lead',
    });

    const token: Actor = { id: 'token:ivy@provider.example', role: 'investigator', tenantId: null };
    expect(await isOnTeam(store.db, id, token)).toBe(false);
    expect(await isOnTeam(store.db, id, cliActor('investigator', 'ivy@provider.example'))).toBe(
      false,
    );
  });

  it('lets a person rejoin after removal', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    await addTeamMember(store.db, manager, id, { person: ivy.email, teamRole: 'member' });
    await removeTeamMember(store.db, manager, id, ivy.id);

    await addTeamMember(store.db, manager, id, { person: ivy.email, teamRole: 'lead' });

    expect((await listTeam(store.db, id)).map((m) => m.teamRole)).toEqual(['lead']);
    expect(await store.db.select().from(investigationTeam)).toHaveLength(2);
  });

  it('warns when an untrained person joins, not a trained one, and audits it', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    const tom = await person(store.db, 'tom@provider.example', 'responder');
    await trainAll(store.db, tom.id, new Date().toISOString());

    const untrained = await addTeamMember(store.db, manager, id, {
      person: ivy.email,
      teamRole: 'member',
    });
    const trained = await addTeamMember(store.db, manager, id, {
      person: tom.email,
      teamRole: 'member',
    });

    expect(untrained.warnings).toHaveLength(TRAINING_TOPICS.length);
    expect(untrained.warnings[0]).toMatch(/^ivy@provider\.example has never completed/);
    expect(trained.warnings).toEqual([]);
    const audited = (await auditEntriesFor(store.db, id))
      .filter((e) => e.action === 'investigation.team_added')
      .map((e) => (JSON.parse(e.data) as { warnings: string[] }).warnings.length);
    expect(audited).toEqual([TRAINING_TOPICS.length, 0]);
  });

  it('refuses an administrator adding themselves (it opens the post-mortem)', async () => {
    await person(store.db, 'ada@provider.example', 'admin');
    const ada: Actor = { id: 'person:ada@provider.example', role: 'admin', tenantId: null };
    const before = await digest(store.db);

    await expect(
      addTeamMember(store.db, ada, id, { person: 'ada@provider.example', teamRole: 'lead' }),
    ).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN', field: 'person' });
    expect(await digest(store.db)).toEqual(before);

    // An incident manager reads every post-mortem anyway and may lead the team.
    await person(store.db, 'ines@provider.example', 'incident_manager');
    const ines: Actor = {
      id: 'person:ines@provider.example',
      role: 'incident_manager',
      tenantId: null,
    };
    const led = await addTeamMember(store.db, ines, id, {
      person: 'ines@provider.example',
      teamRole: 'lead',
    });
    expect(led.member.teamRole).toBe('lead');
  });

  it('returns the warnings of the checks it is given instead of the training check', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    const check: TeamWarningCheck = (_conn, p) => Promise.resolve([`${p.email} training overdue`]);

    const { warnings } = await addTeamMember(
      store.db,
      manager,
      id,
      { person: ivy.email, teamRole: 'member' },
      { warningChecks: [check] },
    );

    expect(warnings).toEqual(['ivy@provider.example training overdue']);
  });

  it.each([
    [
      'an unknown person',
      { person: 'nobody@provider.example', teamRole: 'member' },
      'BD_NOT_FOUND',
    ],
    ['a tenant admin', { person: 'ta@acme.example', teamRole: 'member' }, 'BD_TEAM_INELIGIBLE'],
    [
      'a disabled person',
      { person: 'gone@provider.example', teamRole: 'member' },
      'BD_TEAM_INELIGIBLE',
    ],
    ['a reporter', { person: 'rae@provider.example', teamRole: 'member' }, 'BD_TEAM_INELIGIBLE'],
    ['no person', { teamRole: 'member' }, 'BD_REQUEST_INVALID'],
  ])('refuses %s naming the field, data unchanged', async (_name, input, code) => {
    await person(store.db, 'ta@acme.example', 'tenant_admin', 'acme');
    await person(store.db, 'rae@provider.example', 'reporter');
    const gone = await person(store.db, 'gone@provider.example', 'investigator');
    await disablePerson(store.db, gone.id, 'test');
    const before = await digest(store.db);

    await expect(addTeamMember(store.db, manager, id, input)).rejects.toMatchObject({
      code,
      field: 'person',
    });
    expect(await digest(store.db)).toEqual(before);
  });

  it('refuses an unknown team role naming teamRole, data unchanged', async () => {
    await person(store.db, 'ivy@provider.example', 'investigator');
    const before = await digest(store.db);

    await expect(
      addTeamMember(store.db, manager, id, { person: 'ivy@provider.example', teamRole: 'boss' }),
    ).rejects.toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'teamRole' });
    expect(await digest(store.db)).toEqual(before);
  });

  it('refuses adding someone already on the team as a conflict, data unchanged', async () => {
    await person(store.db, 'ivy@provider.example', 'investigator');
    await addTeamMember(store.db, manager, id, {
      person: 'ivy@provider.example',
      teamRole: 'lead',
    });
    const before = await digest(store.db);

    await expect(
      addTeamMember(store.db, manager, id, { person: 'ivy@provider.example', teamRole: 'member' }),
    ).rejects.toMatchObject({ code: 'BD_TEAM_CONFLICT', field: 'person' });
    expect(await digest(store.db)).toEqual(before);
  });

  it('refuses removing someone not on the team, data unchanged', async () => {
    const ivy = await person(store.db, 'ivy@provider.example', 'investigator');
    const before = await digest(store.db);

    await expect(removeTeamMember(store.db, manager, id, ivy.id)).rejects.toMatchObject({
      code: 'BD_NOT_FOUND',
      field: 'personId',
    });
    expect(await digest(store.db)).toEqual(before);
  });

  it('refuses a responder managing the team, data unchanged', async () => {
    await person(store.db, 'ivy@provider.example', 'investigator');
    const before = await digest(store.db);

    await expect(
      addTeamMember(store.db, cliActor('responder'), id, {
        person: 'ivy@provider.example',
        teamRole: 'member',
      }),
    ).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
    expect(await digest(store.db)).toEqual(before);
  });
});
