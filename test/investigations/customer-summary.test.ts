/**
 * The customer-facing summary (src/investigations/customer-summary.ts): written by the team or
 * an incident manager, approved by another incident manager, and only the newest approved one
 * goes into a follow-up notice. The confidential post-mortem never goes into a notice.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, cliActor } from '../../src/auth/actor.ts';
import { addPerson } from '../../src/auth/people.ts';
import {
  approveCustomerSummary,
  listCustomerSummaries,
  writeCustomerSummary,
} from '../../src/investigations/customer-summary.ts';
import { addTeamMember } from '../../src/investigations/team.ts';
import { writePostmortem } from '../../src/investigations/workflow.ts';
import { createFollowUp } from '../../src/notify/phases.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { auditLog, notices } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { snapshot } from '../support/factories.ts';
import { startTestServer } from '../support/server.ts';
import {
  approveAndDeliver,
  declaredInvestigation,
  manager,
  noticeOf,
  responder,
} from '../notify/declared-investigation.ts';

const otherManager = cliActor('executive_incident_manager', 'emil');
const SECRET = 'root cause: the on-call engineer pasted the admin key into a public gist';
const ivy: Actor = { id: 'person:ivy@provider.example', role: 'investigator', tenantId: null };

/** The shared snapshot plus the table this feature writes. */
async function digest(db: Db) {
  const res: unknown = await db.execute(
    sql.raw(
      `SELECT count(*)::text || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) ` +
        'AS d FROM customer_summaries x',
    ),
  );
  const rows = (res as { rows: { d: string }[] }).rows[0]?.d;
  return { ...(await snapshot(db)), customer_summaries: rows };
}

