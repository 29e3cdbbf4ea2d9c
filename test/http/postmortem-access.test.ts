/**
 * Confidential post-mortems over HTTP: only the investigation's team, incident managers and
 * auditors read one (GET …/postmortem); everyone else on the provider's side gets 403, a tenant
 * admin 404. Every read is audited, allowed (`postmortem.read`) or refused (`access.denied`),
 * and the investigation in full hides the post-mortem from those who may not read it. The team
 * itself is managed through GET/POST/DELETE …/team.
 */
import { asc, inArray } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { addTeamMember } from '../../src/investigations/team.ts';
import { writePostmortem } from '../../src/investigations/workflow.ts';
import type { Store } from '../../src/store/db.ts';
import { auditLog } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, signIn } from '../support/sign-in.ts';

const manager = cliActor('incident_manager', 'ines');
const SECRET = 'the backup bucket was public because of a rushed change by the on-call';

const PEOPLE = {
  ivy: 'investigator',
  otto: 'investigator',
  leo: 'legal',
  lena: 'legal',
  ines: 'incident_manager',
  eve: 'executive_incident_manager',
  audrey: 'auditor',
} as const;
type Who = keyof typeof PEOPLE;
const emailOf = (who: string) => `${who}@provider.example`;

describeEachBackend('confidential post-mortems over HTTP', (backend) => {
  let store: Store;
  let server: TestServer;
  let id: string;
  const cookies: Partial<Record<Who, string>> = {};

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    id = await openInvestigation(store.db);
    await writePostmortem(store.db, manager, id, {
      summary: 'Customer exports were readable from the internet for a day',
      rootCause: SECRET,
      lessons: 'review bucket policies',
      actions: ['block public access account-wide'],
    });
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
    for (const [who, role] of Object.entries(PEOPLE)) {
      await addTestPerson(store.db, { email: emailOf(who), role });
      cookies[who as Who] = (await signIn(server.app, emailOf(who))).cookie;
    }
    // Ivy investigates and Leo advises on this investigation; Otto and Lena are not on it.
    await addTeamMember(store.db, manager, id, { person: emailOf('ivy'), teamRole: 'lead' });
    await addTeamMember(store.db, manager, id, { person: emailOf('leo'), teamRole: 'member' });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const as = (who: Who) => ({ cookie: cookies[who] ?? '' });
  const read = (headers: Record<string, string>, url = `/api/v1/investigations/${id}/postmortem`) =>
    server.app.inject({ method: 'GET', url, headers });

  async function auditedReads() {
    const rows = await store.db
      .select()
      .from(auditLog)
      .where(inArray(auditLog.action, ['postmortem.read', 'access.denied']))
      .orderBy(asc(auditLog.seq));
    return rows.map((r) => {
      const data = JSON.parse(r.data) as { status?: number; via?: string };
      return `${r.actor} ${r.action} ${data.status ?? data.via}`;
    });
  }

  describe('who reads', () => {
    it('lets a team member, the managers and an auditor read it', async () => {
      const statuses = [];
      for (const who of ['ivy', 'leo', 'ines', 'eve', 'audrey'] as const) {
        const res = await read(as(who));
        statuses.push(`${who} ${res.statusCode} ${res.json().postmortem?.rootCause === SECRET}`);
      }

      expect(statuses).toEqual([
        'ivy 200 true',
        'leo 200 true',
        'ines 200 true',
        'eve 200 true',
        'audrey 200 true',
      ]);
    });

    it('refuses an investigator and legal not on the team with 403', async () => {
      const otto = await read(as('otto'));
      const lena = await read(as('lena'));

      expect([otto.statusCode, lena.statusCode]).toEqual([403, 403]);
      expect(otto.json().error.code).toBe('BD_AUTH_FORBIDDEN');
      expect(otto.body).not.toContain(SECRET);
    });

    it('refuses API tokens of team-bound roles: a token is on no team', async () => {
      const res = await read(server.as('admin'));

      expect(res.statusCode).toBe(403);
    });

    it('refuses roles that read no post-mortem at all with 403', async () => {
      const { token } = await createToken(store.db, {
        label: 'am-acme@provider.example',
        role: 'account_team',
        createdBy: 'test',
      });

      const res = await read({ authorization: `Bearer ${token}` });

      expect(res.statusCode).toBe(403);
    });

    it('answers a tenant admin 404, as for any investigation', async () => {
      const res = await read(server.as('tenant_admin:acme'));

      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('BD_NOT_FOUND');
    });

    it('lets a person read from when they join the team until they leave it', async () => {
      const mgr = server.as('incident_manager');
      const before = (await read(as('otto'))).statusCode;
      const added = await server.app.inject({
        method: 'POST',
        url: `/api/v1/investigations/${id}/team`,
        headers: mgr,
        payload: { person: emailOf('otto'), teamRole: 'member' },
      });
      const during = (await read(as('otto'))).statusCode;
      const removed = await server.app.inject({
        method: 'DELETE',
        url: `/api/v1/investigations/${id}/team/${emailOf('otto')}`,
        headers: mgr,
      });

      expect([added.statusCode, removed.statusCode]).toEqual([201, 200]);
      expect([before, during, (await read(as('otto'))).statusCode]).toEqual([403, 200, 403]);
    });
  });

  describe('who writes', () => {
    it('lets only the team and the managers write it; others change nothing', async () => {
      const sessions: Partial<Record<Who, { cookie: string; csrfToken: string }>> = {};
      for (const who of ['otto', 'ivy', 'ines'] as const) {
        sessions[who] = await signIn(server.app, emailOf(who));
      }
      const write = (who: Who, rootCause: string) => {
        const { cookie, csrfToken } = sessions[who] ?? { cookie: '', csrfToken: '' };
        return server.app.inject({
          method: 'POST',
          url: `/api/v1/investigations/${id}/postmortem`,
          headers: { cookie, 'x-csrf-token': csrfToken },
          payload: { summary: 's', rootCause, lessons: 'l', actions: ['a'] },
        });
      };
      const before = await snapshot(store.db);

      const otto = await write('otto', 'rewritten by someone off the team');
      expect(otto.statusCode).toBe(403);
      expect(otto.json().error.message).toMatch(/only of investigations whose team they are on/);
      expect(await snapshot(store.db)).toEqual(before);

      expect((await write('ivy', 'written by the lead')).statusCode).toBe(200);
      expect((await write('ines', 'written by the manager')).statusCode).toBe(200);
      expect((await read(as('ivy'))).json().postmortem.rootCause).toBe('written by the manager');
    });
  });

  describe('auditing', () => {
    it('audits every read, allowed or refused, with the reader', async () => {
      const { token } = await createToken(store.db, {
        label: 'rae',
        role: 'reporter',
        createdBy: 'test',
      });
      const seen = (await auditedReads()).length;

      await read(as('ivy'));
      await read(as('otto'));
      await read(as('audrey'));
      await read(as('lena'));
      await read(server.as('tenant_admin:acme'));
      await read({ authorization: `Bearer ${token}` });

      expect((await auditedReads()).slice(seen)).toEqual([
        'person:ivy@provider.example (investigator) postmortem.read postmortem',
        'person:otto@provider.example (investigator) access.denied 403',
        'person:audrey@provider.example (auditor) postmortem.read postmortem',
        'person:lena@provider.example (legal) access.denied 403',
        'token:ta-acme (tenant_admin) access.denied 404',
        'token:rae (reporter) access.denied 403',
      ]);
    });

    it('audits a refusal against the investigation and its route', async () => {
      await read(as('otto'), `/api/v1/investigations/${id}/postmortem`);

      const [denial] = (await store.db.select().from(auditLog).orderBy(asc(auditLog.seq)))
        .filter((e) => e.action === 'access.denied')
        .slice(-1);
      expect(denial?.entityId).toBe(id);
      expect(JSON.parse(denial?.data ?? '{}')).toMatchObject({
        route: 'GET /api/v1/investigations/:id/postmortem',
        action: 'postmortem.read',
        status: 403,
      });
    });
  });

  describe('the investigation in full', () => {
    const detail = (headers: Record<string, string>) =>
      read(headers, `/api/v1/investigations/${id}`);

    it('shows the post-mortem to a team member and audits that read', async () => {
      const seen = (await auditedReads()).length;
      const res = await detail(as('ivy'));

      expect(res.json().postmortem.rootCause).toBe(SECRET);
      expect((await auditedReads()).slice(seen)).toEqual([
        'person:ivy@provider.example (investigator) postmortem.read investigation',
      ]);
    });

    it('shows readers off the team only that it is restricted', async () => {
      const res = await detail(as('otto'));

      expect(res.statusCode).toBe(200);
      expect(res.json().postmortem).toEqual({ restricted: true });
      expect(res.body).not.toContain(SECRET);
    });
  });

  describe('team routes', () => {
    it('lists the current team to readers of the investigation', async () => {
      const res = await read(as('otto'), `/api/v1/investigations/${id}/team`);

      expect(res.statusCode).toBe(200);
      const team = res.json<{ email: string; teamRole: string }[]>();
      expect(team.map((m) => [m.email, m.teamRole])).toEqual([
        [emailOf('ivy'), 'lead'],
        [emailOf('leo'), 'member'],
      ]);
    });

    it('refuses a responder adding to the team with 403, data unchanged', async () => {
      const before = await snapshot(store.db);
      const res = await server.app.inject({
        method: 'POST',
        url: `/api/v1/investigations/${id}/team`,
        headers: server.as('responder'),
        payload: { person: emailOf('otto'), teamRole: 'member' },
      });

      expect(res.statusCode).toBe(403);
      expect(await snapshot(store.db)).toEqual(before);
    });

    it('refuses adding someone already on the team with 409 naming person', async () => {
      const res = await server.app.inject({
        method: 'POST',
        url: `/api/v1/investigations/${id}/team`,
        headers: server.as('incident_manager'),
        payload: { person: emailOf('ivy'), teamRole: 'member' },
      });

      expect(res.statusCode).toBe(409);
      expect(res.json().error).toMatchObject({ code: 'BD_TEAM_CONFLICT', field: 'person' });
    });

    it('answers a tenant admin 404 on the team routes', async () => {
      const res = await read(server.as('tenant_admin:acme'), `/api/v1/investigations/${id}/team`);

      expect(res.statusCode).toBe(404);
    });
  });
});
