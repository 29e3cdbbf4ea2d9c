/**
 * The oversight reads over HTTP: the audit log a page at a time (GET /api/v1/audit/entries),
 * the post-mortems a reader may open (GET /api/v1/postmortems) and the response timings
 * (GET /api/v1/metrics/timings). Roles outside each action are refused, bad parameters get a
 * coded 400 naming the field, and nothing is written by a read or a refusal.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliActor } from '../../src/auth/actor.ts';
import { addTeamMember } from '../../src/investigations/team.ts';
import { writePostmortem } from '../../src/investigations/workflow.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, buildEveAlert, seedTenants, snapshot } from '../support/factories.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { addTestPerson, signIn } from '../support/sign-in.ts';
import { seedTimings, type TimingsSeed } from '../support/timings-seed.ts';

const manager = cliActor('incident_manager', 'ines');
const H = 3600;
const POSTMORTEM = {
  summary: 'Customer exports were readable for a day',
  rootCause: 'a rushed bucket policy change',
  lessons: 'review bucket policies',
  actions: ['block public access account-wide'],
};

interface Entry {
  seq: number;
}
interface PageBody {
  entries: Entry[];
  nextBefore: number | null;
}
interface Group {
  sourceKind: string;
  month: string;
}

describeEachBackend('oversight reads over HTTP', (backend) => {
  let store: Store;
  let server: TestServer;

  beforeEach(async () => {
    store = await backend.open();
    await seedTenants(store.db, ['acme']);
    server = await startTestServer(store, { tenantAdmins: ['acme'] });
  });
  afterEach(async () => {
    await server.app.close();
    await store.close();
  });

  const get = (url: string, headers: Record<string, string>) =>
    server.app.inject({ method: 'GET', url, headers });

  describe('GET /api/v1/audit/entries', () => {
    it('pages the log newest first by seq, down to entry 1', async () => {
      await openInvestigation(store.db);
      await openInvestigation(store.db, buildEveAlert({ sid: 9_000_002 }));
      const res = await get('/api/v1/audit/entries?limit=500', server.as('auditor'));
      const all = res.json<PageBody>();
      const seqs = all.entries.map((e) => e.seq);
      expect(seqs.length).toBeGreaterThan(3);
      expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
      expect(seqs.at(-1)).toBe(1);
      expect(all.nextBefore).toBeNull();

      const first = (
        await get('/api/v1/audit/entries?limit=2', server.as('admin'))
      ).json<PageBody>();
      const next = `/api/v1/audit/entries?limit=2&before=${first.nextBefore}`;
      const second = (await get(next, server.as('admin'))).json<PageBody>();

      expect(first.entries.map((e) => e.seq)).toEqual(seqs.slice(0, 2));
      expect(first.nextBefore).toBe(seqs[1]);
      expect(second.entries.map((e) => e.seq)).toEqual(seqs.slice(2, 4));
      expect(Object.keys(first.entries[0] ?? {}).sort()).toEqual(
        ['action', 'actor', 'at', 'data', 'entityId', 'entityType', 'seq'].sort(),
      );
    });

    it('refuses roles without audit.read: responder 403, tenant admin 403', async () => {
      const responder = await get('/api/v1/audit/entries', server.as('responder'));
      const tenant = await get('/api/v1/audit/entries', server.as('tenant_admin:acme'));

      expect([responder.statusCode, tenant.statusCode]).toEqual([403, 403]);
      expect(responder.json().error.code).toBe('BD_AUTH_FORBIDDEN');
      expect(responder.body).not.toContain('entityId');
    });

    it('refuses a bad before or limit with a coded 400 naming it', async () => {
      const before = await snapshot(store.db);
      const cases = ['before=abc', 'before=0', 'limit=0', 'limit=501', 'limit=2.5'];
      const answers = [];
      for (const q of cases) {
        const res = await get(`/api/v1/audit/entries?${q}`, server.as('auditor'));
        answers.push(`${q} ${res.statusCode} ${res.json().error.code} ${res.json().error.field}`);
      }

      expect(answers).toEqual([
        'before=abc 400 BD_REQUEST_INVALID before',
        'before=0 400 BD_REQUEST_INVALID before',
        'limit=0 400 BD_REQUEST_INVALID limit',
        'limit=501 400 BD_REQUEST_INVALID limit',
        'limit=2.5 400 BD_REQUEST_INVALID limit',
      ]);
      expect(await snapshot(store.db)).toEqual(before);
    });
  });

  describe('GET /api/v1/postmortems', () => {
    let written: string;
    let teamOnly: string;

    beforeEach(async () => {
      written = await openInvestigation(store.db);
      teamOnly = await openInvestigation(store.db, buildEveAlert({ sid: 9_000_003 }));
      await openInvestigation(store.db, buildEveAlert({ sid: 9_000_004 }));
      await writePostmortem(store.db, manager, written, POSTMORTEM);
      await writePostmortem(store.db, manager, teamOnly, POSTMORTEM);
      await addTestPerson(store.db, { email: 'ivy@provider.example', role: 'investigator' });
      await addTeamMember(store.db, manager, teamOnly, {
        person: 'ivy@provider.example',
        teamRole: 'lead',
      });
    });

    it('lists every written post-mortem to an auditor, without its content', async () => {
      const res = await get('/api/v1/postmortems', server.as('auditor'));

      expect(res.statusCode).toBe(200);
      const list = res.json().postmortems as { id: string; ref: string; writtenAt: string }[];
      expect(list.map((p) => p.id).sort()).toEqual([written, teamOnly].sort());
      expect(list[0]?.ref).toMatch(/^INV-\d+$/);
      expect(Number.isNaN(Date.parse(list[0]?.writtenAt ?? ''))).toBe(false);
      expect(res.body).not.toContain(POSTMORTEM.rootCause);
    });

    it("lists to a team-bound role only its team's post-mortems", async () => {
      const { cookie } = await signIn(server.app, 'ivy@provider.example');
      const ivy = await get('/api/v1/postmortems', { cookie });
      const token = await get('/api/v1/postmortems', server.as('responder'));

      const listed = ivy.json<{ postmortems: { id: string }[] }>().postmortems;
      expect(listed.map((p) => p.id)).toEqual([teamOnly]);
      expect(token.json().postmortems).toEqual([]);
    });

    it('refuses a tenant admin, and a bad limit with a coded 400', async () => {
      const tenant = await get('/api/v1/postmortems', server.as('tenant_admin:acme'));
      const bad = await get('/api/v1/postmortems?limit=0', server.as('auditor'));

      expect(tenant.statusCode).toBe(403);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toMatchObject({ code: 'BD_REQUEST_INVALID', field: 'limit' });
    });
  });

  describe('GET /api/v1/metrics/timings', () => {
    let seed: TimingsSeed;
    beforeEach(async () => {
      seed = await seedTimings(store.db);
    }, 60_000);

    it('gives the hand-worked figures per source kind and UTC month', async () => {
      const res = await get('/api/v1/metrics/timings?from=2026-09&to=2026-11', {
        ...server.as('responder'),
      });

      expect(res.statusCode).toBe(200);
      const body = res.json<{ groups: Group[]; byClassification: unknown }>();
      expect(seed.d).toBeTruthy();
      expect(body).toMatchObject({
        from: '2026-09-01T00:00:00.000Z',
        to: '2026-11-01T00:00:00.000Z',
        months: ['2026-09', '2026-10'],
        sourceKinds: ['automated_alert', 'internal_report'],
      });
      const at = (kind: string, month: string) =>
        body.groups.find((g) => g.sourceKind === kind && g.month === month);
      expect(at('automated_alert', '2026-09')).toMatchObject({
        investigations: 2,
        detect: { count: 2, medianSeconds: 2 * H, maxSeconds: 3 * H },
        assess: { count: 2, medianSeconds: 1.25 * H, maxSeconds: 2 * H },
        declare: { count: 0, medianSeconds: null },
      });
      expect(at('automated_alert', '2026-10')).toMatchObject({
        investigations: 1,
        detect: { count: 1, medianSeconds: 1 * H },
      });
      expect(at('internal_report', '2026-10')).toMatchObject({
        investigations: 1,
        detect: { medianSeconds: 2 * H },
        assess: { medianSeconds: 1 * H },
        declare: { count: 1, medianSeconds: 10 * H, maxSeconds: 10 * H },
        notify: {
          count: 1,
          medianSeconds: 8 * H,
          deadlineMedianSeconds: 24 * H,
          met: 1,
          missed: 0,
          pending: 0,
        },
      });
      expect(body.byClassification).toEqual([
        { classification: 'crsi', count: 1 },
        { classification: 'false_positive', count: 1 },
        { classification: 'security_incident', count: 1 },
        { classification: 'unclassified', count: 1 },
      ]);
    });

    it('leaves out what was opened outside the period', async () => {
      const res = await get('/api/v1/metrics/timings?from=2026-10-01T00:45:00Z&to=2026-10-06', {
        ...server.as('admin'),
      });

      const groups = res.json<{ groups: Group[] }>().groups;
      expect(groups.map((g) => g.sourceKind)).toEqual(['internal_report']);
    });

    it('refuses bad periods with a coded 400 naming from or to, and the auditor', async () => {
      const before = await snapshot(store.db);
      const cases = ['from=yesterday', 'to=2026-02-30', 'from=2026-10&to=2026-09', 'from=2026-1'];
      const answers = [];
      for (const q of cases) {
        const res = await get(`/api/v1/metrics/timings?${q}`, server.as('responder'));
        answers.push(`${res.statusCode} ${res.json().error.code} ${res.json().error.field}`);
      }
      const auditor = await get('/api/v1/metrics/timings', server.as('auditor'));

      expect(answers).toEqual([
        '400 BD_REQUEST_INVALID from',
        '400 BD_REQUEST_INVALID to',
        '400 BD_REQUEST_INVALID to',
        '400 BD_REQUEST_INVALID from',
      ]);
      expect(auditor.statusCode).toBe(403);
      expect(await snapshot(store.db)).toEqual(before);
    });
  });
});