describeEachBackend('customer-facing summaries', (backend) => {
  let store: Store;
  let id: string;

  beforeEach(async () => {
    store = await backend.open();
    id = await declaredInvestigation(store.db, { acme: {} });
  });
  afterEach(async () => {
    await store.close();
  });

  const write = (body: unknown, actor: Actor = manager) =>
    writeCustomerSummary(store.db, actor, id, { body });

  describe('writing and approving', () => {
    it('stores the trimmed text with its SHA-256, a new row each time, newest first', async () => {
      const first = await write('  We found the cause and closed it.  ');
      const second = await write('We found the cause, closed it and rotated every key.');

      expect(first.body).toBe('We found the cause and closed it.');
      expect(first.bodySha256).toBe(
        createHash('sha256').update('We found the cause and closed it.').digest('hex'),
      );
      const listed = await listCustomerSummaries(store.db, id);
      expect(listed.map((s) => s.id)).toEqual([second.id, first.id]);
    });

    it.each([
      ['an empty text', ''],
      ['only spaces', '   \n  '],
      ['over 5000 characters', 'x'.repeat(5001)],
      ['no text at all', undefined],
    ])('refuses %s naming body, data unchanged', async (_name, body) => {
      const before = await digest(store.db);

      await expect(write(body)).rejects.toMatchObject({
        code: 'BD_SUMMARY_INVALID',
        field: 'body',
      });
      expect(await digest(store.db)).toEqual(before);
    });

    it('accepts exactly 5000 characters', async () => {
      expect((await write('y'.repeat(5000))).body).toHaveLength(5000);
    });

    it('lets a team member write, and refuses an investigator off the team with 403', async () => {
      await addPerson(store.db, {
        email: 'ivy@provider.example',
        displayName: 'Ivy',
        role: 'investigator',
        by: 'test',
      });
      const before = await digest(store.db);
      await expect(write('Off the team.', ivy)).rejects.toMatchObject({
        code: 'BD_AUTH_FORBIDDEN',
      });
      expect(await digest(store.db)).toEqual(before);

      await addTeamMember(store.db, manager, id, {
        person: 'ivy@provider.example',
        teamRole: 'lead',
      });

      expect((await write('On the team now.', ivy)).writtenBy).toBe(ivy.id);
    });

    it('refuses the writer approving their own summary, data unchanged', async () => {
      const summary = await write('Our summary.');
      const before = await digest(store.db);

      await expect(approveCustomerSummary(store.db, manager, id, summary.id)).rejects.toMatchObject(
        { code: 'BD_SUMMARY_SELF_APPROVAL', field: 'summaryId' },
      );
      expect(await digest(store.db)).toEqual(before);
    });

    it('treats the same name through the CLI and a token as one person', async () => {
      const summary = await write('Our summary.', cliActor('incident_manager', 'Ines'));
      const token: Actor = { id: 'token:ines', role: 'incident_manager', tenantId: null };

      await expect(approveCustomerSummary(store.db, token, id, summary.id)).rejects.toMatchObject({
        code: 'BD_SUMMARY_SELF_APPROVAL',
      });
    });

    it('approves with another incident manager, audited with the text hash', async () => {
      const summary = await write('Our summary.');

      const approved = await approveCustomerSummary(store.db, otherManager, id, summary.id);

      expect(approved.approvedBy).toBe('cli:emil');
      const [entry] = await store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'customer_summary.approved'));
      expect(JSON.parse(entry?.data ?? '{}')).toMatchObject({ bodySha256: summary.bodySha256 });
    });

    it('refuses approving a summary a newer one replaced, data unchanged', async () => {
      const first = await write('First wording, since corrected.');
      const correction = await write('The corrected wording.');
      const before = await digest(store.db);

      await expect(
        approveCustomerSummary(store.db, otherManager, id, first.id),
      ).rejects.toMatchObject({ code: 'BD_SUMMARY_STATE', field: 'summaryId' });
      expect(await digest(store.db)).toEqual(before);

      const approved = await approveCustomerSummary(store.db, otherManager, id, correction.id);
      expect(approved.approvedBy).toBe(otherManager.id);
    });

    it('refuses an unknown field rather than dropping it, data unchanged', async () => {
      const before = await digest(store.db);
      await expect(
        writeCustomerSummary(store.db, manager, id, { body: 'text', approved: true }),
      ).rejects.toMatchObject({ code: 'BD_SUMMARY_INVALID' });
      expect(await digest(store.db)).toEqual(before);
    });

    it('refuses approving twice and a responder approving, data unchanged', async () => {
      const summary = await write('Our summary.');
      await approveCustomerSummary(store.db, otherManager, id, summary.id);
      const before = await digest(store.db);

      await expect(
        approveCustomerSummary(store.db, cliActor('incident_manager', 'ida'), id, summary.id),
      ).rejects.toMatchObject({ code: 'BD_SUMMARY_STATE', field: 'summaryId' });
      await expect(
        approveCustomerSummary(store.db, responder, id, summary.id),
      ).rejects.toMatchObject({ code: 'BD_AUTH_FORBIDDEN' });
      expect(await digest(store.db)).toEqual(before);
    });
  });

  describe('in a follow-up notice', () => {
    async function deliveredInitial() {
      const initial = await noticeOf(store.db, id, 'acme', 'tenant');
      await approveAndDeliver(store.db, initial.id);
      return initial.id;
    }

    it('refuses includeCustomerSummary without an approved summary, data unchanged', async () => {
      const initial = await deliveredInitial();
      await write('Written but never approved.');
      const before = await digest(store.db);

      await expect(
        createFollowUp(store.db, responder, initial, {
          what: 'The cause is found.',
          includeCustomerSummary: true,
        }),
      ).rejects.toMatchObject({ code: 'BD_SUMMARY_STATE', field: 'includeCustomerSummary' });
      expect(await digest(store.db)).toEqual(before);
    });

    it('puts the newest approved summary in, not an older one nor a newer draft', async () => {
      const initial = await deliveredInitial();
      const older = await write('Older approved summary.');
      await approveCustomerSummary(store.db, otherManager, id, older.id);
      const newest = await write('Newest approved summary.');
      await approveCustomerSummary(store.db, otherManager, id, newest.id);
      await write('Newer draft, not approved.');

      const followUp = await createFollowUp(store.db, responder, initial, {
        what: 'The cause is found.',
        includeCustomerSummary: true,
      });

      expect(followUp.body).toContain('Newest approved summary.');
      expect(followUp.body).not.toContain('Older approved summary.');
      expect(followUp.body).not.toContain('Newer draft, not approved.');
    });

    it('leaves the summary out unless asked', async () => {
      const initial = await deliveredInitial();
      const summary = await write('Approved summary.');
      await approveCustomerSummary(store.db, otherManager, id, summary.id);

      const followUp = await createFollowUp(store.db, responder, initial, { what: 'More rows.' });

      expect(followUp.body).not.toContain('Approved summary.');
    });

    it('never puts the confidential post-mortem into a notice', async () => {
      await writePostmortem(store.db, manager, id, {
        summary: 'Keys leaked through a gist',
        rootCause: SECRET,
        lessons: 'scan gists',
        actions: ['rotate keys'],
      });
      const initial = await deliveredInitial();
      const summary = await write('We found how the key leaked and replaced every key.');
      await approveCustomerSummary(store.db, otherManager, id, summary.id);

      await createFollowUp(store.db, responder, initial, {
        what: 'The cause is found.',
        includeCustomerSummary: true,
      });

      const all = await store.db.select().from(notices);
      expect(all.length).toBeGreaterThan(1);
      const stored = JSON.stringify(all.map((n) => [n.subject, n.body, n.facts]));
      expect(stored).toContain('replaced every key');
      expect(stored).not.toContain(SECRET);
      expect(stored).not.toContain('Keys leaked through a gist');
    });

    it('drafts the follow-up with the summary over HTTP', async () => {
      const initial = await deliveredInitial();
      const server = await startTestServer(store);
      try {
        const manage = server.as('incident_manager');
        const written = await server.app.inject({
          method: 'POST',
          url: `/api/v1/investigations/${id}/customer-summary`,
          headers: manage,
          payload: { body: 'We closed the hole and rotated every key.' },
        });
        const summaryId = written.json<{ id: string }>().id;
        const self = await server.app.inject({
          method: 'POST',
          url: `/api/v1/investigations/${id}/customer-summary/${summaryId}/approve`,
          headers: manage,
        });
        await approveCustomerSummary(store.db, otherManager, id, summaryId);
        const followUp = await server.app.inject({
          method: 'POST',
          url: `/api/v1/notices/${initial}/follow-ups`,
          headers: server.as('responder'),
          payload: { what: 'The cause is found.', includeCustomerSummary: true },
        });

        expect([written.statusCode, self.statusCode, followUp.statusCode]).toEqual([201, 403, 201]);
        expect(self.json().error.code).toBe('BD_SUMMARY_SELF_APPROVAL');
        expect(followUp.json().body).toContain('We closed the hole and rotated every key.');
      } finally {
        await server.app.close();
      }
    });
  });
});
